"""Findings and reports: everything that can be wrong with a submitted workbook is a Finding
with a stable rule code (a `Rule`), a cell, and a message in Chinese and English rendered from
one template per rule (see `ecomsheets.messages`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ecomsheets import messages
from ecomsheets.rules import Rule

ERROR, WARNING = "error", "warning"
VALUE_LIMIT = 200  # characters of a cell value quoted in a finding
# Findings of one kind in one sheet listed from the reading (headers, merges, hidden rows): a
# sheet with a thousand stray header cells gets this many lines and a count, not a thousand.
LIST_PER_SHEET = 50


@dataclass(frozen=True)
class Finding:
    severity: str
    rule: Rule  # a StrEnum: equal to its code, and written as the plain code
    message: str
    message_en: str
    file: str | None = None
    sheet: str | None = None
    table: str | None = None
    cell: str | None = None  # "D17"; None for a whole sheet, column or file
    row: int | None = None  # Excel row number
    column: str | None = None  # schema column name
    header: str | None = None  # the header text as written in the file
    value: Any = None  # the offending value, as text
    expected: Any = None  # e.g. the recomputed value
    origin: str | None = None  # where an imported row came from: "天猫订单.csv 第 17 行"

    @property
    def where(self) -> str:
        """`订单!D17`, `订单`, or the file name."""
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or self.file or ""

    def text(self, lang: str = "zh") -> str:
        return self.message_en if lang == "en" else self.message

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("file")
        d["rule"] = str(self.rule)  # the plain code, whatever wrote the Finding
        return {
            k: d[k]
            for k in (
                "severity",
                "sheet",
                "table",
                "cell",
                "row",
                "column",
                "header",
                "value",
                "rule",
                "message",
                "message_en",
                "expected",
                "origin",
            )
        }


def finding(rule: Rule | str, severity: str = ERROR, **fields) -> Finding:
    """Build a Finding whose messages come from the rule's template (`f_<rule>`).

    `rule` is a Rule or its code; an unknown code raises ValueError at once. Template fields
    are the Finding's own fields plus any extra keyword given.
    """
    rule = Rule(rule)
    cut = None
    if isinstance(fields.get("value"), str) and len(fields["value"]) > VALUE_LIMIT:
        # A cell can hold millions of characters; a message quotes its start.
        cut = messages.Both(*messages.both("value_cut", start=fields["value"][:VALUE_LIMIT], n=len(fields["value"])))
        fields["value"] = cut[0]
    params = {k: ("" if v is None else v) for k, v in fields.items()}
    if cut is not None:
        params["value"] = cut
    params.setdefault("value", "")
    params.setdefault("header", "")
    zh, en = messages.both(f"f_{rule}", **params)
    known = Finding.__dataclass_fields__
    kept = {k: v for k, v in fields.items() if k in known}
    return Finding(severity=severity, rule=rule, message=zh, message_en=en, **kept)


# Errors that do not make a row unusable: typed summary figures are recomputed anyway, and rows
# outside the month are left out by month (and counted as such).
ROW_NEUTRAL = frozenset({Rule.SUMMARY_MISMATCH, Rule.OUT_OF_MONTH, Rule.WRONG_MONTH})


@dataclass
class Report:
    """The result of validating one file.

    `findings` lists every finding up to a safety limit per kind (see validate.context); the
    ones past it are counted in `truncated` ("severity/rule/sheet/column" -> n), so that every
    count is the true one. `error_rows` holds every data row with an error (table -> rows),
    listed or not: it decides which rows a consolidation leaves out.
    """

    file: str
    bundle: str | None = None
    schema_version: int | None = None
    findings: list[Finding] = field(default_factory=list)
    rows_checked: int = 0
    sheets_checked: int = 0
    sha256: str | None = None
    size: int | None = None
    seconds: float = 0.0
    truncated: dict[str, int] = field(default_factory=dict)  # "severity/rule/sheet/column" -> not listed
    unreadable: bool = False  # the file could not be read, or holds nothing recognisable (exit code 2)
    error_rows: dict[str, set[int]] = field(default_factory=dict)  # table -> rows with a row error
    meta_month: str | None = None  # the month the file's metadata names, if any
    meta_bundle: str | None = None  # the bundle the file's metadata names (a catalogue's), if any
    shop: str | None = None  # the shop the file's metadata names (ecomsheets import --shop), if any
    bundle_title: tuple[str, str] | None = None  # (zh, en) of the bundle, for people to read
    label: str | None = None  # the file as people tell it apart: its path below the folder given
    skipped: bool = False  # not a submission (a summary ecomsheets wrote): said, and not counted

    @property
    def errors(self) -> int:
        return self.count(ERROR)

    @property
    def warnings(self) -> int:
        return self.count(WARNING)

    def count(self, severity: str, *, sheet: str | None = ..., skip_rules=()) -> int:
        """True number of findings of a severity (listed or not), for one sheet if given
        (None: findings about the whole file), leaving out the rules in skip_rules."""
        n = sum(
            f.severity == severity and f.rule not in skip_rules and (sheet is ... or (f.sheet or None) == sheet)
            for f in self.findings
        )
        for key, k in self.truncated.items():
            sev, rule, where, _ = _split_key(key)
            if sev == severity and rule not in skip_rules and (sheet is ... or where == sheet):
                n += k
        return n

    def add_listing(self, findings, per_sheet: int = LIST_PER_SHEET) -> None:
        """Add findings, listing at most `per_sheet` of one severity and rule in one sheet; the
        rest are counted in `truncated`, so every count stays the true one."""
        seen: dict[str, int] = {}
        for f in findings:
            key = truncation_key(f.severity, f.rule, f.sheet, None)
            seen[key] = seen.get(key, 0) + 1
            if seen[key] > per_sheet:
                self.truncated[key] = self.truncated.get(key, 0) + 1
            else:
                self.findings.append(f)

    @property
    def omitted(self) -> int:
        return sum(self.truncated.values())

    @property
    def valid(self) -> bool:
        return not self.unreadable and self.errors == 0 and not self.skipped

    def to_dict(self, max_findings: int | None = None) -> dict:
        """The `validate --format json` document; at most max_findings findings listed (errors
        first), the rest counted in summary.findings_omitted."""
        listed = self.findings
        if max_findings is not None and len(listed) > max_findings:
            listed = sorted(listed, key=lambda f: f.severity != ERROR)[:max_findings]
        return {
            "file": self.file,
            "bundle": self.bundle,
            "schema_version": self.schema_version,
            "valid": self.valid,
            "summary": {
                "errors": self.errors,
                "warnings": self.warnings,
                "rows_checked": self.rows_checked,
                "sheets_checked": self.sheets_checked,
                "findings_omitted": self.omitted + len(self.findings) - len(listed),
            },
            "findings": [f.to_dict() for f in listed],
        }


def truncation_key(severity: str, rule: str, sheet: str | None, column: str | None) -> str:
    return f"{severity}/{rule}/{sheet or ''}/{column or ''}"


def _split_key(key: str) -> tuple[str, str, str | None, str | None]:
    parts = (str(key).split("/", 3) + ["", "", "", ""])[:4]
    sev, rule, sheet, column = (None if p in ("", "None") else p for p in parts)
    return sev or "", rule or "", sheet, column
