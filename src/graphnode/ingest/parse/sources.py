"""Where files come from: paths on disk, or the input bundle a task left in S3."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

import orjson

from graphnode.contracts.identifiers import BUNDLE_INPUT_FILE, BUNDLE_NOTES_FILE
from graphnode.ingest.documents import Document
from graphnode.ingest.parse.chatgpt import parse_chatgpt
from graphnode.ingest.parse.common import type_name
from graphnode.ingest.parse.dispatch import decode_json, parse_file_report, read_documents
from graphnode.ingest.parse.errors import ParseError, ParseReport, deduplicate
from graphnode.ingest.parse.notes import parse_notes
from graphnode.ingest.spool import SPOOL_SUFFIX, SpooledReport, SpoolWriter


def parse_path_report(path: Path | str, name: str | None = None) -> ParseReport:
    """Read one file and parse it (see ``parse_bytes_report``); errors name the path.

    ``name`` is what the file is called where it came from (an upload's own file name), when
    ``path`` is only where it lies now: a note's id hashes it, and an upload lies in a fresh
    temporary folder each time (the same note was stored once per upload)."""
    path = Path(path)
    try:
        file = path.open("rb")
    except OSError as error:
        raise ParseError(str(path), f"cannot be read ({error.strerror or error})") from None
    with file:
        # Read as a stream, not whole: only the documents themselves end up in memory.
        return parse_file_report(name or str(path), file)


def spool_path_report(path: Path | str, name: str | None = None) -> SpooledReport:
    """Parse one file as ``parse_path_report`` does, but write its documents to a spool file
    beside it (``<path>.documents``) as they are parsed, and return only counts and the
    spool's path: what the API's parse pool runs, so that neither the parser process nor
    the API process ever holds a whole export (the documents go from disk to disk)."""
    path = Path(path)
    spool = path.with_name(path.name + SPOOL_SUFFIX)
    skipped: Counter[str] = Counter()
    try:
        file = path.open("rb")
    except OSError as error:
        raise ParseError(str(path), f"cannot be read ({error.strerror or error})") from None
    with file, read_documents(name or str(path), file, skipped) as (where, format_name, found):
        with SpoolWriter(spool) as writer:
            for document in found:
                try:
                    writer.add(document)
                except orjson.JSONEncodeError:
                    raise ParseError(
                        where, f"{document.source_type} {document.orig_id!r} holds invalid text"
                    ) from None
        skipped["duplicate"] += writer.duplicates
    return SpooledReport(
        spool=str(spool),
        documents=writer.count,
        skipped={reason: count for reason, count in skipped.items() if count},
        formats={where: format_name},
    )


def parse_paths_report(paths: Iterable[Path | str]) -> ParseReport:
    """Parse every file; a conversation in several files is kept once, the later file's copy."""
    return ParseReport.merge(parse_path_report(path) for path in paths)


def parse_bundle_report(files: Mapping[str, bytes]) -> ParseReport:
    """Parse a task's input bundle: ``input.json`` (ChatGPT shape) and optional ``notes.json``.

    Keys may be bare file names or full S3 keys under the bundle's prefix. The bundle's
    shapes are fixed by docs/contract.md, so each file is read as its one format, not detected:
    a wrong shape is reported as what it is rather than as an unknown format. Other files
    in the bundle are counted as ``ignored file``.
    """
    by_name = {key.rsplit("/", 1)[-1]: key for key in files if not key.endswith("/")}
    if BUNDLE_INPUT_FILE not in by_name:
        raise ParseError(BUNDLE_INPUT_FILE, "is missing from the input bundle")
    skipped: Counter[str] = Counter()
    input_key = by_name[BUNDLE_INPUT_FILE]
    documents = _bundle_conversations(input_key, files[input_key], skipped)
    formats = {input_key: "chatgpt"}
    notes_key = by_name.get(BUNDLE_NOTES_FILE)
    if notes_key is not None:
        documents += parse_notes(decode_json(notes_key, files[notes_key]), notes_key, skipped)
        formats[notes_key] = "notes"
    skipped["ignored file"] += len(by_name) - len(formats)
    return ParseReport(
        documents=deduplicate(documents, skipped),
        skipped={reason: count for reason, count in skipped.items() if count},
        formats=formats,
    )


def _bundle_conversations(key: str, data: bytes, skipped: Counter[str]) -> list[Document]:
    conversations = decode_json(key, data)
    if isinstance(conversations, dict) and "mapping" in conversations:
        conversations = [conversations]
    if not isinstance(conversations, list):
        raise ParseError(
            key, f"is {type_name(conversations)}, not a JSON array of ChatGPT conversations"
        )
    return parse_chatgpt(conversations, key, skipped)
