"""What every check receives: the typed rows of each table (with their Excel row numbers and
original texts) and a sink that builds findings. Every finding is listed, up to a safety limit
per kind that no real workbook reaches (a crafted one could make millions); past it they are
counted, and every count shown anywhere includes them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ecomsheets import messages
from ecomsheets.findings import ERROR, ROW_NEUTRAL, Finding, finding, truncation_key
from ecomsheets.months import Month
from ecomsheets.read.masters import MasterKeys
from ecomsheets.read.workbook import SheetData
from ecomsheets.rules import Rule
from ecomsheets.schema import BundleSpec, Catalog, ColumnSpec, TableSpec

MAX_PER_RULE = 100_000  # findings listed per (rule, sheet, column); the rest are counted


@dataclass
class TableData:
    sheet: SheetData
    typed: pd.DataFrame  # typed values by column name, index = Excel row numbers
    invalid: dict[str, np.ndarray] = field(default_factory=dict)  # column -> unreadable cells
    derived: dict[str, pd.Series] = field(default_factory=dict)  # recomputed derived columns
    # Imported rows (see validate.imported): per column, the rows whose export did not have it
    # (not required of them), and per derived column, the rows whose export gave the figure.
    waived: dict[str, np.ndarray] = field(default_factory=dict)
    given_rows: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def table(self) -> TableSpec:
        return self.sheet.table

    def origin(self, row: int) -> str | None:
        """Where an imported row came from (its 来源 cell), None for a typed row."""
        name = self.table.origin
        raw = self.sheet.raw
        if name is None or name not in raw or row not in raw.index:
            return None
        v = raw.at[row, name]
        return None if pd.isna(v) else str(v)[:300]

    def value(self, column: str, row: int) -> str:
        """The cell's text as the submitter sees it in the spreadsheet."""
        raw = self.sheet.raw
        if column in raw and row in raw.index:
            v = raw.at[row, column]
            return "" if pd.isna(v) else shown_text(str(v))
        return ""


def shown_text(text: str) -> str:
    """Date and time cells come out of the reader as 2026-10-03 00:00:00 or 1899-12-31 09:30:00;
    show them as a spreadsheet does."""
    if len(text) == 19 and text[4] == "-" and text[13] == ":":
        if text.startswith(("1899-12-30", "1899-12-31")):
            return text[11:16] if text.endswith(":00") else text[11:]
        if text.endswith(" 00:00:00"):
            return text[:10]
        return text[:16] if text.endswith(":00") else text
    return text


def shown_number(value: float) -> str:
    """A recomputed figure as people write it: 1,573.2 / 894."""
    if value != value:
        return ""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")


@dataclass
class Context:
    file: str
    catalog: Catalog
    bundle: BundleSpec
    month: Month | None
    params: dict
    tables: dict[str, TableData] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    bad_cells: set = field(default_factory=set)  # (table, column, row) with a cell-level error
    counts: Counter = field(default_factory=Counter)
    truncated: Counter = field(default_factory=Counter)
    wrong_month: str | None = None  # the one other month (nearly) all dated cells are in
    error_rows: dict = field(default_factory=dict)  # table -> rows with an error that makes the row unusable
    unset_reported: set = field(default_factory=set)  # parameters left blank, already said
    # Master lists references are checked against when the file does not hold the table:
    # those named with `validate --masters`, then the file's own read-only copies (by table).
    masters: dict[str, MasterKeys] = field(default_factory=dict)
    copies: dict[str, MasterKeys] = field(default_factory=dict)
    checked_by_master: set = field(default_factory=set)  # tables references were checked against as a master list
    imports: list = field(default_factory=list)  # the export files the workbook was imported from (metadata)

    def add(
        self,
        rule: Rule | str,
        td: TableData | None,
        column: str | None,
        row: int | None,
        severity: str = ERROR,
        **fields,
    ) -> None:
        """Record one finding at a cell (or a whole column/sheet when row is None)."""
        rule = Rule(rule)  # an unknown code raises here, even past the listing limit
        if td is not None and row is not None and severity == ERROR:
            self.bad_cells.add((td.table.name, column, row))
            if rule not in ROW_NEUTRAL:
                self.error_rows.setdefault(td.table.name, set()).add(row)
        key = (rule, td.sheet.sheet if td else None, column)
        self.counts[key] += 1
        if self.counts[key] > MAX_PER_RULE:
            self.truncated[truncation_key(severity, rule, key[1], column)] += 1
            return
        if td is not None:
            col: ColumnSpec | None = td.table.by_name.get(column) if column else None
            fields.setdefault("header", td.sheet.headers.get(column) or (col.title if col else ""))
            if row is not None and column in td.sheet.letters:
                fields.setdefault("cell", td.sheet.cell(column, row))
                fields.setdefault("value", td.value(column, row))
            fields.setdefault("sheet", td.sheet.sheet)
            fields.setdefault("table", td.table.name)
            origin = td.origin(row) if row is not None else None
            if origin:
                fields["origin"] = origin
        made = finding(rule, severity, file=self.file, row=row, column=column, **fields)
        if made.origin:  # the export's own file and row, where the person can look it up
            zh, en = messages.both("origin_suffix", origin=made.origin)
            made = replace(made, message=made.message + zh, message_en=made.message_en + en)
        self.findings.append(made)
