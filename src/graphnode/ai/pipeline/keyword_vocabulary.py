"""The words that are never keywords, and the Korean particles dropped from word ends.

Kept apart from the extraction logic so that the lists can grow without hiding it.
"""

from __future__ import annotations

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

# Role words and conversational filler: present in every chat, never what it is about.
CHAT_WORDS = frozenset(
    {
        "user",
        "assistant",
        "chatgpt",
        "gpt",
        "human",
        "ai",
        "system",
        "tool",
        "claude",
        "gemini",
        "model",
        "bot",
        "answer",
        "question",
        "please",
        "thanks",
        "thank",
        "sure",
        "help",
        "hi",
        "hello",
        "okay",
        "ok",
        "yes",
        "let",
        "like",
        "want",
        "need",
        "know",
        "think",
        "use",
        "using",
        "used",
        "make",
        "way",
        "just",
        "also",
        "can",
        "could",
        "would",
        "should",
        "code",
        "example",
        "here",
        "following",
        "provide",
        "provided",
        "based",
        "response",
        "请",
        "你",
        "我",
        "的",
        "了",
        "是",
    }
)
# Korean endings and function words, Chinese function bigrams: frequent, never topics.
CJK_FILLER = frozenset(
    {
        "같은",
        "있어요",
        "있는",
        "하는",
        "그리고",
        "그런데",
        "합니다",
        "해요",
        "이런",
        "어떤",
        "어떻게",
        "정도",
        "때문에",
        "그래서",
        "하지만",
        "있습니다",
        "없어요",
        "좋은",
        "수도",
        "것이",
        "그냥",
        "조금",
        "계속",
        "너무",
        "많이",
        "정말",
        # How a question is asked ("방법 알려줘": tell me how), not what it is about.
        "방법",
        "알려줘",
        "알려주세요",
        "얼마나",
        "궁금해",
        "궁금해요",
        "뭐야",
        "뭘까",
        "좋을까",
        "해줘",
        "싶은데",
        "싶어요",
        "가장",
        "처음",
        "이유",
        "차이",
        "대해",
        "대한",
        "可以",
        "我们",
        "什么",
        "这个",
        "一个",
        "如果",
        "因为",
        "所以",
        "没有",
        "就是",
        "需要",
        "怎么",
        "还是",
        "或者",
        "时候",
        "你们",
        "他们",
        "然后",
        "但是",
        "已经",
    }
)
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) | CHAT_WORDS | CJK_FILLER
# Words that may stand inside a phrase but never at its ends ("return on investment").
CONNECTORS = frozenset({"of", "on", "for", "and", "in", "to"})


# A Korean word is often a stem glued to a particle (여행을, 여행은): dropping the common
# particles keeps the word countable without a morphological analyser.
_PARTICLES = (
    "에서",
    "으로",
    "을",
    "를",
    "은",
    "는",
    "이",
    "가",
    "에",
    "의",
    "도",
    "로",
    "와",
    "과",
)


def strip_particle(word: str) -> str:
    """여행을 -> 여행: the stem, when what is left is still a word (two syllables or more)."""
    for particle in _PARTICLES:
        if word.endswith(particle) and len(word) - len(particle) >= 2:
            return word[: -len(particle)]
    return word
