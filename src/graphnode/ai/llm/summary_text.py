"""The prose of summary.json: the overview ``summary_text`` and each cluster's ``insight_text``.

The model may only reword facts computed from the graph (``summary_brief``). All requests
(one overview, one per cluster) go to it at once, and each answer must pass, in order:

1. the format checks (length, no list, no template debris, not the prompt copied back, not
   a loop, the requested script), after being cut back to its last full sentence;
2. the fact checks: every number, proper noun and code identifier in it is in the facts it
   was given, the overview names the largest topics (English only: a translation may
   translate the names), and an insight names no topic its facts do not (``fact_checks``);
3. the semantic check: every sentence lies nearest a topic it is about, above a floor, by
   the pipeline's own embedding model (when the writer has an encoder and the language is
   one that English model can read).

An answer that fails any of them is replaced by the deterministic prose over the same facts
(``summary_prose``), with one log line giving the reason. Backend and language change
nothing here: every answer goes through the same checks.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from graphnode.ai.llm.base import LOGGER_NAME, GenerationRequest, LanguageModel
from graphnode.ai.llm.fact_checks import (
    SENTENCE_FLOOR,
    naming_problem,
    off_topic_sentences,
    unsupported_facts,
)
from graphnode.ai.llm.grounding import TextEncoder, unit_rows
from graphnode.ai.llm.keyword_text import truncate
from graphnode.ai.llm.phrasebooks import phrasebook_for
from graphnode.ai.llm.summary_brief import (
    ClusterDigest,
    GraphBrief,
    TopicLink,
    insight_facts,
    overview_facts,
)
from graphnode.ai.llm.text_checks import (
    NON_LATIN_LANGUAGES,
    clean_prose,
    echoes_prompt,
    fits_language,
    has_letters,
    has_template_debris,
    is_repetitive,
    language_name,
    trim_to_sentence,
)
from graphnode.languages import base_language

__all__ = [
    "ClusterDigest",
    "ClusterInsight",
    "GraphBrief",
    "SummaryTexts",
    "SummaryWriter",
    "TopicLink",
    "checked_prose",
]

logger = logging.getLogger(LOGGER_NAME)

Source = Literal["llm", "keywords"]

SYSTEM_PROMPT = (
    "You describe a person's interests from the topics of their chat history. "
    "Use only the facts given: no other names, numbers or claims. "
    "Write plain sentences: no lists, no headings, no JSON."
)
OVERVIEW_TASK = (
    "Write 2 or 3 sentences summarising what this person explores, naming the largest topics."
)
INSIGHT_TASK = "Write one or two sentences on what this topic shows about the person."
_OVERVIEW_LENGTH = (40, 1200)
_INSIGHT_LENGTH = (20, 600)
# The overview must name this many of the largest topics (all of them when there are fewer).
OVERVIEW_MUST_NAME = 4
_OVERVIEW_LARGEST = 5
_LIST_ITEM = re.compile(r"(?:^|\n)\s*(?:\d+[.)]|[-*•])\s")
# Chinese, Japanese and Korean say in one character what takes two or more in English.
_DENSE_SCRIPTS = frozenset({"ja", "ko", "zh"})
_MIN_TERM_LENGTH = 4  # shorter words ("the", "app") match by accident
# Insights asked of the model: the largest topics only (with the overview, one batch of 8 for
# the local backend); 40 topics would spend five more batches on prose the reader sees last.
DEFAULT_MAX_LLM_INSIGHTS = 7


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
    """One text to write: the request, its facts, what it must be about, and the fallback."""

    label: str
    request: GenerationRequest
    instructions: tuple[str, ...]
    facts: str
    length: tuple[int, int]
    fallback: str
    subject_terms: tuple[str, ...]
    topics: frozenset[int]  # rows of the centroids its sentences may lie nearest
    must_name: tuple[str, ...] = ()
    # Other topics' names its facts do not mention: an insight naming one has wandered off.
    must_not_name: tuple[str, ...] = ()


class SummaryWriter:
    """Writes summary prose with ``model``, or deterministically when ``model`` is None.

    ``encoder`` (the pipeline's embedding batcher) enables the semantic check; without one
    (pure unit tests) that check is skipped and the others still apply. It runs for prose in
    a non-Latin script only when ``encoder_reads_every_language`` (a multilingual model).

    Token caps: answers are cut back to their last full sentence before any check, so a cap
    needs room only for the sentences asked for; every local answer ran to its cap on the
    sample, and a padded batch runs as long as its longest row (hence 96 and 64, not 160, 80).
    """

    def __init__(
        self,
        model: LanguageModel | None,
        *,
        encoder: TextEncoder | None = None,
        encoder_reads_every_language: bool = False,
        sentence_floor: float = SENTENCE_FLOOR,
        max_overview_tokens: int = 96,
        max_insight_tokens: int = 64,
        max_llm_insights: int = DEFAULT_MAX_LLM_INSIGHTS,
        temperature: float = 0.0,
        timeout_s: float | None = 120.0,
    ) -> None:
        self._model = model
        self._encoder = encoder
        self._every_language = encoder_reads_every_language
        self._floor = sentence_floor
        self._max_overview_tokens = max_overview_tokens
        self._max_insight_tokens = max_insight_tokens
        self._max_llm_insights = max_llm_insights
        self._temperature = temperature
        self._timeout_s = timeout_s

    async def write(self, brief: GraphBrief, *, language: str | None = None) -> SummaryTexts:
        """Overview and per-cluster insights (largest cluster first); never raises."""
        clusters = brief.largest()
        rows = {cluster.cluster_id: row for row, cluster in enumerate(brief.clusters)}
        tasks = [self._overview_task(brief, language)]
        tasks += [
            self._insight_task(brief, cluster, rows[cluster.cluster_id], language)
            for cluster in clusters
        ]
        if self._model is None:
            results: list[tuple[str, Source]] = [(task.fallback, "keywords") for task in tasks]
        else:
            asked = 1 + self._max_llm_insights  # the overview, then the largest topics
            centroids = await self._centroids(brief, language)
            results = await asyncio.gather(
                *(self._run(task, language, centroids) for task in tasks[:asked])
            )
            results += [(task.fallback, "keywords") for task in tasks[asked:]]
            if len(tasks) > asked:
                logger.info(
                    "summary insights of the smaller topics from facts, not from the LLM",
                    extra={"topics": len(tasks) - asked, "asked": self._max_llm_insights},
                )
        (summary_text, summary_source), *insight_results = results
        insights = tuple(
            ClusterInsight(cluster.cluster_id, text, source)
            for cluster, (text, source) in zip(clusters, insight_results, strict=True)
        )
        return SummaryTexts(summary_text, summary_source, insights)

    async def _centroids(self, brief: GraphBrief, language: str | None) -> np.ndarray | None:
        """Rows in ``brief.clusters`` order, or None when the semantic check cannot run."""
        if self._encoder is None:
            return None
        if not self._every_language and base_language(language) in NON_LATIN_LANGUAGES:
            # An English embedding model: Korean or Chinese prose would lie near no topic
            # whatever it said, so only the fact and script checks apply there.
            return None
        if brief.centroids is not None and len(brief.centroids) == len(brief.clusters):
            return unit_rows(brief.centroids)
        return await self._stand_in_centroids(brief.clusters)

    async def _stand_in_centroids(self, clusters: Sequence[ClusterDigest]) -> np.ndarray | None:
        """A graph from storage keeps no vectors: each topic is placed by embedding what the
        summary knows of it (name, keywords, central titles) and averaging."""
        assert self._encoder is not None
        texts: list[str] = []
        owners: list[int] = []
        for row, cluster in enumerate(clusters):
            own = [cluster.name, ", ".join(cluster.keywords[:8]), *cluster.titles[:5]]
            texts += [text for text in own if text.strip()]
            owners += [row] * sum(1 for text in own if text.strip())
        if not texts:
            return None
        try:
            vectors = await self._encoder.encode(texts)
        except Exception as error:  # the check is lost, the summary is not
            logger.warning("summary semantic check skipped", extra={"reason": repr(error)})
            return None
        owner = np.asarray(owners)
        means = np.zeros((len(clusters), vectors.shape[1]), dtype=np.float32)
        for row in set(owners):
            means[row] = vectors[owner == row].mean(axis=0)
        return unit_rows(means)

    def _instructions(self, task: str, language: str | None) -> list[str]:
        lines = [SYSTEM_PROMPT, task]
        target = language_name(language)
        if target:
            lines.append(f"Write in {target}.")
        return lines

    def _overview_task(self, brief: GraphBrief, language: str | None) -> _Task:
        clusters = brief.largest()
        # A translated overview may rightly translate the names, so only English is held to
        # naming them word for word.
        english = language_name(language) is None
        largest = [cluster.name for cluster in clusters[:_OVERVIEW_LARGEST]] if english else []
        return self._task(
            label="overview",
            facts=overview_facts(brief),
            task=OVERVIEW_TASK,
            language=language,
            fallback=phrasebook_for(language).overview(brief),
            terms=_subject_terms(clusters),
            topics=frozenset(range(len(brief.clusters))),
            must_name=tuple(largest),
        )

    def _insight_task(
        self, brief: GraphBrief, cluster: ClusterDigest, row: int, language: str | None
    ) -> _Task:
        facts = insight_facts(brief, cluster)
        given = "\n".join(facts).casefold()
        others = tuple(
            other.name
            for other in brief.clusters
            if other.cluster_id != cluster.cluster_id and other.name.casefold() not in given
        )
        return self._task(
            label=cluster.cluster_id,
            facts=facts,
            task=INSIGHT_TASK,
            language=language,
            fallback=phrasebook_for(language).insight(brief, cluster),
            terms=_subject_terms([cluster]),
            topics=frozenset({row}),
            must_not_name=others,
        )

    def _task(
        self,
        *,
        label: str,
        facts: list[str],
        task: str,
        language: str | None,
        fallback: str,
        terms: tuple[str, ...],
        topics: frozenset[int],
        must_name: tuple[str, ...] = (),
        must_not_name: tuple[str, ...] = (),
    ) -> _Task:
        instructions = self._instructions(task, language)
        overview = label == "overview"
        request = GenerationRequest(
            messages=(("system", SYSTEM_PROMPT), ("user", "\n".join([*facts, *instructions[1:]]))),
            max_tokens=self._max_overview_tokens if overview else self._max_insight_tokens,
            temperature=self._temperature,
        )
        length = _OVERVIEW_LENGTH if overview else _INSIGHT_LENGTH
        return _Task(
            label,
            request,
            tuple(instructions),
            "\n".join(facts),
            length,
            fallback,
            terms,
            topics,
            must_name,
            must_not_name,
        )

    async def _run(
        self, task: _Task, language: str | None, centroids: np.ndarray | None
    ) -> tuple[str, Source]:
        assert self._model is not None
        try:
            async with asyncio.timeout(self._timeout_s):
                answer = await self._model.generate(task.request)
        except Exception as error:  # the summary is optional prose: fall back, never fail
            return self._fallback(task, f"LLM failed: {error!r}", level=logging.WARNING)
        text, problem = checked_prose(
            answer, task.instructions, task.length, language, task.subject_terms
        )
        problem = problem or _fact_problem(text, task)
        if problem is None and centroids is not None:
            problem = await self._semantic_problem(text, centroids, task.topics)
        if problem is not None:
            return self._fallback(task, problem)
        return text, "llm"

    async def _semantic_problem(
        self, text: str, centroids: np.ndarray, topics: Collection[int]
    ) -> str | None:
        assert self._encoder is not None
        try:
            return await off_topic_sentences(
                text, self._encoder, centroids, topics, floor=self._floor
            )
        except Exception as error:  # an encoder failure loses the check, not the summary
            logger.warning("summary semantic check skipped", extra={"reason": repr(error)})
            return None

    def _fallback(
        self, task: _Task, reason: str, *, level: int = logging.INFO
    ) -> tuple[str, Source]:
        logger.log(
            level,
            "summary text from facts, not from the LLM",
            extra={"part": task.label, "reason": reason},
        )
        return task.fallback, "keywords"


def _fact_problem(text: str, task: _Task) -> str | None:
    return unsupported_facts(text, task.facts) or naming_problem(
        text, task.must_name, min(OVERVIEW_MUST_NAME, len(task.must_name)), task.must_not_name
    )


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
    if base_language(language) in _DENSE_SCRIPTS:
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
