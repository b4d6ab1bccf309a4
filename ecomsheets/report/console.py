"""Reports as console text: per file a verdict, then per sheet the counts and each finding
as `订单!D17 数量 "-2"：必须 ≥ 1`, errors before warnings."""

from __future__ import annotations

from collections import defaultdict

from ecomsheets import messages
from ecomsheets.findings import ERROR, WARNING, Report
from ecomsheets.rules import Rule
from ecomsheets.textsafe import for_terminal

from .findings_view import sort_key

CONSOLE_PER_SHEET = 20  # findings listed per sheet on the console; JSON and HTML list them all


def render_console(report: Report, lang: str = "zh", *, per_sheet: int | None = CONSOLE_PER_SHEET) -> str:
    """One file's verdict, then per sheet its true counts and its first `per_sheet` findings
    (None: all), saying how many more there are. Text from the file (its name, sheet names,
    cell values) is shown with control characters escaped."""
    t = lambda code, **kw: messages.text(code, lang, **kw)  # noqa: E731
    safe = for_terminal
    lines = []
    if report.skipped:
        reason = next((f.text(lang) for f in report.findings), "")
        return t("cli_skipped", file=safe(report.file), reason=safe(reason))
    if report.unreadable:
        lines.append(t("cli_unreadable", file=safe(report.file)))
        lines.extend("  " + safe(f.text(lang)) for f in report.findings)
        return "\n".join(lines)
    stats = dict(file=safe(report.file), rows=report.rows_checked, sheets=report.sheets_checked)
    if report.errors == 0:
        warn = t("cli_warn_suffix", n=report.warnings) if report.warnings else ""
        lines.append(t("cli_valid", warn=warn, **stats))
    else:
        lines.append(t("cli_invalid", errors=report.errors, warnings=report.warnings, **stats))
    # Sheets not handed in: one line, not a block each (a partial workbook is common).
    missing = [f for f in report.findings if f.rule == Rule.SHEET_MISSING]
    if missing:
        sep = messages.text("sep_list", lang)
        lines.append(
            t(
                "cli_missing_sheets",
                found=report.sheets_checked,
                n=len(missing),
                sheets=sep.join(safe(f.sheet) for f in missing),
            )
        )
    by_sheet: dict[str, list] = defaultdict(list)
    for f in report.findings:
        if f.rule != Rule.SHEET_MISSING:
            by_sheet[f.sheet or ""].append(f)
    for key in report.truncated:  # a sheet whose findings all went past the listing limit
        by_sheet.setdefault(str(key).split("/", 3)[2] if key.count("/") >= 3 else "", [])
    # Findings about the whole file first, then sheet by sheet.
    for sheet, findings in sorted(by_sheet.items(), key=lambda kv: kv[0] != ""):
        errors = report.count(ERROR, sheet=sheet or None, skip_rules=(Rule.SHEET_MISSING,))
        warnings = report.count(WARNING, sheet=sheet or None, skip_rules=(Rule.SHEET_MISSING,))
        if sheet:
            lines.append(t("cli_sheet_counts", sheet=safe(sheet), errors=errors, warnings=warnings))
        ordered = sorted(findings, key=sort_key)
        shown = ordered if per_sheet is None else ordered[:per_sheet]
        for f in shown:
            level = t(f"cli_level_{f.severity}")
            where = f.where if f.cell else (f.sheet or "")
            prefix = f"{where} " if where else ""
            lines.append(f"    [{level}] {safe(prefix)}{safe(f.text(lang))}")
        more = errors + warnings - len(shown) if sheet else len(ordered) - len(shown)
        if more > 0:
            lines.append(t("cli_more_in_sheet", n=more))
    return "\n".join(lines)
