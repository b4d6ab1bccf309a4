"""Validate one submitted workbook: guard, read, type, check, report.

The guard runs here; everything that parses the file runs in a child process (see
`ecomsheets.process.isolate`), which sends back only what the caller keeps: the report for
`validate`, the typed rows and metrics for `summarize` and `consolidate`.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from pathlib import Path

from ecomsheets.fileinfo import sha256
from ecomsheets.findings import Report
from ecomsheets.months import Month, parse_month
from ecomsheets.process.isolate import Failed, ProcessLimits, run_many
from ecomsheets.read.guard import Limits, check_file
from ecomsheets.schema import Catalog, load_catalog
from ecomsheets.textsafe import shown_path

from .inspection import Inspection

__all__ = ["Inspection", "inspect_many", "inspect_workbook", "validate"]


def validate(
    path,
    *,
    catalog: Catalog | None = None,
    bundle: str | None = None,
    month: Month | str | None = None,
    limits: Limits = Limits(),
    process: ProcessLimits = ProcessLimits(),
    isolate: bool = True,
) -> Report:
    """Check a workbook against its schemas; every problem is a Finding in the Report."""
    return inspect_workbook(
        path,
        catalog=catalog,
        bundle=bundle,
        month=month,
        limits=limits,
        process=process,
        isolate=isolate,
        keep="report",
    ).report


def inspect_workbook(
    path,
    *,
    catalog: Catalog | None = None,
    bundle: str | None = None,
    month: Month | str | None = None,
    limits: Limits = Limits(),
    process: ProcessLimits = ProcessLimits(),
    isolate: bool = True,
    keep: str = "metrics",
) -> Inspection:
    """Validate a workbook and keep its typed rows (keep="tables") and its recomputed metrics
    (keep="metrics", the default); keep="report" keeps only the report."""
    (insp,) = inspect_many(
        [path], catalog=catalog, bundle=bundle, month=month, limits=limits, process=process, isolate=isolate, keep=keep
    )
    return insp


def inspect_many(
    paths,
    *,
    catalog: Catalog | None = None,
    bundle: str | None = None,
    month: Month | str | None = None,
    limits: Limits = Limits(),
    process: ProcessLimits = ProcessLimits(),
    isolate: bool = True,
    keep: str = "metrics",
    progress: Callable[[int], None] | None = None,
) -> list[Inspection]:
    """Inspect several files, reading `process.workers` of them at once; results in input order.

    The guard runs here; the parsing of each file that passes it runs in its own child process.
    """
    catalog = catalog or load_catalog()
    month = parse_month(month) if isinstance(month, str) else month
    out: dict[int, Inspection] = {}
    started: dict[int, float] = {}
    calls = []
    for i, path in enumerate(map(Path, paths)):
        started[i] = time.perf_counter()
        report = Report(file=shown_path(path))
        refused = check_file(path, limits)
        if refused is not None:
            report.findings.append(refused)
            report.unreadable = True
            if path.is_file() and path.stat().st_size <= limits.max_file_bytes:
                report.size, report.sha256 = path.stat().st_size, sha256(path)
            out[i] = Inspection(report)
            if progress:
                progress(1)
            continue
        report.size, report.sha256 = path.stat().st_size, sha256(path)
        out[i] = Inspection(report)
        calls.append((i, str(path), _inspect, (path, catalog, bundle, month, keep), {}))
    if isolate and len(calls) > 1:
        _preload()  # shared by every child; a single child imports while it parses (see _inspect)
        # Every core reads a file of its own: each file's XML scan runs in a thread.
        calls = [(i, p, fn, (*args, False), kw) for i, p, fn, args, kw in calls]
    results = run_many(calls, process) if isolate else ((c[0], c[2](*c[3])) for c in calls)
    with contextlib.closing(results):  # stopped early (Ctrl-C, a bug): every child is killed now
        _collect(results, out, started, catalog, progress)
    return [out[i] for i in range(len(out))]


def _collect(
    results,
    out: dict[int, Inspection],
    started: dict[int, float],
    catalog: Catalog,
    progress: Callable[[int], None] | None,
) -> None:
    for i, result in results:
        base = out[i].report
        if isinstance(result, Failed):
            base.findings.append(result.finding)
            base.unreadable = True
        else:
            result.report.size, result.report.sha256 = base.size, base.sha256
            result.report.file = base.file
            if result.ctx is not None:
                result.ctx.catalog = catalog
            out[i] = result
        out[i].report.seconds = time.perf_counter() - started[i]
        if progress:
            progress(1)


def _preload() -> None:
    """Import the checks and their libraries (pandas, pandera: ~0.5 s). Before forking several
    children, so that each inherits them; in a single child, while its sheets are parsed."""
    from ecomsheets.read import workbook  # noqa: F401

    from . import checks

    checks.warm_up()


def _inspect(
    path: Path, catalog: Catalog, bundle: str | None, month: Month | None, keep: str, scan_in_process: bool = True
) -> Inspection:
    """The work of one child: read the file, then check it (see `checks`)."""
    import threading

    from ecomsheets.read.workbook import read_workbook

    loaders: list[threading.Thread] = []

    def load_checks() -> None:
        # The parser releases the GIL, so the checks' libraries load while the sheets are
        # parsed. The reader calls this after forking its scan process: never fork with a
        # second thread running.
        loaders.append(threading.Thread(target=_preload, daemon=True))
        loaders[-1].start()

    data = read_workbook(path, catalog, bundle, while_parsing=load_checks, scan_in_process=scan_in_process)
    for thread in loaders:
        thread.join()
    from .checks import check_workbook

    return check_workbook(path, data, catalog, month, keep)
