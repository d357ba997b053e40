"""The summary's sentences in Japanese: topic names in 「」, titles and keywords in 『』, lists
joined with 、 and sentences with nothing between them after their full stop."""

from __future__ import annotations

from graphnode.ai.llm.phrasebooks.templated import ProseTemplates

_LATER = "まだ大切なら、もう一度取り上げてみてください。"
_DEEPEN = "両方をつなぐ会話が、どちらのトピックも深めてくれるでしょう。"

JAPANESE_PROSE = ProseTemplates(
    topic_quotes=("「", "」"),
    text_quotes=("『", "』"),
    separator="、",
    sentence_gap="",
    month="{year}年{month}月",
    scope_undated="{total}件の会話",
    scope_one_month="{month}の{total}件の会話",
    scope_span="{start}から{end}までの{total}件の会話",
    no_topic="{total}件の会話は、まだどのトピックにもまとまっていません。",
    all_one="{scope}は、すべて{topic}についてです。",
    dominant="{scope}のうち{share}が{topic}で、最も大きな割合を占めています。",
    even="{scope}は複数のトピックに均等に分かれていて、{topics}が中心です。",
    leader="{scope}で最もよく話題にしたトピックは{first}で、{others}が続きます。",
    rest_all="{topics}も含まれています。",
    rest_more="ほかに{topics}と、小さなトピックが{count}個あります。",
    rising_and_falling="最近は{rising}に多くの時間を使い、{falling}はあまり話題にしていません。",
    rising="最近の会話は{rising}に向かっています。",
    falling="{falling}は、最近よりも以前によく話題にしていました。",
    steady="どのトピックへの関心も、時間がたっても変わっていません。",
    apart="トピック同士は離れていて、あるトピックの会話がほかのトピックの会話に近いことはありません。",
    link="最も近いつながりは{a}と{b}の間にあります。",
    link_via="最も近いつながりは{a}と{b}の間にあり、{words}という言葉で重なっています。",
    insight_largest="{topic}は最大のトピックで、会話全体の{share}を占めています。",
    insight_tied="{topic}は最大のトピックのひとつで、会話全体の{share}を占めています。",
    insight_about="主な言葉は{themes}です。",
    insight_no_themes="{topic}には、全体の{share}にあたる{size}件の会話が集まっています。",
    insight_openings=(
        "{topic}は会話全体の{share}を占め、主な言葉は{themes}です。",
        "{size}件の会話が集まる{topic}では、{themes}についての話が中心です。",
        "{topic}で何度も取り上げたのは{themes}です。",
    ),
    example_one="代表的な会話は{title}です。",
    example_two=(
        "代表的な会話には{first}や{second}があります。",
        "{first}や{second}がよい例です。",
    ),
    trend_emerging="最近の会話でより多く登場しています。",
    trend_fading="最近よりも以前によく話していました。",
    trend_dormant_since="{month}以降、取り上げていません。",
    trend_dormant="しばらく取り上げていません。",
    insight_link="{other}と最も近くつながっています。",
    insight_link_via="{other}と最も近くつながっていて、{words}という言葉で結びついています。",
    focus="{topics}が会話全体の{share}を占めています。",
    activity="最も活発だったのは{month}で、{count}件の会話がありました。",
    moved_emerging="{topic}は最近よく登場するようになりました。",
    moved_fading="{topic}は、最近よりも以前によく登場していました。",
    moved_dormant_since="{topic}は{month}以降、登場していません。",
    moved_dormant="{topic}はしばらく登場していません。",
    bridge=f"{{a}}と{{b}}はすでに接しています。{_DEEPEN}",
    bridge_via=f"{{a}}と{{b}}はすでに{{words}}という言葉で重なっています。{_DEEPEN}",
    follow="{topic}は広がっています。学んだことを一か所にまとめておくと、続けやすくなります。",
    revisit_since=f"{{topic}}は{{month}}以降、手をつけていません。{_LATER}",
    revisit=f"{{topic}}はしばらく手をつけていません。{_LATER}",
)
