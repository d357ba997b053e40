"""Gemini's history from Google Takeout: ``My Activity/Gemini Apps/MyActivity.json``.

The file is a JSON array of activity items, newest first, one per prompt::

    {"header": "Gemini Apps", "title": "Prompted <the prompt>", "time": "2025-03-04T10:15:30.123Z",
     "products": ["Gemini Apps"], "safeHtmlItem": [{"html": "<p>the answer</p>"}], ...}

Other activity (``Used an Extension``, ``Created Gem``, ``Gave feedback``) carries no
conversation and is counted as ``non-prompt activity``. Takeout keeps no conversation ids,
so prompts are grouped into conversations by time: a prompt within ``CONVERSATION_GAP``
of the conversation being built joins it, a longer pause starts a new one. Thirty minutes
is where a person has usually moved on; a chat resumed after a longer pause becomes its own
node, which for a graph of topics costs little. The answer is HTML, turned into plain
text with the standard library's ``html.parser`` (linear, no regular expressions).

Items are grouped as they stream, so memory holds one conversation: a prompt joins the
conversation when it lies within the gap of that conversation's earliest or latest
prompt, which groups a newest-first file (Takeout's order) and an oldest-first one alike.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

from graphnode.ingest.documents import Document, Section
from graphnode.ingest.parse.common import describe, stable_id, title_text, to_epoch, type_name
from graphnode.ingest.parse.errors import ParseError

SOURCE = "gemini"
HEADER = "Gemini Apps"
PROMPT_PREFIX = "Prompted "
# A pause longer than this between prompts starts a new conversation (see above).
CONVERSATION_GAP = 30 * 60.0
# Far above a real answer (tens of KB); the rest of a longer one is cut, and counted.
MAX_ANSWER_HTML_CHARS = 1 << 20
MAX_PROMPT_CHARS = 1 << 20
# Longer than any tag a chat answer holds; a ``<`` opening a longer one is read as text.
MAX_TAG_CHARS = 1024

# Tags that end a line of text; list items also start one with a bullet, and the
# paragraph tags leave a blank line after them.
_LINE_TAGS = frozenset({"br", "dd", "div", "dt", "li", "td", "th", "tr", "figcaption", "caption"})
_PARAGRAPH_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "dl", "figure", "footer", "h1", "h2",
        "h3", "h4", "h5", "h6", "header", "hr", "main", "nav", "ol", "p", "pre", "section",
        "table", "ul",
    }
)  # fmt: skip
_HIDDEN_TAGS = frozenset({"script", "style", "template", "head", "title"})


def is_gemini_item(item: Any) -> bool:
    """Whether a decoded item is a Takeout ``Gemini Apps`` activity."""
    if not isinstance(item, dict) or "title" not in item or "time" not in item:
        return False
    if item.get("header") == HEADER:
        return True
    products = item.get("products")
    return isinstance(products, list) and HEADER in products


def parse_gemini(items: Iterable[Any], file: str, skipped: Counter[str]) -> list[Document]:
    """Documents for every conversation of prompts; other activity is counted."""
    return list(iter_gemini(items, file, skipped))


def iter_gemini(items: Iterable[Any], file: str, skipped: Counter[str]) -> Iterator[Document]:
    """``parse_gemini`` as items stream in: one conversation is held at a time."""
    group: list[_Prompt] = []
    earliest = latest = 0.0
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            where = describe("activity", index, item)
            raise ParseError(file, f"{where} is {type_name(item)}, not an object")
        prompt = _prompt(item, skipped)
        if prompt is None:
            continue
        if group and earliest - CONVERSATION_GAP <= prompt.time <= latest + CONVERSATION_GAP:
            group.append(prompt)
            earliest, latest = min(earliest, prompt.time), max(latest, prompt.time)
            continue
        if group:
            yield from _document(group, skipped)
        group = [prompt]
        earliest = latest = prompt.time
    if group:
        yield from _document(group, skipped)


@dataclass(frozen=True, slots=True)
class _Prompt:
    time: float
    stamp: str  # the time as the file wrote it, for the id
    prompt: str
    answer: str


def _prompt(item: dict[str, Any], skipped: Counter[str]) -> _Prompt | None:
    title = item.get("title")
    if not isinstance(title, str):
        skipped["broken activity"] += 1
        return None
    if not title.startswith(PROMPT_PREFIX) and title.strip() != PROMPT_PREFIX.strip():
        skipped["non-prompt activity"] += 1
        return None
    time = to_epoch(item.get("time"))
    if time is None:
        skipped["activity without a time"] += 1
        return None
    prompt = title[len(PROMPT_PREFIX) :].strip()
    if len(prompt) > MAX_PROMPT_CHARS:
        prompt = prompt[:MAX_PROMPT_CHARS]
        skipped["truncated message"] += 1
    answer = _answer(item.get("safeHtmlItem"), skipped)
    if not prompt and not answer:
        skipped["empty message"] += 1
        return None
    stamp = item["time"] if isinstance(item["time"], str) else _iso(time)
    return _Prompt(time=time, stamp=stamp, prompt=prompt, answer=answer)


def _answer(value: Any, skipped: Counter[str]) -> str:
    if value is None:
        return ""
    if not isinstance(value, list):
        skipped["broken answer"] += 1
        return ""
    texts: list[str] = []
    for block in value:
        html = block.get("html") if isinstance(block, dict) else None
        if not isinstance(html, str):
            skipped["broken answer"] += 1
            continue
        if len(html) > MAX_ANSWER_HTML_CHARS:
            html = html[:MAX_ANSWER_HTML_CHARS]
            skipped["truncated message"] += 1
        text = html_to_text(html)
        if text:
            texts.append(text)
    return "\n\n".join(texts)


def _document(group: list[_Prompt], skipped: Counter[str]) -> Iterator[Document]:
    group.sort(key=lambda prompt: prompt.time)
    sections: list[Section] = []
    for prompt in group:
        if prompt.prompt:
            sections.append(Section(role="user", text=prompt.prompt))
        if prompt.answer:
            sections.append(Section(role="assistant", text=prompt.answer))
    first = group[0]
    # The first prompt and its time name the conversation: the same in every export,
    # even one taken later in which the conversation has grown.
    orig_id = stable_id(SOURCE, first.stamp, first.prompt)
    yield Document(
        orig_id=orig_id,
        title=title_text(None, tuple(sections)),
        sections=tuple(sections),
        source_type="chat",
        source=SOURCE,
        create_time=first.time,
        update_time=group[-1].time,
    )


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat()


def html_to_text(html: str) -> str:
    """The text a reader sees in an answer's HTML: paragraphs and list items on their own
    lines, code blocks kept as written, scripts and styles dropped."""
    parser = _TextParser()
    try:
        parser.feed(_bounded_tags(html))
        parser.close()
    except (AssertionError, ValueError):  # html.parser's complaints about broken markup
        pass
    return parser.text()


def _bounded_tags(html: str) -> str:
    """``html`` with every ``<`` that does not open a short tag closed by ``>`` (with no other
    ``<`` before it) escaped as ``&lt;``.

    ``html.parser`` rescans to the end of the input for each unclosed ``<`` (``<a <a <a``,
    ``</</</``), quadratic in an answer's length; after this every tag it sees is short and
    closed. One pass: each ``>`` is found once and reused by the ``<`` before it.
    """
    if "<" not in html:
        return html
    pieces: list[str] = []
    start = 0  # the first character not yet copied into ``pieces``
    at = html.find("<")
    close = html.find(">", at)  # the first ">" at or after ``at``; -1: none is left
    while at != -1:
        if close != -1 and close < at:
            close = html.find(">", at)
        following = html.find("<", at + 1)
        closed = close != -1 and (following == -1 or close < following)
        if not closed or close - at > MAX_TAG_CHARS:
            pieces.append(html[start:at])
            pieces.append("&lt;")
            start = at + 1
        at = following
    pieces.append(html[start:])
    return "".join(pieces)


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._lines: list[str] = []
        self._line: list[str] = []
        self._pre = 0
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden += 1
            return
        self._block(tag)
        if tag == "li":
            self._line.append("- ")
        elif tag == "pre":
            self._pre += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._block(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden = max(0, self._hidden - 1)
            return
        if tag == "pre":
            self._pre = max(0, self._pre - 1)
        self._block(tag)

    def handle_data(self, data: str) -> None:
        if self._hidden or not data:
            return
        if self._pre:
            first, *rest = data.split("\n")
            self._line.append(first)
            for line in rest:
                self._lines.append("".join(self._line).rstrip())
                self._line = [line]
            return
        words = data.split()
        if data[0].isspace() and self._line and not self._line[-1].endswith(" "):
            self._line.append(" ")
        if words:
            self._line.append(" ".join(words))
            if data[-1].isspace():
                self._line.append(" ")

    def _block(self, tag: str) -> None:
        if self._line == ["- "] and tag != "li":
            return  # <li><p>text</p></li>: the bullet waits for its text
        if tag in _LINE_TAGS:
            self._end_line()
        elif tag in _PARAGRAPH_TAGS:
            self._end_line()
            if self._lines and self._lines[-1]:
                self._lines.append("")

    def _end_line(self) -> None:
        line = "".join(self._line)
        self._line = []
        line = line.rstrip() if self._pre else line.strip()
        if line and line != "-":
            self._lines.append(line)

    def text(self) -> str:
        self._end_line()
        return "\n".join(self._lines).strip("\n")
