"""The summary's sentences in Chinese (simplified): topic names, titles and keywords in
“”, lists joined with 、 and sentences with nothing between them after their full stop."""

from __future__ import annotations

from graphnode.ai.llm.phrasebooks.templated import ProseTemplates

_LATER = "如果它仍然重要，不妨重新拾起。"
_DEEPEN = "一个把它们联系起来的对话可以让两者都更深入。"

CHINESE_PROSE = ProseTemplates(
    topic_quotes=("\u201c", "\u201d"),
    text_quotes=("\u201c", "\u201d"),
    separator="、",
    sentence_gap="",
    month="{year}年{month}月",
    scope_undated="你的{total}个对话",
    scope_one_month="你在{month}的{total}个对话",
    scope_span="你从{start}到{end}的{total}个对话",
    no_topic="你的{total}个对话还没有形成任何主题。",
    all_one="{scope}都是关于{topic}的。",
    dominant="{scope}中有{share}属于{topic}，占比最大。",
    even="{scope}平均分布在多个主题上，以{topics}为主。",
    leader="{scope}中，你最常回到的主题是{first}，其次是{others}。",
    rest_all="{topics}也在其中。",
    rest_more="此外还有{topics}，以及{count}个较小的主题。",
    rising_and_falling="最近你在{rising}上花的时间更多，而{falling}谈得更少了。",
    rising="你最近的对话转向了{rising}。",
    falling="{falling}在早期比最近谈得更多。",
    steady="你对每个主题的兴趣一直很稳定。",
    apart="这些主题彼此分开：没有哪个主题的对话与另一个主题的对话相近。",
    link="联系最紧密的是{a}和{b}。",
    link_via="联系最紧密的是{a}和{b}，它们在{words}上相交。",
    insight_largest="{topic}是你最大的主题，占全部对话的{share}。",
    insight_tied="{topic}是你最大的主题之一，占全部对话的{share}。",
    insight_about="主要关键词是{themes}。",
    insight_no_themes="{topic}包含{size}个对话，占全部的{share}。",
    insight_openings=(
        "{topic}占全部对话的{share}，主要关键词是{themes}。",
        "在包含{size}个对话的{topic}中，讨论集中在{themes}上。",
        "在{topic}中，你反复回到{themes}。",
    ),
    example_one="一个典型的对话是{title}。",
    example_two=("典型的对话包括{first}和{second}。", "{first}和{second}就是很好的例子。"),
    trend_emerging="它在你最近的对话中出现得更频繁。",
    trend_fading="你早期谈到它比最近更多。",
    trend_dormant_since="自{month}以来你没有再谈到它。",
    trend_dormant="你已经有一段时间没有谈到它了。",
    insight_link="它与{other}联系最紧密。",
    insight_link_via="它通过{words}与{other}联系最紧密。",
    focus="{topics}占了全部对话的{share}。",
    activity="你最活跃的时候是{month}，共有{count}个对话。",
    moved_emerging="{topic}最近出现得更频繁。",
    moved_fading="{topic}在早期比最近出现得更多。",
    moved_dormant_since="{topic}自{month}以来没有再出现。",
    moved_dormant="{topic}已经有一段时间没有出现了。",
    bridge=f"{{a}}和{{b}}已经彼此相连：{_DEEPEN}",
    bridge_via=f"{{a}}和{{b}}已经在{{words}}上相交：{_DEEPEN}",
    follow="{topic}正在增长：把你学到的内容整理在一处，会更容易继续深入。",
    revisit_since=f"自{{month}}以来你把{{topic}}搁置了；{_LATER}",
    revisit=f"你把{{topic}}搁置了一段时间；{_LATER}",
)
