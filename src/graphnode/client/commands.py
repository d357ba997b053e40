"""``graphnode import|generate|show|open|export``: the user's side of GraphNode in a terminal."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import Any

from graphnode.client.api_client import TERMINAL, ClientError, GenerationRunning, GraphNodeClient
from graphnode.client.progress_line import ProgressLine
from graphnode.export.formats import ExportFormat
from graphnode.settings import Settings


def api_url(settings: Settings) -> str:
    return (
        os.environ.get("GRAPHNODE_API_URL")
        or settings.api_public_url
        or (f"http://{settings.api_host}:{settings.api_port}")
    )


def add_client_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--api", help="API base URL (default GRAPHNODE_API_URL, else the API's own host and port)"
    )
    parser.add_argument("--token", help="bearer token (default GRAPHNODE_TOKEN)")


def _client(args: argparse.Namespace) -> GraphNodeClient:
    token = args.token or os.environ.get("GRAPHNODE_TOKEN")
    if not token:
        raise ClientError(
            "no token: pass --token or set GRAPHNODE_TOKEN "
            "(for development: export GRAPHNODE_TOKEN=$(graphnode token me))"
        )
    return GraphNodeClient(args.api or api_url(Settings.from_env()), token)


def _task_line(task: dict[str, Any]) -> tuple[float, str, float | None]:
    percent = float(task.get("progressPercent") or 0)
    eta = task.get("etaSeconds")
    stage = task.get("stage") or task.get("status", "")
    if task.get("status") == "FAILED":
        stage = f"FAILED at {stage}" if stage and stage != "FAILED" else "FAILED"
    return percent, stage, float(eta) if isinstance(eta, int | float) else None


_LINE = ProgressLine()


def show_progress(task: dict[str, Any]) -> None:
    """The task's progress on one line of stderr, ended once the task is."""
    _LINE.show(*_task_line(task), last=task["status"] in TERMINAL)


async def _import(args: argparse.Namespace) -> int:
    async with _client(args) as client:
        for name in args.files:
            result = await client.import_file(Path(name))
            print(
                f"{name}: {result['new']} new, {result['updated']} updated, "
                f"{result['skipped']} unchanged"
            )
    return 0


async def _generate(args: argparse.Namespace) -> int:
    options = {"includeSummary": not args.no_summary}
    async with _client(args) as client:
        try:
            task_id = await client.generate(**options)
            print(f"task {task_id} started")
        except GenerationRunning as exc:
            if not args.wait:
                raise
            task_id = exc.task_id
            print(f"a generation is already running (task {task_id}); following it")
        if not args.wait:
            return 0
        task = await client.wait(task_id, show_progress)
    if task["status"] == "FAILED":
        print(f"generation failed: {task.get('error')} ({task.get('errorCode')})", file=sys.stderr)
        return 1
    return 0


def render_graph(graph: dict[str, Any], summary: dict[str, Any] | None) -> str:
    lines = [
        f"{graph['stats']['nodes']} conversations, {graph['stats']['edges']} links, "
        f"{graph['stats']['clusters']} topics ({graph['status']})",
        "",
    ]
    for cluster in sorted(graph["clusters"], key=lambda c: -c["size"]):
        keywords = ", ".join(cluster.get("topKeywords", [])[:6])
        lines.append(f"  {cluster['size']:>4}  {cluster['name']:<36} {keywords}")
    if summary:
        lines += ["", summary["summary"]["overview"]["summary_text"]]
        for item in summary["summary"].get("recommendations", [])[:3]:
            lines.append(f"  - {item['text']}")
    return "\n".join(lines)


async def _show(args: argparse.Namespace) -> int:
    async with _client(args) as client:
        print(render_graph(await client.graph(), await client.summary()))
    return 0


async def _export(args: argparse.Namespace) -> int:
    out = Path(args.out or ExportFormat(args.format).filename)  # the API's own name for it
    async with _client(args) as client:
        size = await client.export(args.format, out)
    print(f"{out}: {args.format} export, {size} bytes")
    return 0


async def _open(args: argparse.Namespace) -> int:
    client = _client(args)
    print(f"{client.base_url}/#token={args.token or os.environ.get('GRAPHNODE_TOKEN')}")
    return 0


HANDLERS = {
    "import": _import,
    "generate": _generate,
    "show": _show,
    "open": _open,
    "export": _export,
}


def run_client_command(args: argparse.Namespace) -> int:
    try:
        return asyncio.run(HANDLERS[args.command](args))
    except ClientError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
