"""The ``vllm`` backend: vLLM's in-process ``AsyncLLMEngine`` on a GPU.

vLLM batches continuously inside the engine, so this adapter only turns a request into a
prompt and sampling parameters, collects the final output, and aborts the engine request
when the caller is cancelled. vLLM is CUDA-only and optional: importing this module never
imports it, and choosing the backend without it fails at once with the install command.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import importlib.util
import uuid
from collections.abc import Mapping
from types import ModuleType
from typing import Any

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


def _structured_output(vllm_sampling: ModuleType, schema: Mapping[str, Any]) -> dict[str, Any]:
    """SamplingParams arguments that make the engine's decoder follow ``schema``.

    ``StructuredOutputsParams`` is vLLM >= 0.11's name for what older versions called
    ``GuidedDecodingParams`` (removed in 0.12); the ``gpu`` extra requires >= 0.11.
    """
    params = vllm_sampling.StructuredOutputsParams(json=thaw(schema))
    return {"structured_outputs": params}


class VLLMLanguageModel(ModelLifetime):
    """``model`` is a Hugging Face id or a local path; ``engine_options`` go to
    ``AsyncEngineArgs`` (e.g. ``gpu_memory_utilization``, ``max_model_len``)."""

    def __init__(self, *, model: str, engine_options: Mapping[str, Any] | None = None) -> None:
        require_vllm()
        self._model_name = model
        self._engine_options = dict(engine_options or {})
        self._engine: Any = None
        self._tokenizer: Any = None
        self._vllm: ModuleType | None = None
        self._vllm_sampling: ModuleType | None = None
        self._start_lock = asyncio.Lock()
        self._closed = False

    async def start(self) -> None:
        await self._started()

    async def _started(self) -> Any:
        async with self._start_lock:
            if self._closed:
                raise LanguageModelError("the language model is closed")
            if self._engine is None:
                # Building the engine loads weights for minutes: keep it off the event loop.
                self._engine = await asyncio.to_thread(self._build_engine)
            return self._engine

    def _build_engine(self) -> Any:
        vllm = importlib.import_module("vllm")
        transformers = importlib.import_module("transformers")
        # The chat template lives with the tokenizer; loading it here keeps us independent
        # of how each vLLM version exposes its own tokenizer.
        self._tokenizer = transformers.AutoTokenizer.from_pretrained(self._model_name)
        self._vllm = vllm
        self._vllm_sampling = importlib.import_module("vllm.sampling_params")
        args = vllm.AsyncEngineArgs(model=self._model_name, **self._engine_options)
        return vllm.AsyncLLMEngine.from_engine_args(args)

    def _prompt(self, request: GenerationRequest) -> str:
        chat = [{"role": role, "content": content} for role, content in request.messages]
        return str(
            self._tokenizer.apply_chat_template(chat, tokenize=False, add_generation_prompt=True)
        )

    def _sampling_params(self, request: GenerationRequest) -> Any:
        assert self._vllm is not None
        assert self._vllm_sampling is not None
        options: dict[str, Any] = {
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
        }
        if request.json_schema is not None:
            options |= _structured_output(self._vllm_sampling, request.json_schema)
        return self._vllm.SamplingParams(**options)

    async def generate(self, request: GenerationRequest) -> str:
        engine = await self._started()
        request_id = f"graphnode-{uuid.uuid4().hex}"
        final: Any = None
        try:
            async for output in engine.generate(
                self._prompt(request), self._sampling_params(request), request_id
            ):
                final = output
        except asyncio.CancelledError:
            # The caller is gone: free the engine's slot instead of finishing for nobody.
            with contextlib.suppress(Exception):
                await engine.abort(request_id)
            raise
        except Exception as error:
            raise LanguageModelError(f"vLLM failed: {error!r}") from error
        if final is None or not final.outputs:
            raise LanguageModelError("vLLM finished without output")
        return str(final.outputs[0].text)

    async def check_health(self) -> bool:
        if self._closed:
            return False
        if self._engine is None:
            return True  # starts on first use
        try:
            await self._engine.check_health()
        except Exception:  # an unhealthy engine raises; the answer is simply "no"
            return False
        return True

    async def close(self) -> None:
        self._closed = True
        engine, self._engine = self._engine, None
        if engine is not None:
            engine.shutdown()
