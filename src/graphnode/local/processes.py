"""Start a server as a child process, wait until it answers, stop it and all its children.

Each server runs under a guardian (``graphnode.local.guard``) in a process group of its own:
stopping signals the whole group, and should the starting process die without stopping it
(``kill -9``, a crash), the guardian sees its lifeline pipe close and ends the group itself.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

# Signals that, arriving while servers are being stopped, cut their grace short.
HURRY_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
_POLL_SECONDS = 0.1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def answers_health(url: str) -> bool:
    """True once ``{url}/healthz`` answers 200: how every GraphNode service says it is up."""
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=1) as answer:
            return answer.status == 200
    except OSError:
        return False


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@dataclass
class ServerProcess:
    """One server: ``start()`` returns once ``is_ready()`` is true, or raises with its log."""

    name: str
    argv: Sequence[str]
    log_path: Path
    is_ready: Callable[[], bool]
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    start_timeout: float = 60.0
    process: subprocess.Popen[bytes] | None = None  # the guardian, leader of the group
    _lifeline: int | None = field(default=None, repr=False)  # write end of its pipe

    @property
    def group(self) -> int | None:
        """The process group of the guardian, the server and whatever the server spawns."""
        return None if self.process is None else self.process.pid

    def launch(self) -> None:
        """Start the guardian and the server, without waiting for the server to answer."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        # Both ends close on exec; only the read end is passed on, to the guardian alone,
        # so no other child holds the pipe open after this process has died.
        watch, lifeline = os.pipe()
        try:
            with self.log_path.open("wb") as log:
                self.process = subprocess.Popen(
                    [sys.executable, "-m", "graphnode.local.guard", str(watch), *self.argv],
                    stdin=subprocess.DEVNULL,  # never the launcher's terminal
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env={**os.environ, **self.env},
                    cwd=self.cwd,
                    pass_fds=(watch,),
                    start_new_session=True,
                )
        except BaseException:
            os.close(lifeline)
            raise
        finally:
            os.close(watch)
        self._lifeline = lifeline

    def start(self) -> ServerProcess:
        self.launch()
        assert self.process is not None
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()  # whatever it spawned before it failed
                raise RuntimeError(
                    f"{self.name} exited with {self.process.returncode}:\n{tail(self.log_path)}"
                )
            if self.is_ready():
                return self
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=_POLL_SECONDS)  # returns at once if it exits
        self.stop()
        raise TimeoutError(
            f"{self.name} not ready in {self.start_timeout}s:\n{tail(self.log_path)}"
        )

    def signal_group(self, sig: int) -> None:
        if self.group is not None:
            # The group outlives its leader while a child of the server is still in it.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.group, sig)

    def exited(self) -> bool:
        return self.process is None or self.process.poll() is not None

    def release(self) -> None:
        """Kill what is left of the group and close the lifeline."""
        self.signal_group(signal.SIGKILL)
        if self.process is not None:
            self.process.wait()
        if self._lifeline is not None:
            os.close(self._lifeline)
            self._lifeline = None

    def stop(self, grace: float = 10.0) -> None:
        stop_all([self], grace)


@contextlib.contextmanager
def _hurried_by_signals() -> Iterator[threading.Event]:
    """An event set by SIGINT/SIGTERM/SIGHUP while stopping, instead of their usual effect
    (an exception in the middle of stopping would leave the remaining servers running)."""
    hurry = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield hurry  # signal handlers can only be set from the main thread
        return

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        hurry.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in HURRY_SIGNALS}
    try:
        yield hurry
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def stop_all(processes: Iterable[ServerProcess], grace: float = 10.0) -> None:
    """SIGTERM every group at once, give them ``grace`` seconds together (less if a signal
    arrives meanwhile), then SIGKILL whatever is left, grandchildren included."""
    processes = list(processes)
    with _hurried_by_signals() as hurry:
        for process in processes:
            if not process.exited():
                process.signal_group(signal.SIGTERM)
        deadline = time.monotonic() + grace
        running = [p for p in processes if not p.exited()]
        while running and time.monotonic() < deadline and not hurry.is_set():
            with contextlib.suppress(subprocess.TimeoutExpired):
                assert running[0].process is not None
                running[0].process.wait(timeout=_POLL_SECONDS)
            running = [p for p in running if not p.exited()]
        for process in processes:
            process.release()
