"""Write a department workbook: one sheet per table, the summary, instructions, lists and
metadata, with xlsxwriter, atomically."""

from __future__ import annotations

import time as _time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ecomsheets import messages
from ecomsheets.atomic import atomic_output
from ecomsheets.errors import UsageError
from ecomsheets.months import Month
from ecomsheets.schema import Catalog
from ecomsheets.xlsx.layout import WorkbookLayout
from ecomsheets.xlsx.styles import Styles
from ecomsheets.xlsx.worksheet import add_worksheet, new_workbook

from .instructions import render_instructions, write_instructions_sheet
from .lists_sheet import ListSources
from .masters_sheet import instruction_lines, master_layouts, master_metadata, write_master_sheet
from .meta_sheet import metadata, write_meta_sheet
from .summary_sheet import parameter_refs, summary_sheet_name, write_summary_sheet
from .table_sheet import write_table_sheet

MAX_ROWS = 100_000


@dataclass(frozen=True)
class GenerateResult:
    path: Path
    sheets: list[str]
    seconds: float
    meta: dict


def generate_workbook(
    catalog: Catalog,
    bundle_name: str,
    path: Path,
    *,
    month: Month | None = None,
    lang: str = "zh",
    tables: list[str] | None = None,
    rows: int = 500,
    force: bool = False,
    now: datetime | None = None,
    data: dict | None = None,
    masters: dict | None = None,
    record: dict | None = None,
) -> GenerateResult:
    """Generate the workbook of a bundle (optionally only some of its tables).

    Blank by default; with `data` ({table: DataFrame of typed values}) the sheets are filled
    with those rows instead of `rows` empty formatted ones. `masters` ({table: MasterSource},
    see `masters_sheet.read_master_copies`): read-only copies of the master lists the tables
    refer to, after the tables' sheets. `record`: more metadata entries (an import's exports).
    """

    started = _time.perf_counter()
    bundle = catalog.bundle(bundle_name)
    if not 1 <= rows <= MAX_ROWS:
        raise UsageError(*messages.both("cli_bad_rows", max=MAX_ROWS, value=rows))
    names = list(bundle.tables)
    if tables is not None and not tables:
        raise UsageError(*messages.both("cli_unknown_table", name="", known=", ".join(names)))
    if tables:
        for name in tables:
            if name not in names:
                raise UsageError(
                    *messages.both("cli_table_not_in_bundle", name=name, bundle=bundle.name, known=", ".join(names))
                )
        names = [n for n in names if n in tables]
    specs = [catalog.tables[n] for n in names]
    counts = {name: len(frame) for name, frame in data.items()} if data is not None else None
    layout = WorkbookLayout.build(specs, rows, lang, counts, parameter_refs(bundle, lang))
    now = now or datetime.now()
    generated_at = now.strftime("%Y-%m-%d %H:%M:%S")
    copies = master_layouts(catalog, bundle, names, masters, lang) if masters else {}

    with atomic_output(Path(path), force=force) as tmp:
        # Rows are written in order, so constant-memory mode keeps memory flat at any size.
        wb = new_workbook(tmp)
        wb.set_properties(
            {
                "title": bundle.title,
                "subject": str(month or ""),
                "created": now,
                "comments": f"ecomsheets {bundle.name} v{bundle.version}",
            }
        )
        wb.set_calc_mode("auto")
        styles = Styles(wb)
        present = {tl.table.name: tl.table for tl in layout.tables.values()}
        lines = render_instructions(bundle, layout, present, month, generated_at)
        lines += instruction_lines(copies, masters or {}, lang)
        write_instructions_sheet(wb, styles, lines, lang)
        summary_ws = add_worksheet(wb, summary_sheet_name(bundle, lang))  # second tab, filled last
        lists = ListSources(layout, copies)
        for tl in layout.tables.values():
            write_table_sheet(wb, styles, layout, tl, present, month, lists, (data or {}).get(tl.table.name))
        for name, ml in copies.items():
            write_master_sheet(wb, styles, ml, masters[name], lang, now.strftime("%Y-%m-%d %H:%M"))
        cached = None
        if data is not None:  # a filled workbook stores its figures' results (see cached.py)
            from .cached import CachedResults

            cached = CachedResults(catalog, bundle, layout, data, month)
        summary = write_summary_sheet(summary_ws, styles, layout, bundle, month, cached)
        lists.write(wb)
        meta = metadata(bundle, layout, month, generated_at, summary, master_metadata(copies, masters or {}))
        meta.update(record or {})
        write_meta_sheet(wb, meta)
        sheets = [ws.get_name() for ws in wb.worksheets()]
        wb.worksheets()[0].activate()
        wb.close()
    return GenerateResult(Path(path), sheets, _time.perf_counter() - started, meta)
