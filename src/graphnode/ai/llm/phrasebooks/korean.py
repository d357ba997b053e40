"""The summary's sentences in Korean.

Korean particles change with the sound a word ends in (은/는, 이/가, 을/를), and a topic name
may end in any script ("파이썬 & Python"): so a name is quoted and followed by a fixed noun
("요리" 주제는), or by the copula 입니다, which follows any word. A name stressed in Korean
text is quoted in single curly quotes.
"""

from __future__ import annotations

from graphnode.ai.llm.phrasebooks.templated import ProseTemplates

_LATER = "아직 중요하다면 다시 이어 가 보세요."
_DEEPEN = "둘을 잇는 대화가 두 주제를 모두 깊게 할 수 있습니다."

KOREAN_PROSE = ProseTemplates(
    topic_quotes=("\u2018", "\u2019"),
    text_quotes=("\u201c", "\u201d"),
    separator=", ",
    sentence_gap=" ",
    month="{year}년 {month}월",
    scope_undated="대화 {total}개",
    scope_one_month="{month}에 나눈 대화 {total}개",
    scope_span="{start}부터 {end}까지 나눈 대화 {total}개",
    no_topic="대화 {total}개는 아직 어떤 주제로도 묶이지 않았습니다.",
    all_one="{scope}는 모두 {topic} 주제입니다.",
    dominant="{scope} 가운데 {share}가 {topic} 주제로, 가장 큰 비중을 차지합니다.",
    even="{scope}는 여러 주제에 고르게 나뉘며, {topics} 주제가 앞섭니다.",
    leader=(
        "{scope} 가운데 가장 자주 이야기한 주제는 {first} 주제이고, 그다음은 {others} 주제입니다."
    ),
    rest_all="{topics} 주제도 함께 자리합니다.",
    rest_more="그 밖에 {topics} 주제와 작은 주제 {count}개가 있습니다.",
    rising_and_falling=(
        "최근에는 {rising} 주제에 더 많은 시간을 쓰고, {falling} 주제는 덜 다루었습니다."
    ),
    rising="최근 대화는 {rising} 주제로 향하고 있습니다.",
    falling="{falling} 주제는 최근보다 예전에 더 자주 다루었습니다.",
    steady="주제마다 관심은 시간이 지나도 꾸준했습니다.",
    apart="주제들은 서로 떨어져 있어, 한 주제의 대화가 다른 주제의 대화와 가깝지 않습니다.",
    link="가장 가까운 연결은 {a} 주제와 {b} 주제 사이에 있습니다.",
    link_via="가장 가까운 연결은 {a} 주제와 {b} 주제 사이에 있으며, {words} 같은 말에서 만납니다.",
    insight_largest="{topic} 주제는 가장 큰 주제로, 전체 대화의 {share}를 차지합니다.",
    insight_tied="{topic} 주제는 가장 큰 주제 가운데 하나로, 전체 대화의 {share}를 차지합니다.",
    insight_about="주로 다루는 말은 {themes}입니다.",
    insight_no_themes="{topic} 주제에는 대화 {size}개, 전체의 {share}가 모여 있습니다.",
    insight_openings=(
        "{topic} 주제는 전체 대화의 {share}를 차지하며, 주로 다루는 말은 {themes}입니다.",
        "대화 {size}개가 모인 {topic} 주제에서는 {themes}에 관한 이야기가 중심입니다.",
        "{topic} 주제에서 거듭 나온 이야기는 {themes}입니다.",
    ),
    example_one="대표적인 대화는 {title}입니다.",
    example_two=(
        "대표적인 대화로는 {first}, {second} 등이 있습니다.",
        "{first}, {second} 같은 대화가 좋은 예입니다.",
    ),
    trend_emerging="최근 대화에서 더 자주 등장합니다.",
    trend_fading="최근보다 예전에 더 많이 이야기했습니다.",
    trend_dormant_since="{month} 이후로 다시 다루지 않았습니다.",
    trend_dormant="한동안 다시 다루지 않았습니다.",
    insight_link="{other} 주제와 가장 가깝게 이어집니다.",
    insight_link_via="{other} 주제와 가장 가깝게 이어지며, {words} 같은 말로 연결됩니다.",
    focus="{topics} 주제가 전체 대화의 {share}를 차지합니다.",
    activity="가장 활발했던 때는 {month}로, 대화 {count}개를 나눴습니다.",
    moved_emerging="{topic} 주제가 최근 더 자주 등장했습니다.",
    moved_fading="{topic} 주제는 최근보다 예전에 더 자주 등장했습니다.",
    moved_dormant_since="{topic} 주제는 {month} 이후로 등장하지 않았습니다.",
    moved_dormant="{topic} 주제는 한동안 등장하지 않았습니다.",
    bridge=f"{{a}} 주제와 {{b}} 주제는 이미 맞닿아 있습니다. {_DEEPEN}",
    bridge_via=f"{{a}} 주제와 {{b}} 주제는 이미 {{words}} 같은 말에서 만납니다. {_DEEPEN}",
    follow="{topic} 주제가 커지고 있습니다. 배운 것을 한곳에 모아 두면 이어 가기가 쉬워집니다.",
    revisit_since=f"{{topic}} 주제를 {{month}} 이후로 미뤄 두었습니다. {_LATER}",
    revisit=f"{{topic}} 주제를 한동안 미뤄 두었습니다. {_LATER}",
)
