"""Summary prose from one language's sentence templates: the same choices as the English
(``summary_prose``: one dominant topic or an even spread, what grew or faded, the closest
link, an opening that rotates between neighbouring insights), said in that language's words.

A language whose grammar fits sentence templates (Korean, Japanese, Chinese: no plural or
verb agreement to follow the names) is a :class:`ProseTemplates` of format strings; this
module makes the choices once for all of them. Shares are said as the percentages the
prompt's facts hold, so a fallback says nothing the facts do not.

Placeholders: ``{scope}`` (the conversations and their span), ``{topic}``/``{topics}`` (quoted
topic names), ``{first}``/``{others}``, ``{rising}``/``{falling}``, ``{a}``/``{b}``/``{other}``
(quoted names), ``{share}``, ``{total}``, ``{size}``, ``{count}``, ``{month}``/``{start}``/
``{end}``, ``{themes}``, ``{words}``, ``{title}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from graphnode.ai.llm.keyword_text import distinct_keywords
from graphnode.ai.llm.summary_brief import ClusterDigest, GraphBrief, Trend, percent
from graphnode.ai.llm.summary_prose import (
    DOMINANT_SHARE,
    INSIGHT_KEYWORDS,
    after_the_leaders,
    spread_evenly,
    themes_of,
)


@dataclass(frozen=True, slots=True)
class ProseTemplates:
    """One language's sentences (see the module doc for the placeholders)."""

    topic_quotes: tuple[str, str]  # around a topic name
    text_quotes: tuple[str, str]  # around a title or a keyword
    separator: str  # between the items of a list
    sentence_gap: str  # between sentences (a space, or nothing after a full stop)
    month: str  # {year} {month}
    # The overview.
    scope_undated: str
    scope_one_month: str
    scope_span: str
    no_topic: str
    all_one: str
    dominant: str
    even: str
    leader: str
    rest_all: str
    rest_more: str
    rising_and_falling: str
    rising: str
    falling: str
    steady: str
    apart: str
    link: str
    link_via: str
    # An insight.
    insight_largest: str
    insight_tied: str
    insight_about: str
    insight_no_themes: str
    insight_openings: tuple[str, str, str]
    example_one: str
    example_two: tuple[str, str]
    trend_emerging: str
    trend_fading: str
    trend_dormant_since: str
    trend_dormant: str
    insight_link: str
    insight_link_via: str
    # The patterns and recommendations.
    focus: str
    activity: str
    moved_emerging: str
    moved_fading: str
    moved_dormant_since: str
    moved_dormant: str
    bridge: str
    bridge_via: str
    follow: str
    revisit_since: str
    revisit: str


class TemplatedProse:
    """The phrasebook functions (``phrasebooks.Phrasebook``) over one :class:`ProseTemplates`."""

    def __init__(self, templates: ProseTemplates) -> None:
        self.t = templates

    # --- words -------------------------------------------------------------------------

    def _topic(self, name: str) -> str:
        opening, closing = self.t.topic_quotes
        return f"{opening}{name}{closing}"

    def _topics(self, names: Sequence[str]) -> str:
        return self.t.separator.join(self._topic(name) for name in names)

    def _quoted(self, texts: Sequence[str], limit: int) -> list[str]:
        opening, closing = self.t.text_quotes
        return [f"{opening}{' '.join(t.split())}{closing}" for t in texts if t.strip()][:limit]

    def _words(self, words: Sequence[str]) -> str:
        return self.t.separator.join(self._quoted(words, 2))

    def _month(self, moment: datetime) -> str:
        return self.t.month.format(year=moment.year, month=moment.month)

    def _sentences(self, parts: Sequence[str | None]) -> str:
        return self.t.sentence_gap.join(part for part in parts if part)

    # --- the overview --------------------------------------------------------------------

    def _scope(self, brief: GraphBrief) -> str:
        total = brief.total_nodes
        if brief.first_time is None or brief.last_time is None:
            return self.t.scope_undated.format(total=total)
        start, end = self._month(brief.first_time), self._month(brief.last_time)
        if start == end:
            return self.t.scope_one_month.format(month=start, total=total)
        return self.t.scope_span.format(start=start, end=end, total=total)

    def _opening(self, brief: GraphBrief, top: Sequence[ClusterDigest]) -> str:
        scope = self._scope(brief)
        if len(top) == 1:
            return self.t.all_one.format(scope=scope, topic=self._topic(top[0].name))
        if brief.share(top[0]) >= DOMINANT_SHARE:
            return self.t.dominant.format(
                scope=scope, share=percent(brief.share(top[0])), topic=self._topic(top[0].name)
            )
        leaders = [cluster.name for cluster in top[:3]]
        if spread_evenly(brief, top):
            return self.t.even.format(scope=scope, topics=self._topics(leaders))
        return self.t.leader.format(
            scope=scope, first=self._topic(leaders[0]), others=self._topics(leaders[1:])
        )

    def _the_rest(self, ordered: Sequence[ClusterDigest]) -> str | None:
        named, smaller = after_the_leaders(ordered)
        if not named:
            return None
        if smaller <= 0:
            return self.t.rest_all.format(topics=self._topics(named))
        return self.t.rest_more.format(topics=self._topics(named), count=smaller)

    def _movement(self, brief: GraphBrief) -> str | None:
        rising = [cluster.name for cluster in brief.with_trend("emerging")]
        falling = [c.name for c in brief.with_trend("fading") + brief.with_trend("dormant")]
        if rising and falling:
            return self.t.rising_and_falling.format(
                rising=self._topics(rising), falling=self._topics(falling)
            )
        if rising:
            return self.t.rising.format(rising=self._topics(rising))
        if falling:
            return self.t.falling.format(falling=self._topics(falling))
        return self.t.steady if brief.has_trends else None

    def _strongest_link(self, brief: GraphBrief) -> str | None:
        if not brief.links:
            if not brief.has_links or len(brief.clusters) < 2:
                return None
            return self.t.apart
        link = brief.links[0]
        a, b = self._topic(link.source), self._topic(link.target)
        if link.bridge_keywords:
            return self.t.link_via.format(a=a, b=b, words=self._words(link.bridge_keywords))
        return self.t.link.format(a=a, b=b)

    def overview(self, brief: GraphBrief) -> str:
        ordered = brief.largest()
        if not ordered:
            return self.t.no_topic.format(total=brief.total_nodes)
        return self._sentences(
            [
                self._opening(brief, ordered[:3]),
                self._the_rest(ordered),
                self._movement(brief),
                self._strongest_link(brief),
            ]
        )

    # --- an insight ----------------------------------------------------------------------

    def _themes(self, cluster: ClusterDigest) -> str:
        return self.t.separator.join(distinct_keywords(themes_of(cluster), INSIGHT_KEYWORDS))

    def _insight_opening(self, brief: GraphBrief, cluster: ClusterDigest, rank: int) -> str:
        values = {
            "topic": self._topic(cluster.name),
            "share": percent(brief.share(cluster)),
            "size": cluster.size,
            "themes": self._themes(cluster),
        }
        if rank == 0:
            tied = sum(other.size == cluster.size for other in brief.clusters) > 1
            largest = (self.t.insight_tied if tied else self.t.insight_largest).format(**values)
            about = self.t.insight_about.format(**values) if values["themes"] else None
            return self._sentences([largest, about])
        if not values["themes"]:
            return self.t.insight_no_themes.format(**values)
        openings = self.t.insight_openings  # neighbouring insights read differently
        return openings[(rank - 1) % len(openings)].format(**values)

    def _examples(self, cluster: ClusterDigest, rank: int) -> str | None:
        titles = self._quoted(cluster.titles, 2)
        if not titles:
            return None
        if len(titles) == 1:
            return self.t.example_one.format(title=titles[0])
        forms = self.t.example_two
        return forms[rank % len(forms)].format(first=titles[0], second=titles[1])

    def _insight_trend(self, cluster: ClusterDigest) -> str | None:
        if cluster.trend == "emerging":
            return self.t.trend_emerging
        if cluster.trend == "fading":
            return self.t.trend_fading
        if cluster.trend == "dormant":
            if cluster.last_time:
                return self.t.trend_dormant_since.format(month=self._month(cluster.last_time))
            return self.t.trend_dormant
        return None

    def _insight_link(self, brief: GraphBrief, cluster: ClusterDigest) -> str | None:
        links = brief.links_of(cluster.name)
        if not links:
            return None
        other, link = links[0]
        if link.bridge_keywords:
            return self.t.insight_link_via.format(
                other=self._topic(other), words=self._words(link.bridge_keywords)
            )
        return self.t.insight_link.format(other=self._topic(other))

    def insight(self, brief: GraphBrief, cluster: ClusterDigest) -> str:
        largest = brief.largest()
        rank = next((i for i, c in enumerate(largest) if c.cluster_id == cluster.cluster_id), 0)
        return self._sentences(
            [
                self._insight_opening(brief, cluster, rank),
                self._examples(cluster, rank),
                self._insight_trend(cluster),
                self._insight_link(brief, cluster),
            ]
        )

    # --- the patterns and recommendations -------------------------------------------------

    def focus(self, names: Sequence[str], share: float) -> str:
        return self.t.focus.format(topics=self._topics(names), share=percent(share))

    def activity(self, month: datetime, count: int) -> str:
        return self.t.activity.format(month=self._month(month), count=count)

    def movement(self, name: str, trend: Trend, last_time: datetime | None) -> str:
        topic = self._topic(name)
        if trend == "emerging":
            return self.t.moved_emerging.format(topic=topic)
        if trend == "fading":
            return self.t.moved_fading.format(topic=topic)
        if last_time:
            return self.t.moved_dormant_since.format(topic=topic, month=self._month(last_time))
        return self.t.moved_dormant.format(topic=topic)

    def bridge(self, a: str, b: str, words: Sequence[str]) -> str:
        pair = {"a": self._topic(a), "b": self._topic(b)}
        if words:
            return self.t.bridge_via.format(**pair, words=self._words(words))
        return self.t.bridge.format(**pair)

    def follow(self, name: str) -> str:
        return self.t.follow.format(topic=self._topic(name))

    def revisit(self, name: str, since: datetime | None) -> str:
        topic = self._topic(name)
        if since:
            return self.t.revisit_since.format(topic=topic, month=self._month(since))
        return self.t.revisit.format(topic=topic)
