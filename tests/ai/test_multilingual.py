"""The multilingual path, with a real multilingual model: ``GRAPHNODE_EMBEDDING_MODEL=
use-multilingual-v3`` (the packaged encoder, see ``multilingual_model.py``).

The corpus is 40 conversations on four subjects, each asked six times in Korean and four in
English (``fixtures/bilingual_conversations.json``). A user who writes in both languages
expects one topic per subject; the default English model gives one heap of Korean instead.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from aiohttp.test_utils import TestClient, TestServer
from sklearn.metrics import adjusted_rand_score

from graphnode.adapters.chroma import VectorCollection
from graphnode.ai.llm.summary_text import SummaryWriter
from graphnode.ai.pipeline.from_graph import parts_from_graph
from graphnode.ai.pipeline.multilingual_model import MULTILINGUAL_MODEL, TextUnits
from graphnode.ai.pipeline.runner import PipelineOptions
from graphnode.ai.pipeline.summary import build_summary
from graphnode.ai.service.app import create_app
from graphnode.contracts import parse_features, parse_graph
from graphnode.ingest.documents import Document, Section
from graphnode.settings import Settings
from graphnode.storage.graph_documents import Generation
from graphnode.storage.vector_store import ChromaVectorStore, NodeVector, VectorDimensionError
from graphnode.worker.handlers.graph_generation import node_vectors
from tests.ai.test_summary_grounding import ScriptedModel

CORPUS = json.loads(
    (Path(__file__).parent / "fixtures" / "bilingual_conversations.json").read_text("utf-8")
)
SUBJECT = {row["id"]: row["subject"] for row in CORPUS}
LANGUAGE = {row["id"]: row["language"] for row in CORPUS}


def _documents() -> list[Document]:
    return [
        Document(
            orig_id=row["id"],
            title=row["user"][:60],
            sections=(Section("user", row["user"]), Section("assistant", row["assistant"])),
        )
        for row in CORPUS
    ]


@pytest.fixture(scope="module")
async def multilingual():
    from graphnode.ai.components import open_pipeline

    settings = dataclasses.replace(
        Settings.from_env({}), llm_backend="keywords", embedding_model=MULTILINGUAL_MODEL
    )
    async with open_pipeline(settings) as opened:
        yield opened


@pytest.fixture(scope="module")
async def bilingual_graph(multilingual):
    return await multilingual.pipeline.run(_documents(), PipelineOptions())


def _subject_agreement(result) -> float:
    nodes = result.graph["nodes"]
    return adjusted_rand_score(
        [SUBJECT[n["orig_id"]] for n in nodes], [n["cluster_id"] for n in nodes]
    )


async def test_a_subject_is_one_topic_in_both_languages(bilingual_graph, keyword_pipeline):
    assert _subject_agreement(bilingual_graph) >= 0.8
    members = collections.defaultdict(set)
    for node in bilingual_graph.graph["nodes"]:
        members[node["cluster_id"]].add(LANGUAGE[node["orig_id"]])
    assert all(languages == {"ko", "en"} for languages in members.values()), members
    # The default English model on the same corpus: what a Korean user meets without it.
    english = await keyword_pipeline.pipeline.run(_documents(), PipelineOptions())
    assert _subject_agreement(english) < 0.5


def test_its_dimension_flows_into_the_result_files(bilingual_graph):
    graph = parse_graph(json.dumps(bilingual_graph.graph))
    features = parse_features(json.dumps(bilingual_graph.features))
    assert features.metadata["embedding_model"] == MULTILINGUAL_MODEL
    assert features.metadata["dimension"] == 512
    assert {len(row) for row in features.embeddings} == {512}
    assert len(features.embeddings) == len(graph.nodes) == len(CORPUS)


@pytest.mark.usefixtures("chroma")
async def test_a_korean_query_finds_both_languages_and_a_collection_keeps_one_dimension(
    settings, bilingual_graph, multilingual, keyword_pipeline
):
    graph = parse_graph(json.dumps(bilingual_graph.graph))
    features = parse_features(json.dumps(bilingual_graph.features))
    gen = Generation("minji", "t-bilingual", 1_000)
    async with contextlib.AsyncExitStack() as stack:
        store = ChromaVectorStore(await stack.enter_async_context(VectorCollection(settings)))
        assert await store.upsert(gen, node_vectors(graph, features)) == len(CORPUS)
        [query] = await multilingual.batcher.encode(["김치찌개와 빵 굽는 요리법"])
        found = await store.search(gen, query.tolist(), limit=10)
        assert {SUBJECT[m.orig_id] for m in found[:6]} == {"cooking"}
        assert {LANGUAGE[m.orig_id] for m in found if SUBJECT[m.orig_id] == "cooking"} == {
            "ko",
            "en",
        }
        # The default model's vector, 384 numbers, in a collection of 512: refused, saying so.
        [english] = await keyword_pipeline.batcher.encode(["kimchi stew"])
        stray = NodeVector("stray", english.tolist(), node_id=99, cluster_id="cluster_0")
        with pytest.raises(VectorDimensionError, match="512"):
            await store.upsert(gen, [stray])
        assert "stray" not in await store.orig_ids(gen)


async def test_korean_prose_gets_the_semantic_check_from_a_multilingual_model(
    bilingual_graph, multilingual
):
    """The English model cannot place Korean, so its summaries skip the check; this model
    can: a Korean sentence about nothing in the graph is caught, and faithful prose kept."""
    parts = parts_from_graph(parse_graph(json.dumps(bilingual_graph.graph)))
    names = " 그리고 ".join(c["name"] for c in bilingual_graph.summary["clusters"])
    invented = f"이 사람은 {names}에 관심이 많습니다. 그는 오래된 오토바이를 모읍니다."
    faithful = f"이 사람의 대화는 주로 {names}에 관한 것입니다."

    async def source(text: str, *, every_language: bool) -> str:
        writer = SummaryWriter(
            ScriptedModel(lambda _: text),
            encoder=multilingual.batcher,
            encoder_reads_every_language=every_language,
        )
        summary = await build_summary(parts, writer, language="ko", generated_at="now")
        return summary["overview"]["summary_source"]

    assert await source(invented, every_language=True) == "keywords"
    assert await source(faithful, every_language=True) == "llm"
    assert await source(invented, every_language=False) == "llm"  # what the check adds


@pytest.mark.usefixtures("aws")
async def test_the_ai_service_embeds_searches_with_the_model_it_is_configured_with(settings):
    """What the API's search asks for: the query's vector from the model of the graph."""
    configured = dataclasses.replace(
        settings, llm_backend="keywords", ai_wait_seconds=1, embedding_model=MULTILINGUAL_MODEL
    )
    async with TestClient(TestServer(create_app(configured))) as client:
        texts = ["도쿄 여행 일정을 짜줘", "Plan a trip to Tokyo", "How do I fix a Python import?"]
        response = await client.post("/v1/embed", json={"texts": texts})
        body = await response.json()
    assert response.status == 200
    assert body["dimension"] == 512
    korean, english, other = np.asarray(body["embeddings"])
    assert korean @ english > korean @ other + 0.2


def test_windows_are_cut_between_words_and_single_cjk_characters():
    text = "도쿄 여행 일정, 東京タワー and Kyoto!"
    units = [text[a:b] for a, b in TextUnits()(text)["offset_mapping"]]
    assert units == ["도쿄", "여행", "일정", ",", "東", "京", "タ", "ワ", "ー", "and", "Kyoto", "!"]
    assert TextUnits()("   ")["offset_mapping"] == []
