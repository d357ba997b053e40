"""Synthetic ChatGPT exports of a chosen size, for memory tests and the API benchmark.

Conversations look like real ones where it matters to a parser: a mapping tree with a root,
system and user/assistant turns, varied words (so the zip deflates about as much as a real
export does, far below the zip-bomb ratio) and epoch-second floats.
"""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

_WORDS = [
    "sourdough",
    "proof",
    "starter",
    "hydration",
    "oven",
    "crumb",
    "flour",
    "yeast",
    "rise",
    "fold",
    "knead",
    "bake",
    "crust",
    "garden",
    "tomato",
    "basil",
    "soil",
    "compost",
    "water",
    "prune",
    "seedling",
    "harvest",
    "frost",
    "mulch",
    "sunlight",
    "korean",
    "grammar",
    "particle",
    "verb",
    "tense",
    "honorific",
    "vocabulary",
    "practice",
    "sentence",
    "reading",
    "python",
    "function",
    "class",
    "module",
    "import",
    "error",
    "test",
    "async",
    "await",
    "loop",
    "queue",
    "worker",
    "travel",
    "rome",
    "train",
    "ticket",
    "museum",
    "hotel",
    "booking",
    "itinerary",
    "budget",
    "passport",
    "weather",
]


def conversation(index: int, turns: int = 8, words_per_turn: int = 60) -> dict[str, Any]:
    """One ChatGPT-export conversation of about ``turns * words_per_turn * 7`` bytes."""
    rng = random.Random(index)
    mapping: dict[str, Any] = {
        "root": {"id": "root", "message": None, "parent": None, "children": ["sys"]},
        "sys": {
            "id": "sys",
            "parent": "root",
            "children": [],
            "message": {
                "author": {"role": "system"},
                "content": {"content_type": "text", "parts": [""]},
            },
        },
    }
    parent = "sys"
    for turn in range(turns):
        node_id = f"m{turn}"
        mapping[parent]["children"].append(node_id)
        text = " ".join(rng.choice(_WORDS) for _ in range(words_per_turn))
        mapping[node_id] = {
            "id": node_id,
            "parent": parent,
            "children": [],
            "message": {
                "author": {"role": "user" if turn % 2 == 0 else "assistant"},
                "content": {"content_type": "text", "parts": [text]},
                "create_time": 1_700_000_000.5 + index * 100 + turn,
            },
        }
        parent = node_id
    return {
        "id": f"conv-{index}",
        "title": f"Conversation {index}",
        "create_time": 1_700_000_000.25 + index * 100,
        "update_time": 1_700_000_050.75 + index * 100,
        "mapping": mapping,
        "current_node": parent,
    }


def _array(count: int) -> Iterator[bytes]:
    yield b"["
    for index in range(count):
        yield (b"," if index else b"") + orjson.dumps(conversation(index))
    yield b"]"


def conversations_needed(json_bytes: int) -> int:
    """About how many conversations make a ``conversations.json`` of ``json_bytes``."""
    return max(1, json_bytes // len(orjson.dumps(conversation(0))))


def write_export_zip(path: Path, count: int) -> Path:
    """A ChatGPT export .zip at ``path`` whose conversations.json holds ``count``
    conversations, written a conversation at a time (the test itself stays small)."""
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("conversations.json", "w", force_zip64=True) as member,
    ):
        for chunk in _array(count):
            member.write(chunk)
    return path


def export_zip_bytes(count: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("conversations.json", b"".join(_array(count)))
    return buffer.getvalue()
