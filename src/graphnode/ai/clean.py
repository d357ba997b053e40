"""Cleaning: the words a person and an assistant said, without the markup around them.

Code, LaTeX, URLs, HTML, citation markers, role labels and export metadata would
otherwise dominate keywords and pull embeddings of unrelated conversations together
(every conversation with Python code would look alike). Code leaves a ``[code]`` marker
so a reply that was mostly code still reads as one; the rest leaves nothing.

Only markup is removed: letters of every script are kept, so Korean and Chinese text
comes out as it went in, apart from NFKC normalisation (full-width forms become ASCII).
Each step is a precompiled pattern, and a step whose trigger character is absent from the
text is not run at all, since most turns contain no code, math, HTML or links.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import replace

import orjson

from graphnode.ingest.documents import Document, Section

CODE_MARKER = "[code]"
_CODE = f" {CODE_MARKER} "

# Zero-width and control characters (not \t, \n): invisible, but they split words.
_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u00ad\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Hangul compatibility jamo (ㅋㅋ, ㅠㅠ): NFKC would turn them into conjoining jamo,
# which can fuse with the next letter into a different syllable. They are kept as typed.
_COMPAT_JAMO = re.compile("[\u3131-\u318e]+")

# ChatGPT's private-use citation tokens: \ue200cite\ue202turn0search1\ue201, and
# \ue200entity\ue202["kind","Name",...]\ue201 whose display name is part of the sentence.
_PRIVATE_TOKEN = re.compile("\ue200([^\ue200\ue201]{0,2000})\ue201")
_PRIVATE_USE = re.compile("[\ue200-\ue2ff]")
_BRACKET_CITATION = re.compile(r"【[^【】\n]{0,200}?†[^【】\n]{0,200}?】")
_CITE_RESIDUE = re.compile(r"(?:file)?cite(?:turn\d+[a-z]+\d+)+", re.IGNORECASE)
_NUMBER_CITATION = re.compile(r"\[\d{1,3}(?:[ \t]*[,\-\u2013][ \t]*\d{1,3})*\]|\[\^[\w-]{1,20}\]")

# The fence run is possessive: on a line of backticks with no newline after it, giving
# back one backtick at a time rescanned the rest of the line for each (quadratic). A
# shorter fence can never match where the whole run failed, so nothing else changes.
_FENCED_CODE = re.compile(
    r"^[ \t]*+(?P<fence>`{3,}+|~{3,}+)[^\n]*\n.*?(?:^[ \t]*(?P=fence)[`~]*[ \t]*$|\Z)",
    re.MULTILINE | re.DOTALL,
)
# A run of lines indented 4+ spaces or a tab that starts after a blank line (markdown's
# rule: indented code cannot interrupt a paragraph). Whether it is code is judged below.
_INDENTED_RUN = re.compile(r"(?:\A|(?<=\n\n))(?:(?: {4}|\t)[^\n]*(?:\n|\Z)(?:[ \t]*\n)*)+")
_LIST_ITEM = re.compile(r"^\s*+(?:[-*+•]|\d{1,3}[.)])\s")
# Leading whitespace stops at the line's end: with \s*, every line start of a run of blank
# lines scanned all the blank lines after it (quadratic). Any match \s* found across
# lines starts at a later line, so the answer of search() is the same.
_CODE_LINE = re.compile(
    r"^[^\S\n]*+(?:def |class |import |from \S+ import |function |const |let |var |return\b|"
    r"#include|public |private |if \(|for \(|while \(|SELECT |\$ |>>> |[{}])",
    re.MULTILINE,
)
_CODE_SYMBOLS = frozenset("{}[]()<>;=$\\/|&*+#@_")
_CODE_SYMBOL_SHARE = 0.1
# Starts with the literal backtick so the search skips ahead quickly; a run opens, the same
# run closes (``a `b` c`` style nesting is left alone). The opening run is bounded: with
# `+, every position of a long run of backticks took the rest of the run and gave it back
# one at a time (quadratic); no one closes a code span with more than 16 backticks.
_INLINE_CODE = re.compile(r"(`{1,16})([^`\n]{1,300})\1(?!`)")
_IDENTIFIER_CHARS = re.compile(r"[_.()/:=<>\[\]{}$#@\\;]|[a-z][A-Z]|^-")
_CODE_CHARS = re.compile(r"[()=\[\]{};<>$\\]")

# Math content is matched possessively and cannot run past the next opener of its own
# kind, so unclosed delimiters cost one bounded scan each instead of quadratic time.
_DISPLAY_MATH = re.compile(
    r"\$\$(?:[^$]|\$(?!\$)){1,5000}+\$\$"
    r"|\\\[(?:[^\\]|\\(?![\[\]])){1,5000}+\\\]"
)
# An environment stops at any nested \begin: the inner one goes first, the outer on the
# next pass (see _drop_math).
_MATH_ENVIRONMENT = re.compile(
    r"\\begin\{(?P<env>[A-Za-z*]{1,30})\}"
    r"(?:[^\\]|\\(?!begin\{|end\{(?P=env)\})){0,20000}+\\end\{(?P=env)\}"
)
_MAX_NESTING = 4
# Pandoc's rule for $...$: no space inside either dollar, no digit after the closing one.
# A digit after the opening one is refused too, so "$5 and $10" stays money.
_INLINE_MATH = re.compile(
    r"\\\((?:[^\\]|\\(?![()])){1,1000}+\\\)"
    r"|\$(?<![\\$]\$)(?=[^\s$\d])(?:[^$\n\\]|\\.){1,300}?(?<![\s\\])\$(?![\d$])"
)

# A script or style tag's attributes end at the next "<" as well as ">": with [^>]*, each
# "<script" of a text without ">" scanned the rest of the text (quadratic).
_HTML_BLOCK = re.compile(
    r"<!--.*?(?:-->|\Z)|<(?P<tag>script|style)\b[^<>]*+>.*?(?:</(?P=tag)\s*>|\Z)",
    re.DOTALL | re.IGNORECASE,
)
# fmt: off
_LINE_BREAKING_TAGS = frozenset((
    "br", "p", "div", "li", "ul", "ol", "table", "tr", "thead", "tbody", "tfoot", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "pre", "blockquote", "section", "article", "header",
    "footer", "nav", "main", "figure", "figcaption", "details", "summary", "dl", "dt", "dd",
))
_INLINE_TAGS = frozenset((
    "a", "b", "i", "u", "s", "em", "strong", "span", "sup", "sub", "small", "big", "mark",
    "del", "ins", "code", "kbd", "abbr", "cite", "q", "font", "center", "img", "td", "th",
    "caption", "col", "colgroup", "input", "button", "label", "select", "option", "textarea",
    "form", "iframe", "video", "audio", "source", "picture", "canvas", "svg", "path", "link",
    "meta", "head", "body", "html", "title", "noscript", "strike", "tt", "var", "samp",
))
# fmt: on
# The lookahead lets a "<" that starts no name fail before the hundred names are tried.
_HTML_TAG = re.compile(
    r"</?(?=[A-Za-z])(?P<name>"
    + "|".join(sorted(_LINE_BREAKING_TAGS | _INLINE_TAGS, key=len, reverse=True))
    + r")\b(?:[^<>\"']|\"[^\"]*\"|'[^']*')*/?>",
    re.IGNORECASE,
)

_MARKDOWN_IMAGE = re.compile(r"!\[[^\]\n]{0,300}\]\([^()\n]{0,2000}+\)")
# Targets cannot hold brackets or spaces, and are matched possessively: "[x](" repeated
# must not make each opener rescan the rest of the text. Nor can the text hold "[": a run
# of "[" made each of them scan the next 300 characters.
_MARKDOWN_LINK = re.compile(
    r"\[([^\[\]\n]{1,300})\]\([^()\[\]\s]{0,2000}+(?:[ \t]+\"[^\"\n]{0,300}\")?\)"
)
_AUTOLINK = re.compile(r"<(?:https?://|mailto:|www\.)[^<>\s]{1,2000}>", re.IGNORECASE)
# What removing a link leaves behind: "(<https://...>)" becomes "( )".
_EMPTY_PARENS = re.compile(r"\([ \t,;]*\)")
_URL = re.compile(
    r"(?<![A-Za-z0-9])(?:https?://|ftp://|www\.)[A-Za-z0-9\-._~:/?#@!$&'*+,;=%]*"
    r"[A-Za-z0-9\-_~/#=&%+]",
    re.IGNORECASE,
)

_ROLE_LABEL = re.compile(
    r"^[ \t>]*(?:\*\*|__)?(?:user|assistant|chatgpt|gpt-?[345][\w.-]*|human|claude|system|"
    r"사용자|어시스턴트|用户|助手)(?:\*\*|__)?[ \t]*:(?:\*\*|__)?[ \t]*",
    re.IGNORECASE | re.MULTILINE,
)
# Lines chat exporters add around a conversation ("Exported on ...", "Model: GPT-4").
_METADATA_LINE = re.compile(
    r"^[ \t]*(?:\*\*|__)?"
    r"(?:(?:export(?:ed)?(?: on| at)?|export date|conversation (?:id|url)|chat (?:id|url)|model|"
    r"date|created(?: at| on)?|(?:last )?updated(?: at| on)?|timestamp|source|link|url)"
    r"(?:\*\*|__)?[ \t]*:"
    r"|powered by\b|generated (?:by|with)\b|exported (?:on|at|by|with|from)\b)[^\n]*$",
    re.IGNORECASE | re.MULTILINE,
)
# Whitespace runs are possessive: "[ \t]*\|?[ \t]*" split a line of spaces every possible
# way (quadratic). Each run is followed by a character it cannot match, so the lines
# matched are the same.
_RULE_LINE = re.compile(
    r"^[ \t]*+(?:[-*_][ \t]*+){3,}$"  # --- *** ___
    r"|^[ \t]*+\|?[ \t]*+:?-{3,}+:?[ \t]*+(?:\|[ \t]*+:?-{3,}+:?[ \t]*+)*\|?[ \t]*+$",  # |---|:--:|
    re.MULTILINE,
)
_LINE_MARKS = re.compile(r"^[ \t]*(?:#{1,6}|>+)[ \t]+", re.MULTILINE)  # headings, quotes
# Removed without a space: bold marks sit inside words ("**중요**합니다").
_BOLD_MARKS = re.compile(r"\*\*|__")

_BLANK_LINES = re.compile(r"\n{3,}")


def clean_text(text: str) -> str:
    """The text with code, math, links, markup, citations and labels removed.

    Paragraph breaks survive as one blank line and line breaks as one newline; every
    other run of whitespace becomes a single space.
    """
    for step in _STEPS:
        text = step(text)
    return text


def clean_document(doc: Document) -> Document:
    """The document with its title and sections cleaned; sections left empty are dropped."""
    sections = tuple(
        Section(role=section.role, text=cleaned)
        for section in doc.sections
        if (cleaned := clean_text(section.text))
    )
    title = clean_text(doc.title) or doc.title.strip()
    return replace(doc, title=title, sections=sections)


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text)
    if text.isascii():
        return text
    if _COMPAT_JAMO.search(text) is None:
        return unicodedata.normalize("NFKC", text)
    pieces = _COMPAT_JAMO.split(text)
    jamo = _COMPAT_JAMO.findall(text)
    normalised = [unicodedata.normalize("NFKC", piece) for piece in pieces]
    return "".join(part for pair in zip(normalised, [*jamo, ""], strict=True) for part in pair)


def _drop_private_tokens(text: str) -> str:
    if "\ue200" in text:
        text = _PRIVATE_TOKEN.sub(_private_token, text)
    return text if text.isascii() else _PRIVATE_USE.sub("", text)


def _drop_citations(text: str) -> str:
    if "†" in text:
        text = _BRACKET_CITATION.sub("", text)
    if "cite" in text.lower():
        text = _CITE_RESIDUE.sub("", text)
    if "[" in text:
        text = _NUMBER_CITATION.sub("", text)
    return text


def _private_token(match: re.Match[str]) -> str:
    """An entity token's display name; any other token (citations, navigation) is dropped."""
    kind, _, payload = match.group(1).partition("\ue202")
    if kind != "entity":
        return ""
    try:
        fields = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return ""
    if isinstance(fields, list) and len(fields) > 1 and isinstance(fields[1], str):
        return fields[1]
    return ""


def _drop_code(text: str) -> str:
    if "```" in text or "~~~" in text:
        text = _FENCED_CODE.sub(_CODE, text)
    if "\n\n    " in text or "\n\n\t" in text or text.startswith(("    ", "\t")):
        text = _INDENTED_RUN.sub(_indented_run, text)
    if "`" in text:
        text = _INLINE_CODE.sub(_inline_code, text)
    return text


def _indented_run(match: re.Match[str]) -> str:
    block = match.group(0)
    return _CODE + "\n\n" if _looks_like_code(block) else block


def _looks_like_code(block: str) -> bool:
    """Whether an indented run is code rather than a nested list or an indented paragraph."""
    if _LIST_ITEM.match(block):
        return False
    if _CODE_LINE.search(block):
        return True
    symbols = sum(1 for char in block if char in _CODE_SYMBOLS)
    letters = sum(1 for char in block if char.isalpha())
    return symbols >= _CODE_SYMBOL_SHARE * (symbols + letters) and symbols > 0


def _inline_code(match: re.Match[str]) -> str:
    """Identifiers and expressions go; a phrase merely set in backticks stays as words."""
    code = match.group(2).strip()
    has_space = any(char.isspace() for char in code)
    if _CODE_CHARS.search(code) or (not has_space and _IDENTIFIER_CHARS.search(code)):
        return " "
    return code


def _drop_math(text: str) -> str:
    if "\\" in text or "$$" in text:
        text = _DISPLAY_MATH.sub(" ", text)
    for _ in range(_MAX_NESTING):
        if "\\begin{" not in text:
            break
        text, removed = _MATH_ENVIRONMENT.subn(" ", text)
        if not removed:
            break
    if "$" in text or "\\(" in text:
        text = _INLINE_MATH.sub(" ", text)
    return text


def _drop_html(text: str) -> str:
    if "<" in text:
        text = _HTML_BLOCK.sub(" ", text)
        text = _AUTOLINK.sub(" ", text)
        text = _HTML_TAG.sub(_html_tag, text)
    if "&" in text:
        text = html.unescape(text)
    return text


def _html_tag(match: re.Match[str]) -> str:
    return "\n" if match.group("name").lower() in _LINE_BREAKING_TAGS else ""


def _drop_links(text: str) -> str:
    if "](" in text:
        text = _MARKDOWN_IMAGE.sub(" ", text)
        text = _MARKDOWN_LINK.sub(r"\1", text)
    if "://" in text or "www." in text.lower():
        text = _URL.sub(" ", text)
    if "(" in text:
        text = _EMPTY_PARENS.sub("", text)
    return text


def _drop_labels(text: str) -> str:
    if ":" in text:
        text = _ROLE_LABEL.sub("", text)
        text = _METADATA_LINE.sub("", text)
    if "---" in text or "***" in text or "___" in text:
        text = _RULE_LINE.sub("", text)
    if "#" in text or ">" in text:
        text = _LINE_MARKS.sub("", text)
    if "**" in text or "__" in text:
        text = _BOLD_MARKS.sub("", text)
    return text.replace("|", " ") if "|" in text else text


def _collapse_whitespace(text: str) -> str:
    # str.split() per line is several times faster than a whitespace regex over the text.
    text = "\n".join([" ".join(line.split()) for line in text.split("\n")])
    return _BLANK_LINES.sub("\n\n", text).strip()


# Private-use tokens go first (their JSON payload has brackets and quotes), code before
# math and HTML (code is full of $ and <), math before HTML (a < inside $...$ is not a
# tag), links before citations ([1](url) is a link, not a reference).
_STEPS: tuple[Callable[[str], str], ...] = (
    _normalise,
    _drop_private_tokens,
    _drop_code,
    _drop_math,
    _drop_html,
    _drop_links,
    _drop_citations,
    _drop_labels,
    _collapse_whitespace,
)
