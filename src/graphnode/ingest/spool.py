"""Parsed documents on disk, one JSON line each: how a parser process hands an export of
any size to the API process without either holding it whole.

The parser writes each document as it is parsed (``SpoolWriter``); the API reads them back
in bounded batches (``read_batches``). A ``SpooledReport`` is what crosses the process
boundary: counts and a path, never the documents.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO

import orjson

from graphnode.ingest.documents import Document, Section

SPOOL_SUFFIX = ".documents"
# A batch is cut at whichever comes first: as many documents as one bulk write takes, or as
# many bytes as keep the API's memory flat even when each conversation is long.
BATCH_DOCUMENTS = 500
BATCH_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class SpooledReport:
    """One parsed file: where its documents lie (deduplicated, in order of first
    appearance, a later copy's content winning), how many, and what was left out."""

    spool: str
    documents: int
    skipped: Mapping[str, int] = field(default_factory=dict)
    formats: Mapping[str, str] = field(default_factory=dict)


def encode(document: Document) -> bytes:
    """One line: a compact array, since a spool can hold hundreds of MB of them."""
    return orjson.dumps(
        [
            document.orig_id,
            document.title,
            [[section.role, section.text] for section in document.sections],
            document.source_type,
            document.source,
            document.create_time,
            document.update_time,
            document.metadata,
        ]
    )


def decode(line: bytes) -> Document:
    orig_id, title, sections, source_type, source, create_time, update_time, metadata = (
        orjson.loads(line)
    )
    return Document(
        orig_id=orig_id,
        title=title,
        sections=tuple(Section(role, text) for role, text in sections),
        source_type=source_type,
        source=source,
        create_time=create_time,
        update_time=update_time,
        metadata=metadata,
    )


class SpoolWriter:
    """Writes documents to ``path``, one per ``(source, orig_id)`` as ``deduplicate`` keeps
    them: a later copy replaces an earlier one in the earlier one's place.

    Only each key's byte offset is held, not the documents. Copies go to a raw file first;
    a file with duplicates is copied once more at ``close``, in order, with each key's last
    copy, while one without (the usual export) is just renamed.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._raw_path = path.with_name(path.name + ".raw")
        self._raw: IO[bytes] = self._raw_path.open("wb")
        self._last: dict[tuple[str, str], int] = {}
        self._offset = 0
        self.duplicates = 0

    def __enter__(self) -> SpoolWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.discard()

    @property
    def count(self) -> int:
        return len(self._last)

    def add(self, document: Document) -> None:
        """Spool one document; raises ``orjson.JSONEncodeError`` for text that is not Unicode."""
        line = encode(document) + b"\n"
        key = (document.source, document.orig_id)
        if key in self._last:
            self.duplicates += 1
        self._last[key] = self._offset
        self._raw.write(line)
        self._offset += len(line)

    def close(self) -> None:
        self._raw.close()
        if not self.duplicates:
            self._raw_path.replace(self.path)
            return
        with self._raw_path.open("rb") as raw, self.path.open("wb") as out:
            for offset in self._last.values():
                raw.seek(offset)
                out.write(raw.readline())
        self._raw_path.unlink()

    def discard(self) -> None:
        self._raw.close()
        self._raw_path.unlink(missing_ok=True)
        self.path.unlink(missing_ok=True)


def read_batches(
    path: Path, documents: int = BATCH_DOCUMENTS, max_bytes: int = BATCH_BYTES
) -> Iterator[list[Document]]:
    """The spool's documents in order, at most ``documents`` (or about ``max_bytes`` of
    lines, and at least one) at a time."""
    with path.open("rb") as spool:
        batch: list[Document] = []
        size = 0
        for line in spool:
            batch.append(decode(line))
            size += len(line)
            if len(batch) >= documents or size >= max_bytes:
                yield batch
                batch, size = [], 0
        if batch:
            yield batch
