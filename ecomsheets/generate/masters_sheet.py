"""Read-only copies of master lists (员工, 商品, 客户) in a team workbook.

A team's sheets refer to master lists another team keeps (客服 picks a 工号 from 员工). The
workbook carries a protected copy of each, taken from a master file the manager names, so that
dropdowns list the master's keys and validation can check references offline. Each copy is a
sheet after the team's own (主数据-员工): a title row saying where it came from, the header, the
rows as text (never a formula, whatever the master file holds).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from xlsxwriter.utility import xl_col_to_name

from ecomsheets import messages
from ecomsheets.errors import UsageError
from ecomsheets.process.isolate import ProcessLimits
from ecomsheets.read.guard import Limits
from ecomsheets.schema import BundleSpec, Catalog, MasterSpec, TableSpec
from ecomsheets.textsafe import shown_path
from ecomsheets.xlsx.layout import quote_sheet
from ecomsheets.xlsx.printing import print_setup
from ecomsheets.xlsx.sanitize import clean_text
from ecomsheets.xlsx.styles import Styles
from ecomsheets.xlsx.worksheet import add_worksheet

if TYPE_CHECKING:  # the validating reader is loaded only when master files are read
    from ecomsheets.validate.run import MasterSource

HEADER_ROW = 2  # the title row above it says where the copy came from
FIRST_ROW = 3


def needed_masters(catalog: Catalog, bundle: BundleSpec, tables: list[str] | None = None) -> list[MasterSpec]:
    """The master lists the bundle's tables (or those of them named) refer to but do not hold."""
    names = set(bundle.tables if tables is None else (n for n in tables if n in bundle.tables))
    refs = {c.ref_table for n in names for c in catalog.tables[n].columns if c.references}
    return [m for m in catalog.masters_of(bundle) if m.table in refs and m.table not in names]


def read_master_copies(
    catalog: Catalog,
    bundle_name: str,
    paths,
    *,
    tables: list[str] | None = None,
    limits: Limits = Limits(),
    process: ProcessLimits = ProcessLimits(),
) -> dict[str, MasterSource]:
    """The master lists a team workbook needs, from the files named (`generate --masters`).

    Every list needed must be found: a workbook handed out with some dropdowns working and
    others not would be checked against half its masters, and nobody would notice. So a list
    none of the files holds is refused, naming the list and the files."""
    from ecomsheets.validate.run import read_masters

    bundle = catalog.bundle(bundle_name)
    wanted = needed_masters(catalog, bundle, tables)
    if not wanted:
        return {}
    found = read_masters(paths, catalog=catalog, wanted=wanted, limits=limits, process=process)
    for m in wanted:
        if m.table not in found:
            t = catalog.tables[m.table]
            files = ", ".join(shown_path(p) for p in paths)
            raise UsageError(*messages.both("ms_not_found", title=t.sheet, title_en=t.sheet_name("en"), files=files))
    return found


def masters_from_frames(catalog: Catalog, bundle: BundleSpec, frames: dict, source: str) -> dict[str, MasterSource]:
    """Master copies from typed rows at hand (the department's example rows for a team's
    example workbook): `frames` by table name, `source` the name the copies say they come from."""
    import pandas as pd

    from ecomsheets.compute.metrics import key_text
    from ecomsheets.validate.run import MasterSource

    out = {}
    for m in needed_masters(catalog, bundle):
        frame = frames.get(m.table)
        if not isinstance(frame, pd.DataFrame):
            continue
        rows = pd.DataFrame({c: key_text(frame[c]).astype(object) for c in m.columns if c in frame})
        out[m.table] = MasterSource(m.table, source, "", "", rows.reset_index(drop=True))
    return out


@dataclass(frozen=True)
class MasterLayout:
    """Where a master copy sits in the workbook."""

    table: TableSpec
    sheet: str
    columns: tuple[str, ...]
    rows: int

    @property
    def last_row(self) -> int:
        return FIRST_ROW + max(self.rows, 1) - 1

    def key_range(self, column: str) -> str | None:
        """The copied column's cells, for a dropdown list ('主数据-员工'!$A$3:$A$52)."""
        if column not in self.columns:
            return None
        letter = xl_col_to_name(self.columns.index(column))
        return f"{quote_sheet(self.sheet)}!${letter}${FIRST_ROW}:${letter}${self.last_row}"


def master_layouts(
    catalog: Catalog, bundle: BundleSpec, tables: list[str], sources: dict[str, MasterSource], lang: str
) -> dict[str, MasterLayout]:
    """A sheet for each master list the written tables need and a source provides."""
    out = {}
    for m in needed_masters(catalog, bundle, tables):
        src = sources.get(m.table)
        if src is None:
            continue
        t = catalog.tables[m.table]
        columns = tuple(c for c in m.columns if c in src.rows.columns)
        sheet = messages.text("ms_sheet", lang, title=t.sheet_name(lang))[:31]
        out[m.table] = MasterLayout(t, sheet, columns, len(src.rows))
    return out


def write_master_sheet(wb, styles: Styles, ml: MasterLayout, src: MasterSource, lang: str, copied_at: str) -> None:
    """The protected copy: title row, header, the rows as text."""
    ws = add_worksheet(wb, ml.sheet)
    cols = [ml.table.column(c) for c in ml.columns]
    widths = [max(c.display_width(), 12) for c in cols]
    for i, width in enumerate(widths):
        ws.set_column(i, i, width)
    title = messages.text(
        "ms_title",
        lang,
        title=ml.table.display_title(lang),
        source=clean_text(src.file) or "?",
        modified=src.modified or "?",
        copied=copied_at,
    )
    # Text from the master file is never a formula: write_string, whatever it starts with.
    ws.merge_range(0, 0, 0, max(len(cols) - 1, 1), "", styles.text)
    ws.write_string(0, 0, title, styles.text)
    ws.set_row(0, 48)
    for i, col in enumerate(cols):
        ws.write_string(HEADER_ROW - 1, i, col.header(lang), styles.header)
    cell = styles.cell("@")
    values = [src.rows[c].tolist() for c in ml.columns]
    for r in range(ml.rows):
        for i, column in enumerate(values):
            v = column[r]
            if v is None or (isinstance(v, float) and v != v):
                ws.write_blank(FIRST_ROW - 1 + r, i, None, cell)
            else:
                ws.write_string(FIRST_ROW - 1 + r, i, clean_text(str(v)), cell)
    ws.freeze_panes(HEADER_ROW, 0)
    print_setup(ws, widths, title_row=HEADER_ROW - 1)
    ws.protect()


def master_metadata(layouts: dict[str, MasterLayout], sources: dict[str, MasterSource]) -> list[dict]:
    """The metadata's record of each copy (read back by read.masters, checked by read.meta)."""
    return [
        {
            "table": ml.table.name,
            "sheet": ml.sheet,
            "header_row": HEADER_ROW,
            "first_data_row": FIRST_ROW,
            "rows": ml.rows,
            "columns": list(ml.columns),
            "source": sources[name].file,
            "modified": sources[name].modified,
            "sha256": sources[name].sha256 or None,
        }
        for name, ml in layouts.items()
    ]


def instruction_lines(layouts: dict[str, MasterLayout], sources: dict[str, MasterSource], lang: str) -> list[str]:
    """Lines for the instructions sheet (its line markers: `## ` a heading)."""
    if not layouts:
        return []
    lines = ["", "## " + messages.text("ms_instructions", lang)]
    for name, ml in layouts.items():
        src = sources[name]
        lines.append(
            messages.text(
                "ms_instructions_line",
                lang,
                sheet=ml.sheet,
                title=ml.table.display_title(lang),
                n=ml.rows,
                source=clean_text(src.file) or "?",
                modified=src.modified or "?",
            )
        )
    return lines
