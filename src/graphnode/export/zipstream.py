"""A zip archive made member by member, handed out as bytes as it grows.

``zipfile`` writes to a stream it cannot seek by putting each member's sizes after its data
(a data descriptor), so nothing has to be kept to go back and patch: after each member the
bytes written so far are taken away and sent, and memory holds one member at a time.
"""

from __future__ import annotations

import asyncio
import io
import zipfile
from datetime import datetime

# Members larger than this are compressed off the event loop (a long conversation takes
# tens of milliseconds to deflate; the API serves other requests meanwhile).
THREAD_BYTES = 256 * 1024
EARLIEST_ZIP_YEAR = 1980


class _Sink(io.RawIOBase):
    """A write-only, unseekable stream that keeps what was written until taken."""

    def __init__(self) -> None:
        super().__init__()
        self._buffer = bytearray()
        self._position = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        self._buffer += data
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def take(self) -> bytes:
        data = bytes(self._buffer)
        self._buffer.clear()
        return data


def zip_time(moment: datetime | None) -> tuple[int, int, int, int, int, int]:
    """A member's time as zip stores it (no zone, from 1980 on)."""
    if moment is None or moment.year < EARLIEST_ZIP_YEAR:
        return (EARLIEST_ZIP_YEAR, 1, 1, 0, 0, 0)
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)


class ZipStream:
    def __init__(self, modified: datetime | None = None) -> None:
        self._sink = _Sink()
        self._archive = zipfile.ZipFile(self._sink, "w", compression=zipfile.ZIP_DEFLATED)
        self._time = zip_time(modified)

    async def add(self, path: str, text: str) -> bytes:
        """Add one member; the archive's bytes since the last call."""
        info = zipfile.ZipInfo(path, self._time)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16  # a plain readable file when unzipped
        data = text.encode()
        if len(data) > THREAD_BYTES:
            await asyncio.to_thread(self._archive.writestr, info, data)
        else:
            self._archive.writestr(info, data)
        return self._sink.take()

    def close(self) -> bytes:
        """End the archive (its central directory); its last bytes."""
        self._archive.close()
        return self._sink.take()
