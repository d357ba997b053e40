"""Cleaning: markup out, every script's words in."""

from __future__ import annotations

import pytest

from graphnode.ai.clean import CODE_MARKER, clean_document, clean_text
from graphnode.ingest.documents import Document, Section

KOREAN = "서울은 한국의 수도이며, 인구가 약 천만 명입니다."
FULL_WIDTH_COMMA = "\uff0c"
CHINESE = f"北京是中国的首都{FULL_WIDTH_COMMA}有着悠久的历史。"


def test_fenced_code_becomes_a_marker():
    text = "Try this:\n\n```python\nimport os\nprint(os.getcwd())\n```\n\nIt prints the folder."
    assert clean_text(text) == f"Try this:\n\n{CODE_MARKER}\n\nIt prints the folder."


def test_unclosed_fence_and_tilde_fence():
    assert clean_text("Before\n~~~\nrm -rf /\n~~~\nAfter") == f"Before\n{CODE_MARKER}\nAfter"
    assert clean_text("Before\n```js\nlet a = 1;\nno end") == f"Before\n{CODE_MARKER}"


def test_indented_code_block_goes_but_indented_list_prose_stays():
    code = "Intro.\n\n    for (i = 0; i < n; i++) {\n        total += i;\n    }\n\nOutro."
    assert clean_text(code) == f"Intro.\n\n{CODE_MARKER}\n\nOutro."
    prose = "1. First step\n\n    Keep the soil moist and wait a week.\n\n2. Second step"
    assert "Keep the soil moist and wait a week." in clean_text(prose)


def test_inline_code_identifiers_go_phrases_stay():
    text = "Call `os.path.join()` with `base_dir` or `myVar`, not `hello world`."
    assert clean_text(text) == "Call with or , not hello world."


def test_latex_removed_money_kept():
    text = (
        "Energy is $E = mc^2$ here. $$\\int_0^1 x\\,dx$$ and \\(a^2\\) and \\[b^2\\] "
        "\\begin{align} x &= y \\end{align} It costs $5 or $10."
    )
    assert clean_text(text) == "Energy is here. and and It costs $5 or $10."


def test_urls_and_links():
    text = (
        "Read https://example.com/a?b=1&c=2. See [the docs](https://docs.python.org/3/) "
        "and ![diagram](http://x.org/d.png) or www.example.org/page, <https://auto.link>. "
        "Harvard Health (<https://www.health.harvard.edu/topic/hip-pain>)"
    )
    assert clean_text(text) == "Read . See the docs and or , . Harvard Health"


def test_url_glued_to_korean_leaves_the_korean():
    assert clean_text("자세한 내용은 https://naver.com에서 확인하세요.") == (
        "자세한 내용은 에서 확인하세요."
    )


def test_html_tags_and_entities():
    text = (
        "<div><p>Hello <b>world</b></p><script>alert(1)</script><!-- note -->"
        "Tom &amp; Jerry&nbsp;&lt;3</div>"
    )
    assert clean_text(text) == "Hello world\nTom & Jerry <3"
    assert clean_text("List<String> is generic") == "List<String> is generic"


def test_citation_markers():
    text = (
        "Rome was founded in 753 BC【12†source】 by Romulus[1][2, 3]."
        "\ue200cite\ue202turn0search1\ue202turn0news4\ue201 "
        'The capital is \ue200entity\ue202["city", "Rome", {}]\ue201. citeturn0search3turn1news2'
        " Footnote[^note]."
    )
    assert clean_text(text) == (
        "Rome was founded in 753 BC by Romulus. The capital is Rome. Footnote."
    )


def test_chinese_title_brackets_are_not_citations():
    assert clean_text("【公告】明天放假。") == "【公告】明天放假。"


def test_role_labels_and_export_metadata():
    text = (
        "Exported on 2024-05-01 10:00\n"
        "Model: GPT-4o\n"
        "Conversation ID: abc-123\n"
        "---\n"
        "User: What is a monad?\n"
        "**ChatGPT:** A monoid in the category of endofunctors.\n"
        "Assistant: Put simply, a design pattern.\n"
        "Human: Thanks\n"
        "사용자: 고마워요\n"
        "Powered by ChatGPT Exporter"
    )
    assert clean_text(text) == (
        "What is a monad?\nA monoid in the category of endofunctors.\n"
        "Put simply, a design pattern.\nThanks\n고마워요"
    )


def test_a_role_word_inside_a_sentence_stays():
    assert clean_text("The user: is the one who types.") == "The user: is the one who types."


def test_korean_and_chinese_are_preserved():
    assert clean_text(KOREAN) == KOREAN
    expected_chinese = CHINESE.replace(FULL_WIDTH_COMMA, ",")  # NFKC: the comma turns ASCII
    assert clean_text(f"**{KOREAN}**\n\n{CHINESE}") == f"{KOREAN}\n\n{expected_chinese}"
    assert clean_text("**중요**합니다") == "중요합니다"
    assert clean_text("ㅋㅋㅋ 진짜 웃기다 ㅠㅠ") == "ㅋㅋㅋ 진짜 웃기다 ㅠㅠ"


def test_nfkc_normalisation():
    full_width = "\uff21\uff22\uff23\uff11\uff12\uff13"  # full-width ABC123
    assert clean_text(f"{full_width} \ufb01le \u2460") == "ABC123 file 1"  # ﬁ ligature, ①
    assert clean_text("가\u00a0나\u200b다") == "가 나다"


def test_whitespace_collapsed_paragraphs_kept():
    text = "  one   two\t\tthree  \r\n\r\n\r\n\r\nfour \n five  "
    assert clean_text(text) == "one two three\n\nfour\nfive"


@pytest.mark.parametrize("text", ["", "   ", "```\ncode\n```", "https://only.a.url"])
def test_nothing_left(text):
    assert clean_text(text) in ("", CODE_MARKER)


def test_clean_document_drops_empty_sections_and_keeps_fields():
    doc = Document(
        orig_id="d1",
        title="  My   title ",
        sections=(
            Section("user", "Look: https://example.com"),
            Section("assistant", "https://only.example.com"),
            Section("user", f"{KOREAN} [1]"),
        ),
        source="claude",
        create_time=1.0,
        metadata={"model": "x"},
    )
    cleaned = clean_document(doc)
    assert cleaned.title == "My title"
    assert cleaned.sections == (Section("user", "Look:"), Section("user", KOREAN))
    assert (cleaned.orig_id, cleaned.source, cleaned.create_time, cleaned.metadata) == (
        "d1",
        "claude",
        1.0,
        {"model": "x"},
    )
    assert doc.sections[0].text == "Look: https://example.com"  # the original is untouched


def test_nested_math_environments():
    text = "A \\begin{equation}\\begin{aligned} x &= 1 \\end{aligned}\\end{equation} B"
    assert clean_text(text) == "A B"


@pytest.mark.timeout(15)
@pytest.mark.parametrize(
    "text",
    [
        "[x](" * 200_000,
        "![x](" * 200_000,
        "\\[ x " * 200_000,
        "\\( x " * 200_000,
        "\\begin{x} " * 200_000,
        "$a " * 200_000,
        "<a " * 200_000,
        "-" * 500_000 + "x",
    ],
    ids=["link", "image", "display", "inline", "environment", "dollar", "tag", "rule"],
)
def test_unclosed_markup_costs_linear_time(text):
    # Each of these took quadratic time in an earlier version (minutes at this size).
    assert isinstance(clean_text(text), str)
