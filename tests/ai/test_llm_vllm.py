"""The vllm backend cannot run here (CUDA only); choosing it must fail clearly, and early."""

from __future__ import annotations

import importlib
import importlib.util
import sys

import pytest

from graphnode.ai.llm import LanguageModelUnavailableError, open_language_model

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("vllm") is not None, reason="vLLM is installed here"
)


def test_choosing_vllm_without_it_names_the_install_command() -> None:
    with pytest.raises(LanguageModelUnavailableError, match=r"pip install graphnode\[gpu\]"):
        open_language_model("vllm", model="HuggingFaceTB/SmolLM2-135M-Instruct")


def test_the_install_hint_comes_before_any_option_error() -> None:
    with pytest.raises(LanguageModelUnavailableError, match="CUDA only"):
        open_language_model("vllm")


def test_the_package_and_the_adapter_import_without_vllm() -> None:
    module = importlib.import_module("graphnode.ai.llm.vllm_engine")
    assert module.INSTALL_HINT == "pip install graphnode[gpu]"
    assert "vllm" not in sys.modules
