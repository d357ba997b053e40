"""ChatGPT export parsing: the current branch only, and nothing hidden, tool or empty."""

from __future__ import annotations

import math
from pathlib import Path

import orjson
import pytest

from graphnode.ingest.documents import Section
from graphnode.ingest.parse import ParseError, parse_bytes, parse_bytes_report
from graphnode.ingest.parse.common import to_epoch

# A broken cycle guard loops forever: fail in seconds, not at the suite's 180 s limit.
pytestmark = pytest.mark.timeout(30)

FIXTURES = Path(__file__).parent / "fixtures"
EXPORT = FIXTURES / "chatgpt_conversations.json"


def _report():
    return parse_bytes_report("conversations.json", EXPORT.read_bytes())


def _by_id():
    return {doc.orig_id: doc for doc in _report().documents}


def _node(node_id, parent, children, role=None, text=None, **message):
    """One mapping node; ``role=None`` makes a null message."""
    if role is None:
        body = None
    else:
        body = {
            "id": node_id,
            "author": {"role": role},
            "content": {"content_type": "text", "parts": [text]},
            "metadata": {},
            **message,
        }
    return {"id": node_id, "parent": parent, "children": children, "message": body}


def _conversation(mapping, **fields):
    nodes = {node["id"]: node for node in mapping}
    return {
        "id": "c",
        "title": "T",
        "create_time": 1.0,
        "update_time": 2.0,
        "mapping": nodes,
        **fields,
    }


def _parse(*conversations):
    return parse_bytes("conversations.json", orjson.dumps(list(conversations)))


def test_only_the_current_branch_in_order():
    rome = _by_id()["conv-rome"]
    assert rome.sections == (
        Section("user", "What should I see in Rome in two days?"),
        Section("assistant", "Day one: the Colosseum and the Forum. Day two: the Vatican."),
        Section("user", "Is this the Pantheon?"),
        Section("assistant", "Yes, that is the Pantheon."),
    )
    text = rome.text
    for gone in ("ABANDONED", "REGENERATED AWAY", "PAST CURRENT NODE", "SECRET_TOOL_CODE"):
        assert gone not in text
    assert "TOOL OUTPUT" not in text
    assert "old buildings" not in text  # hidden custom instructions


def test_conversation_fields():
    rome = _by_id()["conv-rome"]
    assert rome.title == "Trip to Rome"
    assert rome.source == "chatgpt"
    assert rome.source_type == "chat"
    assert rome.create_time == 1700000000.25
    assert rome.update_time == 1700000900.5
    assert rome.metadata == {"model": "gpt-4o"}


def test_skips_are_counted_and_empty_conversation_dropped():
    report = _report()
    assert [doc.orig_id for doc in report.documents] == [
        "conv-rome",
        "conv-cycle",
        "conv-no-current",
    ]
    skipped = report.skipped
    assert skipped["empty conversation"] == 1
    assert skipped["hidden message"] == 1
    assert skipped["system message"] == 2
    assert skipped["tool message"] == 2
    assert skipped["tool call"] == 1
    assert skipped["non-text part"] == 1
    assert skipped["null message"] == 3
    assert report.formats == {"conversations.json": "chatgpt"}


def test_without_current_node_the_last_child_is_followed():
    doc = _by_id()["conv-no-current"]
    assert [s.text for s in doc.sections] == [
        "How do I bake sourdough bread at home?",
        "Feed the starter, then fold the dough.",
    ]
    # conversation_id, no title, no times: filled from the first message and its messages.
    assert doc.title == "How do I bake sourdough bread at home?"
    assert doc.create_time == 1700003000.5
    assert doc.update_time == 1700003020.0


@pytest.mark.timeout(10)
def test_parent_cycle_is_cut_not_followed_forever():
    report = _report()
    doc = next(d for d in report.documents if d.orig_id == "conv-cycle")
    assert [s.text for s in doc.sections] == ["Loop question", "Loop answer", "Loop follow-up"]
    assert report.skipped["mapping cycle"] == 1


@pytest.mark.timeout(10)
def test_children_cycle_without_current_node_terminates():
    mapping = [
        _node("r", None, ["a"]),
        _node("a", "r", ["b"], "user", "question"),
        _node("b", "a", ["a"], "assistant", "answer"),
    ]
    (doc,) = _parse(_conversation(mapping))
    assert [s.text for s in doc.sections] == ["question", "answer"]


def test_current_node_unknown_falls_back_to_last_child():
    mapping = [
        _node("r", None, ["q"]),
        _node("q", "r", ["x", "y"], "user", "q"),
        _node("x", "q", [], "assistant", "first"),
        _node("y", "q", [], "assistant", "second"),
    ]
    (doc,) = _parse(_conversation(mapping, current_node="missing"))
    assert [s.text for s in doc.sections] == ["q", "second"]


def test_code_content_and_voice_transcripts_are_kept():
    mapping = [
        _node("r", None, ["v"]),
        {
            "id": "v",
            "parent": "r",
            "children": ["k"],
            "message": {
                "author": {"role": "user"},
                "content": {
                    "content_type": "multimodal_text",
                    "parts": [
                        {"content_type": "audio_transcription", "text": "spoken question"},
                        {"content_type": "audio_asset_pointer", "asset_pointer": "x"},
                    ],
                },
            },
        },
        {
            "id": "k",
            "parent": "v",
            "children": [],
            "message": {
                "author": {"role": "assistant"},
                "recipient": "all",
                "content": {"content_type": "code", "language": "python", "text": "print(1)"},
            },
        },
    ]
    (doc,) = _parse(_conversation(mapping, current_node="k"))
    assert doc.sections == (
        Section("user", "spoken question"),
        Section("assistant", "```python\nprint(1)\n```"),
    )


def test_non_text_content_types_are_skipped():
    mapping = [
        _node("r", None, ["q"]),
        _node("q", "r", ["t"], "user", "question"),
        {
            "id": "t",
            "parent": "q",
            "children": [],
            "message": {
                "author": {"role": "assistant"},
                "content": {"content_type": "thoughts", "thoughts": [{"content": "SECRET"}]},
            },
        },
    ]
    report = parse_bytes_report("c.json", orjson.dumps([_conversation(mapping, current_node="t")]))
    (doc,) = report.documents
    assert doc.sections == (Section("user", "question"),)
    assert report.skipped["non-text content"] == 1


def test_missing_mapping_names_file_conversation_and_title():
    conversations = [
        _conversation([_node("r", None, [])]),
        {"id": "x", "title": "Trip to Rome", "create_time": 1.0},
    ]
    with pytest.raises(ParseError) as caught:
        parse_bytes("conversations.json", orjson.dumps(conversations))
    assert (
        str(caught.value) == "conversations.json: conversation 1 ('Trip to Rome') has no 'mapping'"
    )
    assert caught.value.file == "conversations.json"
    assert caught.value.problem == "conversation 1 ('Trip to Rome') has no 'mapping'"


@pytest.mark.parametrize(
    ("conversation", "problem"),
    [
        (
            {"title": "No id", "mapping": {}},
            "conversation 1 ('No id') has no 'id' or 'conversation_id'",
        ),
        ({"id": "a", "mapping": []}, "conversation 1 has a 'mapping' that is an array"),
        ("just text", "conversation 1 is a string, not an object"),
    ],
)
def test_broken_conversations_raise(conversation, problem):
    # The first item decides the format; the broken one comes after a good one.
    data = orjson.dumps([_conversation([_node("r", None, [])]), conversation])
    with pytest.raises(ParseError) as caught:
        parse_bytes("conversations.json", data)
    assert caught.value.problem == problem


def test_epoch_reading():
    assert to_epoch(1700000000) == 1700000000.0
    assert to_epoch(1700000000123) == pytest.approx(1700000000.123)
    assert to_epoch("1700000000.5") == 1700000000.5
    assert to_epoch("2024-01-01T00:00:00Z") == 1704067200.0
    assert to_epoch("2024-01-01T00:00:00") == 1704067200.0
    assert to_epoch("2024-01-01T09:00:00+09:00") == 1704067200.0
    for unreadable in (None, True, "", "yesterday", math.nan, [1], {"t": 1}):
        assert to_epoch(unreadable) is None
