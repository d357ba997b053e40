"""The three result files (docs/contract.md, 'Result files'), in the original's snake_case
shape. The AI service builds these models and writes their dumps; the worker reads files with
the same models, so writer and reader cannot drift apart.

Readers are tolerant (unknown fields kept, most fields defaulted) because files written by
the original system's AI server must be accepted; what the worker relies on (ids, edge
ends, vector counts) is checked. Fields this system added are optional and default to null,
so a file without them reads (and is stored) exactly as before.
"""

from __future__ import annotations

from typing import Any, Literal, Self

from pydantic import Field, field_validator, model_validator

from graphnode.contracts.errors import ContractError
from graphnode.contracts.wire import FileModel, loads_json, validate


def _absent(value: object) -> bool:
    return value is None


# A field only some files carry: left out of a dump when unset, so every other file is
# written exactly as before it was declared.
def _optional_field(description: str) -> Any:
    return Field(default=None, exclude_if=_absent, description=description)


class Keyword(FileModel):
    term: str
    score: float = 0.0


class GraphNode(FileModel):
    id: int
    orig_id: str
    title: str = ""
    cluster_id: str
    cluster_name: str = ""
    cluster_confidence: float | None = None
    subcluster_id: str | None = None
    keywords: list[Keyword] = Field(default_factory=list)
    top_keywords: list[str] = Field(default_factory=list)
    timestamp: str | float | None = None
    num_sections: int = 0
    source_type: str = "chat"
    x: float | None = None
    y: float | None = None
    embedding: list[float] | None = _optional_field(
        "ADD_NODE_RESULT only: the new node's vector, which the worker stores for search."
    )

    @field_validator("orig_id", mode="before")
    @classmethod
    def _orig_id_as_text(cls, value: Any) -> Any:
        # The original wrote numeric ids for notes; they are ids, not numbers.
        return str(value) if isinstance(value, int) else value


class GraphEdge(FileModel):
    source: int
    target: int
    weight: float = Field(ge=0, le=1)
    type: str = "semantic"
    is_intra_cluster: bool = False
    confidence: Literal["high", "medium", "llm_verified"] = "medium"


class Subcluster(FileModel):
    id: str
    cluster_id: str
    node_ids: list[int]
    size: int
    density: float = 0.0
    top_keywords: list[str] = Field(default_factory=list)
    representative_node_id: int | None = None
    name: str | None = None


class ClusterInfo(FileModel):
    name: str = ""
    description: str = ""
    size: int = 0
    key_themes: list[str] = Field(default_factory=list)
    top_keywords: list[str] | None = _optional_field(
        "The cluster's leading terms (this system's; the original's files lack them), read "
        "back when nodes are added."
    )


class GraphMetadata(FileModel):
    generated_at: str | None = None
    total_nodes: int = 0
    total_edges: int = 0
    total_clusters: int = 0
    language: str | None = None
    clusters: dict[str, ClusterInfo] = Field(default_factory=dict)


class GraphFile(FileModel):
    """``graph.json``."""

    nodes: list[GraphNode]
    edges: list[GraphEdge] = Field(default_factory=list)
    subclusters: list[Subcluster] = Field(default_factory=list)
    metadata: GraphMetadata = Field(default_factory=GraphMetadata)

    @model_validator(mode="after")
    def _check_references(self) -> Self:
        ids = [node.id for node in self.nodes]
        known = set(ids)
        if len(known) != len(ids):
            raise ContractError("graph.json has duplicate node ids")
        dangling = [e for e in self.edges if e.source not in known or e.target not in known]
        if dangling:
            first = dangling[0]
            raise ContractError(
                f"graph.json has {len(dangling)} edges to unknown nodes "
                f"(first: {first.source} -> {first.target})"
            )
        return self


class GraphAdditionFile(GraphFile):
    """An ``ADD_NODE_RESULT``'s ``graph.json``: the new nodes, and edges that may also end at
    nodes of the graph already stored (the worker checks them against it)."""

    @model_validator(mode="after")
    def _check_references(self) -> Self:
        ids = [node.id for node in self.nodes]
        if len(set(ids)) != len(ids):
            raise ContractError("graph.json has duplicate node ids")
        new = set(ids)
        orphans = [e for e in self.edges if e.source not in new and e.target not in new]
        if orphans:
            raise ContractError(f"graph.json has {len(orphans)} edges that touch no new node")
        return self


class FeatureConversation(FileModel):
    id: int
    orig_id: str
    title: str = ""
    keywords: list[Keyword] | list[str] = Field(default_factory=list)
    num_sections: int = 0
    source_type: str = "chat"
    create_time: float | None = None
    update_time: float | None = None

    _orig_id_as_text = field_validator("orig_id", mode="before")(
        GraphNode._orig_id_as_text.__func__  # type: ignore[attr-defined]
    )


class FeaturesFile(FileModel):
    """``features.json``: one embedding per conversation, in the same order."""

    conversations: list[FeatureConversation]
    embeddings: list[list[float]]
    metadata: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_shape(self) -> Self:
        if len(self.embeddings) != len(self.conversations):
            raise ContractError(
                f"features.json has {len(self.embeddings)} embeddings "
                f"for {len(self.conversations)} conversations"
            )
        dimensions = {len(vector) for vector in self.embeddings}
        if len(dimensions) > 1 or 0 in dimensions:
            raise ContractError(f"features.json embeddings have dimensions {sorted(dimensions)}")
        return self


class TimeSpan(FileModel):
    start: str = Field(description="First month, YYYY-MM.")
    end: str = Field(description="Last month, YYYY-MM.")
    days: int = Field(description="Days from the first item to the last.")


class SummaryOverview(FileModel):
    total_source_nodes: int = 0
    time_span: TimeSpan | str | dict[str, Any] | None = None
    primary_interests: list[str] = Field(default_factory=list)
    summary_text: str = ""
    total_clusters: int | None = None
    emerging_interests: list[str] | None = Field(
        default=None, description="Topics that came up more often lately."
    )
    summary_source: str | None = Field(
        default=None, description="Who wrote summary_text: the LLM, or deterministic prose."
    )


class SummaryCluster(FileModel):
    cluster_id: str
    name: str = ""
    size: int = 0
    top_keywords: list[str] = Field(default_factory=list)
    insight_text: str = ""
    share: float | None = Field(default=None, description="Share of all items, 0-1.")
    representative_titles: list[str] | None = Field(
        default=None, description="Titles of the topic's most central items."
    )
    trend: str | None = Field(default=None, description="emerging, fading or dormant.")
    insight_source: str | None = Field(default=None, description="Who wrote insight_text.")


class SummaryConnection(FileModel):
    source_cluster: str
    target_cluster: str
    connection_strength: float = 0.0
    bridge_keywords: list[str] = Field(default_factory=list)
    edge_count: int | None = Field(default=None, description="Edges between the two topics.")


class SummaryPattern(FileModel):
    """A fact about the graph as a whole: ``focus``, a topic's movement (``emerging``,
    ``fading``, ``dormant``) or ``activity``; the fields beyond ``text`` depend on the type."""

    type: str
    text: str


class SummaryRecommendation(FileModel):
    type: str = Field(description="bridge_topics, follow_emerging or revisit.")
    text: str
    clusters: list[str] = Field(default_factory=list)


class SummaryFile(FileModel):
    """``summary.json``."""

    overview: SummaryOverview
    clusters: list[SummaryCluster] = Field(default_factory=list)
    # Anything else the original system wrote in these lists is still accepted.
    patterns: list[SummaryPattern | Any] = Field(default_factory=list)
    connections: list[SummaryConnection] = Field(default_factory=list)
    recommendations: list[SummaryRecommendation | Any] = Field(default_factory=list)
    generated_at: str | None = None
    detail_level: str | None = None
    language: str | None = None


def parse_graph(raw: bytes | str) -> GraphFile:
    return validate(GraphFile, loads_json(raw, "graph.json"), "graph.json")


def parse_graph_addition(raw: bytes | str) -> GraphAdditionFile:
    return validate(GraphAdditionFile, loads_json(raw, "graph.json"), "graph.json")


def parse_features(raw: bytes | str) -> FeaturesFile:
    return validate(FeaturesFile, loads_json(raw, "features.json"), "features.json")


def parse_summary(raw: bytes | str) -> SummaryFile:
    return validate(SummaryFile, loads_json(raw, "summary.json"), "summary.json")
