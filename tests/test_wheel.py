"""The built wheel carries the schema catalogue and the templates: build it, install it alone in
a fresh virtual environment (dependencies from this one) and run `schemas list` and `generate`
from a folder outside the checkout, so that the installed package is the one used."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[1]
BUILTIN = {"schemas": "ecomsheets/_builtin/schemas", "templates": "ecomsheets/_builtin/templates"}


def run(args: list, cwd: Path, timeout: float = 600, codes=(0,)) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "ECOMSHEETS_LANG")}
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode in codes, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wheel")
    # Offline when the build backend is installed here; otherwise pip fetches it for the build,
    # as `pip install -e .` does in CI.
    isolation = ["--no-build-isolation"] if importlib.util.find_spec("hatchling") else []
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation, "-w", tmp / "dist", ROOT], cwd=tmp)
    (wheel,) = (tmp / "dist").glob("ecomsheets-*.whl")
    venv = tmp / "venv"
    run([sys.executable, "-m", "venv", "--system-site-packages", venv], cwd=tmp)
    python = venv / "bin" / "python"
    run([python, "-m", "pip", "install", "--no-deps", "--no-index", wheel], cwd=tmp)
    work = tmp / "work"  # outside the repository: the checkout is not on the path
    work.mkdir()
    return python, venv / "bin" / "ecomsheets", wheel, work


@pytest.mark.slow
def test_wheel_carries_every_schema_and_template(installed):
    _, _, wheel, _ = installed
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    for folder, inside in BUILTIN.items():
        files = [p.relative_to(ROOT / folder).as_posix() for p in (ROOT / folder).rglob("*") if p.is_file()]
        assert files, folder
        missing = sorted(f for f in files if f"{inside}/{f}" not in names)
        assert not missing, f"the wheel lacks {folder}/: {missing}"


@pytest.mark.slow
def test_installed_wheel_lists_schemas_and_generates(installed):
    python, script, _, work = installed
    where = run([python, "-c", "import ecomsheets, sys; print(ecomsheets.__file__)"], cwd=work).stdout.strip()
    assert Path(where).resolve().is_relative_to(script.parent.parent.resolve()), where
    assert not Path(where).resolve().is_relative_to(ROOT), where

    listed = run([script, "schemas", "list", "--lang", "en"], cwd=work).stdout
    for table in ("orders", "customers", "inventory", "attendance"):
        assert table in listed, listed
    assert "department" in listed, listed

    out = work / "t.xlsx"
    run([script, "generate", "department", "-o", out, "--month", "2026-11"], cwd=work)
    wb = openpyxl.load_workbook(out)
    assert {"订单", "客户", "库存", "说明", "汇总"} <= set(wb.sheetnames)
    assert wb["订单"]["A2"].value == "订单编号*"
    # The instructions sheet comes from templates/instructions.txt.j2.
    texts = [c.value for row in wb["说明"].iter_rows() for c in row if isinstance(c.value, str)]
    assert any("订单：订单管理表" in t for t in texts)

    # The HTML report comes from templates/report.html.j2 (a blank template: one no_data error).
    run([script, "validate", out, "--html", work / "r.html"], cwd=work, codes=(1,))
    assert "<html" in (work / "r.html").read_text(encoding="utf-8")
