"""The per-user limit holds under concurrency and charges only work that started."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from graphnode.adapters.mongo import DocumentDatabase
from graphnode.api.services.rate_limit import RateLimitedError, SlidingWindowLimit
from tests.support.waiting import wait_until

pytestmark = pytest.mark.usefixtures("mongo")


@pytest.fixture
async def database(settings):
    async with DocumentDatabase(settings) as db:
        yield db


async def _try(limit: SlidingWindowLimit, user: str) -> bool:
    try:
        await limit.take(user)
    except RateLimitedError:
        return False
    return True


async def test_thirty_simultaneous_requests_get_exactly_the_limit(database):
    limit = SlidingWindowLimit(database, "generate", 6, timedelta(hours=1))
    results = await asyncio.gather(*(_try(limit, "u1") for _ in range(30)))
    assert sum(results) == 6
    assert await _try(limit, "u2")  # another user's quota is their own
    with pytest.raises(RateLimitedError) as refused:
        await limit.take("u1")
    assert 3500 < refused.value.retry_after <= 3601


async def test_a_refused_request_gives_its_slot_back(database):
    limit = SlidingWindowLimit(database, "generate", 1, timedelta(hours=1))
    for _ in range(5):  # five refusals (e.g. 409: already running) cost nothing
        with pytest.raises(LookupError):
            async with limit.use("u1"):
                raise LookupError("already running")
    async with limit.use("u1"):
        pass  # the one real generation
    with pytest.raises(RateLimitedError):
        async with limit.use("u1"):
            pass


async def test_a_slot_frees_up_when_its_window_has_passed(database):
    limit = SlidingWindowLimit(database, "summary", 1, timedelta(milliseconds=50))
    await limit.take("u1")
    with pytest.raises(RateLimitedError):
        await limit.take("u1")

    async def free_again() -> bool:
        return await _try(limit, "u1")

    await wait_until(free_again, within=5, what="the slot to free up")
