"""Deterministic summary prose: what most readers see, so it has to read well on its own.

Built from the same facts the model is given (``summary_brief``), with no model: the
``keywords`` backend uses it, and so does every model answer that fails its checks. The
sentences follow the shape of the graph (one dominant topic or an even spread, topics that
grew or faded, the strongest link) instead of a fixed template, and shares are said the way
a person says them ("about a fifth"), not as "11 of 66". English; ``phrasebooks`` says the
same in Korean, Japanese and Chinese, and picks one by the summary's language.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from graphnode.ai.llm.keyword_text import distinct_keywords, join_words
from graphnode.ai.llm.summary_brief import ClusterDigest, GraphBrief, TopicLink, Trend

# (share, words), for the nearest of them; below the smallest a share is "a small part".
_FRACTIONS = (
    (1 / 10, "a tenth"),
    (1 / 8, "an eighth"),
    (1 / 6, "a sixth"),
    (1 / 5, "a fifth"),
    (1 / 4, "a quarter"),
    (1 / 3, "a third"),
    (2 / 5, "two fifths"),
    (1 / 2, "half"),
    (3 / 5, "three fifths"),
    (2 / 3, "two thirds"),
    (3 / 4, "three quarters"),
)
_SMALL_SHARE = 0.07
DOMINANT_SHARE = 0.4
EVEN_SPREAD = 0.05  # the three largest topics within five points of each other
_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
# The overview names every topic of a small graph, else the five largest and a count.
_OVERVIEW_ALL = 6
_OVERVIEW_NAMED = 5
INSIGHT_KEYWORDS = 3


def share_words(share: float) -> str:
    """0.2 -> "about a fifth", 0.52 -> "about half", 0.95 -> "nearly all"."""
    if share >= 0.9:
        return "nearly all"
    if share < _SMALL_SHARE:
        return "a small part"
    value, words = min(_FRACTIONS, key=lambda fraction: abs(fraction[0] - share))
    return f"about {words}" if abs(value - share) > 0.01 else words


def count_words(count: int) -> str:
    return _NUMBER_WORDS[count] if count < len(_NUMBER_WORDS) else str(count)


def _month_words(moment: datetime) -> str:
    return moment.strftime("%B %Y")


def _quoted(titles: Sequence[str], limit: int) -> list[str]:
    return [f"“{' '.join(title.split())}”" for title in titles if title.strip()][:limit]


def join_names(names: Sequence[str]) -> str:
    """Topic names as a list; "; " between them when a name has its own commas."""
    if any("," in name for name in names) and len(names) > 1:
        return f"{'; '.join(names[:-1])}; and {names[-1]}"
    return join_words(names, "and")


def _fold(word: str) -> str:
    word = word.casefold()
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def themes_of(cluster: ClusterDigest) -> list[str]:
    """Its keywords that add something to its name: not "quantum computers" for "Quantum
    Computing" (half its words or more are the name's)."""
    named = {_fold(word) for word in re.findall(r"\w+", cluster.name)}
    return [
        keyword
        for keyword in cluster.keywords
        if 2 * sum(_fold(word) in named for word in keyword.split()) < len(keyword.split())
    ]


def _themes(cluster: ClusterDigest) -> str:
    return join_words(distinct_keywords(themes_of(cluster), INSIGHT_KEYWORDS), "and")


def _opening(brief: GraphBrief, top: Sequence[ClusterDigest]) -> str:
    span = brief.span_text()
    scope = f"your {brief.total_nodes} conversations" + (f" {span}" if span else "")
    first_share = brief.share(top[0])
    if len(top) == 1:
        return f"All of {scope} are about {top[0].name}."
    if first_share >= DOMINANT_SHARE:
        return f"{top[0].name} dominates {scope}, with {share_words(first_share)} of them."
    leaders = [cluster.name for cluster in top[:3]]
    if spread_evenly(brief, top):
        return f"Across {scope}, your attention is spread evenly, led by {join_names(leaders)}."
    return (
        f"Across {scope}, you came back most often to {leaders[0]}, "
        f"followed by {join_names(leaders[1:])}."
    )


def spread_evenly(brief: GraphBrief, top: Sequence[ClusterDigest]) -> bool:
    """The three largest topics within ``EVEN_SPREAD`` of each other's share."""
    shares = [brief.share(cluster) for cluster in top[:3]]
    return len(shares) == 3 and max(shares) - min(shares) <= EVEN_SPREAD


def after_the_leaders(ordered: Sequence[ClusterDigest]) -> tuple[list[str], int]:
    """The topics the overview names after the three largest, and how many smaller ones it
    only counts (all of a small graph's are named)."""
    shown = len(ordered) if len(ordered) <= _OVERVIEW_ALL else _OVERVIEW_NAMED
    return [cluster.name for cluster in ordered[3:shown]], len(ordered) - shown


def _the_rest(ordered: Sequence[ClusterDigest]) -> str | None:
    named, smaller = after_the_leaders(ordered)
    if not named:
        return None
    if smaller <= 0:
        verb = "rounds out" if len(named) == 1 else "round out"
        return f"{join_names(named)} {verb} the picture."
    noun = "topic" if smaller == 1 else "topics"
    return (
        f"{join_words(named, 'and')} come next, along with {count_words(smaller)} smaller {noun}."
    )


def _movement(brief: GraphBrief) -> str | None:
    rising = [cluster.name for cluster in brief.with_trend("emerging")]
    falling = [c.name for c in brief.with_trend("fading") + brief.with_trend("dormant")]
    if rising and falling:
        verb = "has" if len(rising) == 1 else "have"
        return (
            f"Lately {join_names(rising)} {verb} taken up more of your time, "
            f"while {join_names(falling)} came up less."
        )
    if rising:
        verb = "is" if len(rising) == 1 else "are"
        return f"{join_names(rising)} {verb} where your recent conversations have gone."
    if falling:
        verb = "was" if len(falling) == 1 else "were"
        return f"{join_names(falling)} {verb} more on your mind earlier than lately."
    if brief.has_trends:
        return "Your interest in each of them has held steady over time."
    return None


def _strongest_link(brief: GraphBrief) -> str | None:
    if not brief.links:
        if not brief.has_links or len(brief.clusters) < 2:
            return None
        return "The topics stay apart: no conversation in one sits close to another's."
    link = brief.links[0]
    via = f", where they meet over {_bridge(link)}" if link.bridge_keywords else ""
    return f"The closest link runs between {link.source} and {link.target}{via}."


def _bridge(link: TopicLink) -> str:
    return join_words([f"“{word}”" for word in link.bridge_keywords[:2]], "and")


def overview_prose(brief: GraphBrief) -> str:
    """Two to four sentences naming the largest topics, their movement and closest link."""
    ordered = brief.largest()
    if not ordered:
        noun = "conversation" if brief.total_nodes == 1 else "conversations"
        return f"Your {brief.total_nodes} {noun} do not form any topic yet."
    sentences = [
        _opening(brief, ordered[:3]),
        _the_rest(ordered),
        _movement(brief),
        _strongest_link(brief),
    ]
    return " ".join(sentence for sentence in sentences if sentence)


def _insight_opening(brief: GraphBrief, cluster: ClusterDigest, rank: int) -> str:
    themes = _themes(cluster)
    share = share_words(brief.share(cluster))
    noun = "conversation" if cluster.size == 1 else "conversations"
    if rank == 0:
        tied = sum(other.size == cluster.size for other in brief.clusters) > 1
        largest = "among your largest topics" if tied else "your largest topic"
        about = f", mostly on {themes}" if themes else ""
        return f"{cluster.name} is {largest}: {share} of your conversations{about}."
    # Neighbouring insights read differently: the opening rotates with the topic's rank.
    openings = (
        f"{cluster.name} covers {themes or 'a recurring question'}, {share} of your conversations.",
        f"With {cluster.size} {noun}, {cluster.name} turns on {themes or 'a few questions'}.",
        f"In {cluster.name} you kept returning to {themes or 'the same questions'}.",
    )
    return openings[(rank - 1) % len(openings)]


def _examples(cluster: ClusterDigest, rank: int) -> str | None:
    titles = _quoted(cluster.titles, 2)
    if not titles:
        return None
    if len(titles) == 1:
        return f"A typical conversation: {titles[0]}."
    forms = (
        f"Typical conversations include {join_words(titles, 'and')}.",
        f"{titles[0]} and {titles[1]} are good examples.",
    )
    return forms[rank % len(forms)]


def _insight_trend(cluster: ClusterDigest) -> str | None:
    if cluster.trend == "emerging":
        return "It has come up more often in your recent conversations."
    if cluster.trend == "fading":
        return "You talked about it more in earlier months than lately."
    if cluster.trend == "dormant":
        since = f" since {_month_words(cluster.last_time)}" if cluster.last_time else ""
        return f"You have not come back to it{since}."
    return None


def _insight_link(brief: GraphBrief, cluster: ClusterDigest) -> str | None:
    links = brief.links_of(cluster.name)
    if not links:
        return None
    other, link = links[0]
    via = f" through {_bridge(link)}" if link.bridge_keywords else ""
    return f"It connects most closely with {other}{via}."


def insight_prose(brief: GraphBrief, cluster: ClusterDigest) -> str:
    """Two to four sentences on one topic: what it is about, examples, movement, link."""
    rank = next(
        (i for i, other in enumerate(brief.largest()) if other.cluster_id == cluster.cluster_id),
        0,
    )
    sentences = [
        _insight_opening(brief, cluster, rank),
        _examples(cluster, rank),
        _insight_trend(cluster),
        _insight_link(brief, cluster),
    ]
    return " ".join(sentence for sentence in sentences if sentence)


# --- the summary's patterns and recommendations (``pipeline.summary``) ------------------


def focus_text(names: Sequence[str], share: float) -> str:
    return f"{join_names(names)} take up {share_words(share)} of your conversations."


def activity_text(month: datetime, count: int) -> str:
    noun = "conversation" if count == 1 else "conversations"
    return f"You were busiest in {_month_words(month)}, with {count} {noun}."


def movement_text(name: str, trend: Trend, last_time: datetime | None) -> str:
    if trend == "emerging":
        return f"{name} has come up more often lately."
    if trend == "fading":
        return f"{name} came up more often earlier than lately."
    since = _month_words(last_time) if last_time else "earlier"
    return f"{name} has not come up since {since}."


def bridge_text(a: str, b: str, words: Sequence[str]) -> str:
    quoted = [f"“{word}”" for word in words[:2]]
    via = f" already meet over {join_words(quoted, 'and')}" if quoted else " already touch"
    return f"{a} and {b}{via}: a conversation that joins them could deepen both."


def follow_text(name: str) -> str:
    return (
        f"{name} is growing: gathering what you have learned about it in one place "
        "would make it easier to build on."
    )


def revisit_text(name: str, since: datetime | None) -> str:
    when = f" since {_month_words(since)}" if since else ""
    return f"You have set {name} aside{when}; pick it up again if it still matters."
