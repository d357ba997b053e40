"""The deterministic summary prose in Korean: what ``summary_prose`` says, for a user whose
summary language is Korean (asked for, or the script of their own turns).

It follows the same facts and the same shape as the English (the dominant topic or an even
spread, the topics that grew or faded, the closest link). Korean particles change with the
sound a word ends in (은/는, 이/가, 을/를), and a topic name may end in any script
("파이썬 & Python"): so a name is quoted and followed by a fixed noun ("요리" 주제는), or by
the copula 입니다, which follows any word. Shares are said as the percentages the facts hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from graphnode.ai.llm.keyword_text import distinct_keywords
from graphnode.ai.llm.summary_brief import ClusterDigest, GraphBrief, Trend, percent
from graphnode.ai.llm.summary_prose import themes_of

_DOMINANT_SHARE = 0.4
_EVEN_SPREAD = 0.05
_OVERVIEW_ALL = 6
_OVERVIEW_NAMED = 5
_INSIGHT_KEYWORDS = 3


# Korean quotes a name it stresses in single curly quotes.
_OPEN, _CLOSE = "\u2018", "\u2019"


def _topic(name: str) -> str:
    return f"{_OPEN}{name}{_CLOSE}"


def _topics(names: Sequence[str]) -> str:
    return ", ".join(_topic(name) for name in names)


def _month(moment: datetime) -> str:
    return f"{moment.year}년 {moment.month}월"


def _share(brief: GraphBrief, cluster: ClusterDigest) -> str:
    return percent(brief.share(cluster))


def _quoted(titles: Sequence[str], limit: int) -> list[str]:
    return [f"“{' '.join(title.split())}”" for title in titles if title.strip()][:limit]


def _scope(brief: GraphBrief) -> str:
    if brief.first_time is None or brief.last_time is None:
        return f"대화 {brief.total_nodes}개"
    start, end = _month(brief.first_time), _month(brief.last_time)
    when = f"{start}에" if start == end else f"{start}부터 {end}까지"
    return f"{when} 나눈 대화 {brief.total_nodes}개"


def _opening(brief: GraphBrief, top: Sequence[ClusterDigest]) -> str:
    scope = _scope(brief)
    if len(top) == 1:
        return f"{scope}는 모두 {_topic(top[0].name)} 주제입니다."
    if brief.share(top[0]) >= _DOMINANT_SHARE:
        return (
            f"{scope} 가운데 {_share(brief, top[0])}가 {_topic(top[0].name)} 주제로, "
            "가장 큰 비중을 차지합니다."
        )
    leaders = [cluster.name for cluster in top[:3]]
    shares = [brief.share(cluster) for cluster in top[:3]]
    if len(leaders) == 3 and max(shares) - min(shares) <= _EVEN_SPREAD:
        return f"{scope}는 여러 주제에 고르게 나뉘며, {_topics(leaders)} 주제가 앞섭니다."
    return (
        f"{scope} 가운데 가장 자주 돌아온 주제는 {_topic(leaders[0])} 주제이고, "
        f"그다음은 {_topics(leaders[1:])} 주제입니다."
    )


def _the_rest(ordered: Sequence[ClusterDigest]) -> str | None:
    shown = len(ordered) if len(ordered) <= _OVERVIEW_ALL else _OVERVIEW_NAMED
    named = [cluster.name for cluster in ordered[3:shown]]
    if not named:
        return None
    smaller = len(ordered) - shown
    if smaller <= 0:
        return f"{_topics(named)} 주제도 함께 자리합니다."
    return f"그 밖에 {_topics(named)} 주제와 작은 주제 {smaller}개가 있습니다."


def _movement(brief: GraphBrief) -> str | None:
    rising = [cluster.name for cluster in brief.with_trend("emerging")]
    falling = [c.name for c in brief.with_trend("fading") + brief.with_trend("dormant")]
    if rising and falling:
        return (
            f"최근에는 {_topics(rising)} 주제에 더 많은 시간을 쓰고, "
            f"{_topics(falling)} 주제는 덜 다루었습니다."
        )
    if rising:
        return f"최근 대화는 {_topics(rising)} 주제로 향하고 있습니다."
    if falling:
        return f"{_topics(falling)} 주제는 최근보다 예전에 더 자주 다루었습니다."
    if brief.has_trends:
        return "주제마다 관심은 시간이 지나도 꾸준했습니다."
    return None


def _bridge(words: Sequence[str]) -> str:
    return ", ".join(f"“{word}”" for word in words[:2])


def _strongest_link(brief: GraphBrief) -> str | None:
    if not brief.links:
        if not brief.has_links or len(brief.clusters) < 2:
            return None
        return "주제들은 서로 떨어져 있어, 한 주제의 대화가 다른 주제의 대화와 가깝지 않습니다."
    link = brief.links[0]
    between = f"가장 가까운 연결은 {_topic(link.source)} 주제와 {_topic(link.target)} 주제 사이"
    if link.bridge_keywords:
        return f"{between}에 있으며, {_bridge(link.bridge_keywords)}라는 말에서 만납니다."
    return f"{between}에 있습니다."


def overview_prose(brief: GraphBrief) -> str:
    ordered = brief.largest()
    if not ordered:
        return f"대화 {brief.total_nodes}개는 아직 어떤 주제로도 묶이지 않았습니다."
    sentences = [
        _opening(brief, ordered[:3]),
        _the_rest(ordered),
        _movement(brief),
        _strongest_link(brief),
    ]
    return " ".join(sentence for sentence in sentences if sentence)


def _themes(cluster: ClusterDigest) -> str:
    return ", ".join(distinct_keywords(themes_of(cluster), _INSIGHT_KEYWORDS))


def _insight_opening(brief: GraphBrief, cluster: ClusterDigest, rank: int) -> str:
    themes, share, topic = _themes(cluster), _share(brief, cluster), _topic(cluster.name)
    if rank == 0:
        tied = sum(other.size == cluster.size for other in brief.clusters) > 1
        largest = "가장 큰 주제 가운데 하나로" if tied else "가장 큰 주제로"
        about = f" 주로 다루는 말은 {themes}입니다." if themes else ""
        return f"{topic} 주제는 {largest}, 전체 대화의 {share}를 차지합니다.{about}"
    # Neighbouring insights read differently: the opening rotates with the topic's rank.
    if not themes:
        return f"{topic} 주제에는 대화 {cluster.size}개, 전체의 {share}가 모여 있습니다."
    openings = (
        f"{topic} 주제는 전체 대화의 {share}를 차지하며, 주로 다루는 말은 {themes}입니다.",
        f"대화 {cluster.size}개가 모인 {topic} 주제에서는 {themes}에 관한 이야기가 중심입니다.",
        f"{topic} 주제에서 거듭 돌아온 이야기는 {themes}입니다.",
    )
    return openings[(rank - 1) % len(openings)]


def _examples(cluster: ClusterDigest, rank: int) -> str | None:
    titles = _quoted(cluster.titles, 2)
    if not titles:
        return None
    if len(titles) == 1:
        return f"대표적인 대화는 {titles[0]}입니다."
    forms = (
        f"대표적인 대화로는 {titles[0]}, {titles[1]} 등이 있습니다.",
        f"{titles[0]}, {titles[1]} 같은 대화가 좋은 예입니다.",
    )
    return forms[rank % len(forms)]


def _insight_trend(cluster: ClusterDigest) -> str | None:
    if cluster.trend == "emerging":
        return "최근 대화에서 더 자주 등장합니다."
    if cluster.trend == "fading":
        return "최근보다 예전에 더 많이 이야기했습니다."
    if cluster.trend == "dormant":
        if cluster.last_time:
            return f"{_month(cluster.last_time)} 이후로 다시 다루지 않았습니다."
        return "한동안 다시 다루지 않았습니다."
    return None


def _insight_link(brief: GraphBrief, cluster: ClusterDigest) -> str | None:
    links = brief.links_of(cluster.name)
    if not links:
        return None
    other, link = links[0]
    if link.bridge_keywords:
        return (
            f"{_topic(other)} 주제와 가장 가깝게 이어지며, "
            f"{_bridge(link.bridge_keywords)}라는 말로 연결됩니다."
        )
    return f"{_topic(other)} 주제와 가장 가깝게 이어집니다."


def insight_prose(brief: GraphBrief, cluster: ClusterDigest) -> str:
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
    return f"{_topics(names)} 주제가 전체 대화의 {percent(share)}를 차지합니다."


def activity_text(month: datetime, count: int) -> str:
    return f"가장 활발했던 때는 {_month(month)}로, 대화 {count}개를 나눴습니다."


def movement_text(name: str, trend: Trend, last_time: datetime | None) -> str:
    if trend == "emerging":
        return f"{_topic(name)} 주제가 최근 더 자주 등장했습니다."
    if trend == "fading":
        return f"{_topic(name)} 주제는 최근보다 예전에 더 자주 등장했습니다."
    if last_time:
        return f"{_topic(name)} 주제는 {_month(last_time)} 이후로 등장하지 않았습니다."
    return f"{_topic(name)} 주제는 한동안 등장하지 않았습니다."


def bridge_text(a: str, b: str, words: Sequence[str]) -> str:
    meet = f"이미 {_bridge(words)}라는 말에서 만납니다" if words else "이미 맞닿아 있습니다"
    return (
        f"{_topic(a)} 주제와 {_topic(b)} 주제는 {meet}. "
        "둘을 잇는 대화가 두 주제를 모두 깊게 할 수 있습니다."
    )


def follow_text(name: str) -> str:
    return (
        f"{_topic(name)} 주제가 커지고 있습니다. 배운 것을 한곳에 모아 두면 이어 가기가 쉬워집니다."
    )


def revisit_text(name: str, since: datetime | None) -> str:
    when = f"{_month(since)} 이후로" if since else "한동안"
    return f"{_topic(name)} 주제를 {when} 미뤄 두었습니다. 아직 중요하다면 다시 이어 가 보세요."
