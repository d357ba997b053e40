"""The language a person writes in, when the request does not name one.

Cluster names and the summary follow ``language`` / ``summaryLanguage``; unset, they follow
the user's own dominant language. It is read from the letters of the user's turns (what the
assistant answered in follows the user), by Unicode script: Hangul is Korean, kana is
Japanese (Japanese text mixes kana with Han), Han without kana Chinese, and so on. A script
says nothing about which Latin-script language it is, so Latin text (or no clear majority)
gives ``None``: the default, English prompts, as before. Linear in the text, and sampled:
a heavy user's history need not be read whole to know which script they write in.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

from graphnode.ingest.documents import Document

# The first characters of each of a user's turns suffice; this many in all.
SAMPLE_CHARS = 200_000
PER_TURN_CHARS = 2_000
# The script must hold this share of the letters read, else the language is left unset.
MAJORITY = 0.5

# Unicode name prefix of a letter -> its script.
_SCRIPTS = (
    ("HANGUL", "hangul"),
    ("HIRAGANA", "kana"),
    ("KATAKANA", "kana"),
    ("CJK", "han"),
    ("CYRILLIC", "cyrillic"),
    ("ARABIC", "arabic"),
    ("HEBREW", "hebrew"),
    ("GREEK", "greek"),
    ("THAI", "thai"),
    ("DEVANAGARI", "devanagari"),
    ("LATIN", "latin"),
)
_LANGUAGE_OF_SCRIPT = {
    "hangul": "ko",
    "han": "zh",
    "cyrillic": "ru",
    "arabic": "ar",
    "hebrew": "he",
    "greek": "el",
    "thai": "th",
    "devanagari": "hi",
}


def _script(char: str) -> str | None:
    name = unicodedata.name(char, "")
    for prefix, script in _SCRIPTS:
        if name.startswith(prefix):
            return script
    return None


def script_counts(texts: Iterable[str]) -> Counter[str]:
    """Letters by script, over the first ``SAMPLE_CHARS`` characters of ``texts``."""
    counts: Counter[str] = Counter()
    budget = SAMPLE_CHARS
    for text in texts:
        sample = text[: min(PER_TURN_CHARS, budget)]
        budget -= len(sample)
        for char in sample:
            if char.isalpha() and (script := _script(char)) is not None:
                counts[script] += 1
        if budget <= 0:
            break
    return counts


def dominant_language(documents: Sequence[Document]) -> str | None:
    """The language code of the script most of the user's own words are in, or ``None``
    for Latin script or no majority (the English default)."""
    user_turns = (s.text for d in documents for s in d.sections if s.role == "user")
    counts = script_counts(user_turns)
    if not counts:
        counts = script_counts(s.text for d in documents for s in d.sections)
    total = sum(counts.values())
    if not total:
        return None
    # Japanese writes with kana and Han together: any real share of kana makes it Japanese.
    if counts["kana"] >= 0.1 * total:
        return "ja"
    script, letters = counts.most_common(1)[0]
    if letters < MAJORITY * total:
        return None
    return _LANGUAGE_OF_SCRIPT.get(script)
