"""The rule codes: one `Rule` for each kind of finding ecomsheets can report.

A finding's rule is a stable code (`required`, `min`, `reference`, …) that scripts read in
`validate --format json`. Each rule has, in `ecomsheets.messages`, a message template
`f_<code>`, a short label `r_rule_<code>` (the 规则 column of the reports) and a one-line
description `r_desc_<code>`, in Chinese and English. `python -m ecomsheets.rules` prints the
table of docs/rules.md.
"""

from __future__ import annotations

from enum import StrEnum

from ecomsheets import messages


class Rule(StrEnum):
    """A rule code; equal to its string, so JSON and comparisons with text keep working."""

    # --- files refused before reading ----------------------------------------------------------
    NOT_FOUND = "not_found"
    EMPTY_FILE = "empty_file"
    LOCK_FILE = "lock_file"
    TOO_LARGE = "too_large"
    ENCRYPTED = "encrypted"
    OLD_XLS = "old_xls"
    WPS_ET = "wps_et"
    ODS = "ods"
    NUMBERS = "numbers"
    NOT_XLSX = "not_xlsx"
    CORRUPT = "corrupt"
    ZIP_BOMB = "zip_bomb"
    XML_ENTITIES = "xml_entities"
    DIMENSION = "dimension"
    PARSER_CRASHED = "parser_crashed"
    PARSER_TIMEOUT = "parser_timeout"
    PARSER_MEMORY = "parser_memory"
    UNREADABLE = "unreadable"
    INTERNAL_ERROR = "internal_error"
    # --- the workbook as a whole -----------------------------------------------------------------
    OUR_SUMMARY = "our_summary"
    META_INVALID = "meta_invalid"
    MACROS = "macros"
    EXTERNAL_LINKS = "external_links"
    NO_TABLES = "no_tables"
    NO_DATA = "no_data"
    MONTH_UNKNOWN = "month_unknown"
    WRONG_MONTH = "wrong_month"
    # --- sheets, headers and the shape of a table ------------------------------------------------
    SHEET_MISSING = "sheet_missing"
    SHEET_UNKNOWN = "sheet_unknown"
    HIDDEN_SHEET = "hidden_sheet"
    HEADER_NOT_FOUND = "header_not_found"
    COLUMN_MISSING = "column_missing"
    COLUMN_UNKNOWN = "column_unknown"
    COLUMN_DUPLICATE = "column_duplicate"
    HIDDEN_COLUMNS = "hidden_columns"
    HIDDEN_ROWS = "hidden_rows"
    MERGED_CELLS = "merged_cells"
    TOTAL_ROW = "total_row"
    # --- one cell ----------------------------------------------------------------------------------
    TYPE = "type"
    AMBIGUOUS_DATE = "ambiguous_date"
    NORMALIZED = "normalized"
    PRECISION_LOST = "precision_lost"
    REQUIRED = "required"
    UNIQUE = "unique"
    PRIMARY_KEY = "primary_key"
    MIN = "min"
    MAX = "max"
    ENUM = "enum"
    PATTERN = "pattern"
    MAX_LENGTH = "max_length"
    OUT_OF_MONTH = "out_of_month"
    ERROR_VALUE = "error_value"
    FORMULA_ERROR = "formula_error"
    FORMULA_IN_DATA = "formula_in_data"
    FORMULA_NO_VALUE = "formula_no_value"
    EXTERNAL_FORMULA = "external_formula"
    # --- rows, sheets against each other, the summary sheet ---------------------------------------
    ROW_RULE = "row_rule"
    DERIVED_MISMATCH = "derived_mismatch"
    DERIVED_GIVEN = "derived_given"
    REFERENCE = "reference"
    RECONCILE = "reconcile"
    TOTALS = "totals"
    PARAMETER_UNSET = "parameter_unset"
    SUMMARY_MISMATCH = "summary_mismatch"
    # --- consolidating a month of files ------------------------------------------------------------
    CONFLICT = "conflict"
    DUPLICATE_ROWS = "duplicate_rows"
    LEFT_OUT_FILE = "left_out_file"
    LEFT_OUT_ROWS = "left_out_rows"
    LEFT_OUT_MONTH = "left_out_month"
    LEFT_OUT_COPY = "left_out_copy"
    LEFT_OUT_OTHER_MONTH = "left_out_other_month"
    LEFT_OUT_UNREADABLE = "left_out_unreadable"
    # --- masters (team workbooks' copies of the master lists) ---------------------------------------
    REFERENCE_UNCHECKED = "reference_unchecked"
    # --- a month across bundles -------------------------------------------------------------------------
    LEFT_OUT_FAMILY = "left_out_family"
    REFERENCE_ABSENT = "reference_absent"
    # --- schema versions ---------------------------------------------------------------------------------
    SCHEMA_VERSION = "schema_version"
    # --- platform and ERP exports (ecomsheets import) -----------------------------------------------
    IMPORT_UNRECOGNISED = "import_unrecognised"
    IMPORT_PLATFORM = "import_platform"
    IMPORT_ENCODING = "import_encoding"
    IMPORT_UNREADABLE = "import_unreadable"
    IMPORT_ID_DAMAGED = "import_id_damaged"
    IMPORT_ROW_LEFT_OUT = "import_row_left_out"
    IMPORT_TOTAL_MISMATCH = "import_total_mismatch"
    IMPORT_CONFLICT = "import_conflict"
    # --- the web page (ecomsheets serve) -------------------------------------------------------------
    WRONG_BUNDLE = "wrong_bundle"

    def label(self, lang: str = "zh") -> str:
        """The rule's short name in the reports (`必填未填`, `required`)."""
        return messages.text(f"r_rule_{self.value}", lang)

    def description(self, lang: str = "zh") -> str:
        """One line on what the rule finds, for the people who read the reports."""
        return messages.text(f"r_desc_{self.value}", lang)


def markdown() -> str:
    """docs/rules.md: every rule code with its labels and descriptions."""
    lines = [
        "# Rule codes",
        "",
        "<!-- Generated by `python -m ecomsheets.rules > docs/rules.md` from `ecomsheets.rules.Rule` and the",
        "texts in `ecomsheets/messages.py`; tests/test_rule_codes.py checks that this file is up to date. -->",
        "",
        "Every finding carries one of these codes as its `rule` (`validate --format json`, the HTML report,",
        "the annotated copy). The labels are `r_rule_<code>` and the descriptions `r_desc_<code>` in",
        "`ecomsheets/messages.py`; each message template is `f_<code>`. To add a rule, add a member to",
        "`ecomsheets.rules.Rule`, its three texts to `messages.py`, and regenerate this file.",
        "",
        "| code | label (zh) | label (en) | description (zh) | description (en) |",
        "|---|---|---|---|---|",
    ]
    cell = lambda text: text.replace("|", "\\|")  # noqa: E731
    for rule in Rule:
        lines.append(
            f"| `{rule.value}` | {cell(rule.label('zh'))} | {cell(rule.label('en'))} "
            f"| {cell(rule.description('zh'))} | {cell(rule.description('en'))} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.buffer.write(markdown().encode("utf-8"))
