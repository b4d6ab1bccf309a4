"""The validation report as one self-contained HTML page (inline CSS, no scripts, no external
assets) that a shop manager can open, print or forward. Rendered from
templates/report.html.j2 with autoescaping on: finding values come from submitted files."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path, PurePath

from ecomsheets import messages
from ecomsheets.atomic import atomic_output
from ecomsheets.findings import ERROR, WARNING, Finding, Report
from ecomsheets.resources import builtin_dir

from .findings_view import (
    clean_text,
    column_label,
    grouped_by_sheet,
    rule_label,
    severity_label,
    truncated_items,
    where_label,
)

TEMPLATE = "report.html.j2"
VALUE_LIMIT = 300  # characters of a value shown in the page
MESSAGE_LIMIT = 2000


def template_environment():
    """The jinja2 environment of our pages: the packaged templates, every value escaped, a
    missing one an error."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(builtin_dir("templates")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _file_name(path: str) -> str:
    """The file's name without the folders it was checked in (they mean nothing to a reader)."""
    name = PurePath(str(path).replace("\\", "/")).name
    return name or str(path)


def _row(f: Finding, lang: str) -> dict:
    value = clean_text(f.value, VALUE_LIMIT, lang)
    return {
        "severity": f.severity if f.severity in (ERROR, WARNING) else "other",
        "severity_label": severity_label(f.severity, lang),
        "where": clean_text(where_label(f, lang)),
        "column": clean_text(column_label(f)),
        "value": value,
        "blank": f.value is not None and value == "" and bool(f.cell),
        "message": clean_text(f.text(lang), MESSAGE_LIMIT, lang),
        "expected": clean_text(f.expected, VALUE_LIMIT, lang),
        "rule": rule_label(f.rule, lang),
    }


def file_view(index: int, report: Report, lang: str) -> dict:
    """One file's part of the page, as plain data (also what the web page keeps and shows)."""
    groups = []
    for sheet, items in grouped_by_sheet(report.findings):
        # True counts: findings past the listing limit are counted in their sheet too.
        errors, warnings = report.count(ERROR, sheet=sheet), report.count(WARNING, sheet=sheet)
        rows = [_row(f, lang) for f in items]
        groups.append(
            {
                "title": (
                    messages.text("r_sheet_heading", lang, sheet=clean_text(sheet))
                    if sheet
                    else messages.text("r_whole_file", lang)
                ),
                "counts": messages.text("r_group_counts", lang, errors=errors, warnings=warnings),
                "rows": rows,
                "has_expected": any(r["expected"] for r in rows),
            }
        )
    truncated = truncated_items(report, lang)
    status = "unreadable" if report.unreadable else ("valid" if report.valid else "invalid")
    return {
        "anchor": f"file-{index}",
        "name": clean_text(report.label or _file_name(report.file)),
        "bundle": clean_text(report.bundle_title[lang == "en"] if report.bundle_title else report.bundle)
        or messages.text("r_bundle_unknown", lang),
        "status": status,
        "status_label": messages.text(f"r_{status}", lang),
        "errors": report.errors,
        "warnings": report.warnings,
        "rows": report.rows_checked,
        "sheets": report.sheets_checked,
        "unreadable": report.unreadable,
        "first": _row(report.findings[0], lang) if report.findings else None,
        "groups": groups,
        "truncated": [i.text(lang) for i in truncated],
        "truncated_count": sum(i.count for i in truncated),
    }


def render_html(reports: list[Report], lang: str = "zh", *, now: datetime | None = None) -> str:
    """The report page for one or more validated files."""
    lang = "en" if lang == "en" else "zh"
    files = [file_view(i, r, lang) for i, r in enumerate(reports, start=1)]
    valid = sum(f["status"] == "valid" for f in files)
    generated = (now or datetime.now()).strftime("%Y-%m-%d %H:%M")
    return (
        template_environment()
        .get_template(TEMPLATE)
        .render(
            lang="en" if lang == "en" else "zh-CN",
            _=lambda code, **params: messages.text(code, lang, **params),
            generated=generated,
            files=files,
            overview=messages.text("r_overview", lang, files=len(files), valid=valid, invalid=len(files) - valid),
        )
    )


def write_html(
    reports: list[Report], path, *, force: bool = False, lang: str = "zh", now: datetime | None = None
) -> Path:
    """Write the report page (atomically; refuses an existing file without force, or a path
    that is one of the validated files)."""
    text = render_html(reports, lang, now=now)
    inputs = tuple(Path(r.file) for r in reports if r.file)
    with atomic_output(Path(path), force=force, inputs=inputs) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)
