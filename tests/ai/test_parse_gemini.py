"""Gemini's activity from Google Takeout: grouped into conversations by time, answers as text."""

from __future__ import annotations

import io
import time
import zipfile
from collections import Counter
from pathlib import Path

import orjson
import pytest

from graphnode.ingest.documents import Section
from graphnode.ingest.parse import ParseError, parse_bytes, parse_bytes_report
from graphnode.ingest.parse.gemini import (
    MAX_ANSWER_HTML_CHARS,
    html_to_text,
    iter_gemini,
    parse_gemini,
)

FIXTURE = Path(__file__).parent / "fixtures" / "gemini" / "MyActivity.json"
DATA = FIXTURE.read_bytes()
TAKEOUT_MEMBER = "Takeout/My Activity/Gemini Apps/MyActivity.json"


def _item(title: str, when: str, html: str | None = None, **extra: object) -> dict[str, object]:
    item: dict[str, object] = {
        "header": "Gemini Apps",
        "title": title,
        "time": when,
        "products": ["Gemini Apps"],
        "activityControls": ["Gemini Apps Activity"],
        **extra,
    }
    if html is not None:
        item["safeHtmlItem"] = [{"html": html}]
    return item


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive_file:
        for name, data in members.items():
            archive_file.writestr(name, data)
    return buffer.getvalue()


def test_fixture_groups_prompts_into_conversations_by_time():
    report = parse_bytes_report("MyActivity.json", DATA)
    assert report.formats == {"MyActivity.json": "gemini"}
    assert [d.title for d in report.documents] == [
        "How long should sourdough proof at room temperature?",
        "How do I read a CSV file in Python?",
        "Plan a day trip from Zurich to Lucerne for a family with tw…",
    ]
    assert all(d.source == "gemini" and d.source_type == "chat" for d in report.documents)
    bread, csv_chat, trip = report.documents
    # Oldest prompt first, although Takeout lists the newest first.
    assert [s.role for s in bread.sections] == ["user", "assistant", "user", "assistant"]
    assert bread.sections[0] == Section(
        "user", "How long should sourdough proof at room temperature?"
    )
    assert bread.sections[2].text == "Can I leave the dough in the fridge overnight instead?"
    assert bread.create_time == pytest.approx(1741083330.123)
    assert bread.update_time == pytest.approx(1741084802.517)
    assert len(csv_chat.sections) == 4  # "Used an Extension" between them does not split it
    assert trip.sections[2].text == "Which train goes from Zurich to Lucerne fastest?"
    assert report.skipped == {"non-prompt activity": 3}
    assert not any("Prompted" in d.text for d in report.documents)


def test_answer_html_becomes_text_with_lists_and_code():
    bread, csv_chat, _ = parse_bytes("MyActivity.json", DATA)
    assert bread.sections[1].text == (
        "At about 24 °C, a bulk ferment takes 4 to 6 hours.\n\n"
        "Look for these signs:\n\n"
        "- The dough has grown by about half.\n"
        "- The surface is domed with a few bubbles."
    )
    assert csv_chat.sections[1].text == (
        "Use the csv module:\n\n"
        '- Open the file with newline="".\n'
        "- Wrap it in csv.reader.\n\n"
        "import csv\n\n"
        'with open("data.csv", newline="") as f:\n'
        "    rows = list(csv.reader(f))"
    )
    assert "<" not in csv_chat.text


def test_html_to_text_drops_scripts_and_keeps_stray_brackets():
    html = "<p>1 < 2 &amp; 3 > 2</p><script>alert(1)</script><li><p>nested</p></li>"
    assert html_to_text(html) == "1 < 2 & 3 > 2\n\n- nested"
    assert html_to_text("") == ""
    assert html_to_text("no markup") == "no markup"


def test_ids_are_stable_and_survive_a_grown_conversation():
    first = parse_bytes("MyActivity.json", DATA)
    again = parse_bytes("other-name.json", DATA)
    assert [d.orig_id for d in first] == [d.orig_id for d in again]
    assert len({d.orig_id for d in first}) == 3
    # A later Takeout in which the newest conversation went on keeps its id.
    later = [_item("Prompted One more question", "2025-03-04T10:50:00.000Z", "<p>Sure.</p>")]
    items = orjson.loads(DATA)
    grown_docs = parse_bytes("MyActivity.json", orjson.dumps(later + items))
    assert grown_docs[0].orig_id == first[0].orig_id
    assert len(grown_docs[0].sections) == 6


def test_oldest_first_order_groups_the_same():
    items = orjson.loads(DATA)
    newest_first = parse_bytes("MyActivity.json", DATA)
    oldest_first = parse_bytes("MyActivity.json", orjson.dumps(items[::-1]))
    assert sorted(oldest_first, key=lambda d: d.orig_id) == sorted(
        newest_first, key=lambda d: d.orig_id
    )


def test_gap_of_more_than_thirty_minutes_starts_a_new_conversation():
    items = [
        _item("Prompted third", "2025-01-01T11:01:00Z", "<p>c</p>"),
        _item("Prompted second", "2025-01-01T10:30:00Z", "<p>b</p>"),
        _item("Prompted first", "2025-01-01T10:00:00Z", "<p>a</p>"),
    ]
    docs = parse_gemini(items, "MyActivity.json", Counter())
    assert [[s.text for s in d.sections] for d in docs] == [
        ["third", "c"],
        ["first", "a", "second", "b"],
    ]
    assert list(iter_gemini(iter(items), "MyActivity.json", Counter())) == docs


def test_takeout_zip_is_read():
    data = _zip(
        {
            "Takeout/archive_browser.html": b"<html></html>",
            "Takeout/My Activity/Search/MyActivity.json": b"[]",
            TAKEOUT_MEMBER: DATA,
        }
    )
    report = parse_bytes_report("takeout-20250305.zip", data)
    assert report.formats == {f"takeout-20250305.zip/{TAKEOUT_MEMBER}": "gemini"}
    assert list(report.documents) == parse_bytes("MyActivity.json", DATA)


def test_takeout_zip_with_only_html_is_refused_clearly():
    data = _zip({"Takeout/My Activity/Gemini Apps/MyActivity.html": b"<html></html>"})
    with pytest.raises(ParseError, match=r"not as JSON: choose JSON"):
        parse_bytes("takeout.zip", data)
    with pytest.raises(ParseError, match=r"has no conversations\.json inside .*Gemini Apps"):
        parse_bytes("takeout.zip", _zip({"Takeout/My Activity/Search/MyActivity.json": b"[]"}))


def test_html_activity_file_is_refused_clearly():
    with pytest.raises(ParseError, match=r"HTML page.*choose JSON"):
        parse_bytes("MyActivity.html", b"<html><body>Gemini Apps</body></html>")


def test_other_takeout_activity_is_not_taken_for_gemini():
    search = [{"header": "Search", "title": "Searched for x", "time": "2025-01-01T00:00:00Z"}]
    with pytest.raises(ParseError, match=r"unknown format.*Gemini"):
        parse_bytes("MyActivity.json", orjson.dumps(search))


def test_broken_items_are_counted_not_fatal():
    items = [
        _item("Prompted fine", "2025-01-01T10:00:00Z", "<p>ok</p>"),
        _item("Prompted no time", "not a time", "<p>x</p>"),
        _item("Prompted null time", None, "<p>x</p>"),  # type: ignore[arg-type]
        _item(42, "2025-01-01T10:01:00Z"),  # type: ignore[arg-type]
        _item("Prompted bad answer", "2025-01-01T10:02:00Z", safeHtmlItem="<p>x</p>"),
        _item("Prompted bad block", "2025-01-01T10:03:00Z", safeHtmlItem=[{"html": 5}, 7]),
        _item("Prompted ", "2025-01-01T10:04:00Z"),
        _item("Prompted no answer", "2025-01-01T10:05:00Z"),
    ]
    report = parse_bytes_report("MyActivity.json", orjson.dumps(items))
    (doc,) = report.documents
    assert [s.text for s in doc.sections] == [
        "fine",
        "ok",
        "bad answer",
        "bad block",
        "no answer",
    ]
    assert report.skipped == {
        "activity without a time": 2,
        "broken activity": 1,
        "broken answer": 3,
        "empty message": 1,
    }


def test_an_item_that_is_not_an_object_raises():
    items = [_item("Prompted fine", "2025-01-01T10:00:00Z", "<p>ok</p>"), "oops"]
    with pytest.raises(ParseError, match=r"MyActivity\.json: activity 1 is a string"):
        parse_bytes("MyActivity.json", orjson.dumps(items))


def test_first_item_missing_its_fields_is_an_unknown_format():
    with pytest.raises(ParseError, match=r"unknown format"):
        parse_bytes("MyActivity.json", orjson.dumps([{"header": "Gemini Apps"}]))


def test_single_item_object_is_read():
    item = _item("Prompted alone", "2025-01-01T10:00:00Z", "<p>yes</p>")
    (doc,) = parse_bytes("MyActivity.json", orjson.dumps(item))
    assert doc.sections == (Section("user", "alone"), Section("assistant", "yes"))


@pytest.mark.parametrize("piece", ["<a ", "</", "<", "<b>", "<!--", "&#", "<a x='"])
def test_huge_hostile_answer_is_cut_and_stays_fast(piece):
    html = piece * (2 * MAX_ANSWER_HTML_CHARS // len(piece))
    items = [_item("Prompted huge", "2025-01-01T10:00:00Z", html)]
    started = time.perf_counter()
    report = parse_bytes_report("MyActivity.json", orjson.dumps(items))
    assert time.perf_counter() - started < 20
    assert report.skipped.get("truncated message") == 1
    assert report.documents[0].sections[0] == Section("user", "huge")
