"""Recalculate a workbook in LibreOffice headless, as a real spreadsheet user would see it.

LibreOffice does not recalculate xlsx files on load unless told to: a throw-away profile sets
OOXMLRecalcMode (and ODFRecalcMode) to "always" and pins the locale, then --convert-to writes
a recalculated copy that openpyxl can read with data_only=True.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

requires_libreoffice = pytest.mark.skipif(
    SOFFICE is None and not os.environ.get("CI"),
    reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui",
)

_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>en-US</value></prop></item>
</oor:items>
"""


def recalc(path: Path, outdir: Path, timeout: float = 180) -> Path:
    """Open `path` in LibreOffice, recalculate every formula, save an xlsx copy in `outdir`."""
    return convert(path, outdir, "xlsx", timeout)


def convert(path: Path, outdir: Path, target: str, timeout: float = 180) -> Path:
    """Open `path` in LibreOffice (recalculating) and save it as `target` (`xlsx`, `xls:MS Excel 97`)."""
    if SOFFICE is None:
        raise RuntimeError("LibreOffice is required for this test (CI installs libreoffice-calc-nogui)")
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        user = Path(profile) / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(_XCU, encoding="utf-8")
        # Convert from a copy in its own folder: output and input share a file name.
        with tempfile.TemporaryDirectory(prefix="lo-in-") as src:
            source = Path(src) / Path(path).name
            shutil.copyfile(path, source)
            proc = subprocess.run(
                [
                    SOFFICE,
                    f"-env:UserInstallation=file://{profile}",
                    "--headless",
                    "--norestore",
                    "--nolockcheck",
                    "--convert-to",
                    target,
                    "--outdir",
                    str(outdir),
                    str(source),
                ],
                capture_output=True,
                text=True,
                timeout=timeout,
            )
    out = outdir / (Path(path).stem + "." + target.split(":")[0])
    if proc.returncode != 0 or not out.exists():
        raise RuntimeError(f"LibreOffice failed ({proc.returncode}): {proc.stdout}\n{proc.stderr}")
    return out
