"""The one codec for values read back from MongoDB, whatever form the server returns."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from graphnode.storage.codec import decode, epoch_ms, iso, to_utc
from graphnode.storage.documents import doc_key

MOMENT = datetime(2026, 11, 26, 11, 0, 0, 123000, tzinfo=UTC)


@pytest.mark.parametrize(
    "raw",
    [
        MOMENT,
        MOMENT.replace(tzinfo=None),  # naive datetimes from the wire are UTC
        MOMENT.astimezone(timezone(timedelta(hours=9))),
        "2026-11-26 11:00:00.123000",  # nx-27017 after $set onto an existing document
        "2026-11-26T11:00:00.123Z",
        "2026-11-26T20:00:00.123+09:00",
        MOMENT.timestamp(),
        datetime(2026, 11, 26, 11, 0, 0, 123456, tzinfo=UTC),  # MongoDB keeps milliseconds
    ],
)
def test_every_form_of_a_moment_decodes_to_the_same_aware_utc_datetime(raw):
    decoded = to_utc(raw)
    assert decoded == MOMENT
    assert decoded.utcoffset() == timedelta(0)


def test_decode_turns_moment_fields_and_leaves_the_rest():
    doc = decode(
        {
            "_id": "u1",
            "generated_at": "2026-11-26 11:00:00.123000",
            "updated_at": MOMENT,
            "finished_at": None,
            "lease_ms": "1764154800123",
            "nodes": 3,
            "summary": {"generated_at": "2026-11-26T11:00:00Z"},  # nested: contract text
        }
    )
    assert doc == {
        "_id": "u1",
        "generated_at": MOMENT,
        "updated_at": MOMENT,
        "finished_at": None,
        "lease_ms": 1764154800123,
        "nodes": 3,
        "summary": {"generated_at": "2026-11-26T11:00:00Z"},
    }
    assert decode(None) is None


def test_text_that_is_no_date_is_refused_loudly():
    with pytest.raises(ValueError, match="not a date"):
        to_utc("yesterday")
    with pytest.raises(TypeError):
        to_utc(True)  # type: ignore[arg-type]


def test_iso_and_epoch_ms_agree_for_every_form():
    assert iso("2026-11-26 11:00:00.123000") == "2026-11-26T11:00:00.123000+00:00"
    assert iso(None) is None
    assert epoch_ms(MOMENT) == int(MOMENT.timestamp() * 1000)


def test_keys_of_different_users_and_items_never_meet():
    pairs = [("e3bm", ("a:x",)), ("e3bm:a", ("x",)), ("e3bv", ("a_x",)), ("e3bv_a", ("x",))]
    pairs += [("u%3A", ("x",)), ("u:", ("x",)), ("u", ("", "x")), ("u", (":x",))]
    keys = [doc_key(user, *parts) for user, parts in pairs]
    assert len(set(keys)) == len(keys)
    assert doc_key("alice", "chatgpt", "c-1") == "alice:chatgpt:c-1"  # plain keys unchanged
