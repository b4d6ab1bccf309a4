"""What changed in a table between the version a workbook was made from and the current one,
and the table as such a workbook is checked.

A column is known by its name. An old column missing from the current table was renamed
when a new column (one the old version did not have) lists the old title, English title or
name among its titles or `aliases`: the header people typed still reads as that column.
Without the old version's declaration (no history kept) only the old column names are known.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, is_dataclass, replace
from typing import Any

from . import expr
from .model import ColumnSpec, TableSpec


@dataclass(frozen=True)
class Column:
    """A column as a change list names it (titles are empty when only the name is known)."""

    name: str
    title: str = ""
    title_en: str = ""

    def header(self, lang: str = "zh") -> str:
        if lang == "en":
            return self.title_en or self.title or self.name
        return self.title or self.name

    @classmethod
    def of(cls, col: ColumnSpec) -> Column:
        return cls(col.name, col.title, col.title_en)


@dataclass(frozen=True)
class TableChanges:
    """The columns added, removed and renamed from `old_version` to `new_version`."""

    table: str
    old_version: int
    new_version: int
    added: tuple[Column, ...] = ()
    removed: tuple[Column, ...] = ()
    renamed: tuple[tuple[Column, Column], ...] = ()  # (old, new)
    from_history: bool = False  # the old version's declaration was at hand

    @property
    def columns_changed(self) -> bool:
        return bool(self.added or self.removed or self.renamed)

    def renames(self) -> dict[str, str]:
        """Old column name -> current name."""
        return {old.name: new.name for old, new in self.renamed}


def _key(text: str) -> str:
    return "".join(str(text).split()).casefold()


def column_changes(
    current: TableSpec, old: TableSpec | None, old_columns: Sequence[str] = (), old_version: int = 0
) -> TableChanges:
    """The change list from a workbook's version of a table to `current`.

    `old` is that version's declaration when the catalogue keeps it; otherwise `old_columns`
    (the column names the workbook's metadata recorded) is all that is known of it.
    """
    if old is not None:
        before = [Column.of(c) for c in old.columns]
        old_version = old.version
    elif old_columns:
        before = [Column(str(n)) for n in old_columns]
    else:  # nothing known of that version's columns: no change can be named
        return TableChanges(current.name, old_version, current.version)
    now = {c.name: c for c in current.columns}
    had = {c.name for c in before}
    gone = [c for c in before if c.name not in now]
    new = [c for c in current.columns if c.name not in had]
    renamed: list[tuple[Column, Column]] = []
    for col in gone:
        said = {_key(t) for t in (col.name, col.title, col.title_en) if t}
        for target in new:
            if target.name in {n.name for _, n in renamed}:
                continue
            known = {_key(t) for t in (target.title, target.title_en, *target.aliases) if t}
            if said & known:
                renamed.append((col, Column.of(target)))
                break
    moved = {o.name for o, _ in renamed}
    taken = {n.name for _, n in renamed}
    return TableChanges(
        table=current.name,
        old_version=old_version,
        new_version=current.version,
        added=tuple(Column.of(c) for c in new if c.name not in taken),
        removed=tuple(c for c in gone if c.name not in moved),
        renamed=tuple(renamed),
        from_history=old is not None,
    )


def as_made(current: TableSpec, old: TableSpec) -> TableSpec:
    """The table as a workbook made from `old` is checked: the old version's columns (their
    types, bounds, required) and row rules, a renamed column under its current name (so the
    bundle's checks and figures find it), and the columns added since, which such a file
    does not have (blank everywhere, never required)."""
    changes = column_changes(current, old)
    renames = changes.renames()
    columns = [_renamed_column(c, renames) for c in old.columns]
    for col in current.columns:
        if col.name not in {c.name for c in columns}:
            columns.append(replace(col, required=False))

    def names(seq: Sequence[str]) -> tuple[str, ...]:
        return tuple(renames.get(n, n) for n in seq)

    rules = tuple(
        replace(
            r,
            columns=names(r.columns),
            check_ast=rename(r.check_ast, renames),
            when_ast=rename(r.when_ast, renames),
        )
        for r in old.rules
    )
    return replace(
        old,
        columns=tuple(columns),
        rules=rules,
        primary_key=names(old.primary_key),
        file_key=names(old.file_key),
    )


def _renamed_column(col: ColumnSpec, renames: dict[str, str]) -> ColumnSpec:
    if not renames:
        return col
    return replace(
        col,
        name=renames.get(col.name, col.name),
        formula_ast=rename(col.formula_ast, renames),
        example_ast=rename(col.example_ast, renames),
    )


def rename(node: Any, renames: dict[str, str]) -> Any:
    """An expression with column names replaced (old name -> current name)."""
    if node is None or not renames:
        return node
    if isinstance(node, expr.Name):
        return replace(node, name=renames.get(node.name, node.name))
    if not is_dataclass(node) or isinstance(node, type):
        return node
    changed = {}
    for f in fields(node):
        value = getattr(node, f.name)
        if isinstance(value, tuple):
            changed[f.name] = tuple(rename(v, renames) for v in value)
        elif is_dataclass(value):
            changed[f.name] = rename(value, renames)
    return replace(node, **changed)


__all__ = ["Column", "TableChanges", "as_made", "column_changes", "rename"]
