#!/usr/bin/python3
"""Type into a workbook through LibreOffice itself, as a person at the keyboard would.

    /usr/bin/python3 tests/uno_type.py SPEC.json OUT.xlsx

Runs with the system interpreter (Debian's python3-uno), not the project's Python. Starts its
own headless soffice on a free port with a throw-away profile whose locale is zh-CN, loads
spec["template"], applies spec["ops"] in order and saves OUT.xlsx as LibreOffice writes xlsx.
soffice is killed at the end whatever happens, and after spec["timeout"] seconds (default 120)
at the latest.

Operations (sheets by their current name, cells in A1 notation):
    {"op": "type", "sheet": "订单", "cell": "B3", "text": "2026/11/3"}
    {"op": "type", "sheet": "订单", "cell": "A3", "rows": [["T1001", "2026/11/3", ...], ...]}
        the text goes through Calc's own input recognition in zh-CN (NumberFormatter
        detectNumberFormat/convertStringToNumber against the cell's format): "2026/11/3" is a
        date, "¥1,234.50" a currency number, "85%" a percentage, "9:05" a time, "E001" stays
        text, and so does anything typed into a cell formatted as text. Like Calc, a leading
        "=" makes a formula and a leading "'" keeps a number as text ("'１２" is the text "１２";
        a bare "１２" is read by zh-CN Calc as the number 12). `rows` types a block from `cell`
        rightwards and down; null or "" leaves a cell as it is.
    {"op": "formula", "sheet": "客户", "cell": "I3", "formula": "=TRUE()"}
    {"op": "clear", "sheet": "订单", "range": "A7"}          (contents only, as the Delete key)
    {"op": "merge", "sheet": "订单", "range": "A6:A7"}
    {"op": "delete_row", "sheet": "订单", "row": 9}          (Excel row number)
    {"op": "rename", "sheet": "订单", "to": "订单明细2026"}
    {"op": "save", "path": "snapshot.xlsx"}                  (an extra copy of the current state)
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.sheet.CellFlags import DATETIME, FORMULA, STRING, VALUE
from com.sun.star.util.NumberFormat import DEFINED as FMT_DEFINED
from com.sun.star.util.NumberFormat import TEXT as FMT_TEXT

CLEAR_CONTENT = VALUE | DATETIME | STRING | FORMULA  # what the Delete key removes, formats kept

XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>zh-CN</value></prop></item>
</oor:items>
"""


def props(**kw):
    out = []
    for name, value in kw.items():
        p = PropertyValue()
        p.Name, p.Value = name, value
        out.append(p)
    return tuple(out)


def url(path) -> str:
    return uno.systemPathToFileUrl(str(Path(path).resolve()))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_office(profile: Path, port: int) -> subprocess.Popen:
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(XCU, encoding="utf-8")
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    return subprocess.Popen(
        [
            soffice,
            f"-env:UserInstallation={url(profile)}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            f"--accept=socket,host=127.0.0.1,port={port};urp;",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # its own process group: oosplash and soffice.bin die together


def stop_office(proc: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL, to soffice's own process group; returns once the group is gone."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            proc.poll()  # reap the leader (oosplash); soffice.bin is in the same group
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)


def connect(proc: subprocess.Popen, port: int, deadline: float):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    while True:
        try:
            return resolver.resolve(f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext")
        except Exception as exc:
            if proc.poll() is not None:
                raise RuntimeError(f"soffice exited with {proc.returncode} before accepting connections") from exc
            if time.monotonic() > deadline:
                raise TimeoutError("soffice did not accept a connection in time") from exc
            time.sleep(0.2)


class Typist:
    """Applies operations to one open Calc document."""

    def __init__(self, ctx, doc, work: Path):
        self.doc, self.work = doc, work
        self.formats = doc.getNumberFormats()
        self.formatter = ctx.ServiceManager.createInstanceWithContext("com.sun.star.util.NumberFormatter", ctx)
        self.formatter.attachNumberFormatsSupplier(doc)

    def sheet(self, name):
        sheets = self.doc.getSheets()
        if not sheets.hasByName(name):
            raise KeyError(f"no sheet {name!r}; the workbook has {list(sheets.getElementNames())}")
        return sheets.getByName(name)

    def type_text(self, cell, text: str) -> None:
        """What Calc does with a typed string: a formula, a recognised number/date/percentage
        (converted, the detected format applied where the cell had a standard one), or text."""
        key = cell.getPropertyValue("NumberFormat")
        fmt = self.formats.getByKey(key)
        if fmt.getPropertyValue("Type") & FMT_TEXT:  # a cell formatted as text takes any text as is
            cell.setString(text)
            return
        if text.startswith("=") and len(text) > 1:
            cell.setFormula(text)
            return
        if text.startswith("'"):  # Calc's text prefix: dropped when the rest would be a number
            cell.setString(text[1:] if self.number(key, text[1:]) else text)
            return
        found = self.number(key, text)
        if found is None:
            cell.setString(text)
            return
        detected, value = found
        cell.setValue(value)
        # Calc applies the recognised format only over a standard format (General, the default
        # date...), keeping a format someone chose (#i22345).
        kind = fmt.getPropertyValue("Type") & ~FMT_DEFINED
        standard = self.formats.getStandardFormat(kind, fmt.getPropertyValue("Locale"))
        if detected != key and key in (0, standard):
            cell.setPropertyValue("NumberFormat", detected)

    def number(self, key: int, text: str):
        """(detected format, value) when Calc's input recognition reads `text` as a number."""
        try:
            return self.formatter.detectNumberFormat(key, text), self.formatter.convertStringToNumber(key, text)
        except Exception:  # IllegalArgumentException: not a number, date or time in this locale
            return None

    def apply(self, op: dict) -> None:
        kind = op["op"]
        if kind == "type":
            sheet = self.sheet(op["sheet"])
            if "rows" in op:
                c0 = sheet.getCellRangeByName(op["cell"]).getCellAddress()
                for dr, row in enumerate(op["rows"]):
                    for dc, text in enumerate(row):
                        if text is not None and text != "":
                            self.type_text(sheet.getCellByPosition(c0.Column + dc, c0.Row + dr), str(text))
            else:
                self.type_text(sheet.getCellRangeByName(op["cell"]), str(op["text"]))
        elif kind == "formula":
            self.sheet(op["sheet"]).getCellRangeByName(op["cell"]).setFormula(op["formula"])
        elif kind == "clear":
            self.sheet(op["sheet"]).getCellRangeByName(op["range"]).clearContents(CLEAR_CONTENT)
        elif kind == "merge":
            self.sheet(op["sheet"]).getCellRangeByName(op["range"]).merge(True)
        elif kind == "delete_row":
            self.sheet(op["sheet"]).getRows().removeByIndex(int(op["row"]) - 1, 1)
        elif kind == "rename":
            self.sheet(op["sheet"]).setName(op["to"])
        elif kind == "save":
            self.save(op["path"])
        else:
            raise ValueError(f"unknown operation {kind!r}")

    def save(self, path) -> None:
        self.doc.calculateAll()  # cached values as a person's Calc would show them
        part = self.work / "saving.xlsx"  # written in the throw-away folder, then moved into place
        self.doc.storeToURL(url(part), props(FilterName="Calc MS Excel 2007 XML", Overwrite=True))
        shutil.move(part, path)


def type_workbook(ctx, source: Path, ops: list[dict], out: Path, work: Path) -> None:
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    doc = desktop.loadComponentFromURL(url(source), "_blank", 0, props(Hidden=True))
    if doc is None:
        raise RuntimeError("LibreOffice could not open the template")
    try:
        typist = Typist(ctx, doc, work)
        for i, op in enumerate(ops):
            try:
                typist.apply(op)
            except Exception as e:
                raise RuntimeError(f"operation {i} {json.dumps(op, ensure_ascii=False)}: {e}") from e
        typist.save(out)
    finally:
        try:
            doc.close(True)
        except Exception:  # soffice already gone (the watchdog)
            pass


def run(spec: dict, out: Path) -> int:
    """Type spec into its template and save `out`; returns the (stopped) soffice's pid."""
    timeout = float(spec.get("timeout", 120))
    deadline = time.monotonic() + timeout
    work = Path(tempfile.mkdtemp(prefix="uno-type-"))  # profile, a copy of the template, saves
    proc = watchdog = None
    try:
        # Typed into a copy: a killed soffice leaves its lock file here, never next to the template.
        source = work / ("template" + Path(spec["template"]).suffix)
        shutil.copyfile(spec["template"], source)
        port = free_port()
        proc = start_office(work / "profile", port)
        # A hung UNO call never returns to Python: a watchdog kills soffice, and the call fails.
        watchdog = threading.Timer(timeout, stop_office, (proc,))
        watchdog.daemon = True
        watchdog.start()
        try:
            type_workbook(connect(proc, port, deadline), source, spec["ops"], out, work)
        except Exception:
            if time.monotonic() > deadline:
                raise TimeoutError(f"LibreOffice took longer than {timeout:.0f} s") from None
            raise
        return proc.pid
    finally:
        if watchdog:
            watchdog.cancel()
        if proc:
            stop_office(proc)
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    spec = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # still stop soffice when stopped
    started = time.monotonic()
    try:
        pid = run(spec, Path(argv[2]))
    except Exception as e:
        print(f"uno_type: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    print(json.dumps({"soffice_pid": pid, "seconds": round(time.monotonic() - started, 2)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
