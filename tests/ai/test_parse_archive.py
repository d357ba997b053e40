"""Export zips: found, parsed, and refused when unsafe (bombs, lying headers, traversal)."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest

from graphnode.ingest.parse import ParseError, archive, parse_bytes, parse_bytes_report, parse_path

FIXTURES = Path(__file__).parent / "fixtures"
CHATGPT = (FIXTURES / "chatgpt_conversations.json").read_bytes()


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive_file:
        for name, data in members.items():
            archive_file.writestr(name, data)
    return buffer.getvalue()


def test_chatgpt_export_zip():
    data = _zip({"chat.html": b"<html></html>", "conversations.json": CHATGPT, "user.json": b"{}"})
    report = parse_bytes_report("export.zip", data)
    assert [d.orig_id for d in report.documents] == ["conv-rome", "conv-cycle", "conv-no-current"]
    assert report.formats == {"export.zip/conversations.json": "chatgpt"}
    assert list(report.documents) == parse_bytes("conversations.json", CHATGPT)


def test_zip_found_by_content_and_in_a_folder(tmp_path):
    path = tmp_path / "download.bin"
    path.write_bytes(_zip({"export-2024/conversations.json": CHATGPT}))
    docs = parse_path(path)
    assert docs == parse_bytes("conversations.json", CHATGPT)


def test_claude_export_zip():
    claude = (FIXTURES / "claude_conversations.json").read_bytes()
    data = _zip({"users.json": b"[]", "projects.json": b"[]", "conversations.json": claude})
    report = parse_bytes_report("claude.zip", data)
    assert report.formats == {"claude.zip/conversations.json": "claude"}
    assert [d.orig_id for d in report.documents] == ["claude-1", "claude-branch"]


def test_zip_bomb_by_ratio_is_refused():
    data = _zip({"conversations.json": b"[" + b" " * (8 << 20) + b"]"})
    assert len(data) < 100_000  # it really is a bomb: megabytes from kilobytes
    with pytest.raises(ParseError) as caught:
        parse_bytes("bomb.zip", data)
    assert caught.value.file == "bomb.zip"
    assert "zip bomb" in caught.value.problem
    assert "'conversations.json'" in caught.value.problem


def test_zip_over_the_total_size_limit_is_refused(monkeypatch):
    monkeypatch.setattr(archive, "MAX_UNPACKED_BYTES", 1000)
    data = _zip({"conversations.json": CHATGPT}, compression=zipfile.ZIP_STORED)
    with pytest.raises(ParseError, match="would unpack to more than 1000 bytes"):
        parse_bytes("big.zip", data)


@pytest.mark.parametrize("compression", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
def test_zip_whose_header_understates_the_size_is_refused(compression):
    data = bytearray(_zip({"conversations.json": CHATGPT}, compression=compression))
    small = 10
    # Uncompressed size: offset 22 in the local header, 24 in the central directory entry.
    local = data.index(b"PK\x03\x04")
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, local + 22, small)
    struct.pack_into("<I", data, central + 24, small)
    with pytest.raises(ParseError) as caught:
        parse_bytes("liar.zip", bytes(data))
    assert caught.value.file == "liar.zip/conversations.json"
    assert caught.value.problem.startswith("cannot be unpacked")


@pytest.mark.parametrize(
    "evil", ["../../etc/cron.d/x", "/etc/passwd", "a/../../b", "C:/win.ini", "..\\x"]
)
def test_zip_with_unsafe_paths_is_refused(evil):
    data = _zip({"conversations.json": CHATGPT, evil: b"x"})
    with pytest.raises(ParseError) as caught:
        parse_bytes("export.zip", data)
    assert caught.value.file == "export.zip"
    assert caught.value.problem == f"has an unsafe path inside: {evil!r}"


def test_zip_without_conversations_is_refused():
    with pytest.raises(ParseError, match=r"has no conversations\.json inside"):
        parse_bytes("photos.zip", _zip({"a.png": b"\x89PNG"}))


def test_corrupt_zip_is_refused():
    with pytest.raises(ParseError, match="is not a valid zip archive"):
        parse_bytes("export.zip", b"PK\x03\x04 this is not really a zip")


def test_broken_json_inside_zip_names_the_member():
    with pytest.raises(ParseError) as caught:
        parse_bytes("export.zip", _zip({"conversations.json": b'[{"id": "x", '}))
    assert caught.value.file == "export.zip/conversations.json"
    assert caught.value.problem.startswith("is not valid JSON")
