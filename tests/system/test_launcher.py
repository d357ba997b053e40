"""``make run``'s launcher as an operating-system process: Ctrl-C, SIGTERM and ``kill -9`` at
different moments leave no process behind, grandchildren of a server included.

Every process the launcher starts, however deep and wherever the kernel reparents it, is
found by a marker in its environment (inherited at every exec), so "no process left" is
checked on the real process table, with a deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import textwrap
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
EXPORT = ROOT / "tests" / "ai" / "fixtures" / "chatgpt_conversations.json"  # 3 conversations
MARK = "GRAPHNODE_LAUNCHER_TEST"
# Stopping: 5 s of grace for the servers together (stack.STOP_GRACE_SECONDS), plus slack for
# two shared cores; "within seconds", well short of the 30 s the worker's drain once took.
STOP_WITHIN = 20.0
# A kill -9 of the launcher: the guardians see their pipe close, then give 5 s of grace.
ORPHANS_GONE_WITHIN = 20.0


def marked_processes(mark: str) -> set[int]:
    """Pids of the live (not zombie) processes whose environment carries ``mark``."""
    needle = f"{MARK}={mark}".encode()
    found = set()
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            environ = Path(entry.path, "environ").read_bytes()
            state = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue  # it ended while we looked
        if state != "Z" and needle in environ.split(b"\0"):
            found.add(int(entry.name))
    return found


class Marked:
    """A process started in a session of its own (as a terminal's foreground job is), with
    the marker set, its output collected line by line."""

    def __init__(self, process: asyncio.subprocess.Process, mark: str) -> None:
        self.process, self.mark = process, mark
        self.lines: list[str] = []
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process.stdout is not None
        async for raw in self.process.stdout:
            self.lines.append(raw.decode(errors="replace"))

    @property
    def output(self) -> str:
        return "".join(self.lines)

    async def wait_for_output(self, text: str, within: float) -> None:
        async def seen() -> bool:
            if text in self.output:
                return True
            if self.process.returncode is not None:
                raise AssertionError(f"exited {self.process.returncode}:\n{self.output}")
            return False

        await wait_until(seen, within=within, what=f"{text!r} in the output")

    def descendants(self) -> set[int]:
        return marked_processes(self.mark) - {self.process.pid}

    async def none_left(self, within: float) -> None:
        async def gone() -> bool:
            return not marked_processes(self.mark)

        await wait_until(gone, within=within, what=f"no process left ({self.descendants()})")

    async def exit_code(self, within: float) -> int:
        return await asyncio.wait_for(self.process.wait(), within)

    async def close(self) -> None:
        """Whatever a failed test left: kill it all (by the marker) and reap the launcher."""
        for pid in marked_processes(self.mark):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        await self.process.wait()
        await self._reader


@contextlib.asynccontextmanager
async def marked(*argv: str, env: dict[str, str] | None = None) -> AsyncIterator[Marked]:
    mark = uuid.uuid4().hex
    process = await asyncio.create_subprocess_exec(
        *argv,
        stdin=asyncio.subprocess.PIPE,  # open as a terminal's would be; nothing is sent
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={**os.environ, **(env or {}), MARK: mark, "PYTHONUNBUFFERED": "1"},
        cwd=ROOT,
        start_new_session=True,
    )
    started = Marked(process, mark)
    try:
        yield started
    finally:
        await started.close()


def launcher(data: Path, *args: str) -> contextlib.AbstractAsyncContextManager[Marked]:
    # Names by keywords: the local LLM would take 16 s more to load, for nothing tested here.
    env = {"GRAPHNODE_LLM_BACKEND": "keywords", "GRAPHNODE_AI_WAIT_SECONDS": "1"}
    return marked(sys.executable, "-m", "graphnode.local", "--data", str(data), *args, env=env)


def ctrl_c(started: Marked) -> None:
    """What a terminal does on Ctrl-C: SIGINT to the foreground process group."""
    os.killpg(started.process.pid, signal.SIGINT)


def sigterm(started: Marked) -> None:
    started.process.send_signal(signal.SIGTERM)


@pytest.mark.parametrize(("stop", "code"), [(ctrl_c, 130), (sigterm, 143)])
async def test_a_stop_signal_while_the_services_start_stops_everything(stop, code, tmp_path):
    async with launcher(tmp_path / "run") as started:
        # The backends are up and the AI service is loading its model.
        await started.wait_for_output("starting the ai service", within=120)
        assert len(started.descendants()) >= 6, started.output  # 3 servers and their guards
        stop(started)
        assert await started.exit_code(within=STOP_WITHIN) == code, started.output
        await started.none_left(within=5)
        assert "stopped everything" in started.output


async def test_kill_9_of_the_launcher_takes_every_server_with_it(tmp_path):
    async with launcher(tmp_path / "run") as started:
        await started.wait_for_output("starting the ai service", within=120)
        assert len(started.descendants()) >= 6, started.output
        started.process.kill()
        assert await started.exit_code(within=5) == -signal.SIGKILL
        await started.none_left(within=ORPHANS_GONE_WITHIN)


async def test_ctrl_c_while_waiting_then_a_second_run_on_the_same_data_ends_like_the_first(
    tmp_path,
):
    data = tmp_path / "run"
    async with launcher(data, str(EXPORT)) as first:
        await first.wait_for_output("generating the graph", within=170)
        assert len(first.descendants()) >= 12, first.output  # 6 servers, 6 guards
        ctrl_c(first)
        assert await first.exit_code(within=STOP_WITHIN) == 130, first.output
        await first.none_left(within=5)
    # The servers restart on the data kept; the task the first run left open is ended.
    async with launcher(data, str(EXPORT)) as second:
        await second.wait_for_output("serving until Ctrl-C", within=170)
        assert "imported chatgpt_conversations.json: 0 new, 3 unchanged" in second.output
        assert "your export's graph belongs to user 'export-chatgpt-conversations-" in (
            second.output
        )
        assert "3 conversations" in second.output  # the export alone, no sample
        sigterm(second)
        assert await second.exit_code(within=STOP_WITHIN) == 143, second.output
        await second.none_left(within=5)


# A server that starts a child of its own, from a thread that then ends (the parent-death
# signal alone would fire there), then a kill -9 of the process that started it.
SERVER_WITH_A_CHILD = textwrap.dedent(
    """
    import subprocess, sys, threading
    from pathlib import Path
    from graphnode.local.processes import ServerProcess

    child = "import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', " \\
        "'import time; time.sleep(600)']); time.sleep(600)"
    server = ServerProcess("sleeper", [sys.executable, "-c", child], Path(sys.argv[1]),
                           is_ready=lambda: True)
    starter = threading.Thread(target=server.start)
    starter.start()
    starter.join()
    print("started", flush=True)
    sys.stdin.read()
    """
)


async def test_a_server_and_its_children_die_with_the_process_that_started_them(tmp_path):
    async with marked(sys.executable, "-c", SERVER_WITH_A_CHILD, str(tmp_path / "log")) as parent:
        await parent.wait_for_output("started", within=30)

        async def all_three() -> bool:  # the guard, the server and the server's child
            return len(parent.descendants()) == 3

        await wait_until(all_three, within=10, what="the server's child")
        parent.process.kill()
        await parent.none_left(within=ORPHANS_GONE_WITHIN)
