"""The schema objects every part of ecomsheets reads: columns, tables, workbook bundles,
rules and metrics. They are frozen; the loader builds and checks them from YAML."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ecomsheets import messages
from ecomsheets.coltypes import ColumnType, get_type
from ecomsheets.errors import UsageError

from . import expr


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    title: str
    type: str
    title_en: str = ""
    required: bool = False
    unique: bool = False
    min: float | None = None
    max: float | None = None
    values: tuple[str, ...] | None = None
    pattern: str | None = None
    references: str | None = None  # "table.column"
    formula: str | None = None
    aliases: tuple[str, ...] = ()
    width: float | None = None
    note: str | None = None
    note_en: str | None = None
    max_length: int | None = None
    in_month: bool = False  # dates must fall inside the workbook's month
    total: bool = False  # the summary sheet shows this column's total
    example: str | None = None  # how example rows fill it: an expression of other columns and _rand
    example_from: str | None = None  # or a reference list to draw values from
    default: Any = None  # what a blank cell means to row rules (a blank leave type is 无)
    value_aliases: tuple[tuple[str, str], ...] = ()  # other spellings of enum values (alias, value)
    origin: bool = False  # where an imported row came from ("天猫订单.csv 第 17 行"); blank when typed
    progress: bool = False  # the values are listed in the order a row goes through them (a status)
    formula_ast: Any = field(default=None, compare=False, repr=False)
    example_ast: Any = field(default=None, compare=False, repr=False)

    @property
    def coltype(self) -> ColumnType:
        return get_type(self.type)

    @property
    def derived(self) -> bool:
        return self.formula is not None

    @property
    def ref_table(self) -> str | None:
        return self.references.split(".", 1)[0] if self.references else None

    @property
    def ref_column(self) -> str | None:
        return self.references.split(".", 1)[1] if self.references else None

    def header(self, lang: str = "zh") -> str:
        return self.title_en if lang == "en" and self.title_en else self.title

    def display_width(self) -> float:
        return self.width or max(self.coltype.default_width, text_width(self.title) + 4)


@dataclass(frozen=True)
class RuleSpec:
    """A row rule: `check` must hold on every row where its columns are filled in."""

    name: str
    check: str
    message: str
    message_en: str
    columns: tuple[str, ...]  # where a failure is reported (first = the cell named)
    when: str | None = None
    severity: str = "error"  # or "warning" (e.g. a late arrival is worth a note, not a rejection)
    table: str | None = None  # set for a bundle's rules, which may also use its parameters
    check_ast: Any = field(default=None, compare=False, repr=False)
    when_ast: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class ParameterSpec:
    """A department setting (work hours, response limit …) that formulas and checks read."""

    name: str
    value: Any  # None: left for the manager to fill in
    title: str = ""
    title_en: str = ""
    type: str = ""  # a column type name, for a parameter left blank
    example: Any = None  # what example workbooks fill in for a parameter left blank

    def filled_value(self) -> Any:
        """The value a filled-in (example) workbook has: the manager's example for a blank one."""
        return self.example if self.value is None else self.value

    def label(self, lang: str = "zh") -> str:
        return (self.title_en if lang == "en" else self.title) or self.title or self.name


@dataclass(frozen=True)
class FormSpec:
    """What a paper form carries besides its table: a note on who fills in what, fields filled
    once for the whole sheet (the department's duties …) above the table, and the sign-off
    line printed at the foot of every page (编制 / 审核 / 批准)."""

    note: str = ""
    note_en: str = ""
    fields: tuple[tuple[str, str, str], ...] = ()  # (name, title, title_en)
    signoff: tuple[tuple[str, str], ...] = ()  # (title, title_en)

    @property
    def rows(self) -> int:
        """The rows it takes between the title banner and the table's header."""
        return (1 if self.note else 0) + len(self.fields)


@dataclass(frozen=True)
class TableSpec:
    name: str
    title: str
    sheet: str
    columns: tuple[ColumnSpec, ...]
    title_en: str = ""
    sheet_en: str = ""
    description: str = ""
    description_en: str = ""
    version: int = 1
    primary_key: tuple[str, ...] = ()
    # Values of these columns belong to one submitted file (an order and all its lines): the
    # same value from two files is a conflict when consolidating, whatever the rest of the key.
    file_key: tuple[str, ...] = ()
    # The key is unique within one file only: each file speaks for its own shop, so two shops'
    # rows for the same day and channel are two rows, never a conflict when consolidating.
    key_per_file: bool = False
    rules: tuple[RuleSpec, ...] = ()
    header_row: int = 2  # row 1 carries the sheet's title banner
    source: str = ""  # the YAML file it came from
    example_rows: int | None = None  # size of this table in example data (master data of a real shop)
    # The department's settings this table's formulas and rules read (work hours, a time
    # limit …); the bundle collects them onto its summary sheet, where the manager may change them.
    parameters: tuple[ParameterSpec, ...] = ()
    form: FormSpec | None = None

    @property
    def first_data_row(self) -> int:
        return self.header_row + 1

    @cached_property
    def by_name(self) -> dict[str, ColumnSpec]:
        return {c.name: c for c in self.columns}

    def column(self, name: str) -> ColumnSpec:
        return self.by_name[name]

    @cached_property
    def progress(self) -> ColumnSpec | None:
        """The column whose values say how far a row has gone (an order's status), if any."""
        return next((c for c in self.columns if c.progress and c.values), None)

    @cached_property
    def origin(self) -> str | None:
        """The column that says where an imported row came from, if the table has one."""
        return next((c.name for c in self.columns if c.origin), None)

    def columns_in(self, node: Any, blank_tests: bool = True) -> list[str]:
        """The columns of this table an expression reads (parameters left out); without the
        ones only ISBLANK() asks about when `blank_tests` is False."""
        return [n for n in expr.names(node, blank_tests) if n in self.by_name]

    def sheet_name(self, lang: str = "zh") -> str:
        return (self.sheet_en or self.title_en) if lang == "en" else self.sheet

    def display_title(self, lang: str = "zh") -> str:
        return self.title_en if lang == "en" and self.title_en else self.title


@dataclass(frozen=True)
class MetricSpec:
    """A summary figure: an aggregate over a table column, or an expression of other metrics."""

    name: str
    title: str
    title_en: str = ""
    agg: str | None = None  # sum | count | distinct | avg | min | max
    table: str | None = None
    column: str | None = None
    where: str | None = None
    by: str | None = None  # group by an enum/date column of `table`
    period: str | None = None  # day | week, for `by` on a date column
    expr: str | None = None  # e.g. "sales_total / order_count"
    format: str = "decimal"  # a column type name used to format the value
    note: str | None = None
    note_en: str | None = None
    where_ast: Any = field(default=None, compare=False, repr=False)
    expr_ast: Any = field(default=None, compare=False, repr=False)

    def label(self, lang: str = "zh") -> str:
        return self.title_en if lang == "en" and self.title_en else self.title

    def note_text(self, lang: str = "zh") -> str | None:
        return (self.note_en or self.note) if lang == "en" else self.note


@dataclass(frozen=True)
class CheckSpec:
    """A cross-sheet rule of a bundle: a row's column (or a fixed `value`) compared with an
    aggregate of the matching rows of another table.

    e.g. headcount_plan.current = count of employees whose position = position_name;
    after_sales.refund_amount <= sum of the order's paid amounts.
    """

    name: str
    table: str
    column: str
    agg: str
    source_table: str
    match: tuple[tuple[str, str], ...]  # (column of `table`, column of `source_table`)
    source_column: str | None = None
    where: str | None = None
    message: str = ""
    message_en: str = ""
    op: str = "="  # the row's side `op` the aggregate
    value: float | None = None  # compared instead of the column's value
    when: str | None = None  # only rows of `table` where this holds are checked
    tolerance: float | str = 0  # a number, or a parameter's name
    severity: str = "error"
    where_ast: Any = field(default=None, compare=False, repr=False)
    when_ast: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class TotalsCheckSpec:
    """Two of a bundle's figures that must agree: e.g. the finance sheet's sales income and
    the orders' paid total, within a tolerance."""

    name: str
    metric: str
    against: str
    op: str = "="
    tolerance: float | str = 0  # a number, or a parameter's name
    severity: str = "error"
    message: str = ""
    message_en: str = ""


@dataclass(frozen=True)
class MasterSpec:
    """A master list (员工, 商品, 客户) that team workbooks carry a read-only copy of, so that
    their dropdowns and references work offline: the table and the columns copied."""

    table: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class RosterEntry:
    """Who must hand in what each month: a team or shop (`name`) and the bundle of its file."""

    name: str
    bundle: str


@dataclass(frozen=True)
class BundleSpec:
    name: str
    title: str
    tables: tuple[str, ...]
    title_en: str = ""
    description: str = ""
    description_en: str = ""
    version: int = 1
    parameters: tuple[tuple[str, Any], ...] = ()  # (name, value), for lookups
    parameter_specs: tuple[ParameterSpec, ...] = ()
    checks: tuple[CheckSpec, ...] = ()
    totals_checks: tuple[TotalsCheckSpec, ...] = ()
    rules: tuple[RuleSpec, ...] = ()  # row rules that use the bundle's parameters
    metrics: tuple[MetricSpec, ...] = ()
    summary_sheet: str = messages.text("summary_sheet_default", "zh")
    summary_sheet_en: str = messages.text("summary_sheet_default", "en")
    source: str = ""
    # A team's bundle names the bundle it is part of (`family: department`): it takes that
    # bundle's parameters, checks and metrics for its own tables, and a month's files of one
    # family consolidate into one summary of the family bundle.
    family: str = ""
    masters: tuple[MasterSpec, ...] = ()  # declared on the family bundle
    roster: tuple[RosterEntry, ...] = ()  # declared on the family bundle
    # The figures the overview charts and the side-by-side of teams or shops compares.
    headline: tuple[str, ...] = ()

    @property
    def family_name(self) -> str:
        return self.family or self.name

    def label(self, lang: str = "zh") -> str:
        return self.title_en if lang == "en" and self.title_en else self.title

    def parameter(self, name: str, default: Any = None) -> Any:
        return dict(self.parameters).get(name, default)


def text_width(text: str) -> int:
    """Approximate width in Excel character units (CJK characters count double)."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


def pad(text: object, width: int) -> str:
    """`text` padded with spaces to `width` display columns (CJK characters take two), so that
    columns of mixed Chinese and Latin text line up in a terminal."""
    text = str(text)
    return text + " " * max(0, width - text_width(text))


@dataclass(frozen=True)
class ReferenceList:
    """Reference data (provinces, couriers, channels): values plus optional attributes."""

    name: str
    title: str
    items: tuple[dict[str, Any], ...]

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(item["value"] for item in self.items)


@dataclass
class Catalog:
    """Every table, bundle and reference list known to this run."""

    tables: dict[str, TableSpec] = field(default_factory=dict)
    bundles: dict[str, BundleSpec] = field(default_factory=dict)
    reference: dict[str, ReferenceList] = field(default_factory=dict)
    # Earlier versions of tables still kept (schemas/tables/history/): (name, version) -> spec.
    history: dict[tuple[str, int], TableSpec] = field(default_factory=dict)
    # How platform and ERP exports map onto the tables (schemas/imports/): name -> ImportProfile.
    imports: dict[str, Any] = field(default_factory=dict)

    def bundle(self, name: str) -> BundleSpec:
        """A bundle by its name or its title (`客服售后`, as the department calls it)."""
        if name in self.bundles:
            return self.bundles[name]
        for b in self.bundles.values():
            if name in (b.title, b.title_en):
                return b
        known = ", ".join(f"{n} ({b.title})" for n, b in sorted(self.bundles.items()))
        raise UsageError(*messages.both("cli_unknown_workbook", name=name, known=known))

    def family(self, bundle: BundleSpec) -> BundleSpec:
        """The bundle a team's bundle is part of (itself when it is not part of another)."""
        return self.bundles.get(bundle.family_name, bundle)

    def members(self, family: str) -> list[BundleSpec]:
        """The bundles of one family, the family bundle first."""
        return sorted(
            (b for b in self.bundles.values() if b.family_name == family), key=lambda b: (b.name != family, b.name)
        )

    def masters_of(self, bundle: BundleSpec) -> list[MasterSpec]:
        """The master lists a bundle's tables refer to but it does not hold itself: a team
        workbook carries read-only copies of them."""
        wanted = {c.ref_table for t in self.tables_of(bundle) for c in t.columns if c.references} - set(bundle.tables)
        return [m for m in self.family(bundle).masters if m.table in wanted]

    def table_version(self, name: str, version: int) -> TableSpec | None:
        """A table as it was at `version`: the current one, or one kept in history."""
        current = self.tables.get(name)
        if current is not None and current.version == version:
            return current
        return self.history.get((name, version))

    def table(self, name: str) -> TableSpec:
        if name not in self.tables:
            known = ", ".join(sorted(self.tables))
            raise UsageError(*messages.both("cli_unknown_table", name=name, known=known))
        return self.tables[name]

    def tables_of(self, workbook: BundleSpec) -> list[TableSpec]:
        return [self.tables[name] for name in workbook.tables]


def param_kind(value: Any, type_name: str = "") -> str:
    """Numbers and times ("09:00", a fraction of a day) are numbers in expressions; a blank
    parameter is of its declared type."""
    if value is None and type_name:
        return get_type(type_name).kind
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return expr.NUMBER
    if isinstance(value, str) and re.fullmatch(r"\d{1,2}:\d{2}", value):
        return expr.NUMBER
    return expr.TEXT


def param_value(value: Any) -> Any:
    """A parameter as an expression value (Excel semantics: a time is a fraction of a day)."""
    if isinstance(value, str) and re.fullmatch(r"\d{1,2}:\d{2}", value):
        h, m = value.split(":")
        return (int(h) * 60 + int(m)) / 1440
    return float("nan") if value is None else value
