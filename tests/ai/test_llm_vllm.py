"""The vllm backend without a GPU: a fake engine with vLLM's interface stands in for vLLM.

The fake speaks what the adapter uses of ``AsyncLLMEngine``: ``generate(prompt, params,
request_id)`` as an async generator of cumulative ``RequestOutput``s (``.outputs[0].text``,
``.finished``), ``abort``, ``check_health`` (raises when unhealthy) and a synchronous
``shutdown``; its ``SamplingParams`` and ``StructuredOutputsParams`` take vLLM's keywords and
refuse any other. Only the imports of vLLM itself are left to the GPU machine, and
``build_vllm_runtime`` is checked here with fake modules standing in for those.

Choosing the backend where vLLM is missing (CUDA only) must fail clearly, and early.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import sys
import threading
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

from graphnode.ai.llm import (
    ClusterBrief,
    ClusterNamer,
    GenerationRequest,
    LanguageModelError,
    LanguageModelUnavailableError,
    keyword_label,
    open_language_model,
)
from graphnode.ai.llm.naming import LABEL_SCHEMA
from graphnode.ai.llm.vllm_engine import VLLMLanguageModel, VLLMRuntime, build_vllm_runtime

without_vllm = pytest.mark.skipif(
    importlib.util.find_spec("vllm") is not None, reason="vLLM is installed here"
)

MODEL = "Qwen/Qwen2.5-7B-Instruct"
PYTHON = ClusterBrief(
    "cluster_0", 12, ("python", "asyncio", "aiohttp", "event loop"), ("Debugging event loop",)
)
GOOD_LABEL = '{"name": "Async Python", "description": "Event loops and aiohttp.", "themes": []}'


# --- the fake vLLM ---------------------------------------------------------------------


@dataclass(frozen=True)
class FakeStructuredOutputsParams:
    json: Any = None


@dataclass(frozen=True)
class FakeSamplingParams:
    max_tokens: int | None = 16
    temperature: float = 1.0
    structured_outputs: FakeStructuredOutputsParams | None = None


@dataclass(frozen=True)
class FakeCompletionOutput:
    text: str


@dataclass(frozen=True)
class FakeRequestOutput:
    request_id: str
    outputs: list[FakeCompletionOutput]
    finished: bool


class FakeTokenizer:
    def apply_chat_template(
        self, conversation: list[dict[str, str]], *, tokenize: bool, add_generation_prompt: bool
    ) -> str:
        assert tokenize is False
        assert add_generation_prompt is True
        turns = "".join(f"<|{turn['role']}|>{turn['content']}" for turn in conversation)
        return f"{turns}<|assistant|>"


# What one request yields: each item is one RequestOutput's ``outputs`` text (None: no
# outputs) and whether it is final; the default builds cumulative outputs of ``answer``.
Script = Callable[[str, FakeSamplingParams], list[tuple[str | None, bool]]]


def answering(answer: str) -> Script:
    """Cumulative outputs of ``answer`` in three pieces, the last one finished."""

    def script(_prompt: str, _params: FakeSamplingParams) -> list[tuple[str | None, bool]]:
        cuts = [len(answer) // 3, 2 * len(answer) // 3, len(answer)]
        return [(answer[:cut], cut == len(answer)) for cut in cuts]

    return script


@dataclass
class FakeEngine:
    """``AsyncLLMEngine``'s interface, answering from ``script``; records what it was asked.

    ``hold``: after the first output, wait for ``release`` (set by nobody: until cancelled).
    """

    script: Script = field(default_factory=lambda: answering(GOOD_LABEL))
    hold: bool = False
    healthy: bool = True
    abort_fails: bool = False
    requests: list[tuple[str, FakeSamplingParams, str]] = field(default_factory=list)
    aborted: list[str] = field(default_factory=list)
    finished_streams: list[str] = field(default_factory=list)
    shutdowns: int = 0
    first_output: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    async def generate(
        self, prompt: str, sampling_params: FakeSamplingParams, request_id: str
    ) -> AsyncIterator[FakeRequestOutput]:
        assert self.shutdowns == 0, "generate on an engine that was shut down"
        self.requests.append((prompt, sampling_params, request_id))
        try:
            for text, finished in self.script(prompt, sampling_params):
                outputs = [] if text is None else [FakeCompletionOutput(text)]
                yield FakeRequestOutput(request_id, outputs, finished)
                self.first_output.set()
                if self.hold:
                    await self.release.wait()
        finally:
            self.finished_streams.append(request_id)

    async def abort(self, request_id: str) -> None:
        if self.abort_fails:
            raise RuntimeError("engine dead")
        self.aborted.append(request_id)

    async def check_health(self) -> None:
        if not self.healthy:
            raise RuntimeError("engine core died")

    def shutdown(self) -> None:
        self.shutdowns += 1


@dataclass
class FakeFactory:
    """An ``engine_factory``: the fake runtime around ``engine``; records its calls."""

    engine: FakeEngine = field(default_factory=FakeEngine)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def __call__(self, model: str, engine_options: Mapping[str, Any]) -> VLLMRuntime:
        self.calls.append((model, dict(engine_options)))
        return VLLMRuntime(
            engine=self.engine,
            tokenizer=FakeTokenizer(),
            sampling_params=FakeSamplingParams,
            structured_outputs=FakeStructuredOutputsParams,
        )


def fake_model(engine: FakeEngine | None = None, **options: Any) -> VLLMLanguageModel:
    return VLLMLanguageModel(
        model=MODEL, engine_options=options, engine_factory=FakeFactory(engine or FakeEngine())
    )


REQUEST = GenerationRequest(
    messages=(("system", "Be brief."), ("user", "Name it.")), max_tokens=32, temperature=0.0
)


# --- generate --------------------------------------------------------------------------


async def test_generate_returns_the_final_output_of_the_chat_templated_prompt() -> None:
    factory = FakeFactory(FakeEngine(script=answering("Async Python")))
    model = VLLMLanguageModel(
        model=MODEL, engine_options={"max_model_len": 4096}, engine_factory=factory
    )
    async with model:
        first, second = await asyncio.gather(model.generate(REQUEST), model.generate(REQUEST))
    assert first == second == "Async Python"
    assert factory.calls == [(MODEL, {"max_model_len": 4096})]  # built once, for both
    (prompt, params, first_id), (_, _, second_id) = factory.engine.requests
    assert prompt == "<|system|>Be brief.<|user|>Name it.<|assistant|>"
    assert params == FakeSamplingParams(max_tokens=32, temperature=0.0)
    assert first_id != second_id
    assert first_id.startswith("graphnode-")


async def test_a_json_schema_constrains_decoding_through_structured_outputs() -> None:
    engine = FakeEngine()
    async with fake_model(engine) as model:
        await model.generate(
            GenerationRequest(messages=(("user", "Name it."),), json_schema=LABEL_SCHEMA)
        )
    structured = engine.requests[0][1].structured_outputs
    assert structured is not None
    assert structured.json == LABEL_SCHEMA
    assert type(structured.json) is dict  # thawed: the engine gets plain JSON values
    assert type(structured.json["properties"]) is dict
    assert type(structured.json["required"]) is list


async def test_the_cluster_namer_names_a_cluster_through_the_engine() -> None:
    engine = FakeEngine()
    async with fake_model(engine) as model:
        (label,) = await ClusterNamer(model).name([PYTHON])
    assert (label.name, label.source) == ("Async Python", "llm")
    assert label.description == "Event loops and aiohttp."
    assert label.themes == keyword_label(PYTHON).themes  # empty themes repaired from keywords
    prompt, params, _ = engine.requests[0]
    assert "python, asyncio" in prompt
    assert params.structured_outputs == FakeStructuredOutputsParams(json=LABEL_SCHEMA)
    assert params.max_tokens == 64


# --- cancellation ----------------------------------------------------------------------


async def test_a_caller_cancelled_mid_generation_aborts_the_engine_request() -> None:
    engine = FakeEngine(hold=True)
    async with fake_model(engine) as model:
        task = asyncio.create_task(model.generate(REQUEST))
        await engine.first_output.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    request_id = engine.requests[0][2]
    assert engine.aborted == [request_id]
    assert engine.finished_streams == [request_id]  # the output stream was closed too


async def test_a_failing_abort_does_not_hide_the_cancellation() -> None:
    engine = FakeEngine(hold=True, abort_fails=True)
    async with fake_model(engine) as model:
        task = asyncio.create_task(model.generate(REQUEST))
        await engine.first_output.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_a_namer_timeout_aborts_the_request_and_names_from_keywords() -> None:
    engine = FakeEngine(hold=True)
    async with fake_model(engine) as model:
        (label,) = await ClusterNamer(model, timeout_s=0.05).name([PYTHON])
    assert label == keyword_label(PYTHON)
    assert engine.aborted == [engine.requests[0][2]]


# --- invalid output --------------------------------------------------------------------


def _script(*outputs: tuple[str | None, bool]) -> Script:
    return lambda _prompt, _params: list(outputs)


def _failing(_prompt: str, _params: FakeSamplingParams) -> list[tuple[str | None, bool]]:
    raise RuntimeError("CUDA out of memory")


@pytest.mark.parametrize(
    ("script", "reason"),
    [
        (_script(), "without output"),
        (_script((None, True)), "without output"),
        (_script(("Async", False)), "before the request finished"),
        (_failing, "CUDA out of memory"),
    ],
    ids=["no-outputs", "empty-outputs", "unfinished", "engine-error"],
)
async def test_an_engine_without_an_answer_raises_a_language_model_error(
    script: Script, reason: str
) -> None:
    async with fake_model(FakeEngine(script=script)) as model:
        with pytest.raises(LanguageModelError, match=reason):
            await model.generate(REQUEST)


@pytest.mark.parametrize(
    "script",
    [
        answering("I am sorry, I cannot name this."),
        answering('{"name": "Cluster 3", "description": "x", "themes": []}'),
        answering(""),
        _script((None, True)),
        _failing,
    ],
    ids=["not-json", "generic-name", "empty-text", "no-outputs", "engine-error"],
)
async def test_an_unusable_answer_names_the_cluster_from_keywords(script: Script) -> None:
    async with fake_model(FakeEngine(script=script)) as model:
        (label,) = await ClusterNamer(model).name([PYTHON])
    assert label == keyword_label(PYTHON)


# --- health and shutdown ---------------------------------------------------------------


async def test_health_follows_the_engine_without_starting_it() -> None:
    factory = FakeFactory()
    model = VLLMLanguageModel(model=MODEL, engine_factory=factory)
    assert await model.check_health()  # it starts on first use
    assert factory.calls == []
    await model.start()
    assert await model.check_health()
    factory.engine.healthy = False
    assert not await model.check_health()
    await model.close()


async def test_shutdown_closes_the_engine_once_and_refuses_new_work() -> None:
    factory = FakeFactory()
    async with VLLMLanguageModel(model=MODEL, engine_factory=factory) as model:
        assert await model.generate(REQUEST)
    assert factory.engine.shutdowns == 1
    assert not await model.check_health()
    with pytest.raises(LanguageModelError, match="closed"):
        await model.generate(REQUEST)
    await model.close()  # a second close is harmless
    assert factory.engine.shutdowns == 1
    assert len(factory.calls) == 1  # refused work built no second engine
    assert len(factory.engine.requests) == 1


async def test_closing_before_first_use_builds_no_engine() -> None:
    factory = FakeFactory()
    model = VLLMLanguageModel(model=MODEL, engine_factory=factory)
    await model.close()
    with pytest.raises(LanguageModelError, match="closed"):
        await model.start()
    assert factory.calls == []


async def test_closing_while_the_engine_loads_shuts_it_down_when_it_is_ready() -> None:
    entered, release = threading.Event(), threading.Event()
    fake = FakeFactory()

    def slow_factory(model: str, engine_options: Mapping[str, Any]) -> VLLMRuntime:
        entered.set()
        release.wait(timeout=30)
        return fake(model, engine_options)

    model = VLLMLanguageModel(model=MODEL, engine_factory=slow_factory)
    task = asyncio.create_task(model.generate(REQUEST))
    await asyncio.to_thread(entered.wait, 30)
    await model.close()
    release.set()
    with pytest.raises(LanguageModelError, match="closed"):
        await task
    assert fake.engine.shutdowns == 1
    assert fake.engine.requests == []


# --- the real runtime, with fake vLLM modules ------------------------------------------


def _module(name: str, **attributes: Any) -> ModuleType:
    module = ModuleType(name)
    module.__dict__.update(attributes)
    return module


def test_the_real_runtime_builds_the_engine_from_engine_args() -> None:
    built: dict[str, Any] = {}
    engine = FakeEngine()

    def from_engine_args(args: Any) -> FakeEngine:
        built["args"] = args
        return engine

    def from_pretrained(name: str) -> FakeTokenizer:
        built["tokenizer"] = name
        return FakeTokenizer()

    modules = {
        "vllm": _module(
            "vllm",
            AsyncEngineArgs=lambda **kwargs: ("engine-args", kwargs),
            AsyncLLMEngine=SimpleNamespace(from_engine_args=from_engine_args),
            SamplingParams=FakeSamplingParams,
        ),
        "vllm.sampling_params": _module(
            "vllm.sampling_params", StructuredOutputsParams=FakeStructuredOutputsParams
        ),
        "transformers": _module(
            "transformers", AutoTokenizer=SimpleNamespace(from_pretrained=from_pretrained)
        ),
    }
    runtime = build_vllm_runtime(
        MODEL, {"gpu_memory_utilization": 0.5}, import_module=modules.__getitem__
    )
    assert runtime.engine is engine
    assert built == {
        "args": ("engine-args", {"model": MODEL, "gpu_memory_utilization": 0.5}),
        "tokenizer": MODEL,
    }
    assert runtime.sampling_params is FakeSamplingParams
    assert runtime.structured_outputs is FakeStructuredOutputsParams
    assert "vllm" not in sys.modules


# --- without vLLM ----------------------------------------------------------------------


@without_vllm
def test_choosing_vllm_without_it_names_the_install_command() -> None:
    with pytest.raises(LanguageModelUnavailableError, match=r"pip install graphnode\[gpu\]"):
        open_language_model("vllm", model="HuggingFaceTB/SmolLM2-135M-Instruct")


@without_vllm
def test_the_install_hint_comes_before_any_option_error() -> None:
    with pytest.raises(LanguageModelUnavailableError, match="CUDA only"):
        open_language_model("vllm")


@without_vllm
def test_the_adapter_without_an_engine_factory_needs_vllm() -> None:
    with pytest.raises(LanguageModelUnavailableError, match="CUDA only"):
        VLLMLanguageModel(model=MODEL)


@without_vllm
def test_the_package_and_the_adapter_import_without_vllm() -> None:
    module = importlib.import_module("graphnode.ai.llm.vllm_engine")
    assert module.INSTALL_HINT == "pip install graphnode[gpu]"
    assert "vllm" not in sys.modules
