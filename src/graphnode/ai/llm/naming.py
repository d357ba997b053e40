"""Naming topic clusters: one LLM request per cluster, all at once, never failing.

The model sees a cluster's top keywords and a few representative titles and answers
``{"name", "description", "themes"}``. Whatever goes wrong (no model, an error, a timeout,
an answer that is not JSON, a placeholder name, the prompt copied back), that cluster gets
its keyword name instead and one log line says why. Names are then made unique per graph.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from graphnode.ai.llm.base import LOGGER_NAME, GenerationRequest, LanguageModel
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
    language_name,
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


@dataclass(frozen=True, slots=True)
class ClusterBrief:
    """What the namer knows about one cluster: its best keywords and titles, best first."""

    cluster_id: str
    size: int
    keywords: tuple[str, ...]
    titles: tuple[str, ...] = ()


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


class ClusterNamer:
    """Names clusters with ``model``, or from keywords alone when ``model`` is None.

    ``timeout_s`` bounds each cluster's request (the local model may be busy with other
    users' batches); None waits as long as it takes. ``max_tokens`` is 64 because a whole
    label takes about 50; longer answers are a model rambling, and in a padded batch the
    longest row sets everyone's pace (64 instead of 96 made a batch of 8 about 1.7x faster).
    """

    def __init__(
        self,
        model: LanguageModel | None,
        *,
        max_keywords: int = 8,
        max_titles: int = 4,
        max_tokens: int = 64,
        temperature: float = 0.0,
        timeout_s: float | None = 120.0,
    ) -> None:
        self._model = model
        self._max_keywords = max_keywords
        self._max_titles = max_titles
        self._max_tokens = max_tokens
        self._temperature = temperature
        self._timeout_s = timeout_s

    async def name(
        self, briefs: Sequence[ClusterBrief], *, language: str | None = None
    ) -> list[ClusterLabel]:
        """One label per brief, in order, unique by name (case-insensitive); never raises."""
        labels = await asyncio.gather(*(self._label(brief, language) for brief in briefs))
        return make_names_unique(list(labels), briefs)

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
            logger.info(
                "cluster named from keywords: invalid LLM answer",
                extra={"cluster_id": brief.cluster_id, "reason": str(error)},
            )
        except Exception as error:  # any model failure means keywords, never a failed graph
            logger.warning(
                "cluster named from keywords: LLM failed",
                extra={"cluster_id": brief.cluster_id, "reason": repr(error)},
            )
        return fallback

    def _prompt(self, brief: ClusterBrief, language: str | None) -> _Prompt:
        keywords = ", ".join(brief.keywords[: self._max_keywords])
        titles = "; ".join(truncate(title, 80) for title in brief.titles[: self._max_titles])
        lines = [f"Keywords: {keywords}"]
        if titles:
            lines.append(f"Example titles: {titles}")
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
        return _Prompt(request, tuple(instructions), (keywords, titles))


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
    if _copies_a_title(name, prompt):
        raise InvalidAnswerError(f"name {name!r} is one conversation's title, not the topic's")
    if not _relates_to_data(name, prompt):
        raise InvalidAnswerError(f"name {name!r} shares no word with the keywords or titles")
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
    """A Latin-script name must share a word stem with the cluster's keywords or titles (a
    135M model sometimes names a topic after nothing in it)."""
    stems = _stems(name)
    if not stems:  # short words only, or a script without spaces: other checks decide
        return True
    return bool(stems & _stems(" ".join(prompt.data_lines)))


def _valid_description(value: object, prompt: _Prompt, language: str | None) -> str | None:
    text = clean_line(value)
    low, high = _DESCRIPTION_LENGTH
    if not low <= len(text) <= high or has_template_debris(text) or is_repetitive(text):
        return None
    if echoes_prompt(text, prompt.instructions, prompt.data_lines):
        return None
    if not fits_language(text, language):
        return None
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
