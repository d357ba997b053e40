"""``python -m graphnode.local`` (``make run``): GraphNode's main job on embedded defaults.

Starts everything, imports the sample export (or the files given), generates the graph with
a progress bar, prints the topics, the summary and the viewer's URL, then keeps serving
until Ctrl-C and stops all it started.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from pathlib import Path

from graphnode.api.auth import issue_development_token
from graphnode.client.api_client import ClientError, GraphNodeClient
from graphnode.client.commands import render_graph, show_progress
from graphnode.local.stack import ROOT, local_stack
from graphnode.settings import Settings

SAMPLE = ROOT / "samples" / "chatgpt-export"
USER = "me"


async def demo(api_url: str, token: str, files: list[Path]) -> None:
    async with GraphNodeClient(api_url, token) as client:
        for path in files:
            result = await client.import_file(path)
            print(f"imported {path.name}: {result['new']} new, {result['skipped']} unchanged")
        task_id = await client.generate(includeSummary=True)
        print(f"generating your graph (task {task_id}) ...")
        task = await client.wait(task_id, show_progress)
        if task["status"] != "COMPLETED":
            raise ClientError(f"generation failed: {task.get('error')}")
        print()
        print(render_graph(await client.graph(), await client.summary()))


def _wait_for_ctrl_c() -> None:
    stop = asyncio.Event()

    async def wait() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()

    asyncio.run(wait())


def main() -> int:
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
    parser.add_argument("--no-wait", action="store_true", help="stop after the first graph")
    args = parser.parse_args()
    files = args.exports or [SAMPLE / "conversations.json", SAMPLE / "notes.json"]
    print("starting GraphNode (no cloud account, no Docker) ...", file=sys.stderr)
    with local_stack(args.data, Settings.from_env()) as stack:
        token = issue_development_token(stack.settings, USER, 7 * 86400)
        try:
            asyncio.run(demo(stack.api_url, token, files))
        except ClientError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(f"\nviewer: {stack.api_url}/#token={token}")
        print(f"CLI:    export GRAPHNODE_API_URL={stack.api_url} GRAPHNODE_TOKEN={token}")
        if not args.no_wait:
            print("serving until Ctrl-C ...", file=sys.stderr)
            _wait_for_ctrl_c()
    print("stopped everything.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
