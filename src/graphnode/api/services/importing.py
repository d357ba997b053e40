"""Import a person's export into their stored conversations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from graphnode.api.services.uploads import UploadedFile
from graphnode.ingest.documents import Document
from graphnode.ingest.parse import ParseError, ParseReport
from graphnode.ingest.pool import ParsePool
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


async def _parse(pool: ParsePool, file: UploadedFile) -> ParseReport:
    # The temporary file carries the upload's own name: format detection and markdown ids
    # read it. Parsing runs in the pool's processes, so no file can hold the event loop.
    try:
        return await pool.parse(file.path, file.name, file.size)
    except ParseError as exc:
        # Name the file as the user sent it, not by our temporary path.
        where = str(exc.file).replace(f"{file.path.parent}/", "")
        raise ImportRejectedError(f"{where}: {exc.problem}") from exc


async def import_files(
    store: ConversationStore, user_id: str, files: Sequence[UploadedFile], pool: ParsePool
) -> tuple[ImportSummary, list[Document]]:
    """Parse every file first, then store: one broken file stores nothing at all."""
    reports = [await _parse(pool, file) for file in files]
    documents = [d for report in reports for d in report.documents]
    counts = await store.save(user_id, documents)
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
            "documents": len(report.documents),
        }
        for file, report in zip(files, reports, strict=True)
    ]
    summary = ImportSummary(counts.new, counts.updated, counts.skipped, rejected, described)
    return summary, documents
