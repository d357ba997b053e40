"""Free handler slots: a poll asks SQS only for as many messages as can start at once."""

from __future__ import annotations

import asyncio


class SlotPool:
    """``capacity`` slots; :meth:`reserve` takes up to ``most`` of the free ones.

    A plain semaphore cannot take several slots at once, and taking them one by one would let
    a poll hold messages that cannot start yet (they would age invisibly on this worker).
    """

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._free = capacity
        self._has_room = asyncio.Event()
        self._has_room.set()
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def in_use(self) -> int:
        return self.capacity - self._free

    async def reserve(self, most: int) -> int:
        """Wait for at least one free slot, then take up to ``most``; returns how many."""
        while self._free == 0:
            self._has_room.clear()
            await self._has_room.wait()
        taken = min(most, self._free)
        self._free -= taken
        self._idle.clear()
        return taken

    def release(self, count: int = 1) -> None:
        if count <= 0:
            return
        self._free = min(self.capacity, self._free + count)
        self._has_room.set()
        if self._free == self.capacity:
            self._idle.set()

    async def wait_idle(self) -> None:
        await self._idle.wait()
