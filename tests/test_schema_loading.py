"""Loading the schema catalogue: every built-in schema loads, and every kind of mistake in a
schema file is reported as a SchemaProblem that names the file, the line, the key, and says
what is wrong in Chinese and in English — all problems of a catalogue at once.

Bad catalogues are written into tmp_path (tables/, workbooks/, reference/) and loaded with
builtin=False. In the YAML texts below, the line a problem must point at ends in `# <--`.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from ecomsheets.errors import SchemaError, SchemaProblem
from ecomsheets.resources import builtin_dir
from ecomsheets.schema import load_catalog
from tests.helpers import cli

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
MARK = "# <--"


# --- helpers -----------------------------------------------------------------------------------
def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def marked_line(text: str) -> int:
    """The 1-based line of `text` that carries the `# <--` marker (exactly one)."""
    lines = [i for i, line in enumerate(textwrap.dedent(text).splitlines(), 1) if MARK in line]
    assert len(lines) == 1, f"a case needs exactly one {MARK} marker"
    return lines[0]


def problems_of(root: Path) -> list[SchemaProblem]:
    with pytest.raises(SchemaError) as info:
        load_catalog([root], builtin=False)
    problems = info.value.problems
    assert problems, "a SchemaError always lists its problems"
    return problems


def assert_bilingual(p: SchemaProblem, *, ascii_values: bool = True) -> None:
    """A Chinese message and an English message, different from each other."""
    assert CJK.search(p.message), f"no Chinese in {p.message!r}"
    assert p.message_en and p.message_en != p.message
    if ascii_values:  # the case used only ASCII names and values: English is pure English
        assert not CJK.search(p.message_en), f"Chinese in the English message {p.message_en!r}"


# A valid table to build cases on: name t, columns a (integer), b (decimal), s (string),
# d (date), ch (enum).
TABLE_HEAD = """\
name: t
title: T
sheet: S
columns:
  - name: a
    title: A
    type: integer
  - name: b
    title: B
    type: decimal
  - name: s
    title: Str
    type: string
  - name: d
    title: Day
    type: date
  - name: ch
    title: Ch
    type: enum
    values: [x, y]
"""


def table_with(columns: str = "", top: str = "") -> str:
    """TABLE_HEAD plus more column items and/or more top-level keys (such as rules:)."""
    return TABLE_HEAD + textwrap.indent(textwrap.dedent(columns), "  ") + textwrap.dedent(top)


# Each case: (id, {relative path: YAML}, path of the file at fault, key, zh fragment, en fragment)
CASES = [
    (
        "yaml_syntax",
        {
            "tables/t.yaml": """\
      name: t
      title: T
        sheet: S  # <--
      """
        },
        "tables/t.yaml",
        "-",
        "YAML 格式错误",
        "YAML syntax error: mapping values are not allowed",
    ),
    (
        "not_a_mapping",
        {
            "tables/t.yaml": """\
      - name: t  # <--
      - title: T
      """
        },
        "tables/t.yaml",
        "-",
        "文件内容应为键值映射",
        "the file must hold a mapping",
    ),
    (
        "empty_file_is_not_a_mapping",
        {"tables/t.yaml": "# <--\n"},
        "tables/t.yaml",
        "-",
        "文件内容应为键值映射",
        "the file must hold a mapping",
    ),
    (
        "unknown_key_with_hint",
        {"tables/t.yaml": table_with(top="descripton: typo  # <--\n")},
        "tables/t.yaml",
        "descripton",
        "未知的键“descripton”（是不是“description”？）",
        "unknown key 'descripton' (did you mean 'description'?)",
    ),
    (
        "unknown_column_key_with_hint",
        {
            "tables/t.yaml": table_with("""\
        - name: e
          title: E
          type: integer
          requird: true  # <--
      """)
        },
        "tables/t.yaml",
        "requird",
        "是不是“required”",
        "unknown key 'requird' (did you mean 'required'?)",
    ),
    (
        "missing_table_key",
        {
            "tables/t.yaml": """\
      name: t  # <--
      title: T
      columns:
        - name: a
          title: A
          type: integer
      """
        },
        "tables/t.yaml",
        "sheet",
        "缺少必填的键“sheet”",
        "required key 'sheet' is missing",
    ),
    (
        "missing_column_key",
        {
            "tables/t.yaml": table_with("""\
        - name: e  # <--
          title: E
      """)
        },
        "tables/t.yaml",
        "type",
        "缺少必填的键“type”",
        "required key 'type' is missing",
    ),
    (
        "missing_name",
        {
            "tables/t.yaml": """\
      title: T  # <--
      sheet: S
      columns: []
      """
        },
        "tables/t.yaml",
        "name",
        "缺少必填的键“name”",
        "required key 'name' is missing",
    ),
    (
        "bad_type_required",
        {
            "tables/t.yaml": table_with("""\
        - name: e
          title: E
          type: integer
          required: "yes"  # <--
      """)
        },
        "tables/t.yaml",
        "required",
        "“required”应为true 或 false",
        "'required' must be true or false, got 'yes'",
    ),
    (
        "bad_type_min",
        {
            "tables/t.yaml": table_with("""\
        - name: e
          title: E
          type: integer
          min: abc  # <--
      """)
        },
        "tables/t.yaml",
        "min",
        "“min”应为数字",
        "'min' must be a number, got 'abc'",
    ),
    (
        "bad_type_bool_is_not_a_number",
        {
            "tables/t.yaml": table_with("""\
        - name: e
          title: E
          type: integer
          max: true  # <--
      """)
        },
        "tables/t.yaml",
        "max",
        "“max”应为数字",
        "'max' must be a number, got True",
    ),
    (
        "bad_type_version",
        {"tables/t.yaml": table_with(top="version: 1.5  # <--\n")},
        "tables/t.yaml",
        "version",
        "“version”应为整数",
        "'version' must be an integer, got 1.5",
    ),
    (
        "bad_type_name_is_not_silently_dropped",
        {"tables/t.yaml": TABLE_HEAD.replace("name: t\n", f"name: 123  {MARK}\n", 1)},
        "tables/t.yaml",
        "name",
        "“name”应为文本",
        "'name' must be a text, got 123",
    ),
    (
        "bad_name_upper_case",
        {
            "tables/t.yaml": table_with("""\
        - name: Qty  # <--
          title: Q
          type: integer
      """)
        },
        "tables/t.yaml",
        "name",
        "名称“Qty”只能用小写英文字母",
        "name 'Qty' must be lower-case ASCII letters",
    ),
    (
        "bad_table_name",
        {"tables/t.yaml": TABLE_HEAD.replace("name: t\n", f"name: my-table  {MARK}\n", 1)},
        "tables/t.yaml",
        "name",
        "名称“my-table”",
        "name 'my-table' must be lower-case ASCII",
    ),
    (
        "unknown_column_type",
        {
            "tables/t.yaml": table_with("""\
        - name: e
          title: E
          type: number  # <--
      """)
        },
        "tables/t.yaml",
        "type",
        "未知的列类型“number”，可用：string, text, integer",
        "unknown column type 'number'; known: string, text, integer",
    ),
    (
        "duplicate_column_name",
        {
            "tables/t.yaml": table_with("""\
        - name: a  # <--
          title: A again
          type: integer
      """)
        },
        "tables/t.yaml",
        "columns",
        "重复的列名“a”",
        "duplicate column name 'a'",
    ),
    (
        "duplicate_column_title",
        {
            "tables/t.yaml": table_with("""\
        - name: e  # <--
          title: B
          type: integer
      """)
        },
        "tables/t.yaml",
        "columns",
        "重复的列标题“B”",
        "duplicate column title 'B'",
    ),
    (
        "primary_key_names_missing_column",
        {"tables/t.yaml": table_with(top="primary_key: [a, zz]  # <--\n")},
        "tables/t.yaml",
        "primary_key",
        "主键列“zz”不在列定义中",
        "primary-key column 'zz' is not a column",
    ),
    (
        "references_without_dot",
        {
            "tables/t.yaml": table_with("""\
        - name: e
          title: E
          type: string
          references: customers  # <--
      """)
        },
        "tables/t.yaml",
        "references",
        "引用应写成“表名.列名”，实际是“customers”",
        "a reference must be 'table.column', got 'customers'",
    ),
    (
        "references_missing_table",
        {
            "tables/t.yaml": table_with("""\
        - name: e
          title: E
          type: string
          references: customers.id  # <--
      """)
        },
        "tables/t.yaml",
        "references",
        "引用的表“customers”不存在",
        "referenced table 'customers' does not exist",
    ),
    (
        "references_missing_column",
        {
            "tables/t.yaml": table_with("""\
        - name: e
          title: E
          type: string
          references: u.nope  # <--
      """),
            "tables/u.yaml": """\
      name: u
      title: U
      sheet: U
      columns:
        - name: id
          title: ID
          type: string
      """,
        },
        "tables/t.yaml",
        "references",
        "引用的列“u.nope”不存在",
        "referenced column 'u.nope' does not exist",
    ),
    (
        "invalid_pattern",
        {
            "tables/t.yaml": table_with("""\
        - name: e
          title: E
          type: string
          pattern: '^[A-Z+$'  # <--
      """)
        },
        "tables/t.yaml",
        "pattern",
        "正则表达式无效",
        "invalid regular expression: unterminated character set",
    ),
    (
        "min_greater_than_max",
        {
            "tables/t.yaml": table_with("""\
        - name: e
          title: E
          type: integer
          min: 10  # <--
          max: 1
      """)
        },
        "tables/t.yaml",
        "min",
        "最小值 10 大于最大值 1",
        "min 10 is greater than max 1",
    ),
    (
        "enum_without_values",
        {
            "tables/t.yaml": table_with("""\
        - name: e  # <--
          title: E
          type: enum
      """)
        },
        "tables/t.yaml",
        "values",
        "枚举列必须给出 values 或 values_from",
        "an enum column needs values or values_from",
    ),
    (
        "unknown_values_from",
        {
            "tables/t.yaml": table_with("""\
        - name: e
          title: E
          type: enum
          values_from: colors  # <--
      """),
            "reference/colours.yaml": """\
      name: colours
      title: Colours
      items: [red, green]
      """,
        },
        "tables/t.yaml",
        "values_from",
        "参考数据“colors”不存在，可用：colours",
        "reference data 'colors' does not exist; known: colours",
    ),
    (
        "formula_syntax_error",
        {
            "tables/t.yaml": table_with("""\
        - name: e
          title: E
          type: decimal
          formula: ROUND(a * b,  # <--
      """)
        },
        "tables/t.yaml",
        "formula",
        "表达式“ROUND(a * b,”第 13 个字符处",
        "expression 'ROUND(a * b,' at character 13: unexpected 'end of the expression'",
    ),
    (
        "formula_unknown_name",
        {
            "tables/t.yaml": table_with("""\
        - name: e
          title: E
          type: decimal
          formula: a * qty  # <--
      """)
        },
        "tables/t.yaml",
        "formula",
        "未知的名称“qty”",
        "expression 'a * qty' at character 5: unknown name 'qty'; known: a, b, ch, d, e, s",
    ),
    (
        "formula_type_error",
        {
            "tables/t.yaml": table_with("""\
        - name: e
          title: E
          type: decimal
          formula: a + s * 2  # <--
      """)
        },
        "tables/t.yaml",
        "formula",
        "“*”需要数字，这里是文本",
        "expression 'a + s * 2' at character 5: '*' needs a number here, got a text",
    ),
    (
        "formula_returning_a_condition",
        {
            "tables/t.yaml": table_with("""\
        - name: e
          title: E
          type: decimal
          formula: a > b  # <--
      """)
        },
        "tables/t.yaml",
        "formula",
        "需要数字，这里是条件（真/假）",
        "'e' needs a number here, got a condition",
    ),
    (
        "formula_cycle",
        {
            "tables/t.yaml": table_with("""\
        - name: e
          title: E
          type: decimal
          formula: f + 1  # <--
        - name: f
          title: F
          type: decimal
          formula: e * 2
      """)
        },
        "tables/t.yaml",
        "formula",
        "公式循环引用：e → f → e",
        "formulas refer to each other in a cycle: e → f → e",
    ),
    (
        "rule_check_not_a_condition",
        {
            "tables/t.yaml": table_with(
                top="""\
      rules:
        - name: r
          check: a * 2  # <--
          message: 错
      """
            )
        },
        "tables/t.yaml",
        "check",
        "“check”需要条件（真/假），这里是数字",
        "expression 'a * 2' at character 1: 'check' needs a condition here, got a number",
    ),
    (
        "rule_when_not_a_condition",
        {
            "tables/t.yaml": table_with(
                top="""\
      rules:
        - name: r
          check: a > 2
          when: s  # <--
          message: 错
      """
            )
        },
        "tables/t.yaml",
        "when",
        "“when”需要条件（真/假），这里是文本",
        "'when' needs a condition here, got a text",
    ),
    (
        "bundle_names_missing_table",
        {
            "tables/t.yaml": TABLE_HEAD,
            "workbooks/w.yaml": """\
      name: w
      title: W
      tables: [t, orderz]  # <--
      """,
        },
        "workbooks/w.yaml",
        "tables",
        "工作簿引用的表“orderz”不存在",
        "the bundle names table 'orderz', which does not exist",
    ),
]

# Metric cases: a bundle over TABLE_HEAD with one metric, written after this head.
BUNDLE_HEAD = """\
name: w
title: W
tables: [t]
metrics:
"""
METRIC_CASES = [
    (
        "metric_agg_and_expr",
        """\
      - name: m  # <--
        title: M
        agg: sum
        table: t
        column: a
        expr: m2 + 1
    """,
        "name",
        "指标必须且只能给出 agg（聚合）或 expr（指标运算）之一",
        "a metric needs exactly one of agg (aggregate) or expr (metric formula)",
    ),
    (
        "metric_neither_agg_nor_expr",
        """\
      - name: m  # <--
        title: M
        table: t
    """,
        "name",
        "指标必须且只能给出 agg",
        "a metric needs exactly one of agg",
    ),
    (
        "metric_unknown_aggregate",
        """\
      - name: m
        title: M
        agg: median  # <--
        table: t
        column: a
    """,
        "agg",
        "未知的聚合方式“median”，可用：sum, count, distinct, avg, min, max",
        "unknown aggregate 'median'; known: sum, count, distinct, avg, min, max",
    ),
    (
        "metric_unknown_table",
        """\
      - name: m
        title: M
        agg: sum
        table: nope  # <--
        column: a
    """,
        "table",
        "工作簿引用的表“nope”不存在",
        "the bundle names table 'nope'",
    ),
    (
        "metric_unknown_column",
        """\
      - name: m
        title: M
        agg: sum
        table: t
        column: zz  # <--
    """,
        "column",
        "引用的列“t.zz”不存在",
        "referenced column 't.zz' does not exist",
    ),
    (
        "metric_sum_needs_column",
        """\
      - name: m  # <--
        title: M
        agg: sum
        table: t
    """,
        "column",
        "聚合“sum”需要 column",
        "aggregate 'sum' needs column",
    ),
    (
        "metric_by_plain_string",
        """\
      - name: m
        title: M
        agg: count
        table: t
        by: s  # <--
    """,
        "by",
        "分组列“s”须为枚举、布尔、日期或引用列",
        "group-by column 's' must be an enum, bool, date or reference column",
    ),
    (
        "metric_date_by_without_period",
        """\
      - name: m  # <--
        title: M
        agg: sum
        table: t
        column: a
        by: d
    """,
        "period",
        "period 只能是 day 或 week，且仅用于日期分组",
        "period must be day or week, and only with a date group-by",
    ),
    (
        "metric_period_on_enum_by",
        """\
      - name: m
        title: M
        agg: sum
        table: t
        column: a
        by: ch
        period: day  # <--
    """,
        "period",
        "period 只能是 day 或 week",
        "period must be day or week",
    ),
    (
        "metric_where_not_simple",
        """\
      - name: m
        title: M
        agg: count
        table: t
        where: a * 2 > 3  # <--
    """,
        "where",
        "筛选条件只能是“列 比较 常量”并用 AND 连接：a * 2 > 3",
        "a where filter must be 'column op constant' terms joined by AND: a * 2 > 3",
    ),
    (
        "metric_where_or",
        """\
      - name: m
        title: M
        agg: count
        table: t
        where: OR(a > 1, b > 2)  # <--
    """,
        "where",
        "筛选条件只能是",
        "a where filter must be 'column op constant' terms joined by AND",
    ),
    (
        "metric_where_type_error",
        """\
      - name: m
        title: M
        agg: count
        table: t
        where: s > 3  # <--
    """,
        "where",
        "“>”两边类型不一致：文本 与 数字",
        "expression 's > 3' at character 3: '>' mixes text and number",
    ),
    (
        "metric_expr_unknown_metric",
        """\
      - name: m
        title: M
        agg: sum
        table: t
        column: a
      - name: m2
        title: M2
        expr: m / nope  # <--
    """,
        "expr",
        "未知的名称“nope”",
        "unknown name 'nope'; known: m, m2",
    ),
    (
        "metric_expr_cycle",
        """\
      - name: m
        title: M
        expr: m2 + 1  # <--
      - name: m2
        title: M2
        expr: m * 2
    """,
        "expr",
        "公式循环引用：m → m2 → m",
        "formulas refer to each other in a cycle: m → m2 → m",
    ),
]
for _id, _metrics, _key, _zh, _en in METRIC_CASES:
    CASES.append(
        (
            _id,
            {
                "tables/t.yaml": TABLE_HEAD,
                "workbooks/w.yaml": BUNDLE_HEAD + textwrap.indent(textwrap.dedent(_metrics), "  "),
            },
            "workbooks/w.yaml",
            _key,
            _zh,
            _en,
        )
    )


@pytest.mark.parametrize("files, at_fault, key, zh, en", [pytest.param(*case[1:], id=case[0]) for case in CASES])
def test_each_schema_problem_names_file_line_key_and_both_languages(tmp_path, files, at_fault, key, zh, en):
    for rel, text in files.items():
        write(tmp_path, rel, text)
    problems = problems_of(tmp_path)
    # Exactly one problem: no noise that follows from the first (e.g. an unknown values_from
    # must not also say "an enum needs values").
    assert len(problems) == 1, "\n".join(p.text("en") for p in problems)
    p = problems[0]
    assert p.file == f"{tmp_path.name}/{at_fault}"
    assert p.line == marked_line(files[at_fault])
    assert p.key == key
    assert zh in p.message, p.message
    assert en in p.message_en, p.message_en
    assert_bilingual(p)
    # The rendered forms used by the command line carry file:line and the key.
    assert p.text("zh").startswith(f"{p.file}:{p.line} [{key}] ")
    assert p.text("en") == f"{p.file}:{p.line} [{key}] {p.message_en}"


def test_non_ascii_column_name_is_refused(tmp_path):
    text = table_with("""\
      - name: 数量  # <--
        title: 数量
        type: integer
    """)
    write(tmp_path, "tables/t.yaml", text)
    [p] = problems_of(tmp_path)
    assert (p.file, p.line, p.key) == (f"{tmp_path.name}/tables/t.yaml", marked_line(text), "name")
    assert "名称“数量”只能用小写英文字母、数字和下划线" in p.message
    assert "name '数量' must be lower-case ASCII letters, digits and _" in p.message_en
    assert_bilingual(p, ascii_values=False)


def test_reference_item_without_text_value(tmp_path):
    write(
        tmp_path,
        "reference/colours.yaml",
        """\
    name: colours
    title: Colours
    items:  # <--
      - value: red
      - label: no value here
    """,
    )
    [p] = problems_of(tmp_path)
    assert (p.key, p.line) == ("items", 3)
    assert "'items[1].value' must be a text, got None" in p.message_en
    assert_bilingual(p)


def test_all_problems_of_a_catalogue_are_reported_together(tmp_path):
    write(tmp_path, "tables/broken.yaml", "name: broken\ntitle: [B\n")
    write(
        tmp_path,
        "tables/t.yaml",
        table_with(
            top="""\
      primary_key: [a, zz]
      descripton: typo
      rules:
        - name: r
          check: a + 1
          message: 错
    """
        ),
    )
    write(
        tmp_path,
        "tables/u.yaml",
        """\
    name: u
    title: U
    sheet: U
    columns:
      - name: id
        title: ID
        type: wibble
      - name: n
        title: N
        type: integer
        min: 5
        max: 1
    """,
    )
    write(
        tmp_path,
        "workbooks/w.yaml",
        """\
    name: w
    title: W
    tables: [t, nope]
    metrics:
      - name: m
        title: M
        agg: median
        table: t
        column: a
    """,
    )
    with pytest.raises(SchemaError) as info:
        load_catalog([tmp_path], builtin=False)
    problems = info.value.problems
    got = {(Path(p.file).parent.name + "/" + Path(p.file).name, p.key) for p in problems}
    assert got == {
        ("tables/broken.yaml", "-"),
        ("tables/t.yaml", "primary_key"),
        ("tables/t.yaml", "descripton"),
        ("tables/t.yaml", "check"),
        ("tables/u.yaml", "type"),
        ("tables/u.yaml", "min"),
        ("workbooks/w.yaml", "tables"),
        ("workbooks/w.yaml", "agg"),
    }
    assert len(problems) == 8
    # The exception's text lists every problem, one a line, in both languages.
    assert len(str(info.value).splitlines()) == 8
    assert info.value.text("en").count("\n") == 7
    for p in problems:
        assert p.text("zh") in str(info.value)
        assert p.text("en") in info.value.text("en")
        assert p.line is not None and p.line > 0


# --- the built-in catalogue ----------------------------------------------------------------------
def test_builtin_catalogue_loads():
    catalog = load_catalog()
    root = builtin_dir("schemas")
    for kind, loaded in (
        ("tables", catalog.tables),
        ("workbooks", catalog.bundles),
        ("reference", catalog.reference),
    ):
        files = sorted((root / kind).glob("*.yaml"))
        assert files, f"no built-in {kind}"
        assert sorted(p.stem for p in files) == sorted(loaded), f"every {kind} file loads under its own name"
    assert {"orders", "customers", "inventory", "employees", "logistics"} <= set(catalog.tables)
    assert {"provinces", "couriers", "channels"} <= set(catalog.reference)
    for table in catalog.tables.values():
        assert table.columns and table.title and table.sheet
        assert table.source.endswith(f"tables/{table.name}.yaml")
        assert len({c.name for c in table.columns}) == len(table.columns)
        assert set(table.primary_key) <= set(table.by_name)
        for col in table.columns:
            assert (col.formula is None) == (col.formula_ast is None), f"{table.name}.{col.name}"
            if col.type == "enum":
                assert col.values, f"{table.name}.{col.name} has its list"
            if col.references:
                assert col.ref_column in catalog.tables[col.ref_table].by_name
        for rule in table.rules:
            assert rule.check_ast is not None and rule.columns
    bundle = catalog.bundle("department")
    assert set(bundle.tables) <= set(catalog.tables)
    assert bundle.metrics and all(m.agg or m.expr_ast is not None for m in bundle.metrics)


def test_builtin_orders_details():
    orders = load_catalog().table("orders")
    assert orders.primary_key == ("order_id", "sku")
    assert orders.header_row == 2 and orders.first_data_row == 3
    amount = orders.column("amount")
    assert amount.derived and amount.formula == "ROUND(quantity * unit_price - discount, 2)"
    assert orders.column("customer_id").references == "customers.customer_id"
    channels = load_catalog().reference["channels"].values
    assert orders.column("channel").values == channels and len(channels) > 1
    assert orders.column("quantity").required and orders.column("quantity").min == 1


def test_user_folder_overrides_builtin_table_and_adds_one(tmp_path):
    builtin_orders = (builtin_dir("schemas") / "tables" / "orders.yaml").read_text(encoding="utf-8")
    assert "title: 订单管理表\n" in builtin_orders
    write(tmp_path, "tables/orders.yaml", builtin_orders.replace("title: 订单管理表\n", "title: 我们的订单表\n", 1))
    write(
        tmp_path,
        "tables/returns.yaml",
        """\
    name: returns
    title: 退货登记表
    sheet: 退货
    columns:
      - name: order_id
        title: 订单编号
        type: string
        required: true
        references: orders.order_id
      - name: refund
        title: 退款金额
        type: money
        min: 0
    """,
    )
    builtin = load_catalog()
    catalog = load_catalog([tmp_path])
    assert catalog.table("orders").title == "我们的订单表"
    assert catalog.table("orders").source == f"{tmp_path.name}/tables/orders.yaml"
    assert builtin.table("orders").title == "订单管理表"
    assert catalog.table("returns").column("order_id").references == "orders.order_id"
    assert set(catalog.tables) == set(builtin.tables) | {"returns"}
    assert catalog.table("customers") == builtin.table("customers")
    assert "department" in catalog.bundles


def test_user_folder_problems_name_the_user_file(tmp_path):
    write(
        tmp_path,
        "tables/returns.yaml",
        """\
    name: returns
    title: 退货登记表
    sheet: 退货
    columns:
      - name: order_id
        title: 订单编号
        type: string
        references: orders.order_no
    """,
    )
    with pytest.raises(SchemaError) as info:
        load_catalog([tmp_path])
    [p] = info.value.problems
    assert (p.file, p.line, p.key) == (f"{tmp_path.name}/tables/returns.yaml", 8, "references")
    assert "referenced column 'orders.order_no' does not exist" in p.message_en


# --- command line ----------------------------------------------------------------------------------
TABLE_KEYS = {"name", "title", "title_en", "sheet", "header_row", "first_data_row", "version", "primary_key", "columns"}
COLUMN_KEYS = {
    "name",
    "title",
    "title_en",
    "type",
    "required",
    "unique",
    "min",
    "max",
    "values",
    "pattern",
    "references",
    "formula",
    "aliases",
}


def test_cli_schemas_show_json_contract():
    result = cli("schemas", "show", "orders", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == TABLE_KEYS
    assert data["name"] == "orders" and data["title"] == "订单管理表" and data["title_en"] == "Orders"
    assert data["sheet"] == "订单"
    assert (data["header_row"], data["first_data_row"], data["version"]) == (2, 3, 2)
    assert data["primary_key"] == ["order_id", "sku"]
    orders = load_catalog().table("orders")
    assert [c["name"] for c in data["columns"]] == [c.name for c in orders.columns]
    for col in data["columns"]:
        assert set(col) == COLUMN_KEYS, col["name"]
        assert isinstance(col["required"], bool) and isinstance(col["unique"], bool)
        assert isinstance(col["aliases"], list)
    by_name = {c["name"]: c for c in data["columns"]}
    assert by_name["amount"]["formula"] == "ROUND(quantity * unit_price - discount, 2)"
    assert by_name["amount"]["type"] == "money"
    assert by_name["quantity"] == {
        "name": "quantity",
        "title": "数量",
        "title_en": "Quantity",
        "type": "integer",
        "required": True,
        "unique": False,
        "min": 1,
        "max": 100000,
        "values": None,
        "pattern": None,
        "references": None,
        "formula": None,
        "aliases": ["购买数量", "商品数量", "订购数量", "宝贝总数量"],
    }
    assert by_name["status"]["values"][0] == "待付款"
    assert by_name["customer_id"]["references"] == "customers.customer_id"
    assert by_name["order_id"]["pattern"] == "^[A-Za-z0-9_-]{1,40}$"  # anonymised exports number orders 1, 2, …


@pytest.mark.parametrize(
    "lang, heading", [("zh", "模板定义有 1 处问题："), ("en", "the schema catalogue has 1 problem:")]
)
def test_cli_broken_schema_folder_exits_2_with_file_and_line(tmp_path, lang, heading):
    write(
        tmp_path,
        "tables/bad.yaml",
        """\
    name: bad
    title: Bad
    sheet: Bad
    columns:
      - name: a
        title: A
        type: integer
        required: "yes"
    """,
    )
    result = cli("schemas", "list", "--schemas", tmp_path, "--lang", lang)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert f"{tmp_path.name}/tables/bad.yaml:8 [required]" in result.output
    assert heading in result.output
    assert "Traceback" not in result.output
    message = "'required' must be true or false" if lang == "en" else "“required”应为true 或 false"
    assert message in result.output
    assert "Tables:" not in result.output and "表：" not in result.output


def test_cli_schemas_list_with_good_user_folder(tmp_path):
    write(
        tmp_path,
        "tables/returns.yaml",
        """\
    name: returns
    title: 退货登记表
    title_en: Returns
    sheet: 退货
    columns:
      - name: refund
        title: 退款金额
        type: money
    """,
    )
    result = cli("schemas", "list", "--schemas", tmp_path, "--lang", "en")
    assert result.exit_code == 0, result.output
    names = re.findall(r"^\s+(\w+)\s+v\d", result.stdout, flags=re.M)
    assert "returns" in names and "orders" in names and "department" in names
