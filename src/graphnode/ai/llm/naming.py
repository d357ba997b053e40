"""Naming topic clusters: one LLM request per cluster, all at once, never failing.

The model sees a cluster's key phrases and its most central titles and answers
``{"name", "description", "themes"}``. A name is kept only when it is grounded: well formed
(not a placeholder, a sentence, the prompt copied back, one conversation's title), not a
proper name that only a few of the cluster's conversations mention, and, by the embedding
model, nearer its own cluster's centroid than any other's. Whatever goes wrong, that
cluster gets its phrase label instead and one log line says why. The checks are the same
for every backend and language. Names are then made unique per graph.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np

from graphnode.ai.llm.base import LOGGER_NAME, GenerationRequest, LanguageModel
from graphnode.ai.llm.fact_checks import unknown_capitalised
from graphnode.ai.llm.grounding import TextEncoder, similarities
from graphnode.ai.llm.json_output import extract_json_object
from graphnode.ai.llm.keyword_text import (
    MAX_NAME_LENGTH,
    display_keyword,
    keyword_description,
    keyword_name,
    keyword_themes,
    truncate,
)
from graphnode.ai.llm.text_checks import (
    clean_line,
    echoes_prompt,
    fits_language,
    has_letters,
    has_template_debris,
    is_generic_name,
    is_repetitive,
    is_vague_name,
    language_name,
    rarely_carried_proper_name,
    reads_as_sentence,
)

logger = logging.getLogger(LOGGER_NAME)

Source = Literal["llm", "keywords"]

# Deliberately tiny: every extra key is another chance for a 135M model to go wrong.
LABEL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "description": {"type": "string"},
        "themes": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["name", "description", "themes"],
    "additionalProperties": False,  # lets OpenAI's strict structured output accept it
}

SYSTEM_PROMPT = (
    "You name topic clusters of a person's chat history. Answer with one JSON object only."
)
ANSWER_FORMAT = (
    'Return JSON with "name" (a 2-5 word topic name), "description" (one sentence) '
    'and "themes" (3 short phrases).'
)
_MIN_NAME_LENGTH = 2
_DESCRIPTION_LENGTH = (10, 300)
_THEME_LENGTH = (2, 40)
_MAX_THEMES = 5
# A proper name in a topic's name must appear in at least this share of its conversations:
# "Jeff Walker" from one of forty marketing chats names that chat, not the topic.
MIN_PROPER_NAME_SHARE = 0.2
# Least cosine between a name and its own cluster's centroid (nearest is also required): with
# a single cluster there is nothing to be nearer than, and a name must still be about it.
MIN_NAME_SIMILARITY = 0.15


@dataclass(frozen=True, slots=True)
class ClusterBrief:
    """What the namer knows about one cluster: its key phrases and most central titles,
    best first, and every member's text (title included), to tell a word the cluster
    carries from one that a single conversation mentions (none given: the titles)."""

    cluster_id: str
    size: int
    keywords: tuple[str, ...]
    titles: tuple[str, ...] = ()
    member_texts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ClusterLabel:
    name: str
    description: str
    themes: tuple[str, ...]
    source: Source


def keyword_label(brief: ClusterBrief) -> ClusterLabel:
    """The deterministic label of the ``keywords`` backend and of every fallback."""
    return ClusterLabel(
        name=keyword_name(brief.keywords, brief.titles),
        description=keyword_description(brief.size, brief.keywords, brief.titles),
        themes=keyword_themes(brief.keywords),
        source="keywords",
    )


class InvalidAnswerError(ValueError):
    """The model answered, but not with a usable label; the message says what was wrong."""


@dataclass(frozen=True, slots=True)
class _Prompt:
    request: GenerationRequest
    instructions: tuple[str, ...]
    data_lines: tuple[str, ...]
    carriers: tuple[str, ...] = ()  # the cluster's texts a proper name must be found in


class ClusterNamer:
    """Names clusters with ``model``, or from key phrases alone when ``model`` is None.

    ``encoder`` (the pipeline's embedding batcher) embeds the model's names for the check
    against the clusters' centroids, which ``name`` receives; without either, that check is
    skipped (pure unit tests). ``timeout_s`` bounds each cluster's request (the local model
    may be busy with other users' batches); None waits as long as it takes. ``max_tokens``
    is 64 because a whole label takes about 50; longer answers are a model rambling, and in
    a padded batch the longest row sets everyone's pace (64 instead of 96 made a batch of 8
    about 1.7x faster).
    """

    def __init__(
        self,
        model: LanguageModel | None,
        *,
        encoder: TextEncoder | None = None,
        max_keywords: int = 8,
        max_titles: int = 4,
        max_tokens: int = 64,
        temperature: float = 0.0,
        timeout_s: float | None = 120.0,
    ) -> None:
        self._model = model
        self._encoder = encoder
        self._max_keywords = max_keywords
        self._max_titles = max_titles
        self._max_tokens = max_tokens
        self._temperature = temperature
        self._timeout_s = timeout_s

    async def name(
        self,
        briefs: Sequence[ClusterBrief],
        *,
        language: str | None = None,
        centroids: np.ndarray | None = None,
    ) -> list[ClusterLabel]:
        """One label per brief, in order, unique by name (case-insensitive); never raises.

        ``centroids`` row i is brief i's cluster; rows past the briefs are clusters not
        named now (the graph's other clusters, when nodes are added) that a name must not
        lie nearer to.
        """
        labels = await asyncio.gather(*(self._label(brief, language) for brief in briefs))
        labels = await self._grounded(list(labels), briefs, centroids)
        return make_names_unique(labels, briefs)

    async def _label(self, brief: ClusterBrief, language: str | None) -> ClusterLabel:
        fallback = keyword_label(brief)
        if self._model is None:
            return fallback
        prompt = self._prompt(brief, language)
        try:
            async with asyncio.timeout(self._timeout_s):
                answer = await self._model.generate(prompt.request)
            return _label_from_answer(answer, prompt, fallback, language)
        except InvalidAnswerError as error:
            _log_fallback(brief, "invalid LLM answer", str(error))
        except Exception as error:  # any model failure means keywords, never a failed graph
            _log_fallback(brief, "LLM failed", repr(error), level=logging.WARNING)
        return fallback

    async def _grounded(
        self,
        labels: list[ClusterLabel],
        briefs: Sequence[ClusterBrief],
        centroids: np.ndarray | None,
    ) -> list[ClusterLabel]:
        """The model's names that lie nearest their own cluster; the others replaced."""
        chosen = [i for i, label in enumerate(labels) if label.source == "llm"]
        if not chosen or self._encoder is None or centroids is None or len(centroids) == 0:
            return labels
        try:
            vectors = await self._encoder.encode([labels[i].name for i in chosen])
        except Exception as error:  # an unchecked name may be invented: keep none
            problems = {i: f"the grounding check failed: {error!r}" for i in chosen}
        else:
            sims = similarities(vectors, centroids)
            problems = {
                i: problem
                for row, i in enumerate(chosen)
                if (problem := _grounding_problem(labels[i].name, i, sims[row], briefs))
            }
        for i, problem in problems.items():
            _log_fallback(briefs[i], "name not grounded", problem)
            labels[i] = keyword_label(briefs[i])
        return labels

    def _prompt(self, brief: ClusterBrief, language: str | None) -> _Prompt:
        keywords = ", ".join(brief.keywords[: self._max_keywords])
        titles = "; ".join(truncate(title, 80) for title in brief.titles[: self._max_titles])
        lines = [f"Key phrases: {keywords}"]
        if titles:
            lines.append(f"Typical titles: {titles}")
        instructions = [SYSTEM_PROMPT, ANSWER_FORMAT]
        target = language_name(language)
        if target:
            instructions.append(f"Write the name, description and themes in {target}.")
        request = GenerationRequest(
            messages=(("system", SYSTEM_PROMPT), ("user", "\n".join([*lines, *instructions[1:]]))),
            max_tokens=self._max_tokens,
            temperature=self._temperature,
            json_schema=LABEL_SCHEMA,
        )
        carriers = brief.member_texts or brief.titles
        return _Prompt(request, tuple(instructions), (keywords, titles), carriers)


def _log_fallback(
    brief: ClusterBrief, what: str, reason: str, *, level: int = logging.INFO
) -> None:
    logger.log(
        level,
        f"cluster named from keywords: {what}",
        extra={"cluster_id": brief.cluster_id, "reason": reason},
    )


def _grounding_problem(
    name: str, own: int, sims: np.ndarray, briefs: Sequence[ClusterBrief]
) -> str | None:
    """Why ``name`` (cosine ``sims`` to every centroid) is not about cluster ``own``, if so."""
    nearest = int(np.argmax(sims))
    if nearest != own:
        other = briefs[nearest].cluster_id if nearest < len(briefs) else f"centroid {nearest}"
        return (
            f"name {name!r} lies nearer {other} ({sims[nearest]:.2f}) than its own cluster"
            f" ({sims[own]:.2f})"
        )
    if sims[own] < MIN_NAME_SIMILARITY:
        return f"name {name!r} is too far from its cluster ({sims[own]:.2f})"
    return None


def _label_from_answer(
    answer: str, prompt: _Prompt, fallback: ClusterLabel, language: str | None
) -> ClusterLabel:
    """The model's label if its name is valid; description and themes repaired if not.

    The name is what the graph shows, so only an invalid name rejects the answer; a missing
    or broken description or theme list is replaced from keywords rather than throwing away
    a good name (a 135M model often gets the name right and the rest wrong).
    """
    data = extract_json_object(answer)
    if data is None:
        raise InvalidAnswerError(f"no JSON object in {truncate(answer, 80)!r}")
    name = _valid_name(data.get("name"), prompt, language)
    return ClusterLabel(
        name=name,
        description=_valid_description(data.get("description"), prompt, language)
        or fallback.description,
        themes=_valid_themes(data.get("themes"), prompt) or fallback.themes,
        source="llm",
    )


def _valid_name(value: object, prompt: _Prompt, language: str | None) -> str:
    name = clean_line(value)
    if not _MIN_NAME_LENGTH <= len(name) <= MAX_NAME_LENGTH:
        raise InvalidAnswerError(f"name {truncate(str(value), 80)!r} has a bad length")
    if not has_letters(name) or has_template_debris(name):
        raise InvalidAnswerError(f"name {name!r} is not a name")
    if is_generic_name(name):
        raise InvalidAnswerError(f"name {name!r} is generic")
    if echoes_prompt(name, prompt.instructions, prompt.data_lines):
        raise InvalidAnswerError(f"name {name!r} copies the prompt")
    if not fits_language(name, language):
        raise InvalidAnswerError(f"name {name!r} is not in {language}")
    if reads_as_sentence(name) or is_vague_name(name):
        raise InvalidAnswerError(f"name {name!r} is not a topic")
    if _copies_a_title(name, prompt):
        raise InvalidAnswerError(f"name {name!r} is one conversation's title, not the topic's")
    if not _relates_to_data(name, prompt):
        raise InvalidAnswerError(f"name {name!r} shares no word with the keywords or titles")
    rare = rarely_carried_proper_name(name, prompt.carriers, MIN_PROPER_NAME_SHARE)
    if rare:
        raise InvalidAnswerError(f"name {name!r} takes {rare!r} from few of the conversations")
    # "helm" or "marathon planning" reads as a tag, not a title; mixed case is kept as is.
    return display_keyword(name) if name.islower() else name


_WORDS = re.compile(r"[^\W\d_]{4,}", re.UNICODE)


def _stems(text: str) -> set[str]:
    # The first four letters: "bread"/"breads", "running"/"runner" meet; cheap and language-blind.
    return {word.lower()[:4] for word in _WORDS.findall(text)}


def _copies_a_title(name: str, prompt: _Prompt) -> bool:
    # data_lines is (keywords, titles joined by "; "), as _prompt builds it.
    titles = prompt.data_lines[1].split("; ") if len(prompt.data_lines) > 1 else []
    return name.casefold().strip() in {title.casefold().strip() for title in titles}


def _relates_to_data(name: str, prompt: _Prompt) -> bool:
    """A Latin-script name must share a word stem with the cluster's keywords, titles or
    texts (a 135M model sometimes names a topic after nothing in it)."""
    stems = _stems(name)
    if not stems:  # short words only, or a script without spaces: other checks decide
        return True
    if stems & _stems(" ".join(prompt.data_lines)):
        return True
    # "Baking" for a cluster whose phrases say "bake": any member's text may carry the stem.
    return any(stem in text.casefold() for text in prompt.carriers for stem in stems)


def _valid_description(value: object, prompt: _Prompt, language: str | None) -> str | None:
    text = clean_line(value)
    low, high = _DESCRIPTION_LENGTH
    if not low <= len(text) <= high or has_template_debris(text) or is_repetitive(text):
        return None
    if echoes_prompt(text, prompt.instructions, prompt.data_lines):
        return None
    if not fits_language(text, language):
        return None
    if unknown_capitalised(text, " ".join([*prompt.data_lines, *prompt.carriers])):
        return None  # a name the cluster never mentions: invented
    return text if text.endswith((".", "!", "?", "。")) else text + "."


def _valid_themes(value: object, prompt: _Prompt) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    low, high = _THEME_LENGTH
    themes: list[str] = []
    for item in value:
        theme = clean_line(item)
        if not low <= len(theme) <= high or not has_letters(theme):
            continue
        if has_template_debris(theme) or echoes_prompt(theme, prompt.instructions, ()):
            continue
        if theme.casefold() not in {seen.casefold() for seen in themes}:
            themes.append(theme)
    return tuple(themes[:_MAX_THEMES])


def make_names_unique(
    labels: Sequence[ClusterLabel], briefs: Sequence[ClusterBrief]
) -> list[ClusterLabel]:
    """First come keeps its name; a later duplicate gets a distinguishing keyword appended."""
    taken: set[str] = set()
    unique: list[ClusterLabel] = []
    for label, brief in zip(labels, briefs, strict=True):
        name = label.name
        if name.casefold() in taken:
            name = _distinguished(name, brief, taken)
        taken.add(name.casefold())
        unique.append(label if name == label.name else replace(label, name=name))
    return unique


def _distinguished(name: str, brief: ClusterBrief, taken: set[str]) -> str:
    words = set(name.casefold().split())
    for keyword in brief.keywords:
        if set(keyword.casefold().split()) <= words:
            continue
        suffix = f" ({display_keyword(keyword.strip())})"
        candidate = truncate(name, MAX_NAME_LENGTH - len(suffix)) + suffix
        if len(suffix) < MAX_NAME_LENGTH // 2 and candidate.casefold() not in taken:
            return candidate
    number = 2
    while True:
        suffix = f" ({number})"
        candidate = truncate(name, MAX_NAME_LENGTH - len(suffix)) + suffix
        if candidate.casefold() not in taken:
            return candidate
        number += 1
