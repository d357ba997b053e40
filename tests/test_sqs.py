"""QueueClient against a real SQS endpoint: long polls, batches, visibility, redrive."""

from __future__ import annotations

import asyncio
import time

import orjson
import pytest

from graphnode.adapters.sqs import QueueClient
from graphnode.messaging.settler import BatchDeleter

pytestmark = pytest.mark.usefixtures("aws")


async def test_long_poll_waits_when_the_queue_is_empty(settings):
    async with QueueClient(settings) as sqs:
        started = time.monotonic()
        messages = await sqs.receive(settings.result_queue, wait_seconds=2)
        waited = time.monotonic() - started
    assert messages == []
    # A long poll holds the request open; a short poll would return at once.
    assert waited >= 1.5


async def test_long_poll_returns_early_when_a_message_arrives(settings):
    async with QueueClient(settings) as sqs:
        started = time.monotonic()
        poll = asyncio.create_task(sqs.receive(settings.result_queue, wait_seconds=20))
        await asyncio.sleep(0.5)  # let the poll reach the server before anything is sent
        await sqs.send(settings.result_queue, b'{"hello": 1}')
        messages = await asyncio.wait_for(poll, timeout=15)
        elapsed = time.monotonic() - started
    assert [m.body for m in messages] == ['{"hello": 1}']
    assert elapsed < 15
    assert messages[0].receive_count == 1


async def test_batch_send_receive_and_batch_delete(settings):
    bodies = [orjson.dumps({"n": n}) for n in range(23)]
    async with QueueClient(settings) as sqs:
        ids = await sqs.send_batch(settings.result_queue, bodies)
        assert len(set(ids)) == 23
        seen: dict[int, str] = {}
        deadline = time.monotonic() + 30
        while len(seen) < 23 and time.monotonic() < deadline:
            for message in await sqs.receive(settings.result_queue, wait_seconds=1):
                seen[orjson.loads(message.body)["n"]] = message.receipt_handle
        assert sorted(seen) == list(range(23))
        failed = await sqs.delete_batch(settings.result_queue, list(seen.values()))
        assert failed == []
        assert await sqs.approximate_depth(settings.result_queue) == 0


async def test_message_attributes_travel(settings):
    async with QueueClient(settings) as sqs:
        await sqs.send(settings.result_queue, "{}", attributes={"reason": "unknown taskType"})
        [message] = await sqs.receive(settings.result_queue, wait_seconds=5)
    assert message.message_attributes == {"reason": "unknown taskType"}


async def test_visibility_hides_and_releases_a_message(settings):
    async with QueueClient(settings) as sqs:
        await sqs.send(settings.result_queue, "x")
        [message] = await sqs.receive(settings.result_queue, wait_seconds=5, visibility_timeout=60)
        assert await sqs.receive(settings.result_queue, wait_seconds=1) == []
        await sqs.change_visibility(settings.result_queue, message.receipt_handle, 0)
        [again] = await sqs.receive(settings.result_queue, wait_seconds=5)
        assert again.message_id == message.message_id
        assert again.receive_count == 2
        assert (
            await sqs.change_visibility_batch(settings.result_queue, [(again.receipt_handle, 0)])
            == []
        )


async def test_bad_receipt_handle_is_reported_not_swallowed(settings):
    async with QueueClient(settings) as sqs:
        failed = await sqs.delete_batch(settings.result_queue, ["not-a-real-receipt-handle"])
    assert failed == ["not-a-real-receipt-handle"]


async def test_redrive_to_dlq_after_max_receive_count(settings, aws):
    async with QueueClient(settings) as sqs:
        assert await sqs.dead_letter_queue_url(settings.result_queue) == aws.result_dlq_url
        await sqs.send(settings.result_queue, "poison")
        receives = 0
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            got = await sqs.receive(settings.result_queue, wait_seconds=1, visibility_timeout=0)
            receives += len(got)
            if not got and receives >= settings.max_receive_count:
                break
        assert receives == settings.max_receive_count
        [dead] = await sqs.receive(aws.result_dlq_url, wait_seconds=5)
    assert dead.body == "poison"


async def test_queue_urls_are_accepted_as_well_as_names(settings, aws):
    async with QueueClient(settings) as sqs:
        assert await sqs.queue_url(settings.request_queue) == aws.request_queue_url
        assert await sqs.queue_url(aws.request_queue_url) == aws.request_queue_url


async def test_the_deleter_batches_per_queue_and_sends_what_waits_when_closed(settings, aws):
    queues = (settings.result_queue, aws.request_queue_url)
    async with QueueClient(settings) as sqs:
        received = []
        for queue in queues:
            await sqs.send_batch(queue, [orjson.dumps({"n": n}) for n in range(3)])
            deadline = time.monotonic() + 30
            mine = []
            while len(mine) < 3 and time.monotonic() < deadline:
                mine += await sqs.receive(queue, wait_seconds=1)
            received += mine
        async with BatchDeleter(sqs, linger_seconds=0.2) as deleter:
            # Closing while the deletes still linger: they are sent, not dropped.
            deletes = [asyncio.create_task(deleter.delete(m)) for m in received]
            await asyncio.sleep(0)
        assert [await d for d in deletes] == [True] * 6
        for queue in queues:
            assert await sqs.approximate_depth(queue) == 0
