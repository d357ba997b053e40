"""Import a person's export into their stored conversations."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from graphnode.api.services.uploads import UploadedFile
from graphnode.ingest.documents import Document
from graphnode.ingest.parse import ParseError
from graphnode.ingest.pool import ParsePool
from graphnode.ingest.spool import SpooledReport, read_batches
from graphnode.storage.conversation_store import ConversationStore


class ImportRejectedError(ValueError):
    """No file of the upload could be read; nothing was stored."""


@dataclass(frozen=True, slots=True)
class ImportSummary:
    new: int
    updated: int
    skipped: int
    rejected: list[dict[str, object]] = field(default_factory=list)
    files: list[dict[str, object]] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {
            "new": self.new,
            "updated": self.updated,
            "skipped": self.skipped,
            "rejected": self.rejected,
            "files": self.files,
        }


class ImportedDocuments:
    """The documents of a stored import, read back from the store a few at a time when
    iterated: an add-nodes request passes them on without holding them all."""

    def __init__(self, store: ConversationStore, user_id: str, keys: list[str]) -> None:
        self._store = store
        self._user_id = user_id
        self.keys = keys

    def __len__(self) -> int:
        return len(self.keys)

    def __aiter__(self) -> AsyncIterator[Document]:
        return self._store.documents(self._user_id, self.keys)


async def _parse(pool: ParsePool[SpooledReport], file: UploadedFile) -> SpooledReport:
    # The temporary file carries the upload's own name: format detection and markdown ids
    # read it. Parsing runs in the pool's processes, so no file can hold the event loop;
    # they leave the documents in a spool file beside the upload.
    try:
        return await pool.parse(file.path, file.name, file.size)
    except ParseError as exc:
        # Name the file as the user sent it, not by our temporary path.
        where = str(exc.file).replace(f"{file.path.parent}/", "")
        raise ImportRejectedError(f"{where}: {exc.problem}") from exc


async def _spooled(reports: Sequence[SpooledReport]) -> AsyncIterator[list[Document]]:
    """Every file's documents, a bounded batch at a time, read off the event loop."""
    for report in reports:
        batches = read_batches(Path(report.spool))
        try:
            while batch := await asyncio.to_thread(next, batches, None):
                yield batch
        finally:
            batches.close()


async def import_files(
    store: ConversationStore,
    user_id: str,
    files: Sequence[UploadedFile],
    pool: ParsePool[SpooledReport],
) -> tuple[ImportSummary, ImportedDocuments]:
    """Parse every file first, then store: one broken file stores nothing at all.

    Neither step holds the import whole: the parser spools documents to disk and the store
    writes them batch by batch (rolling back on failure)."""
    reports = [await _parse(pool, file) for file in files]
    saved = await store.save_batches(user_id, _spooled(reports))
    rejected = [
        {"reason": reason, "count": count}
        for report in reports
        for reason, count in sorted(report.skipped.items())
    ]
    described = [
        {
            "name": file.name,
            "bytes": file.size,
            "format": next(iter(report.formats.values()), None),
            "documents": report.documents,
        }
        for file, report in zip(files, reports, strict=True)
    ]
    counts = saved.counts
    summary = ImportSummary(counts.new, counts.updated, counts.skipped, rejected, described)
    return summary, ImportedDocuments(store, user_id, saved.keys)
