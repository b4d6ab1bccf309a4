"""Last month's figures, for the change on last month (环比).

Every summary workbook carries a hidden sheet of its figures: one (key, JSON) pair a row, the
month's ungrouped figures one a row. `read_previous` reads that sheet back from a file the
user names, as the untrusted input it is (read.meta does the same for templates): the file
passes the guard first, only that sheet is parsed, at most MAX_ROWS rows of values of bounded
length, and every value is checked against the shape the writer gives it. Anything else is a
UsageError that says what the file is not.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from ecomsheets import messages
from ecomsheets.errors import UsageError

FIGURES_SHEET = "_figures"
FORMAT = "ecomsheets/summary"
VERSION = 1
MAX_ROWS = 10_000  # figures of one summary
MAX_VALUE = 1_000  # characters of one value
MAX_NAME = 200  # characters of a name (bundle, metric)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class PreviousSummary:
    path: str
    bundle: str
    family: str
    month: str | None  # "2026-10"
    figures: dict[str, float | None] = field(default_factory=dict)


def figures_rows(result) -> list[tuple[str, str]]:
    """The (key, JSON text) rows of a summary's hidden figures sheet."""
    bundle = result.bundle
    rows = [
        ("format", FORMAT),
        ("version", json.dumps(VERSION)),
        ("bundle", json.dumps(bundle.name, ensure_ascii=False)),
        ("family", json.dumps(bundle.family_name, ensure_ascii=False)),
        ("month", json.dumps(str(result.month) if result.month else None)),
    ]
    for v in result.metrics:
        if v.group is None:
            rows.append(("figure", json.dumps([v.name, v.value], ensure_ascii=False)))
    return rows


def read_previous(path: Path) -> PreviousSummary:
    """Last month's figures from a summary workbook ecomsheets wrote (UsageError otherwise)."""
    from ecomsheets.read.guard import check_file

    path = Path(path)
    name = str(path)
    refused = check_file(path)
    if refused is not None:
        raise UsageError(*messages.both("prev_unreadable", file=name, detail=messages.Both(*_texts(refused))))
    from ecomsheets.process.isolate import Failed, run_isolated

    try:
        # Parsed in a child, as every submitted file is: a crafted file may crash the reader.
        names, pairs, problem = run_isolated(_figures_sheet, str(path), file=name)
    except Failed as exc:
        found = exc.finding
        detail = messages.Both(found.message, found.message_en or found.message)
        raise UsageError(*messages.both("prev_unreadable", file=name, detail=detail)) from None
    if problem is not None:
        raise UsageError(*messages.both("prev_unreadable", file=name, detail=problem))
    if FIGURES_SHEET not in names:
        ours = any(
            {messages.text(c, lang) for c in ("s_overview", "s_sources", "s_findings")} <= set(names)
            for lang in ("zh", "en")
        )
        raise UsageError(*messages.both("prev_old_summary" if ours else "prev_not_summary", file=name))
    try:
        return _parse(name, pairs)
    except _Bad as exc:
        raise UsageError(*messages.both("prev_damaged", file=name, sheet=FIGURES_SHEET, detail=str(exc))) from None


def _figures_sheet(path: str) -> tuple[list[str], list[tuple], str | None]:
    """In a child: the sheet names, the figures sheet's (key, value) rows, and a damaged file's
    first line of complaint."""
    import fastexcel

    try:
        reader = fastexcel.read_excel(path)
        names = list(reader.sheet_names)
        if FIGURES_SHEET not in names:
            return names, [], None
        table = reader.load_sheet(FIGURES_SHEET, header_row=None, dtypes="string", n_rows=MAX_ROWS + 10).to_arrow()
    except Exception as exc:  # a damaged file is a message, not a traceback
        return [], [], (str(exc).splitlines() or [type(exc).__name__])[0][:160]
    pairs = list(zip(table.column(0).to_pylist(), table.column(1).to_pylist())) if table.num_columns >= 2 else []
    return names, pairs, None


def check_previous(previous: PreviousSummary, result) -> None:
    """Last month's summary must be of the same family and of an earlier month."""
    family = result.bundle.family_name
    if previous.family != family:
        raise UsageError(
            *messages.both("prev_other_family", file=previous.path, its=previous.family, this=result.bundle.title)
        )
    if previous.month and result.month and _ym(previous.month) >= (result.month.year, result.month.month):
        raise UsageError(
            *messages.both("prev_not_earlier", file=previous.path, its=previous.month, month=str(result.month))
        )


def change(value: float | None, before: float | None) -> tuple[float | None, float | None]:
    """The change on last month: (absolute, relative); None where either is blank, and no
    relative change from zero."""
    if value is None or before is None:
        return None, None
    return value - before, ((value - before) / abs(before) if before else None)


class _Bad(ValueError):
    pass


def _texts(f) -> tuple[str, str]:
    return f.text("zh"), f.text("en")


def _ym(text: str) -> tuple[int, int]:
    m = _MONTH.match(text)
    assert m is not None  # checked when read
    return int(m[1]), int(m[2])


def _parse(name: str, pairs) -> PreviousSummary:
    if len(pairs) > MAX_ROWS + 5:
        raise _Bad(f"{len(pairs)} rows")
    head: dict[str, object] = {}
    figures: dict[str, float | None] = {}
    for key, text in pairs:
        if key is None and text is None:
            continue
        if not isinstance(key, str) or not isinstance(text, str) or len(key) > 20 or len(text) > MAX_VALUE:
            raise _Bad(f"row {len(head) + len(figures) + 1}")
        if key == "format":
            head[key] = text
            continue
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):
            raise _Bad(key[:20]) from None
        if key == "figure":
            if not (isinstance(value, list) and len(value) == 2 and _name(value[0]) and _number(value[1])):
                raise _Bad("figure")
            figures[value[0]] = None if value[1] is None else float(value[1])
        elif key in ("version", "bundle", "family", "month"):
            head[key] = value
    if head.get("format") != FORMAT:
        raise _Bad("format")
    if head.get("version") != VERSION:
        raise _Bad("version")
    if not _name(head.get("bundle")) or not _name(head.get("family")):
        raise _Bad("bundle")
    month = head.get("month")
    if month is not None:
        m = _MONTH.match(month) if isinstance(month, str) else None
        if not m or not 1 <= int(m[2]) <= 12:
            raise _Bad("month")
    return PreviousSummary(name, str(head["bundle"]), str(head["family"]), month, figures)  # type: ignore[arg-type]


def _name(value) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_NAME


def _number(value) -> bool:
    if value is None:
        return True
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
