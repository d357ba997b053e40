"""Deterministic texts built from keywords: the ``keywords`` backend and every LLM fallback.

Same input, same output, no model: a graph built without an LLM, or with one that failed,
still has readable names and summaries (in English).
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
    """The top two or three distinct keywords, title-cased: "Python, Asyncio & Aiohttp"."""
    parts: list[str] = []
    for keyword in map(display_keyword, distinct_keywords(keywords, 3)):
        # A third keyword only if the name stays short enough to read at a glance.
        if len(parts) >= 2 and len(join_words([*parts, keyword])) > _KEYWORD_NAME_TARGET:
            break
        parts.append(keyword)
    if parts:
        return truncate(join_words(parts), MAX_NAME_LENGTH)
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


def fallback_insight(name: str, size: int, total: int, keywords: Sequence[str]) -> str:
    share = round(100 * size / total) if total else 0
    noun = "conversation" if size == 1 else "conversations"
    text = f"{name} gathers {size} {noun} ({share}% of the graph)"
    topics = distinct_keywords(keywords, 3)
    if topics:
        text += f", centred on {join_words(topics, 'and')}"
    return text + "."


def fallback_summary(
    total: int,
    span: str | None,
    clusters: Sequence[tuple[str, int]],
    keywords: Sequence[str],
) -> str:
    """``clusters`` are (name, size) pairs, largest first."""
    noun = "conversation" if total == 1 else "conversations"
    text = f"Your {total} {noun}"
    if span:
        text += f" {span}"
    count = len(clusters)
    text += f" fall into {count} {'topic' if count == 1 else 'topics'}."
    if clusters:
        largest = [f"{name} ({size})" for name, size in clusters[:3]]
        label = "The largest is" if len(largest) == 1 else "The largest are"
        text += f" {label} {join_words(largest, 'and')}."
    recurring = distinct_keywords(keywords, 5)
    if recurring:
        text += f" Recurring keywords: {', '.join(recurring)}."
    return text
