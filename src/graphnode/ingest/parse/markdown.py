"""A single markdown note (``.md``): one document, one section per heading.

The title is front matter's ``title``, else the first ``# heading``, else the file's stem.
The id is front matter's ``id``, else a hash of the file name, so re-reading the same note
updates its node instead of adding a second one.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from graphnode.ingest.documents import Document, Section
from graphnode.ingest.parse.common import stable_id, to_epoch
from graphnode.ingest.parse.notes import SECTION_ROLE

SOURCE = "notes"
_FRONT_MATTER = re.compile(
    r"\A---[ \t]*\r?\n(?P<body>.*?)(?:\r?\n)?^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)",
    re.DOTALL | re.MULTILINE,
)
_FRONT_MATTER_LINE = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)[ \t]*:[ \t]*(?P<value>.*?)[ \t]*$")
_HEADING = re.compile(r"^ {0,3}(?P<marks>#{1,6})(?:[ \t]+(?P<text>.*?))?[ \t#]*$")
_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})")
_CREATED_KEYS = ("created", "date", "create_time", "created_at")
_UPDATED_KEYS = ("updated", "modified", "update_time", "updated_at", "lastmod")


@dataclass(slots=True)
class _Block:
    """The lines under one heading (the lines before the first heading have none)."""

    level: int
    heading: str
    lines: list[str] = field(default_factory=list)


def parse_markdown(text: str, file: str, skipped: Counter[str]) -> list[Document]:
    """The note as one document, or nothing (counted as an ``empty note``) if it is blank."""
    front, body = front_matter(text)
    blocks = _blocks(body.splitlines())
    title_block = next((b for b in blocks if b.level == 1 and b.heading), None)
    sections = tuple(
        Section(role=SECTION_ROLE, text=section_text)
        for block in blocks
        if (section_text := _text(block, include_heading=block is not title_block))
    )
    if not sections:
        skipped["empty note"] += 1
        return []
    title = front.get("title") or (title_block.heading if title_block else "") or _stem(file)
    return [
        Document(
            orig_id=front.get("id") or stable_id("md", file),
            title=title,
            sections=sections,
            source_type="markdown",
            source=SOURCE,
            create_time=_first_time(front, _CREATED_KEYS),
            update_time=_first_time(front, _UPDATED_KEYS),
            metadata={"file": file},
        )
    ]


def front_matter(text: str) -> tuple[dict[str, str], str]:
    """Front matter's ``key: value`` lines (keys lower-cased) and the text after it.

    Only flat keys are read: nested YAML has nothing the graph uses, and a YAML parser
    would be one more dependency for a note's id, title and dates.
    """
    match = _FRONT_MATTER.match(text)
    if match is None:
        return {}, text
    values: dict[str, str] = {}
    for line in match.group("body").splitlines():
        pair = _FRONT_MATTER_LINE.match(line)
        if pair is not None:
            value = pair.group("value").strip("'\"").strip()
            if value:
                values[pair.group("key").lower()] = value
    return values, text[match.end() :]


def _blocks(lines: list[str]) -> list[_Block]:
    """Lines grouped under their headings; a ``#`` inside a code fence is not a heading."""
    blocks = [_Block(level=0, heading="")]
    fence: str | None = None
    for line in lines:
        if fence is not None:
            if line.strip().startswith(fence):
                fence = None
            blocks[-1].lines.append(line)
            continue
        opening = _FENCE.match(line)
        if opening is not None:
            fence = opening.group("fence")
            blocks[-1].lines.append(line)
            continue
        heading = _HEADING.match(line)
        if heading is not None:
            text = (heading.group("text") or "").strip()
            blocks.append(_Block(level=len(heading.group("marks")), heading=text))
        else:
            blocks[-1].lines.append(line)
    return blocks


def _text(block: _Block, include_heading: bool) -> str:
    body = "\n".join(block.lines).strip()
    if include_heading and block.heading:
        return f"{block.heading}\n{body}" if body else block.heading
    return body


def _stem(file: str) -> str:
    return PurePosixPath(file.replace("\\", "/")).stem or file


def _first_time(front: dict[str, str], keys: tuple[str, ...]) -> float | None:
    for key in keys:
        moment = to_epoch(front.get(key))
        if moment is not None:
            return moment
    return None
