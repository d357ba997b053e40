"""Hostile text through the markdown parser and the cleaner: right answers, in linear time.

Each input is a megabyte of one construct that made a pattern backtrack (a run of ``#``,
``-``, ``*``, spaces, backticks, ``$``, ``[``, ``<``; unclosed fences, math, comments,
tags and links). Linear code reads a megabyte in well under a second; each quadratic
pattern these inputs were built against needed about a second for 4 KB and so would need
hours for a megabyte. The per-test timeout below therefore separates the two by orders of
magnitude without measuring time in the test itself.
"""

from __future__ import annotations

from collections import Counter

import pytest

from graphnode.ai.clean import CODE_MARKER, clean_text
from graphnode.ingest.parse.markdown import front_matter, heading, parse_markdown

MEGABYTE = 1 << 20
# Linear work on a megabyte takes well under a second here; quadratic work takes hours.
LINEAR_BUDGET_SECONDS = 30


def _run(unit: str) -> str:
    return unit * (MEGABYTE // len(unit))


# (name, text, expected cleaned text)
_CLEAN_CASES = [
    ("hashes", _run("#"), _run("#")),
    ("dashes", _run("-"), ""),
    ("stars", _run("*"), ""),
    ("spaces", _run(" "), ""),
    ("tabs", _run("\t"), ""),
    ("newlines", _run("\n"), ""),
    ("underscores", _run("_"), ""),
    ("pipes", _run("|"), ""),
    ("backticks", _run("`"), _run("`")),
    ("tildes", _run("~"), _run("~")),
    ("dollars", _run("$"), _run("$")),
    ("brackets", _run("["), _run("[")),
    ("angles", _run("<"), _run("<")),
    ("backslashes", _run("\\"), _run("\\")),
    ("parentheses", _run("("), _run("(")),
    ("ampersands", _run("&"), _run("&")),
    ("blank lines between words", "a" + _run("\n") + "b", "a\n\nb"),
    ("spaces before a word", _run(" ") + "x", "x"),
    ("a backtick line inside words", "a " + _run("`") + " b", "a " + _run("`") + " b"),
    ("an unclosed fence", "Before\n```\n" + _run("x = 1\n"), f"Before\n{CODE_MARKER}"),
    ("a fence line without a newline", _run("```"), _run("```")),
    ("unclosed display math", "a $$" + _run("x"), "a $$" + _run("x")),
    ("unclosed bracket math", "a \\[" + _run("x"), "a \\[" + _run("x")),
    ("an unclosed environment", "a \\begin{x}" + _run("y"), "a \\begin{x}" + _run("y")),
    ("many dollar words", _run("$a "), _run("$a ").strip()),
    ("an unclosed comment", "a <!--" + _run("y"), "a"),
    ("script tags without '>'", "a " + _run("<script "), "a " + _run("<script ").strip()),
    ("an unclosed quoted attribute", 'a <a "' + _run("x"), 'a <a "' + _run("x")),
    ("link openers", "a " + _run("[x]("), "a " + _run("[x](")),
    (
        "brackets before a link",
        _run("[") + "see [docs](http://x.y) now",
        _run("[") + "see docs now",
    ),
    ("a heading with a run of spaces", "# a" + _run(" ") + "b", "a b"),
    ("role labels", _run("user:\n"), ""),
]


@pytest.mark.timeout(LINEAR_BUDGET_SECONDS)
@pytest.mark.parametrize(
    ("text", "expected"),
    [pytest.param(text, expected, id=name) for name, text, expected in _CLEAN_CASES],
)
def test_clean_text_reads_a_megabyte_of_one_construct(text, expected):
    assert clean_text(text) == expected


def test_good_text_is_cleaned_as_before():
    text = (
        "# Title\n\nCall `os.path.join()` in `hello world`.\n\n```py\nx = 1\n```\n\n"
        "| a | b |\n|---|:---:|\n| 1 | 2 |\n\n---\n\n$E = mc^2$ and [docs](https://x.y/z)."
    )
    assert clean_text(text) == (
        f"Title\n\nCall in hello world.\n\n{CODE_MARKER}\n\na b\n\n1 2\n\nand docs."
    )


@pytest.mark.timeout(LINEAR_BUDGET_SECONDS)
@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param(_run("#"), (6, ""), id="hashes"),
        pytest.param("# a" + _run(" ") + "b", (1, "a" + _run(" ") + "b"), id="spaces-inside"),
        pytest.param("## a" + _run("#") + "b", (2, "a" + _run("#") + "b"), id="hashes-inside"),
        pytest.param("# a" + _run(" #\t"), (1, "a"), id="closing-run"),
        pytest.param("#" + _run("a"), None, id="no-space"),
        pytest.param(_run(" ") + "# a", None, id="indented-too-far"),
        pytest.param("####### x" + _run("#"), None, id="seven-marks-then-text"),
    ],
)
def test_heading_of_a_megabyte_line(line, expected):
    assert heading(line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("# Title", (1, "Title")),
        ("   ### Deep ##  ", (3, "Deep")),
        ("#\tTabbed", (1, "Tabbed")),
        ("######", (6, "")),
        ("####### ##", (6, "")),
        ("#hashtag", None),
        ("    # code", None),
    ],
)
def test_heading_rules(line, expected):
    assert heading(line) == expected


@pytest.mark.timeout(LINEAR_BUDGET_SECONDS)
@pytest.mark.parametrize(
    ("text", "values", "rest"),
    [
        pytest.param("---\n" + _run("a\n"), {}, "---\n" + _run("a\n"), id="unclosed"),
        pytest.param(
            "---\n" + _run("---x\n"), {}, "---\n" + _run("---x\n"), id="almost-closing-lines"
        ),
        pytest.param(
            "---\ntitle: a" + _run(" ") + "b\n---\nbody",
            {"title": "a" + _run(" ") + "b"},
            "body",
            id="spaces-in-a-value",
        ),
        pytest.param(
            "---\ntitle: a" + _run("\t") + "\n...\nbody", {"title": "a"}, "body", id="tab-run"
        ),
        pytest.param("---\n" + _run("_"), {}, "---\n" + _run("_"), id="key-without-colon"),
    ],
)
def test_front_matter_of_a_megabyte(text, values, rest):
    assert front_matter(text) == (values, rest)


def test_front_matter_rules():
    assert front_matter("---\r\nTitle: 'Hi'\r\nid: n1\r\n---\r\nBody") == (
        {"title": "Hi", "id": "n1"},
        "Body",
    )
    assert front_matter("---\n---\nBody") == ({}, "Body")
    assert front_matter("---\ndate: 2024\n---") == ({"date": "2024"}, "")
    # A lone \r is no line end, so this last line closes nothing.
    assert front_matter("---\ndate: 2024\n---\r") == ({}, "---\ndate: 2024\n---\r")


@pytest.mark.timeout(LINEAR_BUDGET_SECONDS)
@pytest.mark.parametrize(
    ("text", "title", "section"),
    [
        pytest.param(_run("#") + "\nbody", "hostile", "body", id="hashes"),
        pytest.param("# a" + _run(" ") + "b\nbody", "a" + _run(" ") + "b", "body", id="spaces"),
        pytest.param(
            "```\n" + _run("# not a heading\n"),
            "hostile",
            ("```\n" + _run("# not a heading\n")).strip(),
            id="unclosed-fence",
        ),
        pytest.param(_run("`") + "\nbody", "hostile", _run("`") + "\nbody", id="backticks"),
        pytest.param(
            "---\n" + _run("key: value  \n"),
            "hostile",
            ("---\n" + _run("key: value  \n")).strip(),
            id="unclosed-front-matter",
        ),
        pytest.param(_run("-") + "\nbody", "hostile", _run("-") + "\nbody", id="dashes"),
    ],
)
def test_parse_markdown_reads_a_megabyte_line(text, title, section):
    (doc,) = parse_markdown(text, "notes/hostile.md", Counter())
    assert (doc.title, [s.text for s in doc.sections]) == (title, [section])
