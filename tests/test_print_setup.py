"""Printing (issue 11, item 9): every visible sheet of a generated workbook and of the monthly
summary workbook prints on A4, one page wide (as many tall as its rows take), landscape where
its table is wide, with its header row on every page.

Print area: each table sheet of a generated workbook has one written as a formula, from A1 down
to the last row where the key or a required input cell is filled (layout.TableLayout.print_area),
so it follows the rows staff add. Excel and WPS print that range; LibreOffice 7.4 keeps the name
and computes the formula (checked below) but prints the used range, as with no print area
(measured: same page count); openpyxl cannot represent it and warns when it loads the file (ours
never does: the reader is fastexcel, the annotated copy patches the zip). A static print area
would leave out every row staff add. The monthly summary has none: it prints the rows written.
The blank template's used range reaches as far as its derived columns' formulas
(layout.FORMULA_GROWTH: twice the pre-formatted rows), and a formula cell prints in
LibreOffice even when it shows nothing: that, not the paper, is what makes its pages there.
Column formats and checks over whole columns print nothing (the tables without formulas print
one page each).

Measured with LibreOffice 7.4.7 (`soffice --headless --convert-to pdf`, fresh profile):

                                           before              after
  blank template (generate, 500 rows)      182 Letter pages    189 A4 pages
  example workbook (example)               52 Letter pages     56 A4 pages
  monthly summary of that example          167 pages *         50 A4 pages

  * 152 A4 portrait pages of sheets without any page setup (wide data sheets cut into
    columns across pages) and 15 Letter pages.

A4 landscape is 17 pt shorter than US Letter landscape, hence a few more pages for the same
rows. Pages per sheet of the blank template, before (Letter) -> after (A4): 说明 5 -> 5,
汇总 60 -> 55 (portrait; its grids by a master table hold a formula row for each row that
table's formulas reach), 员工, 客户, 销售, 日报 1 -> 1 each, 定岗定编 16 -> 17, 库存 15 -> 17,
订单 17 -> 19, 物流 24 -> 28, 投诉 15 -> 16, 考勤 26 -> 28 (1,000 formula rows each). The
same template made for 50 rows (`--rows 50`) prints 31 pages.

With the 27 tables of issue 14 (same LibreOffice): the blank template prints 601 A4 pages (189
with ten tables), the example workbook 116 (56). Pages per sheet of the blank template: 说明 17,
汇总 188 (landscape now: its widest grid, attendance per employee, holds eight figures, A:I; its
grids by a master table still hold a formula row for each of the 1,000 rows that table's
formulas reach), the eight tables without derived columns 1 each, the nineteen with them 14 to 31
(定岗定编 17, 库存 17, 订单 19, 物流 28, 投诉 16, 考勤 15, 盘点 31 …; a narrow table prints larger,
so fewer rows fit on a page). The tests bound each sheet's pages by what its rows take at full
size (full_size_pages), not by a measured total that each added table makes stale.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest
import xlsxwriter

from ecomsheets import messages
from ecomsheets.example import example_frames
from ecomsheets.generate import generate_workbook
from ecomsheets.summarize.consolidate import consolidate
from ecomsheets.summarize.writer import write_summary_workbook
from ecomsheets.validate.run import inspect_many
from ecomsheets.xlsx.printing import (
    A4,
    MIN_PORTRAIT_SCALE,
    PORTRAIT_PX,
    column_pixels,
    print_setup,
)
from tests.helpers import CATALOG, MONTH, NOW, cli
from tests.lo import SOFFICE, requires_libreoffice

BUNDLE = CATALOG.bundle("department")
TABLES = [CATALOG.tables[n] for n in BUNDLE.tables]
ROWS = 30  # rows per table of the filled workbook


def assert_prints(ws, *, landscape: bool, title_rows: str | None) -> None:
    """A4, one page wide and any number tall, the orientation, the repeated rows; no print area."""
    where = ws.title
    setup = ws.page_setup
    assert setup.paperSize == A4 == 9, where
    assert setup.orientation == ("landscape" if landscape else "portrait"), where
    assert ws.sheet_properties.pageSetUpPr is not None and ws.sheet_properties.pageSetUpPr.fitToPage, where
    assert setup.fitToWidth in (None, 1), where  # absent: 1, the file format's default
    assert setup.fitToHeight == 0, where  # 0: as many pages tall as the rows take
    assert ws.print_title_rows == title_rows, where
    assert not ws.print_area, where  # no print area: the used range prints


def no_print_area(path: Path) -> None:
    """No sheet has a print area, not even one written as a formula (openpyxl drops those)."""
    with zipfile.ZipFile(path) as z:
        assert "_xlnm.Print_Area" not in z.read("xl/workbook.xml").decode("utf-8")


def print_areas(path: Path) -> dict[str, str]:
    """Sheet name -> its print area as written in the file (openpyxl drops formula ones)."""
    with zipfile.ZipFile(path) as z:
        book = z.read("xl/workbook.xml").decode("utf-8")
    names = re.findall(r'<sheet name="([^"]+)"', book)
    return {
        html.unescape(names[int(i)]): html.unescape(text)
        for i, text in re.findall(
            r'<definedName name="_xlnm.Print_Area" localSheetId="(\d+)">([^<]+)</definedName>', book
        )
    }


def print_area_follows_rows(path: Path, lang: str = "zh") -> None:
    """Every table sheet, and only they, prints from A1 to the last filled row, every column."""
    areas = print_areas(path)
    assert set(areas) == {t.sheet_name(lang) for t in TABLES}
    for t in TABLES:
        area, sheet = areas[t.sheet_name(lang)], "'" + t.sheet_name(lang) + "'"
        assert area.startswith(f"{sheet}!$A$1:INDEX({sheet}!$A$1:"), area
        assert area.endswith(f",{len(t.columns)})") and f"MAX({t.header_row}," in area, area


def used_pixels(ws) -> int:
    """How wide the columns a sheet uses are, in pixels, from the widths in the file (a width of
    W characters is W × 7 pixels: xlsxwriter writes a column's pixels over 7)."""
    px = 0
    for i in range(1, ws.max_column + 1):
        dim = next(d for d in ws.column_dimensions.values() if d.min and d.min <= i <= d.max)
        px += round(dim.width * 7)
    return px


def widest_grid() -> int:
    """The columns of the department summary's widest part: its title (A:E), or a grid of grouped
    figures (the key column and one per figure of the same table, group column and period)."""
    grids: dict[tuple, int] = {}
    for m in BUNDLE.metrics:
        if m.by is not None:
            grids[(m.table, m.by, m.period)] = grids.get((m.table, m.by, m.period), 0) + 1
    return max([5] + [1 + n for n in grids.values()])


def check_generated(wb, *, lang: str = "zh") -> None:
    sheets = {ws.title: ws for ws in wb.worksheets}
    for t in TABLES:
        ws = sheets[t.sheet_name(lang)]
        assert_prints(ws, landscape=True, title_rows=f"${t.header_row}:${t.header_row}")
        assert ws.print_options.gridLines  # the grid prints: a table on paper reads by its lines
    # The summary prints portrait while its columns fit across A4 portrait at MIN_PORTRAIT_SCALE
    # or more (A:E alone: 87 %), landscape when a grid is wider: the department's widest,
    # attendance per employee (eight figures, A:I), makes it landscape.
    summary = sheets[BUNDLE.summary_sheet_en if lang == "en" else BUNDLE.summary_sheet]
    assert summary.max_column == widest_grid()
    wide = used_pixels(summary) * MIN_PORTRAIT_SCALE > PORTRAIT_PX
    assert wide is (widest_grid() > 5)
    assert_prints(summary, landscape=wide, title_rows=None)
    assert_prints(wb.worksheets[0], landscape=True, title_rows=None)  # 说明: five wide columns
    hidden = [ws.title for ws in wb.worksheets if ws.sheet_state != "visible"]
    assert hidden == ["_lists", "_meta"]  # never printed


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("print")


@pytest.fixture(scope="module")
def frames():
    return example_frames(CATALOG, "department", MONTH, rows=ROWS, seed=1)


@pytest.fixture(scope="module")
def filled(folder, frames) -> Path:
    path = folder / "filled.xlsx"
    generate_workbook(CATALOG, "department", path, month=MONTH, data=frames, now=NOW)
    return path


def test_blank_template(folder):
    path = folder / "blank.xlsx"
    generate_workbook(CATALOG, "department", path, month=MONTH, rows=20, now=NOW)
    wb = openpyxl.load_workbook(path)
    check_generated(wb)
    print_area_follows_rows(path)
    # What prints without a print area: down to the derived columns' formulas (twice the
    # pre-formatted rows) where a table has any, else only the banner and header rows.
    for t in TABLES:
        derived = any(c.derived for c in t.columns)
        assert wb[t.sheet_name("zh")].max_row == (t.first_data_row + 2 * 20 - 1 if derived else t.header_row), t.name


def test_english_template(folder):
    path = folder / "blank_en.xlsx"
    generate_workbook(CATALOG, "department", path, month=MONTH, rows=5, now=NOW, lang="en")
    check_generated(openpyxl.load_workbook(path), lang="en")
    print_area_follows_rows(path, "en")


def test_filled_workbook_prints_the_rows_written(filled, frames):
    wb = openpyxl.load_workbook(filled)
    check_generated(wb)
    print_area_follows_rows(filled)
    for t in TABLES:
        ws = wb[t.sheet_name("zh")]
        # The used range, hence what prints, ends at the last row written.
        assert ws.max_row == t.first_data_row + len(frames[t.name]) - 1, t.name
        assert ws.max_column == len(t.columns), t.name


def test_summary_workbook(folder, filled):
    inspections = inspect_many([filled], catalog=CATALOG, month=MONTH, isolate=False)
    result = consolidate(inspections, CATALOG, month=MONTH)
    out = folder / "summary.xlsx"
    write_summary_workbook(result, CATALOG, out, inputs=(filled,))
    wb = openpyxl.load_workbook(out)
    no_print_area(out)
    status, overview, *others = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
    assert_prints(status, landscape=True, title_rows="$3:$3")  # who handed in: the count line above
    assert_prints(overview, landscape=False, title_rows=None)  # two columns, the chart under them
    data_sheets = {t.sheet_name("zh") for t in TABLES}
    assert data_sheets < {ws.title for ws in others}
    for ws in others:  # side by side, metric sheets (table and chart), merged data, sources, findings
        assert_prints(ws, landscape=True, title_rows="$1:$1")
    for ws in others:  # the merged data sheets' rows go in after xlsxwriter: the setup stays
        if ws.title in data_sheets:
            assert ws.max_row > 1, ws.title


def test_summary_workbook_cli_lang_en(folder, filled):
    out = folder / "summary_en.xlsx"
    result = cli("summarize", filled, "-o", out, "--lang", "en", "--month", "2026-11")
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    status, overview, *others = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
    assert_prints(status, landscape=True, title_rows="$3:$3")
    assert_prints(overview, landscape=False, title_rows=None)
    for ws in others:
        assert_prints(ws, landscape=True, title_rows="$1:$1")


@pytest.mark.parametrize(
    "scale, landscape",
    [(1.0, False), (MIN_PORTRAIT_SCALE + 0.01, False), (MIN_PORTRAIT_SCALE - 0.01, True), (0.5, True)],
)
def test_orientation_follows_width(tmp_path, scale, landscape):
    """Portrait while the columns fit across A4 portrait at MIN_PORTRAIT_SCALE or more."""
    width = PORTRAIT_PX / scale  # pixels the columns take
    chars = (width - 5) / 7  # one column that wide (xlsxwriter: 7 pixels a character, 5 of padding)
    assert abs(column_pixels(chars) - width) <= 1
    wb = xlsxwriter.Workbook(str(tmp_path / "w.xlsx"))
    ws = wb.add_worksheet()
    assert print_setup(ws, [chars], title_row=0) is landscape
    assert print_setup(wb.add_worksheet(), [chars], landscape=True) is True
    wb.close()
    read = openpyxl.load_workbook(tmp_path / "w.xlsx").worksheets
    assert_prints(read[0], landscape=landscape, title_rows="$1:$1")
    assert_prints(read[1], landscape=True, title_rows=None)


# --------------------------------------------------------------------------------------------
# LibreOffice: print the blank template and the example workbook to PDF and read the pages.

A4_PT = (595, 842)  # 210 x 297 mm in points
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None and not os.environ.get("CI"),
    reason="poppler-utils (pdfinfo, pdftotext) are not installed",
)


def to_pdf(paths: list[Path], outdir: Path) -> list[Path]:
    """Print workbooks to PDF with LibreOffice headless and a throw-away profile."""
    if SOFFICE is None:
        raise RuntimeError("LibreOffice is required for this test (CI installs libreoffice-calc-nogui)")
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        proc = subprocess.run(
            [
                SOFFICE,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--norestore",
                "--nolockcheck",
                "--convert-to",
                "pdf",
                "--outdir",
                str(outdir),
                *map(str, paths),
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
    out = [outdir / (p.stem + ".pdf") for p in paths]
    assert proc.returncode == 0 and all(p.exists() for p in out), proc.stdout + proc.stderr
    return out


def read_pdf(pdf: Path) -> SimpleNamespace:
    """Each page's size in points (width, height) and its text without white space."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    n = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", str(n), str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    sizes = [
        (round(float(w)), round(float(h)))
        for w, h in re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info, re.M)
    ]
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = [re.sub(r"\s", "", p) for p in text.split("\f")][:n]
    assert len(sizes) == len(pages) == n
    return SimpleNamespace(n=n, sizes=sizes, pages=pages)


def sheet_pages(pdf: SimpleNamespace, wb) -> dict[str, range]:
    """Which pages each sheet printed on: from the page with its title (row 1) to the page
    before the next sheet's; the instructions take the pages before the summary's title."""
    starts, page = [], 0
    for ws in wb.worksheets[1:]:
        if ws.sheet_state != "visible":
            continue
        title = re.sub(r"\s", "", str(ws["A1"].value))
        page = next(i for i in range(page, pdf.n) if title in pdf.pages[i])
        starts.append((ws.title, page))
    out = {wb.worksheets[0].title: range(0, starts[0][1])}
    for (name, first), (_, after) in zip(starts, starts[1:] + [("", pdf.n)]):
        out[name] = range(first, after)
    return out


def headers(t) -> list[str]:
    return [re.sub(r"\s", "", c.header("zh")) for c in t.columns]


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> SimpleNamespace:
    """The workbooks of the issue's commands, printed to PDF by LibreOffice."""
    folder = tmp_path_factory.mktemp("lo_print")
    blank, example = folder / "t.xlsx", folder / "e.xlsx"
    for args in (
        ["generate", "department", "-o", str(blank), "--month", "2026-11"],
        ["example", "department", "-o", str(example), "--month", "2026-11"],
    ):
        result = cli(*args)
        assert result.exit_code == 0, result.output
    pdfs = to_pdf([blank, example], folder / "pdf")
    return SimpleNamespace(
        blank=(read_pdf(pdfs[0]), openpyxl.load_workbook(blank)),
        example=(read_pdf(pdfs[1]), openpyxl.load_workbook(example)),
    )


def assert_a4(pdf) -> None:
    for i, size in enumerate(pdf.sizes, start=1):
        assert tuple(sorted(size)) == A4_PT, (i, size)


def signoff(t) -> list[str]:
    """A form's sign-off line as it prints (编制：________ …); none for other tables."""
    form = t.form
    return [
        re.sub(r"\s", "", messages.text("wb_signoff", "zh", title=title)) for title, _ in (form.signoff if form else ())
    ]


def assert_tables_print(pdf, wb, pages) -> None:
    """Table sheets print landscape with their header row on every page; a form (定岗定编) its
    sign-off line at the foot of every page, and no other sheet one."""
    for t in TABLES:
        lines = signoff(t)
        for i in pages[t.sheet_name("zh")]:
            assert pdf.sizes[i] == A4_PT[::-1], (t.name, i + 1)
            missing = [h for h in headers(t) if h not in pdf.pages[i]]
            assert not missing, (t.name, i + 1, missing)
            if lines:
                assert all(line in pdf.pages[i] for line in lines), (t.name, i + 1)
            else:
                assert "：________" not in pdf.pages[i], (t.name, i + 1)
    assert any(signoff(t) for t in TABLES)


def full_size_pages(ws, title_row: int | None = None) -> int:
    """The most pages a sheet can print on: its rows at full size (the heights in the file, the
    sheet's default height where none is given) laid one after another down the printable height
    of A4 (less the top and bottom margins in the file), `title_row` repeated at the top of every
    page after the first. Fitting a sheet to one page wide only ever shrinks it, and a smaller
    print puts more rows on a page, so LibreOffice printing more pages than this means it prints
    rows the sheet does not use, or splits its columns across pages."""
    paper = A4_PT[0] if ws.page_setup.orientation == "landscape" else A4_PT[1]
    height = paper - (ws.page_margins.top + ws.page_margins.bottom) * 72
    default = ws.sheet_format.defaultRowHeight or 15
    rows = [ws.row_dimensions[r].height or default for r in range(1, ws.max_row + 1)]
    pages, used = 1, 0.0
    for h in rows:
        if used + h > height:
            pages, used = pages + 1, (rows[title_row - 1] if title_row else 0.0)
        used += h
    return pages


def assert_page_bounds(wb, pages) -> dict[str, tuple[int, int]]:
    """Every visible sheet prints on no more pages than its rows take at full size; returns
    each sheet's (pages, bound) for the messages."""
    title_rows = {t.sheet_name("zh"): t.header_row for t in TABLES}
    out = {name: (len(on), full_size_pages(wb[name], title_rows.get(name))) for name, on in pages.items()}
    over = {name: v for name, v in out.items() if v[0] > v[1]}
    assert not over, over
    return out


@pytest.mark.libreoffice
@pytest.mark.slow
@requires_libreoffice
@needs_poppler
def test_libreoffice_prints_blank_template_on_a4(printed):
    pdf, wb = printed.blank
    assert_a4(pdf)
    pages = sheet_pages(pdf, wb)
    assert set(pages) == {ws.title for ws in wb.worksheets if ws.sheet_state == "visible"}
    assert all(pdf.sizes[i] == A4_PT[::-1] for i in pages["说明"])
    # The summary prints as its page setup says (landscape: its widest grid is A:I, see
    # check_generated).
    summary = A4_PT[::-1] if wb["汇总"].page_setup.orientation == "landscape" else A4_PT
    assert all(pdf.sizes[i] == summary for i in pages["汇总"])
    assert_tables_print(pdf, wb, pages)
    # Page bounds per sheet, derived from its rows (full_size_pages), not a measured total that
    # every added table makes stale. LibreOffice does not print by a print area given as a
    # formula (see the module's docstring; Excel and WPS do): a table with derived columns prints
    # down to its formulas (1,000 rows: at most 34 pages at full size, 28 rows on the first page,
    # 20 under 定岗定编's form block, and 30 on each further one; measured 14–31), a table without
    # them only its banner and header: one page.
    bounds = assert_page_bounds(wb, pages)
    for t in TABLES:
        sheet = t.sheet_name("zh")
        if any(c.derived for c in t.columns):
            assert wb[sheet].max_row == t.header_row + 1000, t.name  # 500 rows: formulas on 1,000
            assert bounds[sheet][1] == 34, (t.name, bounds[sheet])
        else:  # nothing below the header holds anything
            assert len(pages[sheet]) == 1, t.name
    assert pdf.n == sum(n for n, _ in bounds.values())


@pytest.mark.libreoffice
@pytest.mark.slow
@requires_libreoffice
@needs_poppler
def test_libreoffice_prints_example_rows_on_a4(printed):
    """A filled workbook prints its rows and nothing after them: every page of a table shows
    some of its rows, and its last row is on its last page."""
    pdf, wb = printed.example
    assert_a4(pdf)
    pages = sheet_pages(pdf, wb)
    assert_tables_print(pdf, wb, pages)
    for t in TABLES:
        ws = wb[t.sheet_name("zh")]
        ci = next(i for i, c in enumerate(t.columns, start=1) if c.coltype.num_format == "@" and not c.derived)
        values = [
            str(ws.cell(r, ci).value)
            for r in range(t.first_data_row, ws.max_row + 1)
            if ws.cell(r, ci).value is not None
        ]
        on = list(pages[ws.title])
        for i in on:
            assert any(v in pdf.pages[i] for v in values), (t.name, i + 1)
        assert values[-1] in pdf.pages[on[-1]], t.name
    # No sheet prints more pages than its rows take at full size (measured: 116 pages in all,
    # 56 with the ten tables before issue 14).
    bounds = assert_page_bounds(wb, pages)
    assert pdf.n == sum(n for n, _ in bounds.values())


@pytest.mark.libreoffice
@pytest.mark.slow
@requires_libreoffice
def test_libreoffice_computes_the_print_area_down_to_the_last_filled_row(folder):
    """The print area's formula, computed by a real spreadsheet program: rows 3–7 with an order
    id, row 12 with only a later required cell (the id forgotten): rows 1–12, every column."""
    import warnings

    from tests.lo import recalc

    path = folder / "area.xlsx"
    generate_workbook(CATALOG, "department", path, month=MONTH, rows=20, now=NOW)
    orders = CATALOG.tables["orders"]
    area = print_areas(path)[orders.sheet_name("zh")]
    required = [i for i, c in enumerate(orders.columns, start=1) if c.required and not c.derived]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl: "Print area cannot be set to Defined name"
        wb = openpyxl.load_workbook(path)
    ws = wb[orders.sheet_name("zh")]
    for r in range(3, 8):
        ws.cell(r, required[0], f"O{r}")
    ws.cell(12, required[1], "2026-11-03")
    check = wb.create_sheet("check")
    check["A1"], check["A2"] = f"=ROWS({area})", f"=COLUMNS({area})"
    filled = folder / "area_filled.xlsx"
    wb.save(filled)
    got = openpyxl.load_workbook(recalc(filled, folder / "lo"), data_only=True)["check"]
    assert (got["A1"].value, got["A2"].value) == (12, len(orders.columns))
