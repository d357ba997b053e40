"""Checks that a model's summary prose says only what the facts it was given say.

A small model asked to describe a person's topics fills gaps with plausible inventions: an
award, a year, a city, a "passion for sustainability". Three checks catch that:

- every number in the text is one of the facts' numbers;
- every proper noun in the text (a capitalised word that does not merely start a sentence,
  or a word with inner capitals such as "AWS") and every code identifier is in the facts;
- the text names the topics it must (the overview: the largest ones) and no topic its facts
  do not mention (``naming_problem``);
- every sentence lies nearest, by the embedding model, to a topic it may talk about, and
  at least ``floor`` close to it (``off_topic_sentences``).

A lone capitalised word opening a sentence ("Jeff is ...") is not caught: without a
dictionary it cannot be told from "Lately ..." or "Overall ...".

Each returns what is wrong as a short reason, or None, so the writer can log why it dropped
a text.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Collection, Sequence

import numpy as np

from graphnode.ai.llm.grounding import TextEncoder, similarities

# all-MiniLM-L6-v2: a sentence about one of a graph's topics lies 0.25-0.6 from its
# centroid, an unrelated one 0.0-0.15 (measured on the sample export); 0.2 sits between.
SENTENCE_FLOOR = 0.2
# A Latin stop ends a sentence only before a space ("3.5" does not); a CJK sentence has no
# spaces, so the ideographic full stop ends it at once (NFKC has already turned full-width
# "!" and "?" into ASCII ones).
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|(?<=\u3002)")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_THOUSANDS = re.compile(r",(?=\d{3}(?:\D|$))")
# Latin letters (the multiplication and division signs left out); a word is a run of them
# or of other letters. Korean writes its particles onto a foreign word ("Python에",
# "Kyoto는"), which must still read as the name "Python", not as one the facts never held.
_LATIN = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02c1\u1e00-\u1eff"  # IPA, modifier letters
_WORD = re.compile(rf"[{_LATIN}]+|[^\W\d_{_LATIN}]+")
# Code-like tokens ("async_traits", `tokio::spawn`) are names too: a model invents APIs.
_IDENTIFIER = re.compile(r"`[^`\n]+`|\b\w+(?:_\w+|::\w+)+\b")
# Words that may start a sentence with a capital and still be ordinary words even when a
# capitalised name follows ("This Rust topic ...", "Both Kyoto Travel and ...").
_STARTER_WORDS = """a about across after all also although among an and another any around as at
    because before besides beyond both but by during each either even every for from
    further given he her here his however if in into it its lately later many meanwhile
    more most much my neither no not now of often on one only or other our over overall
    recently she since so some such than that the their them then there these they this
    those through throughout thus to together too under until we what when where whether
    which while who with within without yet you your"""
_COMMON_STARTERS = frozenset(_STARTER_WORDS.split())
# Nouns a topic's description commonly opens with ("Questions about ...").
_DESCRIPTION_OPENERS = frozenset(
    [
        "advice",
        "conversations",
        "discussions",
        "exploring",
        "guidance",
        "help",
        "ideas",
        "learning",
        "notes",
        "planning",
        "questions",
        "tips",
        "topics",
        "understanding",
    ]
)
# Words too common in topic names to tell one topic from another by themselves.
_NAME_FILLER = frozenset({"and", "the", "for", "with", "from", "into", "your", "of", "in", "on"})


def _normalised(text: str) -> str:
    # Full-width digits and letters (common in CJK text) compare as their ASCII forms.
    return unicodedata.normalize("NFKC", text)


def sentences(text: str) -> list[str]:
    """The sentences of ``text``, stripped, in order (Latin and CJK full stops)."""
    found = _SENTENCE_BREAK.split(_normalised(text))
    return [part.strip() for part in found if part.strip(" .!?\u3002")]


def _number_key(raw: str) -> str:
    plain = _THOUSANDS.sub("", raw).replace(",", ".")
    if "." in plain:
        plain = plain.rstrip("0").rstrip(".")
    return plain.lstrip("0") or "0"


def numbers_in(text: str) -> set[str]:
    """Every number in ``text``, written one way: "1,200" and "1200" are one number."""
    return {_number_key(raw.rstrip(".,")) for raw in _NUMBER.findall(_normalised(text))}


def _fold(word: str) -> str:
    # "Houseplant" in the prose and "houseplants" in the facts are one word to a reader.
    word = word.casefold()
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def vocabulary(text: str) -> set[str]:
    """The folded words of ``text``: what a proper noun must be one of."""
    return {_fold(word) for word in _WORD.findall(_normalised(text))}


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper()


def _has_inner_capitals(word: str) -> bool:
    return any(char.isupper() for char in word[1:])


def proper_nouns(text: str) -> list[str]:
    """Capitalised words that are names, not just a sentence's first word.

    A sentence's first word counts only when a capitalised word follows it ("Jeff Walker
    is ...") and it is not a common sentence opener; inner capitals ("AWS", "iPhone")
    always count. "I" never does. In a sentence of a script without case (Korean, Chinese,
    Japanese), a capitalised Latin word is a name wherever it stands ("Amycana는 ...").
    """
    found: list[str] = []
    for sentence in sentences(_normalised(text)):
        words = _WORD.findall(sentence)
        caseless = any(_is_caseless(word) for word in words)
        for position, word in enumerate(words):
            if word == "I" or not (_is_capitalised(word) or _has_inner_capitals(word)):
                continue
            if position == 0 and not _has_inner_capitals(word) and not caseless:
                follows = len(words) > 1 and _is_capitalised(words[1])
                if not follows or word.casefold() in _COMMON_STARTERS:
                    continue
            if position == 0 and word.casefold() in _COMMON_STARTERS:
                continue
            found.append(word)
    return found


def _is_caseless(word: str) -> bool:
    """A word of a script with no capitals (Hangul, Han, kana, Thai, Arabic...)."""
    return word.lower() == word.upper()


_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
# As the facts write a month: with its year ("May 2024"; "may" alone is a verb).
_MONTH_NAME = re.compile(rf"\b({'|'.join(_MONTHS)})\s+\d{{4}}\b", re.IGNORECASE)


def _month_numbers(facts: str) -> set[str]:
    """The facts say a month by its English name ("March 2024"); prose in Korean, Japanese or
    Chinese says it as a number ("2024년 3월", "2024年3月"), which is the same fact."""
    found = {_MONTHS.index(name.lower()) + 1 for name in _MONTH_NAME.findall(facts)}
    return {_number_key(str(month)) for month in found}


def invented_numbers(text: str, facts: str) -> list[str]:
    """The numbers of ``text`` that ``facts`` does not hold, shortest first."""
    known = numbers_in(facts) | _month_numbers(facts)
    return sorted(numbers_in(text) - known, key=lambda n: (len(n), n))


def invented_names(text: str, facts: str) -> list[str]:
    """The proper nouns and code identifiers of ``text`` that ``facts`` does not hold, in
    order, once each."""
    known = vocabulary(facts)
    folded_facts = _normalised(facts).casefold()
    names = [w for w in proper_nouns(text) if _fold(w) not in known]
    names += [
        token
        for token in _IDENTIFIER.findall(_normalised(text))
        if token.strip("`").casefold() not in folded_facts
    ]
    return list(dict.fromkeys(names))


def _is_short_acronym(word: str) -> bool:
    return word.isupper() and len(word) <= 5


def unknown_capitalised(text: str, facts: str) -> list[str]:
    """Capitalised words of ``text`` that ``facts`` does not hold, a sentence's first word
    included unless it is a common opener. Stricter than ``invented_names``, for one-line
    texts such as a topic's description, where "Amycana is a Python library ..." opens
    with the invention; a false alarm there only costs the deterministic description."""
    known = vocabulary(facts)
    found = [
        word
        for word in _WORD.findall(_normalised(text))
        if (_is_capitalised(word) or _has_inner_capitals(word))
        and not _is_short_acronym(word)  # "HTTP", "API": general terms, rarely inventions
        and word != "I"
        and word.casefold() not in _COMMON_STARTERS | _DESCRIPTION_OPENERS
        and _fold(word) not in known
    ]
    return list(dict.fromkeys(found))


def unsupported_facts(text: str, facts: str) -> str | None:
    """Why ``text`` says more than ``facts`` (numbers, proper nouns), or None."""
    numbers = invented_numbers(text, facts)
    if numbers:
        return f"numbers not in the facts: {', '.join(numbers[:5])}"
    names = invented_names(text, facts)
    if names:
        return f"names not in the facts: {', '.join(names[:5])}"
    return None


def _name_words(name: str) -> list[str]:
    words = [_fold(w) for w in _WORD.findall(_normalised(name))]
    return [w for w in words if len(w) >= 3 and w not in _NAME_FILLER] or words


def names_topic(text: str, name: str) -> bool:
    """Whether ``text`` names the topic ``name``: in full, or at least half of its words
    ("Rust" names "Rust Borrow Checker" ... only with "borrow" or "checker" too)."""
    if _normalised(name).casefold() in _normalised(text).casefold():
        return True
    words = _name_words(name)
    if not words:
        return False
    present = vocabulary(text)
    return sum(word in present for word in words) >= math.ceil(len(words) / 2)


def unnamed_topics(text: str, names: Sequence[str]) -> list[str]:
    """The topics of ``names`` that ``text`` does not name, in order."""
    return [name for name in names if not names_topic(text, name)]


def naming_problem(
    text: str, largest: Sequence[str], needed: int, others: Sequence[str] = ()
) -> str | None:
    """Why ``text`` names too few of the ``largest`` topics (fewer than ``needed``), or
    names one of ``others`` (topics its facts do not mention: it has wandered off), or None.
    """
    strays = [name for name in others if re.search(rf"\b{re.escape(name)}\b", text, re.I)]
    if strays:
        return f"names another topic: {', '.join(strays[:3])}"
    named = sum(names_topic(text, name) for name in largest)
    if named < needed:
        return f"names {named} of the {len(largest)} largest topics, needs {needed}"
    return None


def off_topic_sentence(
    parts: Sequence[str],
    vectors: np.ndarray,
    centroids: np.ndarray,
    allowed: Collection[int],
    *,
    floor: float = SENTENCE_FLOOR,
) -> str | None:
    """Why one of ``parts`` (sentences, ``vectors`` their embeddings) is not about the
    topics ``allowed`` (rows of ``centroids``), or None when every one is."""
    if not parts or not allowed or len(centroids) == 0:
        return None
    sims = similarities(vectors, centroids)
    rows = sorted(allowed)
    for sentence, row in zip(parts, sims, strict=True):
        nearest = int(np.argmax(row))
        best_allowed = float(row[rows].max())
        if nearest not in allowed:
            return f"sentence nearest another topic: {sentence[:80]!r}"
        if best_allowed < floor:
            return f"sentence about none of the topics ({best_allowed:.2f}): {sentence[:80]!r}"
    return None


async def off_topic_sentences(
    text: str,
    encoder: TextEncoder,
    centroids: np.ndarray,
    allowed: Collection[int],
    *,
    floor: float = SENTENCE_FLOOR,
) -> str | None:
    """``off_topic_sentence`` for the sentences of ``text``, embedded with ``encoder``."""
    parts = sentences(text)
    if not parts:
        return None
    vectors = await encoder.encode(parts)
    return off_topic_sentence(parts, vectors, centroids, allowed, floor=floor)
