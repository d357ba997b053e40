"""The deterministic summary's words in each language it can be written in: one phrasebook
per language, the same facts behind each. English is the default; any language without a
phrasebook of its own gets the English one (its topic names are still the user's words).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from graphnode.ai.llm import prose_korean, summary_prose
from graphnode.ai.llm.summary_brief import ClusterDigest, GraphBrief, Trend
from graphnode.ai.llm.text_checks import base_language


@dataclass(frozen=True, slots=True)
class Phrasebook:
    language: str
    overview: Callable[[GraphBrief], str]
    insight: Callable[[GraphBrief, ClusterDigest], str]
    focus: Callable[[Sequence[str], float], str]
    activity: Callable[[datetime, int], str]
    movement: Callable[[str, Trend, datetime | None], str]
    bridge: Callable[[str, str, Sequence[str]], str]
    follow: Callable[[str], str]
    revisit: Callable[[str, datetime | None], str]


ENGLISH = Phrasebook(
    language="en",
    overview=summary_prose.overview_prose,
    insight=summary_prose.insight_prose,
    focus=summary_prose.focus_text,
    activity=summary_prose.activity_text,
    movement=summary_prose.movement_text,
    bridge=summary_prose.bridge_text,
    follow=summary_prose.follow_text,
    revisit=summary_prose.revisit_text,
)
KOREAN = Phrasebook(
    language="ko",
    overview=prose_korean.overview_prose,
    insight=prose_korean.insight_prose,
    focus=prose_korean.focus_text,
    activity=prose_korean.activity_text,
    movement=prose_korean.movement_text,
    bridge=prose_korean.bridge_text,
    follow=prose_korean.follow_text,
    revisit=prose_korean.revisit_text,
)
_BOOKS = {book.language: book for book in (ENGLISH, KOREAN)}


def phrasebook_for(language: str | None) -> Phrasebook:
    """The phrasebook of ``language`` (``"ko"``, ``"ko-KR"``...), else the English one."""
    return _BOOKS.get(base_language(language), ENGLISH)
