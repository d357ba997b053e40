"""An export ``.zip`` (ChatGPT's or Claude's): find ``conversations.json`` and read it safely.

The archive comes from a user, so it is checked before anything is unpacked: no absolute
or ``..`` paths, no more than ``MAX_UNPACKED_BYTES`` in all, and no member that expands
more than ``MAX_RATIO`` times (a zip bomb). Nothing is written to disk.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

from graphnode.ingest.parse.errors import ParseError

ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")  # a local file header; an empty archive
EXPORT_FILE = "conversations.json"
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
    try:
        # BytesIO shares the bytes until written to, so this does not copy the upload.
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as error:
        raise ParseError(name, f"is not a valid zip archive ({error})") from None
    with archive:
        members = archive.infolist()
        check_members(name, members)
        member = _export_member(name, members)
        return member.filename, _read(name, archive, member)


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
    """The shallowest ``conversations.json``: exports put it at the top, or one folder down."""
    candidates = [
        member
        for member in members
        if not member.is_dir()
        and member.filename.replace("\\", "/").rsplit("/", 1)[-1] == EXPORT_FILE
    ]
    if not candidates:
        raise ParseError(name, f"has no {EXPORT_FILE} inside (expected a ChatGPT or Claude export)")
    return min(candidates, key=lambda member: member.filename.count("/"))


def _read(name: str, archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bytes:
    where = f"{name}/{member.filename}"
    if member.flag_bits & 0x1:
        raise ParseError(where, "is encrypted")
    try:
        with archive.open(member) as stream:
            # zipfile stops at the size the header declares and then checks the CRC, so a
            # header that understates the size ends in an error, never in unbounded output.
            return stream.read()
    except (
        zipfile.BadZipFile,
        zlib.error,
        NotImplementedError,
        RuntimeError,
        OSError,
        EOFError,
    ) as error:
        raise ParseError(where, f"cannot be unpacked ({error})") from None
