"""Master lists as references are checked against them: the read-only copies a team workbook
carries (主数据-员工 …), and the keys of master files named at validation time.

A copy is never taken for the table itself (主数据-员工 is not 员工): the reader sets master
sheets aside by the metadata's list and, when the metadata is gone, by their name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ecomsheets import messages
from ecomsheets.compute.metrics import key_text
from ecomsheets.schema import Catalog, TableSpec

from .coerce import coerce_column
from .headers import find_header, norm, sheet_keys

MAX_SOURCE = 200  # characters of a copy's source name kept (metadata is untrusted input)


@dataclass(frozen=True)
class MasterKeys:
    """The texts of a master list's columns, as reference checks compare them.

    `sheet` is the copy's sheet in the file ("" for a master file named at validation time);
    `source` the file the list was taken from."""

    table: str
    source: str
    keys: dict[str, frozenset[str]] = field(default_factory=dict)  # column name -> its texts
    sheet: str = ""

    def target(self, catalog_table: TableSpec) -> tuple[str, str]:
        """How a finding names this list (zh, en): the copy's sheet or the master file."""
        if self.sheet:
            return messages.both("ms_ref_copy", sheet=self.sheet, source=self.source or "?")
        return (
            messages.text("ms_ref_given", "zh", title=catalog_table.sheet, source=self.source),
            messages.text("ms_ref_given", "en", title=catalog_table.sheet_name("en"), source=self.source),
        )


def master_sheets(names: list[str], meta: dict | None, catalog: Catalog) -> dict[str, tuple[str, dict]]:
    """The workbook's master copies: {sheet: (table name, its metadata entry or {})}."""
    out: dict[str, tuple[str, dict]] = {}
    prefixes = messages.both("ms_sheet_prefixes")
    for entry in (meta or {}).get("masters") or ():
        # Only a sheet named as a copy: edited metadata must not hide a table from the checks.
        sheet = entry["sheet"]
        if sheet in names and sheet.startswith(prefixes) and entry["table"] in catalog.tables:
            out[sheet] = (entry["table"], entry)
    for name in names:
        if name in out:
            continue
        for prefix in prefixes:
            if name.startswith(prefix):
                rest = norm(name[len(prefix) :])
                table = next((t.name for t in catalog.tables.values() if rest and rest in sheet_keys(t)), None)
                if table is not None:
                    out[name] = (table, {})
                break
    return out


def read_master_sheet(head: list[list], batch, offset: int, table: TableSpec, sheet: str, entry: dict):
    """A copy's keys from its parsed sheet (`head`: its first rows as lists; `batch`: the
    sheet as Arrow, row i = Excel row i + 1). None when no header of the table is found."""
    match = find_header(head, table)
    if match is None:
        return None
    body = batch.slice(match.row)
    keys = {}
    for name, ci in match.columns.items():
        if not 0 <= ci - offset < body.num_columns:
            continue
        typed = coerce_column(body.column(ci - offset), table.column(name)).values
        keys[name] = frozenset(key_text(typed.dropna()).dropna())
    source = entry.get("source")
    return MasterKeys(table.name, str(source)[:MAX_SOURCE] if isinstance(source, str) else "", keys, sheet)
