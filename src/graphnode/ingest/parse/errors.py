"""What parsing gives back besides documents: errors that name the file, and skip counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from graphnode.ingest.documents import Document


class ParseError(ValueError):
    """A file that is not a known format, or is one but broken.

    ``str()`` reads ``"conversations.json: conversation 3 ('Trip to Rome') has no 'mapping'"``
    so the message can be shown to the person who uploaded the file as it is.
    """

    def __init__(self, file: str, problem: str) -> None:
        super().__init__(f"{file}: {problem}")
        self.file = file
        self.problem = problem

    def __reduce__(self) -> tuple[type[ParseError], tuple[str, str]]:
        # The default pickles only str(self); a ParseError crosses process pools intact.
        return (type(self), (self.file, self.problem))


@dataclass(frozen=True, slots=True)
class ParseReport:
    """Documents parsed from one or more files, and what was left out and why.

    ``skipped`` counts reasons such as ``"null message"``, ``"system message"``,
    ``"tool message"``, ``"tool call"``, ``"hidden message"``, ``"non-text content"``,
    ``"non-text part"``, ``"empty message"``, ``"empty conversation"``, ``"empty note"``,
    ``"unknown role"``, ``"duplicate"``, ``"ignored file"`` and ``"mapping cycle"`` (a
    conversation whose broken tree was cut where it looped; its other messages are kept).
    ``formats`` maps each file read to the format it was parsed as.
    """

    documents: tuple[Document, ...]
    skipped: Mapping[str, int] = field(default_factory=dict)
    formats: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def merge(cls, reports: Iterable[ParseReport]) -> ParseReport:
        """One report for several files: documents deduplicated, later files winning."""
        reports = list(reports)
        skipped: Counter[str] = Counter()
        formats: dict[str, str] = {}
        for report in reports:
            skipped.update(report.skipped)
            formats.update(report.formats)
        documents = deduplicate((doc for report in reports for doc in report.documents), skipped)
        return cls(documents=documents, skipped=dict(skipped), formats=formats)


def deduplicate(documents: Iterable[Document], skipped: Counter[str]) -> tuple[Document, ...]:
    """One document per ``(source, orig_id)``; a later one replaces an earlier one in place.

    Replacing in place keeps the order of first appearance, so re-uploading an export does
    not shuffle the graph, while the newer copy of a conversation is the one kept.
    """
    by_key: dict[tuple[str, str], Document] = {}
    for doc in documents:
        key = (doc.source, doc.orig_id)
        if key in by_key:
            skipped["duplicate"] += 1
        by_key[key] = doc
    return tuple(by_key.values())
