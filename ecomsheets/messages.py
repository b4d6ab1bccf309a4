"""Every user-facing text, in Chinese (default) and English, in one place.

Templates use str.format fields. `text(code, lang, **params)` renders one language;
`both(code, **params)` renders (zh, en) for records that carry both.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # --- schema files -----------------------------------------------------------------------
    "schema_yaml_syntax": ("YAML 格式错误：{detail}", "YAML syntax error: {detail}"),
    "schema_not_mapping": ("文件内容应为键值映射（key: value）", "the file must hold a mapping (key: value)"),
    "schema_unknown_key": ("未知的键“{key}”{hint}", "unknown key '{key}'{hint_en}"),
    "schema_missing_key": ("缺少必填的键“{key}”", "required key '{key}' is missing"),
    "schema_bad_type": ("“{key}”应为{want}，实际是 {got!r}", "'{key}' must be {want_en}, got {got!r}"),
    "schema_bad_name": ("名称“{value}”只能用小写英文字母、数字和下划线，且以字母开头",
                        "name '{value}' must be lower-case ASCII letters, digits and _, starting with a letter"),
    "schema_unknown_type": ("未知的列类型“{value}”，可用：{known}", "unknown column type '{value}'; known: {known}"),
    "schema_duplicate": ("重复的{what}“{value}”", "duplicate {what_en} '{value}'"),
    "schema_pk_missing": ("主键列“{value}”不在列定义中", "primary-key column '{value}' is not a column"),
    "schema_ref_format": ("引用应写成“表名.列名”，实际是“{value}”", "a reference must be 'table.column', got '{value}'"),
    "schema_ref_table": ("引用的表“{table}”不存在", "referenced table '{table}' does not exist"),
    "schema_ref_column": ("引用的列“{table}.{column}”不存在", "referenced column '{table}.{column}' does not exist"),
    "schema_bad_pattern": ("正则表达式无效：{detail}", "invalid regular expression: {detail}"),
    "schema_min_max": ("最小值 {min} 大于最大值 {max}", "min {min} is greater than max {max}"),
    "schema_enum_no_values": ("枚举列必须给出 values 或 values_from", "an enum column needs values or values_from"),
    "schema_values_from": ("参考数据“{value}”不存在，可用：{known}", "reference data '{value}' does not exist; known: {known}"),
    "schema_formula_cycle": ("公式循环引用：{cycle}", "formulas refer to each other in a cycle: {cycle}"),
    "schema_unknown_table": ("工作簿引用的表“{value}”不存在", "the bundle names table '{value}', which does not exist"),
    "schema_expr": ("表达式“{source}”第 {col} 个字符处：{detail}", "expression '{source}' at character {col}: {detail}"),
    "schema_metric_shape": ("指标必须且只能给出 agg（聚合）或 expr（指标运算）之一",
                            "a metric needs exactly one of agg (aggregate) or expr (metric formula)"),
    "schema_metric_agg": ("未知的聚合方式“{value}”，可用：{known}", "unknown aggregate '{value}'; known: {known}"),
    "schema_metric_needs": ("聚合“{agg}”需要 {key}", "aggregate '{agg}' needs {key}"),
    "schema_by_type": ("分组列“{value}”须为枚举、布尔、日期或引用列", "group-by column '{value}' must be an enum, bool, date or reference column"),
    "schema_period": ("period 只能是 day 或 week，且仅用于日期分组", "period must be day or week, and only with a date group-by"),
    "schema_where": ("筛选条件只能是“列 比较 常量”并用 AND 连接：{source}",
                     "a where filter must be 'column op constant' terms joined by AND: {source}"),
    # --- expressions ------------------------------------------------------------------------
    "expr_empty": ("表达式为空", "the expression is empty"),
    "expr_bad_char": ("无法识别的字符“{char}”", "unexpected character '{char}'"),
    "expr_expected": ("这里应为“{expected}”，实际是“{found}”", "expected '{expected}' but found '{found}'"),
    "expr_unexpected": ("多余或不完整的内容“{found}”", "unexpected '{found}'"),
    "expr_unknown_function": ("未知函数 {name}，可用：{known}", "unknown function {name}; known: {known}"),
    "expr_arity": ("函数 {name} 需要 {want} 个参数，给了 {got} 个", "{name} takes {want} arguments, got {got}"),
    "expr_unknown_name": ("未知的名称“{name}”，可用：{known}", "unknown name '{name}'; known: {known}"),
    "expr_type_mismatch": ("“{op}”两边类型不一致：{left} 与 {right}", "'{op}' mixes {left} and {right}"),
    "expr_type": ("“{op}”需要{want}，这里是{got}", "'{op}' needs a {want} here, got a {got}"),
    # --- command line -----------------------------------------------------------------------
    "cli_unknown_workbook": ("没有名为“{name}”的工作簿模板，可用：{known}", "no workbook bundle named '{name}'; known: {known}"),
    "cli_unknown_table": ("没有名为“{name}”的表，可用：{known}", "no table named '{name}'; known: {known}"),
    "cli_table_not_in_bundle": ("表“{name}”不属于工作簿“{bundle}”，可用：{known}",
                                "table '{name}' is not part of bundle '{bundle}'; it has: {known}"),
    "cli_bad_month": ("月份“{value}”格式不对，应写成 2026-12 这样的年-月", "month '{value}' is not a year-month like 2026-12"),
    "cli_bad_rows": ("预留行数应在 1 到 {max} 之间，实际是 {value}", "--rows must be between 1 and {max}, got {value}"),
    "cli_exists": ("文件已存在：{path}（如需覆盖请加 --force）", "file already exists: {path} (add --force to overwrite)"),
    "cli_unwritable": ("无法写入 {path}：{detail}", "cannot write {path}: {detail}"),
    "cli_is_input": ("输出文件不能与输入文件相同：{path}", "the output must not be an input file: {path}"),
    "cli_written": ("已生成 {path}（{sheets} 个工作表，用时 {seconds:.2f} 秒）",
                    "wrote {path} ({sheets} sheets in {seconds:.2f} s)"),
    "cli_schema_errors": ("模板定义有 {count} 处问题：", "the schema catalogue has {count} problem(s):"),
    # --- column descriptions (input prompts, error alerts, instructions sheet) ----------------
    "desc_required": ("必填", "Required"),
    "desc_optional": ("选填", "Optional"),
    "desc_unique": ("不可重复", "must be unique"),
    "desc_between": ("{lo} 到 {hi} 之间", "between {lo} and {hi}"),
    "desc_at_least": ("不小于 {lo}", "at least {lo}"),
    "desc_at_most": ("不大于 {hi}", "at most {hi}"),
    "desc_values": ("可选：{values}", "one of: {values}"),
    "desc_references": ("须是“{sheet}”表中已有的{title}", "must be a {title} listed in sheet {sheet}"),
    "desc_formula": ("自动计算：{formula}，请勿手填", "computed: {formula}; do not type here"),
    "desc_in_month": ("须在 {start} 至 {end} 之间", "between {start} and {end}"),
    "desc_max_length": ("最多 {n} 个字", "at most {n} characters"),
    "desc_expect": ("请输入{what}", "Enter {what}"),
    "desc_derived_alert": ("这一列由公式自动计算，请不要手工填写。", "This column is computed by a formula; please do not type in it."),
    "desc_list_alert": ("请从下拉列表中选择。", "Please pick a value from the list."),
    "type_string": ("文本", "text"),
    "type_text": ("文字说明", "text"),
    "type_integer": ("整数", "a whole number"),
    "type_decimal": ("数字", "a number"),
    "type_money": ("金额（元）", "an amount in CNY"),
    "type_percent": ("百分比（如 85%）", "a percentage (e.g. 85%)"),
    "type_date": ("日期（如 2026-12-01）", "a date (e.g. 2026-12-01)"),
    "type_datetime": ("日期时间（如 2026-12-01 09:30）", "a date and time (e.g. 2026-12-01 09:30)"),
    "type_time": ("时间（如 09:05）", "a time (e.g. 09:05)"),
    "type_enum": ("下拉选项", "a value from the list"),
    "type_bool": ("是 或 否", "是 (yes) or 否 (no)"),
    "type_phone": ("11 位手机号", "an 11-digit mobile number"),
    # --- generated workbook -------------------------------------------------------------------
    "wb_banner": ("{title}　{month}　　带 * 的列必填；灰色列自动计算，请勿手填",
                  "{title}　{month}　　* = required; grey columns are computed, do not type in them"),
    "wb_instructions_sheet": ("说明", "Instructions"),
    "wb_summary_title": ("{title} · 汇总　{month}", "{title} · Summary　{month}"),
    "wb_section_params": ("参数（可修改）", "Parameters (editable)"),
    "wb_section_counts": ("各表记录数与金额合计", "Records and totals per sheet"),
    "wb_section_metrics": ("关键指标", "Key figures"),
    "wb_records": ("{sheet} 记录数", "{sheet}: records"),
    "wb_column_total": ("{sheet} {column}合计", "{sheet}: total {column}"),
    "wb_month_param": ("月份（当月 1 日）", "Month (its first day)"),
    "wb_col_item": ("项目", "Item"),
    "wb_col_value": ("数值", "Value"),
    "wb_col_note": ("说明", "Note"),
    "wb_group_by": ("按{column}分组（{sheet}）", "By {column} ({sheet})"),
    "wb_week_last": ("第{n}周（{start}日–月末）", "Week {n} (day {start} to month end)"),
    "wb_week": ("第{n}周（{start}–{end}日）", "Week {n} (days {start}–{end})"),
}

KIND_NAMES = {"number": ("数字", "number"), "text": ("文本", "text"), "bool": ("条件（真/假）", "condition")}


def text(code: str, lang: str = "zh", **params) -> str:
    zh, en = MESSAGES[code]
    return (en if lang == "en" else zh).format(**params)


def both(code: str, **params) -> tuple[str, str]:
    zh, en = MESSAGES[code]
    return zh.format(**params), en.format(**params)
