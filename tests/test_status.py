"""`ecomsheets status FOLDER --month`: who on the department's roster has handed in, in plain
Chinese (or English), as JSON, and its exit codes; the same block in `consolidate`'s output.
The month is the five team example files of tests/test_month_across_bundles.py, copied and
edited with openpyxl per case."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.helpers import cli
from tests.test_month_across_bundles import ROSTER, copy_month, make_month


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    return make_month(tmp_path_factory.mktemp("status"))


def bad_subject(wb):
    wb["收支"]["D3"] = "很多"  # not one of the ledger's subjects


@pytest.fixture(scope="module")
def messy(month, tmp_path_factory):
    """客服售后 missing, 财务行政 with an error, 仓储物流 not a workbook at all."""
    folder = tmp_path_factory.mktemp("messy")
    copy_month(month, folder, without=["客服售后", "仓储物流"], edit={"财务行政": bad_subject})
    (folder / "仓储物流.xlsx").write_text("SKU,数量\n", encoding="utf-8")
    return folder


def lines_of(output: str) -> dict[str, str]:
    """The status lines by team (first word of an indented line)."""
    return {line.split()[0]: line for line in output.splitlines() if line.startswith("  ") and line.split()}


def test_every_team_handed_in(month):
    result = cli("status", month.folder, "--month", "2026-11")
    assert result.exit_code == 0, result.output
    out = result.output.splitlines()
    assert out[0] == "2026-11 交表情况（电商部月度工作簿）"
    teams = lines_of(result.output)
    assert list(teams) == list(ROSTER)
    for name, line in teams.items():
        assert f"{name}.xlsx" in line and "已交" in line and "行" in line
    assert out[-1] == "应交 5 份：已交 5 份"


def test_missing_errors_refused(messy):
    result = cli("status", messy, "--month", "2026-11")
    assert result.exit_code == 1, result.output
    teams = lines_of(result.output)
    assert list(teams) == list(ROSTER)
    assert "（无）" in teams["客服售后"] and teams["客服售后"].endswith("未交")
    assert "财务行政.xlsx" in teams["财务行政"] and "有错误（1 处）" in teams["财务行政"]
    assert "整份未计入" in teams["财务行政"]
    assert "被退回（文件无法读取" in teams["仓储物流"]
    for name in ("运营推广", "部门管理"):
        assert "已交" in teams[name]
    assert result.output.splitlines()[-1] == "应交 5 份：已交 3 份（其中有错误 1 份），未交 1 份，被退回 1 份"


def test_english(messy):
    result = cli("status", messy, "--month", "2026-11", "--lang", "en")
    assert result.exit_code == 1, result.output
    out = result.output.splitlines()
    assert out[0] == "Hand-ins for 2026-11 (E-commerce department monthly workbook)"
    teams = lines_of(result.output)
    assert "(none)" in teams["客服售后"] and teams["客服售后"].endswith("missing")
    assert "with errors (1)" in teams["财务行政"] and "refused (" in teams["仓储物流"]
    assert out[-1] == "3 of 5 handed in (1 of them with errors), 1 missing, 1 refused"


def test_json(messy):
    result = cli("status", messy, "--month", "2026-11", "--format", "json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert [d["team"] for d in data] == list(ROSTER)
    states = {d["team"]: d["state"] for d in data}
    assert states == {
        "运营推广": "submitted",
        "客服售后": "missing",
        "仓储物流": "refused",
        "财务行政": "with_errors",
        "部门管理": "submitted",
    }
    for d in data:
        assert set(d) == {
            "team",
            "bundle",
            "bundle_title",
            "bundle_title_en",
            "state",
            "files",
            "errors",
            "warnings",
            "rows",
            "reason",
            "reason_en",
        }
        assert d["bundle"] == ROSTER[d["team"]]
    by = {d["team"]: d for d in data}
    assert by["客服售后"]["files"] == [] and by["仓储物流"]["files"] == ["仓储物流.xlsx"]
    assert by["财务行政"]["errors"] == 1 and by["财务行政"]["rows"] == 0
    assert by["运营推广"]["rows"] > 0 and by["仓储物流"]["reason"] and by["仓储物流"]["reason_en"]


def test_another_month_is_refused(month):
    result = cli("status", month.folder, "--month", "2026-10")
    assert result.exit_code == 1
    teams = lines_of(result.output)
    assert all("被退回（这个文件是 2026-11 的" in line for line in teams.values())
    assert result.output.splitlines()[-1] == "应交 5 份：已交 0 份，被退回 5 份"


def test_misuse_exits_2(month, tmp_path):
    assert cli("status", month.folder, "--month", "2026-13").exit_code == 2
    assert cli("status", month.folder, "--format", "xml").exit_code == 2
    (tmp_path / "empty").mkdir()
    empty = cli("status", tmp_path / "empty")
    assert empty.exit_code == 2 and "empty" in empty.output
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "a.xlsx").write_text("x", encoding="utf-8")
    assert cli("status", junk).exit_code == 2  # nothing readable: no family to take a roster from


def test_shops_of_one_bundle_matched_by_name(tmp_path):
    """A roster where several shops hand in the same bundle: files go by the shop's name."""
    schemas = tmp_path / "schemas"
    (schemas / "workbooks").mkdir(parents=True)
    (schemas / "workbooks" / "shops.yaml").write_text(
        "name: shops\ntitle: 店铺月报\nversion: 1\ntables: [inquiries]\n"
        "roster:\n  - {name: 店铺1, bundle: shops}\n  - {name: 店铺2, bundle: shops}\n",
        encoding="utf-8",
    )
    folder = tmp_path / "month"
    folder.mkdir()
    for name, seed in (("店铺1", 1), ("店铺3", 3)):
        made = cli(
            "example", "shops", "--schemas", schemas, "--rows", 10, "--seed", seed, "-o", folder / f"{name}.xlsx"
        )
        assert made.exit_code == 0, made.output
    shutil.copy(folder / "店铺1.xlsx", folder / "店铺1 - 副本.xlsx")
    result = cli("status", folder, "--month", "2026-11", "--schemas", schemas, "--format", "json")
    assert result.exit_code == 1, result.output
    data = {d["team"]: d for d in json.loads(result.stdout)}
    assert data["店铺1"]["state"] == "submitted"
    assert sorted(data["店铺1"]["files"]) == ["店铺1 - 副本.xlsx", "店铺1.xlsx"]
    assert data["店铺2"]["state"] == "missing"
    assert data["店铺3"]["state"] == "unexpected" and data["店铺3"]["files"] == ["店铺3.xlsx"]
    assert list(data) == ["店铺1", "店铺2", "店铺3"]


def test_consolidate_prints_the_status_first(messy, tmp_path):
    out = tmp_path / "汇总.xlsx"
    result = cli("consolidate", messy, "--month", "2026-11", "-o", out)
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    heading = lines.index("2026-11 交表情况（电商部月度工作簿）")
    count = lines.index("应交 5 份：已交 3 份（其中有错误 1 份），未交 1 份，被退回 1 份")
    findings = [i for i, line in enumerate(lines) if line.startswith("  [")]
    assert findings and heading < count < min(findings)
    data = json.loads(cli("consolidate", messy, "--month", "2026-11", "-o", out, "--force", "--format", "json").stdout)
    assert {d["team"]: d["state"] for d in data["status"]}["客服售后"] == "missing"
    assert data["complete"] is False
