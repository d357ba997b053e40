"""A large task's CPU stages run in a background process at a lower priority: the same graph
comes back, a failure there is the task's failure with its reason, and stopping never waits
for a computation under way."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
import time

import pytest

from graphnode.ai.pipeline.cpu_stages import BACKGROUND_NICE, BackgroundStageError, CpuStages
from graphnode.ai.pipeline.keywords import ClassTfidfKeywords
from graphnode.ai.pipeline.runner import EmptyInputError, PipelineOptions


@pytest.fixture
async def background():
    cpu = CpuStages(background_items=10)
    yield cpu
    cpu.close()


async def test_a_large_task_runs_in_another_process_at_a_lower_priority(background):
    here = os.getpid()
    assert await background.run(9, os.getpid) == here  # a small task stays in this process
    there = await background.run(10, os.getpid)
    assert there != here
    assert await background.run(10, os.getpid) == there  # one process, kept for the next
    if hasattr(os, "nice"):
        assert await background.run(10, os.nice, 0) == min(os.nice(0) + BACKGROUND_NICE, 19)


async def test_a_background_process_that_died_while_idle_is_replaced(background):
    first = await background.run(10, os.getpid)
    os.kill(first, signal.SIGKILL)  # the kernel's OOM killer, say, between two tasks
    await _gone(first)
    await asyncio.sleep(0.5)  # the pool notices its process is gone
    assert await background.run(10, os.getpid) not in (first, os.getpid())


async def test_a_stage_failure_comes_back_as_itself(background):
    with pytest.raises(EmptyInputError, match="nothing here"):
        await background.run(10, _refuse, "nothing here")


async def test_a_dead_background_process_fails_the_stage_and_the_next_starts_afresh(background):
    first = await background.run(10, os.getpid)
    with pytest.raises(BackgroundStageError, match="stopped"):
        await background.run(10, os._exit, 3)
    assert await background.run(10, os.getpid) not in (first, os.getpid())


async def test_closing_kills_a_stage_under_way_instead_of_waiting_for_it():
    cpu = CpuStages(background_items=1)
    pid = await cpu.run(1, os.getpid)
    stage = asyncio.ensure_future(cpu.run(1, time.sleep, 600))
    await asyncio.sleep(0.5)
    cpu.close()
    with pytest.raises(BackgroundStageError):
        await asyncio.wait_for(stage, 30)  # bounded: a hang fails here instead of the run
    await _gone(pid)


async def test_a_cancelled_task_leaves_no_computation_behind():
    """The call its cancelled task left would hold the process for nobody: it is stopped,
    and the next large task gets a fresh process at once."""
    cpu = CpuStages(background_items=1)
    try:
        pid = await cpu.run(1, os.getpid)
        stage = asyncio.ensure_future(cpu.run(1, time.sleep, 600))
        await asyncio.sleep(0.5)
        stage.cancel()
        with pytest.raises(asyncio.CancelledError):
            await stage
        await _gone(pid)
        assert await asyncio.wait_for(cpu.run(1, os.getpid), 60) != pid
    finally:
        cpu.close()


async def _gone(pid: int) -> None:
    for _ in range(100):
        if not _alive(pid):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"background process {pid} still running")


async def test_closing_an_idle_background_process_lets_it_exit():
    cpu = CpuStages(background_items=1)
    pid = await cpu.run(1, os.getpid)
    cpu.close()  # nothing under way: it is asked to exit, not killed
    assert not _alive(pid)
    assert await cpu.run(0, os.getpid) == os.getpid()  # a small task needs no process


def _refuse(reason: str) -> None:
    raise EmptyInputError(reason)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # reaped or a zombie: gone either way
        return stat.read().split()[2] != "Z"


async def test_the_graph_is_the_same_whichever_process_ran_its_stages(
    keyword_pipeline, sample_documents, sample_graph
):
    """The sample export with every CPU stage in the background: node for node, edge for
    edge, the graph the threads built."""
    cpu = CpuStages(background_items=1)
    try:
        pipeline = dataclasses.replace(
            keyword_pipeline.pipeline,
            cpu=cpu,
            keywords=ClassTfidfKeywords(encoder=keyword_pipeline.batcher, cpu=cpu),
        )
        moved = await pipeline.run(sample_documents, PipelineOptions())
    finally:
        cpu.close()
    # Cleaning (one batch), clustering, keyword counting, edges, subtopics, layout.
    assert cpu.calls_sent == 6
    fields = ("orig_id", "cluster_id", "cluster_name", "keywords", "x", "y")
    assert [[n[f] for f in fields] for n in moved.graph["nodes"]] == [
        [n[f] for f in fields] for n in sample_graph.graph["nodes"]
    ]
    assert moved.graph["edges"] == sample_graph.graph["edges"]
    assert moved.summary["clusters"] == sample_graph.summary["clusters"]
