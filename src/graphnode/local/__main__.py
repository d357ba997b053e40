"""``python -m graphnode.local`` (``make run``): GraphNode's main job on embedded defaults.

Starts everything, imports the sample export (or the files given, as a user of their own),
generates the graph with a progress bar, prints the topics, the summary and the viewer's URL,
then keeps serving until Ctrl-C. Ctrl-C or SIGTERM at any moment stops all it started, and no
server outlives it even if it is killed outright. A second run reuses the data folder.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import re
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from graphnode.adapters.mongo import DocumentDatabase
from graphnode.api.auth import issue_development_token
from graphnode.client.api_client import ClientError, GenerationRunning, GraphNodeClient
from graphnode.client.commands import render_graph, show_progress
from graphnode.local import interrupts
from graphnode.local.interrupts import Interrupted, run_cancellable
from graphnode.local.stack import ROOT, TASK_SWEEP_SECONDS, local_stack
from graphnode.settings import Settings
from graphnode.storage.codec import now_ms
from graphnode.storage.task_store import TaskStore

SAMPLE = ROOT / "samples" / "chatgpt-export"
SAMPLE_FILES = (SAMPLE / "conversations.json", SAMPLE / "notes.json")
SAMPLE_USER = "sample"
TOKEN_SECONDS = 7 * 86400
# Time for the worker's sweeper to end a task left open by a previous run.
ENDING_SECONDS = 5 * TASK_SWEEP_SECONDS + 10


def user_for(exports: Sequence[Path]) -> str:
    """The user that owns these exports' graph: the sample's own, else one named after the
    files, the same on every run, so that a second run updates that graph and no other."""
    if not exports:
        return SAMPLE_USER
    where = "\n".join(sorted(str(path.resolve()) for path in exports))
    digest = hashlib.sha256(where.encode()).hexdigest()[:8]
    stem = re.sub(r"[^a-z0-9]+", "-", exports[0].stem.lower()).strip("-")[:40] or "export"
    return f"export-{stem}-{digest}"


async def _end_left_open(settings: Settings, client: GraphNodeClient, task_id: str) -> None:
    """End a task that a previous run left open. Every service was started by this run and
    the queues are new, so nothing can ever finish it: its deadline is moved to now, and the
    worker's sweeper fails it as it fails any overdue task (status freed, one push)."""
    print(f"ending task {task_id}, left unfinished when a previous run stopped ...")
    async with DocumentDatabase(settings, ensure_indexes=False) as database:
        await TaskStore(database).set_deadline(task_id, now_ms() - 1)
    await client.wait(task_id, lambda _: None, poll=0.5, stall_timeout=ENDING_SECONDS)


async def _start_generation(settings: Settings, client: GraphNodeClient) -> str:
    try:
        task_id = await client.generate(includeSummary=True)
    except GenerationRunning as exc:
        await _end_left_open(settings, client, exc.task_id)
        task_id = await client.generate(includeSummary=True)
    print(f"generating the graph (task {task_id}) ...")
    return task_id


async def demo(settings: Settings, api_url: str, token: str, files: Sequence[Path]) -> None:
    async with GraphNodeClient(api_url, token) as client:
        for path in files:
            result = await client.import_file(path)
            print(f"imported {path.name}: {result['new']} new, {result['skipped']} unchanged")
        task = await client.wait(await _start_generation(settings, client), show_progress)
        if task["status"] != "COMPLETED":
            raise ClientError(f"generation failed: {task.get('error')} ({task.get('errorCode')})")
        print()
        print(render_graph(await client.graph(), await client.summary()))


async def _serve_until_stopped() -> None:
    await asyncio.Event().wait()  # a stop signal cancels it (run_cancellable)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="make run", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "exports",
        nargs="*",
        type=Path,
        help="export files (default: the sample export in samples/)",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=ROOT / ".services" / "run",
        help="where the backends keep their data and the services their logs",
    )
    parser.add_argument("--user", help="the user who owns the graph (default: one per export)")
    parser.add_argument("--no-wait", action="store_true", help="stop after the first graph")
    return parser


def _run(args: argparse.Namespace) -> int:
    files = list(args.exports) or list(SAMPLE_FILES)
    user = args.user or user_for(args.exports)
    whose = f"{'your export' if args.exports else 'the sample'}'s graph belongs to user {user!r}"
    if user != SAMPLE_USER:
        whose += f" (the sample's to {SAMPLE_USER!r})"
    print("starting GraphNode (no cloud account, no Docker) ...", file=sys.stderr)
    with local_stack(args.data, Settings.from_env()) as stack:
        token = issue_development_token(stack.settings, user, TOKEN_SECONDS)
        print(f"{whose}; each user's graph holds only what that user imported")
        run_cancellable(demo(stack.settings, stack.api_url, token, files))
        print(f"\nviewer: {stack.api_url}/#token={token}")
        print(f"CLI:    export GRAPHNODE_API_URL={stack.api_url} GRAPHNODE_TOKEN={token}")
        if not args.no_wait:
            print("serving until Ctrl-C ...", file=sys.stderr)
            run_cancellable(_serve_until_stopped())
    return 0


def main() -> int:
    interrupts.install()  # first: from here on a signal stops what is started
    args = _parser().parse_args()
    try:
        interrupts.follow_parent()
        code = _run(args)
    except (KeyboardInterrupt, Interrupted) as exc:
        name = exc.name if isinstance(exc, Interrupted) else "SIGINT"
        print(f"\nstopped everything ({name}).", file=sys.stderr)
        return 128 + getattr(signal.Signals, name, signal.SIGTERM)
    except (ClientError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print("stopped everything.", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
