"""Notes (``notes.json``): ``{"source_nodes": [{id, title, sections: [{id, content}], ...}]}``.

The optional second file of an input bundle (see docs/contract.md): a person's own notes,
which join their conversations in the graph as ``markdown`` nodes.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from graphnode.ingest.documents import Document, Section
from graphnode.ingest.parse.common import (
    JSONObject,
    content_id,
    id_text,
    parse_each,
    title_text,
    to_epoch,
    type_name,
)
from graphnode.ingest.parse.errors import ParseError

SOURCE = "notes"
SECTION_ROLE = "note"


def parse_notes(decoded: Any, file: str, skipped: Counter[str]) -> list[Document]:
    """Documents for every note with text; empty notes are counted, not kept."""
    if not isinstance(decoded, dict) or "source_nodes" not in decoded:
        raise ParseError(file, "has no 'source_nodes'")
    nodes = decoded["source_nodes"]
    if not isinstance(nodes, list):
        raise ParseError(file, f"has 'source_nodes' that is {type_name(nodes)}, not an array")
    return parse_each(nodes, file, skipped, _note, kind="note")


def _note(node: JSONObject, where: str, file: str, skipped: Counter[str]) -> Document | None:
    raw_sections = node.get("sections")
    if raw_sections is None and isinstance(node.get("content"), str):
        # A note written as one block of text rather than sections.
        raw_sections = [node["content"]]
    if not isinstance(raw_sections, list):
        raise ParseError(file, f"{where} has no 'sections'")
    sections = tuple(
        section for raw in raw_sections if (section := _section(raw, skipped)) is not None
    )
    if not sections:
        return None
    title = title_text(node.get("title"), sections)
    source_type = node.get("source_type")
    return Document(
        orig_id=id_text(node.get("id")) or content_id("note", title, sections),
        title=title,
        sections=sections,
        source_type=source_type if isinstance(source_type, str) and source_type else "markdown",
        source=SOURCE,
        create_time=to_epoch(node.get("create_time")),
        update_time=to_epoch(node.get("update_time")),
    )


def _section(raw: Any, skipped: Counter[str]) -> Section | None:
    text = raw.get("content", raw.get("text")) if isinstance(raw, dict) else raw
    if not isinstance(text, str):
        skipped["non-text part"] += 1
        return None
    text = text.strip()
    if not text:
        skipped["empty message"] += 1
        return None
    return Section(role=SECTION_ROLE, text=text)
