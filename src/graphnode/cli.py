"""The ``graphnode`` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from graphnode.settings import describe_settings


def _print_settings(_: argparse.Namespace) -> int:
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
    settings.set_defaults(handler=_print_settings)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
