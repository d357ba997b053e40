"""Claude exports, plain conversations (JSON and JSON Lines), notes.json and markdown."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from graphnode.ingest.documents import Section
from graphnode.ingest.parse import ParseError, parse_bytes, parse_path, parse_path_report

FIXTURES = Path(__file__).parent / "fixtures"


def test_claude_export():
    report = parse_path_report(FIXTURES / "claude_conversations.json")
    assert report.formats == {str(FIXTURES / "claude_conversations.json"): "claude"}
    first, _ = report.documents
    assert first.orig_id == "claude-1"
    assert first.source == "claude"
    assert first.title == "Learning Korean grammar"
    assert first.sections == (
        Section("user", "What does 은/는 mark in Korean?"),
        Section("assistant", "It marks the topic of the sentence.\nFor example: 저는 학생입니다."),
        Section("user", "Thanks! 谢谢!"),
    )
    assert first.create_time == 1709553600.0
    assert first.update_time == 1709555400.0
    for hidden in ("HIDDEN REASONING", "TOOL RESULT", "ATTACHMENT BODY"):
        assert hidden not in first.text
    assert report.skipped["non-text part"] == 3  # thinking, tool_use, tool_result
    assert report.skipped["empty conversation"] == 1


def test_claude_retried_answer_keeps_the_last_branch():
    doc = parse_path(FIXTURES / "claude_conversations.json")[1]
    assert [s.text for s in doc.sections] == [
        "Name a good hiking trail in Switzerland.",
        "Try the Eiger Trail.",
        "How long is it?",
    ]
    assert doc.title == "Name a good hiking trail in Switzerland."  # empty name


def test_claude_without_chat_messages_raises():
    conversations = [
        {"uuid": "u", "name": "Chat", "chat_messages": []},
        {"uuid": "v", "name": "Bad"},
    ]
    data = orjson.dumps(conversations)
    with pytest.raises(ParseError, match=r"conversation 1 \('Bad'\) has no 'chat_messages'"):
        parse_bytes("conversations.json", data)


def test_json_lines():
    gardening, korean, sharegpt = parse_path(FIXTURES / "conversations.jsonl")
    assert gardening.orig_id == "j-1"
    assert gardening.sections == (
        Section("user", "When should I plant tomatoes?"),
        Section("assistant", "After the last frost."),
    )
    assert gardening.source == "jsonl"
    assert gardening.create_time == 1710000000.0
    assert korean.sections[0].text == "이 문장은 한국어입니다."
    assert korean.create_time == 1704164645.0
    assert sharegpt.orig_id == "42"
    assert sharegpt.sections[1] == Section("assistant", "A function that calls itself.")


def test_json_lines_without_id_get_a_stable_content_id():
    first = parse_path(FIXTURES / "conversations.jsonl")[1]
    again = parse_bytes("copy.jsonl", (FIXTURES / "conversations.jsonl").read_bytes())[1]
    assert first.orig_id.startswith("conv-")
    assert first.orig_id == again.orig_id
    changed = orjson.dumps(
        {"title": "No id here", "messages": [{"role": "user", "content": "different"}]}
    )
    assert parse_bytes("x.jsonl", changed)[0].orig_id != first.orig_id


def test_json_lines_detected_by_content_without_suffix():
    data = (FIXTURES / "conversations.jsonl").read_bytes()
    assert [d.orig_id for d in parse_bytes("upload.json", data)] == [
        d.orig_id for d in parse_bytes("upload.jsonl", data)
    ]


def test_json_lines_bad_line_is_named():
    data = b'{"id": "a", "messages": []}\n{"id": "b", "messages": [\n'
    with pytest.raises(ParseError) as caught:
        parse_bytes("chats.jsonl", data)
    assert caught.value.file == "chats.jsonl"
    assert caught.value.problem.startswith("line 2 is not valid JSON")


def test_plain_json_array_of_messages():
    (doc,) = parse_path(FIXTURES / "messages.json")
    assert doc.orig_id == "plain-1"
    assert doc.title == "Chess openings"
    assert [s.role for s in doc.sections] == ["user", "assistant"]
    assert "TOOL SAYS HI" not in doc.text


def test_single_conversation_object_and_wrapped_list():
    one = {"id": "one", "title": "t", "messages": [{"role": "user", "content": "hello"}]}
    assert [d.orig_id for d in parse_bytes("one.json", orjson.dumps(one))] == ["one"]
    wrapped = {"conversations": [one]}
    assert [d.orig_id for d in parse_bytes("w.json", orjson.dumps(wrapped))] == ["one"]


def test_notes_json():
    report = parse_path_report(FIXTURES / "notes.json")
    (note,) = report.documents
    assert note.orig_id == "note-1"
    assert note.source == "notes"
    assert note.source_type == "markdown"
    assert note.sections == (
        Section("note", "Books about the Roman Empire."),
        Section("note", "삼국지를 다시 읽기."),
    )
    assert note.create_time == 1690000000.0
    assert note.update_time == 1690070400.0
    assert report.skipped["empty note"] == 1


def test_notes_without_source_nodes_list_raise():
    with pytest.raises(ParseError, match="'source_nodes' that is an object"):
        parse_bytes("notes.json", b'{"source_nodes": {}}')


def test_markdown_with_front_matter():
    (doc,) = parse_path(FIXTURES / "travel-plans.md")
    assert doc.orig_id == "md-travel-001"
    assert doc.title == "Travel plans 2025"
    assert doc.source_type == "markdown"
    assert doc.create_time == 1736035200.0
    texts = [s.text for s in doc.sections]
    assert texts[0] == "Loose thoughts before the first heading."
    assert texts[1] == "Where to go this year."
    assert texts[2].startswith("Japan\nKyoto in autumn; 紅葉 season.")
    assert "# not a heading" in texts[2]  # a comment in a code fence does not split
    assert texts[3] == "Budget\nAbout 2,000 EUR."
    assert len(texts) == 4


def test_markdown_without_front_matter():
    data = (FIXTURES / "plain-note.md").read_bytes()
    (doc,) = parse_bytes("notes/plain-note.md", data)
    assert doc.title == "plain-note"
    assert doc.orig_id.startswith("md-")
    assert doc.orig_id == parse_bytes("notes/plain-note.md", data + b"\nmore")[0].orig_id
    assert doc.orig_id != parse_bytes("other/plain-note.md", data)[0].orig_id
    assert [s.text for s in doc.sections] == [
        "Just a line of text with no heading.",
        "Second thought\n한국 여행도 좋겠다.",
    ]


def test_markdown_title_from_first_heading():
    (doc,) = parse_bytes("x.md", "# 我的笔记\n\n今天学习了机器学习。\n".encode())
    assert doc.title == "我的笔记"
    assert doc.sections == (Section("note", "今天学习了机器学习。"),)


def test_blank_markdown_is_skipped_not_an_error():
    assert parse_bytes("empty.md", b"  \n\n") == []


def test_markdown_that_is_not_utf8_raises():
    with pytest.raises(ParseError, match="is not UTF-8 text"):
        parse_bytes("latin.md", "café".encode("latin-1"))


def test_utf16_exports_with_a_byte_order_mark_are_read():
    conversations = (
        '[{"id": "c1", "title": "Sourdough, 한국", '
        '"messages": [{"role": "user", "content": "starter"}]}]'
    )
    for encoding in ("utf-16", "utf-16-be"):
        data = conversations.encode(encoding)
        if encoding == "utf-16-be":
            data = b"\xfe\xff" + data
        (doc,) = parse_bytes("conversations.json", data)
        assert doc.title == "Sourdough, 한국"
    (note,) = parse_bytes("note.md", "# Bread\n\nrye".encode("utf-16"))
    assert note.title == "Bread"
