"""docs/contract.md's tables and docs/schemas/*.json, generated from the contract's models.

The prose of docs/contract.md is written by hand; every block between
``<!-- generated: NAME -->`` and ``<!-- end generated -->`` is replaced by what the models
say, so the page cannot describe a field the code does not have. ``graphnode contract
--write docs/`` regenerates; a test fails while the files in the repository are stale.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from graphnode.contracts.envelope import _RawEnvelope
from graphnode.contracts.results import (
    ClusterInfo,
    FeatureConversation,
    FeaturesFile,
    GraphAdditionFile,
    GraphEdge,
    GraphFile,
    GraphMetadata,
    GraphNode,
    Keyword,
    Subcluster,
    SummaryCluster,
    SummaryConnection,
    SummaryFile,
    SummaryOverview,
    SummaryPattern,
    SummaryRecommendation,
    TimeSpan,
)
from graphnode.contracts.tasks import PAYLOAD_TYPES, GenerationOptions, TaskType

CONTRACT_PAGE = "contract.md"
SCHEMA_DIR = "schemas"
_REQUESTS = {
    TaskType.GRAPH_GENERATION_REQUEST,
    TaskType.GRAPH_SUMMARY_REQUEST,
    TaskType.ADD_NODE_REQUEST,
}


def _direction(task_type: TaskType) -> str:
    if task_type is TaskType.USER_DELETION_REQUEST:
        return "API -> worker"
    return "API -> AI" if task_type in _REQUESTS else "AI -> worker"


FILE_MODELS: dict[str, type[BaseModel]] = {
    "graph.json": GraphFile,
    "graph-addition.json": GraphAdditionFile,
    "features.json": FeaturesFile,
    "summary.json": SummaryFile,
}
# Each table of the 'Result files' section, in reading order.
FILE_PARTS: dict[str, tuple[type[BaseModel], ...]] = {
    "graph.json": (
        GraphFile,
        GraphNode,
        Keyword,
        GraphEdge,
        Subcluster,
        GraphMetadata,
        ClusterInfo,
    ),
    "features.json": (FeaturesFile, FeatureConversation),
    "summary.json": (
        SummaryFile,
        SummaryOverview,
        TimeSpan,
        SummaryCluster,
        SummaryPattern,
        SummaryConnection,
        SummaryRecommendation,
    ),
}
_BLOCK = re.compile(r"(<!-- generated: ([a-z-]+) -->\n).*?(<!-- end generated -->)", re.DOTALL)


def _schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema(by_alias=True, mode="validation")


def schema_files() -> dict[str, dict[str, Any]]:
    """Path under docs/ -> JSON Schema: the envelope, each payload, each result file."""
    found = {f"{SCHEMA_DIR}/envelope.schema.json": _schema(_RawEnvelope)}
    for task_type, model in PAYLOAD_TYPES.items():
        found[f"{SCHEMA_DIR}/messages/{task_type.value}.schema.json"] = _schema(model)
    found[f"{SCHEMA_DIR}/generation-options.schema.json"] = _schema(GenerationOptions)
    for name, model in FILE_MODELS.items():
        found[f"{SCHEMA_DIR}/files/{name.removesuffix('.json')}.schema.json"] = _schema(model)
    return found


def _type_of(prop: Mapping[str, Any], defs: Mapping[str, Any]) -> str:
    """A JSON Schema property as a short type, e.g. ``string or null`` or ``[Keyword]``."""
    if "$ref" in prop:
        name = str(prop["$ref"]).rsplit("/", 1)[-1]
        target = defs.get(name, {})
        return _type_of(target, defs) if "enum" in target else name
    if "anyOf" in prop:
        return " or ".join(dict.fromkeys(_type_of(option, defs) for option in prop["anyOf"]))
    if "enum" in prop:
        return " or ".join(f"`{value}`" for value in prop["enum"])
    kind = prop.get("type")
    if kind == "array":
        return f"[{_type_of(prop.get('items', {}), defs)}]"
    if kind == "object" and isinstance(prop.get("additionalProperties"), dict):
        return f"{{string: {_type_of(prop['additionalProperties'], defs)}}}"
    return str(kind) if kind else "any"


def _limits(prop: Mapping[str, Any]) -> str:
    options = prop.get("anyOf", [prop])
    bounds = [
        f"{word} {option[key]}"
        for option in options
        for key, word in (("minimum", ">="), ("maximum", "<="), ("maxLength", "length <="))
        if key in option
    ]
    return f" ({', '.join(bounds)})" if bounds else ""


def field_table(model: type[BaseModel]) -> str:
    """One row per field: wire name, type, required or its default, meaning."""
    schema = _schema(model)
    required = set(schema.get("required", []))
    rows = ["| field | type | required / default | meaning |", "| --- | --- | --- | --- |"]
    for name, prop in schema.get("properties", {}).items():
        if name in required:
            need = "required"
        elif "default" in prop:
            need = f"`{json.dumps(prop['default'])}`"
        else:
            need = "optional"
        meaning = str(prop.get("description", "")).replace("\n", " ")
        kind = _type_of(prop, schema.get("$defs", {}))
        rows.append(f"| `{name}` | {kind}{_limits(prop)} | {need} | {meaning} |")
    return "\n".join(rows)


def _task_types() -> str:
    rows = ["| taskType | direction | payload |", "| --- | --- | --- |"]
    for task_type, model in PAYLOAD_TYPES.items():
        direction = _direction(task_type)
        anchor = task_type.value.lower()
        rows.append(f"| `{task_type.value}` | {direction} | [{model.__name__}](#{anchor}) |")
    sections = [
        f'<a id="{t.value.lower()}"></a>\n#### `{t.value}`\n\n{field_table(model)}'
        for t, model in PAYLOAD_TYPES.items()
    ]
    return "\n\n".join(["\n".join(rows), *sections])


def _result_files() -> str:
    sections = []
    for file_name, models in FILE_PARTS.items():
        sections.append(f"#### `{file_name}`")
        sections += [f"`{model.__name__}`\n\n{field_table(model)}" for model in models]
    return "\n\n".join(sections)


def _schema_list() -> str:
    return "\n".join(f"- [`{path}`]({path})" for path in schema_files())


BLOCKS: dict[str, Callable[[], str]] = {
    "envelope": lambda: field_table(_RawEnvelope),
    "task-types": _task_types,
    "generation-options": lambda: field_table(GenerationOptions),
    "result-files": _result_files,
    "schemas": _schema_list,
}


def render_page(page: str) -> str:
    """``page`` with every generated block replaced by what the models say now."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(2)
        if name not in BLOCKS:
            raise KeyError(f"docs/{CONTRACT_PAGE} names an unknown generated block {name!r}")
        return f"{match.group(1)}{BLOCKS[name]()}\n{match.group(3)}"

    return _BLOCK.sub(fill, page)


def generated_files(docs: Path) -> dict[Path, str]:
    """Every generated file under ``docs`` with the text it must have."""
    files = {
        docs / path: json.dumps(schema, indent=2, sort_keys=True) + "\n"
        for path, schema in schema_files().items()
    }
    files[docs / CONTRACT_PAGE] = render_page((docs / CONTRACT_PAGE).read_text())
    return files


def stale_files(docs: Path) -> list[Path]:
    """The generated files under ``docs`` that differ from what the models say, and schema
    files no model writes any more."""
    expected = generated_files(docs)
    changed = [p for p, text in expected.items() if not p.exists() or p.read_text() != text]
    leftover = sorted(set((docs / SCHEMA_DIR).rglob("*.json")) - set(expected))
    return changed + leftover


def write_files(docs: Path) -> list[Path]:
    """Regenerate; returns the files that changed."""
    changed = stale_files(docs)
    expected = generated_files(docs)
    for path in changed:
        if path not in expected:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(expected[path])
    return changed
