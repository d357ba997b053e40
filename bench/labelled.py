"""Labelled real corpora for measuring clusters: ShareGPT V3 conversations whose first user
message names exactly one subject of a fixed set, labelled by that subject.

Two corpora with disjoint subjects, so that a clustering change is never tuned to one of them:

- ``a``: recipes, SQL, poetry, résumés, travel, React, physics, marketing, finance;
- ``b``: Python, cars, health, history, spreadsheets, pets, games, real estate, crypto.

Subjects are topics, not forms of writing: an e-mail or a story can be about anything, so
labelling by them would measure the label, not the clusters.

Only first parts of split conversations (ids ending ``_0``) are taken: a later part's first
message is mid-thread and says nothing of the subject. The labels come from the user's words,
never from a model, so they are independent of what is being measured.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import orjson
from bench.sharegpt import conversations

from graphnode.ingest.documents import Document
from graphnode.ingest.parse import parse_bytes

CORPORA: dict[str, dict[str, str]] = {
    "a": {
        "recipes": r"\b(?:recipes?|cook(?:ing)?|bak(?:e|ing)|ingredients?)\b",
        "sql": r"\b(?:sql|postgres(?:ql)?|mysql|sqlite)\b",
        "poetry": r"\b(?:poems?|poetry|haikus?|sonnets?)\b",
        "resumes": r"\b(?:resumes?|résumés?|cover letter|cv)\b",
        "travel": r"\b(?:travel(?:ling|ing)?|trip|itinerary|vacation)\b",
        "react": r"\b(?:react(?:js)?|jsx)\b",
        "physics": r"\b(?:physics|quantum|relativity)\b",
        "marketing": r"\b(?:marketing|seo|branding)\b",
        "finance": r"\b(?:stocks?|investing|investments?|finance|financial|portfolio)\b",
    },
    "b": {
        "python": r"\b(?:python|pandas|numpy|django|flask)\b",
        "cars": r"\b(?:cars?|vehicles?|tesla)\b",
        "health": r"\b(?:symptoms?|disease|medical|doctor|patients?|diagnosis)\b",
        "history": r"\b(?:history|historical|ancient|medieval|empire|world war)\b",
        "spreadsheets": r"\b(?:excel|spreadsheets?|google sheets|vba)\b",
        "pets": r"\b(?:dogs?|cats?|pets?|pupp(?:y|ies))\b",
        "games": r"\b(?:video games?|gaming|minecraft|dungeons|d&d|rpg)\b",
        "real_estate": r"\b(?:real estate|mortgages?|realtors?|landlords?)\b",
        "crypto": r"\b(?:blockchain|crypto(?:currency)?|bitcoin|nfts?|ethereum)\b",
    },
}
_FIRST_MESSAGE_CHARS = 600
_PATTERNS = {
    name: {subject: re.compile(pattern) for subject, pattern in subjects.items()}
    for name, subjects in CORPORA.items()
}


def subject_of(item: dict[str, Any], corpus: str) -> str | None:
    """The one subject of ``corpus`` the first user message names, or None (none or several)."""
    turns = item.get("conversations") or []
    first = next((t.get("value", "") for t in turns if t.get("from") == "human"), "")
    text = str(first)[:_FIRST_MESSAGE_CHARS].casefold()
    found = [s for s, pattern in _PATTERNS[corpus].items() if pattern.search(text)]
    return found[0] if len(found) == 1 else None


def labelled_corpus(per_subject: int, corpus: str = "a") -> tuple[list[Document], list[str]]:
    """Documents and their subjects, at most ``per_subject`` of each, in file order."""
    chosen: list[dict[str, Any]] = []
    subjects: dict[str, str] = {}
    counts: Counter[str] = Counter()
    wanted = len(CORPORA[corpus])
    for item in conversations():
        if not str(item.get("id", "")).endswith("_0"):
            continue
        subject = subject_of(item, corpus)
        if subject is None or counts[subject] >= per_subject:
            continue
        counts[subject] += 1
        chosen.append(item)
        subjects[str(item["id"])] = subject
        if len(counts) == wanted and min(counts.values()) >= per_subject:
            break
    docs = [d for d in parse_bytes("sharegpt.json", orjson.dumps(chosen)) if d.orig_id in subjects]
    return docs, [subjects[d.orig_id] for d in docs]
