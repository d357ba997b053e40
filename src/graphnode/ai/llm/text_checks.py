"""Checks that decide whether a model's text is usable, shared by the namer and the writer.

A small model's typical failures are: an empty or cut-off answer, a placeholder ("Cluster 3",
"Topic name"), a sentence or a vague phrase instead of a name ("I am a physics based
character", "The Third Step"), a proper name lifted from one conversation ("Jeff Walker"),
the instructions copied back, chat-template tokens, and prose in the wrong language. Each
check here is a pure function so the tests can pin them down.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from graphnode.languages import base_language

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
    base = base_language(code)
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
    if any(marker in folded for marker in ("keywords:", "phrases:", "titles:")):
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
    if base_language(language) not in NON_LATIN_LANGUAGES:
        return True
    return any(
        char.isalpha() and not unicodedata.name(char, "").startswith("LATIN") for char in text
    )


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# A name that opens like a sentence, or holds a finite verb, is the model talking, not naming.
_SENTENCE_OPENERS = _word_set(
    "i i'm im you we he she they it my your our this these here there let's please"
)
_FINITE_VERBS = _word_set("am is are was were i'm you're we're it's isn't aren't don't")
# Words that say where a topic sits in a conversation, not what it is about.
_VAGUE_WORDS = _word_set(
    """first second third fourth fifth next last final step steps part parts stage phase
    chapter section introduction intro overview basics things stuff ideas tips various new
    general topics discussion discussions questions notes random more other important key
    main points thoughts help advice information info guide chat chats conversation"""
)
_FUNCTION_WORDS = _word_set("the a an of and for to in on with your my our at by from")
_NAME_WORDS = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)


def reads_as_sentence(name: str) -> bool:
    """ "I am a physics based character", "This is about budgets", "Why is it slow?"."""
    words = [word.casefold() for word in _NAME_WORDS.findall(name)]
    if not words:
        return False
    return (
        name.rstrip().endswith("?")
        or words[0] in _SENTENCE_OPENERS
        or any(word in _FINITE_VERBS for word in words)
    )


def is_vague_name(name: str) -> bool:
    """ "The Third Step", "Tips and Ideas": no word in it says what the topic is."""
    words = [word.casefold() for word in _NAME_WORDS.findall(name)]
    content = [word for word in words if word not in _FUNCTION_WORDS]
    return bool(content) and all(word in _VAGUE_WORDS for word in content)


def _opens_a_sentence(text: str, start: int) -> bool:
    # A capital there is grammar, not a name ("Cover letter for ...").
    prefix = text[max(0, start - 4) : start]
    core = prefix.rstrip(" \t\r\"'“(*#-")
    return (not core and start <= len(prefix)) or core.endswith(("\n", ".", "!", "?", ":"))


def _name_evidence(word: str, texts: Sequence[str]) -> tuple[int, bool, bool]:
    """(texts mentioning ``word``, written lower-case anywhere, capitalised mid-sentence)."""
    pattern = re.compile(rf"\b{re.escape(word)}\b", re.IGNORECASE)
    carrying, capitalised = 0, False
    for text in texts:
        found = False
        for match in pattern.finditer(text):
            found = True
            if match.group().islower():
                return carrying + 1, True, capitalised  # a common word: no need to count on
            capitalised = capitalised or not _opens_a_sentence(text, match.start())
        carrying += found
    return carrying, False, capitalised


def rarely_carried_proper_name(name: str, texts: Sequence[str], min_share: float) -> str | None:
    """The first proper name in ``name`` that fewer than ``min_share`` of ``texts`` mention.

    A word counts as a proper name when ``texts`` write it capitalised inside a sentence and
    never in lower case ("Kyoto", "Walker"); a word they never mention is left to the
    semantic check (a name may rightly paraphrase), and scripts without case have no proper
    names to tell.
    """
    if not texts:
        return None
    for word in _NAME_WORDS.findall(name):
        if len(word) < 3 or word.lower() == word.upper() or word.casefold() in _FUNCTION_WORDS:
            continue
        carrying, lower_case, capitalised = _name_evidence(word, texts)
        if capitalised and not lower_case and carrying < min_share * len(texts):
            return word
    return None
