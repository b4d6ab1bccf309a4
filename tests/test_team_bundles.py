"""Team bundles: each team's workbook holds its own tables of the department's, with the
department's settings, checks and figures that concern them (`family: department`).

Expectations are derived from the raw YAML of the department's bundle, not from the loader."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from ecomsheets.errors import SchemaError, UsageError
from ecomsheets.resources import builtin_dir
from ecomsheets.schema import expr as E
from ecomsheets.schema import load_catalog

from .helpers import CATALOG, MONTH, cli, run_cli

TEAMS = {
    "运营推广": "operations",
    "客服售后": "customer_service",
    "仓储物流": "warehouse",
    "财务行政": "finance_admin",
    "部门管理": "management",
}
RAW = yaml.safe_load((builtin_dir("schemas") / "workbooks" / "department.yaml").read_text(encoding="utf-8"))


def test_the_five_teams_share_out_the_departments_tables():
    department = CATALOG.bundle("department")
    seen: list[str] = []
    for title, name in TEAMS.items():
        team = CATALOG.bundle(title)  # found by the department's own word for it
        assert team.name == name and team.family == "department" and team.family_name == "department"
        assert CATALOG.family(team) is department
        seen += team.tables
    assert sorted(seen) == sorted(department.tables), "every table belongs to exactly one team"
    assert [e.bundle for e in department.roster] == list(TEAMS.values())
    assert [e.name for e in department.roster] == list(TEAMS)
    assert [b.name for b in CATALOG.members("department")] == ["department", *sorted(TEAMS.values())]


@pytest.mark.parametrize("name", TEAMS.values())
def test_a_team_takes_the_departments_metrics_checks_and_rules_for_its_tables(name):
    team = CATALOG.bundles[name]
    own = set(team.tables)
    kept: list[str] = []
    for m in RAW["metrics"]:
        if "table" in m:
            if m["table"] in own:
                kept.append(m["name"])
        elif set(E.names(E.parse(m["expr"]))) <= set(kept):
            kept.append(m["name"])
    assert [m.name for m in team.metrics] == kept
    checks = [c for c in RAW["checks"] if "metric" not in c]
    totals = [c for c in RAW["checks"] if "metric" in c]
    assert [c.name for c in team.checks] == [
        c["name"] for c in checks if c["table"] in own and c["source_table"] in own
    ]
    assert [c.name for c in team.totals_checks] == [
        c["name"] for c in totals if c["metric"] in kept and c["against"] in kept
    ]
    assert [r.name for r in team.rules] == [r["name"] for r in RAW.get("rules", []) if r["table"] in own]
    assert list(team.headline) == [h for h in RAW["headline"] if h in kept]
    assert not team.masters and not team.roster


def test_a_team_keeps_only_the_settings_its_tables_read():
    params = {n: [p.name for p in CATALOG.bundles[n].parameter_specs] for n in TEAMS.values()}
    assert {"work_start", "work_end", "lunch_start", "lunch_end"} <= set(params["finance_admin"])
    assert "response_limit_minutes" in params["customer_service"]
    assert params["operations"] == [] and params["warehouse"] == []
    department = [p.name for p in CATALOG.bundles["department"].parameter_specs]
    assert sorted(sum(params.values(), [])) == sorted(department), "each setting is some team's"


def test_masters_are_what_a_team_refers_to_and_does_not_hold():
    wanted = {
        name: sorted(
            {c.ref_table for t in CATALOG.tables_of(CATALOG.bundles[name]) for c in t.columns if c.references}
            & set(RAW["masters"]) - set(CATALOG.bundles[name].tables)
        )
        for name in TEAMS.values()
    }
    for name, tables in wanted.items():
        masters = CATALOG.masters_of(CATALOG.bundles[name])
        assert sorted(m.table for m in masters) == tables, name
        for m in masters:
            assert list(m.columns)[-len(RAW["masters"][m.table]) :] == RAW["masters"][m.table]
            # the key other sheets refer to is always copied
            keys = {c.ref_column for t in CATALOG.tables.values() for c in t.columns if c.ref_table == m.table}
            assert keys <= set(m.columns)
    assert wanted["operations"] == ["customers", "employees", "inventory"]
    assert CATALOG.masters_of(CATALOG.bundles["department"]) == []


def test_an_unknown_bundle_lists_names_and_titles():
    with pytest.raises(UsageError) as info:
        CATALOG.bundle("售前")
    assert "customer_service (客服售后)" in str(info.value)


def _catalogue(tmp_path: Path, bundle: str) -> Path:
    (tmp_path / "workbooks").mkdir(parents=True, exist_ok=True)
    (tmp_path / "workbooks" / "mine.yaml").write_text(bundle, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("name: mine\ntitle: 我的\nfamily: nowhere\ntables: [orders]\n", "family"),
        ("name: mine\ntitle: 我的\nfamily: operations\ntables: [orders]\n", "family"),  # a team is no family
        ("name: mine\ntitle: 我的\nfamily: department\ntables: [orders]\nmetrics: []\n", "metrics"),
        ("name: mine\ntitle: 我的\nfamily: department\ntables: [orders]\nroster: []\n", "roster"),
        ("name: mine\ntitle: 我的\ntables: [orders]\nroster: [{name: 店铺1, bundle: department}]\n", "roster"),
        ("name: mine\ntitle: 我的\ntables: [orders]\nheadline: [sales_total]\n", "headline"),
        ("name: mine\ntitle: 我的\ntables: [orders]\nmasters: {customers: [name]}\n", "masters"),
        ("name: mine\ntitle: 我的\ntables: [orders, customers]\nmasters: {customers: [nickname]}\n", "masters"),
    ],
)
def test_mistakes_in_a_family_are_reported_where_they_are(tmp_path, text, key):
    with pytest.raises(SchemaError) as info:
        load_catalog([_catalogue(tmp_path, text)])
    problems = info.value.problems
    assert problems and all(p.file.endswith("workbooks/mine.yaml") and p.key == key for p in problems), problems


def test_a_users_own_team_of_the_department_loads(tmp_path):
    catalog = load_catalog(
        [_catalogue(tmp_path, "name: mine\ntitle: 直播组\nfamily: department\ntables: [orders, campaigns]\n")]
    )
    mine = catalog.bundle("直播组")
    assert mine.tables == ("orders", "campaigns")
    assert {m.table for m in mine.metrics} <= {"orders", "campaigns", None}
    assert "sales_total" in {m.name for m in mine.metrics} and "campaign_count" in {m.name for m in mine.metrics}


@pytest.mark.parametrize("title", TEAMS)
def test_generating_a_team_workbook_by_its_title(tmp_path, title):
    out = tmp_path / f"{title}.xlsx"
    result = run_cli("generate", title, "-o", out, "--month", "2026-11")
    assert result.exit_code == 0, result.output
    team = CATALOG.bundle(title)
    wb = openpyxl.load_workbook(out, read_only=True)
    sheets = [s for s in wb.sheetnames if not s.startswith("_")]
    table_sheets = [CATALOG.tables[t].sheet for t in team.tables]
    assert [s for s in sheets if s in table_sheets] == table_sheets
    assert set(sheets) - set(table_sheets) == {"说明", "汇总"}
    wb.close()


@pytest.mark.slow
def test_team_examples_are_the_departments_rows_and_validate_clean(tmp_path):
    department = tmp_path / "department.xlsx"
    run_cli("example", "department", "-o", department, "--month", str(MONTH), "--rows", 40)
    whole = {
        name: pd.read_excel(department, sheet_name=CATALOG.tables[name].sheet, header=1, dtype=str)
        for name in CATALOG.bundles["department"].tables
        if CATALOG.tables[name].form is None  # the headcount form has rows above its header
    }
    for title, name in TEAMS.items():
        out = tmp_path / f"{name}.xlsx"
        run_cli("example", title, "-o", out, "--month", str(MONTH), "--rows", 40)
        result = cli("validate", out, "--format", "json")
        assert result.exit_code == 0, result.output
        for table in CATALOG.bundles[name].tables:
            if table not in whole:
                continue
            part = pd.read_excel(out, sheet_name=CATALOG.tables[table].sheet, header=1, dtype=str)
            pd.testing.assert_frame_equal(part, whole[table], check_dtype=False)
