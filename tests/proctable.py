"""Which processes are alive, read from /proc: for tests that must prove nothing is left running.

Two ways to find what a test started, even after it was orphaned (re-parented to PID 1):
* a marker in the environment (`marker_env`): a process started with it passes it to every
  process it forks (the environment block is copied by fork), so `marked(mark)` finds the
  command, its workers and their own children, wherever they were re-parented;
* a record made by the process itself (`record`, from inside a child the test runs): its pid
  and start time, so that `alive(records)` is not fooled by a reused pid.
Zombies (exited, waiting to be reaped) do not count as running, except as children of this
process, which must reap its own (`unreaped_children`).
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path

MARK = "ECOMSHEETS_FAULT_MARK"


def _stat(pid: int | str) -> tuple[int, str, int, int] | None:
    """(ppid, state, pgid, start time in clock ticks) of a process, or None if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return None
    fields = raw[raw.rindex(b")") + 2 :].split()
    return int(fields[1]), fields[0].decode(), int(fields[2]), int(fields[19])


def table() -> dict[int, tuple[int, str, int, int]]:
    out = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = _stat(name)
            if st is not None:
                out[int(name)] = st
    return out


def marker_env(**extra) -> tuple[str, dict[str, str]]:
    """A fresh marker and an environment carrying it (and the extra variables)."""
    mark = uuid.uuid4().hex
    return mark, {**os.environ, MARK: mark, **extra}


def marked(mark: str) -> dict[int, tuple[int, str, int, int]]:
    """Every running (not zombie) process whose environment carries `mark`."""
    needle = f"{MARK}={mark}".encode() + b"\0"
    out = {}
    for pid, st in table().items():
        if st[1] in "ZX":
            continue
        try:
            env = Path(f"/proc/{pid}/environ").read_bytes()
        except OSError:
            continue
        if needle in env:
            out[pid] = st
    return out


def wait_unmarked(mark: str, seconds: float = 5.0) -> dict:
    """Wait (boundedly) for every process carrying `mark` to end; what is still running."""
    until = time.monotonic() + seconds
    while True:
        left = marked(mark)
        if not left or time.monotonic() > until:
            return left
        time.sleep(0.02)


def kill_marked(mark: str) -> None:
    """Clean-up after a failed test: nothing it started may outlive it."""
    for pid in marked(mark):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def record(log: Path) -> None:
    """Called inside a child: append "pid start-time" to `log`."""
    st = _stat("self")
    with open(log, "a") as fh:
        fh.write(f"{os.getpid()} {st[3]}\n")


def records(log: Path) -> list[tuple[int, int]]:
    if not Path(log).exists():
        return []
    return [tuple(map(int, line.split())) for line in Path(log).read_text().splitlines() if line.strip()]


def alive(recs: list[tuple[int, int]]) -> list[int]:
    """The recorded processes still running (same pid and start time, not a zombie)."""
    out = []
    for pid, start in recs:
        st = _stat(pid)
        if st is not None and st[3] == start and st[1] not in "ZX":
            out.append(pid)
    return out


def wait_dead(recs: list[tuple[int, int]], seconds: float = 5.0) -> list[int]:
    until = time.monotonic() + seconds
    while True:
        left = alive(recs)
        if not left or time.monotonic() > until:
            return left
        time.sleep(0.02)


def wait_records(log: Path, n: int, seconds: float = 10.0) -> list[tuple[int, int]]:
    until = time.monotonic() + seconds
    while len(recs := records(log)) < n and time.monotonic() < until:
        time.sleep(0.01)
    return recs


def descendants(root: int | None = None) -> dict[int, tuple[int, str, int, int]]:
    """Every process (zombies too) whose parent chain leads to `root` (default: this process)."""
    root = os.getpid() if root is None else root
    procs = table()
    out = {}
    for pid, st in procs.items():
        seen, parent = set(), st[0]
        while parent and parent not in seen:
            if parent == root:
                out[pid] = st
                break
            seen.add(parent)
            parent = procs.get(parent, (0,))[0]
    return out


def unreaped_children() -> dict[int, tuple[int, str, int, int]]:
    return descendants()


def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))
