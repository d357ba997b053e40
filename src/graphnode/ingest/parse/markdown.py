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
# Every pattern here is linear: a note is user input, and a lazy ``.*?`` followed by a
# class that can match the same characters (``[ \t#]*$``) costs quadratic time on one long
# line while holding the GIL. Headings and front matter are therefore read with string
# methods; the two patterns left have no such overlap.
_FRONT_MATTER_KEY = re.compile(r"(?P<key>[A-Za-z_][\w-]*+)[ \t]*+:")
_FENCE = re.compile(r" {0,3}(?P<fence>`{3,}+|~{3,}+)")
_FRONT_MATTER_OPENERS = ("---",)
_FRONT_MATTER_CLOSERS = ("---", "...")
_MAX_HEADING_LEVEL = 6
_MAX_HEADING_INDENT = 3
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
    found = _front_matter_block(text)
    if found is None:
        return {}, text
    body, end = found
    values: dict[str, str] = {}
    for line in body.splitlines():
        pair = _FRONT_MATTER_KEY.match(line)
        if pair is not None:
            value = line[pair.end() :].strip(" \t").strip("'\"").strip()
            if value:
                values[pair.group("key").lower()] = value
    return values, text[end:]


def _front_matter_block(text: str) -> tuple[str, int] | None:
    """The front matter's body and where the text after it starts, or ``None``.

    The block opens with a ``---`` first line and closes at the first ``---`` or ``...``
    line (trailing spaces and tabs allowed, ``\n`` or ``\r\n`` line ends); one pass.
    """
    opening_end = text.find("\n")
    if opening_end == -1 or not _is_marker_line(text[:opening_end], _FRONT_MATTER_OPENERS):
        return None
    body_start = line_start = opening_end + 1
    while (newline := text.find("\n", line_start)) != -1:
        if _is_marker_line(text[line_start:newline], _FRONT_MATTER_CLOSERS):
            return _front_matter_body(text, body_start, line_start), newline + 1
        line_start = newline + 1
    # The last line has no \n after it, so a \r there ends no line: it may not have one.
    last = text[line_start:]
    if not last.endswith("\r") and _is_marker_line(last, _FRONT_MATTER_CLOSERS):
        return _front_matter_body(text, body_start, line_start), len(text)
    return None


def _front_matter_body(text: str, start: int, closing_line: int) -> str:
    return text[start:closing_line].removesuffix("\n").removesuffix("\r")


def _is_marker_line(line: str, markers: tuple[str, ...]) -> bool:
    """Whether ``line`` (without its ``\n``) is a marker, then spaces or tabs, then an
    optional ``\r``."""
    rest = line.removesuffix("\r")
    return rest[:3] in markers and not rest[3:].strip(" \t")


def heading(line: str) -> tuple[int, str] | None:
    """An ATX heading's level and text, or ``None`` if ``line`` is not one.

    Up to three spaces, one to six ``#``, then a space or tab before the text; trailing
    spaces, tabs and ``#`` are not part of the text. More than six ``#`` make a heading
    only when nothing but ``#``, spaces and tabs follows (an empty level-6 heading).
    """
    marks = line.lstrip(" ")
    if len(line) - len(marks) > _MAX_HEADING_INDENT or not marks.startswith("#"):
        return None
    rest = marks.lstrip("#")
    level = len(marks) - len(rest)
    if level > _MAX_HEADING_LEVEL:
        return (_MAX_HEADING_LEVEL, "") if not rest.strip(" \t#") else None
    if rest and rest[0] not in " \t":
        return None
    return level, rest.strip(" \t").rstrip(" \t#").strip()


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
        found = heading(line)
        if found is not None:
            blocks.append(_Block(level=found[0], heading=found[1]))
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
