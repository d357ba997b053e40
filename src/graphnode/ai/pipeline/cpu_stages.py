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
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

log = logging.getLogger("graphnode.ai.cpu")

T = TypeVar("T")

# The background process's nice value: the small tasks' threads here run at 0.
BACKGROUND_NICE = 10


def _in_background() -> None:
    """The background process's initializer: a lower priority (where nice values exist),
    Ctrl-C left to the service (which stops it when its task is cancelled, instead of a
    second traceback from here), and an exit of its own if the service dies without closing
    it (killed: nothing else would ever tell it, and it would wait on its call queue)."""
    with contextlib.suppress(AttributeError, OSError):
        os.nice(BACKGROUND_NICE)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(
            target=_exit_with, args=(parent,), name="parent-watch", daemon=True
        ).start()


def _exit_with(parent: multiprocessing.process.BaseProcess) -> None:
    parent.join()  # blocks on the parent's sentinel, which is readable once it is gone
    os._exit(1)


class BackgroundStageError(RuntimeError):
    """The background process died under a stage (typically killed for memory)."""


class CpuStages:
    """Runs a blocking stage function for a task of ``items`` items: in a thread when the
    task is smaller than ``background_items`` (or that is 0), else in the background
    process."""

    def __init__(self, background_items: int = 0) -> None:
        self.background_items = background_items
        self.calls_sent = 0  # to the background process, ever (what tests and logs count)
        self._pool: ProcessPoolExecutor | None = None
        self._closed = False
        # Calls sent to the background process and not finished there: a call whose task
        # was cancelled still runs, and closing must kill it rather than wait for it.
        self._pending: set[Future[Any]] = set()

    def in_background(self, items: int) -> bool:
        return not self._closed and 0 < self.background_items <= items

    async def run(self, items: int, function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        if not self.in_background(items):
            return await asyncio.to_thread(function, *args, **kwargs)
        pool, future = self._submit(function, *args, **kwargs)
        try:
            return await asyncio.wrap_future(future)
        except BrokenProcessPool as exc:
            self._recycle(pool)
            raise BackgroundStageError(
                "the background process running a large task's CPU stage stopped "
                "(killed for memory?)"
            ) from exc
        except asyncio.CancelledError:
            # The call runs on for nobody, and the next large task would queue behind it:
            # stop the process, unless other tasks' calls are in it too.
            if not future.done() and self._pending <= {future}:
                self._recycle(pool)
            raise

    def warm_up(self, function: Callable[[], object]) -> None:
        """Start the process now and run ``function`` in it (imports, compiled kernels), so
        the first large task does not pay for them; its failure is only logged."""
        if self.in_background(self.background_items):
            self._submit(function)[1].add_done_callback(_log_warm_up)

    def _submit(
        self, function: Callable[..., T], *args: Any, **kwargs: Any
    ) -> tuple[ProcessPoolExecutor, Future[T]]:
        pool = self._executor()
        try:
            future = pool.submit(function, *args, **kwargs)
        except BrokenProcessPool:  # its process died while idle: the call goes to a new one
            self._recycle(pool)
            pool = self._executor()
            future = pool.submit(function, *args, **kwargs)
        self.calls_sent += 1
        self._pending.add(future)
        future.add_done_callback(self._pending.discard)
        return pool, future

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_in_background,
            )
        return self._pool

    def _recycle(self, pool: ProcessPoolExecutor) -> None:
        """Stop ``pool``'s process (broken already, or killing what it runs), unless another
        call has started a fresh pool since; the next call starts a fresh one."""
        if self._pool is pool:
            self._pool = None
        # The executor has no public way to stop a running call; its processes are the only
        # handle, and without this the interpreter's exit would wait for the call to finish.
        processes = list((getattr(pool, "_processes", None) or {}).values())  # None once shut
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            with contextlib.suppress(Exception):
                process.kill()

    def close(self) -> None:
        """Stop the background process: at once when idle, killing a stage under way (its
        task is ending) otherwise. Stages after this run in threads."""
        self._closed = True
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if not self._pending:
            pool.shutdown(wait=True)  # an idle process exits on the sentinel at once
            return
        self._recycle(pool)


def _log_warm_up(future: Future[Any]) -> None:
    if future.cancelled():
        return
    error = future.exception()
    if error is not None:
        log.warning("background process warm-up failed", extra={"error": repr(error)})
    else:
        log.info("background process ready")
