"""The user's dominant language, which names and summaries follow when none is asked for."""

from __future__ import annotations

import pytest

from graphnode.ai.pipeline.language import SAMPLE_CHARS, dominant_language
from graphnode.ingest.documents import Document, Section


def _chat(user: str, assistant: str = "Sure, here is an answer in English.") -> Document:
    return Document(
        orig_id=str(abs(hash((user, assistant)))),
        title="t",
        sections=(Section("user", user), Section("assistant", assistant)),
    )


@pytest.mark.parametrize(
    ("users", "expected"),
    [
        (["사워도우 빵을 굽는 방법을 알려줘", "도쿄 여행 일정을 짜줘"], "ko"),
        (["東京の旅行プランを作ってください", "パンの焼き方を教えて"], "ja"),
        (["请帮我写一份旅行计划", "怎么烤面包"], "zh"),
        (["Как испечь хлеб на закваске?"], "ru"),
        (["How do I bake sourdough?", "Plan a trip to Kyoto"], None),
        (["Comment faire du pain au levain ?"], None),  # Latin script: left to the default
    ],
)
def test_the_script_of_the_users_own_words_gives_the_language(users, expected):
    assert dominant_language([_chat(text) for text in users]) == expected


def test_the_user_counts_not_the_assistant():
    # Korean questions answered in long English: the person writes Korean.
    docs = [_chat("파이썬 비동기 코드를 설명해줘", "Async code in Python " * 200)] * 3
    assert dominant_language(docs) == "ko"


def test_a_history_split_between_scripts_has_no_dominant_language():
    docs = [_chat("How do I bake bread at home today?"), _chat("빵 굽는 법")]
    assert dominant_language([*docs, _chat("Plan a week in Kyoto for two people")]) is None


def test_code_digits_and_emoji_do_not_count_and_nothing_readable_is_none():
    assert dominant_language([_chat("print(42) 🙂 1234", "")]) is None
    assert dominant_language([]) is None
    # Notes have no user turns: their sections are read instead.
    note = Document(orig_id="n", title="n", sections=(Section("section", "회의록 정리"),))
    assert dominant_language([note]) == "ko"


def test_only_a_sample_of_a_long_history_is_read():
    # English past the sample limit does not outvote the Korean read before it.
    docs = [_chat("한국어 " * 400)] * (SAMPLE_CHARS // 2_000 + 1) + [_chat("English " * 10_000)]
    assert dominant_language(docs) == "ko"
