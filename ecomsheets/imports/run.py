"""`import`: platform and ERP exports → one department workbook, validated like a handed-in one.

Each export is read (source), matched to its profile (detect), mapped onto our tables
(mapping); overlapping exports are merged (overlap); the workbook is written with the
generator and checked with the validator, so that what `import` says is what `validate`
will say of the file."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from ecomsheets import messages
from ecomsheets.atomic import check_target
from ecomsheets.errors import EcomsheetsError, UsageError
from ecomsheets.findings import Finding, Report
from ecomsheets.months import Month, parse_month
from ecomsheets.process.isolate import ProcessLimits
from ecomsheets.read.guard import Limits
from ecomsheets.schema import Catalog

from .detect import AUTO, check_platform, choose, known_headers
from .mapping import Cleaned, Mapped, map_export, month_column, provided_columns
from .overlap import merge, unique_orders
from .source import Refused, read_export

BUNDLE = "department"


@dataclass
class FileLine:
    """What `import` says of one export."""

    file: str
    platform: str | None = None
    title: str | None = None
    title_en: str | None = None
    encoding: str | None = None
    rows: int = 0
    orders: int = 0
    total_rows: int = 0
    header_rows: int = 0
    replaced: int = 0
    left_out: list[tuple[int, str]] = field(default_factory=list)
    refused: Finding | None = None
    alike: list[tuple[str, str, str]] = field(default_factory=list)  # profiles the headers fit as well

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "platform": self.platform,
            "title": self.title,
            "encoding": self.encoding,
            "rows": self.rows,
            "orders": self.orders,
            "total_rows": self.total_rows,
            "header_rows": self.header_rows,
            "replaced": self.replaced,
            "left_out": [{"row": r, "why": why} for r, why in self.left_out],
            "refused": self.refused.message if self.refused else None,
            "refused_en": self.refused.message_en if self.refused else None,
            "alike": [name for name, _, _ in self.alike],
        }


@dataclass
class ImportResult:
    output: Path | None
    month: Month | None
    month_guessed: bool
    files: list[FileLine]
    tables: dict[str, int]
    replaced: int = 0
    conflicts: int = 0
    findings: list[Finding] = field(default_factory=list)  # of the exports: rows left out, totals, conflicts
    report: Report | None = None  # the imported workbook validated
    seconds: dict[str, float] = field(default_factory=dict)
    sheets: dict[str, str] = field(default_factory=dict)  # table -> its sheet in the workbook

    def sheet_rows(self) -> list[tuple[str, int]]:
        """(sheet name, rows written) of each table of the workbook."""
        return [(self.sheets.get(t, t), n) for t, n in self.tables.items()]

    @property
    def exit_code(self) -> int:
        if any(f.refused for f in self.files) or self.output is None:
            return 2
        errors = sum(1 for f in self.findings if f.severity == "error")
        return 1 if errors or (self.report is not None and self.report.errors) else 0

    def to_dict(self, max_findings: int | None = None) -> dict:
        return {
            "output": str(self.output) if self.output else None,
            "month": str(self.month) if self.month else None,
            "files": [f.to_dict() for f in self.files],
            "tables": self.tables,
            "replaced": self.replaced,
            "conflicts": self.conflicts,
            "findings": [f.to_dict() | {"file": f.file} for f in self.findings],
            "validation": self.report.to_dict(max_findings) if self.report else None,
            "seconds": self.seconds,
        }


def import_exports(
    paths: list[Path],
    out: Path,
    *,
    catalog: Catalog,
    platform: str = AUTO,
    month: Month | str | None = None,
    shop: str | None = None,
    force: bool = False,
    lang: str = "zh",
    limits: Limits = Limits(),
    process: ProcessLimits = ProcessLimits(),
    now: datetime | None = None,
) -> ImportResult:
    """Read the exports, write the department workbook `out`, validate it (see module doc)."""
    from ecomsheets.generate.workbook import generate_workbook
    from ecomsheets.validate.run import validate

    clock = {"start": time.perf_counter()}
    check_platform(catalog, platform)
    paths = [Path(p) for p in paths]
    if Path(out).suffix.lower() != ".xlsx":  # the workbook is xlsx, whatever the name says
        raise UsageError(*messages.both("imp_output_xlsx", path=out))
    check_target(out, force=force, inputs=tuple(paths))
    wanted = parse_month(month) if isinstance(month, str) else month
    known = known_headers(catalog)
    lines: list[FileLine] = []
    read: list[tuple[FileLine, object, object]] = []
    for path in paths:
        line = FileLine(path.name)
        lines.append(line)
        try:
            raw = read_export(path, known, limits, process)
            profile, alike = choose(catalog, raw, platform)
        except Refused as exc:
            line.refused = exc.finding
            continue
        line.platform, line.title, line.title_en = profile.name, profile.title, profile.title_en
        line.alike = [(p.name, p.title, p.title_en or p.title) for p in alike]
        line.encoding, line.rows = raw.encoding, len(raw)
        read.append((line, raw, profile))
    clock["read"] = time.perf_counter()
    guessed = wanted is None
    the_month = wanted or _month_of(read, catalog)
    mapped: list[Mapped] = []
    mapped_lines: list[FileLine] = []
    for line, raw, profile in read:
        try:
            m = map_export(raw, profile, catalog, the_month, lang)
        except Refused as exc:
            line.refused = exc.finding
            continue
        line.total_rows, line.header_rows, line.left_out = m.total_rows, m.header_rows, m.left_out
        line.orders = unique_orders(m.frames["orders"]) if "orders" in m.frames else 0
        mapped.append(m)
        mapped_lines.append(line)
    clock["map"] = time.perf_counter()
    if not mapped:
        return ImportResult(None, the_month, guessed, lines, {}, findings=[])
    merged = merge(mapped, catalog.tables["orders"].progress)
    for line, replaced in zip(mapped_lines, merged.replaced):
        line.replaced = replaced
    findings = [f for m in mapped for f in m.findings] + merged.findings
    if not len(merged.frames.get("orders", ())):  # every row left out (why: in the findings)
        return ImportResult(None, the_month, guessed, lines, {}, findings=findings)
    table_order = [t for t in catalog.bundle(BUNDLE).tables if t in merged.frames]
    present = [t for t in table_order if t == "orders" or len(merged.frames[t])]
    data = {t: _for_sheet(merged.frames[t], catalog, t) for t in present}
    record = {"imports": provided_columns(mapped)}
    if shop:
        record["shop"] = shop
    generate_workbook(
        catalog, BUNDLE, out, month=the_month, lang=lang, tables=present, data=data, force=force, now=now, record=record
    )
    clock["write"] = time.perf_counter()
    report = validate(out, catalog=catalog, month=the_month, limits=limits, process=process)
    clock["validate"] = time.perf_counter()
    steps = ["start", "read", "map", "write", "validate"]
    seconds = {b: round(clock[b] - clock[a], 3) for a, b in zip(steps, steps[1:])}
    return ImportResult(
        Path(out),
        the_month,
        guessed,
        lines,
        {t: len(data[t]) for t in present},
        replaced=sum(merged.replaced),
        conflicts=merged.conflicts,
        findings=findings,
        report=report,
        seconds=seconds,
        sheets={t: catalog.tables[t].sheet_name(lang) for t in present},
    )


def _for_sheet(frame: pd.DataFrame, catalog: Catalog, table: str) -> pd.DataFrame:
    return frame[[c.name for c in catalog.tables[table].columns if c.name in frame]].reset_index(drop=True)


def _month_of(read: list, catalog: Catalog) -> Month | None:
    """The month most orders were placed in (said as such by the command)."""
    counts: Counter = Counter()
    for _line, raw, profile in read:
        orders = profile.table("orders")
        src = dict(orders.columns).get(month_column(catalog.tables["orders"]) or "") if orders else None
        if src is None:
            continue
        values = Cleaned(raw).source(src)
        if values is None:
            continue
        dates = pd.to_datetime(pd.Series(values.to_pandas()), errors="coerce", format="mixed")
        counts.update(dates.dropna().dt.strftime("%Y-%m").value_counts().to_dict())
    if not counts:
        return None
    try:
        return parse_month(counts.most_common(1)[0][0])
    except EcomsheetsError:
        return None
