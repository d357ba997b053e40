"""The sample export is generated from ``samples/source/``; data and export must not drift.

The first test regenerates the export into a temporary folder and compares it byte for byte
with the committed files. The others check the invariants the parser tests rely on, on the
committed files themselves.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
EXPORT = SAMPLES / "chatgpt-export"
FILES = ("conversations.json", "notes.json", "topics.json")


def _load(name: str) -> Any:
    return json.loads((EXPORT / name).read_text(encoding="utf-8"))


def test_regenerated_export_is_byte_identical(tmp_path: Path) -> None:
    generator = SAMPLES / "make_sample_export.py"
    subprocess.run([sys.executable, str(generator), str(tmp_path)], check=True, timeout=60)
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(FILES)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (EXPORT / name).read_bytes(), (
            f"{name} differs: run `python samples/make_sample_export.py` and commit the result"
        )


def test_ids_are_unique() -> None:
    conversations, notes = _load("conversations.json"), _load("notes.json")["source_nodes"]
    ids = [c["id"] for c in conversations + notes]
    ids += [node for c in conversations for node in c["mapping"]]
    assert len(ids) == len(set(ids))
    assert set(_load("topics.json")) == {c["id"] for c in conversations + notes}


@pytest.mark.parametrize("conversation", _load("conversations.json"), ids=lambda c: c["title"])
def test_current_node_leads_back_to_the_root(conversation: dict[str, Any]) -> None:
    mapping = conversation["mapping"]
    path, node = [], conversation["current_node"]
    while node is not None:
        assert node not in path, "cycle"
        path.append(node)
        node = mapping[node]["parent"]
    assert mapping[path[-1]]["message"] is None
    assert len(path) >= 4  # root, hidden system message, at least one exchange
    for node_id, node in mapping.items():
        assert all(mapping[child]["parent"] == node_id for child in node["children"])


def test_topics_are_balanced() -> None:
    topics = _load("topics.json")
    counts = Counter(topics[c["id"]] for c in _load("conversations.json"))
    assert len(counts) == 6
    assert all(9 <= count <= 11 for count in counts.values()), counts
