"""The monthly summary workbook: overview of key figures, one sheet per grouped metric with a
native chart, the merged data with the lineage of every row, the sources and the findings.
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
) -> Path:
    """Write the monthly summary workbook; merged data sheets hold at most `data_rows` rows per
    table (0: none), the rest being counted on the overview."""

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
        cut = {name: len(f) - data_rows for name, f in result.tables.items() if len(f) > data_rows}
        _overview(wb, styles, result, t, lang, cut, catalog)
        used = {t("s_overview"), t("s_sources"), t("s_findings")}
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
        wb.close()
        fill_data_sheets(tmp, data)
    return Path(path)


def _fmt(styles: Styles, fmt_name: str):
    return styles.cell_bordered(get_type(fmt_name).num_format if fmt_name else None)


def _overview(wb, styles, result, t, lang, cut: dict, catalog) -> None:
    ws = wb.add_worksheet(t("s_overview"))
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 20)
    print_setup(ws, (30, 20))
    ws.write_string(
        0,
        0,
        t("s_title", title=_title(result.bundle, lang), month=result.month.label(lang) if result.month else ""),
        styles.heading,
    )
    taken = sum(s.status in ("taken", "partly") for s in result.sources)
    rows = sum(len(f) for f in result.tables.values())
    ws.write_string(1, 0, t("s_inputs", files=len(result.sources), taken=taken, rows=rows), styles.base_text)
    reasons = [t(f"s_reason_{k}", n=v) for k, v in sorted(result.left_out.items()) if v]
    if reasons:
        ws.write_string(2, 0, t("s_left_out", text=t("sep_clause").join(reasons)), styles.base_text)
    if cut:
        text = t("sep_clause").join(
            t("s_rows_not_written", table=catalog.tables[n].display_title(lang), n=k) for n, k in cut.items()
        )
        ws.write_string(3, 0, text, styles.base_text)
    ws.write_string(5, 0, t("s_col_metric"), styles.table_head)
    ws.write_string(5, 1, t("s_col_value"), styles.table_head)
    specs = {m.name: m for m in result.bundle.metrics}
    r = 6
    for v in result.metrics:
        if v.group is not None:
            continue
        ws.write_string(r, 0, specs[v.name].label(lang), styles.label)
        _number(ws, r, 1, v.value, _fmt(styles, specs[v.name].format))
        r += 1


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
