"""The wire contract: the seed's exact message is accepted; every bad one is refused with
a reason a person can act on."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from graphnode.contracts import (
    MAX_MESSAGE_BYTES,
    ContractError,
    GraphGenerationProgress,
    GraphGenerationRequest,
    GraphGenerationResult,
    Message,
    ResultStatus,
    TaskType,
    parse_features,
    parse_graph,
    parse_message,
    parse_summary,
    result_key,
)
from graphnode.contracts.reference import stale_files, write_files

SEED_EXAMPLE = b"""{"taskType": "GRAPH_GENERATION_RESULT", "taskId": "task_12345",
 "payload": {"userId": "user_abc", "status": "COMPLETED",
  "resultS3Key": "graphs/user_abc/task_12345/output.json",
  "featuresS3Key": "graphs/user_abc/task_12345/features.json"}}"""


def _result(**payload) -> bytes:
    body = {"userId": "user_abc", "status": "COMPLETED", **payload}
    return orjson.dumps(
        {"taskType": "GRAPH_GENERATION_RESULT", "taskId": "task_1", "payload": body}
    )


def _reason(body: bytes | str) -> str:
    with pytest.raises(ContractError) as caught:
        parse_message(body)
    return caught.value.reason


def test_seed_example_is_accepted_exactly_as_written():
    message = parse_message(SEED_EXAMPLE)
    assert message.task_type is TaskType.GRAPH_GENERATION_RESULT
    assert message.task_id == "task_12345"
    payload = message.payload
    assert isinstance(payload, GraphGenerationResult)
    assert payload.user_id == "user_abc"
    assert payload.status is ResultStatus.COMPLETED
    assert payload.result_s3_key == "graphs/user_abc/task_12345/output.json"
    assert payload.features_s3_key == "graphs/user_abc/task_12345/features.json"
    assert message.timestamp is None


def test_written_message_round_trips_and_always_has_a_timestamp():
    message = Message(
        task_id="task_9",
        payload=GraphGenerationProgress(
            user_id="u1", current_stage="Embedding", progress_percent=40, eta_seconds=None
        ),
    )
    wire = orjson.loads(message.to_json())
    assert wire["taskType"] == "GRAPH_GENERATION_PROGRESS"
    assert wire["timestamp"].endswith("Z")
    assert wire["payload"] == {"userId": "u1", "currentStage": "Embedding", "progressPercent": 40}
    again = parse_message(message.to_json())
    assert again.payload == message.payload
    assert again.timestamp is not None


def test_unknown_fields_are_tolerated_and_kept():
    body = orjson.loads(SEED_EXAMPLE)
    body["traceId"] = "abc"
    body["payload"]["workerHint"] = 3
    message = parse_message(orjson.dumps(body))
    assert message.payload.model_extra == {"workerHint": 3}


def test_request_defaults_and_checks():
    request = GraphGenerationRequest(user_id="u1", s3_key="graph-generation/t1/")
    assert request.include_summary is True
    with pytest.raises(ContractError, match="ending with '/'"):
        GraphGenerationRequest.model_validate(
            {"userId": "u1", "s3Key": "graph-generation/t1/input.json"}
        )
    with pytest.raises(ContractError, match="minClusters"):
        GraphGenerationRequest.model_validate(
            {"userId": "u1", "s3Key": "graph-generation/t1/", "minClusters": 9, "maxClusters": 2}
        )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"not json at all", "not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b'{"taskId": "t1", "payload": {}}', "no 'taskType'"),
        (
            b'{"type": "GRAPH_GENERATION_RESULT", "taskId": "t1", "payload": {}}',
            "has 'type' ('GRAPH_GENERATION_RESULT') but no 'taskType'",
        ),
        (b'{"taskType": "GRAPH_EXPLODE", "taskId": "t1"}', "unknown taskType 'GRAPH_EXPLODE'"),
        (_result(status="DONE"), "payload.status"),
        (_result(userId=""), "payload.userId"),
        (_result(userId="a/b"), "not a valid id"),
        (_result(), "a COMPLETED result needs resultS3Key"),
        (
            _result(resultS3Key="graphs/someone_else/t/graph.json"),
            "not under 'graphs/user_abc/'",
        ),
        (_result(resultS3Key="graphs/user_abc/../x/graph.json"), "'..' segment"),
        (_result(resultS3Key="graphs/user_abc/"), "not under"),
    ],
)
def test_bad_messages_are_refused_with_a_reason(body, expected):
    assert expected in _reason(body)


def test_unknown_status_names_the_allowed_values():
    reason = _reason(_result(status="DONE"))
    assert "COMPLETED" in reason
    assert "FAILED" in reason


def test_body_over_256_kib_is_refused_before_parsing():
    padding = "x" * MAX_MESSAGE_BYTES
    body = _result(resultS3Key="graphs/user_abc/t/graph.json", note=padding)
    assert f"over the {MAX_MESSAGE_BYTES} limit" in _reason(body)


def test_failed_result_needs_no_keys():
    message = parse_message(_result(status="FAILED", error="empty input", errorCode="EMPTY"))
    assert message.payload.status is ResultStatus.FAILED
    assert message.payload.error_code == "EMPTY"


def test_result_layout():
    assert result_key("u1", "t1", "graph.json") == "graphs/u1/t1/graph.json"


ORIGINAL_GRAPH = {
    "nodes": [
        {
            "id": 0,
            "orig_id": "conv-a",
            "title": "Rust lifetimes",
            "cluster_id": "cluster_0",
            "cluster_name": "Rust",
            "keywords": [{"term": "borrow", "score": 0.4}],
            "top_keywords": ["borrow"],
            "timestamp": "2025-01-02T03:04:05",
            "num_sections": 4,
            "source_type": "chat",
        },
        {
            "id": 1,
            "orig_id": 17,
            "title": "Notes",
            "cluster_id": "cluster_0",
            "cluster_name": "Rust",
            "keywords": [],
            "top_keywords": [],
            "num_sections": 1,
            "source_type": "markdown",
            "x": 0.5,
            "y": -1.0,
        },
    ],
    "edges": [
        {
            "source": 0,
            "target": 1,
            "weight": 0.82,
            "type": "semantic",
            "is_intra_cluster": True,
            "confidence": "high",
        }
    ],
    "subclusters": [
        {
            "id": "subcluster_0_0",
            "cluster_id": "cluster_0",
            "node_ids": [0, 1],
            "size": 2,
            "density": 0.8,
            "top_keywords": ["borrow"],
            "representative_node_id": 0,
        }
    ],
    "metadata": {
        "generated_at": "2026-11-26T10:00:00Z",
        "total_nodes": 2,
        "total_edges": 1,
        "total_clusters": 1,
        "clusters": {
            "cluster_0": {
                "name": "Rust",
                "description": "Systems code",
                "size": 2,
                "key_themes": ["ownership"],
            }
        },
    },
}


def test_graph_file_in_the_original_shape_is_read():
    graph = parse_graph(orjson.dumps(ORIGINAL_GRAPH))
    assert [n.orig_id for n in graph.nodes] == ["conv-a", "17"]
    assert graph.nodes[1].x == 0.5
    assert graph.metadata.clusters["cluster_0"].key_themes == ["ownership"]


def test_graph_file_with_a_dangling_edge_is_refused():
    broken = {**ORIGINAL_GRAPH, "edges": [{"source": 0, "target": 7, "weight": 0.5}]}
    with pytest.raises(ContractError, match="edges to unknown nodes"):
        parse_graph(orjson.dumps(broken))


def test_features_need_one_vector_per_conversation():
    good = {
        "conversations": [{"id": 0, "orig_id": "a"}],
        "embeddings": [[0.1, 0.2]],
        "metadata": {"embedding_model": "all-MiniLM-L6-v2"},
    }
    assert parse_features(orjson.dumps(good)).embeddings == [[0.1, 0.2]]
    with pytest.raises(ContractError, match="1 conversations"):
        parse_features(orjson.dumps({**good, "embeddings": []}))


def test_summary_file_is_read_and_broken_json_is_named():
    summary = parse_summary(
        orjson.dumps(
            {
                "overview": {
                    "total_source_nodes": 2,
                    "primary_interests": ["Rust"],
                    "summary_text": "x",
                },
                "clusters": [
                    {
                        "cluster_id": "cluster_0",
                        "name": "Rust",
                        "size": 2,
                        "top_keywords": ["borrow"],
                        "insight_text": "y",
                    }
                ],
                "connections": [
                    {
                        "source_cluster": "cluster_0",
                        "target_cluster": "cluster_1",
                        "connection_strength": 0.3,
                        "bridge_keywords": [],
                    }
                ],
                "generated_at": "2026-11-26T10:00:00Z",
                "detail_level": "standard",
            }
        )
    )
    assert summary.overview.primary_interests == ["Rust"]
    with pytest.raises(ContractError, match=r"summary\.json is not valid JSON"):
        parse_summary(b"{")


def test_the_contract_docs_are_generated_from_the_models():
    """Regenerate with `graphnode contract --write docs/` when a contract model changes."""
    docs = Path(__file__).resolve().parents[1] / "docs"
    assert stale_files(docs) == []
    page = (docs / "contract.md").read_text()
    for task_type in TaskType:
        assert f"`{task_type.value}`" in page
    assert "`graphS3Key`" in page
    assert "`includeSummary`" in page


def test_a_changed_model_makes_the_docs_stale(tmp_path):
    docs = Path(__file__).resolve().parents[1] / "docs"
    (tmp_path / "contract.md").write_text((docs / "contract.md").read_text())
    assert write_files(tmp_path)  # a fresh directory: everything is written
    assert stale_files(tmp_path) == []
    schema = tmp_path / "schemas" / "files" / "graph.schema.json"
    schema.write_text(schema.read_text().replace('"orig_id"', '"origin_id"'))
    (tmp_path / "schemas" / "old.schema.json").write_text("{}")
    assert stale_files(tmp_path) == [schema, tmp_path / "schemas" / "old.schema.json"]
