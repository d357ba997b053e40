"""Every result file the AI side writes is read back by the worker's own parsers unchanged:
built by the real pipeline on the sample export -> bytes -> parse_* -> the same JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from graphnode.ai.pipeline.assemble import now_iso
from graphnode.ai.pipeline.from_graph import parts_from_graph
from graphnode.ai.pipeline.runner import PipelineOptions
from graphnode.ai.pipeline.summary import build_summary
from graphnode.ai.service.add_nodes import build_addition
from graphnode.contracts import (
    GraphGenerationRequest,
    parse_features,
    parse_graph,
    parse_graph_addition,
    parse_summary,
)
from graphnode.contracts.wire import file_json
from graphnode.ingest.parse import parse_paths

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "chatgpt-export"
HELD_BACK = 4  # conversations left out of the graph, then added to it


def _written(data: dict[str, Any]) -> bytes:
    # The bytes ObjectStore.put_json uploads.
    return orjson.dumps(data, option=orjson.OPT_SERIALIZE_NUMPY)


@pytest.fixture(scope="module")
async def built(keyword_pipeline):
    documents = parse_paths([SAMPLE / "conversations.json", SAMPLE / "notes.json"])
    pipeline = keyword_pipeline.pipeline
    result = await pipeline.run(documents[:-HELD_BACK], PipelineOptions())
    graph, features = (
        parse_graph(_written(result.graph)),
        parse_features(_written(result.features)),
    )
    addition = await build_addition(pipeline, documents[-HELD_BACK:], graph, features)
    stored_summary = await build_summary(
        parts_from_graph(graph), pipeline.summary_writer, language=None, generated_at=now_iso()
    )
    return result, addition, stored_summary


def test_graph_and_features_round_trip(built):
    result, _, _ = built
    assert file_json(parse_graph(_written(result.graph))) == result.graph
    assert file_json(parse_features(_written(result.features))) == result.features


def test_summary_round_trips_with_the_fields_this_system_adds(built):
    result, _, stored_summary = built
    for summary in (result.summary, stored_summary):
        parsed = parse_summary(_written(summary))
        assert file_json(parsed) == summary
        assert parsed.overview.summary_source is not None
        assert all(cluster.share is not None for cluster in parsed.clusters)


def test_an_addition_round_trips_and_carries_each_new_vector(built):
    result, addition, _ = built
    parsed = parse_graph_addition(_written(addition))
    assert file_json(parsed) == addition
    assert len(parsed.nodes) == HELD_BACK
    dimension = len(result.features["embeddings"][0])
    assert all(len(node.embedding or []) == dimension for node in parsed.nodes)
    stored = {node["id"] for node in result.graph["nodes"]}
    assert not stored & {node.id for node in parsed.nodes}


def test_the_request_carries_the_generation_options_the_pipeline_runs_with():
    request = GraphGenerationRequest.model_validate(
        {"userId": "u1", "s3Key": "graph-generation/t/", "minClusters": 2, "traceId": "x"}
    )
    options = request.generation_options()
    assert isinstance(options, PipelineOptions)
    assert options == PipelineOptions(min_clusters=2)
