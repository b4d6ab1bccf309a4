"""Keeping worker processes on a short leash: no process outlives the command, ever.

What `isolate` relies on here:

* **The parent's side.** Every live worker is registered here (its pid, which is also its
  process group). `kill_all()` sends SIGKILL to every registered group at once; the SIGINT and
  SIGTERM handlers of `guard()` call it before anything else, so that an interrupted command
  stops its workers even while it unwinds. Forks happen with those signals blocked
  (`signals_blocked()`), so that a worker is always registered before a handler can run.
* **The worker's side** (`become_worker`, right after fork): its own process group (so that
  the parent kills a worker and everything it started with one `killpg`, and a terminal's
  Ctrl-C reaches only the main process), a parent-death signal (Linux `PR_SET_PDEATHSIG`:
  SIGKILL when the parent dies, even of SIGKILL) with a check that the parent is still the
  one that forked it, default signal dispositions, stdin from /dev/null, and none of the
  parent's other pipe ends (those of its siblings): a worker holds only its own.
* **A worker's own children** (the XML scan, forked by the reader): the same parent-death
  signal and check, set by an at-fork hook, and the worker's result pipe closed in them, so
  that they can neither outlive the worker nor hide its death from the main process.

`guard()` is for the command line: SIGINT and SIGTERM (and SIGHUP) stop every worker, print
one line and exit 130 / 143 (129) through `Interrupted`, a SystemExit, so that every
`finally` (temporary files, reaping) still runs and no traceback is printed. Should that
exception be swallowed (raised inside a finaliser), `raise_if_stopping()` raises it again at
the next wait for workers, before an output is renamed into place and when the command ends;
a watchdog ends the process 10 s after the signal if it is stuck outside Python.

Linux sends the parent-death signal when the *thread* that forked dies: fork workers from a
thread that outlives them (`run_many` waits for its children in the thread that forked them).
Without `guard()` (the Python API), SIGTERM ends the main process by default and the workers
die with it through the parent-death signal.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
from collections.abc import Iterator

PR_SET_PDEATHSIG = 1
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

_live: dict[int, None] = {}  # pid (= process group) of every running worker, in start order
_owned_fds: set[int] = set()  # the parent's ends of its workers' pipes (and pidfds)
_state: dict = {"stopping": 0, "result_fd": None, "forker": None, "hooked": False}  # stopping: the signal
WATCHDOG_SECONDS = 10.0


class Interrupted(SystemExit):
    """The command was stopped by a signal: exit code 128 + the signal's number."""

    def __init__(self, signum: int):
        super().__init__(128 + signum)
        self.signum = signum


# --- the parent's side ----------------------------------------------------------------------


def register(pid: int) -> None:
    _live[pid] = None


def forget(pid: int) -> None:
    _live.pop(pid, None)


def own_fd(fd: int) -> None:
    """An fd of the parent that no worker may keep (closed in every worker after fork)."""
    _owned_fds.add(fd)


def release_fd(fd: int) -> None:
    _owned_fds.discard(fd)
    with contextlib.suppress(OSError):
        os.close(fd)


def kill_group(pid: int) -> None:
    """SIGKILL a worker and its whole process group (called before it is reaped, so that its
    pid, which names the group, cannot have been reused)."""
    for kill in (os.killpg, os.kill):
        with contextlib.suppress(OSError):
            kill(pid, signal.SIGKILL)


def kill_all() -> None:
    """SIGKILL every running worker's group (safe in a signal handler: no allocation-heavy
    work, no waiting; the workers are reaped by whoever started them)."""
    for pid in list(_live):
        kill_group(pid)


@contextlib.contextmanager
def signals_blocked() -> Iterator[None]:
    """Hold SIGINT/SIGTERM/SIGHUP back (around a fork and the registration of its worker)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals are delivered to the main thread's handlers anyway
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


# --- the worker's side ----------------------------------------------------------------------


def set_parent_death_signal(sig: int = signal.SIGKILL) -> bool:
    """Ask Linux to send `sig` to this process when its parent dies; False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _leashed(expected_parent: int) -> None:
    """Die with the parent; and if it died already (before the prctl), die now."""
    set_parent_death_signal()
    if os.getppid() != expected_parent:
        os._exit(1)


def become_worker(expected_parent: int, result_fd: int) -> None:
    """Everything a freshly forked worker does before its work (see the module's doc).

    Called in the child with STOP_SIGNALS blocked (see `signals_blocked`); unblocks them."""
    with contextlib.suppress(OSError):
        os.setpgid(0, 0)
    _leashed(expected_parent)
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_DFL)
    # A worker in a background process group must never be stopped by touching the terminal.
    for sig in (signal.SIGTTOU, signal.SIGTTIN, signal.SIGTSTP):
        signal.signal(sig, signal.SIG_IGN)
    with contextlib.suppress(ValueError, OSError):
        signal.set_wakeup_fd(-1)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    for fd in list(_owned_fds):  # the siblings' pipe ends and pidfds
        with contextlib.suppress(OSError):
            os.close(fd)
    _owned_fds.clear()
    _live.clear()
    with contextlib.suppress(OSError):
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
    with contextlib.suppress(Exception):
        import faulthandler

        faulthandler.disable()  # a crash is reported by the parent, not as a dump on the terminal
    _state["result_fd"] = result_fd
    _state["stopping"] = 0
    _state.pop("watchdog", None)
    if not _state["hooked"]:
        os.register_at_fork(before=_before_fork, after_in_child=_after_fork_in_grandchild)
        _state["hooked"] = True


def result_closed() -> None:
    """The worker closed its result pipe: its own later children have nothing to close."""
    _state["result_fd"] = None


def _before_fork() -> None:
    _state["forker"] = os.getpid()


def _after_fork_in_grandchild() -> None:
    """In any process a worker (or its descendant) forks: close the worker's result pipe and
    die with the process that forked it."""
    fd, _state["result_fd"] = _state["result_fd"], None
    if fd is not None:
        with contextlib.suppress(OSError):
            os.close(fd)
    if _state["forker"] is not None:
        _leashed(_state["forker"])


# --- the command line -----------------------------------------------------------------------


def _stop_line(signum: int) -> bytes:
    from ecomsheets import messages

    lang = "zh"
    words = sys.modules.get("ecomsheets.cli_words")
    if words is not None:
        with contextlib.suppress(Exception):
            lang = words.current()
    name = {signal.SIGINT: "SIGINT", signal.SIGTERM: "SIGTERM", signal.SIGHUP: "SIGHUP"}.get(signum, str(signum))
    return (messages.text("cli_interrupted", lang, signal=name) + "\n").encode("utf-8", "replace")


def _on_stop_signal(signum, frame) -> None:
    if _state["stopping"]:
        return  # a second Ctrl-C while stopping: the first one is being carried out
    _state["stopping"] = signum
    kill_all()
    with contextlib.suppress(Exception):
        os.write(2, _stop_line(signum))
    _arm_watchdog(signum)
    raise Interrupted(signum)


def raise_if_stopping() -> None:
    """Raise `Interrupted` again if a stop signal came (in case the first one was swallowed:
    a handler's exception raised inside a finaliser is only printed). Checked before each
    wait for workers and before an output is renamed into place."""
    if _state["stopping"]:
        raise Interrupted(_state["stopping"])


def _arm_watchdog(signum: int) -> None:
    """If the command has not left `guard()` within WATCHDOG_SECONDS of the signal (stuck in
    a call that never returns to Python), end the process anyway, workers first."""
    disarmed = threading.Event()
    _state["watchdog"] = disarmed

    def watch() -> None:
        if not disarmed.wait(WATCHDOG_SECONDS):
            kill_all()
            os._exit(128 + signum)

    threading.Thread(target=watch, name="ecomsheets-stop-watchdog", daemon=True).start()


@contextlib.contextmanager
def guard() -> Iterator[None]:
    """While inside: SIGINT, SIGTERM and SIGHUP stop every worker, print one line
    ("已中断 … / interrupted …") and leave through `Interrupted` (exit 130, 143, 129).
    Outside the main thread it does nothing (signals are only handled there)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _stop_line(signal.SIGINT)  # load the message now, not in the handler
    # SIGINT and SIGHUP ignored from the start (a background job of a script, nohup) stay so.
    previous = {
        sig: signal.signal(sig, _on_stop_signal)
        for sig in STOP_SIGNALS
        if sig == signal.SIGTERM or signal.getsignal(sig) is not signal.SIG_IGN
    }
    _state["stopping"] = 0
    try:
        yield
        raise_if_stopping()  # the command went on after a swallowed Interrupted: still 130 / 143
    except Exception:
        # An error raised while a stop unwinds (a zip entry interrupted half-written cannot be
        # closed) is the stop's doing: leave as the stop, not as that error.
        raise_if_stopping()
        raise
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
        watchdog = _state.pop("watchdog", None)
        if watchdog is not None:
            watchdog.set()
        _state["stopping"] = 0


def install_signal_handlers() -> None:
    """`guard()` for the rest of the process (for a command line that just runs and exits)."""
    guard().__enter__()


def stop_on_signals() -> None:
    """For the command line, one call at the start of the command (the Click group's callback):
    `guard()` until the current Click command ends; for the rest of the process when called
    outside a Click command."""
    ctx = None
    with contextlib.suppress(ImportError):
        import click

        ctx = click.get_current_context(silent=True)
    if ctx is None:
        install_signal_handlers()
    else:
        ctx.with_resource(guard())
