"""The deterministic summary's words in each language it can be written in: one phrasebook
per language, the same facts behind each. English (``summary_prose``) is the default;
Korean, Japanese and Chinese say the same choices through sentence templates
(``templated``); any other language gets the English sentences around the user's own
topic names.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from graphnode.ai.llm import summary_prose
from graphnode.ai.llm.phrasebooks.chinese import CHINESE_PROSE
from graphnode.ai.llm.phrasebooks.japanese import JAPANESE_PROSE
from graphnode.ai.llm.phrasebooks.korean import KOREAN_PROSE
from graphnode.ai.llm.phrasebooks.templated import ProseTemplates, TemplatedProse
from graphnode.ai.llm.summary_brief import ClusterDigest, GraphBrief, Trend
from graphnode.languages import base_language


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


def _templated(language: str, templates: ProseTemplates) -> Phrasebook:
    prose = TemplatedProse(templates)
    return Phrasebook(
        language=language,
        overview=prose.overview,
        insight=prose.insight,
        focus=prose.focus,
        activity=prose.activity,
        movement=prose.movement,
        bridge=prose.bridge,
        follow=prose.follow,
        revisit=prose.revisit,
    )


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
KOREAN = _templated("ko", KOREAN_PROSE)
JAPANESE = _templated("ja", JAPANESE_PROSE)
# Simplified characters, also for zh-TW: the script of a user's turns tells Han apart from
# Hangul and kana, not simplified from traditional.
CHINESE = _templated("zh", CHINESE_PROSE)
_BOOKS = {book.language: book for book in (ENGLISH, KOREAN, JAPANESE, CHINESE)}


def phrasebook_for(language: str | None) -> Phrasebook:
    """The phrasebook of ``language`` (``"ko"``, ``"ko-KR"``, ``"zh-TW"``...), else English."""
    return _BOOKS.get(base_language(language), ENGLISH)
