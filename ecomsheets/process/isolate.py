"""Run the parsing of an untrusted file in a child process, so that nothing in it can take
the calling process down: the Rust reader aborts the whole process on some crafted files
(zip bombs, a cell at XFD1048576, a 100M-character string). The child gets a memory limit
and a time limit; a crash, a memory overrun or a timeout becomes a finding.

Several files are read by several children at once (one per core). Every fork happens in
the calling thread, which then waits on all the children together. How a child is kept from
hanging or outliving the command (see `lifeline` for the details):

* Each child has a pipe of its own for its result, and only its own: the parent closes the
  write end, the child closes the parent's ends of its siblings' pipes, and the child's own
  children (the reader's XML scan) close the child's. The parent reads every pipe as data
  arrives, so a result of any size never blocks its writer.
* The parent also watches each child's death directly (a Linux pidfd; elsewhere, a poll with
  waitid every 50 ms): a crash is seen at once and reported as `parser_crashed`, whatever its
  own children still hold open.
* Each child leads a process group of its own; a child that finished, crashed or timed out
  gets its whole group killed (the scan with it) before it is reaped.
* A child dies with its parent even if the parent is killed with SIGKILL (parent-death
  signal), and so do its own children; SIGINT/SIGTERM in the command line kill every group
  at once (`lifeline.guard`). If the caller stops iterating or an exception passes through
  (Ctrl-C), every running child is killed and reaped before it goes on.
"""

from __future__ import annotations

import contextlib
import errno
import math
import os
import pickle
import resource
import select
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ecomsheets.findings import ERROR, Finding, finding
from ecomsheets.process import lifeline

_HEADER = struct.Struct("<Q")  # the length of the pickled result, before it
_CHUNK = 1 << 20
_POLL_WITHOUT_PIDFD = 0.05  # seconds between checks for a death where pidfds are missing
_DRAIN_SECONDS = 5.0  # after a child's group is killed, its pipe reaches EOF at once; at most this


@dataclass(frozen=True)
class ProcessLimits:
    memory_bytes: int = 8 * 2**30  # address space of one child; ~1 GiB per 1M rows is typical
    seconds: float = 600.0
    workers: int = max(1, min(os.cpu_count() or 1, 4))


class Failed(Exception):
    """The child could not finish: `finding` says why, in the user's terms."""

    def __init__(self, found: Finding):
        super().__init__(found.message)
        self.finding = found


# --- the child ------------------------------------------------------------------------------


def _child(fd: int, fn, args, kwargs, memory_bytes: int) -> None:
    """The work of a child: fn's result, pickled, down its pipe. Never returns."""
    try:
        try:
            if memory_bytes:
                resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
            payload = pickle.dumps(("ok", fn(*args, **kwargs)), protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            payload = pickle.dumps(("memory", None))
        except BaseException as exc:  # noqa: BLE001 - our own bug: sent back to be raised in the parent
            payload = pickle.dumps(("error", f"{type(exc).__name__}: {exc}"))
        _write_all(fd, _HEADER.pack(len(payload)) + payload)
        payload = None
        lifeline.result_closed()
        os.close(fd)
        os._exit(0)
    except BaseException:  # noqa: BLE001 - whatever happens, never return into the parent's code
        os._exit(70)
    finally:
        os._exit(70)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


# --- the parent -----------------------------------------------------------------------------


@dataclass
class _Job:
    key: Any
    file: str
    pid: int
    fd: int  # read end of the child's result pipe
    pidfd: int | None  # readable once the child has exited
    deadline: float
    chunks: list = field(default_factory=list)
    eof: bool = False
    dead: bool = False  # exited (not reaped yet: its pid still names its group)
    reaped: bool = False  # its pid may now be anyone's: never signalled again


# One fork at a time in this process: a server checks files from several threads, and a child
# forked while another thread has made its pipe but not yet registered it would keep that
# pipe's write end open, holding back the other result's end until the child exits.
_FORKING = threading.Lock()


def _fresh_lock_in_child() -> None:
    global _FORKING
    _FORKING = threading.Lock()  # the copy of a held lock would be held forever in the child


os.register_at_fork(after_in_child=_fresh_lock_in_child)


def _start(running: list[_Job], key, file: str, fn, args, kwargs, limits: ProcessLimits) -> None:
    """Fork a child for one call; it is in `running` (and registered) before any signal handler
    can run, so that whatever happens next, it is killed and reaped."""
    with _FORKING, lifeline.signals_blocked():
        r, w = os.pipe()
        parent = os.getpid()
        try:
            pid = os.fork()
        except OSError:  # no more processes: said as an error by the caller
            os.close(r)
            os.close(w)
            raise
        if pid == 0:  # the child: never leaves this branch
            try:
                os.close(r)
                lifeline.become_worker(parent, w)
                _child(w, fn, args, kwargs, limits.memory_bytes)
            finally:
                os._exit(70)
        lifeline.register(pid)
        os.close(w)
        lifeline.own_fd(r)
        running.append(_Job(key, file, pid, r, _pidfd(pid), time.monotonic() + limits.seconds))
        with contextlib.suppress(OSError):  # also done by the child: whichever comes first
            os.setpgid(pid, pid)
        os.set_blocking(r, False)


def _pidfd(pid: int) -> int | None:
    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None
    lifeline.own_fd(fd)
    return fd


def _exited(job: _Job) -> bool:
    """Has the child exited? (without reaping it: its pid still names its group)"""
    try:
        return os.waitid(os.P_PID, job.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def _read(job: _Job) -> None:
    """Take what the child's pipe holds now (never blocks)."""
    while not job.eof:
        try:
            data = os.read(job.fd, _CHUNK)
        except BlockingIOError:
            return
        except OSError as exc:
            if exc.errno == errno.EINTR:
                continue
            job.eof = True
            return
        if not data:
            job.eof = True
            return
        job.chunks.append(data)


def _drain(job: _Job) -> None:
    """After the child's group was killed: read to EOF (every writer is gone), boundedly."""
    until = time.monotonic() + _DRAIN_SECONDS
    poller = select.poll()
    poller.register(job.fd, select.POLLIN)
    while True:
        _read(job)
        left = until - time.monotonic()
        if job.eof or left <= 0:
            return
        poller.poll(left * 1000)


def _finish(job: _Job) -> None:
    """Kill the child's group, then reap the child (once)."""
    if job.reaped:
        return
    lifeline.kill_group(job.pid)
    lifeline.forget(job.pid)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(job.pid, 0)
    job.reaped = True


def _close(job: _Job) -> None:
    """Close the job's fds, once (a number closed twice may by then be someone else's file)."""
    fds, job.fd, job.pidfd = (job.fd, job.pidfd), -1, None
    for fd in fds:
        if fd is not None and fd >= 0:
            lifeline.release_fd(fd)


def _outcome(job: _Job, limits: ProcessLimits):
    """What a child that has exited sent: its result, or a Failed saying why there is none."""
    payload = b"".join(job.chunks)
    job.chunks.clear()
    if len(payload) >= _HEADER.size:
        (size,) = _HEADER.unpack_from(payload)
        if len(payload) == _HEADER.size + size:
            return _decode(job, payload[_HEADER.size :], limits)
    return Failed(finding("parser_crashed", ERROR, file=job.file))


def run_many(
    calls: list[tuple[Any, str, Callable, tuple, dict]], limits: ProcessLimits = ProcessLimits()
) -> Iterator[tuple[Any, Any]]:
    """Run (key, file, fn, args, kwargs) calls in isolated children, `limits.workers` at a time.

    Yields (key, result) as each finishes; result is a Failed for a child that did not finish.
    Closing the generator early (or an exception in the caller) kills and reaps every child.
    """
    if math.isnan(limits.seconds) or math.isnan(limits.memory_bytes):
        raise ValueError(f"limits must be numbers: {limits}")  # nan would disable the limit silently
    pending = list(calls)
    running: list[_Job] = []
    try:
        while pending or running:
            lifeline.raise_if_stopping()  # a stop signal whose exception was swallowed somewhere
            while pending and len(running) < max(1, limits.workers):
                _start(running, *pending.pop(0), limits)
            poller = select.poll()
            for job in running:
                if not job.eof:
                    poller.register(job.fd, select.POLLIN)
                if job.pidfd is not None and not job.dead:
                    poller.register(job.pidfd, select.POLLIN)
            wait = max(0.0, min(j.deadline for j in running) - time.monotonic())
            if any(j.pidfd is None for j in running):
                wait = min(wait, _POLL_WITHOUT_PIDFD)
            ready = {fd for fd, _ in poller.poll(min(wait, 60.0) * 1000)}
            now = time.monotonic()
            for job in list(running):
                if job.fd in ready:
                    _read(job)
                if job.pidfd in ready or (job.pidfd is None and _exited(job)):
                    job.dead = True
                if job.dead:
                    lifeline.kill_group(job.pid)  # its own children, if any are left
                    _drain(job)
                    result = _outcome(job, limits)
                elif now >= job.deadline:
                    result = Failed(finding("parser_timeout", ERROR, file=job.file, seconds=f"{limits.seconds:g}"))
                else:
                    continue
                _finish(job)
                _close(job)
                running.remove(job)
                yield job.key, result
    finally:
        for job in running:  # stopped early: by the caller, an exception or a signal
            if not job.reaped:
                lifeline.kill_group(job.pid)
        for job in running:
            _finish(job)
            _close(job)


def _decode(job: _Job, payload: bytes, limits: ProcessLimits):
    try:
        status, value = pickle.loads(payload)
    except Exception:  # noqa: BLE001 - a child that wrote nonsense is a crashed child
        return Failed(finding("parser_crashed", ERROR, file=job.file))
    if status == "memory":
        return Failed(finding("parser_memory", ERROR, file=job.file, limit=f"{limits.memory_bytes / 2**30:g} GiB"))
    if status == "error":  # our own bug: say so for this file, and go on with the others
        return Failed(finding("internal_error", ERROR, file=job.file, detail=value[:300]))
    return value


def run_isolated(fn: Callable, *args, file: str, limits: ProcessLimits = ProcessLimits(), **kwargs) -> Any:
    """fn(*args, **kwargs) in a child process; raises Failed if the child does not finish."""
    with contextlib.closing(run_many([(0, file, fn, args, kwargs)], limits)) as results:
        for _, result in results:
            if isinstance(result, Failed):
                raise result
            return result
    raise AssertionError("unreachable")
