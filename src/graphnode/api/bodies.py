"""The API's request and response bodies, as pydantic models.

Request bodies are parsed with these models (``views.common.parse_body``) and the OpenAPI
document's schemas are generated from them (``api.openapi``), so what the API accepts and
what its document says cannot drift apart. The generation options are the contract's own
model (``GenerationOptions``): the same one the request payload and the pipeline use.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from graphnode.contracts import GenerationOptions

MAX_SEARCH_RESULTS = 50
MAX_QUERY_CHARS = 2_000
MAX_TOKEN_CHARS = 4096


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


# Lengths are checked on the text as sent (the schema says so); blanks are refused after.
NonBlank = Annotated[str, AfterValidator(_not_blank)]


class Body(BaseModel):
    """camelCase on the wire; fields a client sends that a body does not know are ignored,
    unless the body says otherwise."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)


class SummaryRequest(Body):
    model_config = ConfigDict(extra="forbid")

    language: str | None = Field(
        default=None, description="Language of the summary, a code such as 'ko'."
    )


class SearchRequest(Body):
    query: NonBlank = Field(min_length=1, max_length=MAX_QUERY_CHARS)
    limit: int = Field(default=10, ge=1, le=MAX_SEARCH_RESULTS)


class Device(Body):
    # FCM registration tokens are letters, digits, '-', '_' and ':'; anything else is not one.
    token: NonBlank = Field(
        min_length=1,
        max_length=MAX_TOKEN_CHARS,
        pattern=r"^[A-Za-z0-9_:\-]+$",
        description="The device's FCM token.",
    )
    platform: Literal["android", "ios", "web"] | None = None


REQUEST_BODIES: tuple[type[BaseModel], ...] = (
    GenerationOptions,
    SummaryRequest,
    SearchRequest,
    Device,
)


class Problem(BaseModel):
    """An RFC 9457 problem; some carry more (``retryAfter``, ``taskId``)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str


class Rejected(Body):
    reason: str = ""
    count: int = 0


class ImportSummary(Body):
    new: int
    updated: int
    skipped: int
    rejected: list[Rejected]
    files: list[dict[str, Any]]


class Accepted(Body):
    task_id: str
    status: Literal["PENDING"] = "PENDING"


class AcceptedImport(Accepted):
    import_: ImportSummary = Field(alias="import")


class Task(Body):
    task_id: str
    type: str | None = None
    status: Literal["PENDING", "RUNNING", "COMPLETED", "FAILED"]
    stage: str | None = None
    progress_percent: float = 0.0
    eta_seconds: float | None = None
    error: str | None = None
    error_code: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    finished_at: str | None = None


class Node(Body):
    id: int
    orig_id: str
    title: str
    cluster_id: str | None
    x: float | None = None
    y: float | None = None
    keywords: list[str] = Field(default_factory=list)


class Edge(Body):
    source: Any
    target: Any


class Graph(Body):
    user_id: str
    status: Literal["NOT_CREATED", "CREATING", "CREATED", "UPDATING", "UPDATED"]
    generated_at: str | None = None
    running_task_id: str | None = None
    stats: dict[str, Any]
    nodes: list[Node]
    edges: list[Edge]
    clusters: list[dict[str, Any]]
    subclusters: list[dict[str, Any]]


class Summary(Body):
    generated_at: str
    task_id: str | None = None
    summary: dict[str, Any]


class SearchHit(Body):
    score: float
    node: Node


class SearchResults(Body):
    query: str
    results: list[SearchHit]


class ItemSection(Body):
    role: str
    text: str


class NodeItem(Body):
    """The conversation or note behind a node: its current branch's messages, or a note's
    sections, and the original chat's address where the export gives one."""

    source: str
    source_id: str
    source_type: str
    title: str
    created_at: str | None = None
    updated_at: str | None = None
    sections: list[ItemSection]
    link: str | None = Field(
        default=None, description="The original chat, e.g. chatgpt.com/c/{id}."
    )


class NodeCluster(Body):
    cluster_id: str
    name: str
    description: str = ""
    size: int = 0
    key_themes: list[str] = Field(default_factory=list)
    top_keywords: list[str] = Field(default_factory=list)


class NodeSubcluster(Body):
    subcluster_id: str
    cluster_id: str | None = None
    name: str | None = None
    size: int = 0
    top_keywords: list[str] = Field(default_factory=list)


class Neighbour(Body):
    id: int
    title: str
    cluster_id: str | None = None
    cluster_name: str = ""
    weight: float
    confidence: str = "medium"


class NodeDetail(Body):
    node: Node
    item: NodeItem | None = Field(description="None when the item is no longer stored.")
    cluster: NodeCluster | None = None
    subcluster: NodeSubcluster | None = None
    neighbours: list[Neighbour] = Field(description="Strongest first.")


class Registered(Body):
    registered: bool


class Removed(Body):
    removed: int


class RemovedConversation(Body):
    id: str = Field(description="The source id of the removed conversation or note.")
    conversations: int = Field(description="Stored items removed (one per source it was in).")
    nodes: int = Field(description="Nodes removed from the current graph.")
    edges: int = Field(description="Edges removed with them.")


RESPONSE_BODIES: tuple[type[BaseModel], ...] = (
    Problem,
    ImportSummary,
    Accepted,
    AcceptedImport,
    Task,
    Graph,
    Summary,
    SearchResults,
    NodeDetail,
    Registered,
    Removed,
    RemovedConversation,
)
