"""What the pipeline works on: a user's conversations and notes, parsed from any format."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Section:
    """One turn of a conversation (``user``/``assistant``) or one section of a note."""

    role: str
    text: str


@dataclass(frozen=True, slots=True)
class Document:
    """One graph node to be: a conversation or a note.

    ``orig_id`` is the source's own id (stable across exports, the key for deduplication);
    ``source`` names the format it came from (``chatgpt``, ``claude``, ``jsonl``, ``notes``),
    ``source_type`` what the contract calls it (``chat`` or ``markdown``).
    """

    orig_id: str
    title: str
    sections: tuple[Section, ...]
    source_type: str = "chat"
    source: str = "chatgpt"
    create_time: float | None = None
    update_time: float | None = None
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """Title and every section, one paragraph each: what gets embedded and indexed."""
        return "\n\n".join([self.title, *(s.text for s in self.sections if s.text)])
