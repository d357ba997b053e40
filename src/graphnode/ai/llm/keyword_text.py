"""Deterministic texts built from keywords: the ``keywords`` backend and every name fallback.

Same input, same output, no model: a graph built without an LLM, or with one that failed,
still has readable names (in English). Summary prose has its own module, ``summary_prose``.
"""

from __future__ import annotations

from collections.abc import Sequence

MAX_NAME_LENGTH = 60
_KEYWORD_NAME_TARGET = 40
_MAX_THEMES = 5


def display_keyword(keyword: str) -> str:
    """Title-case lower-case words only, so "vLLM", "AWS" and "iPhone" keep their spelling."""
    return " ".join(
        word[:1].upper() + word[1:] if word.islower() else word for word in keyword.split()
    )


def _stems(keyword: str) -> frozenset[str]:
    # "model" and "models" are one keyword to a reader; a crude plural fold is enough here.
    return frozenset(
        word[:-1] if len(word) > 3 and word.endswith("s") else word
        for word in keyword.casefold().split()
    )


def distinct_keywords(keywords: Sequence[str], limit: int) -> list[str]:
    """Up to ``limit`` keywords as given, skipping any whose words an earlier one covers."""
    chosen: list[str] = []
    covered: set[str] = set()
    for keyword in keywords:
        stems = _stems(keyword)
        if not stems or stems <= covered:
            continue
        chosen.append(" ".join(keyword.split()))
        covered |= stems
        if len(chosen) == limit:
            break
    return chosen


def join_words(parts: Sequence[str], conjunction: str = "&") -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} {conjunction} {parts[-1]}"


def truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip(" ,;:-") + "…"


def keyword_name(keywords: Sequence[str], titles: Sequence[str] = ()) -> str:
    """The cluster's key phrase, title-cased: "Emergency Fund"; a single word gets the next
    distinct keyword beside it ("Marathon & Pace"), since one word rarely says the topic.

    ``keywords`` come best first (by relevance and diversity, see ``pipeline.phrases``), so
    two of them at most: three or more read as a keyword list, not a topic.
    """
    parts = [display_keyword(keyword) for keyword in distinct_keywords(keywords, 2)]
    if parts and (" " in parts[0] or len(parts) == 1):
        return truncate(parts[0], MAX_NAME_LENGTH)
    if parts:
        pair = join_words(parts)
        return truncate(pair if len(pair) <= _KEYWORD_NAME_TARGET else parts[0], MAX_NAME_LENGTH)
    if titles and titles[0].strip():
        return truncate(" ".join(titles[0].split()), MAX_NAME_LENGTH)
    return "Miscellaneous"


def keyword_themes(keywords: Sequence[str]) -> tuple[str, ...]:
    return tuple(distinct_keywords(keywords, _MAX_THEMES))


def keyword_description(size: int, keywords: Sequence[str], titles: Sequence[str]) -> str:
    noun = "conversation" if size == 1 else "conversations"
    topics = distinct_keywords(keywords, 3)
    text = f"{size} {noun}"
    if topics:
        text += f" about {join_words(topics, 'and')}"
    examples = [f"“{truncate(title.strip(), 50)}”" for title in titles[:2] if title.strip()]
    if examples:
        text += f", such as {join_words(examples, 'and')}"
    return text + "."
