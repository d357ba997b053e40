"""Small helpers for MongoDB documents shared by the stores."""

from __future__ import annotations

from datetime import UTC, datetime

from pymongo.errors import BulkWriteError, DuplicateKeyError

DUPLICATE_KEY = 11000


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """Naive datetimes from the wire are UTC; MongoDB stores milliseconds."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    aware = aware.astimezone(UTC)
    return aware.replace(microsecond=aware.microsecond // 1000 * 1000)


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


def iso(value: object) -> str | None:
    """A stored date as ISO text. Some MongoDB-protocol servers hand back dates written by
    ``$set`` as strings already; real MongoDB gives datetimes."""
    if value is None:
        return None
    return value.isoformat() if isinstance(value, datetime) else str(value)
