"""An annotated copy of a submitted workbook: cells with errors filled red and cells with
warnings yellow, each with a note (comment) that says what is wrong, and a first sheet
(校验结果) listing every finding with a link to its cell.

The submitted file itself is never written. The copy is the submitted package with a few parts
changed (see `xlsx_patch`): the sheets that get marks, the style sheet (a copy of each marked
cell's format, with the fill), the comments and their drawings, the workbook part and the new
results sheet. Every other part is copied as it was, byte for byte: values, cached results,
formats, images, charts. Making it reads the untrusted file, so it runs in a child process under
the same time and memory limits as the parsing (`ecomsheets.process.isolate`).

What the copy does not keep, on purpose: a formula in a data column (it holds the formula's
saved result instead, or the formula as text when none was saved, and the cell's note says so);
any formula that reaches outside the workbook when it is calculated (DDE, another workbook,
the web: same treatment, wherever it is); links to other workbooks; macros. Text that came
from the submitted file is written as plain text that can never become a formula.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from collections import defaultdict
from datetime import datetime
from pathlib import Path

from ecomsheets import messages
from ecomsheets.atomic import atomic_output
from ecomsheets.errors import UsageError
from ecomsheets.fileinfo import sha256
from ecomsheets.findings import ERROR, WARNING, Finding, Report
from ecomsheets.process.isolate import Failed, ProcessLimits, run_isolated
from ecomsheets.schema.model import text_width
from ecomsheets.xlsx.layout import quote_sheet

from . import xlsx_patch as xp
from .findings_view import (
    SEVERITY_ORDER,
    cell_position,
    clean_text,
    column_label,
    rule_label,
    severity_label,
    sort_key,
    truncated_items,
    where_label,
)

AUTHOR = "ecomsheets"
ERROR_FILL, WARNING_FILL = "FFFFC7CE", "FFFFEB9C"
ERROR_FONT, WARNING_FONT = "9C0006", "9C5700"
HEADER_FILL = "FF1F4E78"
CELL_LIMIT = 32767  # characters Excel keeps in a cell
COMMENT_LIMIT = 32000  # Excel cuts notes at 32,767 characters
VALUE_LIMIT = 1000  # characters of a value listed on the results sheet
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
COLUMNS = (
    "r_col_where",
    "r_col_sheet",
    "r_col_cell",
    "r_col_severity",
    "r_col_rule",
    "r_col_column",
    "r_col_value",
    "r_col_problem",
    "r_col_expected",
)
WIDTHS = (16, 12, 9, 8, 16, 14, 22, 60, 16)
# Findings about a formula in a data cell: the copy holds its saved result instead.
FORMULA_RULES = ("formula_in_data", "formula_no_value", "external_formula")
KEEP_IN_MEMORY = 256 * 2**20  # a marked sheet's XML up to this size is inflated once, not twice
TEXT_FORMAT = 49  # the built-in number format "@"
SMALL_SHEET = 2**20  # bytes of XML: a sheet this small is rewritten even for its tab alone


class AnnotateFailed(ValueError):
    """What is in the file kept the copy from being made (a damaged package, the time or
    memory limit): said for this file, while other files go on. str() is the reason in the
    language asked for; `text(lang)` the whole sentence."""

    def __init__(self, zh: str, en: str, lang: str = "zh"):
        super().__init__(en if lang == "en" else zh)
        self.zh, self.en = zh, en

    def text(self, lang: str = "zh") -> str:
        return messages.text("r_cannot_annotate", lang, detail=self.en if lang == "en" else self.zh)


def _sheet_name(lang: str) -> str:
    return messages.text("r_validation_sheet", lang)


def _link(sheet: str, cell: str) -> str:
    return quote_sheet(sheet) + "!" + cell


def _text(value, limit: int = CELL_LIMIT) -> tuple[str, bool]:
    """`value` as cell text, and whether it needs a quote prefix (it looks like a formula)."""
    text = clean_text(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text, text.startswith(FORMULA_START)


def _previous_pattern(lang: str) -> re.Pattern:
    before, after = messages.MESSAGES["r_comment_previous"][0 if lang == "zh" else 1].split("{author}")
    return re.compile("\n" + re.escape(before) + "(.*?)" + re.escape(after) + "\n", re.S)


def _split_previous(text: str) -> tuple[str, str | None, str | None]:
    """Our note and the user's note we kept inside it: (ours, previous text, its author)."""
    for lang in ("zh", "en"):
        m = _previous_pattern(lang).search(text)
        if m:
            return text[: m.start()], text[m.end() :], m.group(1)
    return text, None, None


def _is_ours(note: xp.Note) -> bool:
    """A note we wrote: by our name, or by nobody (LibreOffice saves notes without their
    author) and starting as ours do ("【错误】…")."""
    if note.author == AUTHOR:
        return True
    if note.author.strip():
        return False
    labels = [
        messages.text("r_comment_line", lg, severity=severity_label(sev, lg), message="")
        for lg in ("zh", "en")
        for sev in (ERROR, WARNING)
    ]
    return note.text.startswith(tuple(labels))


def _formula_note(stripped: xp.Stripped, lang: str) -> str:
    return messages.text("r_formula_as_value" if stripped.how == "value" else "r_formula_as_text", lang)


def _live_note(stripped: xp.Stripped, lang: str) -> str:
    """Why a formula that reaches outside the workbook is not in the copy, and what is."""
    return messages.text(
        "r_formula_live", lang, formula=clean_text("=" + stripped.formula, 300), how=_formula_note(stripped, lang)
    )


def _comment_text(items: list[Finding], previous: xp.Note | None, lang: str, note: str = "") -> str:
    lines = []
    for f in sorted(items, key=sort_key):
        line = messages.text(
            "r_comment_line", lang, severity=severity_label(f.severity, lang), message=clean_text(f.text(lang))
        )
        expected = clean_text(f.expected)
        if expected and expected not in line:
            line += messages.text("r_comment_expected", lang, expected=expected)
        lines.append(line)
    if note:
        lines.append(note)
    text = "\n".join(lines)
    if previous is not None and previous.text:
        text += (
            "\n"
            + messages.text("r_comment_previous", lang, author=clean_text(previous.author))
            + "\n"
            + clean_text(previous.text)
        )
    if len(text) > COMMENT_LIMIT:
        cut = messages.text("r_comment_cut", lang, sheet=_sheet_name(lang))
        text = text[: COMMENT_LIMIT - len(cut) - 1] + "\n" + cut
    return text


def _comment_size(text: str) -> tuple[int, int]:
    """(width, height) in pixels, enough to read the note without resizing it."""
    width = 300
    per_line = 40  # half-width characters per line at this width
    lines = 0
    for line in text.split("\n"):
        units = sum(2 if ord(ch) > 0x2E7F else 1 for ch in line)
        lines += max(1, -(-units // per_line))
    return width, min(max(60, 16 * lines + 14), 600)


class _Merges:
    """Which merged range covers a cell: its top-left cell is where a note goes."""

    def __init__(self, merges: list[tuple[int, int, int, int]]):
        self.by_row: dict[int, list] = defaultdict(list)
        self.tall: list = []
        for m in merges:
            r1, c1, r2, c2 = m
            if r2 < r1 or c2 < c1 or (r1, c1) == (r2, c2):
                continue
            if r2 - r1 < 64:
                for r in range(r1, r2 + 1):
                    self.by_row[r].append(m)
            else:
                self.tall.append(m)

    def target(self, row: int, col: int) -> tuple[int, int]:
        for r1, c1, r2, c2 in (*self.by_row.get(row, ()), *self.tall):
            if r1 <= row <= r2 and c1 <= col <= c2:
                return r1, c1
        return row, col


class _DerivedColumns:
    """Whether a table's column is computed by the template's own formula (loaded on demand:
    only a formula_error finding asks)."""

    def __init__(self):
        self.catalog = None

    def __call__(self, table: str | None, column: str | None) -> bool:
        if not table or not column:
            return True  # not a table's data cell (the summary sheet): the template's formula
        if self.catalog is None:
            from ecomsheets.schema import load_catalog

            try:
                self.catalog = load_catalog()
            except Exception:  # noqa: BLE001 - without the catalogue every column counts as data
                self.catalog = False
        if not self.catalog or table not in self.catalog.tables:
            return False
        spec = self.catalog.tables[table]
        return any(c.name == column and c.derived for c in spec.columns)


class _Copy:
    """The annotated copy of one package, made in one go by `write`."""

    def __init__(self, source: str, report: Report, lang: str):
        self.source, self.report, self.lang = source, report, lang
        self.pkg = xp.Package(source)

    def close(self) -> None:
        self.pkg.close()

    # -- the plan --

    def write(self, out: str) -> None:
        pkg, lang, report = self.pkg, self.lang, self.report
        office = next((r for r in pkg.rels("") if r.type == xp.T_OFFICE and r.part and pkg.has(r.part)), None)
        if office is None:
            raise xp.Unpatchable("workbook")
        wb = xp.WorkbookXml(pkg, pkg.name(office.part))
        wb_rels = {r.id: r for r in pkg.rels(wb.part)}
        shared_strings = next(
            (r.part for r in wb_rels.values() if r.type == xp.T_SHARED_STRINGS and r.part and pkg.has(r.part)), None
        )

        # Sheets that go: our results sheet from an earlier annotation, macro and dialog sheets.
        ours = {messages.text("r_sheet_title", lg) for lg in ("zh", "en")}
        names = {_sheet_name(lg): lg for lg in ("zh", "en")}
        kept, gone = [], set()
        for s in wb.sheets:
            drop = s.kind in xp.MACRO_SHEETS
            if not drop and s.name in names and s.kind == xp.T_WORKSHEET and s.part and pkg.has(s.part):
                drop = names[s.name] == lang or xp.first_cell_text(pkg, s.part, shared_strings) in ours
            elif not drop and s.name == _sheet_name(lang):
                drop = True  # a chart sheet of that name: the results sheet takes its name
            if drop:
                gone.add(s.name)
                if s.rid in wb_rels:
                    pkg.drop_rel(wb.part, wb_rels[s.rid])
                if s.part:
                    pkg.drop_part(s.part)
            else:
                kept.append(s)
        # Links to other workbooks, the calculation chain (it would list formulas that went)
        # and macros are not carried over.
        self.links = 0
        for rel in wb_rels.values():
            if rel.type == xp.T_EXTERNAL:
                self.links += 1
            if rel.type in (xp.T_EXTERNAL, xp.T_CALC_CHAIN) or rel.type in xp.MACRO_PARTS:
                pkg.drop_rel(wb.part, rel)
                if rel.part:
                    pkg.drop_part(rel.part)
        for name in pkg.order:  # a macro project however it is attached
            if posixpath.basename(name).lower().startswith(("vbaproject", "vbadata")):
                pkg.drop_part(name)
        pkg.collect()

        grids = {s.name: s for s in kept if s.kind == xp.T_WORKSHEET and s.part and pkg.has(s.part)}
        self.grids = grids
        for s in kept:  # a chart sheet shown selected would be grouped with the results sheet
            if s.kind != xp.T_WORKSHEET and s.part and pkg.has(s.part) and pkg.size(s.part) < 2**20:
                data = pkg.read(s.part)
                if b"tabSelected" in data:
                    pkg.replaced[pkg.name(s.part)] = re.sub(rb'\stabSelected="(?:1|true)"', b"", data)

        # Where the findings go.
        by_cell: dict[str, dict[tuple[int, int], list[Finding]]] = defaultdict(lambda: defaultdict(list))
        strips: dict[str, set] = defaultdict(set)
        derived = _DerivedColumns()
        for f in report.findings:
            pos = cell_position(f.cell)
            if not (f.sheet and pos and f.sheet in grids):
                continue
            by_cell[f.sheet][pos].append(f)
            if f.rule in FORMULA_RULES or (f.rule == "formula_error" and not derived(f.table, f.column)):
                strips[f.sheet].add(pos)
        strip_columns = self._strip_columns(derived)

        styles_rel = next((r for r in wb_rels.values() if r.type == xp.T_STYLES and r.part and pkg.has(r.part)), None)
        self.styles = xp.Styles(pkg.read(styles_rel.part) if styles_rel else None)
        if styles_rel is None:
            self.styles_part = pkg.free_name("xl/styles%d.xml")
            pkg.add_rel(wb.part, xp.T_STYLES, self.styles_part)
            pkg.overrides[self.styles_part] = xp.CT_STYLES
        else:
            self.styles_part = pkg.name(styles_rel.part)

        # The results sheet is the package's sheet1.xml (the one a reader opens first).
        results_part = "xl/worksheets/sheet1.xml"
        holder = pkg.name(results_part)
        if holder is not None and holder not in pkg.dropped:
            pkg.rename(holder, pkg.free_name("xl/worksheets/sheet%d.xml", 2))
        self.results_part = results_part
        self.results_rid = pkg.add_rel(wb.part, xp.T_WORKSHEET, results_part)
        pkg.overrides[results_part] = xp.CT_WORKSHEET

        # A first look at every sheet: merges, formulas reaching outside, a selected tab.
        blocks = set()
        for name in pkg.order:
            if name.lower().endswith(".vml") and name not in pkg.dropped and pkg.size(name) < 2**24:
                blocks |= xp.vml_blocks(pkg.read(name))
        self.next_block = max(blocks, default=0) + 1
        self.plans = {}
        for name, entry in grids.items():
            marked = bool(by_cell.get(name) or strips.get(name) or strip_columns.get(name))
            small = pkg.size(entry.part) <= SMALL_SHEET
            keep = (marked or small) and pkg.size(entry.part) <= KEEP_IN_MEMORY
            with pkg.open(entry.part) as fh:
                survey = xp.survey(fh, keep, check_refs=marked or small)
            self.plans[name] = self._plan(
                entry, survey, by_cell.get(name, {}), strips.get(name, set()), strip_columns.get(name, {})
            )

        # The copy.
        zout = xp.ZipOut(out)
        try:
            self._write(zout, wb, kept, gone)
        finally:
            zout.close()

    def _strip_columns(self, derived) -> dict[str, dict[int, int]]:
        """Columns with more formula findings than were listed: every formula in them from the
        first listed row down goes too (sheet -> column -> first row)."""
        out: dict[str, dict[int, int]] = defaultdict(dict)
        for key in self.report.truncated:
            parts = (str(key).split("/", 3) + ["", "", "", ""])[:4]
            _, rule, sheet, column = ("" if p == "None" else p for p in parts)
            if sheet not in self.grids or not (rule in FORMULA_RULES or rule == "formula_error"):
                continue
            for f in self.report.findings:
                if f.sheet != sheet or f.rule != rule or (column and f.column != column):
                    continue
                if rule == "formula_error" and derived(f.table, f.column):
                    continue
                pos = cell_position(f.cell)
                if pos:
                    row, col = pos
                    out[sheet][col] = min(out[sheet].get(col, row), row)
        return out

    def _plan(self, entry, survey, cells_found, strips, strip_columns) -> dict:
        pkg = self.pkg
        merges = _Merges(survey.merges)
        targets: dict[tuple[int, int], list[Finding]] = defaultdict(list)
        for (row, col), items in cells_found.items():
            targets[merges.target(row, col)].extend(items)
        cells: dict[tuple[int, int], list] = {}
        for pos, items in targets.items():
            worst = min((f.severity for f in items), key=lambda s: SEVERITY_ORDER.get(s, 2))
            cells[pos] = [ERROR_FILL if worst == ERROR else WARNING_FILL if worst == WARNING else None, False]
        for pos in strips:
            cells.setdefault(pos, [None, False])[1] = True
        rels = pkg.rels(entry.part)
        comments = next((r for r in rels if r.type == xp.T_COMMENTS and r.part and pkg.has(r.part)), None)
        comments_data = pkg.read(comments.part) if comments else None
        has_ours = comments_data is not None and any(_is_ours(n) for n in xp.read_comments(comments_data)[1])
        plan = {
            "entry": entry,
            "survey": survey,
            "targets": targets,
            "cells": cells,
            "strip_columns": strip_columns,
            "legacy_rid": None,
            "comments": None,
            "vml": None,
            "comments_data": comments_data,
            "vml_data": None,
            "block": None,
        }
        if targets or survey.live or has_ours:
            if comments is not None:
                plan["comments"] = pkg.name(comments.part)
            else:
                plan["comments"] = pkg.free_name("xl/comments%d.xml")
                pkg.add_rel(entry.part, xp.T_COMMENTS, plan["comments"])
                pkg.overrides[plan["comments"]] = xp.CT_COMMENTS
                pkg.added[plan["comments"]] = b""
            if survey.legacy_rid is not None:
                vml = next((r for r in rels if r.id == survey.legacy_rid and r.part and pkg.has(r.part)), None)
                if vml is None:
                    raise xp.Unpatchable("legacyDrawing")
                plan["vml"] = pkg.name(vml.part)
                plan["vml_data"] = pkg.read(vml.part)
            else:
                plan["vml"] = pkg.free_name("xl/drawings/vmlDrawing%d.vml")
                plan["legacy_rid"] = pkg.add_rel(entry.part, xp.T_VML, plan["vml"])
                pkg.defaults["vml"] = xp.CT_VML
                pkg.added[plan["vml"]] = b""
                plan["block"] = self.next_block
                self.next_block += 1 + len(targets) // 1024
        # A selected tab is unselected (the results sheet is the one shown); a small sheet also
        # says so when it said nothing (a big one is not rewritten for that alone).
        small = survey.tab_unset and pkg.size(entry.part) <= SMALL_SHEET
        plan["rewrite"] = bool(
            cells or strip_columns or survey.live or survey.tab_selected or small or plan["legacy_rid"]
        )
        return plan

    # -- the copy --

    def _write(self, zout: xp.ZipOut, wb: xp.WorkbookXml, kept: list, gone: set) -> None:
        pkg = self.pkg
        rewrites = {pkg.name(p["entry"].part): p for p in self.plans.values() if p["rewrite"]}
        deferred = {wb.part, self.styles_part} | {
            p[k] for p in self.plans.values() for k in ("comments", "vml") if p[k]
        }
        changed_rels = {}
        for owner in set(pkg.rel_drops) | set(pkg.rel_adds) | set(pkg.rel_retarget):
            if owner and pkg.name(owner) in pkg.dropped:
                continue
            data = pkg.rels_bytes(owner)
            if data is not None:
                out_owner = pkg.renamed.get(pkg.name(owner) or owner, owner)
                changed_rels[xp.rels_name(out_owner)] = data
                deferred.add(pkg.name(xp.rels_name(owner)) or xp.rels_name(owner))
        ct = pkg.content_types()
        zout.write("[Content_Types].xml", ct, pkg.infos.get("[Content_Types].xml"))
        self.stripped: dict[str, dict] = {}
        self.live: dict[str, list] = {}
        for name in pkg.order:
            if name in pkg.dropped or name == "[Content_Types].xml" or name in deferred or name in pkg.added:
                continue
            out_name = pkg.renamed.get(name, name)
            info = pkg.infos[name]
            if name in pkg.replaced:
                zout.write(out_name, pkg.replaced[name], info)
            elif name in rewrites:
                self._rewrite_sheet(zout, rewrites[name], out_name, info)
            else:
                zout.copy_raw(pkg.zf, info, out_name)
        for plan in self.plans.values():
            if plan["comments"]:
                self._write_notes(zout, plan)
        results, extra_names = self._results_sheet(wb)
        zout.write(self.results_part, results)
        zout.write(self.styles_part, self.styles.to_bytes(), pkg.infos.get(self.styles_part))
        order = [s for s in kept]
        new_first = wb.sheet_element(_sheet_name(self.lang), wb.max_sheet_id() + 1, self.results_rid)
        zout.write(wb.part, wb.rewrite(order, new_first, gone, extra_names), pkg.infos.get(wb.part))
        for name, data in changed_rels.items():
            zout.write(name, data, pkg.infos.get(name))

    def _rewrite_sheet(self, zout, plan, out_name, info) -> None:
        pkg, survey = self.pkg, plan["survey"]
        if survey.needs_refs is None:  # rewritten only for a formula found on the way: look now
            if survey.kept is not None:
                survey.needs_refs = any(xp.needs_refs(d, survey.prefix) for d, _, _ in survey.kept)
            else:
                with pkg.open(plan["entry"].part) as fh:
                    survey.needs_refs = any(xp.needs_refs(d, p) for d, _, _, p in xp.pieces(fh))
        edit = xp.SheetEdit(
            survey,
            self.styles,
            plan["cells"],
            strip_columns=plan["strip_columns"],
            live_fill=WARNING_FILL,
            legacy_rid=plan["legacy_rid"],
        )
        with zout.stream(out_name, info, info.file_size) as sink:
            if survey.kept is not None:
                kept, survey.kept = survey.kept, None
                while kept:
                    data, first, last = kept.pop(0)
                    sink.write(edit.feed(data, first, last))
            else:
                with pkg.open(plan["entry"].part) as fh:
                    for data, first, last, _ in xp.pieces(fh):
                        sink.write(edit.feed(data, first, last))
        name = plan["entry"].name
        self.stripped[name] = edit.stripped
        self.live[name] = [pos for pos in edit.live_cells if pos not in plan["targets"]]

    def _write_notes(self, zout, plan) -> None:
        lang, name = self.lang, plan["entry"].name
        authors, existing = xp.read_comments(plan["comments_data"]) if plan["comments_data"] else ([], [])
        current = {(n.row, n.col): n for n in existing}
        changed: set[tuple[int, int]] = set()
        for pos, n in list(current.items()):  # our notes from an earlier annotation
            if _is_ours(n):
                changed.add(pos)
                _, previous, author = _split_previous(n.text)
                if previous:
                    current[pos] = xp.Note(n.row, n.col, author or "", previous)
                else:
                    del current[pos]
        stripped = self.stripped.get(name, {})
        for pos, items in plan["targets"].items():
            note = ""
            if pos in stripped:
                note = (_live_note if stripped[pos].reason == "live" else _formula_note)(stripped[pos], lang)
            text = _comment_text(items, current.get(pos), lang, note)
            current[pos] = xp.Note(pos[0], pos[1], AUTHOR, text, size=_comment_size(text))
            changed.add(pos)
        for pos in self.live.get(name, []):
            s = stripped[pos]
            text = messages.text(
                "r_comment_line", lang, severity=severity_label(WARNING, lang), message=_live_note(s, lang)
            )
            previous = current.get(pos)
            if previous is not None and previous.text:
                text += (
                    "\n"
                    + messages.text("r_comment_previous", lang, author=clean_text(previous.author))
                    + "\n"
                    + clean_text(previous.text)
                )
            current[pos] = xp.Note(pos[0], pos[1], AUTHOR, text[:COMMENT_LIMIT], size=_comment_size(text))
            changed.add(pos)
        for n in current.values():
            if n.author not in authors:
                authors.append(n.author)
        zout.write(
            plan["comments"],
            xp.comments_xml(plan["comments_data"], authors, list(current.values())),
            self.pkg.infos.get(plan["comments"]),
        )
        new = [n for n in current.values() if n.raw is None]
        block = plan["block"] if plan["block"] is not None else 1
        zout.write(plan["vml"], xp.vml_xml(plan["vml_data"], changed, new, block), self.pkg.infos.get(plan["vml"]))

    # -- the results sheet --

    def _results_sheet(self, wb: xp.WorkbookXml) -> tuple[bytes, list[bytes]]:
        report, lang, styles = self.report, self.lang, self.styles
        cache: dict = {}

        def style(**kw) -> int:
            key = tuple(sorted(kw.items()))
            if key not in cache:
                cache[key] = styles.style(**kw)
            return cache[key]

        rows: list = []

        def put(row: int, col: int, value, height=None, **kw) -> None:
            if isinstance(value, str) or value is None:
                value, quote = _text(value)
                kw["quote"] = quote or kw.get("quote", False)
            if not rows or rows[-1][0] != row:
                rows.append([row, height, []])
            rows[-1][2].append((col, value, style(**kw)))

        grey = xp.Font(color="5F6B7A")
        put(
            1,
            1,
            messages.text("r_sheet_title", lang),
            height=26,
            font=xp.Font(size=16, bold=True, color=HEADER_FILL[2:]),
        )
        put(2, 1, messages.text("r_sheet_file", lang, file=Path(self.source).name), font=grey)
        put(3, 1, messages.text("r_generated", lang, time=datetime.now().strftime("%Y-%m-%d %H:%M")), font=grey)
        put(4, 1, messages.text("r_sheet_hint", lang), font=grey)
        status = "unreadable" if report.unreadable else ("valid" if report.valid else "invalid")
        counts = [
            ("r_result", messages.text(f"r_{status}", lang)),
            ("r_errors", report.errors),
            ("r_warnings", report.warnings),
            ("r_rows", report.rows_checked),
            ("r_sheets", report.sheets_checked),
        ]
        colours = {
            "r_result": "17703A" if status == "valid" else ERROR_FONT,
            "r_errors": ERROR_FONT if report.errors else None,
            "r_warnings": WARNING_FONT if report.warnings else None,
        }
        row = 5
        for code, value in counts:
            row += 1
            put(row, 1, messages.text(code, lang), font=xp.Font(bold=True))
            extra = {"horizontal": "left"} if isinstance(value, int) else {}
            put(row, 2, value, font=xp.Font(bold=True, color=colours.get(code)), **extra)
        truncated = truncated_items(report, lang)
        if truncated:
            row += 1
            put(
                row,
                1,
                messages.text("r_truncated", lang, count=sum(i.count for i in truncated)),
                font=xp.Font(italic=True, color="5F6B7A"),
            )
            for item in truncated:
                row += 1
                put(row, 1, "  " + item.text(lang), font=grey)
        replaced = sum(len(s) for s in self.stripped.values())
        if replaced:
            row += 1
            put(row, 1, messages.text("r_formulas_replaced", lang, count=replaced), font=grey)
        if self.links:
            row += 1
            put(row, 1, messages.text("r_links_dropped", lang, count=self.links), font=grey)

        row += 2
        header_row = row
        for ci, code in enumerate(COLUMNS, start=1):
            put(
                row,
                ci,
                messages.text(code, lang),
                height=20,
                font=xp.Font(bold=True, color="FFFFFF"),
                fill=HEADER_FILL,
                vertical="center",
            )
        order = {s.name: i for i, s in enumerate(wb.sheets)}
        findings = sorted(
            report.findings,
            key=lambda f: (
                SEVERITY_ORDER.get(f.severity, 2),
                -1 if not f.sheet else order.get(f.sheet, len(order)),
                *sort_key(f)[1:],
            ),
        )
        links = []
        for f in findings:
            row += 1
            pos = cell_position(f.cell)
            problem = f.text(lang)
            stripped = self.stripped.get(f.sheet, {}).get(pos) if f.sheet and pos else None
            if stripped is not None:
                problem += _formula_note(stripped, lang)
            values = (
                where_label(f, lang),
                f.sheet or "",
                f.cell or "",
                severity_label(f.severity, lang),
                rule_label(f.rule, lang),
                column_label(f),
                clean_text(f.value, VALUE_LIMIT, lang),
                problem,
                clean_text(f.expected, VALUE_LIMIT, lang),
            )
            lines = max(
                -(-text_width(str(v or "")) // max(1, int(WIDTHS[ci - 1]) - 1))
                for ci, v in ((7, values[6]), (8, values[7]))
            )
            height = 15 * min(lines, 12) if lines > 1 else None
            link = bool(f.sheet and pos and f.sheet in self.grids)
            for ci, value in enumerate(values, start=1):
                kw = {"wrap": ci in (7, 8), "vertical": "top", "numfmt": TEXT_FORMAT}
                if ci == 4 and f.severity in (ERROR, WARNING):
                    kw["fill"] = ERROR_FILL if f.severity == ERROR else WARNING_FILL
                    kw["font"] = xp.Font(bold=True, color=ERROR_FONT if f.severity == ERROR else WARNING_FONT)
                if ci == 1 and link:
                    kw["font"] = xp.Font(color="0563C1", underline=True)
                put(row, ci, value, height=height, **kw)
            if link:
                links.append((f"A{row}", _link(f.sheet, f.cell.strip().upper()), values[0]))
        last = xp.col_letters(len(COLUMNS))
        sheet = xp.NewSheet(
            widths=list(WIDTHS),
            rows=[tuple(r) for r in rows],
            links=links,
            freeze_row=header_row + 1,
            autofilter=f"A{header_row}:{last}{row}" if findings else None,
        )
        name = quote_sheet(_sheet_name(lang))
        extra = [wb.defined_name("_xlnm.Print_Titles", 0, f"{name}!${header_row}:${header_row}")]
        if findings:
            extra.append(
                wb.defined_name("_xlnm._FilterDatabase", 0, f"{name}!$A${header_row}:${last}${row}", hidden=True)
            )
        return xp.new_sheet_xml(sheet), extra


def _make_copy(source: str, out: str, report: Report, lang: str) -> tuple[str, str] | None:
    """Write the annotated copy of `source` to `out`; the (zh, en) reason it could not be
    made, or None. (Runs in a child process.)"""
    copy = None
    try:
        copy = _Copy(source, report, lang)
        copy.write(out)
        return None
    except xp.Unpatchable as exc:
        code = "r_copy_strict" if exc.part == "strict" else "r_copy_structure"
        zh, en = messages.both(code, part=exc.part)
    except (zipfile.BadZipFile, zlib.error, EOFError, UnicodeDecodeError, KeyError):
        zh, en = messages.both("r_copy_structure", part="zip")
    except Exception as exc:  # noqa: BLE001 - defusedxml's refusals and XML syntax errors
        from xml.etree.ElementTree import ParseError

        from defusedxml import DefusedXmlException

        if not isinstance(exc, (ParseError, DefusedXmlException)):
            raise
        zh, en = messages.both("r_copy_structure", part="XML")
    finally:
        if copy is not None:
            copy.close()
    return zh, en


def write_annotated(
    source: Path,
    report: Report,
    out: Path,
    *,
    force: bool = False,
    lang: str = "zh",
    process: ProcessLimits | None = None,
    isolate: bool = True,
) -> Path:
    """Write an annotated copy of `source` to `out` (always an .xlsx: macros of an .xlsm are
    not carried over, and another extension is replaced by .xlsx). Returns the path written.

    Refuses an `out` that is `source`, exists (without force) or cannot be written, and a
    source that changed since `report` was made. The copy is made in a child process under
    `process` (the limits the file was parsed under; the defaults if not given), unless
    `isolate` is False; what is in the file that keeps the copy from being made (a damaged
    package, the time or memory limit) raises AnnotateFailed (a ValueError), where it is to be
    written raises UsageError. Formulas in data cells, and formulas that reach outside the
    workbook, are replaced by their saved results (as text when there is none); links to other
    workbooks are not kept (see the module's description)."""
    lang = "en" if lang == "en" else "zh"
    source, out = Path(source), Path(out)
    if out.suffix.lower() != ".xlsx":
        out = out.with_suffix(".xlsx")
    if out.resolve() == source.resolve():
        raise UsageError(*messages.both("cli_is_input", path=out))
    if report.unreadable or not source.is_file():
        first = report.findings[0] if report.findings else None
        zh, en = (first.message, first.message_en) if first else (str(source), str(source))
        raise UsageError(
            messages.text("r_cannot_annotate", "zh", detail=zh), messages.text("r_cannot_annotate", "en", detail=en)
        )
    if report.sha256 and report.sha256 != sha256(source):
        raise UsageError(*messages.both("r_source_changed", path=source))
    with atomic_output(out, force=force, inputs=(source,)) as tmp:
        if isolate:
            try:
                refused = run_isolated(
                    _make_copy, str(source), str(tmp), report, lang, file=str(source), limits=process or ProcessLimits()
                )
            except Failed as exc:
                raise AnnotateFailed(exc.finding.message, exc.finding.message_en, lang) from None
        else:
            refused = _make_copy(str(source), str(tmp), report, lang)
        if refused is not None:
            raise AnnotateFailed(*refused, lang)
    return out
