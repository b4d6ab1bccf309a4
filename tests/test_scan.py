"""The streaming formula scan (read/scan.py) against a plain XML parse of the same sheet."""

from __future__ import annotations

import io
import random
import zipfile
from collections import Counter

import pytest
from defusedxml import ElementTree as SafeET

from ecomsheets.read import scan

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def reference(xml: bytes) -> tuple[Counter, dict]:
    """Formula cells as an XML parser sees them: counts per column, text per (row, column)."""
    counts, texts = Counter(), {}
    for cell in SafeET.fromstring(xml).iter(f"{NS}c"):
        f = cell.find(f"{NS}f")
        if f is None:
            continue
        ref = cell.get("r")
        letters = ref.rstrip("0123456789")
        counts[letters] += 1
        texts[(int(ref[len(letters) :]), letters)] = f.text or ""
    return counts, texts


def sheet(cells: list[str]) -> bytes:
    body = "".join(f'<row r="{i + 1}">{c}</row>' for i, c in enumerate(cells))
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{NS[1:-1]}">'
        f"<sheetData>{body}</sheetData></worksheet>"
    ).encode()


def run_scan(xml: bytes, cap: int = 10**9, chunk: int | None = None, monkeypatch=None) -> scan.SheetScan:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", xml)
    if chunk and monkeypatch:
        monkeypatch.setattr(scan, "CHUNK", chunk)
    with zipfile.ZipFile(buf) as zf:
        return scan.scan_sheet(zf, "xl/worksheets/sheet1.xml", cap)


CELLS = [
    '<c r="A{r}" s="1"><v>1</v></c><c r="B{r}" s="2"><f>A{r}*2</f><v>2</v></c>',  # xlsxwriter style
    '<c r="C{r}" t="str"><f>IF(A{r}&gt;1,"&lt;x&gt;","")</f><v></v></c>',  # escaped text
    '<c s="3" r="AB{r}"><f t="shared" si="0"/><v>4</v></c>',  # another attribute first; shared copy
    '<c r="D{r}" s="1"/><c r="E{r}" s="4" t="n" cm="1" vm="1" ph="1" xx="' + "y" * 60 + '"><f>1+1</f><v>2</v></c>',
    '<c r="XFD{r}"><f aca="false">NOW()</f></c>',
    '<c r="F{r}"><v>5</v></c>',  # no formula
    '<c r="G{r}" t="inlineStr"><is><t>&lt;f&gt; is not a formula</t></is></c>',
]


def test_every_formula_cell_found_whatever_the_writer(monkeypatch):
    rnd = random.Random(7)
    rows = ["".join(c.format(r=i + 1) for c in rnd.sample(CELLS, 4)) for i in range(400)]
    xml = sheet(rows)
    counts, texts = reference(xml)
    for chunk in (None, 997):  # also cut into pieces smaller than a row
        got = run_scan(xml, chunk=chunk, monkeypatch=monkeypatch)
        assert got.formula_counts == counts
        assert got.formulas == texts
    assert counts["XFD"] and counts["AB"] and counts["E"]


def test_texts_kept_per_column_are_capped_but_counted():
    xml = sheet([f'<c r="A{i}"><f>B{i}+1</f><v>1</v></c>' for i in range(1, 51)])
    got = run_scan(xml, cap=10)
    assert got.formula_counts == Counter({"A": 50})
    assert sorted(got.formulas) == [(i, "A") for i in range(1, 11)]


@pytest.mark.parametrize("name", ["A", "Z", "AA", "ZZ", "AAA", "XFD"])
def test_column_letters_read_both_ways(name):
    """A cell's column, read from its reference by numpy (reference first) or by the fallback
    pattern (another attribute first), comes back as the same letters."""
    xml = f'<c r="{name}7" s="1"><f>1</f></c><c s="1" r="{name}8"><f>2</f></c>'.encode()
    out = scan.SheetScan()
    out.cap = 10
    scan._scan_formulas(xml, out)
    assert out.formulas == {(7, name): "1", (8, name): "2"}


@pytest.mark.parametrize(
    "xml, want",
    [
        (b'<c r="A1"><f>1</f></c>', {(1, "A"): "1"}),  # shorter than the look-back window
        (b'<c t="str"><f>FIRST()</f></c><c r="B1"><f>SUM(A1:A9)</f></c>', {(1, "B"): "SUM(A1:A9)"}),  # no reference
        (b'<f>stray</f><row r="3"><c r="C3" s="1"><f>2</f></c></row>', {(3, "C"): "2"}),  # outside any cell
        (b'<c r="D4"><f>A1/', {(4, "D"): ""}),  # cut before its end
    ],
)
def test_odd_formula_cells(xml, want):
    out = scan.SheetScan()
    out.cap = 10
    scan._scan_formulas(xml, out)
    assert out.formulas == want
