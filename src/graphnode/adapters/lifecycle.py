"""The one lifetime idiom: ``open()``/``close()``, or ``async with``.

:class:`Lifetime` is the idiom itself; :class:`Resource` is how adapters and other long-lived
clients implement it (what ``_open`` takes is released through one exit stack). Language
models (``ai.llm.base.ModelLifetime``) implement it too, with a lazy ``open``.
"""

from __future__ import annotations

import contextlib
from types import TracebackType
from typing import Self


class AdapterClosedError(RuntimeError):
    """An adapter was used before ``open()`` or after ``close()``."""


class Lifetime:
    """Something opened once and closed once; ``async with`` does both."""

    async def open(self) -> Self:
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        return await self.open()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


class Resource(Lifetime):
    """Base of long-lived clients.

    Subclasses acquire what they need in ``_open(stack)``, registering each disposal on the
    exit stack, so a start-up that fails half way still releases what it had taken.
    """

    def __init__(self) -> None:
        self._stack: contextlib.AsyncExitStack | None = None

    async def _open(self, stack: contextlib.AsyncExitStack) -> None:
        raise NotImplementedError

    async def open(self) -> Self:
        if self._stack is not None:
            return self
        stack = contextlib.AsyncExitStack()
        self._stack = stack  # _open may already use the adapter's own methods
        try:
            await self._open(stack)
        except BaseException:
            self._stack = None
            await stack.aclose()
            raise
        return self

    async def close(self) -> None:
        stack, self._stack = self._stack, None
        if stack is not None:
            await stack.aclose()

    @property
    def is_open(self) -> bool:
        return self._stack is not None

    def _require_open(self) -> None:
        if self._stack is None:
            raise AdapterClosedError(f"{type(self).__name__} is not open")
