"""ChatGPT's export (``conversations.json``): one conversation per item, messages in a tree.

Each item has ``id`` (or ``conversation_id``), ``title``, ``create_time``/``update_time``
(epoch seconds), ``current_node`` and ``mapping``: nodes keyed by id with ``parent``,
``children`` and ``message``. Editing a question or regenerating an answer adds a branch;
what the person last saw is the path from the root to ``current_node``, so that path, and
only it, becomes the document.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from graphnode.ingest.documents import Document, Section
from graphnode.ingest.parse.common import (
    JSONObject,
    id_text,
    iter_each,
    title_text,
    to_epoch,
    type_name,
)
from graphnode.ingest.parse.errors import ParseError

SOURCE = "chatgpt"
_KEPT_ROLES = frozenset({"user", "assistant"})
_SKIPPED_ROLES = frozenset({"system", "tool"})
_TEXT_CONTENT = frozenset({"text", "multimodal_text"})


def parse_chatgpt(conversations: Iterable[Any], file: str, skipped: Counter[str]) -> list[Document]:
    """Documents for every conversation with user or assistant text; the rest are counted."""
    return list(iter_chatgpt(conversations, file, skipped))


def iter_chatgpt(
    conversations: Iterable[Any], file: str, skipped: Counter[str]
) -> Iterator[Document]:
    """``parse_chatgpt`` one item at a time, for conversations read incrementally."""
    return iter_each(conversations, file, skipped, _conversation)


def _conversation(
    conversation: JSONObject, where: str, file: str, skipped: Counter[str]
) -> Document | None:
    mapping = conversation.get("mapping")
    if mapping is None:
        raise ParseError(file, f"{where} has no 'mapping'")
    if not isinstance(mapping, dict):
        raise ParseError(file, f"{where} has a 'mapping' that is {type_name(mapping)}")
    orig_id = id_text(conversation.get("id")) or id_text(conversation.get("conversation_id"))
    if orig_id is None:
        raise ParseError(file, f"{where} has no 'id' or 'conversation_id'")

    branch = current_branch(mapping, conversation.get("current_node"), skipped)
    sections, first_time, last_time = _sections(branch, skipped)
    if not sections:
        return None
    create_time = to_epoch(conversation.get("create_time"))
    update_time = to_epoch(conversation.get("update_time"))
    model = conversation.get("default_model_slug")
    return Document(
        orig_id=orig_id,
        title=title_text(conversation.get("title"), sections),
        sections=sections,
        source_type="chat",
        source=SOURCE,
        create_time=first_time if create_time is None else create_time,
        update_time=last_time if update_time is None else update_time,
        metadata={"model": model} if isinstance(model, str) and model else {},
    )


def current_branch(
    mapping: JSONObject, current_node: Any, skipped: Counter[str]
) -> list[JSONObject]:
    """The nodes from the root to ``current_node``, root first.

    Without a usable ``current_node`` the newest branch is taken: the last child at each
    step, as the ChatGPT interface shows a conversation by default. A loop in a broken
    export is cut where it closes, and counted as a ``mapping cycle``.
    """
    if isinstance(current_node, str) and current_node in mapping:
        return _path_up(mapping, current_node, skipped)
    return _path_down(mapping, skipped)


def _path_up(mapping: JSONObject, leaf: str, skipped: Counter[str]) -> list[JSONObject]:
    path = _walk(mapping, leaf, lambda node: node.get("parent"), skipped)
    path.reverse()
    return path


def _path_down(mapping: JSONObject, skipped: Counter[str]) -> list[JSONObject]:
    return _walk(mapping, _root(mapping), lambda node: _last_child(node, mapping), skipped)


def _walk(
    mapping: JSONObject,
    start: Any,
    step: Callable[[JSONObject], Any],
    skipped: Counter[str],
) -> list[JSONObject]:
    """Nodes from ``start``, each ``step`` giving the next id, until an id outside the
    mapping, a node that is not an object, or a node seen before (a loop in a broken export,
    counted as a ``mapping cycle``)."""
    path: list[JSONObject] = []
    seen: set[str] = set()
    node_id = start
    while isinstance(node_id, str) and node_id in mapping:
        if node_id in seen:
            skipped["mapping cycle"] += 1
            break
        seen.add(node_id)
        node = mapping[node_id]
        if not isinstance(node, dict):
            break
        path.append(node)
        node_id = step(node)
    return path


def _root(mapping: JSONObject) -> str | None:
    """The first node whose parent is not in the mapping (normally ``client-created-root``)."""
    for node_id, node in mapping.items():
        parent = node.get("parent") if isinstance(node, dict) else None
        if not (isinstance(parent, str) and parent in mapping):
            return node_id
    # Every node's parent is in the mapping: the whole tree is a loop. Start anywhere;
    # _path_down stops where the loop closes.
    return next(iter(mapping), None)


def _last_child(node: JSONObject, mapping: JSONObject) -> str | None:
    children = node.get("children")
    if not isinstance(children, list):
        return None
    for child in reversed(children):
        if isinstance(child, str) and child in mapping:
            return child
    return None


def _sections(
    branch: list[JSONObject], skipped: Counter[str]
) -> tuple[tuple[Section, ...], float | None, float | None]:
    """The branch's user and assistant turns, and its first and last message times."""
    sections: list[Section] = []
    times: list[float] = []
    for node in branch:
        message = node.get("message")
        section = _section(message, skipped)
        if section is None:
            continue
        sections.append(section)
        moment = to_epoch(message.get("create_time"))
        if moment is not None:
            times.append(moment)
    return tuple(sections), min(times, default=None), max(times, default=None)


def _section(message: Any, skipped: Counter[str]) -> Section | None:
    reason = _skip_reason(message)
    if reason is not None:
        skipped[reason] += 1
        return None
    text = _content_text(message.get("content"), skipped)
    if text is None:
        return None
    text = text.strip()
    if not text:
        skipped["empty message"] += 1
        return None
    return Section(role=message["author"]["role"], text=text)


def _skip_reason(message: Any) -> str | None:
    """Why a message is not part of the visible conversation, or ``None`` to keep it."""
    if message is None:
        return "null message"
    if not isinstance(message, dict):
        return "broken message"
    author = message.get("author")
    role = author.get("role") if isinstance(author, dict) else None
    if role in _SKIPPED_ROLES:
        return f"{role} message"
    if role not in _KEPT_ROLES:
        return "unknown role"
    metadata = message.get("metadata")
    if isinstance(metadata, dict) and metadata.get("is_visually_hidden_from_conversation"):
        return "hidden message"
    recipient = message.get("recipient")
    if isinstance(recipient, str) and recipient != "all":
        # The assistant addressing a tool (python, browser, dalle, memory): not shown as chat.
        return "tool call"
    return None


def _content_text(content: Any, skipped: Counter[str]) -> str | None:
    """A message's text; ``None`` (counted) when its content is not text at all."""
    kind = content.get("content_type") if isinstance(content, dict) else None
    if kind == "code":
        # Kept fenced so cleaning turns it into the same code marker as code in a reply.
        code = content.get("text")
        language = content.get("language")
        fence = language if isinstance(language, str) and language != "unknown" else ""
        return f"```{fence}\n{code}\n```" if isinstance(code, str) and code.strip() else ""
    if kind not in _TEXT_CONTENT:
        skipped["non-text content"] += 1
        return None
    parts = content.get("parts")
    if not isinstance(parts, list):
        text = content.get("text")
        return text if isinstance(text, str) else ""
    texts: list[str] = []
    for part in parts:
        if isinstance(part, str):
            texts.append(part)
        elif _is_transcript(part):
            texts.append(part["text"])
        else:
            skipped["non-text part"] += 1
    return "\n".join(text for text in texts if text)


def _is_transcript(part: Any) -> bool:
    """Voice-mode parts carry what the person said as text; images and files carry none."""
    return (
        isinstance(part, dict)
        and part.get("content_type") == "audio_transcription"
        and isinstance(part.get("text"), str)
    )
