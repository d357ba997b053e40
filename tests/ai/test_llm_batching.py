"""The local backend's use of the shared micro-batcher (graphnode.batching).

The real model is exercised in test_llm_local.py; here a stand-in runtime plays
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
from graphnode.ai.llm.local import BatchOutcome, LocalLanguageModel


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


async def test_local_backend_speaks_language_model_errors_for_the_batcher(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The batcher's own errors reach callers as the LanguageModelError they catch."""
    release = asyncio.Event()

    async def held_batch(self: LocalLanguageModel, requests: list) -> list[str]:
        await release.wait()
        return [f"answer to {request.messages[-1][1]}" for request in requests]

    monkeypatch.setattr(LocalLanguageModel, "_run_batch", held_batch)
    model = LocalLanguageModel(max_wait_s=0.01, max_pending=1, max_batch_size=1)
    try:
        running = asyncio.create_task(model.generate(_ask("running")))
        await asyncio.sleep(0.05)  # taken into a batch, which is held
        waiting = asyncio.create_task(model.generate(_ask("waiting")))
        await asyncio.sleep(0)
        with pytest.raises(LanguageModelBusyError):
            await model.generate(_ask("one too many"))
        release.set()
        assert await asyncio.gather(running, waiting) == ["answer to running", "answer to waiting"]
    finally:
        await model.close()
    with pytest.raises(LanguageModelError, match="closed"):
        await model.generate(_ask("late"))
