"""Render the README's pictures from real outputs, so that they stay true as the outputs change.

    python docs/pictures/render.py            # writes docs/pictures/*.png

Runs the demo month (examples/demo.sh: a blank template, three shops' workbooks, one with
mistakes, validation with annotated copies, the monthly summary), prints each workbook to PDF
with LibreOffice headless (a throw-away profile that recalculates every formula) and turns
the pages people look at into PNG with pdftoppm. Needs `soffice` (libreoffice-calc-nogui),
`pdftoppm`/`pdftotext` (poppler-utils) and a Chinese font (fonts-wqy-zenhei).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>zh-CN</value></prop></item>
</oor:items>
"""
# (picture, workbook in the demo output, texts that mark the page wanted, points shown below
# the last text: a blank template's formatted rows hold none)
PICTURES = [
    ("template.png", "电商部_2026-11_模板.xlsx", ("订单编号", "收货省份", "带 * 的列必填"), 160),
    ("annotated.png", "批注/店铺3_校验.xlsx", ("数据校验结果",), 0),
    ("annotated_cells.png", "批注/店铺3_校验.xlsx", ("订单编号", "收货省份", "面议"), 0),
    ("summary_overview.png", "月度汇总_2026-11.xlsx", ("月度汇总", "指标", "数值"), 0),
    ("summary_chart.png", "月度汇总_2026-11.xlsx", ("各渠道销售额",), 0),
]
DPI = 80


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], check=True, capture_output=True, text=True, **kwargs)


def to_pdf(xlsx: Path, outdir: Path) -> Path:
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        (Path(profile) / "user").mkdir()
        (Path(profile) / "user" / "registrymodifications.xcu").write_text(PROFILE, encoding="utf-8")
        run(
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            outdir,
            xlsx,
            timeout=300,
        )
    return outdir / (xlsx.stem + ".pdf")


def page_with(pdf: Path, texts: tuple[str, ...]) -> int:
    pages = int(next(line.split()[-1] for line in run("pdfinfo", pdf).stdout.splitlines() if line.startswith("Pages:")))
    for page in range(1, pages + 1):
        words = run("pdftotext", "-f", page, "-l", page, "-layout", pdf, "-").stdout
        if all(t in words for t in texts):
            return page
    raise SystemExit(f"{texts!r} are on no page of {pdf.name}")


def content_box(pdf: Path, page: int, below: float = 0, margin: float = 12) -> tuple[int, int, int, int]:
    """The page's written area in pixels at DPI (x, y, width, height): pictures without the
    empty rest of the sheet of paper."""
    xml = run("pdftotext", "-f", page, "-l", page, "-bbox", pdf, "-").stdout
    boxes = [
        tuple(float(v) for v in m)
        for m in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"', xml)
    ]
    x0, y0 = min(b[0] for b in boxes) - margin, min(b[1] for b in boxes) - margin
    x1, y1 = max(b[2] for b in boxes) + margin, max(b[3] for b in boxes) + margin + below
    scale = DPI / 72
    return (
        int(max(0, x0) * scale),
        int(max(0, y0) * scale),
        int((x1 - max(0, x0)) * scale),
        int((y1 - max(0, y0)) * scale),
    )


def main() -> None:
    for tool in ("soffice", "pdftoppm", "pdftotext", "pdfinfo"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is needed (apt-get install libreoffice-calc-nogui poppler-utils)")
    with tempfile.TemporaryDirectory(prefix="pictures-") as tmp:
        demo = Path(tmp) / "demo"
        run("bash", ROOT / "examples" / "demo.sh", demo, cwd=ROOT)
        pdfs: dict[str, Path] = {}
        for name, workbook, marker, below in PICTURES:
            source = demo / workbook
            if workbook not in pdfs:
                outdir = Path(tmp) / "pdf" / str(len(pdfs))
                outdir.mkdir(parents=True)
                pdfs[workbook] = to_pdf(source, outdir)
            page = page_with(pdfs[workbook], marker)
            stem = Path(tmp) / name.removesuffix(".png")
            x, y, w, h = content_box(pdfs[workbook], page, below)
            run(
                "pdftoppm",
                "-png",
                "-r",
                DPI,
                "-f",
                page,
                "-l",
                page,
                "-x",
                x,
                "-y",
                y,
                "-W",
                w,
                "-H",
                h,
                "-singlefile",
                pdfs[workbook],
                stem,
            )
            shutil.copyfile(f"{stem}.png", HERE / name)
            print(f"{name}: {workbook}, page {page}")


if __name__ == "__main__":
    sys.exit(main())
