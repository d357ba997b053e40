"""Checks that decide whether a model's text is usable, shared by the namer and the writer.

A small model's typical failures are: an empty or cut-off answer, a placeholder ("Cluster 3",
"Topic name"), the instructions copied back, chat-template tokens, and prose in the wrong
language. Each check here is a pure function so the tests can pin them down.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_WHITESPACE = re.compile(r"\s+")
_QUOTES = "\"'`“”\u2018\u2019«»「」"
_GENERIC_WORDS = (
    "cluster|topic|group|category|theme|subject|conversations?|chats?|name|title|label"
    "|untitled|misc|miscellaneous|other|others|general|unknown|none|null|n/?a|tbd|example"
    "|placeholder|short topic name|topic name|cluster name"
)
_GENERIC = re.compile(
    rf"^(?:the |a |an )?(?:{_GENERIC_WORDS})(?: ?(?:#|no\.?|number)? ?[0-9a-z]?\d*)?$",
    re.IGNORECASE,
)
_TEMPLATE_MARKERS = ("<|", "|>", "{", "}", "[", "]", "```")
_LABEL_PREFIX = re.compile(r"^(?:summary|insight|answer|name|description)\s*:\s*", re.IGNORECASE)
_CJK_STOPS = "。\uff01\uff1f"  # full-width full stop, exclamation and question marks
_SENTENCE_ENDINGS = (".", "!", "?", *_CJK_STOPS)
# CJK full stops need no following space; Latin ones do (so "3.5" or "e.g." mid-word are kept).
_SENTENCE_END = re.compile(rf"[.!?](?=\s|$)|[{_CJK_STOPS}]")

# Languages not written in Latin script: an answer without a single letter of another script
# certainly ignored the requested language.
NON_LATIN_LANGUAGES = frozenset(
    {"ar", "bg", "el", "fa", "he", "hi", "ja", "ko", "ru", "sr", "th", "uk", "zh"}
)

LANGUAGE_NAMES = {
    "ar": "Arabic", "de": "German", "en": "English", "es": "Spanish", "fr": "French",
    "hi": "Hindi", "it": "Italian", "ja": "Japanese", "ko": "Korean", "nl": "Dutch",
    "pl": "Polish", "pt": "Portuguese", "ru": "Russian", "sv": "Swedish", "tr": "Turkish",
    "uk": "Ukrainian", "vi": "Vietnamese", "zh": "Chinese",
}  # fmt: skip


def language_name(code: str | None) -> str | None:
    """``"ko"`` -> ``"Korean"``; unknown codes are passed through, None/English is None."""
    if not code:
        return None
    base = code.strip().lower().replace("_", "-").split("-")[0]
    if base == "en":
        return None
    return LANGUAGE_NAMES.get(base, code.strip())


def clean_line(value: object) -> str:
    """A single-line string with quotes, labels and trailing punctuation removed; "" if none."""
    if not isinstance(value, str):
        return ""
    text = _WHITESPACE.sub(" ", value).strip().strip(_QUOTES).strip()
    text = _LABEL_PREFIX.sub("", text)
    return text.rstrip(" .;:,").strip(_QUOTES).strip()


def clean_prose(value: str) -> str:
    """Paragraph text without labels, code fences or chat tokens, whitespace collapsed."""
    text = value.replace("```", " ")
    text = re.sub(r"<\|[^|]*\|>", " ", text)
    text = _WHITESPACE.sub(" ", text).strip().strip(_QUOTES).strip()
    return _LABEL_PREFIX.sub("", text)


def has_letters(text: str) -> bool:
    return any(char.isalpha() for char in text)


def is_generic_name(name: str) -> bool:
    """Placeholder names: "Cluster 3", "Topic", "Misc", "Untitled 2", "Topic name"."""
    return bool(_GENERIC.match(name.strip()))


def has_template_debris(text: str) -> bool:
    return any(marker in text for marker in _TEMPLATE_MARKERS)


def echoes_prompt(text: str, instructions: Iterable[str], data_lines: Iterable[str]) -> bool:
    """Whether ``text`` is the prompt copied back rather than an answer.

    ``instructions`` are our own words (any part of them copied counts); ``data_lines`` are
    the listed keywords and titles (only a copy of a whole list counts, because a name may
    rightly reuse one keyword or title).
    """
    folded = text.casefold()
    if len(folded) >= 4 and any(folded in part.casefold() for part in instructions):
        return True
    if any(marker in folded for marker in ("keywords:", "titles:")):
        return True
    return any(len(line) > 20 and folded == line.casefold() for line in data_lines)


def is_repetitive(text: str) -> bool:
    """A model stuck in a loop ("Ai-Ai-Ai-Ai ..."): few distinct tokens for the length."""
    tokens = re.findall(r"\w+", text.casefold())
    return len(tokens) >= 8 and len(set(tokens)) / len(tokens) < 0.4


def trim_to_sentence(text: str, min_length: int) -> str:
    """Cut a truncated answer back to its last full sentence, if that leaves enough text."""
    if text.endswith(_SENTENCE_ENDINGS):
        return text
    ends = [match.end() for match in _SENTENCE_END.finditer(text)]
    if ends and ends[-1] >= min_length:
        return text[: ends[-1]]
    return text


def fits_language(text: str, language: str | None) -> bool:
    """False when a non-Latin-script language was asked for and the text has none of it."""
    if not language:
        return True
    base = language.strip().lower().replace("_", "-").split("-")[0]
    if base not in NON_LATIN_LANGUAGES:
        return True
    return any(
        char.isalpha() and not unicodedata.name(char, "").startswith("LATIN") for char in text
    )
