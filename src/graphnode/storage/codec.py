"""The one place where values read back from MongoDB become the types the code expects.

Real MongoDB returns BSON dates as datetimes. Servers that only speak its wire protocol do
not always: nx-27017 returns (and stores) a datetime written by ``$set`` onto an existing
document as text such as ``'2026-11-26 11:00:00'``, and after a restart some stored dates
come back the same way. Every store therefore reads through :func:`decode` (or the
:func:`find_one` / :func:`find_all` helpers), and the convention is fixed:

* a top-level field named ``*_at`` is a moment: it is decoded to an aware UTC datetime;
* a field named ``*_ms`` is a moment as integer epoch milliseconds. Anything a *query*
  compares (leases, deadlines) is stored this way, because a range query against a date the
  server kept as text silently matches nothing, while numbers compare alike everywhere.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterable, Mapping
from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

_MOMENT_SUFFIX = "_at"
_MILLIS_SUFFIX = "_ms"


def utc_now() -> datetime:
    return datetime.now(UTC)


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def epoch_ms(moment: datetime) -> int:
    return int(to_utc(moment).timestamp() * 1000)


def _parse_text(text: str) -> datetime:
    cleaned = text.strip().replace("Z", "+00:00")
    try:
        return datetime.fromisoformat(cleaned)
    except ValueError as exc:
        raise ValueError(f"not a date: {text!r}") from exc


def to_utc(value: datetime | str | float) -> datetime:
    """An aware UTC datetime at millisecond precision (what MongoDB keeps) from a datetime
    (naive ones are UTC), ISO-like text, or epoch seconds."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        moment = _parse_text(value)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        moment = datetime.fromtimestamp(float(value), UTC)
    else:
        raise TypeError(f"not a date: {value!r}")
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    aware = aware.astimezone(UTC)
    return aware.replace(microsecond=aware.microsecond // 1000 * 1000)


def _decode_value(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name.endswith(_MOMENT_SUFFIX):
        return to_utc(value)
    if name.endswith(_MILLIS_SUFFIX) and isinstance(value, str | float):
        return int(float(value))
    return value


def decode(doc: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A document as read back, with its moments decoded (see the module's convention)."""
    if doc is None:
        return None
    return {name: _decode_value(name, value) for name, value in doc.items()}


async def find_one(
    collection: AsyncCollection[dict[str, Any]], query: Mapping[str, Any], *args: Any, **kw: Any
) -> dict[str, Any] | None:
    return decode(await collection.find_one(query, *args, **kw))


async def decoded(cursor: AsyncIterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every document of ``cursor``, decoded."""
    return [decode(doc) or {} async for doc in cursor]


async def find_all(
    collection: AsyncCollection[dict[str, Any]], query: Mapping[str, Any], *args: Any, **kw: Any
) -> list[dict[str, Any]]:
    return await decoded(collection.find(query, *args, **kw))


def iso(value: datetime | str | float | None) -> str | None:
    """A stored moment as ISO 8601 text (UTC) for clients."""
    if value is None:
        return None
    return to_utc(value).isoformat()
