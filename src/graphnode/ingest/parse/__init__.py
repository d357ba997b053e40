"""Turn a person's exported chat history and notes into ``Document``s.

Formats: a ChatGPT export (``.zip`` or its ``conversations.json``), a Claude export
(``.zip`` or ``conversations.json``), plain conversations as a JSON array or JSON Lines
(``{id?, title, messages: [{role, content}]}``, ShareGPT's shape too), ``notes.json``
(``{"source_nodes": [...]}``) and single markdown notes (``.md``). The format is detected
from the name and the content; an unknown or broken file raises ``ParseError`` naming the
file and the problem.

The plain functions return the documents; the ``*_report`` functions return a
``ParseReport`` that also counts what was left out (null, hidden, system and tool
messages, empty conversations, duplicates) and which format each file was read as.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from graphnode.ingest.documents import Document
from graphnode.ingest.parse.dispatch import parse_bytes_report
from graphnode.ingest.parse.errors import ParseError, ParseReport
from graphnode.ingest.parse.sources import (
    parse_bundle_report,
    parse_path_report,
    parse_paths_report,
    spool_path_report,
)

__all__ = [
    "ParseError",
    "ParseReport",
    "parse_bundle",
    "parse_bundle_report",
    "parse_bytes",
    "parse_bytes_report",
    "parse_path",
    "parse_path_report",
    "parse_paths",
    "parse_paths_report",
    "spool_path_report",
]


def parse_bytes(name: str, data: bytes) -> list[Document]:
    """The documents in one file, its format detected from ``name`` and ``data``."""
    return list(parse_bytes_report(name, data).documents)


def parse_path(path: Path | str) -> list[Document]:
    """The documents in the file at ``path``."""
    return list(parse_path_report(path).documents)


def parse_paths(paths: Iterable[Path | str]) -> list[Document]:
    """The documents in all files, one per ``(source, orig_id)``: a later file's copy wins."""
    return list(parse_paths_report(paths).documents)


def parse_bundle(files: Mapping[str, bytes]) -> list[Document]:
    """The documents in a task's input bundle (``input.json`` and optional ``notes.json``)."""
    return list(parse_bundle_report(files).documents)
