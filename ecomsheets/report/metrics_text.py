"""`summarize` as text: the key figures, then each grouping's largest groups."""

from __future__ import annotations

from collections import defaultdict

from ecomsheets import messages
from ecomsheets.findings import Report
from ecomsheets.validate.context import shown_number

TOP = 8


def metric_value(value, fmt: str) -> str:
    """A figure as people read it: ¥1,234.50, 62.5%, 1,200 (— when there is none)."""
    if value is None:
        return "—"
    if fmt == "percent":
        return f"{value:.1%}"
    if fmt == "money":
        return "¥" + shown_number(value)
    return shown_number(value)


def render_metrics(records: list[dict], bundle, file: str, report: Report, lang: str = "zh") -> str:
    t = lambda code, **kw: messages.text(code, lang, **kw)  # noqa: E731
    formats = {m.name: m.format for m in bundle.metrics}
    titles = {m.name: m.label(lang) for m in bundle.metrics}
    records = [{**r, "title": titles.get(r["name"], r["title"])} for r in records]
    periods = {m.name: m.period for m in bundle.metrics}
    lines = [t("cli_summary_head", file=file, rows=report.rows_checked)]
    if report.errors:
        lines.append(t("cli_summary_has_errors", errors=report.errors))
    grouped: dict[str, list] = defaultdict(list)
    for rec in records:
        if rec["group"] is not None:
            grouped[rec["name"]].append(rec)
            continue
        lines.append(_line(rec, formats.get(rec["name"], ""), t))
    for name, recs in grouped.items():
        fmt = formats.get(name, "")
        # Days and weeks in calendar order; other groupings largest first.
        ranked = recs if periods.get(name) else sorted(recs, key=lambda r: -(r["value"] or 0))
        nonzero = [r for r in ranked if r["value"]]
        shown = [f"{r['group']} {metric_value(r['value'], fmt)}" for r in nonzero[:TOP]]
        more = t("cli_summary_more", n=len(nonzero) - TOP) if len(nonzero) > TOP else ""
        sep = messages.text("sep_comma", lang)
        colon = messages.text("sep_colon", lang)
        lines.append(f"  {recs[0]['title']}{colon}{sep.join(shown) or '—'}{more}")
        lines.extend("  " + _line(r, fmt, t) for r in recs if _differs(r))
    return "\n".join(lines)


def _differs(rec: dict) -> bool:
    return rec["declared"] is not None and (rec["value"] is None or abs(rec["declared"] - rec["value"]) > 0.005)


def _line(rec: dict, fmt: str, t) -> str:
    declared = t("cli_declared", value=shown_number(rec["declared"])) if _differs(rec) else ""
    group = t("metric_group", group=rec["group"]) if rec["group"] is not None else ""
    return t(
        "cli_metric_line", title=rec["title"], group=group, value=metric_value(rec["value"], fmt), declared=declared
    )
