"""The real SmolLM2-135M-Instruct on the CPU: the local backend, and the openai backend
talking to ``serve.py`` backed by it. The model loads once for the module (about 20 s)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Sequence

import pytest

from graphnode.ai.llm import ClusterBrief, ClusterLabel, ClusterNamer, keyword_label
from graphnode.ai.llm.keyword_text import MAX_NAME_LENGTH
from graphnode.ai.llm.local import LocalLanguageModel
from graphnode.ai.llm.openai_compat import OpenAICompatibleModel
from graphnode.ai.llm.serve import ServeSettings, create_app, running
from graphnode.ai.llm.text_checks import is_generic_name

pytestmark = pytest.mark.slow

BRIEFS = (
    ClusterBrief(
        "cluster_0",
        12,
        ("python", "asyncio", "aiohttp", "event loop"),
        ("Debugging event loop", "aiohttp client timeouts"),
    ),
    ClusterBrief(
        "cluster_1",
        8,
        ("sourdough", "flour", "hydration", "oven"),
        ("Sourdough starter tips", "Baking bread at home"),
    ),
    ClusterBrief(
        "cluster_2",
        5,
        ("marathon", "training", "running", "pace"),
        ("Marathon plan for beginners", "Improving my 10k pace"),
    ),
)


@pytest.fixture(scope="module")
async def smollm2() -> AsyncIterator[LocalLanguageModel]:
    async with LocalLanguageModel() as model:
        yield model


def assert_valid(labels: Sequence[ClusterLabel], briefs: Sequence[ClusterBrief]) -> None:
    assert len(labels) == len(briefs)
    assert len({label.name.casefold() for label in labels}) == len(labels)
    for label, brief in zip(labels, briefs, strict=True):
        if label.source == "keywords":
            assert label == keyword_label(brief)
            continue
        assert 2 <= len(label.name) <= MAX_NAME_LENGTH
        assert not is_generic_name(label.name)
        assert label.description
        assert label.themes
        assert all(isinstance(theme, str) and theme for theme in label.themes)


def assert_model_answered(caplog: pytest.LogCaptureFixture, labels: Sequence[ClusterLabel]) -> None:
    """The generation path works: every cluster got an answer that was read and judged. A
    name may still be refused on its merits (copies a title, invents a word): the checks
    decide that, not this test; a failed or timed-out call must never happen."""
    failed = [r for r in caplog.records if "LLM failed" in r.getMessage()]
    assert failed == [], [getattr(r, "reason", "") for r in failed]
    judged = [r for r in caplog.records if "invalid LLM answer" in r.getMessage()]
    assert len(judged) + sum(label.source == "llm" for label in labels) == len(labels)
    # Greedy decoding is deterministic and SmolLM2 answers in JSON: if no answer could even
    # be read, the generation path is broken, not the model unlucky.
    unreadable = [r for r in judged if str(getattr(r, "reason", "")).startswith("no JSON")]
    assert len(unreadable) < len(labels), [getattr(r, "reason", "") for r in judged]


async def test_smollm2_names_clusters_in_one_batch(
    smollm2: LocalLanguageModel, caplog: pytest.LogCaptureFixture
) -> None:
    batches_before = smollm2.stats.batches
    started = time.perf_counter()
    labels = await ClusterNamer(smollm2).name(BRIEFS)
    elapsed = time.perf_counter() - started
    assert_valid(labels, BRIEFS)
    assert_model_answered(caplog, labels)
    # The three concurrent requests met in one padded model.generate call.
    assert smollm2.stats.batches - batches_before == 1
    assert await smollm2.check_health()
    print(
        f"\nSmolLM2: load {smollm2.stats.load_seconds:.1f}s, 3 labels in {elapsed:.1f}s, "
        f"{smollm2.stats.tokens_per_second:.1f} tokens/s: {labels}"
    )


async def test_openai_backend_against_serve_backed_by_smollm2(
    smollm2: LocalLanguageModel, caplog: pytest.LogCaptureFixture
) -> None:
    settings = ServeSettings(model_name="smollm2", manage_model=False)
    async with running(create_app(smollm2, settings)) as base_url:
        client = OpenAICompatibleModel(base_url=base_url, model="smollm2", max_retries=0)
        async with client:
            assert await client.check_health()
            briefs = BRIEFS[1:]
            labels = await ClusterNamer(client).name(briefs)
    assert_valid(labels, briefs)
    assert_model_answered(caplog, labels)
