"""The ``graphnode`` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="graphnode",
        description="GraphNode: turn AI chat history into a knowledge graph.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    settings = commands.add_parser("settings", help="list every setting with its default")
    settings.add_argument("--markdown", action="store_true", help="as the README's table")
    settings.set_defaults(handler=_print_settings)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
