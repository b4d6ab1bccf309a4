"""The summary sheet (汇总) against the rows. Every figure it shows must equal the
recomputation: a figure typed over its formula, and a formula's saved result (what Excel, WPS
or LibreOffice calculated when the file was saved: what the manager sees). A disagreement is
an error at that cell with both values and its likely cause, found in the data (rows below the
reach of the template's formulas or ranges, derived cells without formulas, numbers stored as
text...). A formula whose saved result is an error value (#VALUE!...) is an error at its cell,
naming the data cells behind it.

Files whose formulas were never calculated save no result (openpyxl) or an empty one
(xlsxwriter): nothing to compare. Formula cells are recomputed, never trusted."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ecomsheets import messages
from ecomsheets.cells import parse as nz
from ecomsheets.compute.metrics import evaluate_metrics
from ecomsheets.findings import ERROR, VALUE_LIMIT, WARNING, Finding, finding
from ecomsheets.read.workbook import WorkbookData
from ecomsheets.rules import Rule
from ecomsheets.schema import expr

from .context import Context, TableData, shown_number

_RANGE = re.compile(r"^([A-Z]+)(\d+):([A-Z]+)(\d+)$")
# A range of another sheet in a formula as saved: '订单'!$I$3:$I$502, or 订单!$I$3:$I$502.
_SHEET_RANGE = re.compile(
    r"(?:'((?:[^']|'')+)'|([^\s'!(),=&\"<>*/+\-:;{}^%]+))!\$?([A-Z]{1,3})\$?(\d+)"
    r":\$?([A-Z]{1,3})\$?(\d+)"
)
_NUMERAL = re.compile(r"^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$")  # ASCII: \d would take ２ too
_ROW = re.compile(r"\d+")


def metric_frames(ctx: Context) -> dict:
    return {name: td.typed.assign(**td.derived) for name, td in ctx.tables.items()}


def declared_cells(data: WorkbookData) -> list[tuple[str, object, str]]:
    """(metric name, group key or None, cell) for every figure the metadata places."""
    summary = (data.meta or {}).get("summary") or {}
    out = []
    for name, place in summary.get("metrics", {}).items():
        if "cell" in place:
            out.append((name, None, place["cell"].split("!")[-1]))
            continue
        keys, values = _RANGE.match(place["keys"]), _RANGE.match(place["values"])
        if not keys or not values:
            continue
        for r in range(int(keys[2]), int(keys[4]) + 1):
            key = data.summary_cells.get(f"{keys[1]}{r}")
            if key is None or key == "":
                continue
            key = key[:10] if place.get("grid") == "day" else key
            out.append((name, key, f"{values[1]}{r}"))
    return out


def declared_totals(data: WorkbookData) -> list[dict]:
    """The records and column totals per sheet the metadata places ({"cell", "table", "agg",
    "column"}; templates made before they were recorded have none)."""
    summary = (data.meta or {}).get("summary") or {}
    totals = summary.get("totals") if isinstance(summary, dict) else None
    return [t for t in totals or () if isinstance(t, dict) and {"cell", "table", "agg", "column"} <= set(t)]


def check_summary(ctx: Context, data: WorkbookData, *, need_values: bool = True, values: list | None = None) -> list:
    """Compare the summary's figures with recomputed ones and report its error values; returns
    the metric values (computed only when asked for, or when there is a figure to compare;
    `values`: already computed)."""
    formulas = data.summary_formulas
    errors = getattr(formulas, "errors", None) or {}
    cells = declared_cells(data)
    typed = [
        (name, group, cell)
        for name, group, cell in cells
        if data.summary_cells.get(cell) is not None and cell not in formulas
    ]
    saved = [
        (name, group, cell)
        for name, group, cell in cells
        if cell in formulas and cell not in errors and _saved(data.summary_cells.get(cell)) is not None
    ]
    totals = [
        t
        for t in declared_totals(data)
        if t["table"] in ctx.tables
        and t["cell"] in formulas
        and t["cell"] not in errors
        and _saved(data.summary_cells.get(t["cell"])) is not None
    ]
    if data.summary_sheet and errors:
        _report_errors(ctx, data, errors)
    if values is None and not need_values and not typed and not saved and not totals:
        return []  # nothing to compare, and nobody asked for the figures
    if values is None:
        values = evaluate_metrics(ctx.bundle, ctx.catalog.tables, metric_frames(ctx), ctx.month, params=ctx.params)
    if not data.summary_sheet:
        return values
    lookup = {(v.name, v.group): v for v in values}
    metrics = {m.name: m for m in ctx.bundle.metrics}
    wrong_typed: set[str] = set()
    for name, group, cell in typed:
        text = data.summary_cells.get(cell)
        metric = lookup.get((name, group))
        if metric is None:
            continue
        try:
            declared, _ = nz.number(text, percent=True)
        except nz.Invalid:
            declared = None
        want = metric.value
        if want is None and declared is None:
            continue
        if want is not None and declared is not None and _close(declared, want):
            continue
        wrong_typed.add(cell)
        ctx.findings.append(
            finding(
                Rule.SUMMARY_MISMATCH,
                file=ctx.file,
                sheet=data.summary_sheet,
                cell=cell,
                row=_row(cell),
                column=name,
                header=_titled(metric.title, group),
                value=text,
                expected=None if want is None else round(want, 6),
                shown=messages.Both(*messages.both("shown_blank")) if want is None else shown_number(want),
            )
        )
    causes = _Causes(ctx, data)
    for name, group, cell in saved:
        metric = lookup.get((name, group))
        spec = metrics.get(name)
        if metric is None or spec is None or metric.value is None:
            continue  # a blank figure (no rows to average): the spreadsheet shows "" too
        got = _saved(data.summary_cells.get(cell))
        if _close(got, metric.value):
            continue
        components = _component_cells(spec, metrics, data)
        if wrong_typed.intersection(components):
            continue  # 客单价 from a 销售额 typed over its formula: that figure is the one finding
        _mismatch(
            ctx,
            data,
            cell,
            name,
            _titled(metric.title, group),
            got,
            metric.value,
            spec.format,
            causes.of(_metric_columns(spec, metrics, ctx), formulas, [cell, *components]),
        )
    for total in totals:
        td = ctx.tables[total["table"]]
        if total["column"] not in td.sheet.raw and total["column"] not in td.derived:
            continue  # a column the sheet does not have: reported once as missing
        want = _total(td, total["agg"], total["column"])
        got = _saved(data.summary_cells.get(total["cell"]))
        if want is None or _close(got, want):
            continue
        header = data.summary_cells.get(f"A{_row(total['cell'])}") or td.table.title
        fmt = "integer" if total["agg"] == "count" else td.table.column(total["column"]).type
        _mismatch(
            ctx,
            data,
            total["cell"],
            total["column"],
            header,
            got,
            want,
            fmt,
            causes.of([(td.table.name, [total["column"]])], formulas, [total["cell"]]),
        )
    return values


def _saved(text) -> float | None:
    """A formula's saved result as a number (None: no result, "" or text)."""
    if text is None or text == "":
        return None
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return None if value != value else value


def _titled(title: str, group) -> str:
    """A figure's header: the metric's title with its group, 销售额（淘宝） (a header is one text,
    the summary sheet's own, not one per language)."""
    return title + (messages.text("in_parens", "zh", text=group) if group else "")


def _cells_shown(cells: list[str]) -> messages.Both:
    """The first ten cells and, past ten, how many there are in all."""
    zh, en = messages.join(cells[:10])
    more = messages.both("cells_more", n=len(cells)) if len(cells) > 10 else ("", "")
    return messages.Both(zh + more[0], en + more[1])


def _close(got: float, want: float) -> bool:
    return abs(got - want) <= max(0.005, 1e-9 * abs(want))


def _row(cell: str) -> int:
    return int(_ROW.search(cell).group(0))


def _show(value: float, fmt: str | None) -> str:
    if fmt == "percent":
        return f"{value:.2%}".replace(".00%", "%")
    return shown_number(value)


def _total(td: TableData, agg: str, column: str) -> float | None:
    """What COUNTIF(key,"<>") / SUM(column) of the template give for the rows read."""
    if agg == "count":
        raw = td.sheet.raw
        return float(raw[column].notna().sum()) if column in raw else 0.0
    values = td.derived[column] if column in td.derived else td.typed.get(column)
    if values is None:
        return 0.0
    return float(pd.to_numeric(values, errors="coerce").sum())


def _mismatch(ctx, data, cell, column, header, got, want, fmt, cause) -> None:
    if cause is None:
        return  # explained by cells already reported as errors (one bad cell, one finding)
    severity, zh, en = cause
    ctx.findings.append(
        _finding(
            "summary_result_text",
            Rule.SUMMARY_MISMATCH,
            severity,
            file=ctx.file,
            sheet=data.summary_sheet,
            cell=cell,
            row=_row(cell),
            column=column,
            header=header,
            value=_show(got, fmt),
            expected=round(want, 6),
            shown=_show(want, fmt),
            cause_zh=zh,
            cause_en=en,
        )
    )


def _finding(template: str, rule: Rule, severity: str, **fields) -> Finding:
    """A finding of `rule` worded by another template than f_<rule> (see findings.finding)."""
    params = {k: ("" if v is None else v) for k, v in fields.items()}
    zh, en = messages.both(template, **params)
    kept = {k: v for k, v in fields.items() if k in Finding.__dataclass_fields__}
    if isinstance(kept.get("value"), str) and len(kept["value"]) > VALUE_LIMIT:
        kept["value"] = kept["value"][:VALUE_LIMIT]
    return Finding(severity=severity, rule=Rule(rule), message=zh, message_en=en, **kept)


def _metric_columns(spec, metrics: dict, ctx: Context, seen=None) -> list[tuple[str, list[str]]]:
    """(table, columns) a metric reads: its column (or the key counted), its filters, its group."""
    seen = set() if seen is None else seen
    if spec.name in seen:
        return []
    seen.add(spec.name)
    if spec.expr_ast is not None:
        out = []
        for n in expr.names(spec.expr_ast):
            if n in metrics:
                out.extend(_metric_columns(metrics[n], metrics, ctx, seen))
        return out
    td = ctx.tables.get(spec.table)
    if td is None:
        return []
    from ecomsheets.schema.metrics_loader import where_terms

    columns = [spec.column] if spec.column else [_key_column(td)]
    if spec.where_ast is not None:
        columns += [t.left.name for t in where_terms(spec.where_ast)]
    if spec.by:
        columns.append(spec.by)
    return [(spec.table, list(dict.fromkeys(columns)))]


def _component_cells(spec, metrics: dict, data: WorkbookData, seen=None) -> list[str]:
    """The cells of the ungrouped figures an expression metric (客单价 = 销售额 / 订单数) divides."""
    seen = set() if seen is None else seen
    if spec.expr_ast is None or spec.name in seen:
        return []
    seen.add(spec.name)
    places = ((data.meta or {}).get("summary") or {}).get("metrics", {})
    out = []
    for n in expr.names(spec.expr_ast):
        place = places.get(n) or {}
        if "cell" in place:
            out.append(place["cell"].split("!")[-1])
        if n in metrics:
            out += _component_cells(metrics[n], metrics, data, seen)
    return out


def _key_column(td: TableData) -> str:
    table = td.table
    if table.primary_key:
        return table.primary_key[0]
    return next((c.name for c in table.columns if c.required and not c.derived), table.columns[0].name)


class _Causes:
    """The likely cause of a summary figure that disagrees with the rows, from the data."""

    def __init__(self, ctx: Context, data: WorkbookData):
        self.ctx, self.data = ctx, data
        self.meta_tables = {t.get("name"): t for t in (data.meta or {}).get("tables", []) if isinstance(t, dict)}
        self.memo: dict = {}

    def of(self, used: list[tuple[str, list[str]]], formulas, cells: list[str]) -> tuple[str, str, str] | None:
        """(severity, cause in Chinese, in English) for the figure in cells[0] (the others:
        the cells its formula divides, for an expression metric); None when the only cause
        found is cells already reported as errors (derived cells typed over)."""
        texts = getattr(formulas, "texts", None) or {}
        formula = "\n".join(texts.get(c, "") for c in cells)
        key = (tuple((t, tuple(c)) for t, c in used), formula)
        if key not in self.memo:
            self.memo[key] = self._find(used, formula)
        return self.memo[key]

    def _find(self, used, formula: str) -> tuple[str, str, str] | None:
        found: list[tuple[str, str]] = []
        totals = []
        reported = []
        for table, columns in used:
            td = self.ctx.tables.get(table)
            if td is None:
                continue
            found += self._short_ranges(td, formula)
            for column in columns:
                if column not in td.table.by_name:
                    continue
                col = td.table.column(column)
                reported += self._error_cells(td, col)
                if col.derived:
                    found += self._no_formula(td, col)
                    reported += self._typed_over(td, col)
                elif col.coltype.quantity:
                    found += self._text_numbers(td, col)
                elif col.coltype.uses_values:
                    found += self._other_spellings(td, col)
            found += self._merges(td, list(columns))
            rows = sorted(
                {f.row for f in self.data.findings if f.rule == Rule.TOTAL_ROW and f.table == table and f.row}
            )
            if rows:
                totals.append(messages.both("cause_total_rows", sheet=td.sheet.sheet, rows=messages.join(rows[:10])))
        found = list(dict.fromkeys(found))
        if not found and reported:
            return None
        found += reported
        if not found and totals:
            # Our own reading skips total rows; the workbook's formula counts them.
            return WARNING, *messages.join([messages.Both(*pair) for pair in totals], "sep_clause")
        found += totals
        if not found:
            found = [messages.both("cause_unknown")]
        return ERROR, *messages.join([messages.Both(*pair) for pair in found], "sep_clause")

    def _short_ranges(self, td: TableData, formula: str) -> list:
        """Ranges of the formula in this table's sheet that end above its last record."""
        index = td.typed.index
        if not formula or not len(index):
            return []
        last = int(index.max())
        out = []
        for m in _SHEET_RANGE.finditer(formula):
            sheet = (m.group(1) or "").replace("''", "'") or m.group(2)
            end = int(m.group(6))
            if sheet != td.sheet.sheet or end >= last or end < td.sheet.header_row:
                continue
            n = int((index > end).sum())
            out.append(messages.both("cause_range_ends", end=end, sheet=sheet, n=n))
        return out

    def _formula_end(self, td: TableData) -> int | None:
        """The last row the template put the derived formulas on (from the metadata)."""
        meta = self.meta_tables.get(td.table.name) or {}
        if isinstance(meta.get("formula_last_row"), int):
            return meta["formula_last_row"]
        rows = (self.data.meta or {}).get("rows")
        first = meta.get("first_data_row")
        if isinstance(rows, int) and isinstance(first, int):  # a template made before it was recorded
            return first + rows - 1
        return None

    def _no_formula(self, td: TableData, col) -> list:
        """Derived cells left blank where the row gives a value: no formula there."""
        raw = td.sheet.raw
        if col.name not in raw or col.name not in td.derived:
            return []
        blank = raw[col.name].isna().to_numpy() & td.derived[col.name].notna().to_numpy()
        errors = getattr(td.sheet.formulas, "errors", None) or {}
        letter = td.sheet.letters[col.name]
        rows = [int(r) for r in td.typed.index.to_numpy()[blank] if (int(r), letter) not in errors]
        if not rows:
            return []
        end = self._formula_end(td)
        below = [r for r in rows if end is not None and r > end]
        inside = [r for r in rows if end is None or r <= end]
        out = []
        header_en = col.title_en or col.title
        if below:
            out.append(
                messages.both(
                    "cause_no_formula_below",
                    sheet=td.sheet.sheet,
                    first=below[0],
                    n=len(below),
                    last=end,
                    column=col.title,
                    column_en=header_en,
                )
            )
        if inside:
            more = "…" if len(inside) > 10 else ""
            shown = messages.Both(*(s + more for s in messages.join(inside[:10])))
            out.append(
                messages.both(
                    "cause_no_formula",
                    sheet=td.sheet.sheet,
                    n=len(inside),
                    rows=shown,
                    column=col.title,
                    column_en=header_en,
                )
            )
        return out

    def _typed_over(self, td: TableData, col) -> list:
        n = sum(
            f.rule == Rule.DERIVED_MISMATCH and f.table == td.table.name and f.column == col.name
            for f in self.ctx.findings
        )
        n += sum(k for key, k in self.ctx.truncated.items() if f"/derived_mismatch/{td.sheet.sheet}/{col.name}" in key)
        return (
            [
                messages.both(
                    "cause_typed_over", sheet=td.sheet.sheet, n=n, column=col.title, column_en=col.title_en or col.title
                )
            ]
            if n
            else []
        )

    def _error_cells(self, td: TableData, col) -> list:
        """Cells showing an error value, which SUMIFS/COUNTIFS skip: each is reported at its
        cell, or comes from an input reported as an error (数量 "三个")."""
        errors = getattr(td.sheet.formulas, "errors", None) or {}
        letter = td.sheet.letters.get(col.name)
        cells = [f"{letter}{row}" for row, at in sorted(errors) if at == letter]
        if not cells:
            return []
        return [messages.both("cause_error_cells", sheet=td.sheet.sheet, cells=_cells_shown(cells))]

    def _merges(self, td: TableData, columns: list[str]) -> list:
        """Merged cells the rows count once per row they cover; the sheet's formulas, once."""
        found = [
            f
            for f in self.data.findings
            if f.rule == Rule.MERGED_CELLS and f.table == td.table.name and f.column in columns
        ]
        if not found:
            return []
        more = "…" if len(found) > 5 else ""
        shown = messages.Both(*(s + more for s in messages.join(f.cell for f in found[:5])))
        return [messages.both("cause_merged", sheet=td.sheet.sheet, n=len(found), cells=shown)]

    def _other_spellings(self, td: TableData, col) -> list:
        """Choice cells written another way (顺丰 for 顺丰速运): read as the value, while the
        sheet's formulas count the text as written."""
        raw = td.sheet.raw
        if col.name not in raw:
            return []
        texts = raw[col.name].astype(object)
        values = td.typed[col.name].astype(object)
        differ = (texts.notna() & values.notna()).to_numpy() & (
            texts.where(texts.notna(), "").map(lambda t: str(t).strip()).to_numpy() != values.astype(str).to_numpy()
        )
        rows = np.flatnonzero(differ)
        if not len(rows):
            return []
        first = int(td.typed.index[rows[0]])
        return [
            messages.both(
                "cause_other_spelling",
                sheet=td.sheet.sheet,
                n=len(rows),
                column=col.title,
                column_en=col.title_en or col.title,
                cell=td.sheet.cell(col.name, first),
                text=str(texts.iat[rows[0]])[:40],
                value=str(values.iat[rows[0]]),
            )
        ]

    def _text_numbers(self, td: TableData, col) -> list:
        """Number cells holding text (２, ¥1,234): the rows give them, SUM leaves them out."""
        raw = td.sheet.raw
        if col.name not in raw:
            return []
        texts = raw[col.name]
        present = texts.notna().to_numpy() & td.typed[col.name].notna().to_numpy()
        if not present.any():
            return []
        plain = texts.astype(object).where(texts.notna(), "").map(lambda t: bool(_NUMERAL.match(str(t)))).to_numpy()
        rows = np.flatnonzero(present & ~plain)
        if not len(rows):
            return []
        first = int(td.typed.index[rows[0]])
        return [
            messages.both(
                "cause_text_numbers",
                sheet=td.sheet.sheet,
                n=len(rows),
                cell=td.sheet.cell(col.name, first),
                text=str(texts.iat[rows[0]])[:40],
                column=col.title,
                column_en=col.title_en or col.title,
            )
        ]


def _report_errors(ctx: Context, data: WorkbookData, errors: dict) -> None:
    """Every summary cell whose saved result is an error, with the data cells behind it."""
    texts = getattr(data.summary_formulas, "texts", None) or {}
    metrics = {m.name: m for m in ctx.bundle.metrics}
    places = {cell: (name, group) for name, group, cell in declared_cells(data)}
    names = {
        cell: _titled(metrics[name].title if name in metrics else name, group) for cell, (name, group) in places.items()
    }
    by_sheet = {td.sheet.sheet: td for td in ctx.tables.values()}
    for cell, (code, _has_formula) in sorted(errors.items(), key=lambda kv: (_row(kv[0]), len(kv[0]), kv[0])):
        behind: dict[str, list[str]] = {}
        for m in _SHEET_RANGE.finditer(texts.get(cell, "")):
            sheet = (m.group(1) or "").replace("''", "'") or m.group(2)
            td = by_sheet.get(sheet)
            if td is None:
                continue
            lo, hi = int(m.group(4)), int(m.group(6))
            first, last = _col_number(m.group(3)), _col_number(m.group(5))
            bad = getattr(td.sheet.formulas, "errors", None) or {}
            in_group = _group_rows(td, metrics, *places.get(cell, (None, None)))
            for row, letter in sorted(bad, key=lambda k: (k[0], len(k[1]), k[1])):
                if in_group is not None and row not in in_group:
                    continue  # a grid's figure sums only its own group's rows
                if lo <= row <= hi and first <= _col_number(letter) <= last:
                    cells = behind.setdefault(sheet, [])
                    if f"{letter}{row}" not in cells:
                        cells.append(f"{letter}{row}")
        if behind and not _reported(ctx, by_sheet, behind):
            continue  # every error behind it comes from a cell already reported (数量 "三个")
        if behind:
            zh, en = messages.join(
                [
                    messages.Both(*messages.both("cause_error_cells", sheet=sheet, cells=_cells_shown(cells)))
                    for sheet, cells in behind.items()
                ],
                "sep_clause",
            )
        else:
            zh, en = messages.both(
                {"#REF!": "cause_error_ref", "#NAME?": "cause_error_name", "#DIV/0!": "cause_error_div0"}.get(
                    code, "cause_error_other"
                )
            )
        label = names.get(cell) or data.summary_cells.get(f"A{_row(cell)}") or ""
        ctx.findings.append(
            _finding(
                "summary_error_text",
                Rule.FORMULA_ERROR,
                ERROR,
                file=ctx.file,
                sheet=data.summary_sheet,
                cell=cell,
                row=_row(cell),
                header=label,
                value=code,
                cause_zh=zh,
                cause_en=en,
            )
        )


def _group_rows(td: TableData, metrics: dict, name, group) -> set | None:
    """The rows of a grouped figure's group (None: not a grid figure of this table, or a week)."""
    spec = metrics.get(name)
    if spec is None or group is None or not spec.by or spec.table != td.table.name or spec.period == "week":
        return None
    values = td.typed.get(spec.by)
    if values is None:
        return None
    if spec.period == "day":
        keys = pd.to_datetime(values, errors="coerce").dt.strftime("%Y-%m-%d")
    else:
        keys = values.astype(object).where(values.notna(), None).map(lambda v: None if v is None else str(v))
    return {int(r) for r, k in zip(td.typed.index, keys) if k == group}


def _reported(ctx: Context, by_sheet: dict, behind: dict[str, list[str]]) -> bool:
    """Whether any of these data cells (sheet -> ["I7"]) has an error finding of its own."""
    for sheet, cells in behind.items():
        td = by_sheet[sheet]
        name_of = {letter: name for name, letter in td.sheet.letters.items()}
        for cell in cells:
            letter = cell.rstrip("0123456789")
            if (td.table.name, name_of.get(letter), int(cell[len(letter) :])) in ctx.bad_cells:
                return True
    return False


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n
