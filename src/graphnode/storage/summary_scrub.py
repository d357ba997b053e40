"""The stored summary without removed items (``DELETE /v1/conversations/{id}``, and a new
summary that was asked for before an item was removed).

A summary is written from the graph as it was; once an item is removed, the summary must
not go on naming it. Writing a new one takes the AI service (and, on CPU, minutes of LLM
time), so what the summary says of the item is taken out at once, here, deterministically:

- its title leaves every topic's ``representative_titles``;
- every sentence that quotes the title leaves the prose (the overview, each topic's
  insight, the patterns and the recommendations): prose is written from the facts, and the
  titles it quotes are facts, so a sentence holding the title is about the item;
- topic sizes and shares, and the overview's counts, are those of the graph now stored;
- a topic that was left without items goes, with the links, patterns and recommendations
  that name it, and its name leaves the primary interests.

What cannot be traced to the item (a paraphrase of its title by an LLM, a month's count in
the activity pattern) stays until the next summary is written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from graphnode.languages import base_language

# A shorter title ("Hi", "?") would match sentences that are not about the item.
MIN_TITLE_CHARS = 4
# A sentence ends at . ! ? and any closing quote and space after it, where what follows does
# not go on in lower case (“Is my starter flat?” and how to feed it is one sentence, with a
# quoted question inside it); or at an ideographic or full-width stop, exclamation or
# question mark (U+3002, U+FF01, U+FF1F), which needs no space after it.
_SENTENCE_END = re.compile(r"(?<=[.!?])[”\"')\]]*\s+(?![a-z])|(?<=[\u3002\uff01\uff1f])[」』”]*\s*")


def phrase_pattern(phrases: list[str]) -> re.Pattern[str] | None:
    """Any of ``phrases`` (a title, a topic's name), spaced as they may be in prose."""
    found = [p.split() for p in phrases if len(" ".join(p.split())) >= MIN_TITLE_CHARS]
    if not found:
        return None
    words = (r"\s+".join(re.escape(word) for word in phrase) for phrase in found)
    return re.compile("|".join(f"(?:{w})" for w in words), re.IGNORECASE)


def _sentences(text: str) -> list[tuple[int, int]]:
    """Each sentence's (start, end) in ``text``, its trailing space included."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((start, match.end()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def without_sentences_quoting(text: str, title: re.Pattern[str] | None) -> str:
    """``text`` less every sentence that holds (or overlaps) a match of ``title``."""
    if title is None or not text:
        return text
    mentions = [m.span() for m in title.finditer(text)]
    if not mentions:
        return text
    kept = [
        text[a:b]
        for a, b in _sentences(text)
        if not any(start < b and a < end for start, end in mentions)
    ]
    return "".join(kept).strip()


def title_key(title: str) -> str:
    return " ".join(title.split()).casefold()


def titles_not_in(summary: Mapping[str, Any], held: set[str]) -> list[str]:
    """The representative titles ``summary`` quotes that no item of the graph bears now
    (``held``: the stored nodes' titles): items removed after the summary was asked for."""
    keys = {title_key(t) for t in held}
    quoted = (
        t for c in summary.get("clusters") or [] for t in c.get("representative_titles") or []
    )
    return list(dict.fromkeys(t for t in quoted if title_key(t) not in keys))


def _names_gone(entry: Any, gone: set[str]) -> bool:
    if not isinstance(entry, Mapping):
        return False
    named = {entry.get("source_cluster"), entry.get("target_cluster"), entry.get("cluster_id")}
    named |= set(entry.get("clusters") or [])
    return bool(named & gone)


def _scrubbed_texts(entries: list[Any], title: re.Pattern[str] | None) -> list[Any]:
    """Patterns or recommendations: each text scrubbed; one left without text goes."""
    kept = []
    for entry in entries:
        if isinstance(entry, Mapping) and isinstance(entry.get("text"), str):
            text = without_sentences_quoting(entry["text"], title)
            if not text:
                continue
            entry = {**entry, "text": text}
        kept.append(entry)
    return kept


def _plain_overview(language: str | None, total: int, clusters: list[dict[str, Any]]) -> str:
    """An overview whose every sentence named the item: the plain facts instead, in the
    languages the AI service's deterministic prose is written in (English, Korean, Japanese,
    Chinese; any other is left empty). The largest topics are the largest now: removals may
    have reordered them."""
    largest = sorted(clusters, key=lambda c: -int(c.get("size") or 0))
    names = [c["name"] for c in largest[:3] if c.get("name")]
    base = base_language(language) or "en"
    if not total:
        return ""
    if base in _PLAIN:
        holds, largest_are, opening, closing, separator = _PLAIN[base]
        text = holds.format(total=total)
        if names:
            listed = separator.join(f"{opening}{name}{closing}" for name in names)
            text += largest_are.format(names=listed)
        return text
    if base not in ("en", "english"):
        return ""
    noun = "conversation" if total == 1 else "conversations"
    text = f"Your graph holds {total} {noun}"
    if names:
        listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        text += f"; the largest topics are {listed}" if len(names) > 1 else f", mostly on {listed}"
    return text + "."


# The plain overview's sentences per language (the phrasebooks' quotes around topic names):
# (the graph holds, the largest topics are, opening quote, closing quote, list separator).
_PLAIN = {
    "ko": (
        "그래프에는 대화 {total}개가 있습니다.",
        " 가장 큰 주제는 {names} 주제입니다.",
        "\u2018",
        "\u2019",
        ", ",
    ),
    "ja": (
        "グラフには{total}件の会話があります。",
        "最も大きなトピックは{names}です。",
        "「",
        "」",
        "、",
    ),
    "zh": ("你的图谱中有{total}个对话。", "最大的主题是{names}。", "\u201c", "\u201d", "、"),
}


def summary_without_items(
    summary: Mapping[str, Any], titles: list[str], sizes: Mapping[str, int], total: int
) -> dict[str, Any]:
    """``summary`` (as stored) after the items titled ``titles`` left the graph, whose topics
    now hold ``sizes`` items and which holds ``total`` in all."""
    before = list(summary.get("clusters") or [])
    gone = {c.get("cluster_id") for c in before if not sizes.get(c.get("cluster_id"), 0)}
    gone_names = {c.get("name") for c in before if c.get("cluster_id") in gone}
    # Prose loses what it said of the item, and of a topic that went with it.
    wider = phrase_pattern([*titles, *(n for n in gone_names if n)])
    removed = {title_key(t) for t in titles}
    clusters = []
    for cluster in before:
        if cluster.get("cluster_id") in gone:
            continue
        size = sizes[cluster["cluster_id"]]
        mended = {**cluster, "size": size}
        if "share" in cluster:
            mended["share"] = round(size / total, 4) if total else 0.0
        if cluster.get("representative_titles") is not None:
            mended["representative_titles"] = [
                t for t in cluster["representative_titles"] if title_key(t) not in removed
            ]
        mended["insight_text"] = without_sentences_quoting(cluster.get("insight_text", ""), wider)
        clusters.append(mended)
    overview = dict(summary.get("overview") or {})
    overview["total_source_nodes"] = total
    if "total_clusters" in overview:
        overview["total_clusters"] = len(clusters)
    for field in ("primary_interests", "emerging_interests"):
        if overview.get(field) is not None:
            overview[field] = [n for n in overview[field] if n not in gone_names]
    overview["summary_text"] = without_sentences_quoting(
        overview.get("summary_text", ""), wider
    ) or _plain_overview(summary.get("language"), total, clusters)
    return {
        **summary,
        "overview": overview,
        "clusters": clusters,
        "connections": [c for c in summary.get("connections") or [] if not _names_gone(c, gone)],
        "patterns": _scrubbed_texts(
            [p for p in summary.get("patterns") or [] if not _names_gone(p, gone)], wider
        ),
        "recommendations": _scrubbed_texts(
            [r for r in summary.get("recommendations") or [] if not _names_gone(r, gone)],
            wider,
        ),
    }
