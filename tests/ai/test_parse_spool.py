"""Spooled parsing: what the API's parse pool runs. The documents go to a file beside the
upload, the report holds only counts, and memory does not grow with the export's size."""

from __future__ import annotations

import codecs
import pickle
import tracemalloc
import zipfile
from pathlib import Path

import orjson
import pytest

from graphnode.ingest.parse import ParseError, parse_path_report, spool_path_report
from graphnode.ingest.spool import BATCH_DOCUMENTS, read_batches
from tests.support.chat_exports import write_export_zip

FIXTURES = Path(__file__).parent / "fixtures"


def _spooled(report) -> list:
    return [doc for batch in read_batches(Path(report.spool)) for doc in batch]


@pytest.mark.parametrize(
    "fixture",
    [
        "chatgpt_conversations.json",
        "claude_conversations.json",
        "conversations.jsonl",
        "notes.json",
    ],
)
def test_the_spool_holds_what_parsing_finds_and_the_report_holds_no_documents(tmp_path, fixture):
    path = tmp_path / fixture
    path.write_bytes((FIXTURES / fixture).read_bytes())
    expected = parse_path_report(path, fixture)
    report = spool_path_report(path, fixture)
    assert report.spool == f"{path}.documents"
    assert _spooled(report) == list(expected.documents)
    assert report.documents == len(expected.documents)
    assert dict(report.skipped) == {k: v for k, v in expected.skipped.items() if v}
    assert report.formats == expected.formats
    # What crosses the process boundary is a few hundred bytes, whatever the export holds.
    assert len(pickle.dumps(report)) < 1000
    assert not Path(f"{path}.documents.raw").exists()


def test_a_zipped_export_is_spooled_from_the_member_stream(tmp_path):
    path = write_export_zip(tmp_path / "export.zip", 1200)
    report = spool_path_report(path, "export.zip")
    assert report.formats == {"export.zip/conversations.json": "chatgpt"}
    assert report.documents == 1200
    batches = list(read_batches(Path(report.spool)))
    assert [len(b) for b in batches] == [BATCH_DOCUMENTS, BATCH_DOCUMENTS, 200]
    first = batches[0][0]
    assert (first.orig_id, first.create_time, len(first.sections)) == (
        "conv-0",
        1_700_000_000.25,
        8,
    )


def test_duplicates_in_one_file_are_spooled_once_the_later_copy_in_the_first_place(tmp_path):
    def item(orig: str, text: str) -> dict:
        return {"id": orig, "title": orig, "messages": [{"role": "user", "content": text}]}

    path = tmp_path / "c.json"
    items = [item("a", "old"), item("b", "b"), item("a", "new"), item("c", "c"), item("a", "x")]
    path.write_bytes(orjson.dumps(items))
    report = spool_path_report(path, "c.json")
    docs = _spooled(report)
    assert [(d.orig_id, d.sections[0].text) for d in docs] == [("a", "x"), ("b", "b"), ("c", "c")]
    assert report.skipped == {"duplicate": 2}
    assert report.documents == 3


def test_a_broken_item_late_in_the_file_refuses_it_and_leaves_no_spool(tmp_path):
    good = {"id": "a", "messages": [{"role": "user", "content": "hi"}]}
    path = tmp_path / "c.json"
    path.write_bytes(orjson.dumps([good, good, {"id": "b"}]))
    with pytest.raises(ParseError, match=r"conversation 2 has no 'messages'"):
        spool_path_report(path, "c.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.json"]


def test_broken_json_and_a_lying_zip_member_are_parse_errors(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_bytes(b'[{"id": "x", "messages": []}, {"id": ')
    with pytest.raises(ParseError, match=r"^broken.json: is not valid JSON: parse error"):
        spool_path_report(broken, "broken.json")
    liar = write_export_zip(tmp_path / "liar.zip", 50)
    data = bytearray(liar.read_bytes())
    with zipfile.ZipFile(liar) as archive:
        member = archive.getinfo("conversations.json")
    # Flip a byte of the deflated data: the stream fails its CRC (or inflating) mid-file.
    data[member.header_offset + 30 + len(member.filename) + 200] ^= 0xFF
    liar.write_bytes(bytes(data))
    with pytest.raises(ParseError) as caught:
        spool_path_report(liar, "liar.zip")
    assert caught.value.file == "liar.zip/conversations.json"


def test_utf16_is_recoded_as_it_is_read(tmp_path):
    text = (FIXTURES / "chatgpt_conversations.json").read_text("utf-8")
    path = tmp_path / "c.json"
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    report = spool_path_report(path, "c.json")
    assert _spooled(report) == list(
        parse_path_report(FIXTURES / "chatgpt_conversations.json").documents
    )


def _parse_peak(path: Path) -> int:
    tracemalloc.start()
    try:
        spool_path_report(path, path.name)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.slow
def test_the_parsers_peak_memory_does_not_grow_with_the_export(tmp_path):
    # About 2.5 MB and 10 MB of conversations.json. Holding the export whole (as parsing did)
    # peaks above the larger file's size; streaming peaks at its buffers and one
    # conversation, plus each conversation's key (a few hundred bytes).
    small = write_export_zip(tmp_path / "small.zip", 500)
    large = write_export_zip(tmp_path / "large.zip", 2000)
    with zipfile.ZipFile(large) as archive:
        large_json = archive.getinfo("conversations.json").file_size
    small_peak, large_peak = _parse_peak(small), _parse_peak(large)
    assert large_peak < 1.5 * small_peak, (small_peak, large_peak)
    assert large_peak < large_json, (large_peak, large_json)
