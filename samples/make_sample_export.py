"""Build the synthetic ChatGPT export in ``samples/chatgpt-export/`` from ``samples/source/``.

The texts come from ``source/<n>-<topic>.md`` and the fixed fields of each record from
``source/shape.json`` (``samples/README.md`` describes both); this script adds the ``mapping``
trees, timestamps and deterministic ids. Standard library only::

    python samples/make_sample_export.py [OUT_DIR]   # default: samples/chatgpt-export
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import textwrap
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SOURCE_DIR = Path(__file__).resolve().parent / "source"
OUT_DIR = SOURCE_DIR.parent / "chatgpt-export"
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://graphnode.invalid/samples/chatgpt-export")
SHAPE: dict[str, Any] = json.loads((SOURCE_DIR / "shape.json").read_text(encoding="utf-8"))
# The parts each kind of record may hold (a tool part's "--- source" lines are read with it).
KINDS = {
    "conversation": {"user", "assistant", "image", "call", "tool", "source"}
    | {"user-before-edit", "answer-before-edit", "answer-before-regen"},
    "note": {"section"},
}

_MARK = re.compile(r"^(===|---) (\S+) ?(.*)$", re.MULTILINE)
_SOURCE = re.compile(r"^(\d+) \[(.+)\]\((\S+)\)$")
_BLOCK_START = re.compile(r"^\s*(?:[-*+] |\d+\. |#|\||> )")
_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
_CITATION = re.compile(r"【(\d+)†source】")


@dataclass
class Part:
    """One ``--- kind`` block: a message or a note's section."""

    kind: str
    text: str
    args: dict[str, str]
    sources: dict[int, dict[str, str]] = field(default_factory=dict)


@dataclass
class Record:
    """One ``=== kind key`` block with its ``name: value`` fields: a conversation or a note."""

    kind: str
    key: str
    topic: str
    fields: dict[str, str]
    parts: list[Part] = field(default_factory=list)


def unwrap(raw: str) -> str:
    """Unwrap hand-wrapped text: paragraphs and list items become single lines.

    Blank lines, list items, headings, tables and fenced code blocks are kept as they are.
    Wrapped lines are joined with a space, or with nothing next to a Chinese character.
    """
    out: list[str] = []
    in_code = joinable = False
    for line in textwrap.dedent(raw).strip("\n").split("\n"):
        stripped = line.strip()
        fence = stripped.startswith("```")
        if joinable and stripped and not fence and not _BLOCK_START.match(line):
            glue = "" if _CJK.match(out[-1][-1]) or _CJK.match(stripped[0]) else " "
            out[-1] += glue + stripped
            continue
        in_code ^= fence
        out.append(line.rstrip())
        plain = stripped and not (fence or in_code or stripped.startswith(("#", "|")))
        joinable = bool(plain)
    return "\n".join(out)


def _add_part(record: Record, kind: str, rest: str, body: str) -> None:
    where = f"{record.key}, '--- {kind} {rest}'"
    if kind not in KINDS[record.kind]:
        raise ValueError(f"{where}: a {record.kind} has no such part")
    if kind != "source":
        text = body.strip("\n") if kind == "call" else unwrap(body)
        record.parts.append(Part(kind, text, dict(arg.split("=", 1) for arg in rest.split())))
        return
    match = _SOURCE.match(rest)
    if not match or body.strip() or not record.parts or record.parts[-1].kind != "tool":
        raise ValueError(f"{where}: write '--- source N [title](url)' lines after a tool part")
    record.parts[-1].sources[int(match[1])] = {"title": match[2], "url": match[3]}


def read_topic(path: Path) -> list[Record]:
    """Read one topic file; its topic is the file name without the ``<n>-`` prefix."""
    topic = path.stem.split("-", 1)[1]
    records: list[Record] = []
    pieces = _MARK.split(path.read_text(encoding="utf-8"))  # preamble, then 4 per marker line
    for start in range(1, len(pieces), 4):
        mark, kind, rest, body = pieces[start : start + 4]
        if mark == "===" and kind in KINDS:
            fields = dict(line.split(": ", 1) for line in body.strip().split("\n"))
            records.append(Record(kind, rest, topic, fields))
        elif mark == "---" and records:
            _add_part(records[-1], kind, rest, body)
        else:
            raise ValueError(f"{path.name}: unexpected '{mark} {kind}'")
    return records


def fill(template: str, /, **values: Any) -> Any:
    """A copy of ``SHAPE[template]`` with every ``"$key"`` string replaced by ``values[key]``."""

    def walk(node: Any) -> Any:
        if isinstance(node, str) and node.startswith("$"):
            return values[node[1:]]
        if isinstance(node, dict):
            return {key: walk(value) for key, value in node.items()}
        return [walk(value) for value in node] if isinstance(node, list) else node

    return walk(SHAPE[template])


def _uid(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def _unit(*parts: str) -> float:
    """A stable pseudo-random number in [0, 1) derived from ``parts``."""
    digest = hashlib.sha256("/".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _epoch(when: str) -> float:
    return datetime.strptime(when, "%Y-%m-%d %H:%M").replace(tzinfo=UTC).timestamp()


def _node(node_id: str, message: Any, parent: str | None) -> dict[str, Any]:
    return {"id": node_id, "message": message, "parent": parent, "children": []}


class _Tree:
    """Builds one conversation's ``mapping``; node ids equal message ids, as in real exports."""

    def __init__(self, record: Record) -> None:
        self.key, when = record.key, record.fields["when"]
        self.model = record.fields.get("model") or ("gpt-4o" if when < "2025-08-07" else "gpt-5")
        self.clock = _epoch(when) + 60 * _unit(self.key, "start")
        self.count, self.request_id = 0, ""
        self.sources: dict[int, dict[str, str]] = {}
        self.times: list[float] = []
        root = self.branch = _uid(self.key, "node", "root")
        self.mapping = {root: _node(root, None, None)}
        self.cursor = self._put(root, "system", None)

    def _tick(self, lo: float, hi: float) -> float:
        self.clock += lo + (hi - lo) * _unit(self.key, "tick", str(self.count))
        self.times.append(round(self.clock, 6))
        return self.times[-1]

    def _put(self, parent: str, kind: str, created: float | None, **values: Any) -> str:
        """Add a message from the template ``kind`` under ``parent``; return its id."""
        self.count += 1
        node_id = _uid(self.key, "message", str(self.count))
        known = {"model": self.model, "request_id": self.request_id, "parent": parent}
        message = fill(kind, id=node_id, create_time=created, **known, **values)
        self.mapping[node_id] = _node(node_id, message, parent)
        self.mapping[parent]["children"].append(node_id)
        return node_id

    def _user(self, parent: str, text: str, image: dict[str, str]) -> str:
        self.request_id = _uid(self.key, "request", str(self.count))
        created = self._tick(0, 0) if self.count == 1 else self._tick(40, 420)
        if not image:
            return self._put(parent, "user", created, text=text)
        file_id = "file-" + hashlib.sha256(self.key.encode()).hexdigest()[:22]
        sizes = {name: int(image[name]) for name in ("size", "width", "height")}
        pointer = f"file-service://{file_id}"
        values = {"file_id": file_id, "asset_pointer": pointer, "name": image["name"], **sizes}
        return self._put(parent, "image", created, text=text, **values)

    def _assistant(self, parent: str, text: str) -> str:
        created = self._tick(4 + len(text) / 180, 9 + len(text) / 120)
        marks = [(m.start(), m.end(), int(m[1])) for m in _CITATION.finditer(text)]
        citations = [
            fill("citation", start=start, end=end, index=index, **self.sources[index])
            for start, end, index in marks
        ]
        return self._put(parent, "assistant", created, text=text, citations=citations)

    def add(self, part: Part) -> None:
        kind, text, cursor = part.kind, part.text, self.cursor
        if kind == "user-before-edit":  # the first version stays as a sibling of the edit
            self.branch = self._user(cursor, text, {})
        elif kind == "answer-before-edit":  # and keeps its answer
            self._assistant(self.branch, text)
        elif kind == "answer-before-regen":  # a sibling of the regenerated answer
            self._assistant(cursor, text)
        elif kind in ("user", "image"):
            self.cursor = self._user(cursor, text, part.args)
        elif kind == "assistant":
            self.cursor = self._assistant(cursor, text)
        elif kind == "call":
            self.cursor = self._put(cursor, "call", self._tick(2, 5), text=text)
        else:
            self.sources = part.sources
            results = [fill("search_result", **source) for source in part.sources.values()]
            self.cursor = self._put(cursor, "tool", self._tick(3, 8), text=text, results=results)


def build_conversation(record: Record) -> dict[str, Any]:
    tree = _Tree(record)
    for part in record.parts:
        tree.add(part)
    return fill(
        "conversation",
        title=record.fields["title"],
        create_time=round(min(tree.times) - 0.4 - _unit(record.key, "created"), 6),
        update_time=round(max(tree.times) + 1 + 3 * _unit(record.key, "updated"), 6),
        mapping=tree.mapping,
        current_node=tree.cursor,
        id=_uid(record.key, "conversation"),
        model=tree.model,
    )


def build_note(record: Record) -> dict[str, Any]:
    key, fields = record.key, record.fields
    sections = [
        {"id": _uid(key, "section", str(index)), "content": part.text}
        for index, part in enumerate(record.parts)
    ]
    times = {name: _epoch(fields[name]) for name in ("created", "updated")}
    return fill("note", id=_uid(key, "note"), title=fields["title"], sections=sections, **times)


def write_export(out_dir: Path, source_dir: Path = SOURCE_DIR) -> None:
    """Read the topic files of ``source_dir`` in the order of their numbers; write the export."""
    paths = sorted(source_dir.glob("*.md"), key=lambda path: int(path.name.split("-")[0]))
    records = [record for path in paths for record in read_topic(path)]
    specs = [record for record in records if record.kind == "conversation"]
    note_specs = [record for record in records if record.kind == "note"]
    conversations = [build_conversation(record) for record in specs]
    notes = [build_note(record) for record in note_specs]
    built = zip(conversations + notes, specs + note_specs, strict=True)
    topics = {data["id"]: record.topic for data, record in built}
    # Real exports list the most recently updated conversation first.
    conversations.sort(key=lambda c: c["update_time"], reverse=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {"conversations.json": conversations, "notes.json": {"source_nodes": notes}}
    for name, data in {**files, "topics.json": topics}.items():
        text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
        (out_dir / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(conversations)} conversations and {len(notes)} notes to {out_dir}")


if __name__ == "__main__":
    write_export(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT_DIR)
