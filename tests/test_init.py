"""`ecomsheets init DIR` (issue 15): a schema folder of one's own that `--schemas DIR` takes at
once. The folder is written, loaded, generated from, filled with example rows and validated
through the command line; the README's "Your own catalogue" section is followed as written
(its YAML pasted where it says, its commands run); a folder that holds anything is refused
without --force and, with it, only the starter's own files are replaced."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import shlex
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from ecomsheets.cli.init import STARTER_BUNDLE, STARTER_TABLE
from ecomsheets.resources import starter_dir
from ecomsheets.schema import load_catalog
from tests.helpers import cli

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")
STARTER_FILES = {"README.md", "tables/sample_requests.yaml", "workbooks/my_team.yaml"}
COLUMN_MARKER = "  # ↑ 新的列加在这一行上面 / add new columns above this line\n"


def init(folder: Path, *options, code: int = 0):
    result = cli("init", folder, *options)
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def files_under(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def header(ws, row: int = 2) -> list[str]:
    return [c.value for c in ws[row] if c.value is not None]


def rows_of(ws, first: int = 3) -> pd.DataFrame:
    """A table sheet's records as openpyxl reads them (header on row 2, `*` marks dropped)."""
    values = list(ws.iter_rows(min_row=first - 1, values_only=True))
    names = [str(v).rstrip("*") for v in values[0]]
    return pd.DataFrame([r for r in values[1:] if any(v is not None for v in r)], columns=names)


# --- the folder ------------------------------------------------------------------------------------


def test_init_writes_the_starter_and_the_catalogue_takes_it(tmp_path):
    folder = tmp_path / "mine"
    result = init(folder)
    assert set(files_under(folder)) == STARTER_FILES  # no temporary file left beside them
    assert files_under(folder) == files_under(starter_dir())
    for name in sorted(STARTER_FILES):
        assert str(folder / name) in result.output
    # The next commands to try, with the folder's name in them.
    assert f"ecomsheets schemas show {STARTER_TABLE} --schemas {folder}" in result.output
    assert f"ecomsheets generate {STARTER_BUNDLE} --schemas {folder} -o 我的小组.xlsx" in result.output
    assert "ecomsheets validate 示例.xlsx" in result.output

    catalog = load_catalog([folder])
    bundle = catalog.bundle("我的小组")  # by its title too
    assert bundle.name == STARTER_BUNDLE and bundle.tables == ("inventory", STARTER_TABLE)
    table = catalog.tables[STARTER_TABLE]
    cols = table.by_name
    # The common keys, each shown once.
    assert cols["request_id"].required and cols["request_id"].unique and cols["request_id"].pattern
    assert cols["request_date"].in_month
    assert cols["sku"].references == "inventory.sku"
    assert (cols["quantity"].min, cols["quantity"].max) == (1, 1000)
    assert cols["amount"].formula and cols["amount"].total
    assert cols["purpose"].values and "直播" in cols["purpose"].values
    assert [p.name for p in table.parameters] == ["max_per_request"]
    assert {r.name for r in table.rules} == {"within_limit", "other_needs_note"}
    assert any(r.when for r in table.rules)
    assert {"request_count", "sample_cost", "cost_by_purpose"} <= {m.name for m in bundle.metrics}
    # The built-in catalogue is still all there, and nothing of the starter clashes with it.
    builtin = load_catalog()
    assert STARTER_TABLE not in builtin.tables and STARTER_BUNDLE not in builtin.bundles
    assert set(builtin.tables) < set(catalog.tables)


def test_the_starter_files_are_commented_in_both_languages():
    for name in ("tables/sample_requests.yaml", "workbooks/my_team.yaml"):
        text = (starter_dir() / name).read_text(encoding="utf-8")
        comments = [line.split("#", 1)[1] for line in text.splitlines() if "#" in line]
        assert len(comments) >= 8, name
        assert any(CJK.search(c) for c in comments) and any(re.search(r"[A-Za-z]{4} [a-z]{3}", c) for c in comments)
    assert (starter_dir() / "tables/sample_requests.yaml").read_text(encoding="utf-8").count(COLUMN_MARKER) == 1


def test_schemas_list_and_show_see_the_folder(tmp_path):
    folder = tmp_path / "mine"
    init(folder)
    listed = cli("schemas", "list", "--schemas", folder, "--format", "json")
    assert listed.exit_code == 0, listed.output
    doc = json.loads(listed.output)
    bundles = {b["name"]: b for b in doc["bundles"]}
    assert bundles[STARTER_BUNDLE]["title"] == "我的小组"
    assert bundles[STARTER_BUNDLE]["tables"] == ["inventory", STARTER_TABLE]
    assert STARTER_TABLE in {t["name"] for t in doc["tables"]}
    shown = cli("schemas", "show", STARTER_TABLE, "--schemas", folder)
    assert shown.exit_code == 0 and "领用单号" in shown.output


def test_generate_example_and_validate_with_no_errors(tmp_path):
    folder = tmp_path / "mine"
    init(folder)
    blank = tmp_path / "blank.xlsx"
    result = cli("generate", STARTER_BUNDLE, "--schemas", folder, "-o", blank)
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(blank)
    assert {"库存", "样品领用", "汇总"} <= set(wb.sheetnames)
    assert header(wb["样品领用"]) == [
        "领用单号*",
        "领用日期*",
        "商品SKU*",
        "数量*",
        "单件成本*",
        "金额",
        "用途*",
        "领用人*",
        "备注",
    ]
    # The parameter is on the summary sheet, where the manager can change it.
    summary = {r[0]: r[1] for r in wb["汇总"].iter_rows(values_only=True) if r[0]}
    assert summary["每单最多领用件数"] == 20

    filled = tmp_path / "filled.xlsx"
    result = cli("example", STARTER_BUNDLE, "--schemas", folder, "-o", filled, "--month", "2026-11")
    assert result.exit_code == 0, result.output
    result = cli("validate", filled, "--schemas", folder, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["summary"]["errors"] == 0, report["findings"][:5]

    # The example rows keep the table's rules, checked here without ecomsheets' own reading.
    wb = openpyxl.load_workbook(filled)
    requests, stock = rows_of(wb["样品领用"]), rows_of(wb["库存"])
    assert len(requests) >= 10
    assert report["summary"]["rows_checked"] == len(requests) + len(stock)
    assert requests["领用单号"].is_unique
    assert set(requests["商品SKU"]) <= set(stock["商品SKU"])
    assert requests["数量"].between(1, 20).all()
    assert pd.to_datetime(requests["领用日期"]).dt.month.eq(11).all()
    other = requests["用途"] == "其他"
    assert requests.loc[other, "备注"].notna().all()


# --- the README's section, followed as written ---------------------------------------------------


def readme_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text.split("## 建立自己的模板 / Your own catalogue", 1)[1].split("\n## ", 1)[0]


def commands(block: str) -> list[list[str]]:
    """The `ecomsheets …` lines of a bash block, comments dropped, as argument lists."""
    out = []
    for line in block.splitlines():
        words = shlex.split(line, comments=True)
        if words and words[0] == "ecomsheets":
            out.append(words[1:])
    return out


def test_the_readme_section_adds_a_column_and_a_table(tmp_path, monkeypatch):
    section = readme_section()
    yaml_blocks = re.findall(r"```yaml\n(.*?)```", section, flags=re.S)
    bash_blocks = re.findall(r"```bash\n(.*?)```", section, flags=re.S)
    assert len(yaml_blocks) == 3 and len(bash_blocks) == 2, section
    column, table, tables_line = yaml_blocks
    monkeypatch.chdir(tmp_path)  # the README's commands name files in the current folder

    def run(args):
        result = cli(*args)
        assert result.exit_code == 0, (args, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output

    for args in commands(bash_blocks[0]):  # init, then a first template
        run(args)
    folder = tmp_path / "我的模板"
    assert set(files_under(folder)) == STARTER_FILES
    before = openpyxl.load_workbook("我的小组.xlsx")
    assert "样品归还" not in before.sheetnames and "店铺*" not in header(before["样品领用"])

    # The edits, as the README says: the column above the marker line, a new table file, the
    # bundle's tables line.
    path = folder / "tables" / "sample_requests.yaml"
    text = path.read_text(encoding="utf-8")
    marker = next(line for line in text.splitlines(keepends=True) if "add new columns above this line" in line)
    assert marker.strip() in section  # the README names the line
    path.write_text(text.replace(marker, column + marker), encoding="utf-8")
    (folder / "tables" / "sample_returns.yaml").write_text(table, encoding="utf-8")
    bundle = folder / "workbooks" / "my_team.yaml"
    text = bundle.read_text(encoding="utf-8")
    assert len(re.findall(r"^tables:", text, flags=re.M)) == 1
    bundle.write_text(re.sub(r"^tables:.*\n", tables_line, text, flags=re.M), encoding="utf-8")

    ran = commands(bash_blocks[1])
    assert [a[0] for a in ran] == ["schemas", "generate", "example", "validate"]
    for args in ran:
        run(args)  # validate exits 0: no errors

    wb = openpyxl.load_workbook("我的小组.xlsx")
    assert wb.sheetnames.index("样品领用") < wb.sheetnames.index("样品归还")
    cols = header(wb["样品领用"])
    assert cols[cols.index("备注") + 1] == "店铺*"  # where the README put it: after the last column
    assert header(wb["样品归还"]) == ["领用单号*", "归还日期*", "归还数量*", "样品状况"]
    lists = {str(dv.sqref)[0]: dv.formula1 for dv in wb["样品领用"].data_validations.dataValidation}
    shop_list = lists[chr(ord("A") + cols.index("店铺*"))]
    cells = re.fullmatch(r"'_lists'!\$([A-Z]+)\$1:\$[A-Z]+\$(\d+)", shop_list)
    assert cells, shop_list
    listed = [wb["_lists"][f"{cells[1]}{r}"].value for r in range(1, int(cells[2]) + 1)]
    assert listed == ["天猫旗舰店", "京东旗舰店", "抖音小店"]

    filled = openpyxl.load_workbook("示例.xlsx")
    requests, returns = rows_of(filled["样品领用"]), rows_of(filled["样品归还"])
    assert set(requests["店铺"]) <= {"天猫旗舰店", "京东旗舰店", "抖音小店"} and requests["店铺"].notna().all()
    assert len(returns) > 0 and set(returns["领用单号"]) <= set(requests["领用单号"])


# --- refusals and --force --------------------------------------------------------------------------


def test_a_folder_that_holds_anything_is_refused(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "plan.txt").write_text("mine", encoding="utf-8")
    zh = init(folder, code=2)
    assert "不是空的" in zh.output and "plan.txt" in zh.output and "--force" in zh.output
    en = init(folder, "--lang", "en", code=2)
    assert "is not empty" in en.output and "--force" in en.output and not CJK.search(en.output)
    assert files_under(folder) == {"plan.txt": b"mine"}  # nothing written, nothing made

    hidden = tmp_path / "repo"
    (hidden / ".git").mkdir(parents=True)
    assert "不是空的" in init(hidden, code=2).output


def test_force_replaces_only_the_starters_own_files(tmp_path):
    folder = tmp_path / "mine"
    (folder / "tables").mkdir(parents=True)
    own = {
        "plan.txt": b"mine",
        "tables/orders.yaml": b"name: orders\n",  # a user's own table next to the starter's
        "README.md": b"my notes",
    }
    for name, data in own.items():
        (folder / name).write_bytes(data)
    result = init(folder, "--force")
    after = files_under(folder)
    assert after["plan.txt"] == b"mine" and after["tables/orders.yaml"] == b"name: orders\n"
    assert after["README.md"] == (starter_dir() / "README.md").read_bytes()
    assert set(after) == STARTER_FILES | set(own)
    replaced = [line for line in result.output.splitlines() if "覆盖了原有的同名文件" in line]
    assert replaced == [f"  {folder / 'README.md'}（覆盖了原有的同名文件）"]

    # An edited starter file is put back as it was with --force (and only with it).
    table = folder / "tables" / "sample_requests.yaml"
    table.write_text("broken: [", encoding="utf-8")
    init(folder, code=2)
    assert table.read_text(encoding="utf-8") == "broken: ["
    init(folder, "--force")
    assert table.read_bytes() == (starter_dir() / "tables/sample_requests.yaml").read_bytes()


def test_a_file_in_the_way_is_refused(tmp_path):
    path = tmp_path / "mine"
    path.write_text("x", encoding="utf-8")
    assert "不是文件夹" in init(path, code=2).output
    assert "not a folder" in init(path, "--force", "--lang", "en", code=2).output
    assert path.read_text(encoding="utf-8") == "x"


def test_english_output(tmp_path):
    folder = tmp_path / "mine"
    result = init(folder, "--lang", "en")
    assert not CJK.search(result.output), result.output
    assert "wrote a schema folder" in result.output and "Next, try:" in result.output
    assert f"ecomsheets generate {STARTER_BUNDLE} --schemas {folder} -o my_team.xlsx" in result.output
    assert "ecomsheets validate example.xlsx" in result.output
    spaced = tmp_path / "my folder"
    out = init(spaced, "--lang", "en").output
    assert f"--schemas '{spaced}'" in out  # a name with a space is quoted, ready to paste


# --- packaging ---------------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_wheel_carries_the_starter(tmp_path):
    isolation = ["--no-build-isolation"] if importlib.util.find_spec("hatchling") else []
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation, "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (wheel,) = tmp_path.glob("ecomsheets-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        inside = {n: hashlib.sha256(zf.read(n)).hexdigest() for n in zf.namelist() if "/starter/" in n}
    expected = {
        f"ecomsheets/starter/{name}": hashlib.sha256((starter_dir() / name).read_bytes()).hexdigest()
        for name in STARTER_FILES
    }
    assert inside == expected
