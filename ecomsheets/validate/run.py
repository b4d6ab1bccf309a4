"""Validate one submitted workbook: guard, read, type, check, report.

The guard runs here; everything that parses the file runs in a child process (see
`ecomsheets.process.isolate`), which sends back only what the caller keeps: the report for
`validate`, the typed rows and metrics for `summarize` and `consolidate`.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ecomsheets import messages
from ecomsheets.errors import UsageError
from ecomsheets.fileinfo import sha256
from ecomsheets.findings import ERROR, Report
from ecomsheets.months import Month, parse_month
from ecomsheets.process.isolate import Failed, ProcessLimits, run_many
from ecomsheets.read.guard import Limits, check_file
from ecomsheets.read.masters import MasterKeys
from ecomsheets.schema import Catalog, MasterSpec, load_catalog
from ecomsheets.textsafe import shown_path

from .inspection import Inspection

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Inspection", "MasterSource", "inspect_many", "inspect_workbook", "master_keys", "read_masters", "validate"]


def validate(
    path,
    *,
    catalog: Catalog | None = None,
    bundle: str | None = None,
    month: Month | str | None = None,
    limits: Limits = Limits(),
    process: ProcessLimits = ProcessLimits(),
    isolate: bool = True,
    masters: dict[str, MasterKeys] | None = None,
) -> Report:
    """Check a workbook against its schemas; every problem is a Finding in the Report.
    `masters`: master lists to check references against (see `read_masters`, `master_keys`)."""
    return inspect_workbook(
        path,
        catalog=catalog,
        bundle=bundle,
        month=month,
        limits=limits,
        process=process,
        isolate=isolate,
        keep="report",
        masters=masters,
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
    masters: dict[str, MasterKeys] | None = None,
) -> Inspection:
    """Validate a workbook and keep its typed rows (keep="tables") and its recomputed metrics
    (keep="metrics", the default); keep="report" keeps only the report."""
    (insp,) = inspect_many(
        [path],
        catalog=catalog,
        bundle=bundle,
        month=month,
        limits=limits,
        process=process,
        isolate=isolate,
        keep=keep,
        masters=masters,
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
    masters: dict[str, MasterKeys] | None = None,
) -> list[Inspection]:
    """Inspect several files, reading `process.workers` of them at once; results in input order.

    The guard runs here; the parsing of each file that passes it runs in its own child process.
    `masters` (table -> keys, read once per run) is handed to every child.
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
        extra = {"masters": masters} if masters else {}
        calls.append((i, str(path), _inspect, (path, catalog, bundle, month, keep), extra))
    if isolate and len(calls) > 1:
        preload()  # shared by every child; a single child imports while it parses (see _inspect)
        # Every core reads a file of its own: each file's XML scan runs in a thread.
        calls = [(i, p, fn, (*args, False), kw) for i, p, fn, args, kw in calls]
    results = run_many(calls, process) if isolate else ((c[0], c[2](*c[3], **c[4])) for c in calls)
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


def preload() -> None:
    """Import the checks and their libraries (pandas, pandera: ~0.5 s). Before forking several
    children, so that each inherits them; in a single child, while its sheets are parsed."""
    from ecomsheets.read import workbook  # noqa: F401

    from . import checks

    checks.warm_up()


def _inspect(
    path: Path,
    catalog: Catalog,
    bundle: str | None,
    month: Month | None,
    keep: str,
    scan_in_process: bool = True,
    masters: dict[str, MasterKeys] | None = None,
) -> Inspection:
    """The work of one child: read the file, then check it (see `checks`)."""
    import threading

    from ecomsheets.read.workbook import read_workbook

    loaders: list[threading.Thread] = []

    def load_checks() -> None:
        # The parser releases the GIL, so the checks' libraries load while the sheets are
        # parsed. The reader calls this after forking its scan process: never fork with a
        # second thread running.
        loaders.append(threading.Thread(target=preload, daemon=True))
        loaders[-1].start()

    data = read_workbook(path, catalog, bundle, while_parsing=load_checks, scan_in_process=scan_in_process)
    for thread in loaders:
        thread.join()
    from .checks import check_workbook

    return check_workbook(path, data, catalog, month, keep, masters=masters)


@dataclass(frozen=True)
class MasterSource:
    """A master list as read from a master file: its rows' texts and the file's facts."""

    table: str
    file: str  # the file's name (no folders)
    sha256: str
    modified: str  # the file's date, YYYY-MM-DD
    rows: pd.DataFrame  # one text column per copied column (None where blank), in the file's order


def read_masters(
    paths,
    *,
    catalog: Catalog,
    wanted: Iterable[MasterSpec],
    limits: Limits = Limits(),
    process: ProcessLimits = ProcessLimits(),
) -> dict[str, MasterSource]:
    """The master lists `wanted` from the files named (the first file that holds each), read
    with the validating reader. A file that cannot be read, that holds none of them, or whose
    copied columns have errors is refused (UsageError): a master list is trusted by every file
    checked against it. A list none of the files holds is left out (the caller decides)."""
    from ecomsheets.compute.metrics import key_text

    wanted = list(wanted)
    paths = [Path(p) for p in paths]
    found: dict[str, MasterSource] = {}
    for path, insp in zip(paths, inspect_many(paths, catalog=catalog, limits=limits, process=process, keep="tables")):
        report, shown = insp.report, shown_path(path)
        if report.unreadable or insp.ctx is None:
            first = next((f for f in report.findings if f.severity == ERROR), None)
            reason = (first.message, first.message_en) if first else messages.both("no_sheet")
            raise UsageError(*messages.both("ms_unusable", file=shown, reason=reason[0], reason_en=reason[1]))
        held = [m for m in wanted if m.table in insp.ctx.tables and len(insp.ctx.tables[m.table].typed)]
        if not held:
            titles = messages.join(catalog.tables[m.table].sheet for m in wanted)
            titles_en = messages.join(catalog.tables[m.table].sheet_name("en") for m in wanted)
            raise UsageError(
                *messages.both("ms_no_master_in_file", file=shown, titles=titles[0], titles_en=titles_en[1])
            )
        for m in held:
            if m.table in found:
                continue
            td = insp.ctx.tables[m.table]
            errors = [
                f
                for f in report.findings
                if f.severity == ERROR and f.table == m.table and (f.column is None or f.column in m.columns)
            ]
            if errors:
                raise UsageError(
                    *messages.both(
                        "ms_has_errors",
                        file=shown,
                        sheet=td.sheet.sheet,
                        n=len(errors),
                        where=errors[0].where,
                        first=errors[0].message,
                        first_en=errors[0].message_en,
                    )
                )
            import pandas as pd

            key = next((c for c in catalog.tables[m.table].primary_key if c in m.columns), m.columns[0])
            rows = pd.DataFrame({c: key_text(td.typed[c]).astype(object) for c in m.columns if c in td.typed})
            rows = rows[rows[key].notna()] if key in rows else rows
            modified = datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d")
            found[m.table] = MasterSource(
                m.table, path.name, report.sha256 or "", modified, rows.reset_index(drop=True)
            )
    return found


def master_keys(sources: dict[str, MasterSource]) -> dict[str, MasterKeys]:
    """Master lists as the reference checks take them: plain sets of texts (cheap to hand to
    every child)."""
    return {
        table: MasterKeys(table, src.file, {c: frozenset(src.rows[c].dropna()) for c in src.rows.columns})
        for table, src in sources.items()
    }
