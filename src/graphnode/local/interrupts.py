"""How the launcher hears "stop": Ctrl-C, SIGTERM, SIGHUP or its parent's death, at any moment.

Outside asyncio the signals raise :class:`Interrupted` (SIGINT keeps Python's own
``KeyboardInterrupt``) in the main thread, so a blocking start-up unwinds through the
``finally`` that stops the servers. Inside :func:`run_cancellable` they cancel the running
coroutine instead: an exception raised from inside the event loop's machinery would leave the
loop's own clean-up half done.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Coroutine
from types import FrameType
from typing import Any, TypeVar

from graphnode.local.guard import die_with_parent

T = TypeVar("T")

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Interrupted(Exception):
    """A stop signal arrived; ``name`` says which."""

    def __init__(self, name: str) -> None:
        super().__init__(f"stopped by {name}")
        self.name = name


def _raise_interrupted(signum: int, _frame: FrameType | None) -> None:
    raise Interrupted(signal.Signals(signum).name)


def install() -> None:
    """SIGTERM and SIGHUP raise :class:`Interrupted`; SIGINT raises ``KeyboardInterrupt``."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _raise_interrupted)


def follow_parent() -> None:
    """Get SIGTERM when the parent (``make``, a shell, a test) dies, and stop as for SIGTERM.

    The parent thread's exit counts too, which is fine for a launcher started from a main
    thread. If the parent died before this ran, we are already orphaned: stop now.
    """
    parent = os.getppid()
    with contextlib.suppress(OSError):  # a kernel without prctl: signals still work
        die_with_parent(signal.SIGTERM)
    if os.getppid() != parent:
        raise Interrupted("the parent's exit")


def run_cancellable(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coro)`` where a stop signal cancels ``coro`` and raises Interrupted."""

    async def main() -> T:
        task = asyncio.current_task()
        assert task is not None
        loop = asyncio.get_running_loop()
        received: list[str] = []

        def on_signal(sig: signal.Signals) -> None:
            received.append(sig.name)
            task.cancel()

        for sig in STOP_SIGNALS:
            loop.add_signal_handler(sig, on_signal, sig)
        try:
            return await coro
        except asyncio.CancelledError:
            if received:
                raise Interrupted(received[0]) from None
            raise
        finally:
            for sig in STOP_SIGNALS:
                loop.remove_signal_handler(sig)
            install()  # removing a loop handler leaves SIGTERM at its default: death

    try:
        return asyncio.run(main())
    finally:
        coro.close()  # never awaited if the loop stopped first
