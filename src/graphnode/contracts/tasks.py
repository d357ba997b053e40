"""Task types and their payloads (docs/contract.md, 'Task types and payloads').

Each payload class names its own ``TASK_TYPE``, so a message is built from a payload alone
and the envelope's routing key can never disagree with what it carries.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar, Self

from pydantic import ConfigDict, Field, model_validator

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
    USER_DELETION_REQUEST = "USER_DELETION_REQUEST"


class ResultStatus(StrEnum):
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


class Payload(WireModel):
    TASK_TYPE: ClassVar[TaskType]
    user_id: UserId = Field(description="The user the task belongs to.")


class _ResultPayload(Payload):
    """A result: COMPLETED names its files, FAILED says why; keys stay under the user."""

    status: ResultStatus = Field(description="COMPLETED (the files are written) or FAILED.")
    error: str | None = Field(default=None, description="Why it FAILED, for a person.")
    error_code: str | None = Field(
        default=None, description="Why it FAILED, for a program (e.g. BAD_BUNDLE, EMPTY_INPUT)."
    )

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


# A language is a BCP 47 tag (en, ko, pt-BR, zh-Hant) or a plain name (Korean): letters,
# digits and hyphens, as long as the longest tag BCP 47 allows. Nothing a prompt, a log line
# or a queue (SQS refuses NUL) could trip on.
MAX_LANGUAGE_CHARS = 35
LANGUAGE_PATTERN = r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$"
# More topics than any history holds, and far inside MongoDB's 8-byte integers.
MAX_CLUSTERS = 1000


class GenerationOptions(WireModel):
    """The options of one graph generation: the API's request body, part of the
    ``GRAPH_GENERATION_REQUEST`` payload, and what the pipeline runs with."""

    # Unknown options are refused: a misspelt option silently ignored would build a graph
    # the caller did not ask for. (The request payload, which carries these, stays tolerant.)
    model_config = ConfigDict(extra="forbid")

    include_summary: bool = Field(
        default=True, description="Also write summary.json (an LLM pass over the graph)."
    )
    language: str | None = Field(
        default=None,
        max_length=MAX_LANGUAGE_CHARS,
        pattern=LANGUAGE_PATTERN,
        description="Language of cluster names and descriptions (e.g. en, ko); "
        "default: the language of the data.",
    )
    summary_language: str | None = Field(
        default=None,
        max_length=MAX_LANGUAGE_CHARS,
        pattern=LANGUAGE_PATTERN,
        description="Language of the summary; default: `language`.",
    )
    min_clusters: int | None = Field(
        default=None,
        ge=1,
        le=MAX_CLUSTERS,
        description="Fewest topics to find; default: what the data holds.",
    )
    max_clusters: int | None = Field(
        default=None,
        ge=1,
        le=MAX_CLUSTERS,
        description="Most topics to find; default: what the data holds.",
    )

    @model_validator(mode="after")
    def _check_cluster_range(self) -> Self:
        low, high = self.min_clusters, self.max_clusters
        if low is not None and high is not None and low > high:
            raise ContractError(f"minClusters ({low}) is greater than maxClusters ({high})")
        return self

    def generation_options(self) -> GenerationOptions:
        """The options alone, from a payload that carries them among other fields."""
        return GenerationOptions(**{name: getattr(self, name) for name in _OPTION_FIELDS})


class GraphGenerationRequest(GenerationOptions, Payload):
    TASK_TYPE = TaskType.GRAPH_GENERATION_REQUEST
    model_config = ConfigDict(extra="allow")

    s3_key: S3Key = Field(
        description="Input bundle prefix `graph-generation/{taskId}/` (ends with `/`)."
    )
    bucket: str | None = Field(default=None, description="Bucket of the bundle; default: ours.")

    @model_validator(mode="after")
    def _check(self) -> Self:
        if not self.s3_key.endswith("/"):
            raise ContractError(f"s3Key {self.s3_key!r} must be a bundle prefix ending with '/'")
        return self


class GraphGenerationProgress(Payload):
    TASK_TYPE = TaskType.GRAPH_GENERATION_PROGRESS
    current_stage: str = Field(description="The stage running now, as a person reads it.")
    progress_percent: float = Field(ge=0, le=100, description="Share of the task done, 0-100.")
    eta_seconds: float | None = Field(
        default=None, ge=0, description="Seconds left, if they can be estimated."
    )


class GraphGenerationResult(_ResultPayload):
    TASK_TYPE = TaskType.GRAPH_GENERATION_RESULT
    REQUIRED_WHEN_COMPLETED = ("resultS3Key",)
    result_s3_key: S3Key | None = Field(default=None, description="Key of graph.json.")
    features_s3_key: S3Key | None = Field(default=None, description="Key of features.json.")
    summary_included: bool | None = Field(
        default=None, description="Whether summary.json was written."
    )
    summary_s3_key: S3Key | None = Field(default=None, description="Key of summary.json.")


class GraphSummaryRequest(Payload):
    TASK_TYPE = TaskType.GRAPH_SUMMARY_REQUEST
    graph_s3_key: S3Key = Field(description="Key of the stored graph's graph.json.")
    bucket: str | None = Field(default=None, description="Bucket of the graph; default: ours.")
    language: str | None = Field(default=None, description="Language of the summary.")

    @model_validator(mode="after")
    def _check(self) -> Self:
        require_owned_key(self.graph_s3_key, self.user_id, "graphS3Key")
        return self


class GraphSummaryResult(_ResultPayload):
    TASK_TYPE = TaskType.GRAPH_SUMMARY_RESULT
    REQUIRED_WHEN_COMPLETED = ("summaryS3Key",)
    summary_s3_key: S3Key | None = Field(default=None, description="Key of summary.json.")


class AddNodeRequest(Payload):
    TASK_TYPE = TaskType.ADD_NODE_REQUEST
    s3_key: S3Key = Field(description="Prefix of the bundle of new conversations.")
    bucket: str | None = Field(default=None, description="Bucket of the files; default: ours.")
    # Optional on the wire (the original system's requests lack them); without them the AI
    # service has no graph to add to and ends the task FAILED (BAD_GRAPH).
    graph_s3_key: S3Key | None = Field(
        default=None, description="Key of the stored graph's graph.json, to add to."
    )
    features_s3_key: S3Key | None = Field(
        default=None, description="Key of the stored graph's features.json (its vectors)."
    )

    @model_validator(mode="after")
    def _check_stored_keys(self) -> Self:
        for name, key in (
            ("graphS3Key", self.graph_s3_key),
            ("featuresS3Key", self.features_s3_key),
        ):
            if key is not None:
                require_owned_key(key, self.user_id, name)
        return self


class AddNodeResult(_ResultPayload):
    TASK_TYPE = TaskType.ADD_NODE_RESULT
    REQUIRED_WHEN_COMPLETED = ("resultS3Key",)
    result_s3_key: S3Key | None = Field(
        default=None, description="Key of the graph.json of the new nodes."
    )


class UserDeletionRequest(Payload):
    """API -> worker (on the ResultQueue, which the worker consumes): remove every trace of
    the user from MongoDB, the vector store and S3. Idempotent: a redelivery, or a resumed
    deletion after a crash, finishes the same work."""

    TASK_TYPE = TaskType.USER_DELETION_REQUEST


_OPTION_FIELDS = tuple(GenerationOptions.model_fields)

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
        UserDeletionRequest,
    )
}
