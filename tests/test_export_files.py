"""The export's files without a server: Obsidian note names (safe as file names everywhere
and as wiki-link targets, unique without regard to case, bounded in length), literal links
in texts, and a vault that goes out note by note, never whole."""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import AsyncIterator

import pytest

from graphnode.export.names import MAX_NAME_BYTES, UniqueNames, safe_name
from graphnode.export.notes import plain
from graphnode.export.obsidian import obsidian_chunks
from graphnode.ingest.documents import Document, Section
from graphnode.storage.graph_export import StoredGraph


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Sourdough starter", "Sourdough starter"),
        ('a/b\\c:d*e?f"g<h>i|j', "a b c d e f g h i j"),
        ("../../etc/passwd", "etc passwd"),
        ("[[link]] #tag ^block", "link tag block"),
        ("tab\tand\nnewline\x00nul", "tab and newline nul"),
        ("  trailing dots... ", "trailing dots"),
        ("CON", "CON_"),
        ("nul.txt", "nul.txt_"),
        ("", "Untitled"),
        ("...", "Untitled"),
        ("\u202eevil", "evil"),  # a right-to-left override would disguise the name
    ],
)
def test_a_title_becomes_a_safe_name(title: str, name: str) -> None:
    assert safe_name(title) == name


def test_long_names_are_cut_between_characters() -> None:
    name = safe_name("생각" * 200)
    assert len(name.encode()) <= MAX_NAME_BYTES
    assert name.encode().decode() == name
    assert set(name) == {"생", "각"}


def test_names_are_unique_whatever_their_case() -> None:
    names = UniqueNames(reserved=("index",))
    claimed = [names.claim(t) for t in ("Ideas", "ideas", "IDEAS", "Index", "a/b", "a b")]
    assert claimed == ["Ideas", "ideas (2)", "IDEAS (3)", "Index (2)", "a b", "a b (2)"]


def test_text_keeps_its_links_literal_outside_code() -> None:
    text = "see [[Other]]\n```\nx = [[1, 2]]\n```\nand [[again]]"
    assert plain(text) == "see \\[\\[Other]]\n```\nx = [[1, 2]]\n```\nand \\[\\[again]]"


NOTES = 30
NOTE_BYTES = 200_000


def _graph(count: int) -> StoredGraph:
    nodes = [
        {
            "id": i,
            "origId": f"c-{i}",
            "title": "Same title",
            "clusterId": "k0",
            "sourceType": "chat",
        }
        for i in range(count)
    ]
    edges = [{"source": i, "target": i + 1, "weight": 0.5} for i in range(count - 1)]
    clusters = [{"clusterId": "k0", "name": "Topic", "size": count}]
    graph = {"nodes": nodes, "edges": edges, "clusters": clusters, "subclusters": []}
    return StoredGraph({**graph, "generatedAt": "2026-11-01T00:00:00+00:00"}, None)


async def _items(count: int) -> AsyncIterator[Document]:
    for i in range(count):
        # Random text deflates to about half: each note stays large in the archive.
        text = os.urandom(NOTE_BYTES // 2).hex()
        yield Document(f"c-{i}", "Same title", (Section("user", text),))


async def test_the_vault_goes_out_note_by_note() -> None:
    pieces = [piece async for piece in obsidian_chunks(_graph(NOTES), _items(NOTES))]
    whole = b"".join(pieces)
    assert len(whole) > NOTES * NOTE_BYTES // 3
    # No piece holds more than about one note: the archive is never held whole.
    assert max(len(piece) for piece in pieces) < 2 * NOTE_BYTES
    with zipfile.ZipFile(io.BytesIO(whole)) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
    assert len(names) == NOTES + 2  # the notes, one topic, the index
    assert "conversations/Same title (30).md" in names
