"""Parse uploaded files in worker processes, each file within a time limit.

Parsing is CPU-bound Python and regex work, and a regex holds the GIL for as long as it
runs, so a thread cannot keep an event loop answering while one file is parsed: the work
runs in other interpreters. A file that takes longer than its limit fails alone with
``ParseTimeoutError``; the process stuck on it is killed and the pool replaced, and files
that were parsing in the replaced pool's other processes are parsed again in the new one.

By default a worker spools the documents it parses to disk and returns a small
``SpooledReport``: pickling every document of a large export back to the API would hold
the whole export in both processes.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, ProcessPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Generic, TypeVar

from graphnode.ingest.parse import ParseError, spool_path_report

log = logging.getLogger("graphnode.ingest.pool")

# A file whose parse broke its process pool (another file's timeout, or a crash) is tried
# once more in the fresh pool; a second break is blamed on the file itself.
_ATTEMPTS = 2
_MEGABYTE = 1024 * 1024

ReportT = TypeVar("ReportT")
# (where the file lies, what it is called) -> what the worker found in it
ParseFunction = Callable[[str, str], ReportT]


class ParseTimeoutError(ParseError):
    """A file took longer to parse than its limit allows."""

    def __init__(self, file: str, seconds: float) -> None:
        super().__init__(
            file,
            f"took longer than {seconds:.3g} s to parse; it was stopped (nothing was imported)",
        )
        self.seconds = seconds


def _ready() -> None:
    """Runs in each new worker, so a file's time limit never counts a process start."""


def _retrieve(future: asyncio.Future[list[None]]) -> None:
    if not future.cancelled():
        future.exception()


class ParsePool(Generic[ReportT]):
    """At most ``workers`` files parsed at once, each in a worker process.

    A file may take ``seconds`` plus ``seconds_per_mb`` for each megabyte of it: a large
    export legitimately takes longer than a note. ``parse`` is the function run in the
    workers; it must be importable by name (tests pass their own), and is
    ``spool_path_report`` unless given.
    """

    def __init__(
        self,
        workers: int,
        seconds: float,
        seconds_per_mb: float = 1.0,
        parse: ParseFunction[ReportT] = spool_path_report,  # type: ignore[assignment]
    ) -> None:
        self._workers = workers
        self._seconds = seconds
        self._seconds_per_mb = seconds_per_mb
        self._parse = parse
        self._slots = asyncio.Semaphore(workers)
        self._executor: ProcessPoolExecutor | None = None
        self._warm: asyncio.Future[list[None]] | None = None

    async def __aenter__(self) -> ParsePool[ReportT]:
        self._start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._executor is not None:
            self._stop(self._executor)
            self._executor = None

    def limit_for(self, size: int) -> float:
        """The seconds a file of ``size`` bytes may take to parse."""
        return self._seconds + self._seconds_per_mb * size / _MEGABYTE

    async def parse(self, path: Path, name: str, size: int) -> ReportT:
        """The report of the file at ``path`` (``size`` bytes); past its limit a
        ``ParseTimeoutError`` names it as ``name``."""
        limit = self.limit_for(size)
        async with self._slots:
            for _ in range(_ATTEMPTS):
                executor, warm = self._current()
                try:
                    await warm
                    future = asyncio.get_running_loop().run_in_executor(
                        executor, self._parse, str(path), name
                    )
                    return await asyncio.wait_for(future, limit)
                except TimeoutError:
                    log.warning("parse timed out", extra={"file": name, "seconds": limit})
                    self._replace(executor)
                    raise ParseTimeoutError(name, limit) from None
                except BrokenExecutor:
                    self._replace(executor)
        raise ParseError(name, "could not be parsed: the parser stopped while reading it")

    def _current(self) -> tuple[ProcessPoolExecutor, asyncio.Future[list[None]]]:
        if self._executor is None or self._warm is None:
            raise RuntimeError("ParsePool is used outside its 'async with' block")
        return self._executor, self._warm

    def _start(self) -> None:
        # forkserver, not fork: the API process has threads (database drivers, the resolver),
        # and forking a process with threads can copy a lock that is held.
        context = multiprocessing.get_context("forkserver")
        self._executor = ProcessPoolExecutor(self._workers, mp_context=context)
        loop = asyncio.get_running_loop()
        # One start-up call per worker while none is idle starts every worker now.
        self._warm = asyncio.gather(
            *(loop.run_in_executor(self._executor, _ready) for _ in range(self._workers))
        )
        # A pool replaced before anyone awaited its start-up must not log an unretrieved error.
        self._warm.add_done_callback(_retrieve)

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        """A fresh pool instead of ``broken``, unless another file has replaced it already."""
        if broken is not self._executor:
            return
        self._stop(broken)
        self._start()

    @staticmethod
    def _stop(executor: ProcessPoolExecutor) -> None:
        # shutdown() leaves a running task's process alone (Python 3.14 adds
        # terminate_workers() for this), so the pool's processes are killed by hand; the
        # pool then fails its other running tasks with BrokenProcessPool, which retries them.
        processes = list((getattr(executor, "_processes", None) or {}).values())
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.kill()
