"""Peak resident memory of this process while some work runs, for the benches.

``MemoryWatch`` samples the resident set from ``/proc/self/statm`` in a thread (every 20 ms),
with that of this process's multiprocessing children (the background process of a large
task's CPU stages, ``graphnode.ai.pipeline.cpu_stages``),
and keeps the peak per named phase, so one run can report the peak of each stage, or of our
pipeline and of BERTopic measured one after the other. ``release_freed_memory`` hands the
C heap's freed pages back to the system first (glibc's ``malloc_trim``), so that what one
phase freed is not counted as the next phase's baseline nor hidden from its peak.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import threading

PAGE = os.sysconf("SC_PAGE_SIZE")
SAMPLE_S = 0.02
MB = 2**20


def _resident(pid: str) -> int:
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * PAGE
    except (FileNotFoundError, ProcessLookupError, IndexError):  # it ended meanwhile
        return 0


def resident_bytes() -> int:
    """This process's resident set and its multiprocessing children's."""
    children = multiprocessing.active_children()
    return _resident("self") + sum(_resident(str(child.pid)) for child in children)


def release_freed_memory() -> None:
    """glibc keeps freed small blocks in its heap; ``malloc_trim(0)`` returns them (a no-op
    where the C library is not glibc)."""
    name = ctypes.util.find_library("c")
    library = ctypes.CDLL(name) if name else None
    trim = getattr(library, "malloc_trim", None)
    if trim is not None:
        trim(0)


class MemoryWatch:
    """Samples the resident set in a thread; set ``phase`` to name where the samples go."""

    def __init__(self, phase: str = "before") -> None:
        self.phase = phase
        self.peaks: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="memory-watch", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_S):
            now = resident_bytes()
            self.peaks[self.phase] = max(self.peaks.get(self.phase, 0), now)

    def peak_mb(self, phase: str) -> int:
        return round(self.peaks.get(phase, 0) / MB)

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


class PhasePeak:
    """The peak resident memory above the start of one phase of a running ``MemoryWatch``:
    ``with PhasePeak(watch, "ours") as peak: ...`` then ``peak.above_start_mb``."""

    def __init__(self, watch: MemoryWatch, phase: str) -> None:
        self.watch, self.phase = watch, phase
        self.start = 0
        self.above_start_mb = 0

    def __enter__(self) -> PhasePeak:
        release_freed_memory()
        self.start = resident_bytes()
        self.watch.phase = self.phase
        return self

    def __exit__(self, *_: object) -> None:
        self.watch.phase = "between"
        peak = max(self.watch.peaks.get(self.phase, 0), resident_bytes())
        self.above_start_mb = round((peak - self.start) / MB)
