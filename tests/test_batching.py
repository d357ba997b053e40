"""The generic micro-batcher's logic with stand-in batch functions.

A counter stands in for the model call (``model.generate``, ``SentenceModel.encode``) so the
tests can say exactly how many batched calls were made.
"""

from __future__ import annotations

import asyncio

import pytest

from graphnode.batching import BatcherBusyError, BatcherClosedError, BatcherError, MicroBatcher


class CountingBatch:
    """Records every batch; optionally holds each batch until ``release`` is set."""

    def __init__(self, *, hold: bool = False) -> None:
        self.batches: list[list[str]] = []
        self.release = asyncio.Event()
        self.started = asyncio.Event()
        if not hold:
            self.release.set()

    async def __call__(self, items: list[str]) -> list[str]:
        self.batches.append(list(items))
        self.started.set()
        await self.release.wait()
        return [item.upper() for item in items]


async def test_concurrent_submits_become_one_batch() -> None:
    run = CountingBatch()
    batcher = MicroBatcher(run, max_batch_size=8, max_wait_s=0.05)
    try:
        results = await asyncio.gather(*(batcher.submit(word) for word in ["a", "b", "c", "d"]))
    finally:
        await batcher.close()
    assert results == ["A", "B", "C", "D"]
    assert run.batches == [["a", "b", "c", "d"]]
    assert (batcher.batches_run, batcher.items_run) == (1, 4)


async def test_batches_never_exceed_max_batch_size() -> None:
    run = CountingBatch()
    batcher = MicroBatcher(run, max_batch_size=3, max_wait_s=0.05)
    try:
        results = await asyncio.gather(*(batcher.submit(str(n)) for n in range(7)))
    finally:
        await batcher.close()
    assert results == [str(n) for n in range(7)]
    assert [len(batch) for batch in run.batches] == [3, 3, 1]


async def test_items_with_different_keys_never_share_a_batch() -> None:
    run = CountingBatch()
    batcher = MicroBatcher(run, max_wait_s=0.05, batch_key=lambda item: item[0])
    try:
        await asyncio.gather(*(batcher.submit(item) for item in ["x1", "y1", "x2", "y2"]))
    finally:
        await batcher.close()
    assert sorted(run.batches) == [["x1", "x2"], ["y1", "y2"]]


async def test_requests_arriving_during_a_batch_form_the_next_one() -> None:
    run = CountingBatch(hold=True)
    batcher = MicroBatcher(run, max_wait_s=0.01)
    try:
        first = asyncio.create_task(batcher.submit("first"))
        await asyncio.wait_for(run.started.wait(), 5)
        later = [asyncio.create_task(batcher.submit(word)) for word in ["b", "c", "d"]]
        await asyncio.sleep(0)  # let the three tasks enqueue before the batch finishes
        run.release.set()
        assert await first == "FIRST"
        assert await asyncio.gather(*later) == ["B", "C", "D"]
    finally:
        await batcher.close()
    assert run.batches == [["first"], ["b", "c", "d"]]


async def test_a_failing_batch_fails_its_callers_and_the_batcher_goes_on() -> None:
    calls = 0

    async def flaky(items: list[str]) -> list[str]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("model crashed")
        return items

    batcher = MicroBatcher(flaky, max_wait_s=0.05)
    try:
        outcomes = await asyncio.gather(
            *(batcher.submit(word) for word in ["a", "b"]), return_exceptions=True
        )
        assert [type(outcome) for outcome in outcomes] == [RuntimeError, RuntimeError]
        assert await batcher.submit("c") == "c"
    finally:
        await batcher.close()


async def test_a_wrong_number_of_results_is_an_error_not_a_hang() -> None:
    async def short(items: list[str]) -> list[str]:
        return items[:1]

    batcher = MicroBatcher(short, max_wait_s=0.05)
    try:
        with pytest.raises(BatcherError, match="returned 1"):
            await asyncio.gather(batcher.submit("a"), batcher.submit("b"))
    finally:
        await batcher.close()


async def test_a_cancelled_caller_is_left_out_of_its_batch() -> None:
    run = CountingBatch(hold=True)
    batcher = MicroBatcher(run, max_wait_s=0.01)
    try:
        first = asyncio.create_task(batcher.submit("first"))
        await asyncio.wait_for(run.started.wait(), 5)
        gone = asyncio.create_task(batcher.submit("gone"))
        kept = asyncio.create_task(batcher.submit("kept"))
        await asyncio.sleep(0)
        gone.cancel()
        run.release.set()
        assert await kept == "KEPT"
        await first
    finally:
        await batcher.close()
    assert gone.cancelled()
    assert run.batches == [["first"], ["kept"]]


async def test_a_full_queue_refuses_with_busy() -> None:
    run = CountingBatch(hold=True)
    batcher = MicroBatcher(run, max_wait_s=0.01, max_pending=1)
    try:
        running = asyncio.create_task(batcher.submit("running"))
        await asyncio.wait_for(run.started.wait(), 5)
        waiting = asyncio.create_task(batcher.submit("waiting"))
        await asyncio.sleep(0)
        with pytest.raises(BatcherBusyError):
            await batcher.submit("one too many")
        run.release.set()
        assert await asyncio.gather(running, waiting) == ["RUNNING", "WAITING"]
    finally:
        await batcher.close()


async def test_close_fails_waiting_callers_and_refuses_new_ones() -> None:
    run = CountingBatch(hold=True)
    batcher = MicroBatcher(run, max_wait_s=0.01)
    running = asyncio.create_task(batcher.submit("running"))
    await asyncio.wait_for(run.started.wait(), 5)
    waiting = asyncio.create_task(batcher.submit("waiting"))
    await asyncio.sleep(0)
    await batcher.close()
    await batcher.close()  # twice is fine
    for task in (running, waiting):
        with pytest.raises(BatcherClosedError):
            await task
    with pytest.raises(BatcherClosedError, match="closed"):
        await batcher.submit("late")
    assert not batcher.is_running


async def test_a_draining_close_runs_what_waits_and_refuses_new_ones() -> None:
    run = CountingBatch(hold=True)
    batcher = MicroBatcher(run, max_batch_size=2, max_wait_s=0.01)
    running = asyncio.create_task(batcher.submit("running"))
    await asyncio.wait_for(run.started.wait(), 5)
    waiting = [asyncio.create_task(batcher.submit(item)) for item in ("a", "b", "c")]
    await asyncio.sleep(0)
    closing = asyncio.create_task(batcher.close(drain=True))
    await asyncio.sleep(0.05)
    with pytest.raises(BatcherClosedError):
        await batcher.submit("late")
    assert not closing.done()  # it waits for the running batch and the waiting ones
    run.release.set()
    await asyncio.wait_for(closing, 5)
    assert [await task for task in (running, *waiting)] == ["RUNNING", "A", "B", "C"]
    assert run.batches == [["running"], ["a", "b"], ["c"]]
    assert not batcher.is_running


async def test_submit_many_fills_batches_in_order_across_callers() -> None:
    run = CountingBatch()
    batcher = MicroBatcher(run, max_batch_size=4, max_wait_s=0.05, max_pending=None)
    try:
        big = batcher.submit_many([f"a{n}" for n in range(6)])
        small = batcher.submit_many(["b0", "b1"])
        assert await asyncio.gather(*big, *small) == [f"A{n}" for n in range(6)] + ["B0", "B1"]
    finally:
        await batcher.close()
    # A large request spans batches; the next caller's items share its last one.
    assert run.batches == [["a0", "a1", "a2", "a3"], ["a4", "a5", "b0", "b1"]]


async def test_cancelled_futures_from_submit_many_are_skipped() -> None:
    run = CountingBatch()
    batcher = MicroBatcher(run, max_batch_size=8, max_wait_s=0.05)
    try:
        futures = batcher.submit_many(["keep", "drop", "also"])
        futures[1].cancel()
        assert await asyncio.gather(futures[0], futures[2]) == ["KEEP", "ALSO"]
    finally:
        await batcher.close()
    assert run.batches == [["keep", "also"]]


async def test_a_request_larger_than_max_pending_is_refused_whole() -> None:
    run = CountingBatch()
    batcher = MicroBatcher(run, max_pending=3)
    try:
        with pytest.raises(BatcherBusyError):
            batcher.submit_many(["a", "b", "c", "d"])
        assert batcher.pending == 0
    finally:
        await batcher.close()
