"""A request body that stops arriving is refused, never waited on forever.

aiohttp gives the reads of a request body no deadline, so a client that sends the headers
and part of the body, then nothing, holds a handler (and an upload's temporary file) as long
as it keeps the connection open. aiohttp's C parser also leaves the body waiting, with no
error, when a chunk's framing breaks after the body began. Every read of a body goes through
:func:`arrival`, which allows it ``GRAPHNODE_BODY_IDLE_SECONDS`` to bring a byte.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from typing import TypeVar

from graphnode.api.problems import Problem

T = TypeVar("T")

STALLED_STATUS = 408
STALLED_DETAIL = "The request body stopped arriving before its end; send the request again."


async def arrival(read: Awaitable[T], idle_seconds: float) -> T:
    """``read``'s result, or a 408 when nothing arrives within ``idle_seconds``."""
    try:
        async with asyncio.timeout(idle_seconds):
            return await read
    except TimeoutError:
        # The rest of the body may still come: the connection cannot carry another request.
        raise Problem(STALLED_STATUS, STALLED_DETAIL, close=True) from None


async def arriving(chunks: AsyncIterator[bytes], idle_seconds: float) -> AsyncIterator[bytes]:
    """``chunks``, each allowed ``idle_seconds`` to arrive."""
    while True:
        try:
            chunk = await arrival(anext(chunks), idle_seconds)
        except StopAsyncIteration:
            return
        yield chunk
