"""Workbooks made from another version of a table's schema.

Each such sheet gets one `schema_version` warning: the version it was made from, the current
one, the columns added, removed and renamed since, and what it was checked against. A file
made from an older version the catalogue still keeps (schemas/tables/history/) is checked
against that version: its columns' types, bounds and required marks and its row rules (see
`schema.changes.as_made`); the columns added since are not required. Without the old
declaration the sheet is checked against the current version, less the columns added since.
A file made from a newer version than the catalogue knows is checked against the current one,
with a word that ecomsheets or the schema folder needs updating.
"""

from __future__ import annotations

from ecomsheets import messages
from ecomsheets.findings import WARNING, Finding, finding
from ecomsheets.read.workbook import WorkbookData
from ecomsheets.rules import Rule
from ecomsheets.schema import Catalog, TableSpec
from ecomsheets.schema.changes import TableChanges, column_changes


def version_findings(path: str, data: WorkbookData, catalog: Catalog) -> list[Finding]:
    """What the file's tables were made from, when it is not the current version. (The reader
    has already read a sheet made from an older version kept in the catalogue as that version
    declared it: `read.workbook._as_made`.)"""
    out = []
    for name, (version, columns) in sorted(data.versions.items()):
        current = catalog.tables.get(name)
        if current is None or data.bundle is None or name not in data.bundle.tables:
            continue
        sheet = data.sheets.get(name)
        shown = sheet.sheet if sheet is not None else _meta_sheet(data, current)
        fields = dict(
            file=path,
            sheet=shown,
            table=name,
            title=current.title,
            title_en=current.title_en or current.title,
            old=version,
            new=current.version,
        )
        if version > current.version:
            out.append(
                finding(
                    Rule.SCHEMA_VERSION,
                    WARNING,
                    changes="",
                    checked=messages.Both(*messages.both("ver_newer", new=current.version)),
                    **fields,
                )
            )
            continue
        old = catalog.table_version(name, version)
        changes = column_changes(current, old, columns, version)
        checked = (
            messages.both("ver_checked_history", old=version)
            if old is not None
            else messages.both("ver_checked_current")
        )
        words = change_words(changes) if old is not None or columns else messages.both("ver_unknown_columns")
        out.append(
            finding(
                Rule.SCHEMA_VERSION,
                WARNING,
                changes=messages.Both(*words),
                checked=messages.Both(*checked),
                **fields,
            )
        )
    return out


def change_words(changes: TableChanges) -> messages.Both:
    """The change list in words: `Changes: added 'Address'; removed 'Fax'. `"""
    items = change_items(changes)
    if not items:
        return messages.Both(*messages.both("ver_same_columns"))
    return messages.Both(*messages.both("ver_changes", items=messages.join(items, "sep_clause")))


def change_items(changes: TableChanges) -> list[messages.Both]:
    """One phrase per kind of change: added …, removed …, renamed … (none when unchanged)."""

    def cols(columns) -> messages.Both:
        return messages.join(
            messages.Both(
                messages.text("ver_column", "zh", name=c.header("zh")),
                messages.text("ver_column", "en", name=c.header("en")),
            )
            for c in columns
        )

    items = []
    if changes.added:
        items.append(messages.Both(*messages.both("ver_added", cols=cols(changes.added))))
    if changes.removed:
        items.append(messages.Both(*messages.both("ver_removed", cols=cols(changes.removed))))
    if changes.renamed:
        pairs = messages.join(
            messages.Both(
                messages.text("ver_rename_pair", "zh", old=o.header("zh"), new=n.header("zh")),
                messages.text("ver_rename_pair", "en", old=o.header("en"), new=n.header("en")),
            )
            for o, n in changes.renamed
        )
        items.append(messages.Both(*messages.both("ver_renamed", cols=pairs)))
    return items


def _meta_sheet(data: WorkbookData, table: TableSpec) -> str:
    """The sheet the file's metadata names for a table it does not have (or the usual one)."""
    for t in (data.meta or {}).get("tables", []):
        if t.get("name") == table.name and isinstance(t.get("sheet"), str):
            return t["sheet"]
    return table.sheet
