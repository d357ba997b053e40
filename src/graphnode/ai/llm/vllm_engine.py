"""The ``vllm`` backend: vLLM's in-process ``AsyncLLMEngine`` on a GPU.

vLLM batches continuously inside the engine, so this adapter only turns a request into a
prompt and sampling parameters, collects the final output, and aborts the engine request
when the caller is cancelled. vLLM is CUDA-only and optional: importing this module never
imports it, and choosing the backend without it fails at once with the install command.

Everything the adapter takes from vLLM comes through one :class:`VLLMRuntime`, built by
:func:`build_vllm_runtime` in a deployment; tests pass an ``engine_factory`` returning a fake
runtime with the same interface, so the adapter's own code is the code a deployment runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import importlib.util
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Protocol

from graphnode.ai.llm.base import (
    GenerationRequest,
    LanguageModelError,
    LanguageModelUnavailableError,
    ModelLifetime,
    thaw,
)

INSTALL_HINT = "pip install graphnode[gpu]"


def require_vllm() -> None:
    """Raise the install hint unless vLLM is importable (checked without importing it)."""
    if importlib.util.find_spec("vllm") is None:
        raise LanguageModelUnavailableError(
            f"the vllm backend needs vLLM (CUDA only), which is not installed: {INSTALL_HINT}"
        )


class VLLMEngine(Protocol):
    """What the adapter uses of vLLM's ``AsyncLLMEngine`` (``AsyncLLM`` in vLLM v1)."""

    def generate(self, prompt: str, sampling_params: Any, request_id: str) -> AsyncIterator[Any]:
        """``RequestOutput``s (``.outputs[0].text``, ``.finished``), the last one final."""
        ...

    async def abort(self, request_id: str) -> None: ...

    async def check_health(self) -> None:
        """Raises when the engine is unhealthy."""
        ...

    def shutdown(self) -> None: ...


class ChatTokenizer(Protocol):
    """The model's tokenizer, for its chat template."""

    def apply_chat_template(
        self, conversation: list[dict[str, str]], *, tokenize: bool, add_generation_prompt: bool
    ) -> Any: ...


@dataclass(frozen=True, slots=True)
class VLLMRuntime:
    """The engine, the model's tokenizer and vLLM's ``SamplingParams`` and
    ``StructuredOutputsParams`` classes (``StructuredOutputsParams(json=schema)`` is how
    vLLM >= 0.11 constrains decoding to a JSON schema; the ``gpu`` extra requires it)."""

    engine: VLLMEngine
    tokenizer: ChatTokenizer
    sampling_params: Callable[..., Any]
    structured_outputs: Callable[..., Any]


EngineFactory = Callable[[str, Mapping[str, Any]], VLLMRuntime]


def build_vllm_runtime(
    model: str,
    engine_options: Mapping[str, Any],
    *,
    import_module: Callable[[str], ModuleType] = importlib.import_module,
) -> VLLMRuntime:
    """The real runtime: loads the tokenizer and builds the engine (minutes: weights load).

    ``import_module`` exists for tests; a deployment imports vLLM and transformers.
    """
    vllm = import_module("vllm")
    sampling = import_module("vllm.sampling_params")
    transformers = import_module("transformers")
    # The chat template lives with the tokenizer; loading it here keeps us independent
    # of how each vLLM version exposes its own tokenizer.
    tokenizer = transformers.AutoTokenizer.from_pretrained(model)
    args = vllm.AsyncEngineArgs(model=model, **engine_options)
    return VLLMRuntime(
        engine=vllm.AsyncLLMEngine.from_engine_args(args),
        tokenizer=tokenizer,
        sampling_params=vllm.SamplingParams,
        structured_outputs=sampling.StructuredOutputsParams,
    )


class VLLMLanguageModel(ModelLifetime):
    """``model`` is a Hugging Face id or a local path; ``engine_options`` go to
    ``AsyncEngineArgs`` (e.g. ``gpu_memory_utilization``, ``max_model_len``).

    ``engine_factory(model, engine_options)`` builds the runtime on first use, off the event
    loop; the default is :func:`build_vllm_runtime`, which needs vLLM installed.
    """

    def __init__(
        self,
        *,
        model: str,
        engine_options: Mapping[str, Any] | None = None,
        engine_factory: EngineFactory | None = None,
    ) -> None:
        if engine_factory is None:
            require_vllm()
        self._model_name = model
        self._engine_options = dict(engine_options or {})
        self._engine_factory: EngineFactory = engine_factory or build_vllm_runtime
        self._runtime: VLLMRuntime | None = None
        self._start_lock = asyncio.Lock()
        self._closed = False

    async def start(self) -> None:
        await self._started()

    async def _started(self) -> VLLMRuntime:
        async with self._start_lock:
            if self._closed:
                raise LanguageModelError("the language model is closed")
            if self._runtime is None:
                # Building the engine loads weights for minutes: keep it off the event loop.
                runtime = await asyncio.to_thread(
                    self._engine_factory, self._model_name, self._engine_options
                )
                if self._closed:  # closed while the weights loaded: nobody will use it
                    runtime.engine.shutdown()
                    raise LanguageModelError("the language model is closed")
                self._runtime = runtime
            return self._runtime

    @staticmethod
    def _prompt(runtime: VLLMRuntime, request: GenerationRequest) -> str:
        chat = [{"role": role, "content": content} for role, content in request.messages]
        return str(
            runtime.tokenizer.apply_chat_template(chat, tokenize=False, add_generation_prompt=True)
        )

    @staticmethod
    def _sampling_params(runtime: VLLMRuntime, request: GenerationRequest) -> Any:
        options: dict[str, Any] = {
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
        }
        if request.json_schema is not None:
            options["structured_outputs"] = runtime.structured_outputs(
                json=thaw(request.json_schema)
            )
        return runtime.sampling_params(**options)

    async def generate(self, request: GenerationRequest) -> str:
        runtime = await self._started()
        engine = runtime.engine
        request_id = f"graphnode-{uuid.uuid4().hex}"
        prompt = self._prompt(runtime, request)
        params = self._sampling_params(runtime, request)
        final: Any = None
        try:
            async for output in engine.generate(prompt, params, request_id):
                final = output
        except asyncio.CancelledError:
            # The caller is gone: free the engine's slot instead of finishing for nobody.
            with contextlib.suppress(Exception):
                await engine.abort(request_id)
            raise
        except Exception as error:
            raise LanguageModelError(f"vLLM failed: {error!r}") from error
        return _final_text(final)

    async def check_health(self) -> bool:
        if self._closed:
            return False
        if self._runtime is None:
            return True  # starts on first use
        try:
            await self._runtime.engine.check_health()
        except Exception:  # an unhealthy engine raises; the answer is simply "no"
            return False
        return True

    async def close(self) -> None:
        self._closed = True
        runtime, self._runtime = self._runtime, None
        if runtime is not None:
            runtime.engine.shutdown()


def _final_text(final: Any) -> str:
    """The answer of the engine's last ``RequestOutput``; an error unless it is finished."""
    if final is None or not final.outputs:
        raise LanguageModelError("vLLM finished without output")
    if not final.finished:
        raise LanguageModelError("vLLM stopped before the request finished")
    return str(final.outputs[0].text)
