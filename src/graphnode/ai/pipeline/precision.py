"""The number format the embedding model computes in: the cheapest one that keeps its vectors.

Measured on 384 ShareGPT chunks with all-MiniLM-L6-v2 on 2 CPU cores (bench/bench_pipeline.py
reports the figures for a whole run):
- ``int8`` for every linear layer (PyTorch or ONNX Runtime dynamic quantization): 1.7-1.8x
  faster, but cosine to the fp32 vectors only 0.92-0.94 on average: rejected.
- ``int8`` leaving the ``*.output.dense`` projections in fp32 (they feed the residual sums
  whose activations carry outliers): 1.5x faster, cosine 0.990 on average (0.978 at worst),
  9 in 10 of each chunk's 10 nearest neighbours unchanged. The CPU default (``auto``): on
  the two labelled corpora of ``bench/labelled.py`` it embedded them 1.33x faster, at cosine
  0.994 to fp32 on average, with ARI, NMI and nearest-neighbour agreement level with fp32
  within the spread of UMAP seeds (0.624 / 0.709 against 0.621 / 0.700, and 0.472 / 0.601
  against 0.461 / 0.575).
- ONNX Runtime in fp32: 1.04x, not worth a second runtime.
On a GPU ``fp16`` halves the memory traffic and uses the tensor cores; the vectors agree with
fp32 to about four decimals, so ``auto`` picks it there.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

log = logging.getLogger("graphnode.ai.embed")

PRECISIONS = ("auto", "fp32", "fp16", "int8")
# Layers that stay fp32 under int8: quantizing them costs the most accuracy (see above).
KEEP_FP32_SUFFIX = "output.dense"


def effective_precision(requested: str, device: str) -> str:
    """What ``requested`` means on ``device``: fp16 is for GPUs, int8 (dynamic) for CPUs, and
    ``auto`` picks the one its device is for."""
    if requested not in PRECISIONS:
        raise ValueError(f"unknown embedding precision {requested!r}; one of {PRECISIONS}")
    on_gpu = device.startswith("cuda")
    if requested == "auto":
        return "fp16" if on_gpu else "int8"
    if requested == "fp16" and not on_gpu:
        log.warning("fp16 embeddings need a GPU; using fp32 on the CPU")
        return "fp32"
    if requested == "int8" and on_gpu:
        log.warning("int8 embeddings are for the CPU; using fp16 on the GPU")
        return "fp16"
    return requested


def _transformer_attribute(model: Any) -> str:
    """Where the Hugging Face module sits in a SentenceTransformer's first module:
    ``model`` in sentence-transformers 6, ``auto_model`` in earlier releases."""
    return "model" if hasattr(model[0], "model") else "auto_model"


def apply_precision(model: Any, precision: str) -> None:
    """Convert a loaded SentenceTransformer in place to an ``effective_precision`` result."""
    if precision == "fp16":
        model.half()
    elif precision == "int8":
        import torch
        from torch.ao.quantization import quantize_dynamic

        attribute = _transformer_attribute(model)
        inner = getattr(model[0], attribute)
        layers = {
            name
            for name, module in inner.named_modules()
            if isinstance(module, torch.nn.Linear) and not name.endswith(KEEP_FP32_SUFFIX)
        }
        with warnings.catch_warnings():
            # PyTorch announces that its quantized tensor types will move to torchao; they
            # still work in the torch we pin, and the bench re-measures them on each upgrade.
            warnings.simplefilter("ignore", UserWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            setattr(model[0], attribute, quantize_dynamic(inner, layers, dtype=torch.qint8))
