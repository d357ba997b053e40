"""The prose of summary.json: the overview ``summary_text`` and each cluster's ``insight_text``.

All requests (one overview, one per cluster) go to the model at once. Each answer is checked
(length, no template debris, not the prompt copied back, not a loop, the requested script)
and cut back to its last full sentence; any that fails is replaced by a deterministic English
sentence built from names, sizes and keywords, with a log line.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from graphnode.ai.llm.base import LOGGER_NAME, GenerationRequest, LanguageModel
from graphnode.ai.llm.keyword_text import fallback_insight, fallback_summary, truncate
from graphnode.ai.llm.text_checks import (
    clean_prose,
    echoes_prompt,
    fits_language,
    has_letters,
    has_template_debris,
    is_repetitive,
    language_name,
    trim_to_sentence,
)

logger = logging.getLogger(LOGGER_NAME)

Source = Literal["llm", "keywords"]

SYSTEM_PROMPT = (
    "You describe a person's interests from the topics of their chat history. "
    "Write plain sentences: no lists, no headings, no JSON."
)
OVERVIEW_TASK = "Write 2 or 3 sentences summarising what this person explores."
INSIGHT_TASK = "Write one or two sentences on what this topic shows about the person."
_OVERVIEW_LENGTH = (40, 1200)
_INSIGHT_LENGTH = (20, 600)
_PROMPT_CLUSTERS = 8
_PROMPT_KEYWORDS = 5
_LIST_ITEM = re.compile(r"(?:^|\n)\s*(?:\d+[.)]|[-*•])\s")
# Chinese, Japanese and Korean say in one character what takes two or more in English.
_DENSE_SCRIPTS = frozenset({"ja", "ko", "zh"})
_MIN_TERM_LENGTH = 4  # shorter words ("the", "app") match by accident


@dataclass(frozen=True, slots=True)
class ClusterDigest:
    """One named cluster as the writer sees it."""

    cluster_id: str
    name: str
    size: int
    keywords: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GraphBrief:
    """The facts the summary is written from; ``clusters`` in any order."""

    total_nodes: int
    clusters: tuple[ClusterDigest, ...]
    first_time: datetime | None = None
    last_time: datetime | None = None

    def span_text(self) -> str | None:
        """ "from March 2023 to May 2024", or None when the dates are unknown."""
        if self.first_time is None or self.last_time is None:
            return None
        start, end = (moment.strftime("%B %Y") for moment in (self.first_time, self.last_time))
        return f"in {start}" if start == end else f"from {start} to {end}"


@dataclass(frozen=True, slots=True)
class ClusterInsight:
    cluster_id: str
    insight_text: str
    source: Source


@dataclass(frozen=True, slots=True)
class SummaryTexts:
    summary_text: str
    summary_source: Source
    insights: tuple[ClusterInsight, ...]

    def insight_text(self, cluster_id: str) -> str:
        for insight in self.insights:
            if insight.cluster_id == cluster_id:
                return insight.insight_text
        raise KeyError(cluster_id)


@dataclass(frozen=True, slots=True)
class _Task:
    """One text to write: the request, what counts as an echo, and the fallback."""

    label: str
    request: GenerationRequest
    instructions: tuple[str, ...]
    length: tuple[int, int]
    fallback: str
    subject_terms: tuple[str, ...]


class SummaryWriter:
    """Writes summary prose with ``model``, or from keywords alone when ``model`` is None."""

    def __init__(
        self,
        model: LanguageModel | None,
        *,
        max_overview_tokens: int = 160,
        max_insight_tokens: int = 80,
        temperature: float = 0.0,
        timeout_s: float | None = 120.0,
    ) -> None:
        self._model = model
        self._max_overview_tokens = max_overview_tokens
        self._max_insight_tokens = max_insight_tokens
        self._temperature = temperature
        self._timeout_s = timeout_s

    async def write(self, brief: GraphBrief, *, language: str | None = None) -> SummaryTexts:
        """Overview and per-cluster insights (largest cluster first); never raises."""
        clusters = sorted(brief.clusters, key=lambda cluster: (-cluster.size, cluster.cluster_id))
        tasks = [self._overview_task(brief, clusters, language)]
        tasks += [self._insight_task(brief, cluster, language) for cluster in clusters]
        results = await asyncio.gather(*(self._run(task, language) for task in tasks))
        (summary_text, summary_source), *insight_results = results
        insights = tuple(
            ClusterInsight(cluster.cluster_id, text, source)
            for cluster, (text, source) in zip(clusters, insight_results, strict=True)
        )
        return SummaryTexts(summary_text, summary_source, insights)

    def _instructions(self, task: str, language: str | None) -> list[str]:
        lines = [SYSTEM_PROMPT, task]
        target = language_name(language)
        if target:
            lines.append(f"Write in {target}.")
        return lines

    def _overview_task(
        self, brief: GraphBrief, clusters: Sequence[ClusterDigest], language: str | None
    ) -> _Task:
        span = brief.span_text()
        facts = [f"{brief.total_nodes} conversations" + (f" {span}" if span else "") + "."]
        facts.append("Topics (conversations; keywords):")
        facts += [
            f"- {cluster.name} ({cluster.size}; {', '.join(cluster.keywords[:_PROMPT_KEYWORDS])})"
            for cluster in clusters[:_PROMPT_CLUSTERS]
        ]
        keywords = [word for cluster in clusters for word in cluster.keywords[:2]]
        fallback = fallback_summary(
            brief.total_nodes, span, [(c.name, c.size) for c in clusters], keywords
        )
        terms = _subject_terms(clusters)
        return self._task("overview", facts, OVERVIEW_TASK, language, fallback, terms)

    def _insight_task(
        self, brief: GraphBrief, cluster: ClusterDigest, language: str | None
    ) -> _Task:
        facts = [
            f"Topic: {cluster.name} ({cluster.size} of {brief.total_nodes} conversations).",
            f"Keywords: {', '.join(cluster.keywords[:_PROMPT_KEYWORDS])}.",
        ]
        fallback = fallback_insight(cluster.name, cluster.size, brief.total_nodes, cluster.keywords)
        terms = _subject_terms([cluster])
        return self._task(cluster.cluster_id, facts, INSIGHT_TASK, language, fallback, terms)

    def _task(
        self,
        label: str,
        facts: list[str],
        task: str,
        language: str | None,
        fallback: str,
        terms: tuple[str, ...],
    ) -> _Task:
        instructions = self._instructions(task, language)
        overview = label == "overview"
        request = GenerationRequest(
            messages=(("system", SYSTEM_PROMPT), ("user", "\n".join([*facts, *instructions[1:]]))),
            max_tokens=self._max_overview_tokens if overview else self._max_insight_tokens,
            temperature=self._temperature,
        )
        length = _OVERVIEW_LENGTH if overview else _INSIGHT_LENGTH
        return _Task(label, request, tuple(instructions), length, fallback, terms)

    async def _run(self, task: _Task, language: str | None) -> tuple[str, Source]:
        if self._model is None:
            return task.fallback, "keywords"
        try:
            async with asyncio.timeout(self._timeout_s):
                answer = await self._model.generate(task.request)
        except Exception as error:  # the summary is optional prose: fall back, never fail
            logger.warning(
                "summary text from keywords: LLM failed",
                extra={"part": task.label, "reason": repr(error)},
            )
            return task.fallback, "keywords"
        text, problem = checked_prose(
            answer, task.instructions, task.length, language, task.subject_terms
        )
        if problem is not None:
            logger.info(
                "summary text from keywords: invalid LLM answer",
                extra={"part": task.label, "reason": problem},
            )
            return task.fallback, "keywords"
        return text, "llm"


def _subject_terms(clusters: Sequence[ClusterDigest]) -> tuple[str, ...]:
    words = [word for cluster in clusters for word in cluster.name.split()]
    words += [keyword for cluster in clusters for keyword in cluster.keywords]
    return tuple(dict.fromkeys(w for w in words if len(w) >= _MIN_TERM_LENGTH))


def _mentions_any(text: str, terms: Sequence[str]) -> bool:
    folded = text.casefold()
    return any(term.casefold() in folded for term in terms)


def checked_prose(
    answer: str,
    instructions: Sequence[str],
    length: tuple[int, int],
    language: str | None,
    subject_terms: Sequence[str] = (),
) -> tuple[str, str | None]:
    """(cleaned text, None) when ``answer`` is usable prose, else ("", what is wrong).

    ``subject_terms`` (names, keywords) ground the text: an English answer naming none of
    them is about something else. A translated answer may rightly name none, so the check
    only applies when no other language was asked for.
    """
    low, high = length
    if (language or "").lower()[:2] in _DENSE_SCRIPTS:
        low //= 2
    text = trim_to_sentence(clean_prose(answer), low)
    grounded = bool(language_name(language)) or not subject_terms
    problems: Mapping[str, bool] = {
        "a list": bool(_LIST_ITEM.search(answer)),
        "too short": len(text) < low,
        "too long": len(text) > high,
        "no words": not has_letters(text),
        "template debris": has_template_debris(text),
        "repeats itself": is_repetitive(text),
        "copies the prompt": any(line.casefold() in text.casefold() for line in instructions)
        or echoes_prompt(text, instructions, ()),
        f"not in {language}": not fits_language(text, language),
        "off topic": not grounded and not _mentions_any(text, subject_terms),
    }
    for problem, found in problems.items():
        if found:
            return "", f"{problem}: {truncate(text, 80)!r}"
    return text, None
