"""The ``graphnode`` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from graphnode.client.commands import add_client_arguments, run_client_command
from graphnode.export.formats import ExportFormat
from graphnode.settings import describe_settings


def settings_markdown() -> str:
    """The README's settings table (``graphnode settings --markdown``)."""
    lines = ["| Variable | Default | Meaning |", "| --- | --- | --- |"]
    for name, default, meaning in describe_settings():
        shown = f"`{default}`" if default else "(unset)"
        lines.append(f"| `{name}` | {shown} | {meaning} |")
    return "\n".join(lines)


def _print_settings(args: argparse.Namespace) -> int:
    if args.markdown:
        print(settings_markdown())
        return 0
    for name, default, meaning in describe_settings():
        print(f"{name}={default}\n    {meaning}")
    return 0


def _contract(args: argparse.Namespace) -> int:
    from pathlib import Path

    from graphnode.contracts.reference import stale_files, write_files

    docs = Path(args.write or args.check)
    if args.check:
        stale = stale_files(docs)
        for path in stale:
            print(f"stale: {path}", file=sys.stderr)
        return 1 if stale else 0
    for path in write_files(docs):
        print(f"updated {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="graphnode",
        description="GraphNode: turn AI chat history into a knowledge graph.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    settings = commands.add_parser("settings", help="list every setting with its default")
    settings.add_argument("--markdown", action="store_true", help="as the README's table")
    settings.set_defaults(handler=_print_settings)
    contract = commands.add_parser(
        "contract",
        help="regenerate the contract's tables and JSON Schemas (docs/) from its models",
    )
    where = contract.add_mutually_exclusive_group(required=True)
    where.add_argument("--write", metavar="DOCS", help="write them under DOCS (e.g. docs/)")
    where.add_argument("--check", metavar="DOCS", help="exit 1 if those under DOCS are stale")
    contract.set_defaults(handler=_contract)
    imports = commands.add_parser("import", help="import export files into your history")
    imports.add_argument("files", nargs="+")
    generate = commands.add_parser("generate", help="build your graph from what you imported")
    generate.add_argument("--wait", action="store_true", help="follow it with a progress bar")
    generate.add_argument("--no-summary", action="store_true")
    show = commands.add_parser("show", help="your topics, their sizes, keywords and summary")
    opener = commands.add_parser("open", help="print the graph viewer's URL")
    export = commands.add_parser(
        "export", help="download your graph: GraphML, GEXF, JSON or an Obsidian vault (.zip)"
    )
    export.add_argument("--format", choices=[f.value for f in ExportFormat], default="json")
    export.add_argument("--out", help="file to write (default graphnode-FORMAT.EXT here)")
    for client_command in (imports, generate, show, opener, export):
        add_client_arguments(client_command)
        client_command.set_defaults(handler=run_client_command)
    token = commands.add_parser("token", help="print a development token for USER")
    token.add_argument("user", help="the user id (the token's sub)")
    token.add_argument("--days", type=int, default=30, help="lifetime in days")
    token.set_defaults(handler=_token)
    build = commands.add_parser(
        "build",
        help="build a graph from local export files (no AWS, database or network)",
        description="Run the whole pipeline on ChatGPT/Claude exports (.zip or "
        "conversations.json), JSON/JSONL conversations, notes.json or .md files, and write "
        "graph.json, features.json and summary.json to --out.",
    )
    build.add_argument("exports", nargs="+", help="export files")
    build.add_argument("--out", required=True, help="output directory")
    build.add_argument(
        "--llm",
        choices=["local", "openai", "vllm", "keywords"],
        help="overrides GRAPHNODE_LLM_BACKEND",
    )
    build.add_argument("--no-summary", action="store_true", help="skip summary.json")
    build.add_argument("--language", help="language of names and summary (e.g. en, ko)")
    build.add_argument("--min-clusters", type=int)
    build.add_argument("--max-clusters", type=int)
    build.set_defaults(handler=_build)
    return parser


def _token(args: argparse.Namespace) -> int:
    from graphnode.api.auth import issue_development_token
    from graphnode.settings import Settings

    try:
        print(issue_development_token(Settings.from_env(), args.user, args.days * 86400))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _build(args: argparse.Namespace) -> int:
    from graphnode.local.quiet import quiet_progress_bars

    quiet_progress_bars()  # before transformers and tqdm are imported: they read it then
    from graphnode.ai.build import run_build  # heavy imports only for this command
    from graphnode.ai.pipeline.runner import PipelineOptions

    try:
        options = PipelineOptions(
            include_summary=not args.no_summary,
            language=args.language,
            min_clusters=args.min_clusters,
            max_clusters=args.max_clusters,
        )
    except ValueError as exc:  # the contract's checks, e.g. minClusters <= maxClusters
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return run_build(args.exports, args.out, options, args.llm)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
