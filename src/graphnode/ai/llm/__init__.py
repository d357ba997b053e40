"""Language models for GraphNode: cluster names and summary prose.

``open_language_model(name)`` picks a backend (``keywords``, ``local``, ``openai``,
``vllm``); :class:`ClusterNamer` and :class:`SummaryWriter` use it and fall back to keyword
texts whenever it fails. Importing this package imports neither torch nor vllm.
"""

from graphnode.ai.llm.base import (
    ChatTurn,
    GenerationRequest,
    LanguageModel,
    LanguageModelBusyError,
    LanguageModelError,
    LanguageModelUnavailableError,
)
from graphnode.ai.llm.factory import BACKENDS, open_language_model
from graphnode.ai.llm.naming import ClusterBrief, ClusterLabel, ClusterNamer, keyword_label
from graphnode.ai.llm.summary_text import (
    ClusterDigest,
    ClusterInsight,
    GraphBrief,
    SummaryTexts,
    SummaryWriter,
)

__all__ = [
    "BACKENDS",
    "ChatTurn",
    "ClusterBrief",
    "ClusterDigest",
    "ClusterInsight",
    "ClusterLabel",
    "ClusterNamer",
    "GenerationRequest",
    "GraphBrief",
    "LanguageModel",
    "LanguageModelBusyError",
    "LanguageModelError",
    "LanguageModelUnavailableError",
    "SummaryTexts",
    "SummaryWriter",
    "keyword_label",
    "open_language_model",
]
