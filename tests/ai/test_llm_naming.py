"""Cluster naming and summary prose: keyword texts, answer validation, fallbacks, uniqueness.

A scripted model stands in for the LLM here (pure logic: what the namer does with a given
answer); the same paths run against real servers and the real model in the other modules.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

import pytest

from graphnode.ai.llm import (
    ClusterBrief,
    ClusterDigest,
    ClusterNamer,
    GenerationRequest,
    GraphBrief,
    LanguageModelError,
    SummaryWriter,
    keyword_label,
)
from graphnode.ai.llm.base import ModelLifetime, thaw
from graphnode.ai.llm.json_output import extract_json_object, json_prefill, schema_problems
from graphnode.ai.llm.naming import LABEL_SCHEMA
from graphnode.ai.llm.text_checks import is_generic_name

PYTHON = ClusterBrief(
    "cluster_0", 12, ("python", "asyncio", "aiohttp", "event loop"), ("Debugging event loop",)
)
BREAD = ClusterBrief("cluster_1", 8, ("sourdough", "flour", "oven"), ("Sourdough starter tips",))


class ScriptedModel(ModelLifetime):
    """Answers each request with ``answer(request)``; records what it was asked."""

    def __init__(self, answer: Callable[[GenerationRequest], str]) -> None:
        self._answer = answer
        self.requests: list[GenerationRequest] = []

    async def generate(self, request: GenerationRequest) -> str:
        self.requests.append(request)
        return self._answer(request)

    async def check_health(self) -> bool:
        return True

    async def close(self) -> None:
        pass


def _user_text(request: GenerationRequest) -> str:
    return request.messages[-1][1]


# --- keyword names ---------------------------------------------------------------------


async def test_keyword_names_are_deterministic_title_cased_and_deduplicated() -> None:
    briefs = [
        PYTHON,
        ClusterBrief("c1", 4, ("vLLM", "models", "model", "GPU serving"), ()),
        ClusterBrief("c2", 3, ("python asyncio", "python", "asyncio", "tasks"), ()),
    ]
    first = await ClusterNamer(None).name(briefs)
    second = await ClusterNamer(None).name(briefs)
    assert first == second
    assert [label.name for label in first] == [
        "Python & Asyncio",  # two keywords at most: three read as a list, not a topic
        "vLLM & Models",  # acronyms keep their case
        "Python Asyncio",  # a phrase stands alone
    ]
    assert all(label.source == "keywords" for label in first)
    assert first[0].themes == ("python", "asyncio", "aiohttp", "event loop")
    assert first[0].description == (
        "12 conversations about python, asyncio and aiohttp, such as “Debugging event loop”."
    )


def test_a_cluster_without_keywords_is_named_after_a_title_or_nothing() -> None:
    assert (
        keyword_label(ClusterBrief("c", 1, (), ("  Trip   to Lisbon ",))).name == "Trip to Lisbon"
    )
    assert keyword_label(ClusterBrief("c", 1, (), ())).name == "Miscellaneous"


async def test_names_are_unique_within_a_graph() -> None:
    briefs = [
        ClusterBrief("c0", 9, ("python", "asyncio"), ()),
        ClusterBrief("c1", 5, ("python", "asyncio", "testing"), ()),
        ClusterBrief("c2", 2, ("python", "asyncio"), ()),
        ClusterBrief("c3", 2, ("python", "asyncio"), ()),
    ]
    names = [label.name for label in await ClusterNamer(None).name(briefs)]
    assert names == [
        "Python & Asyncio",
        "Python & Asyncio (Testing)",  # a later duplicate gets its own next keyword
        "Python & Asyncio (2)",  # no keyword left to tell it apart
        "Python & Asyncio (3)",
    ]


async def test_llm_names_that_collide_get_a_distinguishing_keyword() -> None:
    model = ScriptedModel(
        lambda _: '{"name": "Home Cooking", "description": "Recipes.", "themes": []}'
    )
    briefs = [
        ClusterBrief("c0", 5, ("home", "pasta", "sauce"), ()),
        ClusterBrief("c1", 4, ("cooking", "bread", "yeast"), ()),
    ]
    labels = await ClusterNamer(model).name(briefs)
    assert [label.name for label in labels] == ["Home Cooking", "Home Cooking (Bread)"]
    assert len({label.name.casefold() for label in labels}) == 2


# --- validating the model's answer ------------------------------------------------------


async def test_a_valid_json_answer_becomes_an_llm_label() -> None:
    model = ScriptedModel(
        lambda _: (
            'Sure! {"name": "Async Python", "description": "Event loops and HTTP '
            'clients in Python", "themes": ["event loops", "HTTP clients", "x"]} Hope it helps'
        )
    )
    [label] = await ClusterNamer(model).name([PYTHON])
    assert label.source == "llm"
    assert label.name == "Async Python"
    assert label.description == "Event loops and HTTP clients in Python."
    assert label.themes == ("event loops", "HTTP clients")  # "x" is too short to be a theme
    [request] = model.requests
    assert thaw(request.json_schema) == LABEL_SCHEMA
    assert "python, asyncio, aiohttp, event loop" in _user_text(request)
    assert "Debugging event loop" in _user_text(request)


async def test_a_description_that_invents_a_name_is_replaced_from_keywords() -> None:
    model = ScriptedModel(
        lambda _: (
            '{"name": "Async Python", "description": "Amycana is a Python library for '
            'debugging.", "themes": ["event loops"]}'
        )
    )
    [label] = await ClusterNamer(model).name([PYTHON])
    assert label.source == "llm"
    assert label.name == "Async Python"
    assert "Amycana" not in label.description
    assert label.description == keyword_label(PYTHON).description


async def test_an_all_lower_case_name_is_title_cased() -> None:
    model = ScriptedModel(lambda _: '{"name": "async python", "description": "x", "themes": []}')
    [label] = await ClusterNamer(model).name([PYTHON])
    assert (label.source, label.name) == ("llm", "Async Python")


async def test_a_cut_off_answer_keeps_its_name_and_repairs_the_rest() -> None:
    model = ScriptedModel(lambda _: '{"name": "Sourdough Baking", "description": "Ai-Ai-Ai-Ai')
    [label] = await ClusterNamer(model).name([BREAD])
    assert (label.source, label.name) == ("llm", "Sourdough Baking")
    assert label.description == keyword_label(BREAD).description
    assert label.themes == keyword_label(BREAD).themes


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("I would call it Python stuff.", "no JSON object"),
        ('{"description": "no name"}', "bad length"),
        ('{"name": "Cluster 3", "description": "x", "themes": []}', "generic"),
        ('{"name": "Topic name", "description": "x", "themes": []}', "generic"),
        ('{"name": "a 2-5 word topic name", "description": "x", "themes": []}', "copies"),
        ('{"name": "Keywords: python, asyncio", "description": "x", "themes": []}', "copies"),
        ('{"name": "' + "Very " * 20 + '", "description": "x", "themes": []}', "bad length"),
        ('{"name": "{{name}}", "description": "x", "themes": []}', "not a name"),
        ('{"name": 42, "description": "x", "themes": []}', "bad length"),
    ],
)
async def test_invalid_answers_fall_back_to_keywords_with_a_log_line(
    answer: str, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="graphnode.ai.llm")
    [label] = await ClusterNamer(ScriptedModel(lambda _: answer)).name([PYTHON])
    assert label == keyword_label(PYTHON)
    [record] = [r for r in caplog.records if r.name == "graphnode.ai.llm"]
    assert record.cluster_id == "cluster_0"  # type: ignore[attr-defined]
    assert reason in record.reason  # type: ignore[attr-defined]


async def test_a_failing_model_never_fails_the_namer(caplog: pytest.LogCaptureFixture) -> None:
    def explode(_: GenerationRequest) -> str:
        raise LanguageModelError("server down")

    caplog.set_level(logging.WARNING, logger="graphnode.ai.llm")
    labels = await ClusterNamer(ScriptedModel(explode)).name([PYTHON, BREAD])
    assert labels == [keyword_label(PYTHON), keyword_label(BREAD)]
    assert sum("LLM failed" in r.getMessage() for r in caplog.records) == 2


async def test_the_language_is_asked_for_and_checked() -> None:
    english = ScriptedModel(
        lambda _: '{"name": "Async Python", "description": "About Python.", "themes": []}'
    )
    [label] = await ClusterNamer(english).name([PYTHON], language="ko")
    assert label.source == "keywords"  # asked for Korean, got English
    assert "Korean" in _user_text(english.requests[0])
    korean = ScriptedModel(
        lambda _: '{"name": "파이썬 비동기", "description": "파이썬 이야기", "themes": []}'
    )
    [label] = await ClusterNamer(korean).name([PYTHON], language="ko")
    assert (label.source, label.name) == ("llm", "파이썬 비동기")


@pytest.mark.parametrize(
    ("name", "generic"),
    [
        ("Cluster 3", True),
        ("topic #2", True),
        ("Misc", True),
        ("Untitled", True),
        ("Cluster Analysis", False),
        ("Topic Modeling", False),
        ("Python", False),
    ],
)
def test_generic_names(name: str, generic: bool) -> None:
    assert is_generic_name(name) is generic


def test_json_extraction_and_schema_checks() -> None:
    assert extract_json_object('```json\n{"a": "}", "b": [1]}\n``` and {"c": 2}') == {
        "a": "}",
        "b": [1],
    }
    assert extract_json_object('{"a": 1, "b": "cut') == {"a": 1}
    assert extract_json_object("no object [1, 2]") is None
    assert schema_problems({"name": "x", "themes": "y"}, LABEL_SCHEMA) == [
        "missing 'description'",
        "'themes' is not array",
    ]
    assert json_prefill(LABEL_SCHEMA) == '{"name": "'


# --- summary prose -------------------------------------------------------------------------

GRAPH = GraphBrief(
    total_nodes=25,
    clusters=(
        ClusterDigest("cluster_1", "Sourdough Baking", 8, ("sourdough", "flour", "oven")),
        ClusterDigest("cluster_0", "Async Python", 17, ("python", "asyncio", "aiohttp")),
    ),
    first_time=datetime(2023, 3, 1),
    last_time=datetime(2024, 5, 2),
)


async def test_summary_fallback_is_deterministic_english() -> None:
    """English, and any language without a phrasebook of its own (Korean has one)."""
    for language in (None, "fr"):
        texts = await SummaryWriter(None).write(GRAPH, language=language)
        assert texts.summary_source == "keywords"
        assert texts.summary_text == (
            "Async Python dominates your 25 conversations from March 2023 to May 2024, "
            "with about two thirds of them."
        )
        assert [insight.cluster_id for insight in texts.insights] == ["cluster_0", "cluster_1"]
        assert texts.insight_text("cluster_1") == (
            "Sourdough Baking covers flour and oven, about a third of your conversations."
        )


async def test_a_korean_summary_falls_back_to_korean() -> None:
    texts = await SummaryWriter(None).write(GRAPH, language="ko")
    assert texts.summary_source == "keywords"
    assert texts.summary_text == (
        "2023년 3월부터 2024년 5월까지 나눈 대화 25개 가운데 68%가 \u2018Async Python\u2019 "
        "주제로, 가장 큰 비중을 차지합니다."
    )
    assert texts.insight_text("cluster_1") == (
        "\u2018Sourdough Baking\u2019 주제는 전체 대화의 32%를 차지하며, "
        "주로 다루는 말은 flour, oven입니다."
    )


async def test_summary_uses_valid_llm_prose_and_replaces_invalid_prose(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def answer(request: GenerationRequest) -> str:
        text = _user_text(request)
        if "Topics, largest first" in text:
            return "This person writes asynchronous Python and bakes sourdough bread. They are"
        if "Sourdough" in text:
            return "1. Bread\n2. More bread"  # a list, not prose
        return "Async Python is their main tool, with asyncio at its heart."

    caplog.set_level(logging.INFO, logger="graphnode.ai.llm")
    model = ScriptedModel(answer)
    texts = await SummaryWriter(model).write(GRAPH)
    assert (texts.summary_source, texts.summary_text) == (
        "llm",
        "This person writes asynchronous Python and bakes sourdough bread.",  # cut to a sentence
    )
    assert [(i.cluster_id, i.source) for i in texts.insights] == [
        ("cluster_0", "llm"),
        ("cluster_1", "keywords"),
    ]
    assert len(model.requests) == 3
    assert any("a list" in getattr(r, "reason", "") for r in caplog.records)


async def test_summary_prose_about_something_else_is_rejected() -> None:
    model = ScriptedModel(lambda _: "This person loves sustainable agriculture and urban farms.")
    texts = await SummaryWriter(model).write(GRAPH)
    assert texts.summary_source == "keywords"
    assert {insight.source for insight in texts.insights} == {"keywords"}


async def test_summary_asks_for_the_target_language() -> None:
    model = ScriptedModel(lambda _: "이 사람은 파이썬과 빵 굽기에 관심이 많습니다.")
    texts = await SummaryWriter(model).write(GRAPH, language="ko-KR")
    assert texts.summary_source == "llm"
    assert all("Write in Korean." in _user_text(request) for request in model.requests)


async def test_a_name_that_is_one_title_or_unrelated_falls_back_to_keywords() -> None:
    answers = iter(
        [
            '{"name": "Trip to Kyoto in Spring", "description": "Travel plans.", "themes": []}',
            '{"name": "Selling", "description": "Travel plans in Japan.", "themes": []}',
        ]
    )
    model = ScriptedModel(lambda _: next(answers))
    briefs = [
        ClusterBrief("c0", 5, ("kyoto", "temples"), ("Trip to Kyoto in Spring", "Osaka food")),
        ClusterBrief("c1", 4, ("kyoto", "hakone", "tokyo"), ("Rail pass",)),
    ]
    labels = await ClusterNamer(model).name(briefs)
    assert [label.source for label in labels] == ["keywords", "keywords"]
