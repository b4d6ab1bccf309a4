"""Faults in the process model (issue 12, items 1 and 2): a crash is seen at once, a time-out or
a crash kills the child's whole process group, a result of any size comes through, SIGINT and
SIGTERM stop a real command with 130 / 143 and one line, SIGKILL of the command takes its
workers with it, and 200 runs leave nothing behind.

Everything is built here: example workbooks from `ecomsheets example`, children that abort,
hang or fork their own children (as the reader's XML scan does). After each failure mode the
processes are listed from /proc (`tests.proctable`): the children of this process, the
processes the children recorded themselves, and, for real commands, every process carrying
the command's marker in its environment, wherever it was re-parented.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from ecomsheets.process import isolate, lifeline
from ecomsheets.process.isolate import Failed, ProcessLimits, run_isolated, run_many
from tests import proctable as pt
from tests.helpers import cli_example
from tests.helpers import sha256 as sha

ROOT = Path(__file__).resolve().parents[1]
MONTH = "2026-11"
INTERRUPTED = {"zh": "已中断", "en": "interrupted"}


# --- what the children do ---------------------------------------------------------------------


def quiet_abort() -> None:
    """Die as calamine does on a hostile file (no fault-handler dump)."""
    import faulthandler

    faulthandler.disable()
    os.abort()


def _sleeper(log) -> None:
    pt.record(log)
    time.sleep(300)


def nest(log: Path, *, how: str = "mp") -> None:
    """Start a grandchild that records itself and sleeps: through multiprocessing (a daemon
    Process, as the reader's XML scan) or a bare os.fork. Returns once it has recorded."""
    before = len(pt.records(log))
    if how == "mp":
        mp.get_context("fork").Process(target=_sleeper, args=(log,), daemon=True).start()
    else:
        if os.fork() == 0:
            try:
                _sleeper(log)
            finally:
                os._exit(0)
    pt.wait_records(log, before + 1)


def abort_later(log: Path, after: float = 0.3) -> None:
    pt.record(log)
    nest(log)
    time.sleep(after)
    quiet_abort()


def hang(log: Path) -> None:
    pt.record(log)
    nest(log, how="mp")
    nest(log, how="fork")
    time.sleep(300)


def big(n: int) -> bytes:
    return os.urandom(16) * (n // 16)


# --- checks -----------------------------------------------------------------------------------


def assert_nothing_left(log: Path | None = None) -> None:
    """No child of this process (reaped: not even a zombie), and every process a child
    recorded is gone."""
    deadline = time.monotonic() + 5
    while pt.descendants() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert pt.descendants() == {}, f"left running or unreaped: {pt.descendants()}"
    if log is not None:
        recs = pt.records(log)
        assert pt.wait_dead(recs) == [], f"recorded processes still running: {pt.alive(recs)} of {recs}"


# --- fixtures ---------------------------------------------------------------------------------


def example(path: Path, seed: int, rows: int = 2000, month: str = MONTH, tables: str | None = None) -> Path:
    """`ecomsheets example department -o PATH --month M --rows N --seed S` (in this process)."""
    return cli_example(
        path, "--month", month, "--rows", rows, "--seed", seed, "--force", *(["--tables", tables] if tables else [])
    )


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("faults")
    b = {"x1": example(d / "x1.xlsx", seed=1), "x2": example(d / "x2.xlsx", seed=2)}
    b["x3"] = Path(shutil.copy(b["x1"], d / "x3.xlsx"))
    b["x4"] = Path(shutil.copy(b["x2"], d / "x4.xlsx"))
    b["small"] = example(d / "small.xlsx", seed=3, rows=5, tables="orders")
    b["other_month"] = example(d / "other_month.xlsx", seed=4, rows=5, tables="orders", month="2026-10")
    return b


@pytest.fixture
def mark(tmp_path):
    """A marker for the real commands a test starts (whatever carries it is killed afterwards),
    and their environment: that marker, and a temporary folder of their own (TMPDIR)."""
    temp = tmp_path / "TMPDIR"
    temp.mkdir()
    mark, env = pt.marker_env(ECOMSHEETS_LANG="zh", TMPDIR=str(temp))
    yield mark, env
    pt.kill_marked(mark)


def no_temporary_files(env) -> list[str]:
    return os.listdir(env["TMPDIR"])


# --- one child: crash, time-out, size ----------------------------------------------------------


def test_abort_at_0_3_s_is_reported_as_a_crash_at_once(tmp_path):
    """The child aborts 0.3 s in, while its own child (forked as the XML scan is) still holds
    whatever it inherited: the parent sees the death at once, not at the time limit."""
    log = tmp_path / "pids"
    started = time.monotonic()
    with pytest.raises(Failed) as crash:
        run_isolated(abort_later, log, file="crash.xlsx", limits=ProcessLimits(seconds=120))
    elapsed = time.monotonic() - started
    assert crash.value.finding.rule == "parser_crashed"
    assert 0.3 <= elapsed < 5, elapsed
    assert len(pt.records(log)) == 2  # the child and its grandchild both ran
    assert_nothing_left(log)


def test_crash_in_the_reader_while_its_scan_process_runs(books, tmp_path, monkeypatch):
    """The real read path of one file: the reader forks its XML scan, then the parser aborts
    0.3 s later while the scan is still busy. One finding, seen at once, nothing left."""
    from ecomsheets.read import scan, workbook
    from ecomsheets.validate import validate

    log = tmp_path / "pids"

    def slow_scan(*args):
        pt.record(log)
        time.sleep(300)

    class AbortingBackground(scan.Background):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            pt.record(log)
            pt.wait_records(log, 2)
            time.sleep(0.3)
            quiet_abort()

    monkeypatch.setattr(scan, "scan_workbook", slow_scan)
    monkeypatch.setattr(workbook, "Background", AbortingBackground)
    started = time.monotonic()
    report = validate(books["x1"], process=ProcessLimits(seconds=120))
    assert time.monotonic() - started < 15
    assert [f.rule for f in report.findings] == ["parser_crashed"] and report.unreadable
    assert len(pt.records(log)) == 2
    assert_nothing_left(log)


def test_a_time_out_kills_the_childs_whole_group(tmp_path):
    """A child that hangs with two children of its own (one forked by multiprocessing, one by
    os.fork): at the limit, all three are killed."""
    log = tmp_path / "pids"
    started = time.monotonic()
    with pytest.raises(Failed) as slow:
        run_isolated(hang, log, file="slow.xlsx", limits=ProcessLimits(seconds=1.5))
    assert slow.value.finding.rule == "parser_timeout"
    assert time.monotonic() - started < 6
    assert len(pt.records(log)) == 3
    assert_nothing_left(log)


def test_results_over_64_kb_do_not_block(tmp_path):
    """Results of 100 KB to 16 MB from several children at once (more than a pipe holds)."""
    sizes = [100_000, 16 * 2**20, 3 * 2**20, 70_000, 2**20]
    calls = [(i, f"{i}.xlsx", big, (n,), {}) for i, n in enumerate(sizes)]
    started = time.monotonic()
    got = dict(run_many(calls, ProcessLimits(seconds=30, workers=2)))
    assert {i: len(v) for i, v in got.items()} == {i: n // 16 * 16 for i, n in enumerate(sizes)}
    assert time.monotonic() - started < 15
    assert_nothing_left()


def test_stopping_early_kills_and_reaps_every_child(tmp_path):
    """The caller stops (an exception, Ctrl-C in the main process): the running children and
    theirs are killed and reaped before it goes on."""
    log = tmp_path / "pids"
    results = run_many(
        [(0, "fast", int, (), {}), (1, "slow", hang, (log,), {}), (2, "slow2", hang, (log,), {})],
        ProcessLimits(seconds=120, workers=3),
    )
    assert next(results) == (0, 0)
    pt.wait_records(log, 6)
    started = time.monotonic()
    results.close()
    assert time.monotonic() - started < 5
    assert_nothing_left(log)


def test_siblings_do_not_hold_each_others_pipes(tmp_path):
    """A child keeps only its own pipe: none of the parent's ends of its siblings' pipes."""

    def my_fds(_):
        return sorted(int(fd) for fd in os.listdir("/proc/self/fd"))

    parent_fds = set(int(fd) for fd in os.listdir("/proc/self/fd"))
    out = dict(run_many([(i, f"{i}", my_fds, (i,), {}) for i in range(4)], ProcessLimits(seconds=30, workers=4)))
    for fds in out.values():
        extra = set(fds) - parent_fds  # what the child has that the parent had not before
        assert len(extra) <= 2, (fds, parent_fds)  # its own write end (and listdir's own fd)
    assert_nothing_left()


# --- real commands: crash, time-out, signals ------------------------------------------------------

DRIVER = """
import os, sys, time, multiprocessing as mp
from pathlib import Path
import ecomsheets.validate.run as run

original = run._inspect

def sleeper():
    time.sleep(300)

def inspect(path, *args):
    name = Path(path).name
    if name.startswith(("crash", "slow", "nest")):
        mp.get_context("fork").Process(target=sleeper, daemon=True).start()  # as the XML scan
        if name.startswith("crash"):
            time.sleep(0.3)
            os.abort()
        time.sleep(300)
    return original(path, *args)

run._inspect = inspect
from ecomsheets.cli import main
sys.argv[0] = "ecomsheets"
main()
"""


def command(*args, driver: bool = False) -> list[str]:
    head = [sys.executable, "-c", DRIVER] if driver else [sys.executable, "-m", "ecomsheets"]
    return head + [str(a) for a in args]


def start(cmd, env) -> subprocess.Popen:
    return subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )


def wait_for_workers(proc: subprocess.Popen, mark: str, n: int = 1, seconds: float = 30) -> dict:
    """Until `n` processes of the command other than itself are running."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        assert proc.poll() is None, proc.communicate()
        workers = {p: st for p, st in pt.marked(mark).items() if p != proc.pid}
        if len(workers) >= n:
            return workers
        time.sleep(0.01)
    raise AssertionError("no worker started")


@pytest.mark.slow
def test_crash_and_time_out_in_a_real_command(books, tmp_path, mark):
    """`validate crash.xlsx slow.xlsx good.xlsx --timeout 4`, piped: the crash (0.3 s in, with a
    scan-like child alive) is a crash, not a time-out; the hang is stopped at 4 s with its
    child; the good file is checked; nothing is left; the inputs are untouched."""
    mark, env = mark
    crash, slow = (Path(shutil.copy(books["small"], tmp_path / name)) for name in ("crash.xlsx", "slow.xlsx"))
    files = [crash, slow, books["small"]]
    before = {p: sha(p) for p in files}
    started = time.monotonic()
    proc = start(command("validate", *files, "--timeout", 4, driver=True), env)
    out, err = proc.communicate(timeout=60)
    elapsed = time.monotonic() - started
    assert proc.returncode == 2, err
    assert f"✗ {crash}：无法读取\n  读取这个文件时解析程序异常退出（文件可能已损坏或被恶意构造），已拒绝" in out
    assert "读取这个文件超过 4 秒仍未完成，已停止" in out
    assert f"✓ {books['small']}：没有发现错误" in out
    assert "Traceback" not in err
    assert elapsed < 30, elapsed
    assert pt.wait_unmarked(mark) == {} and no_temporary_files(env) == []
    assert {p: sha(p) for p in files} == before


@pytest.mark.slow
@pytest.mark.parametrize("cmd", ["validate", "consolidate"])
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_sigint_and_sigterm_stop_a_real_command(books, tmp_path, mark, cmd, sig):
    """While the workers read: exit 130 / 143, one line on stderr, nothing on stdout, no
    worker left, no output and no temporary file, inputs untouched."""
    mark, env = mark
    files = [books[k] for k in ("x1", "x2", "x3", "x4")]
    before = {p: sha(p) for p in files}
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    extra = ["-o", out_dir / "汇总.xlsx"] if cmd == "consolidate" else []
    proc = start(command(cmd, *files, *extra), env)
    wait_for_workers(proc, mark)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 128 + sig, (proc.returncode, err)
    lines = err.splitlines()
    assert len(lines) == 1 and INTERRUPTED["zh"] in lines[0] and signal.Signals(sig).name in lines[0], err
    assert out == ""
    assert pt.wait_unmarked(mark) == {}
    assert list(out_dir.iterdir()) == [] and no_temporary_files(env) == []
    assert {p: sha(p) for p in files} == before


def writing(out_dir: Path, env, phase: str) -> bool:
    """Has the writing of the summary reached `phase`: its temporary file is there (".tmp"), the
    writer's own scratch files are ("scratch": xlsxwriter's, in TMPDIR or beside the temporary
    file), the data sheets are being rewritten (".tmp.rows")?"""
    names = os.listdir(out_dir)
    if phase == "scratch":
        return bool(no_temporary_files(env)) or any(
            n.endswith(".tmp.d") and os.listdir(out_dir / n) for n in names if (out_dir / n).is_dir()
        )
    return any(n.endswith(phase) for n in names)


@pytest.mark.slow
@pytest.mark.parametrize("phase", ["scratch", ".tmp.rows"])
def test_sigterm_while_the_summary_is_written(books, tmp_path, mark, phase):
    """Stopped while the summary workbook is being written: no summary, no temporary file left,
    in the output's folder or in TMPDIR."""
    mark, env = mark
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    proc = start(command("consolidate", books["x1"], books["x2"], "-o", out_dir / "汇总.xlsx", "--lang", "en"), env)
    until = time.monotonic() + 60
    while not writing(out_dir, env, phase):
        assert proc.poll() is None and time.monotonic() < until, (os.listdir(out_dir), proc.communicate())
        time.sleep(0.002)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 143, err
    assert len(err.splitlines()) == 1 and INTERRUPTED["en"] in err, err
    assert list(out_dir.iterdir()) == [] and no_temporary_files(env) == []
    assert pt.wait_unmarked(mark) == {}


@pytest.mark.slow
@pytest.mark.parametrize("case", ["real", "nested"])
def test_sigkill_of_the_command_leaves_no_worker(books, tmp_path, mark, case):
    """SIGKILL of the main process (no handler can run): its workers die with it (parent-death
    signal), and so do their own children (the nested case: a scan-like grandchild each)."""
    mark, env = mark
    if case == "real":
        proc = start(command("validate", *(books[k] for k in ("x1", "x2", "x3", "x4"))), env)
        wait_for_workers(proc, mark, 1)
    else:
        files = [shutil.copy(books["small"], tmp_path / f"nest{i}.xlsx") for i in range(2)]
        proc = start(command("validate", *files, driver=True), env)
        wait_for_workers(proc, mark, 4)  # two workers, a grandchild each
    proc.kill()
    proc.communicate(timeout=10)
    assert pt.wait_unmarked(mark) == {}


# --- soak ---------------------------------------------------------------------------------------


@pytest.mark.slow
def test_soak_200_runs_leave_nothing(books, tmp_path, monkeypatch):
    """200 validations over good, bad (errors, truncated, not a workbook) and crashing files
    (abort, abort with a child of its own, a time-out, a result over 64 KB): no process, no
    temporary file, no fd and no memory left behind."""
    from ecomsheets.validate import run

    log = tmp_path / "pids"
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.setenv("TMPDIR", str(temp))
    d = tmp_path / "in"
    d.mkdir()
    kinds = {
        "good": books["small"],
        "bad": books["other_month"],
        "crash": books["small"],
        "nest": books["small"],
        "big": books["small"],
        "slow": books["small"],
    }
    files = {k: Path(shutil.copy(p, d / f"{k}.xlsx")) for k, p in kinds.items()}
    files["truncated"] = d / "truncated.xlsx"
    files["truncated"].write_bytes(books["small"].read_bytes()[:3000])
    files["garbage"] = d / "garbage.xlsx"
    files["garbage"].write_bytes(os.urandom(5000))
    listing = sorted(p.name for p in d.iterdir())
    original = run._inspect

    def inspect(path, *args):
        name = Path(path).stem
        if name in ("crash", "nest"):
            pt.record(log)
            if name == "nest":
                nest(log)
            quiet_abort()
        if name == "slow":
            pt.record(log)
            nest(log, how="fork")
            time.sleep(300)
        insp = original(path, *args)
        if name == "big":
            insp.metrics = [os.urandom(200_000)]
        return insp

    monkeypatch.setattr(run, "_inspect", inspect)
    run.preload()
    # Two of ten parse for real (the checks are the slow part), good or big, and bad; the
    # others fail fast.
    batches = [
        [
            files[k]
            for k in (first, "crash", "truncated", "bad", "nest", "garbage", "crash", "nest", "truncated", "garbage")
        ]
        for first in ("good", "big")
    ]
    expected = {
        "good": [],
        "bad": ["wrong_month"],
        "truncated": ["corrupt"],
        "garbage": ["not_xlsx"],
        "crash": ["parser_crashed"],
        "nest": ["parser_crashed"],
        "big": [],
        "slow": ["parser_timeout"],
    }

    def one_batch(batch):
        for insp, path in zip(
            run.inspect_many(batch, month=MONTH, keep="report", process=ProcessLimits(seconds=60, workers=2)), batch
        ):
            rules = sorted({f.rule for f in insp.report.findings if f.severity == "error"})
            assert rules == expected[path.stem], (path.stem, rules)
            assert insp.report.unreadable == (path.stem in ("truncated", "garbage", "crash", "nest"))

    for batch in batches:  # warm up: what is loaded once
        one_batch(batch)
    rss, fds = pt.rss_bytes(), pt.open_fds()
    runs = 20
    for i in range(17):
        one_batch(batches[i % 2])
        runs += 10
    while runs < 200:
        report = run.validate(files["slow"], month=MONTH, process=ProcessLimits(seconds=0.2))
        assert [f.rule for f in report.findings] == ["parser_timeout"]
        runs += 1
    assert runs == 200
    assert_nothing_left(log)
    assert list(temp.iterdir()) == []
    assert sorted(p.name for p in d.iterdir()) == listing
    assert pt.open_fds() == fds
    assert pt.rss_bytes() - rss < 40 * 2**20, (rss, pt.rss_bytes())


def test_a_stop_signal_in_the_main_process_kills_the_workers_at_once(tmp_path, capfd):
    """SIGINT while workers run, under `lifeline.guard()` (what the command line installs):
    the workers and theirs are killed before the stack unwinds; one line; exit code 130;
    the previous handler is back afterwards."""
    log = tmp_path / "pids"
    before = signal.getsignal(signal.SIGINT)
    started = time.monotonic()
    with pytest.raises(SystemExit) as stop, lifeline.guard():
        for _ in run_many(
            [(0, "fast", int, (), {}), (1, "slow", hang, (log,), {})], ProcessLimits(seconds=120, workers=2)
        ):
            pt.wait_records(log, 3)
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(30)  # interrupted by the handler's exception
    assert stop.value.code == 130 and time.monotonic() - started < 10
    assert signal.getsignal(signal.SIGINT) is before
    assert_nothing_left(log)
    err = capfd.readouterr().err
    assert err.count("\n") == 1 and "已中断（SIGINT）" in err, err


def test_a_swallowed_stop_is_raised_again():
    """A handler's exception raised inside a finaliser is only printed: the next check (before a
    wait for workers, before an output is renamed, at the end of the command) raises it again."""
    with pytest.raises(SystemExit) as stop, lifeline.guard():
        try:
            lifeline._on_stop_signal(signal.SIGTERM, None)
        except SystemExit:
            pass  # as a finaliser would
        with pytest.raises(SystemExit):
            run_isolated(int, file="x")
    assert stop.value.code == 143
    assert lifeline._state["stopping"] == 0 and "watchdog" not in lifeline._state
    assert run_isolated(int, file="x") == 0


def test_an_error_raised_while_a_stop_unwinds_is_the_stop():
    """The signal may land inside a clean-up that then fails (closing a zip whose entry was
    interrupted half-written raises ValueError): the command still ends as stopped, 143."""
    with pytest.raises(SystemExit) as stop, lifeline.guard():
        try:
            lifeline._on_stop_signal(signal.SIGTERM, None)
        finally:
            raise ValueError("Can't close the ZIP file while there is an open writing handle on it")
    assert stop.value.code == 143 and isinstance(stop.value.__context__, ValueError)
    with pytest.raises(ValueError), lifeline.guard():  # without a stop, an error is what it is
        raise ValueError("a real bug")


def test_isolate_keeps_no_state_between_runs():
    """Nothing registered is left once runs are over (the signal handler kills what is)."""
    run_isolated(int, file="x")
    with pytest.raises(Failed):
        run_isolated(quiet_abort, file="y")
    assert lifeline._live == {} and lifeline._owned_fds == set()
    assert isolate.ProcessLimits().workers >= 1
