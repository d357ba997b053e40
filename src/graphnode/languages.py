"""Language codes as users and exports write them ("ko", "ko-KR", "ko_kr"), reduced to the
base language every part of GraphNode compares (the AI service's prose and checks, the
worker's mending of a stored summary)."""

from __future__ import annotations


def base_language(language: str | None) -> str:
    """``"ko-KR"`` / ``"ko_KR"`` -> ``"ko"``; None -> ``""``."""
    return (language or "").strip().lower().replace("_", "-").split("-")[0]
