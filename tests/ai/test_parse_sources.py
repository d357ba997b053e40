"""Detection errors, files on disk (deduplicated) and the S3 input bundle."""

from __future__ import annotations

import pickle
from pathlib import Path

import orjson
import pytest

from graphnode.ingest.parse import (
    ParseError,
    parse_bundle,
    parse_bundle_report,
    parse_bytes,
    parse_path,
    parse_paths,
    parse_paths_report,
)

FIXTURES = Path(__file__).parent / "fixtures"
CHATGPT = (FIXTURES / "chatgpt_conversations.json").read_bytes()
NOTES = (FIXTURES / "notes.json").read_bytes()
PREFIX = "graph-generation/task_1/"


@pytest.mark.parametrize(
    ("name", "data", "problem_starts"),
    [
        ("conversations.json", b'[{"id": "x", "mapping": ', "is not valid JSON"),
        ("data.csv", b"a,b\n1,2\n", "unknown format: not a zip archive, JSON"),
        ("x.json", b'{"foo": 1, "bar": 2}', "unknown format: a JSON object with keys 'bar', 'foo'"),
        ("x.json", b'["a", "b"]', "unknown format: a JSON array whose first item is a string"),
        ("x.json", b'[{"text": "hi"}]', "unknown format: a JSON array of objects with keys 'text'"),
        ("x.json", b"  \n", "is empty"),
        ("x.jsonl", b"", "is empty"),
    ],
)
def test_unknown_or_broken_files_name_the_file_and_problem(name, data, problem_starts):
    with pytest.raises(ParseError) as caught:
        parse_bytes(name, data)
    assert caught.value.file == name
    assert caught.value.problem.startswith(problem_starts)
    assert str(caught.value) == f"{name}: {caught.value.problem}"
    assert isinstance(caught.value, ValueError)


def test_parse_error_survives_pickling():
    error = pickle.loads(pickle.dumps(ParseError("a.json", "is empty")))
    assert (error.file, error.problem, str(error)) == ("a.json", "is empty", "a.json: is empty")


def test_empty_array_is_no_documents_not_an_error():
    assert parse_bytes("conversations.json", b"[]") == []


def test_byte_order_mark_is_accepted():
    assert parse_bytes("c.json", b"\xef\xbb\xbf" + CHATGPT) == parse_bytes("c.json", CHATGPT)


def test_unreadable_path_names_the_path(tmp_path):
    missing = tmp_path / "nope.json"
    with pytest.raises(ParseError) as caught:
        parse_path(missing)
    assert caught.value.file == str(missing)
    assert caught.value.problem.startswith("cannot be read")


def test_parse_paths_deduplicates_later_file_wins(tmp_path):
    older = {"id": "same", "title": "Old title", "messages": [{"role": "user", "content": "v1"}]}
    newer = {**older, "title": "New title", "messages": [{"role": "user", "content": "v2"}]}
    other = {"id": "other", "messages": [{"role": "user", "content": "x"}]}
    first = tmp_path / "a.jsonl"
    second = tmp_path / "b.jsonl"
    first.write_bytes(orjson.dumps(older) + b"\n" + orjson.dumps(other) + b"\n")
    second.write_bytes(orjson.dumps(newer) + b"\n")
    report = parse_paths_report([first, second])
    assert [(d.orig_id, d.title) for d in report.documents] == [
        ("same", "New title"),
        ("other", "x"),
    ]
    assert report.skipped["duplicate"] == 1
    assert set(report.formats) == {str(first), str(second)}


def test_parse_paths_keeps_same_id_from_different_sources():
    docs = parse_paths(
        [
            FIXTURES / "chatgpt_conversations.json",
            FIXTURES / "notes.json",
            FIXTURES / "travel-plans.md",
        ]
    )
    assert [(d.source, d.orig_id) for d in docs] == [
        ("chatgpt", "conv-rome"),
        ("chatgpt", "conv-cycle"),
        ("chatgpt", "conv-no-current"),
        ("notes", "note-1"),
        ("notes", "md-travel-001"),
    ]


def test_bundle_with_notes_and_s3_keys():
    report = parse_bundle_report(
        {
            f"{PREFIX}input.json": CHATGPT,
            f"{PREFIX}notes.json": NOTES,
            f"{PREFIX}manifest.txt": b"whatever",
        }
    )
    assert [(d.source, d.orig_id) for d in report.documents] == [
        ("chatgpt", "conv-rome"),
        ("chatgpt", "conv-cycle"),
        ("chatgpt", "conv-no-current"),
        ("notes", "note-1"),
    ]
    assert report.formats == {f"{PREFIX}input.json": "chatgpt", f"{PREFIX}notes.json": "notes"}
    assert report.skipped["ignored file"] == 1
    assert report.skipped["empty conversation"] == 1


def test_bundle_without_notes():
    docs = parse_bundle({"input.json": CHATGPT})
    assert [d.orig_id for d in docs] == ["conv-rome", "conv-cycle", "conv-no-current"]


def test_bundle_without_input_raises():
    with pytest.raises(ParseError) as caught:
        parse_bundle({f"{PREFIX}notes.json": NOTES})
    assert str(caught.value) == "input.json: is missing from the input bundle"


def test_bundle_input_must_be_chatgpt_shaped():
    claude = (FIXTURES / "claude_conversations.json").read_bytes()
    with pytest.raises(ParseError) as caught:
        parse_bundle({"input.json": claude})
    assert caught.value.problem == "conversation 0 ('Learning Korean grammar') has no 'mapping'"
    with pytest.raises(ParseError, match="is an object, not a JSON array"):
        parse_bundle({"input.json": b'{"a": 1}'})


def test_bundle_broken_notes_raise_naming_notes():
    with pytest.raises(ParseError) as caught:
        parse_bundle({"input.json": b"[]", "notes.json": b'{"nodes": []}'})
    assert caught.value.file == "notes.json"
    assert caught.value.problem == "has no 'source_nodes'"
