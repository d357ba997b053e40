"""Choosing a backend by name: ``keywords``, ``local``, ``openai`` or ``vllm``.

The returned model is not started: use ``async with model:`` (or call ``close()`` when done;
every backend also starts lazily on its first request). ``keywords`` means no model at all,
so the factory returns None and the namer and writer use their keyword texts.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from graphnode.ai.llm.base import LanguageModel, LanguageModelUnavailableError

BACKENDS = ("keywords", "local", "openai", "vllm")

# Read only when the caller does not pass the option, so settings objects and tests can
# always override the environment.
_OPENAI_ENVIRONMENT = {
    "base_url": ("GRAPHNODE_LLM_BASE_URL",),
    "model": ("GRAPHNODE_LLM_MODEL",),
    "api_key": ("GRAPHNODE_LLM_API_KEY", "OPENAI_API_KEY"),
}
_OPENAI_DEFAULT_MODEL = "smollm2-135m-instruct"  # what graphnode.ai.llm.serve calls its model


def openai_options(
    options: Mapping[str, Any], environ: Mapping[str, str] = os.environ
) -> dict[str, Any]:
    """``options`` completed from the environment for the ``openai`` backend."""
    merged = dict(options)
    for option, variables in _OPENAI_ENVIRONMENT.items():
        if merged.get(option) is None:
            value = next((environ[name] for name in variables if environ.get(name)), None)
            if value is not None:
                merged[option] = value
    merged.setdefault("model", _OPENAI_DEFAULT_MODEL)
    return merged


def open_language_model(name: str, **options: Any) -> LanguageModel | None:
    """The backend called ``name``, built with ``options`` (its constructor's keywords).

    Raises ValueError for an unknown name and LanguageModelUnavailableError (with the
    install command) for a backend this installation cannot run.
    """
    backend = name.strip().lower()
    if backend == "keywords":
        if options:
            raise TypeError(f"the keywords backend takes no options, got {sorted(options)}")
        return None
    if backend == "local":
        from graphnode.ai.llm.local import LocalLanguageModel

        return LocalLanguageModel(**options)
    if backend == "openai":
        try:
            from graphnode.ai.llm.openai_compat import OpenAICompatibleModel
        except ModuleNotFoundError as error:  # the openai SDK comes with the ai extra
            raise LanguageModelUnavailableError(
                f"the openai backend needs {error.name}: pip install 'graphnode[ai]'"
            ) from error

        merged = openai_options(options)
        if not merged.get("base_url"):
            raise ValueError("the openai backend needs base_url (or GRAPHNODE_LLM_BASE_URL)")
        return OpenAICompatibleModel(**merged)
    if backend == "vllm":
        from graphnode.ai.llm.vllm_engine import VLLMLanguageModel, require_vllm

        require_vllm()  # before the options, so a missing vLLM is the error people see
        return VLLMLanguageModel(**options)
    raise ValueError(f"unknown LLM backend {name!r}; choose one of {', '.join(BACKENDS)}")
