"""The whole pipeline with the real embedding model on our sample export: the six topics
come back, every node is connected, and the three files follow the contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sklearn.metrics import adjusted_rand_score

from graphnode.ai.pipeline.runner import EmptyInputError, PipelineOptions
from graphnode.contracts import parse_features, parse_graph, parse_summary
from graphnode.ingest.parse import parse_paths

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "chatgpt-export"


@pytest.fixture(scope="session")
def components(keyword_pipeline):
    return keyword_pipeline


@pytest.fixture(scope="module")
async def sample_result(components):
    documents = parse_paths([SAMPLE / "conversations.json", SAMPLE / "notes.json"])
    stages = []

    async def progress(stage, percent):
        stages.append((stage, percent))

    result = await components.pipeline.run(documents, PipelineOptions(), progress)
    return result, stages


def test_known_topics_are_recovered(sample_result):
    result, _ = sample_result
    topics = json.loads((SAMPLE / "topics.json").read_text())
    truth = [topics[node["orig_id"]] for node in result.graph["nodes"]]
    found = [node["cluster_id"] for node in result.graph["nodes"]]
    assert len(truth) == 66
    assert adjusted_rand_score(truth, found) > 0.7


def test_no_node_is_isolated_and_no_cluster_dominates(sample_result):
    graph = sample_result[0].graph
    touched = {e["source"] for e in graph["edges"]} | {e["target"] for e in graph["edges"]}
    assert touched == {n["id"] for n in graph["nodes"]}
    sizes = [c["size"] for c in graph["metadata"]["clusters"].values()]
    assert max(sizes) / sum(sizes) <= 0.35


def test_files_follow_the_contract(sample_result):
    result, _ = sample_result
    graph = parse_graph(json.dumps(result.graph))
    features = parse_features(json.dumps(result.features))
    summary = parse_summary(json.dumps(result.summary))
    assert [c.orig_id for c in features.conversations] == [n.orig_id for n in graph.nodes]
    assert len(features.embeddings[0]) == 384
    assert all(n.x is not None and n.cluster_name for n in graph.nodes)
    assert summary.overview.total_source_nodes == 66
    assert {c.cluster_id for c in summary.clusters} == set(graph.metadata.clusters)
    assert all(c.insight_text for c in summary.clusters)


def test_keywords_are_free_of_code_latex_and_role_words(sample_result):
    nodes = sample_result[0].graph["nodes"]
    terms = [k["term"] for n in nodes for k in n["keywords"]]
    noisy = [t for t in terms if any(ch in t for ch in "_^\\") or t in {"user", "assistant"}]
    assert noisy == []


def test_progress_reports_every_stage_in_order(sample_result):
    stages = sample_result[1]
    percents = [p for _, p in stages]
    assert percents == sorted(percents)
    assert [s for s, _ in stages][:2] == ["Cleaning text", "Embedding"]
    assert stages[-1][0] == "Writing the summary"


async def test_nothing_to_build_from_is_a_clear_error(components):
    with pytest.raises(EmptyInputError, match="no conversation"):
        await components.pipeline.run([])
