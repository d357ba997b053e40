"""The parse pool: a stuck file fails alone within its limit, and the pool recovers.

The worker function is this module's ``_hostile_parse``: the real parser, except for files
named to get stuck forever (as a parser caught in a regex would), to crash their process,
or to wait at a named pipe until the test opens it, which holds a parse in flight for
exactly as long as the test needs without any sleeping.
"""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path

import orjson
import pytest

from graphnode.ingest.parse import ParseError, ParseReport, parse_path_report
from graphnode.ingest.pool import ParsePool, ParseTimeoutError

# A stuck file gets one second; a large file gets minutes, so only the stuck one can time out.
SECONDS = 1.0
SECONDS_PER_MB = 600.0


def _hostile_parse(path: str, _name: str) -> ParseReport:
    name = Path(path).name
    if name.startswith("stuck"):
        threading.Event().wait()
    if name.startswith("crash"):
        os._exit(3)
    gate = Path(f"{path}.gate")
    if gate.exists():
        with gate.open() as opened:  # blocks until the test opens the pipe for writing
            opened.read()
    return parse_path_report(path)


def _conversation_file(folder: Path, name: str, text_bytes: int = 100) -> Path:
    path = folder / name
    items = [{"title": "Kept", "messages": [{"role": "user", "content": "x" * text_bytes}]}]
    path.write_bytes(orjson.dumps(items))
    return path


async def _parse(pool: ParsePool, path: Path) -> ParseReport:
    size = path.stat().st_size  # noqa: ASYNC240 - a stat of a local test file
    return await pool.parse(path, path.name, size)


def _open_gate(gate: Path) -> None:
    with gate.open("w") as opened:
        opened.write("go")


@pytest.mark.timeout(60)
async def test_a_stuck_file_fails_alone_and_the_file_beside_it_is_parsed(tmp_path):
    stuck = tmp_path / "stuck.json"
    stuck.write_bytes(b"[]")  # two bytes: its limit is one second (to three digits)
    beside = _conversation_file(tmp_path, "beside.json", text_bytes=100_000)
    os.mkfifo(f"{beside}.gate")
    async with ParsePool(2, SECONDS, SECONDS_PER_MB, parse=_hostile_parse) as pool:
        parsing_beside = asyncio.create_task(_parse(pool, beside))
        with pytest.raises(ParseTimeoutError) as caught:
            await _parse(pool, stuck)
        assert caught.value.file == "stuck.json"
        assert "took longer than 1 s to parse" in str(caught.value)
        # The stuck process was killed with its pool; the file beside it is parsed again in
        # the new pool, where it waits at its gate until now.
        await asyncio.to_thread(_open_gate, Path(f"{beside}.gate"))
        report = await parsing_beside
        assert [doc.title for doc in report.documents] == ["Kept"]
        again = await _parse(pool, _conversation_file(tmp_path, "after.json"))
        assert len(again.documents) == 1


@pytest.mark.timeout(60)
async def test_a_file_that_crashes_its_process_is_refused_and_the_pool_recovers(tmp_path):
    async with ParsePool(1, SECONDS, SECONDS_PER_MB, parse=_hostile_parse) as pool:
        with pytest.raises(ParseError, match=r"crash\.json: could not be parsed"):
            await _parse(pool, _conversation_file(tmp_path, "crash.json"))
        report = await _parse(pool, _conversation_file(tmp_path, "good.json"))
        assert len(report.documents) == 1


@pytest.mark.timeout(60)
async def test_parse_errors_cross_the_process_boundary_intact(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_bytes(b"[{")
    async with ParsePool(1, SECONDS, SECONDS_PER_MB) as pool:
        with pytest.raises(ParseError) as caught:
            await _parse(pool, broken)
    assert caught.value.file == broken.name  # named as the user called it, not where it lay
    assert caught.value.problem.startswith("is not valid JSON")


def test_the_limit_grows_with_the_file():
    pool = ParsePool(1, 10.0, 2.0)
    assert pool.limit_for(0) == 10.0
    assert pool.limit_for(3 * 1024 * 1024) == 16.0
