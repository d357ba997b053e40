"""A server's guardian: ``python -m graphnode.local.guard FD ARGV...`` runs ARGV as its child
and ends the whole process group when the process that started it goes away, however it goes
(Ctrl-C, SIGTERM, ``kill -9``, a crash).

FD is the read end of a pipe whose write end only the starting process holds. The kernel
closes that end when the starter dies, so end-of-file here means nobody is left to stop the
server. A pipe rather than only ``PR_SET_PDEATHSIG`` because the parent-death signal fires
when the parent *thread* that forked exits (a thread pool's worker, say) and reaches only the
direct child, while a server such as LocalStack's shell runner or Chroma's CLI can have
children of its own; they all share this group, and ``killpg`` reaches them.

The server itself gets ``PR_SET_PDEATHSIG`` = SIGKILL towards this guardian (single-threaded,
so the thread caveat does not apply): a guardian killed with ``kill -9`` takes its server along.

Kept to the standard library and quick to start: it runs once per server.
"""

from __future__ import annotations

import ctypes
import os
import select
import signal
import subprocess
import sys
from collections.abc import Sequence

# The server's own grace to shut down cleanly once its starter is gone, before SIGKILL.
GRACE_SECONDS = 5.0
_PR_SET_PDEATHSIG = 1


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """Ask the kernel to send ``sig`` to this process when its parent thread exits."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")


def _exit_code(returncode: int) -> int:
    # A server killed by signal N: the shell's convention, since an exit status is not negative.
    return 128 - returncode if returncode < 0 else returncode


def _end_group(server: subprocess.Popen[bytes], server_exit: int) -> None:
    """The starter is gone: TERM the group, give the server its grace, then KILL the rest."""
    group = os.getpgrp()
    os.killpg(group, signal.SIGTERM)  # this guardian catches it (see guard)
    select.select([server_exit], [], [], GRACE_SECONDS)
    os.killpg(group, signal.SIGKILL)  # grandchildren, a slow server and this guardian


def guard(watch_fd: int, argv: Sequence[str]) -> int:
    # A handler (not SIG_IGN, which exec would pass on): the server gets the default action,
    # while the guardian outlives a group-wide SIGTERM so that it can report the exit status.
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: None)
    try:
        server = subprocess.Popen(list(argv), preexec_fn=die_with_parent)
    except OSError as exc:
        print(f"guard: cannot start {argv[0]}: {exc}", file=sys.stderr)
        return 127
    server_exit = os.pidfd_open(server.pid)
    while True:
        ready, _, _ = select.select([watch_fd, server_exit], [], [])
        if server_exit in ready:
            return _exit_code(server.wait())
        if not os.read(watch_fd, 1):  # end of file: the starter has died
            _end_group(server, server_exit)
            return _exit_code(server.wait())


def main() -> int:
    if len(sys.argv) < 3:
        print("usage: python -m graphnode.local.guard FD COMMAND [ARG...]", file=sys.stderr)
        return 2
    return guard(int(sys.argv[1]), sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
