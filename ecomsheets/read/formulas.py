"""Which cells hold formulas. The fast reader returns only cached values, so the sheet XML is
scanned (as bytes, one regular expression pass) for cells that carry an <f> element."""

from __future__ import annotations

import re
import zipfile
from posixpath import dirname, join, normpath

from defusedxml import ElementTree as SafeET

_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}
_CELL_F = re.compile(rb'<c r="([A-Z]{1,3})(\d+)"[^>]*?>(?:(?!</c>).)*?<f(?:\s[^>]*)?(?:/>|>([^<]*)</f>)', re.S)


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> path of its XML part inside the zip."""
    book = SafeET.fromstring(zf.read("xl/workbook.xml"))
    rels = SafeET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels.findall("rel:Relationship", _NS)}
    out = {}
    for sheet in book.findall("m:sheets/m:sheet", _NS):
        target = targets.get(sheet.get(f"{{{_NS['r']}}}id"), "")
        path = target.lstrip("/") if target.startswith("/") else normpath(join(dirname("xl/workbook.xml"), target))
        out[sheet.get("name")] = path
    return out


def formula_cells(zf: zipfile.ZipFile, part: str) -> dict[tuple[int, str], str]:
    """(Excel row, column letter) -> formula text ('' for a shared-formula follower)."""
    data = zf.read(part)
    if b"<f" not in data:
        return {}
    return {(int(m.group(2)), m.group(1).decode()): (m.group(3) or b"").decode("utf-8", "replace")
            for m in _CELL_F.finditer(data)}
