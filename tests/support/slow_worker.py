"""The real worker as a separate process, each handler followed by a pause.

``python -m tests.support.slow_worker`` runs ``graphnode.worker``'s own factory with the
settings from the environment; every handler does its real work, then touches
``$SLOW_WORKER_MARKER`` and waits ``$SLOW_WORKER_PAUSE`` seconds before the message is
deleted, so a test can kill or stop the process at exactly that point.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from graphnode.contracts import Message
from graphnode.entrypoint import run_until_signalled
from graphnode.logs import configure_logging
from graphnode.messaging.routing import Handler, HandlerRegistry
from graphnode.settings import Settings
from graphnode.worker.handlers.context import HandlerContext
from graphnode.worker.service import default_registry, open_worker


class PausingHandler:
    def __init__(self, inner: Handler, marker: Path, pause: float) -> None:
        self._inner, self._marker, self._pause = inner, marker, pause

    async def handle(self, message: Message[Any]) -> None:
        await self._inner.handle(message)
        self._marker.write_text(message.task_id)
        await asyncio.sleep(self._pause)


def main() -> None:
    settings = Settings.from_env()
    configure_logging("INFO", "text")
    marker = Path(os.environ["SLOW_WORKER_MARKER"])
    pause = float(os.environ.get("SLOW_WORKER_PAUSE", "60"))

    def registry(context: HandlerContext) -> HandlerRegistry:
        return HandlerRegistry(
            {
                task_type: PausingHandler(handler, marker, pause)
                for task_type, handler in default_registry(context).by_type().items()
            }
        )

    async def serve(stop: asyncio.Event) -> None:
        async with open_worker(settings, registry_factory=registry) as worker:
            await worker.run(stop)

    run_until_signalled(serve)


if __name__ == "__main__":
    main()
