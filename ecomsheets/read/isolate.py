"""Run the parsing of an untrusted file in a child process, so that nothing in it can take
the calling process down: the Rust reader aborts the whole process on some crafted files
(zip bombs, a cell at XFD1048576, a 100M-character string). The child gets a memory limit
and a time limit; a crash, a memory overrun or a timeout becomes a finding."""

from __future__ import annotations

import multiprocessing as mp
import os
import pickle
import resource
import time
from dataclasses import dataclass
from typing import Any, Callable

from ecomsheets.findings import ERROR, Finding, finding


@dataclass(frozen=True)
class ProcessLimits:
    memory_bytes: int = 8 * 2**30  # address space of the child; real files need ~1 GiB per 1M rows
    seconds: float = 600.0


class _Failed(Exception):
    def __init__(self, found: Finding):
        super().__init__(found.message)
        self.finding = found


def _child(conn, fn, args, kwargs, memory_bytes) -> None:
    try:
        if memory_bytes:
            resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        result = fn(*args, **kwargs)
        payload = pickle.dumps(("ok", result), protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        payload = pickle.dumps(("memory", None))
    except BaseException as exc:  # our own bug: send it back to be raised in the parent
        payload = pickle.dumps(("error", f"{type(exc).__name__}: {exc}"))
    try:
        conn.send_bytes(payload)
    finally:
        conn.close()
        os._exit(0)  # skip interpreter teardown: nothing in the child needs it


def run_isolated(fn: Callable, *args, file: str, limits: ProcessLimits = ProcessLimits(), **kwargs) -> Any:
    """fn(*args, **kwargs) in a forked child; raises _Failed(finding) if the child fails."""
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, fn, args, kwargs, limits.memory_bytes), daemon=True)
    proc.start()
    child.close()
    deadline = time.monotonic() + limits.seconds
    payload = None
    try:
        while payload is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                proc.kill()
                raise _Failed(finding("parser_timeout", ERROR, file=file, seconds=f"{limits.seconds:g}"))
            if parent.poll(min(remaining, 0.5)):
                try:
                    payload = parent.recv_bytes()
                except (EOFError, OSError):
                    break
            elif not proc.is_alive() and not parent.poll(0):
                break
    finally:
        parent.close()
        proc.join(timeout=5)
        if proc.is_alive():
            proc.kill()
            proc.join()
    if payload is None:
        raise _Failed(finding("parser_crashed", ERROR, file=file))
    status, value = pickle.loads(payload)
    if status == "memory":
        raise _Failed(finding("parser_memory", ERROR, file=file, limit=f"{limits.memory_bytes / 2**30:.0f} GiB"))
    if status == "error":
        raise RuntimeError(value)
    return value


Failed = _Failed
