"""Run the parsing of an untrusted file in a child process, so that nothing in it can take
the calling process down: the Rust reader aborts the whole process on some crafted files
(zip bombs, a cell at XFD1048576, a 100M-character string). The child gets a memory limit
and a time limit; a crash, a memory overrun or a timeout becomes a finding.

Several files are read by several children at once (one per core). Every fork happens in
the main thread, which then waits on all the children's pipes together.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import pickle
import resource
import time
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import Any, Callable, Iterator

from ecomsheets.findings import ERROR, Finding, finding


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


def _child(conn, fn, args, kwargs, memory_bytes) -> None:
    try:
        if memory_bytes:
            resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        payload = pickle.dumps(("ok", fn(*args, **kwargs)), protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        payload = pickle.dumps(("memory", None))
    except BaseException as exc:  # our own bug: sent back to be raised in the parent
        payload = pickle.dumps(("error", f"{type(exc).__name__}: {exc}"))
    try:
        conn.send_bytes(payload)
    finally:
        conn.close()
        os._exit(0)  # skip interpreter teardown: nothing in the child needs it


@dataclass
class _Job:
    key: Any
    file: str
    proc: Any
    conn: Any
    deadline: float


def run_many(calls: list[tuple[Any, str, Callable, tuple, dict]],
             limits: ProcessLimits = ProcessLimits()) -> Iterator[tuple[Any, Any]]:
    """Run (key, file, fn, args, kwargs) calls in isolated children, `limits.workers` at a time.

    Yields (key, result) as each finishes; result is a Failed for a child that did not finish.
    """
    ctx = mp.get_context("fork")
    pending = list(calls)
    running: list[_Job] = []
    while pending or running:
        while pending and len(running) < max(1, limits.workers):
            key, file, fn, args, kwargs = pending.pop(0)
            parent, child = ctx.Pipe(duplex=False)
            # Not a daemon: it starts its own helper (the XML scan); it is always joined or killed.
            proc = ctx.Process(target=_child, args=(child, fn, args, kwargs, limits.memory_bytes), daemon=False)
            proc.start()
            child.close()
            running.append(_Job(key, file, proc, parent, time.monotonic() + limits.seconds))
        timeout = max(0.0, min(j.deadline for j in running) - time.monotonic())
        ready = wait([j.conn for j in running] + [j.proc.sentinel for j in running], timeout=min(timeout, 1.0))
        now = time.monotonic()
        for job in list(running):
            result = None
            if job.conn in ready:
                try:
                    result = _decode(job, job.conn.recv_bytes(), limits)
                except (EOFError, OSError):
                    result = Failed(finding("parser_crashed", ERROR, file=job.file))
            elif job.proc.sentinel in ready and not job.conn.poll(0):
                result = Failed(finding("parser_crashed", ERROR, file=job.file))
            elif now >= job.deadline:
                job.proc.kill()
                result = Failed(finding("parser_timeout", ERROR, file=job.file, seconds=f"{limits.seconds:g}"))
            if result is None:
                continue
            running.remove(job)
            _reap(job)
            yield job.key, result


def _decode(job: _Job, payload: bytes, limits: ProcessLimits):
    status, value = pickle.loads(payload)
    if status == "memory":
        return Failed(finding("parser_memory", ERROR, file=job.file, limit=f"{limits.memory_bytes / 2**30:g} GiB"))
    if status == "error":  # our own bug: say so for this file, and go on with the others
        return Failed(finding("internal_error", ERROR, file=job.file, detail=value[:300]))
    return value


def _reap(job: _Job) -> None:
    job.conn.close()
    job.proc.join(timeout=5)
    if job.proc.is_alive():
        job.proc.kill()
        job.proc.join()


def run_isolated(fn: Callable, *args, file: str, limits: ProcessLimits = ProcessLimits(), **kwargs) -> Any:
    """fn(*args, **kwargs) in a child process; raises Failed if the child does not finish."""
    for _, result in run_many([(0, file, fn, args, kwargs)], limits):
        if isinstance(result, Failed):
            raise result
        return result
    raise AssertionError("unreachable")
