"""The Markdown of an Obsidian vault's notes: one per conversation or note, one per topic,
and the index. Pure text functions; which notes exist and what they link to is decided by
``obsidian``."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from graphnode.ingest.documents import Document


@dataclass(frozen=True, slots=True)
class Link:
    """A wiki-link to another note, with the edge weight that led there."""

    name: str
    weight: float


def front_matter(fields: Mapping[str, Any]) -> str:
    """YAML front matter. Every value is written as JSON, which YAML reads as it is (a
    quoted string, a number, a list): a title with ``:`` or ``#`` cannot break it."""
    lines = ["---"]
    for key, value in fields.items():
        if value is None or value == [] or value == "":
            continue
        lines.append(f"{key}: {orjson.dumps(value).decode()}")
    lines.append("---")
    return "\n".join(lines) + "\n"


def wiki(name: str) -> str:
    return f"[[{name}]]"


_FENCE = re.compile(r"^\s*(```|~~~)")


def plain(text: str) -> str:
    """Text with any ``[[...]]`` of its own made literal (outside fenced code, where
    Obsidian reads links), so the vault's only links are the ones the graph gives."""
    lines, fenced = [], False
    for line in text.split("\n"):
        if _FENCE.match(line):
            fenced = not fenced
        lines.append(line if fenced else line.replace("[[", "\\[\\["))
    return "\n".join(lines)


def _related(links: Sequence[Link]) -> list[str]:
    if not links:
        return []
    return ["", "## Related", "", *(f"- {wiki(link.name)} ({link.weight:.2f})" for link in links)]


def _body(item: Document | None, link: str | None) -> list[str]:
    if item is None:
        return ["", "_The conversation behind this node is no longer stored._"]
    lines: list[str] = []
    if link:
        lines += ["", f"[Open the original]({link})"]
    for section in item.sections:
        if not section.text.strip():
            continue
        heading = plain(" ".join(section.role.split())) or "section"
        lines += ["", f"### {heading}", "", plain(section.text.rstrip())]
    return lines


def conversation_note(
    node: Mapping[str, Any],
    item: Document | None,
    fields: Mapping[str, Any],
    topic: str | None,
    links: Sequence[Link],
) -> str:
    """A conversation's (or note's) text, its topic and its strongest neighbours."""
    title = (item.title if item else "") or node.get("title") or node["origId"]
    lines = [f"# {plain(' '.join(str(title).split()))}"]
    if topic:
        lines += ["", f"Topic: {wiki(topic)}"]
    lines += _body(item, fields.get("link"))
    lines += _related(links)
    return front_matter(fields) + "\n" + "\n".join(lines) + "\n"


def topic_note(
    cluster: Mapping[str, Any],
    insight: str,
    groups: Sequence[tuple[str | None, Sequence[str]]],
) -> str:
    """A topic: what it is about and its members, by subtopic where it has several."""
    fields = {
        "cluster_id": cluster["clusterId"],
        "size": cluster.get("size", 0),
        "keywords": list(cluster.get("topKeywords") or []),
        "tags": ["graphnode/topic"],
    }
    lines = [f"# {plain(str(cluster.get('name') or cluster['clusterId']))}"]
    if cluster.get("description"):
        lines += ["", plain(str(cluster["description"]))]
    if cluster.get("keyThemes"):
        lines += ["", "Themes: " + ", ".join(str(t) for t in cluster["keyThemes"])]
    if insight:
        lines += ["", plain(insight)]
    lines += ["", "## Members"]
    for heading, members in groups:
        if heading:
            lines += ["", f"### {heading}"]
        lines += ["", *(f"- {wiki(name)}" for name in members)]
    return front_matter(fields) + "\n" + "\n".join(lines) + "\n"


def _texts(entries: Iterable[Any]) -> list[str]:
    return [str(e["text"]) for e in entries if isinstance(e, dict) and e.get("text")]


def index_note(
    graph: Mapping[str, Any],
    summary: Mapping[str, Any] | None,
    topics: Sequence[tuple[str, int]],
) -> str:
    """The vault's front page: the summary, and every topic (name, size) given."""
    stats = graph.get("stats", {})
    fields = {
        "generated_at": graph.get("generatedAt"),
        "nodes": stats.get("nodes"),
        "edges": stats.get("edges"),
        "topics": stats.get("clusters"),
        "tags": ["graphnode/index"],
    }
    lines = ["# Your knowledge graph"]
    body = (summary or {}).get("summary") or {}
    overview = body.get("overview") or {}
    if overview.get("summary_text"):
        lines += ["", plain(str(overview["summary_text"]))]
    elif summary is None:
        lines += ["", "_No summary yet: generate your graph with a summary to see one here._"]
    interests = [str(i) for i in overview.get("primary_interests") or []]
    if interests:
        lines += ["", "Primary interests: " + plain(", ".join(interests))]
    for title, entries in (
        ("Patterns", body.get("patterns") or []),
        ("Recommendations", body.get("recommendations") or []),
    ):
        texts = _texts(entries)
        if texts:
            lines += ["", f"## {title}", "", *(f"- {plain(text)}" for text in texts)]
    lines += ["", "## Topics", ""]
    lines += [f"- {wiki(name)} ({size})" for name, size in topics]
    return front_matter(fields) + "\n" + "\n".join(lines) + "\n"
