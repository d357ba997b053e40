"""Task types and their payloads (CONTRACT.md, 'Task types and payloads').

Each payload class names its own ``TASK_TYPE``, so a message is built from a payload alone
and the envelope's routing key can never disagree with what it carries.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar, Self

from pydantic import Field, model_validator

from graphnode.contracts.errors import ContractError
from graphnode.contracts.identifiers import S3Key, UserId, require_owned_key
from graphnode.contracts.wire import WireModel


class TaskType(StrEnum):
    GRAPH_GENERATION_REQUEST = "GRAPH_GENERATION_REQUEST"
    GRAPH_GENERATION_PROGRESS = "GRAPH_GENERATION_PROGRESS"
    GRAPH_GENERATION_RESULT = "GRAPH_GENERATION_RESULT"
    GRAPH_SUMMARY_REQUEST = "GRAPH_SUMMARY_REQUEST"
    GRAPH_SUMMARY_RESULT = "GRAPH_SUMMARY_RESULT"
    ADD_NODE_REQUEST = "ADD_NODE_REQUEST"
    ADD_NODE_RESULT = "ADD_NODE_RESULT"


class ResultStatus(StrEnum):
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


class Payload(WireModel):
    TASK_TYPE: ClassVar[TaskType]
    user_id: UserId


class _ResultPayload(Payload):
    """A result: COMPLETED names its files, FAILED says why; keys stay under the user."""

    status: ResultStatus
    error: str | None = None
    error_code: str | None = None

    # Keys (wire names) that must be present when COMPLETED.
    REQUIRED_WHEN_COMPLETED: ClassVar[tuple[str, ...]] = ()

    def result_keys(self) -> dict[str, str]:
        """Every S3 key this result names, by wire field name."""
        wire = self.to_wire()
        return {name: value for name, value in wire.items() if name.endswith("S3Key")}

    @model_validator(mode="after")
    def _check_keys(self) -> Self:
        keys = self.result_keys()
        if self.status is ResultStatus.COMPLETED:
            missing = [name for name in self.REQUIRED_WHEN_COMPLETED if name not in keys]
            if missing:
                raise ContractError(f"a COMPLETED result needs {', '.join(missing)}")
        for name, key in keys.items():
            require_owned_key(key, self.user_id, name)
        return self


class GraphGenerationRequest(Payload):
    TASK_TYPE = TaskType.GRAPH_GENERATION_REQUEST
    s3_key: S3Key = Field(description="Input bundle prefix graph-generation/{taskId}/")
    bucket: str | None = None
    include_summary: bool = True
    language: str | None = None
    summary_language: str | None = None
    min_clusters: int | None = Field(default=None, ge=1)
    max_clusters: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _check(self) -> Self:
        if not self.s3_key.endswith("/"):
            raise ContractError(f"s3Key {self.s3_key!r} must be a bundle prefix ending with '/'")
        low, high = self.min_clusters, self.max_clusters
        if low is not None and high is not None and low > high:
            raise ContractError(f"minClusters ({low}) is greater than maxClusters ({high})")
        return self


class GraphGenerationProgress(Payload):
    TASK_TYPE = TaskType.GRAPH_GENERATION_PROGRESS
    current_stage: str
    progress_percent: float = Field(ge=0, le=100)
    eta_seconds: float | None = Field(default=None, ge=0)


class GraphGenerationResult(_ResultPayload):
    TASK_TYPE = TaskType.GRAPH_GENERATION_RESULT
    REQUIRED_WHEN_COMPLETED = ("resultS3Key",)
    result_s3_key: S3Key | None = None
    features_s3_key: S3Key | None = None
    summary_included: bool | None = None
    summary_s3_key: S3Key | None = None


class GraphSummaryRequest(Payload):
    TASK_TYPE = TaskType.GRAPH_SUMMARY_REQUEST
    graph_s3_key: S3Key
    bucket: str | None = None
    language: str | None = None

    @model_validator(mode="after")
    def _check(self) -> Self:
        require_owned_key(self.graph_s3_key, self.user_id, "graphS3Key")
        return self


class GraphSummaryResult(_ResultPayload):
    TASK_TYPE = TaskType.GRAPH_SUMMARY_RESULT
    REQUIRED_WHEN_COMPLETED = ("summaryS3Key",)
    summary_s3_key: S3Key | None = None


class AddNodeRequest(Payload):
    TASK_TYPE = TaskType.ADD_NODE_REQUEST
    s3_key: S3Key
    bucket: str | None = None


class AddNodeResult(_ResultPayload):
    TASK_TYPE = TaskType.ADD_NODE_RESULT
    REQUIRED_WHEN_COMPLETED = ("resultS3Key",)
    result_s3_key: S3Key | None = None


PAYLOAD_TYPES: dict[TaskType, type[Payload]] = {
    model.TASK_TYPE: model
    for model in (
        GraphGenerationRequest,
        GraphGenerationProgress,
        GraphGenerationResult,
        GraphSummaryRequest,
        GraphSummaryResult,
        AddNodeRequest,
        AddNodeResult,
    )
}
