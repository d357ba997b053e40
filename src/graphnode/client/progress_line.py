"""One clean progress line: ``[#####.....]  42.0% Embedding ~31s left``.

In a terminal it redraws itself in place; written to a file or a pipe (a log, a test) it
prints one line per stage instead, so the output stays readable there too.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

BAR_WIDTH = 30
# Redraws of the same stage closer than this are skipped (a GPU reports many per second).
REDRAW_SECONDS = 0.1


def render(percent: float, stage: str, eta_seconds: float | None = None) -> str:
    percent = min(100.0, max(0.0, percent))
    filled = round(BAR_WIDTH * percent / 100)
    tail = f" ~{eta_seconds:.0f}s left" if eta_seconds is not None and eta_seconds > 0 else ""
    return f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {percent:5.1f}% {stage}{tail}"


class ProgressLine:
    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream  # None: sys.stderr at the time of writing
        self._stage: str | None = None
        self._width = 0
        self._drawn_at = float("-inf")

    @property
    def stream(self) -> TextIO:
        return self._stream or sys.stderr

    def show(
        self, percent: float, stage: str, eta_seconds: float | None = None, *, last: bool = False
    ) -> None:
        """Draw the line; ``last`` ends it (the next output starts on a line of its own)."""
        now = time.monotonic()
        same_stage = stage == self._stage
        if same_stage and not last and now - self._drawn_at < REDRAW_SECONDS:
            return
        text = render(percent, stage, eta_seconds)
        if self.stream.isatty():
            # Pad over the rest of a longer previous line.
            end = "\n" if last else ""
            print(f"\r{text:<{self._width}}", end=end, file=self.stream, flush=True)
            self._width = 0 if last else max(self._width, len(text))
        elif not same_stage or last:
            print(text, file=self.stream, flush=True)
        self._stage, self._drawn_at = (None if last else stage), now
