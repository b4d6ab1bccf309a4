"""The summary sheet (汇总): parameters, records and totals per sheet, then every metric of
the bundle as a live formula; grouped metrics get fixed grids (enum values, days, weeks, or
the rows of the table they group by)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from ecomsheets import messages
from ecomsheets.coltypes import get_type
from ecomsheets.months import WEEKS, Month, week_label
from ecomsheets.schema import BundleSpec, MetricSpec, expr
from ecomsheets.xlsx.layout import WorkbookLayout, quote_sheet
from ecomsheets.xlsx.printing import print_setup
from ecomsheets.xlsx.styles import Styles
from ecomsheets.xlsx.worksheet import formula_writer

from .metric_formulas import (
    Criteria,
    aggregate_formula,
    expression_formula,
    where_criteria,
)

_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
PARAM_FIRST_ROW = 3  # the month's row (0-based), under the section heading
WIDTHS = (34, 18, 20)  # label, value, note (or the grids' first members)
MEMBER_WIDTH = 16  # the grids' further members
TITLE_COLUMNS = 5  # the title spans A:E


@dataclass
class SummaryMap:
    """Where each figure landed, for the metadata sheet, so that validation finds the figures a file declares (validate.summary_check.declared_cells)."""

    sheet: str
    params: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, dict] = field(default_factory=dict)
    # The records and column totals per sheet: [{"cell", "table", "agg": count|sum, "column"}].
    totals: list[dict] = field(default_factory=list)


def parameter_rows(bundle: BundleSpec) -> dict[str, int]:
    """The summary sheet's row (0-based) of the month and of each parameter: their values sit in
    column B, where table formulas read them (see parameter_refs)."""
    rows = {"month": PARAM_FIRST_ROW}
    for i, param in enumerate(bundle.parameter_specs):
        rows[param.name] = PARAM_FIRST_ROW + 1 + i
    return rows


def parameter_refs(bundle: BundleSpec, lang: str) -> dict[str, str]:
    """Each parameter's cell as a formula on a table sheet names it: '汇总'!$B$5."""
    sheet = quote_sheet(summary_sheet_name(bundle, lang))
    return {name: f"{sheet}!{xl_rowcol_to_cell(row, 1, True, True)}" for name, row in parameter_rows(bundle).items()}


def summary_sheet_name(bundle: BundleSpec, lang: str) -> str:
    return bundle.summary_sheet_en if lang == "en" else bundle.summary_sheet


def write_summary_sheet(
    ws, styles: Styles, layout: WorkbookLayout, bundle: BundleSpec, month: Month | None, cached=None
) -> SummaryMap:
    """`cached` (a `cached.CachedResults`, for a workbook filled with rows) gives each
    formula's result to store with it; without it a blank template stores 0 for its counts
    and totals (right: it has no rows) and nothing for the metrics."""
    lang = layout.lang
    known = cached is not None
    name = ws.get_name()
    out = SummaryMap(name)
    t = lambda code, **kw: messages.text(code, lang, **kw)  # noqa: E731
    for i, width in enumerate(WIDTHS):
        ws.set_column(i, i, width)
    ws.set_column(len(WIDTHS), 8, MEMBER_WIDTH)
    title = bundle.title_en if lang == "en" and bundle.title_en else bundle.title
    ws.merge_range(
        0,
        0,
        0,
        TITLE_COLUMNS - 1,
        t("wb_summary_title", title=title, month=month.label(lang) if month else ""),
        styles.banner,
    )
    ws.set_row(0, 24)
    row = 2

    # Parameters: editable cells that the formulas below (and derived columns) read.
    ws.write_string(row, 0, t("wb_section_params"), styles.subheading)
    month_fmt = styles.cell("yyyy-mm", param=True)
    cells = parameter_rows(bundle)
    row = cells["month"]
    ws.write_string(row, 0, t("wb_month_param"), styles.label)
    if month:
        ws.write_datetime(row, 1, datetime.combine(month.start, time()), month_fmt)
    else:
        ws.write_blank(row, 1, None, month_fmt)
    out.params["month"] = xl_rowcol_to_cell(row, 1, True, True)
    for param in bundle.parameter_specs:
        row = cells[param.name]
        ws.write_string(row, 0, param.label(lang), styles.label)
        _write_param(ws, row, param, styles, lang, filled=known)
        out.params[param.name] = xl_rowcol_to_cell(row, 1, True, True)
    row += 1
    month_cell = out.params["month"]

    # Records and money totals per sheet.
    row += 1
    ws.write_string(row, 0, t("wb_section_counts"), styles.subheading)
    row += 1
    for tl in layout.tables.values():
        key = tl.key_column()
        ws.write_string(row, 0, t("wb_records", sheet=tl.sheet), styles.label)
        ws.write_formula(
            row,
            1,
            f'=COUNTIF({tl.column_range(key.name)},"<>")',
            styles.cell_bordered("#,##0"),
            cached.records(tl) if known else 0,
        )
        out.totals.append(
            {"cell": xl_rowcol_to_cell(row, 1), "table": tl.table.name, "agg": "count", "column": key.name}
        )
        row += 1
        for col in tl.table.columns:
            if col.total:
                ws.write_string(row, 0, t("wb_column_total", sheet=tl.sheet, column=col.header(lang)), styles.label)
                ws.write_formula(
                    row,
                    1,
                    f"=SUM({tl.column_range(col.name)})",
                    styles.cell_bordered(col.coltype.num_format),
                    cached.total(tl, col.name) if known else 0,
                )
                out.totals.append(
                    {"cell": xl_rowcol_to_cell(row, 1), "table": tl.table.name, "agg": "sum", "column": col.name}
                )
                row += 1

    metrics = [m for m in bundle.metrics if _available(m, bundle, layout)]
    cells: dict[str, str] = {}

    # Ungrouped metrics.
    row += 1
    ws.write_string(row, 0, t("wb_section_metrics"), styles.subheading)
    row += 1
    for m in metrics:
        if m.by is not None:
            continue
        formula = _ungrouped(m, layout, out.params, cells)
        ws.write_string(row, 0, m.label(lang), styles.label)
        ws.write_formula(
            row,
            1,
            "=" + formula,
            styles.cell_bordered(get_type(m.format).num_format),
            cached.metric(m.name) if known else "",
        )
        if m.note_text(lang):
            ws.write_string(row, 2, m.note_text(lang), styles.base_text)
        cells[m.name] = xl_rowcol_to_cell(row, 1, True, True)
        out.metrics[m.name] = {"cell": f"{name}!{xl_rowcol_to_cell(row, 1)}"}
        row += 1

    # Grouped metrics: one block per (table, by, period).
    blocks: dict[tuple, list[MetricSpec]] = {}
    for m in metrics:
        if m.by is not None:
            blocks.setdefault((m.table, m.by, m.period), []).append(m)
    for (table_name, by, period), members in sorted(blocks.items(), key=lambda kv: _grid_size(kv[0], layout)):
        row += 1
        row = _write_block(ws, row, layout, table_name, by, period, members, out, month_cell, styles, name, cached)
    # Printed as wide as its widest part: the title, or a grid's key and members.
    columns = max([TITLE_COLUMNS] + [1 + len(members) for members in blocks.values()])
    print_setup(ws, [*WIDTHS, *[MEMBER_WIDTH] * (columns - len(WIDTHS))][:columns])
    return out


def _available(m: MetricSpec, bundle: BundleSpec, layout: WorkbookLayout) -> bool:
    """A metric is shown only if every table it needs is in this workbook."""
    if m.table and m.table not in layout.tables:
        return False
    if m.by and m.table:
        col = layout.tables[m.table].table.column(m.by)
        if col.references and col.ref_table not in layout.tables:
            return False
    if m.expr_ast is not None:
        by_name = {x.name: x for x in bundle.metrics}
        return all(_available(by_name[n], bundle, layout) for n in expr.names(m.expr_ast))
    return True


def _ungrouped(m: MetricSpec, layout, params, cells) -> str:
    if m.expr_ast is not None:
        return expression_formula(m, lambda n: cells[n])
    tl = layout.tables[m.table]
    return aggregate_formula(m, tl, where_criteria(m.where_ast, tl, params))


def _grid_size(key, layout) -> int:
    table_name, by, period = key
    col = layout.tables[table_name].table.column(by)
    if period == "week":
        return WEEKS
    if period == "day":
        return 31
    if col.values:
        return len(col.values)
    return 10**6 + layout.tables[table_name].rows


def _write_block(ws, row, layout, table_name, by, period, members, out, month_cell, styles, sheet, cached=None) -> int:
    lang = layout.lang
    tl = layout.tables[table_name]
    by_col = tl.table.column(by)
    ws.write_string(
        row, 0, messages.text("wb_group_by", lang, column=by_col.header(lang), sheet=tl.sheet), styles.subheading
    )
    row += 1
    ws.write_string(row, 0, by_col.header(lang), styles.table_head)
    for j, m in enumerate(members, start=1):
        ws.write_string(row, j, m.label(lang), styles.table_head)
    row += 1
    by_range = tl.column_range(by)
    keys = _grid_keys(layout, tl, by_col, period, month_cell, lang)
    write_formula = formula_writer(ws)
    key_fmt = styles.cell_bordered("yyyy-mm-dd" if period == "day" else None)
    formats = [styles.cell_bordered(get_type(m.format).num_format) for m in members]
    letters = {x.name: xl_col_to_name(k) for k, x in enumerate(members, start=1)}
    # Outside day and week grids only the key cell changes from row to row: each member's
    # formula is built once, with a placeholder for it (a master table's grid has a row per
    # master row, so this is most of the summary's formulas).
    same = (
        None
        if period
        else [
            _body(m, tl, out.params, _group_criteria(by_col, period, by_range, _KEY, month_cell, 0), letters, _KEY)
            for m in members
        ]
    )
    first = row
    for i, key in enumerate(keys):
        r = first + i
        key_cell = f"$A${r + 1}"
        # The key's result (the day, the master row's value) and the group the row shows.
        shown, group = cached.grid_key(layout, tl, by_col, period, i) if cached is not None else ("", None)
        if isinstance(key, tuple):  # a formula: the key follows the month or a master table
            write_formula(r, 0, key[0], key_fmt, shown)
        else:
            ws.write_string(r, 0, key, styles.label)
            group = key
        # Rows whose key is blank (no month yet, fewer master rows) stay blank.
        guard = key_cell if isinstance(key, tuple) else (month_cell if period else None)
        if same is None:
            crit = _group_criteria(by_col, period, by_range, key_cell, month_cell, i)
            bodies = [_body(m, tl, out.params, crit, letters, str(r + 1)) for m in members]
        else:
            bodies = [b.replace(_KEY, key_cell).replace(_ROW, str(r + 1)) for b in same]
        for j, (m, body) in enumerate(zip(members, bodies), start=1):
            formula = f'=IF({guard}="","",{body})' if guard else "=" + body
            value = cached.metric(m.name, group) if cached is not None and group is not None else ""
            write_formula(r, j, formula, formats[j - 1], value)
    for j, m in enumerate(members, start=1):
        letter = xl_col_to_name(j)
        out.metrics[m.name] = {
            "sheet": sheet,
            "keys": f"A{first + 1}:A{first + len(keys)}",
            "values": f"{letter}{first + 1}:{letter}{first + len(keys)}",
            "grid": _grid_kind(by_col, period),
        }
    return first + len(keys)


_KEY, _ROW = "\x00key\x00", "\x00row\x00"  # placeholders (no formula holds a NUL character)


def _body(m: MetricSpec, tl, params, crit: Criteria, letters: dict, row: str) -> str:
    """A grid cell's formula without its guard; `row`: its row number (or the _KEY placeholder,
    which then stands for the row number in expression members)."""
    if m.expr_ast is not None:
        number = _ROW if row == _KEY else row
        return expression_formula(m, lambda n: f"{letters[n]}{number}")
    return aggregate_formula(m, tl, where_criteria(m.where_ast, tl, params).plus(*crit.pairs))


def _grid_kind(by_col, period) -> str:
    if period:
        return period
    return "values" if by_col.values and not by_col.references else "rows"


def _grid_keys(layout, tl, by_col, period, month_cell, lang):
    """The grid's key cells: fixed texts, or 1-tuples of a formula that follows the month or
    the rows of a master table."""
    if period == "day":
        return [
            (f'=IF({month_cell}="","",IF({month_cell}+{i}<=EOMONTH({month_cell},0),{month_cell}+{i},""))',)
            for i in range(31)
        ]
    if period == "week":
        return [week_label(i, lang) for i in range(WEEKS)]
    if by_col.values and not by_col.references:
        return list(by_col.values)
    source = layout.tables[by_col.ref_table] if by_col.references else tl
    source_col = by_col.ref_column if by_col.references else by_col.name
    letter = source.letters[source_col]
    ref = f"{quote_sheet(source.sheet)}!${letter}$"
    # As far as the source's formulas reach: rows added below its pre-formatted ones are listed.
    return [(f'=IF({ref}{r}="","",{ref}{r})',) for r in range(source.first_row, source.last_formula_row + 1)]


def _group_criteria(by_col, period, by_range, key_cell, month_cell, i) -> Criteria:
    if period == "day":
        return Criteria(((by_range, f'">="&{key_cell}'), (by_range, f'"<"&({key_cell}+1)')))
    if period == "week":
        lo = f"{month_cell}+{7 * i}"
        hi = f"{month_cell}+{7 * (i + 1)}" if i < WEEKS - 1 else f"EOMONTH({month_cell},0)+1"
        return Criteria(((by_range, f'">="&({lo})'), (by_range, f'"<"&({hi})')))
    return Criteria(((by_range, key_cell),))


def _write_param(ws, row, param, styles, lang: str, filled: bool) -> None:
    """`filled`: a workbook of example rows, where a blank setting has the manager's example."""
    value = param.filled_value() if filled else param.value
    if value is None:  # the department's own setting, which the manager fills in here
        fmt = get_type(param.type).num_format if param.type else "@"
        ws.write_blank(row, 1, None, styles.cell(fmt, param=True))
        ws.write_string(row, 2, messages.text("wb_param_fill_in", lang), styles.label)
    elif isinstance(value, bool):
        ws.write_boolean(row, 1, value, styles.cell(None, param=True))
    elif isinstance(value, (int, float)):
        fmt = "#,##0" if isinstance(value, int) else "#,##0.00"
        ws.write_number(row, 1, value, styles.cell(fmt, param=True))
    elif isinstance(value, str) and _TIME.match(value):
        h, m = (int(x) for x in _TIME.match(value).groups())
        ws.write_datetime(row, 1, time(h, m), styles.cell("hh:mm", param=True))
    else:
        ws.write_string(row, 1, str(value), styles.cell("@", param=True))
