"""Where a task's CPU stages run: a small task in this process's threads, a large one in a
separate process at a lower priority.

The AI service runs many users' tasks in one process. A heavy user's graph spends minutes
in CPU stages (cleaning, UMAP, c-TF-IDF counting, neighbours, layout) that are pure Python
or numba and sklearn code holding the GIL, and whose threads take every core. Run in this
process's threads, they slowed a 30-conversation task beside a 20,000-item one up to 5.3x
(``bench/bench_scale.py``): it waited for the GIL, not only for the cores. In a process of
their own they hold no lock of ours, and at nice 10 the kernel gives the cores to the small
task first: the large task takes what is left, and all of it when it is alone.

The pool has one process, started on first use (``spawn``: this process has torch's threads,
which ``fork`` would copy mid-lock), and kept for the next large task. A stage that needs
this process's own objects (the embedding batcher) cannot cross: only picklable functions
and data are sent, and the vectors and texts travel by pickle (tens of MB at 20,000 items,
well under a second). A worker that dies (killed for memory) fails its stage with a reason
and the next large task starts a fresh process; closing kills a computation under way, so
stopping the service never waits for one.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

log = logging.getLogger("graphnode.ai.cpu")

T = TypeVar("T")

# The background process's nice value: the small tasks' threads here run at 0.
BACKGROUND_NICE = 10


def _lower_priority() -> None:
    """The background process's initializer (a no-op where nice values do not exist)."""
    with contextlib.suppress(AttributeError, OSError):
        os.nice(BACKGROUND_NICE)


class BackgroundStageError(RuntimeError):
    """The background process died under a stage (typically killed for memory)."""


class CpuStages:
    """Runs a blocking stage function for a task of ``items`` items: in a thread when the
    task is smaller than ``background_items`` (or that is 0), else in the background
    process."""

    def __init__(self, background_items: int = 0) -> None:
        self.background_items = background_items
        self._pool: ProcessPoolExecutor | None = None
        self._running = 0  # calls sent to the background process and not yet back

    def in_background(self, items: int) -> bool:
        return 0 < self.background_items <= items

    async def run(self, items: int, function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        if not self.in_background(items):
            return await asyncio.to_thread(function, *args, **kwargs)
        call = functools.partial(function, *args, **kwargs)
        self._running += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor(), call)
        except BrokenProcessPool as exc:
            self._discard()
            raise BackgroundStageError(
                "the background process running a large task's CPU stage stopped "
                "(killed for memory?)"
            ) from exc
        finally:
            self._running -= 1

    def warm_up(self, function: Callable[[], object]) -> None:
        """Start the process now and run ``function`` in it (imports, compiled kernels), so
        the first large task does not pay for them; its failure is only logged."""
        if self.background_items <= 0:
            return
        self._running += 1
        future = self._executor().submit(function)
        future.add_done_callback(self._warmed_up)

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_lower_priority,
            )
        return self._pool

    def _discard(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def _warmed_up(self, future: Any) -> None:
        self._running -= 1
        if future.cancelled():
            return
        error = future.exception()
        if error is not None:
            log.warning("background process warm-up failed", extra={"error": repr(error)})
        else:
            log.info("background process ready")

    def close(self) -> None:
        """Stop the background process: at once when idle, killing a stage under way (its
        task is ending) otherwise."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if self._running == 0:
            pool.shutdown(wait=True)  # an idle process exits on the sentinel at once
            return
        # The executor has no public way to stop a running call; its processes are the only
        # handle, and without this the interpreter's exit would wait for the call to finish.
        processes = list(getattr(pool, "_processes", {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            with contextlib.suppress(Exception):
                process.kill()
