"""An export ``.zip`` (ChatGPT's, Claude's or a Google Takeout with Gemini's activity): find
``conversations.json`` (or ``My Activity/Gemini Apps/MyActivity.json``) and read it safely.

The archive comes from a user, so it is checked before anything is unpacked: no absolute
or ``..`` paths, no more than ``MAX_UNPACKED_BYTES`` in all, and no member that expands
more than ``MAX_RATIO`` times (a zip bomb). Nothing is written to disk, and the member is
read as a stream (``open_export``), so a large export is never unpacked into memory whole.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from graphnode.ingest.parse.errors import ParseError

ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")  # a local file header; an empty archive
EXPORT_FILE = "conversations.json"
# Google Takeout's Gemini history: Takeout/My Activity/Gemini Apps/MyActivity.json.
GEMINI_FILE = ("My Activity", "Gemini Apps", "MyActivity.json")
# Far above any real export (a heavy user's conversations.json is a few hundred MB).
MAX_UNPACKED_BYTES = 1 << 30
# JSON deflates about 5-20 times; a zip bomb hundreds to a thousand times.
MAX_RATIO = 200
# Small members may legitimately compress absurdly well (a file of spaces); they are
# harmless whatever their ratio, so the ratio is judged only above this size.
RATIO_CHECKED_FROM = 1 << 20
MAX_MEMBERS = 100_000
_DRIVE = re.compile(r"^[A-Za-z]:")


def is_zip(data: bytes) -> bool:
    """Whether ``data`` starts like a zip archive."""
    return data[:4] in ZIP_SIGNATURES


def read_export(name: str, data: bytes) -> tuple[str, bytes]:
    """The path inside the archive and the bytes of its ``conversations.json``."""
    # BytesIO shares the bytes until written to, so this does not copy the upload.
    with open_export(name, io.BytesIO(data)) as (member, stream):
        return member, stream.read()


@contextmanager
def open_export(name: str, file: IO[bytes]) -> Iterator[tuple[str, IO[bytes]]]:
    """The path inside the archive ``file`` (seekable) and its ``conversations.json`` as a
    stream; reading it raises ``ParseError`` for a broken member, as ``read_export`` does."""
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as error:
        raise ParseError(name, f"is not a valid zip archive ({error})") from None
    with archive:
        members = archive.infolist()
        check_members(name, members)
        member = _export_member(name, members)
        where = f"{name}/{member.filename}"
        if member.flag_bits & 0x1:
            raise ParseError(where, "is encrypted")
        with _unpacking(where):
            stream = archive.open(member)
        with stream:
            yield member.filename, _MemberStream(where, stream)


def check_members(name: str, members: list[zipfile.ZipInfo]) -> None:
    """Refuse an archive with unsafe paths or one that would unpack to too much."""
    if len(members) > MAX_MEMBERS:
        raise ParseError(name, f"has {len(members)} files inside, more than {MAX_MEMBERS}")
    total = 0
    for member in members:
        if _unsafe_path(member.filename):
            raise ParseError(name, f"has an unsafe path inside: {member.filename!r}")
        total += member.file_size
        if total > MAX_UNPACKED_BYTES:
            raise ParseError(
                name, f"would unpack to more than {MAX_UNPACKED_BYTES} bytes (a zip bomb?)"
            )
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_CHECKED_FROM and ratio > MAX_RATIO:
            raise ParseError(
                name,
                f"has {member.filename!r} compressed {ratio:.0f} to 1, "
                f"more than {MAX_RATIO} to 1 (a zip bomb?)",
            )


def _unsafe_path(path: str) -> bool:
    normal = path.replace("\\", "/")
    if normal.startswith("/") or _DRIVE.match(normal):
        return True
    return ".." in normal.split("/")


def _export_member(name: str, members: list[zipfile.ZipInfo]) -> zipfile.ZipInfo:
    """The shallowest ``conversations.json``: exports put it at the top, or one folder down.
    Without one, Gemini's ``My Activity/Gemini Apps/MyActivity.json`` from a Takeout."""
    files = [member for member in members if not member.is_dir()]
    candidates = [member for member in files if _parts(member)[-1:] == (EXPORT_FILE,)]
    if not candidates:
        candidates = [member for member in files if _parts(member)[-3:] == GEMINI_FILE]
    if not candidates:
        html = [member for member in files if _parts(member)[-3:-1] == GEMINI_FILE[:2]]
        if html:
            raise ParseError(
                name,
                f"has Gemini's activity as {html[0].filename!r}, not as JSON: choose JSON as "
                "the format of My Activity in Google Takeout",
            )
        raise ParseError(
            name,
            f"has no {EXPORT_FILE} inside (expected a ChatGPT or Claude export, or a Google "
            f"Takeout with {'/'.join(GEMINI_FILE)})",
        )
    return min(candidates, key=lambda member: member.filename.count("/"))


def _parts(member: zipfile.ZipInfo) -> tuple[str, ...]:
    return tuple(member.filename.replace("\\", "/").split("/"))


_UNPACK_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    NotImplementedError,
    RuntimeError,
    OSError,
    EOFError,
)


@contextmanager
def _unpacking(where: str) -> Iterator[None]:
    try:
        yield
    except _UNPACK_ERRORS as error:
        raise ParseError(where, f"cannot be unpacked ({error})") from None


class _MemberStream(io.RawIOBase):
    """A member being unpacked, whose unpacking errors are ``ParseError``s naming it.

    zipfile stops at the size the header declares and then checks the CRC, so a header that
    understates the size ends in an error, never in unbounded output."""

    def __init__(self, where: str, stream: IO[bytes]) -> None:
        super().__init__()
        self._where = where
        self._stream = stream

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        with _unpacking(self._where):
            return self._stream.read(size)

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)
