"""The micro-batcher's logic with stand-in batch functions, and the local backend's use of it.

The real model is exercised in test_llm_local.py; here a counter stands in for
``model.generate`` so the tests can say exactly how many batched calls were made.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
from pathlib import Path

import pytest

from graphnode.ai.llm.base import (
    GenerationRequest,
    LanguageModelBusyError,
    LanguageModelError,
    LanguageModelUnavailableError,
)
from graphnode.ai.llm.batching import MicroBatcher
from graphnode.ai.llm.local import BatchOutcome, LocalLanguageModel


class CountingBatch:
    """Records every batch; optionally holds each batch until ``release`` is set."""

    def __init__(self, *, hold: bool = False) -> None:
        self.batches: list[list[str]] = []
        self.release = asyncio.Event()
        self.started = asyncio.Event()
        if not hold:
            self.release.set()

    async def __call__(self, items: list[str]) -> list[str]:
        self.batches.append(list(items))
        self.started.set()
        await self.release.wait()
        return [item.upper() for item in items]


async def test_concurrent_submits_become_one_batch() -> None:
    run = CountingBatch()
    batcher = MicroBatcher(run, max_batch_size=8, max_wait_s=0.05)
    try:
        results = await asyncio.gather(*(batcher.submit(word) for word in ["a", "b", "c", "d"]))
    finally:
        await batcher.close()
    assert results == ["A", "B", "C", "D"]
    assert run.batches == [["a", "b", "c", "d"]]
    assert (batcher.batches_run, batcher.items_run) == (1, 4)


async def test_batches_never_exceed_max_batch_size() -> None:
    run = CountingBatch()
    batcher = MicroBatcher(run, max_batch_size=3, max_wait_s=0.05)
    try:
        results = await asyncio.gather(*(batcher.submit(str(n)) for n in range(7)))
    finally:
        await batcher.close()
    assert results == [str(n) for n in range(7)]
    assert [len(batch) for batch in run.batches] == [3, 3, 1]


async def test_items_with_different_keys_never_share_a_batch() -> None:
    run = CountingBatch()
    batcher = MicroBatcher(run, max_wait_s=0.05, batch_key=lambda item: item[0])
    try:
        await asyncio.gather(*(batcher.submit(item) for item in ["x1", "y1", "x2", "y2"]))
    finally:
        await batcher.close()
    assert sorted(run.batches) == [["x1", "x2"], ["y1", "y2"]]


async def test_requests_arriving_during_a_batch_form_the_next_one() -> None:
    run = CountingBatch(hold=True)
    batcher = MicroBatcher(run, max_wait_s=0.01)
    try:
        first = asyncio.create_task(batcher.submit("first"))
        await asyncio.wait_for(run.started.wait(), 5)
        later = [asyncio.create_task(batcher.submit(word)) for word in ["b", "c", "d"]]
        await asyncio.sleep(0)  # let the three tasks enqueue before the batch finishes
        run.release.set()
        assert await first == "FIRST"
        assert await asyncio.gather(*later) == ["B", "C", "D"]
    finally:
        await batcher.close()
    assert run.batches == [["first"], ["b", "c", "d"]]


async def test_a_failing_batch_fails_its_callers_and_the_batcher_goes_on() -> None:
    calls = 0

    async def flaky(items: list[str]) -> list[str]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("model crashed")
        return items

    batcher = MicroBatcher(flaky, max_wait_s=0.05)
    try:
        outcomes = await asyncio.gather(
            *(batcher.submit(word) for word in ["a", "b"]), return_exceptions=True
        )
        assert [type(outcome) for outcome in outcomes] == [RuntimeError, RuntimeError]
        assert await batcher.submit("c") == "c"
    finally:
        await batcher.close()


async def test_a_wrong_number_of_results_is_an_error_not_a_hang() -> None:
    async def short(items: list[str]) -> list[str]:
        return items[:1]

    batcher = MicroBatcher(short, max_wait_s=0.05)
    try:
        with pytest.raises(LanguageModelError, match="returned 1"):
            await asyncio.gather(batcher.submit("a"), batcher.submit("b"))
    finally:
        await batcher.close()


async def test_a_cancelled_caller_is_left_out_of_its_batch() -> None:
    run = CountingBatch(hold=True)
    batcher = MicroBatcher(run, max_wait_s=0.01)
    try:
        first = asyncio.create_task(batcher.submit("first"))
        await asyncio.wait_for(run.started.wait(), 5)
        gone = asyncio.create_task(batcher.submit("gone"))
        kept = asyncio.create_task(batcher.submit("kept"))
        await asyncio.sleep(0)
        gone.cancel()
        run.release.set()
        assert await kept == "KEPT"
        await first
    finally:
        await batcher.close()
    assert gone.cancelled()
    assert run.batches == [["first"], ["kept"]]


async def test_a_full_queue_refuses_with_busy() -> None:
    run = CountingBatch(hold=True)
    batcher = MicroBatcher(run, max_wait_s=0.01, max_pending=1)
    try:
        running = asyncio.create_task(batcher.submit("running"))
        await asyncio.wait_for(run.started.wait(), 5)
        waiting = asyncio.create_task(batcher.submit("waiting"))
        await asyncio.sleep(0)
        with pytest.raises(LanguageModelBusyError):
            await batcher.submit("one too many")
        run.release.set()
        assert await asyncio.gather(running, waiting) == ["RUNNING", "WAITING"]
    finally:
        await batcher.close()


async def test_close_fails_waiting_callers_and_refuses_new_ones() -> None:
    run = CountingBatch(hold=True)
    batcher = MicroBatcher(run, max_wait_s=0.01)
    running = asyncio.create_task(batcher.submit("running"))
    await asyncio.wait_for(run.started.wait(), 5)
    waiting = asyncio.create_task(batcher.submit("waiting"))
    await asyncio.sleep(0)
    await batcher.close()
    await batcher.close()  # twice is fine
    for task in (running, waiting):
        with pytest.raises(LanguageModelError):
            await task
    with pytest.raises(LanguageModelError, match="closed"):
        await batcher.submit("late")
    assert not batcher.is_running


class StandInRuntime:
    """Plays LocalRuntime: counts ``generate_batch`` calls, answers by echoing."""

    def __init__(self) -> None:
        self.batch_sizes: list[int] = []

    def generate_batch(self, requests: list[GenerationRequest]) -> BatchOutcome:
        self.batch_sizes.append(len(requests))
        texts = [f"answer to {request.messages[-1][1]}" for request in requests]
        return BatchOutcome(texts, new_tokens=3 * len(requests), seconds=0.01)


def _ask(text: str, temperature: float = 0.0) -> GenerationRequest:
    return GenerationRequest(messages=(("user", text),), max_tokens=8, temperature=temperature)


async def test_local_backend_merges_concurrent_generate_calls(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runtime = StandInRuntime()
    monkeypatch.setattr(LocalLanguageModel, "_load_blocking", lambda self: runtime)
    async with LocalLanguageModel(max_wait_s=0.05) as model:
        answers = await asyncio.gather(*(model.generate(_ask(f"q{n}")) for n in range(4)))
        # Different sampling settings cannot share one model.generate call.
        await asyncio.gather(model.generate(_ask("hot", 0.7)), model.generate(_ask("cold")))
        assert await model.check_health()
    assert answers == [f"answer to q{n}" for n in range(4)]
    assert runtime.batch_sizes == [4, 1, 1]
    assert (model.stats.batches, model.stats.requests, model.stats.new_tokens) == (3, 6, 18)
    assert not await model.check_health()


async def test_local_backend_reports_a_missing_model_file(tmp_path: Path) -> None:
    model = LocalLanguageModel(gguf_path=tmp_path / "absent.gguf")
    try:
        with pytest.raises(LanguageModelUnavailableError, match="no model file"):
            await model.generate(_ask("hello"))
        assert not await model.check_health()
        with pytest.raises(LanguageModelUnavailableError):  # remembered, not retried
            await model.load()
    finally:
        await model.close()


async def test_local_backend_names_a_missing_gguf_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    local_runtime = importlib.import_module("graphnode.ai.llm.local_runtime")  # imports torch
    real_find_spec = importlib.util.find_spec

    def without_gguf(name: str, *args: object) -> object:
        return None if name == "gguf" else real_find_spec(name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(local_runtime.importlib.util, "find_spec", without_gguf)
    model = LocalLanguageModel()
    try:
        with pytest.raises(LanguageModelUnavailableError, match="needs gguf: pip install"):
            await model.load()
    finally:
        await model.close()
