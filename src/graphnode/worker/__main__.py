"""``python -m graphnode.worker``: consume the result queue until SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence

from graphnode.entrypoint import load_settings, run_until_signalled, service_parser
from graphnode.worker.service import open_worker


def main(argv: Sequence[str] | None = None) -> int:
    parser = service_parser(
        "python -m graphnode.worker",
        "GraphNode worker: long-polls the result queue, stores each graph in MongoDB and its "
        "vectors in the vector store, and pushes an FCM notification. Run several at once.",
    )
    args = parser.parse_args(argv)
    settings = load_settings(args)

    async def serve(stop: asyncio.Event) -> None:
        async with open_worker(settings) as worker:
            await worker.run(stop)

    run_until_signalled(serve)
    return 0


if __name__ == "__main__":
    sys.exit(main())
