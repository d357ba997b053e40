"""The embedding model's number format: what each setting means on each device, and int8
on the CPU keeping the vectors close to fp32 with the real model."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from graphnode.ai.pipeline.embedder import SentenceTransformerModel
from graphnode.ai.pipeline.precision import KEEP_FP32_SUFFIX, effective_precision

TEXTS = [
    "How do I make sourdough bread rise more in a cold kitchen?",
    "Explain the difference between a process and a thread in Linux.",
    "What should I pack for a week of hiking in the Alps in September?",
    "Help me write a cover letter for a junior data analyst role.",
    "Why does my React component render twice in development mode?",
    "Suggest a beginner strength training plan, three days a week.",
    "제주도 여행 일정을 3일로 짜 주세요.",
    "如何提高深度学习模型的泛化能力",
]


@pytest.mark.parametrize(
    ("requested", "device", "expected"),
    [
        ("auto", "cpu", "int8"),
        ("auto", "cuda", "fp16"),
        ("auto", "cuda:1", "fp16"),
        ("fp16", "cpu", "fp32"),
        ("int8", "cuda", "fp16"),
        ("int8", "cpu", "int8"),
        ("fp32", "cuda", "fp32"),
    ],
)
def test_each_precision_means_what_the_device_can_do(requested, device, expected):
    assert effective_precision(requested, device) == expected


def test_an_unknown_precision_is_refused():
    with pytest.raises(ValueError, match="bf8"):
        effective_precision("bf8", "cpu")


def test_int8_on_the_cpu_keeps_the_vectors_close_to_fp32():
    exact = SentenceTransformerModel(device="cpu", precision="fp32")
    fast = SentenceTransformerModel(device="cpu", precision="int8")
    assert (exact.precision, fast.precision) == ("fp32", "int8")
    layers = dict(fast._model[0].model.named_modules())
    dynamic_int8 = torch.ao.nn.quantized.dynamic.Linear
    quantized = [n for n, m in layers.items() if isinstance(m, dynamic_int8)]
    kept = [n for n, m in layers.items() if type(m) is torch.nn.Linear]
    assert quantized
    assert kept
    assert all(n.endswith(KEEP_FP32_SUFFIX) for n in kept)
    a, b = exact.encode(TEXTS), fast.encode(TEXTS)
    cosine = (a * b).sum(axis=1)
    assert cosine.min() > 0.95
    assert cosine.mean() > 0.98

    # The topics stay apart: every text's nearest other text is the same under both.
    def nearest(v: np.ndarray) -> np.ndarray:
        similarity = v @ v.T
        np.fill_diagonal(similarity, -1)
        return similarity.argmax(axis=1)

    assert (nearest(a) == nearest(b)).mean() >= 0.75
