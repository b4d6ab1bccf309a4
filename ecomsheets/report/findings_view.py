"""What the HTML report and the annotated workbook share: labels, ordering and the cleaning
of text that came from a submitted file."""

from __future__ import annotations

import re
from dataclasses import dataclass

from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from ecomsheets import messages
from ecomsheets.findings import ERROR, WARNING, Finding, Report
from ecomsheets.read.headers import REQUIRED_STAR_CHARS
from ecomsheets.rules import Rule

# C0 controls except \t and \n, DEL, C1 controls, lone surrogates, the XML non-characters, and
# bidirectional overrides (a name or value made to read backwards).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]")
_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")
SEVERITY_ORDER = {ERROR: 0, WARNING: 1}


def clean_text(value, limit: int | None = None, lang: str = "zh") -> str:
    """`value` as text without control characters (line breaks become \\n), cut to `limit`."""
    if value is None:
        return ""
    if isinstance(value, float) and value == value and abs(value) < 1e15:
        # A count is shown as 1, not 1.0; other figures without float noise.
        text = f"{value:.0f}" if value.is_integer() else f"{value:.6f}".rstrip("0").rstrip(".")
    else:
        text = value if isinstance(value, str) else str(value)
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    if limit is not None and len(text) > limit:
        note = messages.text("r_value_cut", lang, n=len(text))
        text = text[: max(0, limit - len(note))] + note
    return text


def severity_label(severity: str, lang: str) -> str:
    code = f"r_sev_{severity}"
    return messages.text(code, lang) if code in messages.MESSAGES else severity


def rule_label(rule: Rule | str, lang: str) -> str:
    """The rule's label (`必填未填`); rule may also be the code as text (a truncation key), and
    text that is no Rule is shown as it is."""
    try:
        return Rule(rule).label(lang)
    except ValueError:
        return str(rule)


def column_label(f: Finding) -> str:
    """The column as the submitter sees it: its header (without the required-star)."""
    if f.header:
        return str(f.header).rstrip(REQUIRED_STAR_CHARS + " ").strip() or str(f.header)
    return f.column or ""


def where_label(f: Finding, lang: str) -> str:
    """`订单!D17`, `订单`, or 整个文件 (never the path the file was checked at)."""
    return f.where if f.sheet else messages.text("r_whole_file", lang)


def cell_position(cell: str | None) -> tuple[int, int] | None:
    """(row, column index) of an A1 address, or None when it is not one."""
    if not cell:
        return None
    m = _CELL.match(str(cell).strip())
    if not m:
        return None
    try:
        letters, row = coordinate_from_string(m.group(1).upper() + m.group(2))
        col = column_index_from_string(letters)
    except ValueError:
        return None
    if not (1 <= row <= 1048576 and 1 <= col <= 16384):
        return None
    return row, col


def sort_key(f: Finding) -> tuple:
    """Errors first, then warnings; then by row and column."""
    pos = cell_position(f.cell) or (f.row or 0, 0)
    return (SEVERITY_ORDER.get(f.severity, 2), pos[0], pos[1])


def grouped_by_sheet(findings: list[Finding]) -> list[tuple[str | None, list[Finding]]]:
    """Findings by sheet in order of first appearance (whole-file findings first), each group
    sorted by `sort_key`."""
    groups: dict[str | None, list[Finding]] = {}
    if any(not f.sheet for f in findings):
        groups[None] = []
    for f in findings:
        groups.setdefault(f.sheet or None, []).append(f)
    return [(sheet, sorted(items, key=sort_key)) for sheet, items in groups.items()]


@dataclass(frozen=True)
class TruncatedItem:
    severity: str
    rule: str
    sheet: str
    column: str
    count: int

    def text(self, lang: str) -> str:
        code = "r_truncated_item" if self.column else "r_truncated_item_sheet"
        return messages.text(
            code,
            lang,
            severity=severity_label(self.severity, lang),
            rule=rule_label(self.rule, lang),
            sheet=self.sheet,
            column=self.column,
            count=self.count,
        )


def truncated_items(report: Report, lang: str) -> list[TruncatedItem]:
    """The `severity/rule/sheet/column` counts of findings that were not listed, with the
    column shown by its header when a listed finding tells it."""
    headers = {(f.sheet, f.column): column_label(f) for f in report.findings if f.column}
    items = []
    for key, count in report.truncated.items():
        parts = str(key).split("/", 3)
        parts += [""] * (4 - len(parts))
        severity, rule, sheet, column = ("" if p == "None" else p for p in parts)
        label = headers.get((sheet or None, column or None), column)
        items.append(TruncatedItem(severity, rule, sheet or messages.text("r_whole_file", lang), label, int(count)))
    items.sort(key=lambda i: (SEVERITY_ORDER.get(i.severity, 2), -i.count))
    return items
