"""The graph as a networkx Graph, written by networkx's own GraphML and GEXF writers.

Both writers take only scalar attribute values (str, int, float, bool): a None fails them,
and the GEXF writer reads a list as time intervals. Every value is therefore flattened here:
missing values are left out of a node's data, lists are joined into one string.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from typing import Any

import networkx as nx

from graphnode.storage.graph_export import ItemFacts

LIST_SEPARATOR = "; "
# The viewer draws a node with this radius (viewer.js): tools that size by ``size`` agree.
MIN_RADIUS, RADIUS_SPAN = 2.6, 3.4
CHUNK_BYTES = 64 * 1024


# Characters XML 1.0 cannot hold at all (most control characters, lone surrogates): a title
# with one would make the whole file unreadable.
_NOT_XML = re.compile(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _scalar(value: Any) -> str | int | float | bool | None:
    if isinstance(value, str):
        return _NOT_XML.sub("", value)
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, list | tuple):
        return _scalar(LIST_SEPARATOR.join(str(item) for item in value if item is not None))
    return _scalar(str(value))


def _number(value: Any, kind: type[int] | type[float]) -> int | float | None:
    """One type per attribute: both writers declare a key's type once, from its values."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return kind(value) if math.isfinite(value) else None


def _flat(data: Mapping[str, Any]) -> dict[str, str | int | float | bool]:
    return {k: v for k, v in ((k, _scalar(v)) for k, v in data.items()) if v is not None}


def _node_data(
    node: dict[str, Any],
    clusters: Mapping[str, dict[str, Any]],
    subclusters: Mapping[str, dict[str, Any]],
    facts: ItemFacts | None,
) -> dict[str, Any]:
    cluster = clusters.get(str(node.get("clusterId")), {})
    sub = subclusters.get(str(node.get("subclusterId")), {})
    return {
        "label": node.get("title") or node["origId"],
        "orig_id": node["origId"],
        "cluster_id": node.get("clusterId"),
        "cluster_name": cluster.get("name") or node.get("clusterName") or None,
        "cluster_confidence": _number(node.get("clusterConfidence"), float),
        "subcluster_id": node.get("subclusterId"),
        "subcluster_name": sub.get("name"),
        "keywords": node.get("keywords") or None,
        "source_type": node.get("sourceType"),
        "source": facts.source if facts else None,
        "created_at": facts.created_at if facts else None,
        "updated_at": facts.updated_at if facts else None,
        "link": facts.link if facts else None,
        "timestamp": node.get("timestamp"),
        "sections": _number(node.get("numSections"), int),
        "x": _number(node.get("x"), float),
        "y": _number(node.get("y"), float),
    }


def to_networkx(graph: Mapping[str, Any], facts: Mapping[tuple[str, str], ItemFacts]) -> nx.Graph:
    """An undirected graph, one node per graph node (keyed by its id); an edge stored both
    ways is one edge, with the larger weight."""
    clusters = {c["clusterId"]: c for c in graph["clusters"]}
    subclusters = {s["subclusterId"]: s for s in graph["subclusters"]}
    out = nx.Graph()
    for node in graph["nodes"]:
        item = facts.get((node["origId"], node.get("sourceType") or "chat"))
        out.add_node(node["id"], **_flat(_node_data(node, clusters, subclusters, item)))
    for edge in graph["edges"]:
        a, b = edge["source"], edge["target"]
        if a == b or a not in out or b not in out:
            continue
        weight = float(edge.get("weight") or 0.0)
        if out.has_edge(a, b) and out.edges[a, b]["weight"] >= weight:
            continue
        data = {
            "weight": weight,
            "confidence": edge.get("confidence"),
            "intra_cluster": bool(edge.get("isIntraCluster")),
        }
        out.add_edge(a, b, **_flat(data))
    _add_sizes(out)
    return out


def _add_sizes(graph: nx.Graph) -> None:
    degrees = dict(graph.degree())
    top = max(degrees.values(), default=0) or 1
    for node, degree in degrees.items():
        graph.nodes[node]["size"] = round(MIN_RADIUS + RADIUS_SPAN * math.sqrt(degree / top), 3)


def _gexf_ready(graph: nx.Graph) -> nx.Graph:
    """The GEXF writer reads position and size from ``viz``, so Gephi lays nodes out where
    the viewer does; the plain attributes stay for tools that read those."""
    out = graph.copy()
    for _, data in out.nodes(data=True):
        viz: dict[str, Any] = {"size": data["size"]}
        if "x" in data and "y" in data:
            viz["position"] = {"x": data["x"], "y": data["y"], "z": 0.0}
        data["viz"] = viz
    return out


def graphml_text(graph: nx.Graph) -> str:
    return "\n".join(nx.generate_graphml(graph)) + "\n"


def gexf_text(graph: nx.Graph) -> str:
    return "\n".join(nx.generate_gexf(_gexf_ready(graph))) + "\n"


def chunks(text: str | bytes, size: int = CHUNK_BYTES) -> Iterator[bytes]:
    """A whole document in pieces of ``size`` bytes, to send as they go out."""
    data = text.encode() if isinstance(text, str) else text
    for start in range(0, len(data), size):
        yield data[start : start + size]
