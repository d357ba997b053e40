"""Receive an upload into a temporary file, streamed, within a size limit.

Exports can be hundreds of megabytes: the body is never held in memory, and an upload over
the limit is refused as soon as it crosses it, before the rest is read.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from graphnode.api.problems import Problem
from graphnode.api.services.stalls import arrival, arriving

CHUNK_BYTES = 256 * 1024
DEFAULT_NAMES = {
    "application/zip": "export.zip",
    "application/x-zip-compressed": "export.zip",
    "application/json": "conversations.json",
    "application/x-ndjson": "conversations.jsonl",
    "application/jsonl": "conversations.jsonl",
    "text/markdown": "note.md",
}
_UNSAFE = re.compile(r"[^\w.\- ]+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class UploadedFile:
    name: str
    path: Path
    size: int


def safe_name(raw: str | None, content_type: str) -> str:
    """The file's own name without any directory part (a name may not climb out of the
    temporary folder); else a name that tells the parser the format."""
    base = Path((raw or "").replace("\\", "/")).name.strip()
    base = _UNSAFE.sub("_", base)[:120].strip(". ")
    return base or DEFAULT_NAMES.get(content_type, "upload.json")


async def _copy(chunks: AsyncIterator[bytes], path: Path, limit: int, already: int) -> int:
    written = 0
    with path.open("wb") as out:
        async for chunk in chunks:
            written += len(chunk)
            if already + written > limit:
                raise Problem(
                    413,
                    f"The upload is larger than the {limit // (1024 * 1024)} MB "
                    "limit. Split the export or ask for a larger limit.",
                )
            out.write(chunk)
    return written


async def _part_chunks(part: BodyPartReader, idle: float) -> AsyncIterator[bytes]:
    while chunk := await arrival(part.read_chunk(CHUNK_BYTES), idle):
        yield chunk


async def _discard(part: object, limit: int, already: int, idle: float) -> int:
    """Read a part that is not a file to its end, refusing it past the upload limit."""
    if not isinstance(part, BodyPartReader):
        return 0  # a nested multipart: aiohttp reads it as parts of its own
    read = 0
    async for chunk in _part_chunks(part, idle):
        read += len(chunk)
        if already + read > limit:
            raise Problem(413, f"The upload is larger than the {limit // (1024 * 1024)} MB limit.")
    return read


@contextlib.contextmanager
def _workdir() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="graphnode-upload-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


async def _receive_parts(
    request: web.Request, folder: Path, limit: int, idle: float
) -> list[UploadedFile]:
    files: list[UploadedFile] = []
    reader = await request.multipart()
    total = 0
    while (part := await arrival(reader.next(), idle)) is not None:
        if not isinstance(part, BodyPartReader) or part.filename is None:
            # Form fields that are not files are read and dropped, but they count: a 50 MB
            # field passed the upload limit when it was skipped unread.
            total += await _discard(part, limit, total, idle)
            continue
        name = safe_name(part.filename, part.headers.get("Content-Type", ""))
        # A folder per file: two parts may carry the same name.
        path = folder / str(len(files)) / name
        path.parent.mkdir()
        size = await _copy(_part_chunks(part, idle), path, limit, total)
        total += size
        files.append(UploadedFile(name, path, size))
    return files


@contextlib.asynccontextmanager
async def receive_upload(
    request: web.Request, limit: int, idle: float
) -> AsyncIterator[list[UploadedFile]]:
    """The request's files (multipart fields, or the raw body), removed after the block;
    a body that brings no byte for ``idle`` seconds is refused (408)."""
    if request.content_length is not None and request.content_length > limit:
        raise Problem(413, f"The upload is larger than the {limit // (1024 * 1024)} MB limit.")
    with _workdir() as folder:
        files: list[UploadedFile] = []
        if request.content_type.startswith("multipart/"):
            try:
                files = await _receive_parts(request, folder, limit, idle)
            except (
                ValueError,
                AssertionError,
                aiohttp.ClientPayloadError,
                HttpProcessingError,
            ) as exc:
                # aiohttp reports a broken multipart body (no boundary, cut-off parts) so.
                raise Problem(400, f"The multipart body is malformed: {exc}") from None
        else:
            name = safe_name(request.query.get("filename"), request.content_type)
            path = folder / name
            chunks = arriving(request.content.iter_chunked(CHUNK_BYTES), idle)
            size = await _copy(chunks, path, limit, 0)
            files.append(UploadedFile(name, path, size))
        if not files or all(f.size == 0 for f in files):
            raise Problem(
                422,
                "The upload is empty: send an export file as the body or as a "
                "multipart 'file' field.",
            )
        yield files
