"""The words a schema file may use: the keys of each kind of declaration with the type each
takes (and how a loading error names that type), the aggregations, and the cycle search that
derived columns and metrics share. Shared by the loader and the metrics loader."""

from __future__ import annotations

from ecomsheets import messages

AGGREGATES = ("sum", "count", "distinct", "avg", "min", "max")

# key -> (expected python types, zh description, en description)
_STR = ((str,), *messages.both("want_text"))
_INT = ((int,), *messages.both("want_integer"))
_NUM = ((int, float), *messages.both("want_number"))
_BOOL = ((bool,), *messages.both("want_bool"))
_LIST = ((list,), *messages.both("want_list"))
_MAP = ((dict,), *messages.both("want_mapping"))
_STR_OR_LIST = ((str, list), *messages.both("want_text_or_list"))

COLUMN_KEYS = {
    "name": _STR,
    "title": _STR,
    "title_en": _STR,
    "type": _STR,
    "required": _BOOL,
    "unique": _BOOL,
    "min": _NUM,
    "max": _NUM,
    "values": _LIST,
    "values_from": _STR,
    "pattern": _STR,
    "references": _STR,
    "formula": _STR,
    "aliases": _LIST,
    "width": _NUM,
    "note": _STR,
    "note_en": _STR,
    "max_length": _INT,
    "in_month": _BOOL,
    "total": _BOOL,
    "example": _STR,
    "example_from": _STR,
    "default": ((str, int, float), *messages.both("want_text_or_number")),
    "value_aliases": _MAP,
    "origin": _BOOL,
    "progress": _BOOL,
}
TABLE_KEYS = {
    "name": _STR,
    "title": _STR,
    "title_en": _STR,
    "sheet": _STR,
    "sheet_en": _STR,
    "description": _STR,
    "description_en": _STR,
    "version": _INT,
    "primary_key": _STR_OR_LIST,
    "file_key": _STR_OR_LIST,
    "key_per_file": _BOOL,
    "columns": _LIST,
    "rules": _LIST,
    "header_row": _INT,
    "example_rows": _INT,
    "parameters": _MAP,
    "form": _MAP,
}
FORM_KEYS = {"note": _STR, "note_en": _STR, "fields": _LIST, "signoff": _LIST}
FORM_ITEM_KEYS = {"name": _STR, "title": _STR, "title_en": _STR}
RULE_KEYS = {
    "name": _STR,
    "check": _STR,
    "when": _STR,
    "message": _STR,
    "message_en": _STR,
    "columns": _LIST,
    "severity": _STR,
}
BUNDLE_RULE_KEYS = {**RULE_KEYS, "table": _STR}
WORKBOOK_KEYS = {
    "name": _STR,
    "title": _STR,
    "title_en": _STR,
    "description": _STR,
    "description_en": _STR,
    "version": _INT,
    "tables": _LIST,
    "parameters": _MAP,
    "checks": _LIST,
    "metrics": _LIST,
    "rules": _LIST,
    "summary_sheet": _STR,
    "summary_sheet_en": _STR,
    "family": _STR,
    "masters": _MAP,
    "roster": _LIST,
    "headline": _LIST,
}
ROSTER_KEYS = {"name": _STR, "bundle": _STR}
METRIC_KEYS = {
    "name": _STR,
    "title": _STR,
    "title_en": _STR,
    "agg": _STR,
    "table": _STR,
    "column": _STR,
    "where": _STR,
    "by": _STR,
    "period": _STR,
    "expr": _STR,
    "format": _STR,
    "note": _STR,
    "note_en": _STR,
}
PARAMETER_KEYS = {
    "value": ((str, int, float, bool), *messages.both("want_text_or_number")),  # null: the manager fills it in
    "title": _STR,
    "title_en": _STR,
    "type": _STR,  # a column type, for a parameter left blank (`value: null`)
    "example": ((str, int, float, bool), *messages.both("want_text_or_number")),  # what example workbooks fill in
}
CHECK_KEYS = {
    "name": _STR,
    "table": _STR,
    "column": _STR,
    "value": _NUM,  # compared with the aggregate instead of the column (which still names the cell)
    "op": _STR,
    "agg": _STR,
    "source_table": _STR,
    "source_column": _STR,
    "match": _MAP,
    "where": _STR,
    "when": _STR,
    "tolerance": ((str, int, float), *messages.both("want_text_or_number")),
    "severity": _STR,
    "message": _STR,
    "message_en": _STR,
}
METRIC_CHECK_KEYS = {
    "name": _STR,
    "metric": _STR,
    "against": _STR,
    "op": _STR,
    "tolerance": ((str, int, float), *messages.both("want_text_or_number")),
    "severity": _STR,
    "message": _STR,
    "message_en": _STR,
}
CHECK_OPS = ("=", "<=", ">=", "<", ">")
REFERENCE_KEYS = {"name": _STR, "title": _STR, "title_en": _STR, "items": _LIST}


def find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    """A loop in `graph` (name -> names it uses) as the path that closes it, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in graph:
                continue
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in graph:
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None
