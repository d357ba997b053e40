"""Wait on a condition with a deadline (never a bare sleep used as synchronisation)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

POLL_SECONDS = 0.1


async def wait_until(
    condition: Callable[[], Awaitable[T]], *, within: float = 30.0, what: str = "condition"
) -> T:
    """Await ``condition()`` until it returns something truthy; fail after ``within`` seconds."""
    deadline = time.monotonic() + within
    while True:
        result = await condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within}s waiting for {what}")
        await asyncio.sleep(POLL_SECONDS)
