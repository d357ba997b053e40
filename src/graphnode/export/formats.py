"""The export formats, with the media type and file name each is sent under."""

from __future__ import annotations

from enum import StrEnum


class ExportFormat(StrEnum):
    GRAPHML = "graphml"
    GEXF = "gexf"
    JSON = "json"
    OBSIDIAN = "obsidian"

    @property
    def media_type(self) -> str:
        return _MEDIA_TYPES[self]

    @property
    def filename(self) -> str:
        return f"graphnode-{self.value}.{_EXTENSIONS[self]}"

    @classmethod
    def allowed(cls) -> str:
        return ", ".join(member.value for member in cls)


_MEDIA_TYPES = {
    ExportFormat.GRAPHML: "application/graphml+xml",
    ExportFormat.GEXF: "application/gexf+xml",
    ExportFormat.JSON: "application/json",
    ExportFormat.OBSIDIAN: "application/zip",
}
_EXTENSIONS = {
    ExportFormat.GRAPHML: "graphml",
    ExportFormat.GEXF: "gexf",
    ExportFormat.JSON: "json",
    ExportFormat.OBSIDIAN: "zip",
}
