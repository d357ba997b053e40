"""Small helpers for MongoDB documents shared by the stores."""

from __future__ import annotations

from pymongo.errors import BulkWriteError, DuplicateKeyError

DUPLICATE_KEY = 11000


def doc_key(user_id: str, *parts: object) -> str:
    """The ``_id`` of a user's document: stable across redeliveries of the same data."""
    return ":".join([user_id, *(str(part) for part in parts)])


def is_duplicate_key(exc: Exception) -> bool:
    if isinstance(exc, DuplicateKeyError):
        return True
    if isinstance(exc, BulkWriteError):
        errors = exc.details.get("writeErrors", [])
        return bool(errors) and all(e.get("code") == DUPLICATE_KEY for e in errors)
    return False
