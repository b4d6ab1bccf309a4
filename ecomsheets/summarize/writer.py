"""The monthly summary workbook: who has handed in (when the bundle has a roster), the overview
(headline figures with a chart, then the rest), the headline figures side by side per team,
shop or file with a chart, one sheet per grouped metric with a native chart, the merged data
with the lineage of every row, the sources, the findings, and a hidden sheet of the figures
that next month's summary reads back (previous.py) to show the change on last month.
Every text that came from a submitted file is written as text, never as a formula."""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

import pandas as pd

from ecomsheets import messages
from ecomsheets.atomic import atomic_output
from ecomsheets.coltypes import get_type
from ecomsheets.schema import Catalog
from ecomsheets.xlsx.printing import column_pixels, print_setup
from ecomsheets.xlsx.sanitize import clean_text
from ecomsheets.xlsx.styles import Styles
from ecomsheets.xlsx.worksheet import new_workbook

from .consolidate import LINEAGE, Consolidation
from .datasheet import DataColumn, DataSheet, fill_data_sheets
from .previous import FIGURES_SHEET, PreviousSummary, change, figures_rows
from .sides import Sides, headline, side_by_side
from .status import MISSING, REFUSED, SUBMITTED, UNEXPECTED, WITH_ERRORS, counts_line

_CHART_ROWS = 60  # bars beyond this are in the table, not the chart
_CHART_PX = 720  # a metric sheet's chart, to the right of its table
_DEFAULT_WIDTH = 8.43  # a column without a width of its own (characters)


MAX_DATA_ROWS = 1_048_575  # a sheet holds 1,048,576 rows, one is the header


def write_summary_workbook(
    result: Consolidation,
    catalog: Catalog,
    path: Path,
    *,
    force: bool = False,
    lang: str = "zh",
    inputs: tuple[Path, ...] = (),
    data_rows: int = MAX_DATA_ROWS,
    previous: PreviousSummary | None = None,
) -> Path:
    """Write the monthly summary workbook; merged data sheets hold at most `data_rows` rows per
    table (0: none), the rest being counted on the overview. With `previous` (last month's
    summary, read by previous.read_previous) every ungrouped figure shows the change on it."""

    t = lambda code, **kw: messages.text(code, lang, **kw)  # noqa: E731
    bundle = result.bundle
    with atomic_output(Path(path), force=force, inputs=inputs) as tmp:
        wb = new_workbook(tmp)
        # Same inputs, same file: no clock time inside.
        wb.set_properties(
            {
                "title": t("s_title", title=_title(bundle, lang), month=str(result.month or "")),
                "created": datetime(2000, 1, 1),
            }
        )
        styles = Styles(wb)
        cut = {name: n - data_rows for name, n in result.rows.items() if n > data_rows}
        status = list(getattr(result, "status", None) or [])
        looks = _Looks(styles)
        if status:
            _status_sheet(wb, looks, status, t, lang)
        _overview(wb, styles, result, t, lang, cut, catalog, previous, looks)
        _sides_sheet(wb, looks, result.sides or side_by_side(result, catalog, status), bool(status), t, lang, previous)
        used = {t(c) for c in ("s_overview", "s_sources", "s_findings", "s_status_sheet", "s_sides_sheet")}
        used.add(FIGURES_SHEET)
        grouped = _grouped_values(result)
        for key, metrics in _blocks(result, bundle):
            _metric_sheet(wb, styles, result, catalog, key, metrics, t, lang, used, grouped)
        data = [
            _data_sheet(wb, styles, catalog.tables[name], frame.iloc[:data_rows], t, lang, used)
            for name, frame in result.tables.items()
            if data_rows > 0
        ]
        _sources(wb, styles, result, t)
        _findings(wb, styles, result, t, lang)
        _figures(wb, result)
        wb.close()
        fill_data_sheets(tmp, data)
    return Path(path)


def _fmt(styles: Styles, fmt_name: str):
    return styles.cell_bordered(get_type(fmt_name).num_format if fmt_name else None)


def _overview(
    wb, styles, result, t, lang, cut: dict, catalog, previous: PreviousSummary | None = None, looks=None
) -> None:
    looks = looks or _Looks(styles)
    ws = wb.add_worksheet(t("s_overview"))
    widths = [30, 20] + ([20, 16, 12] if previous else [])
    for j, w in enumerate(widths):
        ws.set_column(j, j, w)
    print_setup(ws, widths)
    ws.write_string(
        0,
        0,
        t("s_title", title=_title(result.bundle, lang), month=result.month.label(lang) if result.month else ""),
        styles.heading,
    )
    taken = sum(s.status in ("taken", "partly") for s in result.sources)
    rows = sum(result.rows.values())
    ws.write_string(1, 0, t("s_inputs", files=len(result.sources), taken=taken, rows=rows), styles.base_text)
    reasons = [t(f"s_reason_{k}", n=v) for k, v in sorted(result.left_out.items()) if v]
    if reasons:
        ws.write_string(2, 0, t("s_left_out", text=t("sep_clause").join(reasons)), styles.base_text)
    if cut:
        text = t("sep_clause").join(
            t("s_rows_not_written", table=catalog.tables[n].display_title(lang), n=k) for n, k in cut.items()
        )
        ws.write_string(3, 0, text, styles.base_text)
    heads = [t("s_col_metric"), t("s_col_value")]
    if previous:
        heads += [t("s_col_previous", month=previous.month or ""), t("s_col_change"), t("s_col_change_pct")]
    for j, h in enumerate(heads):
        ws.write_string(5, j, h, styles.table_head)
    specs = {m.name: m for m in result.bundle.metrics}
    values = {v.name: v.value for v in result.metrics if v.group is None}
    # The headline first, the charted ones (those in the main figure's format) together on top.
    top = headline(result.bundle, result.metrics)
    charted = _main_format(top)
    top = sorted(top, key=lambda m: m.format != charted)
    r = 6
    for m in top:
        _figure_row(ws, looks, r, m, values.get(m.name), previous, lang, bold=True, absent=m.name not in values)
        r += 1
    shown = sum(m.format == charted for m in top)
    if shown:
        chart = wb.add_chart({"type": "column"})
        name = t("s_overview")
        month = result.month.label(lang) if result.month else ""
        chart.add_series(
            {
                "name": t("s_this_month", month=month),
                "categories": [name, 6, 0, 5 + shown, 0],
                "values": [name, 6, 1, 5 + shown, 1],
                "data_labels": {"value": True},
            }
        )
        if previous:
            chart.add_series(
                {
                    "name": [name, 5, 2],
                    "categories": [name, 6, 0, 5 + shown, 0],
                    "values": [name, 6, 2, 5 + shown, 2],
                }
            )
        chart.set_title({"name": t("s_kpis")})
        chart.set_legend({"position": "bottom"} if previous else {"none": True})
        chart.set_size({"width": sum(column_pixels(w) for w in widths), "height": _OVERVIEW_CHART_ROWS * 20})
        ws.insert_chart(r + 1, 0, chart)
        r += _OVERVIEW_CHART_ROWS + 2
    rest = [v for v in result.metrics if v.group is None and v.name not in {m.name for m in top}]
    if top and rest:
        ws.write_string(r, 0, t("s_other_metrics"), styles.subheading)
        r += 1
    for v in rest:
        _figure_row(ws, looks, r, specs[v.name], v.value, previous, lang)
        r += 1


_OVERVIEW_CHART_ROWS = 15  # rows of 20 px the overview's chart covers


def _main_format(metrics) -> str | None:
    """The format of the figures a chart shows together: that of the first sum (money, as a
    rule), else of the first figure; figures of other formats would dwarf or vanish."""
    first = next((m for m in metrics if m.agg == "sum" and not m.expr), metrics[0] if metrics else None)
    return first.format if first else None


def _figure_row(ws, looks, r, m, value, previous, lang, bold: bool = False, absent: bool = False) -> None:
    """A figure's row on the overview: its label, value, and last month's with the change;
    `absent`: the month has none of the rows it is computed from, and the cell says so."""
    styles = looks.styles
    ws.write_string(r, 0, m.label(lang), looks.bold_label if bold else styles.label)
    fmt = looks.bold(m.format) if bold else _fmt(styles, m.format)
    if absent:
        ws.write_string(r, 1, messages.text("s_figure_absent", lang), styles.label)
    else:
        _number(ws, r, 1, value, fmt)
    if previous is None:
        return
    before = previous.figures.get(m.name)
    diff, pct = change(value, before)
    _number(ws, r, 2, before, fmt)
    _number(ws, r, 3, diff, fmt)
    _number(ws, r, 4, pct, _fmt(styles, "percent"))


_STATE_COLOURS = {  # fill, font: green handed in, amber with errors, red refused or missing
    SUBMITTED: ("#C6EFCE", "#006100"),
    WITH_ERRORS: ("#FFEB9C", "#9C5700"),
    REFUSED: ("#FFC7CE", "#9C0006"),
    MISSING: ("#FFC7CE", "#9C0006"),
    UNEXPECTED: ("#EDEDED", "#404040"),
}


class _Looks:
    """The summary's own formats (bold figures, coloured states), made once per workbook."""

    def __init__(self, styles: Styles):
        self.styles = styles
        line = {**styles.base, "border": 1, "border_color": "#D9D9D9"}
        self.bold_label = styles.wb.add_format({**line, "bold": True})
        self.states = {
            k: styles.wb.add_format({**line, "bg_color": fill, "font_color": font})
            for k, (fill, font) in _STATE_COLOURS.items()
        }
        self.note = styles.wb.add_format({**styles.base, "italic": True, "font_color": "#595959"})
        self._bold: dict[str, object] = {}

    def bold(self, fmt_name: str):
        if fmt_name not in self._bold:
            line = {**self.styles.base, "border": 1, "border_color": "#D9D9D9", "bold": True}
            num = get_type(fmt_name).num_format if fmt_name else None
            self._bold[fmt_name] = self.styles.wb.add_format({**line, **({"num_format": num} if num else {})})
        return self._bold[fmt_name]


def _status_sheet(wb, looks, status, t, lang: str) -> None:
    """Who has handed in: one row per roster entry (and per file no entry expected)."""
    ws = wb.add_worksheet(t("s_status_sheet"))
    styles = looks.styles
    ws.write_string(0, 0, counts_line(status, lang), styles.heading)
    heads = [
        "s_col_team",
        "s_col_bundle",
        "s_col_state",
        "s_col_files",
        "s_col_errors",
        "s_col_warnings",
        "s_col_taken",
    ]
    widths = (18, 16, 12, 40, 8, 8, 10)
    for j, (h, w) in enumerate(zip(heads, widths)):
        ws.write_string(2, j, t(h), styles.table_head)
        ws.set_column(j, j, w)
    print_setup(ws, widths, title_row=2)
    for i, h in enumerate(status, start=3):
        ws.write_string(i, 0, clean_text(str(h.team)), styles.label)
        ws.write_string(i, 1, clean_text(str(h.bundle_title)), styles.label)
        ws.write_string(i, 2, t(f"s_state_{h.state}"), looks.states.get(h.state, styles.label))
        files = t("sep_list").join(Path(f).name if Path(f).is_absolute() else f for f in h.files)
        _text(ws, i, 3, clean_text(files), styles.label)
        for j, v in enumerate((h.errors, h.warnings, h.rows), start=4):
            ws.write_number(i, j, v, styles.label)


def _sides_sheet(wb, looks, sides: Sides, by_entry: bool, t, lang, previous: PreviousSummary | None) -> None:
    """The headline figures side by side: a row per team, shop or file, the month's total
    (equal to the overview), last month's and the change, and a chart of the main figures."""
    name = t("s_sides_sheet")
    ws = wb.add_worksheet(name)
    styles = looks.styles
    lead = [t("s_col_team"), t("s_col_bundle"), t("s_col_state")] if by_entry else [t("s_col_file")]
    lead_widths = [18, 16, 10] if by_entry else [30]
    first = len(lead)  # the column of the first figure
    widths = lead_widths + [16] * len(sides.metrics)
    for j, h in enumerate(lead + [m.label(lang) for m in sides.metrics]):
        ws.write_string(0, j, h, styles.table_head)
    for j, w in enumerate(widths):
        ws.set_column(j, j, w)
    ws.freeze_panes(1, first)
    formats = [_fmt(styles, m.format) for m in sides.metrics]
    for i, side in enumerate(sides.rows, start=1):
        ws.write_string(i, 0, clean_text(side.name) if side.name else t("s_side_other"), styles.label)
        if by_entry:
            _text(ws, i, 1, clean_text(side.bundle_title), styles.label)
            _text(
                ws, i, 2, t(f"s_state_{side.state}") if side.state else "", looks.states.get(side.state, styles.label)
            )
        for j, (m, fmt) in enumerate(zip(sides.metrics, formats), start=first):
            _number(ws, i, j, side.values.get(m.name), fmt)
    r = len(sides.rows) + 1
    labels = [(t("s_side_total"), sides.total, True)]
    if previous:
        before = {m.name: previous.figures.get(m.name) for m in sides.metrics}
        changes = {m.name: change(sides.total.get(m.name), before[m.name]) for m in sides.metrics}
        labels += [
            (t("s_col_previous", month=previous.month or ""), before, False),
            (t("s_col_change"), {k: v[0] for k, v in changes.items()}, False),
            (t("s_col_change_pct"), {k: v[1] for k, v in changes.items()}, "percent"),
        ]
    for label, row, how in labels:
        ws.write_string(r, 0, label, looks.bold_label if how is True else styles.label)
        for j in range(1, first):
            ws.write_blank(r, j, None, styles.label)
        for j, (m, fmt) in enumerate(zip(sides.metrics, formats), start=first):
            shown = _fmt(styles, "percent") if how == "percent" else (looks.bold(m.format) if how is True else fmt)
            _number(ws, r, j, row.get(m.name), shown)
        r += 1
    averaged = sides.averaged()
    if averaged:
        ws.write_string(
            r + 1, 0, t("s_side_note", metrics=t("sep_list").join(m.label(lang) for m in averaged)), looks.note
        )
    main = _main_figures(sides)
    n = min(len(sides.rows), _CHART_ROWS)
    if main and n:
        chart = wb.add_chart({"type": "column"})
        for m in main:
            j = first + sides.metrics.index(m)
            chart.add_series({"name": [name, 0, j], "categories": [name, 1, 0, n, 0], "values": [name, 1, j, n, j]})
        title = t("sep_list").join(m.label(lang) for m in main)
        chart.set_title({"name": t("s_side_chart", title=title)})
        chart.set_legend({"position": "bottom"})
        if n > 12:
            chart.set_x_axis({"num_font": {"rotation": -45}})
        chart.set_size({"width": _CHART_PX, "height": 360})
        ws.insert_chart(r + 3, 0, chart)
    print_setup(ws, widths, title_row=0, landscape=True)


def _main_figures(sides: Sides) -> list:
    """One or two figures to chart by source: figures that add up, of one format (money, as a
    rule: the first sum's)."""
    adding = [m for m in sides.metrics if sides.additive[m.name]]
    fmt = _main_format(adding)
    return [m for m in adding if m.format == fmt][:2]


def _figures(wb, result) -> None:
    """The hidden sheet next month's summary reads this month's figures from (previous.py)."""
    ws = wb.add_worksheet(FIGURES_SHEET)
    for i, (key, value) in enumerate(figures_rows(result)):
        ws.write_string(i, 0, key)
        ws.write_string(i, 1, value)
    ws.hide()


def _text(ws, r, c, text: str, fmt) -> None:
    if text:
        ws.write_string(r, c, text, fmt)
    else:
        ws.write_blank(r, c, None, fmt)


def _number(ws, r, c, value, fmt) -> None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        ws.write_blank(r, c, None, fmt)
    else:
        ws.write_number(r, c, value, fmt)


def _blocks(result, bundle):
    """Grouped metrics by their grid (table, by, period), in bundle order."""
    specs = {m.name: m for m in bundle.metrics}
    blocks: dict[tuple, dict] = {}  # grid -> its metrics (a dict as an ordered set)
    seen: set[str] = set()
    for v in result.metrics:
        if v.group is None or v.name in seen:  # one look at each metric, not at each of its groups
            continue
        seen.add(v.name)
        m = specs[v.name]
        blocks.setdefault((m.table, m.by, m.period), {})[m.name] = m
    return [(key, list(ms.values())) for key, ms in blocks.items()]


def _grouped_values(result) -> dict[str, list[tuple]]:
    """Each metric's (group, value) pairs, in the order of result.metrics; one pass."""
    out: dict[str, list[tuple]] = {}
    for v in result.metrics:
        out.setdefault(v.name, []).append((v.group, v.value))
    return out


def _title(bundle, lang: str) -> str:
    return bundle.title_en if lang == "en" and bundle.title_en else bundle.title


def _unique_name(name: str, used: set) -> str:
    base = name if len(name) <= 28 else name[:27] + "…"  # a sheet name holds 31 characters
    out, n = base, 2
    while out in used:
        out, n = f"{base}{n}", n + 1
    used.add(out)
    return out


def _metric_sheet(wb, styles, result, catalog, key, metrics, t, lang, used, grouped: dict | None = None) -> None:
    grouped = _grouped_values(result) if grouped is None else grouped
    table_name, by, period = key
    col = catalog.tables[table_name].column(by)
    suffix = t(f"period_{period}") if period in ("day", "week") else ""
    name = _unique_name(
        t("s_metric_sheet", column=col.header(lang), period=suffix, sheet=catalog.tables[table_name].sheet_name(lang)),
        used,
    )
    ws = wb.add_worksheet(name)
    ws.set_column(0, 0, 22)
    ws.set_column(1, len(metrics), 18)
    ws.write_string(0, 0, col.header(lang), styles.table_head)
    for j, m in enumerate(metrics, start=1):
        ws.write_string(0, j, m.label(lang), styles.table_head)
    # One look-up table per metric, built once (group -> value; the last value of a group wins,
    # as dict() gives): the sheet costs O(groups x metrics), not O(groups^2 x metrics).
    values = [dict(grouped.get(m.name, ())) for m in metrics]
    groups = [g for g, _ in grouped.get(metrics[0].name, ())]
    # Printed: the table, an empty column, then the chart (none without groups).
    print_setup(
        ws, (22, *[18] * len(metrics)), title_row=0, extra_px=column_pixels(_DEFAULT_WIDTH) + _CHART_PX if groups else 0
    )
    if not period and len(groups) > _CHART_ROWS:
        # A long list (SKUs, staff): largest first, so the chart shows the ones that matter.
        first = values[0]
        groups = sorted(groups, key=lambda g: -(first.get(g) or 0))
    # One format per metric: xlsxwriter gives formats with the same properties one index, so
    # sharing the object writes the same file without building a format per cell.
    formats = [_fmt(styles, m.format) for m in metrics] if groups else []
    for i, g in enumerate(groups, start=1):
        ws.write_string(i, 0, clean_text(str(g)), styles.label)
        for j, (lookup, fmt) in enumerate(zip(values, formats), start=1):
            _number(ws, i, j, lookup.get(g), fmt)
    if not groups:
        return
    n = min(len(groups), _CHART_ROWS)
    kind = "line" if period else ("pie" if len(metrics) == 1 and len(groups) <= 8 else "column")
    chart = wb.add_chart({"type": kind})
    for j, _ in enumerate(metrics if kind != "pie" else metrics[:1], start=1):
        chart.add_series(
            {
                "name": [name, 0, j],
                "categories": [name, 1, 0, n, 0],
                "values": [name, 1, j, n, j],
                **({"data_labels": {"percentage": True}} if kind == "pie" else {}),
            }
        )
    title = messages.text("sep_list", lang).join(m.label(lang) for m in metrics)
    if len(groups) > n:
        title = messages.text("s_chart_top", lang, title=title, n=n)
    chart.set_title({"name": title})
    chart.set_legend({"position": "bottom"})
    if kind != "pie":
        chart.set_x_axis({"num_font": {"rotation": -45}} if n > 12 else {})
    chart.set_size({"width": _CHART_PX, "height": 360})
    ws.insert_chart(1, len(metrics) + 2, chart)


def _data_sheet(wb, styles, table, frame: pd.DataFrame, t, lang, used) -> DataSheet:
    """The sheet with its header; its rows go in once the workbook is written (datasheet.py)."""
    ws = wb.add_worksheet(_unique_name(table.sheet_name(lang), used))
    columns = [c for c in table.columns if c.name in frame]
    heads = [c.header(lang) for c in columns] + [t("s_lineage_file"), t("s_lineage_sheet"), t("s_lineage_row")]
    for j, h in enumerate(heads):
        ws.write_string(0, j, h, styles.table_head)
    data = []
    for j, c in enumerate(columns):
        style = styles.cell(c.coltype.num_format)
        ws.set_column(j, j, c.display_width(), style)
        data.append(DataColumn(frame[c.name], c.coltype.cell_kind, style))
    ws.set_column(len(columns), len(columns), 28)
    ws.set_column(len(columns) + 1, len(columns) + 2, 12)
    ws.freeze_panes(1, 0)
    print_setup(ws, [c.display_width() for c in columns] + [28, 12, 12], title_row=0)
    names = {f: Path(f).name for f in frame[LINEAGE[0]].unique()}
    data += [
        DataColumn(frame[LINEAGE[0]].map(names).astype("str"), "text"),
        DataColumn(frame[LINEAGE[1]], "text"),
        DataColumn(frame[LINEAGE[2]], "number"),
    ]
    if len(frame):
        ws.autofilter(0, 0, len(frame), len(heads) - 1)
    return DataSheet(ws.index, data, len(frame))


def _sources(wb, styles, result, t) -> None:
    ws = wb.add_worksheet(t("s_sources"))
    heads = ["s_col_file", "s_col_sha", "s_col_read", "s_col_taken", "s_col_errors", "s_col_warnings", "s_col_status"]
    for j, h in enumerate(heads):
        ws.write_string(0, j, t(h), styles.table_head)
    ws.set_column(0, 0, 40)
    ws.set_column(1, 1, 66)
    ws.set_column(2, 6, 11)
    print_setup(ws, (40, 66, *[11] * 5), title_row=0)
    for i, s in enumerate(result.sources, start=1):
        ws.write_string(i, 0, clean_text(s.path), styles.label)
        ws.write_string(i, 1, s.sha256 or "", styles.label)
        for j, v in enumerate((s.rows_read, s.rows_taken, s.errors, s.warnings), start=2):
            ws.write_number(i, j, v, styles.label)
        ws.write_string(i, 6, t(f"s_status_{s.status}"), styles.label)


def _findings(wb, styles, result, t, lang) -> None:
    ws = wb.add_worksheet(t("s_findings"))
    heads = ["s_col_level", "s_col_file", "s_col_where", "s_col_message"]
    for j, h in enumerate(heads):
        ws.write_string(0, j, t(h), styles.table_head)
    ws.set_column(0, 0, 8)
    ws.set_column(1, 1, 30)
    ws.set_column(2, 2, 16)
    ws.set_column(3, 3, 90)
    print_setup(ws, (8, 30, 16, 90), title_row=0)
    for i, f in enumerate(result.findings, start=1):
        ws.write_string(i, 0, t(f"cli_level_{f.severity}"), styles.label)
        ws.write_string(i, 1, clean_text(str(f.file or "")), styles.label)
        ws.write_string(i, 2, clean_text(f.where if f.cell else (f.sheet or "")), styles.label)
        ws.write_string(i, 3, clean_text(f.text(lang)), styles.label)
