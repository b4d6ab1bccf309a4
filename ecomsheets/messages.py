"""Every user-facing text, in Chinese (default) and English, in one place.

Templates use str.format fields. `text(code, lang, **params)` renders one language;
`both(code, **params)` renders (zh, en) for records that carry both. A parameter that itself
differs by language is given as `Both(zh, en)` (`join(items)` makes one from a list).
No other module of the package holds user-facing Chinese: tests/test_user_text.py scans for it.
"""

from __future__ import annotations

import string

MESSAGES: dict[str, tuple[str, str]] = {
    # --- schema files -----------------------------------------------------------------------
    "schema_yaml_syntax": ("YAML 格式错误：{detail}", "YAML syntax error: {detail}"),
    "schema_not_mapping": ("文件内容应为键值映射（key: value）", "the file must hold a mapping (key: value)"),
    "schema_unknown_key": ("未知的键“{key}”{hint}", "unknown key '{key}'{hint_en}"),
    "schema_missing_key": ("缺少必填的键“{key}”", "required key '{key}' is missing"),
    "schema_bad_type": ("“{key}”应为{want}，实际是 {got!r}", "'{key}' must be {want_en}, got {got!r}"),
    "schema_bad_name": (
        "名称“{value}”只能用小写英文字母、数字和下划线，且以字母开头",
        "name '{value}' must be lower-case ASCII letters, digits and _, starting with a letter",
    ),
    "schema_unknown_parameter": ("未知的参数“{value}”，可用：{known}", "unknown parameter '{value}'; known: {known}"),
    "schema_check_metric": (
        "“{value}”不是本工作簿的一个不分组的指标，可用：{known}",
        "'{value}' is not an ungrouped metric of this bundle; known: {known}",
    ),
    "schema_unknown_type": ("未知的列类型“{value}”，可用：{known}", "unknown column type '{value}'; known: {known}"),
    "schema_duplicate": ("重复的{what}“{value}”", "duplicate {what_en} '{value}'"),
    "schema_pk_missing": ("主键列“{value}”不在列定义中", "primary-key column '{value}' is not a column"),
    "schema_ref_format": (
        "引用应写成“表名.列名”，实际是“{value}”",
        "a reference must be 'table.column', got '{value}'",
    ),
    "schema_ref_table": ("引用的表“{table}”不存在", "referenced table '{table}' does not exist"),
    "schema_ref_column": ("引用的列“{table}.{column}”不存在", "referenced column '{table}.{column}' does not exist"),
    "schema_bad_pattern": ("正则表达式无效：{detail}", "invalid regular expression: {detail}"),
    "schema_min_max": ("最小值 {min} 大于最大值 {max}", "min {min} is greater than max {max}"),
    "schema_default_value": ("“{value}”不是可选的值（{known}）", "'{value}' is not one of the values ({known})"),
    "schema_enum_no_values": ("枚举列必须给出 values 或 values_from", "an enum column needs values or values_from"),
    "schema_values_from": (
        "参考数据“{value}”不存在，可用：{known}",
        "reference data '{value}' does not exist; known: {known}",
    ),
    "schema_formula_cycle": ("公式循环引用：{cycle}", "formulas refer to each other in a cycle: {cycle}"),
    "schema_family": (
        "family 应为本目录中一个不属于其他工作簿的工作簿，实际是“{value}”，可用：{known}",
        "family must be a bundle of this catalogue that is not itself part of another, got '{value}'; known: {known}",
    ),
    "schema_family_key": (
        "小组工作簿不能自己声明“{key}”：它取自“{family}”",
        "a team's bundle does not declare '{key}': it takes it from '{family}'",
    ),
    "schema_family_table": (
        "表“{value}”不在“{family}”中：小组工作簿的表须是整个部门工作簿的表",
        "table '{value}' is not in '{family}': a team's tables must be tables of its family's bundle",
    ),
    "schema_roster_bundle": (
        "交表名单中的工作簿“{value}”不是本部门的工作簿，可用：{known}",
        "roster bundle '{value}' is not a bundle of this family; known: {known}",
    ),
    "schema_unknown_table": ("工作簿引用的表“{value}”不存在", "the bundle names table '{value}', which does not exist"),
    "schema_expr": (
        "表达式“{source}”第 {col} 个字符处：{detail}",
        "expression '{source}' at character {col}: {detail}",
    ),
    "schema_metric_shape": (
        "指标必须且只能给出 agg（聚合）或 expr（指标运算）之一",
        "a metric needs exactly one of agg (aggregate) or expr (metric formula)",
    ),
    "schema_metric_agg": ("未知的聚合方式“{value}”，可用：{known}", "unknown aggregate '{value}'; known: {known}"),
    "schema_metric_needs": ("聚合“{agg}”需要 {key}", "aggregate '{agg}' needs {key}"),
    "schema_by_type": (
        "分组列“{value}”须为枚举、布尔、日期或引用列",
        "group-by column '{value}' must be an enum, bool, date or reference column",
    ),
    "schema_period": (
        "period 只能是 day 或 week，且仅用于日期分组",
        "period must be day or week, and only with a date group-by",
    ),
    "schema_where": (
        "筛选条件只能是“列 比较 常量”并用 AND 连接：{source}",
        "a where filter must be 'column op constant' terms joined by AND: {source}",
    ),
    # --- expressions ------------------------------------------------------------------------
    "expr_empty": ("表达式为空", "the expression is empty"),
    "expr_bad_char": ("无法识别的字符“{char}”", "unexpected character '{char}'"),
    "expr_expected": ("这里应为“{expected}”，实际是“{found}”", "expected '{expected}' but found '{found}'"),
    "expr_unexpected": ("多余或不完整的内容“{found}”", "unexpected '{found}'"),
    "expr_unknown_function": ("未知函数 {name}，可用：{known}", "unknown function {name}; known: {known}"),
    "expr_isblank_name": ("ISBLANK() 里只能写一个列名", "ISBLANK() takes one column name"),
    "expr_arity": ("函数 {name} 需要 {want} 个参数，给了 {got} 个", "{name} takes {want} arguments, got {got}"),
    "expr_unknown_name": ("未知的名称“{name}”，可用：{known}", "unknown name '{name}'; known: {known}"),
    "expr_type_mismatch": ("“{op}”两边类型不一致：{left} 与 {right}", "'{op}' mixes {left} and {right}"),
    "expr_type": ("“{op}”需要{want}，这里是{got}", "'{op}' needs a {want} here, got a {got}"),
    # --- command line -----------------------------------------------------------------------
    "cli_unknown_workbook": (
        "没有名为“{name}”的工作簿模板，可用：{known}",
        "no workbook bundle named '{name}'; known: {known}",
    ),
    "cli_unknown_table": ("没有名为“{name}”的表，可用：{known}", "no table named '{name}'; known: {known}"),
    "cli_table_not_in_bundle": (
        "表“{name}”不属于工作簿“{bundle}”，可用：{known}",
        "table '{name}' is not part of bundle '{bundle}'; it has: {known}",
    ),
    "cli_bad_month": (
        "月份“{value}”格式不对，应写成 2026-12 这样的年-月",
        "month '{value}' is not a year-month like 2026-12",
    ),
    "cli_bad_rows": ("预留行数应在 1 到 {max} 之间，实际是 {value}", "--rows must be between 1 and {max}, got {value}"),
    "cli_exists": (
        "文件已存在：{path}（如需覆盖请加 --force）",
        "file already exists: {path} (add --force to overwrite)",
    ),
    "cli_unwritable": ("无法写入 {path}：{detail}", "cannot write {path}: {detail}"),
    "cli_is_input": ("输出文件不能与输入文件相同：{path}", "the output must not be an input file: {path}"),
    "cli_written": (
        "已生成 {path}（{sheets} 个工作表，用时 {seconds:.2f} 秒）",
        "wrote {path} ({sheets} sheet{sheets!p} in {seconds:.2f} s)",
    ),
    "cli_valid": (
        "✓ {file}：没有发现错误（{rows} 行，{sheets} 个工作表{warn}）",
        "✓ {file}: no errors ({rows} row{rows!p}, {sheets} sheet{sheets!p}{warn})",
    ),
    "cli_invalid": (
        "✗ {file}：{errors} 个错误，{warnings} 个提醒（{rows} 行，{sheets} 个工作表）",
        "✗ {file}: {errors} error{errors!p}, {warnings} warning{warnings!p} ({rows} row{rows!p}, {sheets} sheet{sheets!p})",
    ),
    "cli_skipped": ("－ {file}：{reason}", "- {file}: {reason}"),
    "cli_unreadable": ("✗ {file}：无法读取", "✗ {file}: cannot be read"),
    "cli_missing_sheets": (
        "  只找到 {found} 张表；以下 {n} 张未提交：{sheets}",
        "  found {found} sheet{found!p}; {n} not submitted: {sheets}",
    ),
    "cli_warn_suffix": ("，{n} 个提醒", ", {n} warning{n!p}"),
    "cli_sheet_counts": (
        "  【{sheet}】{errors} 个错误，{warnings} 个提醒",
        "  [{sheet}] {errors} error{errors!p}, {warnings} warning{warnings!p}",
    ),
    "cli_more_in_sheet": (
        "    …… 另有 {n} 条未列出（都已计入上面的数量；完整列表请用 --html 报告、--annotate 批注副本或 --format json）",
        "    … {n} more not listed (all are in the counts above; see the --html report, the --annotate copy or --format json)",
    ),
    "cli_level_error": ("错误", "error"),
    "cli_level_warning": ("提醒", "warning"),
    "cli_no_inputs": ("没有找到要检查的 .xlsx 文件：{paths}", "no .xlsx files found in: {paths}"),
    "cli_checking": ("正在检查", "Checking"),
    "cli_wrote_html": ("已写出报告 {path}", "wrote report {path}"),
    "cli_annotate_failed": (
        "未能为 {file} 写出批注副本：{reason}（其他文件照常处理）",
        "no annotated copy of {file}: {reason} (the other files go on)",
    ),
    "cli_wrote_annotated": ("已写出批注副本 {path}", "wrote annotated copy {path}"),
    "cli_example_written": (
        "已生成示例工作簿 {path}（{rows} 行数据，用时 {seconds:.2f} 秒）",
        "wrote example workbook {path} ({rows} data rows in {seconds:.2f} s)",
    ),
    "cli_summary_written": ("已写出汇总工作簿 {path}", "wrote summary workbook {path}"),
    "cli_consolidated": (
        "汇总完成：{files} 个文件，计入 {taken} 个，明细 {rows} 行；{problems} 条问题",
        "consolidated {files} file{files!p} ({taken} taken, {rows} row{rows!p}); {problems} finding{problems!p}",
    ),
    "cli_metric_line": ("  {title}{group}：{value}{declared}", "  {title}{group}: {value}{declared}"),
    "cli_declared": ("（表中填写 {value}，不一致）", " (the sheet says {value}: differs)"),
    "cli_cannot_summarize": (
        "无法汇总：没有一个文件可以读取或识别（{file}）",
        "cannot summarize: none of the files could be read or recognised ({file})",
    ),
    "cli_hint_include_invalid": (
        "提示：加 --include-invalid 可计入有错误文件中无误的行",
        "hint: add --include-invalid to take the valid rows of files with errors",
    ),
    "cli_summary_head": ("{file}（{rows} 行明细）", "{file} ({rows} detail rows)"),
    "cli_summary_has_errors": (
        "  注意：这个文件有 {errors} 个错误，下面的数字包含了有错误的行（validate 可查看）",
        "  note: this file has {errors} errors; the figures include those rows (see validate)",
    ),
    "cli_summary_more": ("……共 {n} 组未列出", " … {n} more group{n!p}"),
    "cli_list_workbooks": ("工作簿模板：", "Workbooks:"),
    "cli_list_workbook": ("  {name} v{version}  {title}（{n} 张表）", "  {name} v{version}  {title} ({n} tables)"),
    "cli_list_tables": ("表：", "Tables:"),
    "cli_schema_errors": ("模板定义有 {count} 处问题：", "the schema catalogue has {count} problem{count!p}:"),
    # --- the annotated copy: formulas it does not keep, and why it could not be made ----------
    "r_formula_as_value": (
        "（标注副本里这一格只保留了公式保存的结果，公式已去掉）",
        " (in this copy the cell holds the formula's saved result; the formula was taken out)",
    ),
    "r_formula_as_text": (
        "（标注副本里这一格没有保存的结果，公式以文字显示，不会计算）",
        " (in this copy the cell had no saved result: the formula is shown as text and is not calculated)",
    ),
    "r_formula_live": (
        "这一格的公式 {formula} 会访问其他工作簿、外部程序或网络{how}",
        "the formula {formula} in this cell reaches another workbook, an outside program or the web{how}",
    ),
    "r_formulas_replaced": (
        "本副本中有 {count} 个公式单元格改为了保存的结果或公式文字（数据列中的公式，以及访问其他工作簿、外部程序或网络的公式），打开时不会重新计算",
        "{count} formula cell{count!p} in this copy hold their saved result or the formula as text (formulas in data columns, and formulas that reach another workbook, an outside program or the web): nothing is recalculated from them on opening",
    ),
    "r_links_dropped": (
        "本副本不包含原文件中指向其他工作簿的 {count} 个链接",
        "this copy keeps none of the file's {count} link{count!p} to other workbooks",
    ),
    "r_copy_structure": (
        "文件内部结构不完整或无法识别（{part}）",
        "its inner structure is incomplete or not recognised ({part})",
    ),
    "r_copy_strict": (
        "文件以“严格 Open XML”格式保存，请在 Excel 中另存为普通的 Excel 工作簿（.xlsx）后再试",
        "it is saved as Strict Open XML; save it as an ordinary Excel workbook (.xlsx) and try again",
    ),
    # --- command-line help (h_*; a command's short help is h_<command>_short) -----------------
    "h_main": (
        "ecomsheets：电商部管理表格的模板生成、校验与月度汇总。\n\n"
        "经理用 generate 生成空白模板发给各人填写，把交回的文件收进一个文件夹（如 交回/），"
        "用 validate 检查、consolidate 汇总成月度汇总工作簿。",
        "ecomsheets: templates, validation and monthly summaries for an e-commerce department's sheets.\n\n"
        "The manager hands out blank templates made with generate, collects the filled files into one folder "
        "(e.g. submitted/), checks them with validate and builds the month's summary workbook with consolidate.",
    ),
    "h_main_short": ("电商部管理表格工具", "e-commerce department sheets"),
    "h_schemas": (
        "查看模板定义：有哪些表和工作簿模板，各有哪些列和规则",
        "The schema catalogue: which tables and workbook bundles exist, their columns and rules",
    ),
    "h_schemas_short": ("查看模板定义", "list and show schemas"),
    "h_schemas_list": ("列出所有表和工作簿模板", "List every table and workbook bundle"),
    "h_schemas_list_short": ("列出所有表和工作簿模板", "list tables and bundles"),
    "h_schemas_show": (
        "显示一张表（或一个工作簿模板）的定义：列、类型、规则",
        "Show a table's (or a bundle's) definition: columns, types, rules",
    ),
    "h_schemas_show_short": ("显示一张表或工作簿模板的定义", "show a table or bundle"),
    "h_generate": (
        "生成空白的工作簿模板（带下拉框、输入校验、公式、汇总表和说明），发给各人填写",
        "Write a blank workbook template (dropdowns, input checks, formulas, summary and instructions) to hand out",
    ),
    "h_generate_short": ("生成空白模板", "blank template"),
    "h_validate": (
        "检查交回的工作簿，指出每个有问题的单元格。可给多个文件或一个文件夹（文件夹里的每个文件都会检查或说明为何不能读取）。\n\n"
        "退出码：0 没有错误（可以有提醒），1 有错误，2 有文件无法读取或用法错误。",
        "Check handed-in workbooks and name every wrong cell. Takes files or a folder (every file in it is checked, or named with why it cannot be read).\n\n"
        "Exit code: 0 no errors (warnings allowed), 1 errors found, 2 a file could not be read, or misuse.",
    ),
    "h_validate_short": ("检查交回的工作簿", "check handed-in workbooks"),
    "h_example": (
        "生成填好示例数据的工作簿（可直接通过校验），用于试用和演示",
        "Write a workbook filled with realistic example rows (it validates clean), to try things out",
    ),
    "h_example_short": ("生成示例工作簿", "example workbook"),
    "h_summarize": (
        "按明细重新计算一个工作簿的全部指标，并与它的汇总表核对。只接受一个文件；多个文件或文件夹请用 consolidate",
        "Recompute every figure of one workbook from its rows and compare with its summary sheet. One file only; for several files or a folder use consolidate",
    ),
    "h_summarize_short": ("重新计算一个工作簿的指标", "recompute one workbook"),
    "h_consolidate": (
        "把一个月交回的多份工作簿合并成月度汇总工作簿（指标、图表、来源、问题）。\n\n"
        "退出码：0 所有文件都完整计入，1 有文件或行未计入或有冲突，2 没有可用的文件或用法错误。",
        "Merge a month of handed-in workbooks into the monthly summary workbook (figures, charts, sources, findings).\n\n"
        "Exit code: 0 every file taken whole, 1 a file or rows left out or in conflict, 2 nothing usable, or misuse.",
    ),
    "h_consolidate_short": ("合并成月度汇总", "the month's summary"),
    "h_version": ("显示版本号并退出", "Show the version and exit."),
    "h_opt_schemas": (
        "额外的模板定义文件夹（含 tables/、workbooks/），可覆盖内置定义",
        "An extra schema folder (tables/, workbooks/) adding to or overriding the built-in schemas",
    ),
    "h_opt_lang": (
        "输出语言：zh 中文（默认）或 en 英文；也可用环境变量 ECOMSHEETS_LANG 设置",
        "Output language: zh Chinese (the default) or en English; also from the ECOMSHEETS_LANG environment variable",
    ),
    "h_opt_max_file_mb": ("单个文件大小上限（MB，默认 200）", "Largest file accepted (MB, default 200)"),
    "h_opt_max_rows": (
        "一个工作表有内容的行数上限（默认 1,048,575）",
        "Most rows with content in one sheet (default 1,048,575)",
    ),
    "h_opt_timeout": (
        "读取一个文件的时间上限（秒，默认 600）",
        "Time limit for reading one file (seconds, default 600)",
    ),
    "h_opt_max_memory_gb": (
        "读取一个文件的内存上限（GB，默认 8）",
        "Memory limit for reading one file (GB, default 8)",
    ),
    "h_opt_format_show": ("输出格式：text 文字，json 机器可读", "Output format: text, or json for scripts"),
    "h_opt_format": ("输出格式：text 文字，json 机器可读", "Output format: text, or json for scripts"),
    "h_opt_output_xlsx": ("输出文件（.xlsx）", "The output file (.xlsx)"),
    "h_opt_month_generate": (
        "月份，如 2026-12（日期列将限定在该月内）",
        "The month, e.g. 2026-12 (date columns are limited to it)",
    ),
    "h_opt_tables": (
        "只要这些表，用逗号分隔（如 orders,inventory）",
        "Only these tables, comma-separated (e.g. orders,inventory)",
    ),
    "h_opt_rows_generate": ("每张表预留的格式化行数", "Pre-formatted rows per sheet"),
    "h_opt_force": ("输出文件已存在时覆盖它", "Overwrite an existing output file"),
    "h_opt_html": (
        "另存一份 HTML 报告（可在浏览器中打开、打印或转发）",
        "Also write an HTML report (to open in a browser, print or forward)",
    ),
    "h_opt_annotate": (
        "写出标注了问题的副本（多个文件时给一个文件夹）",
        "Write annotated copies (a folder when there are several files)",
    ),
    "h_opt_bundle": ("指定工作簿模板（默认自动识别）", "The workbook bundle (default: recognised from the file)"),
    "h_opt_month_validate": (
        "月份，如 2026-11（默认取文件里记录的月份）",
        "The month, e.g. 2026-11 (default: the month the file records)",
    ),
    "h_opt_max_findings": (
        "最多列出的问题条数（0 或更多）：JSON 每个文件（默认全部列出），屏幕上每个工作表（默认 20）；数量统计总是完整的",
        "Findings listed: per file in JSON (default: all), per sheet on screen (default 20); counts are always complete",
    ),
    "h_opt_month_example": ("示例数据所在的月份", "The month of the example rows"),
    "h_opt_rows_example": ("订单等明细表的行数", "Rows of the detail tables (orders …)"),
    "h_opt_seed": (
        "随机种子：不同种子给出不同编号，像不同的店铺",
        "Random seed: different seeds give different ids, like different shops",
    ),
    "h_opt_summary_output": ("另存汇总工作簿（.xlsx）", "Also write a summary workbook (.xlsx)"),
    "h_opt_month_summarize": (
        "只计入这个月的行，如 2026-11（默认取文件里记录的月份）",
        "Only rows of this month, e.g. 2026-11 (default: the month the file records)",
    ),
    "h_opt_consolidate_output": (
        "月度汇总工作簿，如 月度汇总_2026-11.xlsx",
        "The monthly summary workbook, e.g. summary_2026-11.xlsx",
    ),
    "h_opt_month_consolidate": (
        "只计入这个月的行，如 2026-11（默认取多数文件的月份）",
        "Only rows of this month, e.g. 2026-11 (default: the month most files are for)",
    ),
    "h_opt_include_invalid": (
        "有错误的文件也计入其中无误的行",
        "Take the rows without errors of files with errors too",
    ),
    "h_opt_data_rows": (
        "每张明细表最多写入的行数（0 = 只写指标，默认写满一张表的上限）",
        "Most merged rows written per data sheet (0 = figures only; default: as many as a sheet holds)",
    ),
    "h_arg_paths": ("文件或文件夹", "FILES_OR_FOLDERS"),
    "h_arg_file": ("文件", "FILE"),
    "h_arg_workbook": ("工作簿模板", "BUNDLE"),
    "h_arg_name": ("表或模板名", "NAME"),
    # --- issue 14: `docs`, the data dictionary of a bundle (dd_*: its headings and phrases) ------
    "h_docs": (
        "把一个工作簿模板（默认 department）的数据字典写进文件夹：<模板名>.md（Markdown）和 "
        "<模板名>.html（一个网页，可直接打开或打印）。内容取自模板定义：每张表、每一列的类型和规则、"
        "行规则、跨表核对、汇总指标和参数，中文在前、英文在旁（--lang en 时英文在前）",
        "Write the data dictionary of a workbook bundle (default department) into a folder: "
        "<bundle>.md (Markdown) and <bundle>.html (one page to open or print). It is read from the "
        "schema catalogue: every table, each column's type and rules, row rules, cross-sheet checks, "
        "summary metrics and parameters, in English with Chinese beside (Chinese first without --lang en)",
    ),
    "h_docs_short": ("写出数据字典（Markdown 和网页）", "data dictionary (Markdown, HTML)"),
    "h_opt_output_dir": ("输出文件夹（不存在时新建）", "The output folder (made if missing)"),
    "h_arg_bundle_optional": ("[工作簿模板]", "[BUNDLE]"),  # may be left out (default department)
    "cli_docs_written": ("已写出 {path}", "wrote {path}"),
    "dd_title": ("{title} · 数据字典", "{title} · Data dictionary"),
    "dd_bundle_meta": ("工作簿模板 {name}，第 {version} 版", "bundle {name}, version {version}"),
    "dd_contents": ("目录", "Contents"),
    "dd_parameters": ("参数", "Parameters"),
    "dd_tables": ("表", "Tables"),
    "dd_checks": ("跨表核对", "Cross-sheet checks"),
    "dd_rules": ("工作簿规则（使用参数的行规则）", "Workbook rules (row rules that use the parameters)"),
    "dd_metrics": ("汇总指标", "Summary metrics"),
    "dd_none": ("无", "none"),
    "dd_sheet": ("工作表", "Sheet"),
    "dd_key": ("主键", "Key"),
    "dd_version": ("版本", "Version"),
    "dd_columns": ("列", "Columns"),
    "dd_row_rules": ("行规则", "Row rules"),
    "dd_col_title": ("名称", "Title"),
    "dd_col_value": ("值", "Value"),
    "dd_col_name": ("代号", "Name"),
    "dd_col_header": ("表头", "Header"),
    "dd_col_header_en": ("英文表头", "English header"),
    "dd_col_header_zh": ("中文表头", "Chinese header"),
    "dd_col_type": ("类型", "Type"),
    "dd_col_required": ("必填", "Required"),
    "dd_col_rules": ("规则", "Rules"),
    "dd_col_aliases": ("别名", "Aliases"),
    "dd_col_note": ("说明", "Note"),
    "dd_col_message": ("提示", "Message"),
    "dd_col_check": ("条件", "Condition"),
    "dd_col_table": ("表", "Table"),
    "dd_col_compares": ("核对内容", "What it compares"),
    "dd_col_how": ("计算方式", "How it is computed"),
    "dd_col_format": ("格式", "Format"),
    "dd_pattern": ("格式须符合", "must match"),
    "dd_derived": ("自动计算", "computed"),
    "dd_formula": ("公式：{formula}", "formula: {formula}"),
    "dd_references": ("引用 → {target}", "references → {target}"),
    "dd_values_list": (
        "取自参考列表“{title}”（{name}，{n} 项）",
        "from the reference list {title} ({name}, {n} value{n!p})",
    ),
    "dd_in_month": ("须在本月内", "within the month"),
    "dd_default": ("留空视为“{value}”", "blank means {value}"),
    "dd_when": ("适用于：{when}", "applies when {when}"),
    "dd_agg_sum": ("合计", "sum"),
    "dd_agg_count": ("个数", "count"),
    "dd_agg_distinct": ("不重复个数", "distinct count"),
    "dd_agg_avg": ("平均值", "average"),
    "dd_agg_min": ("最小值", "minimum"),
    "dd_agg_max": ("最大值", "maximum"),
    "dd_how_agg": ("{target} 的{agg}", "{agg} of {target}"),
    "dd_how_rows": ("“{sheet}”的行数", "number of rows in {sheet}"),
    "dd_how_where": ("筛选：{where}", "where {where}"),
    "dd_how_by": ("按{column}分组", "by {column}"),
    "dd_how_period_day": ("按日", "per day"),
    "dd_how_period_week": ("按周", "per week"),
    "dd_check_how": ("{target} {op} {what}，按 {match} 对应", "{target} {op} {what}, matched on {match}"),
    "dd_tolerance": ("允许误差 {tolerance}", "within {tolerance}"),
    "dd_param_blank": ("留空，由经理填写", "blank, for the manager to fill in"),
    "dd_footer": (
        "由 ecomsheets docs 根据模板定义生成；请修改模板定义后重新生成，不要手工编辑",
        "Made by ecomsheets docs from the schema catalogue: change the schemas and regenerate, do not edit by hand",
    ),
    # --- end issue 14 docs ---
    "cli_not_a_number": ("“{value}”不是数字", "'{value}' is not a number"),
    "cli_not_a_whole_number": ("“{value}”不是整数", "'{value}' is not a whole number"),
    "cli_number_range": ("应在 {lo} 到 {hi} 之间，实际是 {value}", "must be between {lo} and {hi}, got {value}"),
    "cli_summarize_folder": (
        "summarize 只接受一个文件：{path} 是文件夹。多个文件或整个文件夹请用 consolidate",
        "summarize takes one file: {path} is a folder. For several files or a folder use consolidate",
    ),
    "cli_bad_folder": ("{path}：文件夹不存在", "{path}: folder not found"),
    # --- stopping by a signal (lifeline.guard) -----------------------------------------------
    "cli_interrupted": (
        "已中断（{signal}）：所有读取进程已停止，没有写出不完整的文件",
        "interrupted ({signal}): every reading process was stopped, no partial file was written",
    ),
    # --- column descriptions (input prompts, error alerts, instructions sheet) ----------------
    "desc_required": ("必填", "Required"),
    "desc_optional": ("选填", "Optional"),
    "desc_unique": ("不可重复", "must be unique"),
    "desc_between": ("{lo} 到 {hi} 之间", "between {lo} and {hi}"),
    "desc_at_least": ("不小于 {lo}", "at least {lo}"),
    "desc_at_most": ("不大于 {hi}", "at most {hi}"),
    "desc_values": ("可选：{values}", "one of: {values}"),
    "desc_references": ("须是“{sheet}”表中已有的{title}", "must match a value of {title} in sheet {sheet}"),
    "desc_formula": ("自动计算：{formula}，请勿手填", "computed: {formula}; do not type here"),
    "desc_in_month": ("须在 {start} 至 {end} 之间", "between {start} and {end}"),
    "desc_max_length": ("最多 {n} 个字", "at most {n} characters"),
    "desc_expect": ("请输入{what}", "Enter {what}"),
    "desc_derived_alert": (
        "这一列由公式自动计算，请不要手工填写。",
        "This column is computed by a formula; please do not type in it.",
    ),
    "desc_list_alert": ("请从下拉列表中选择。", "Please pick a value from the list."),
    "desc_unique_alert": (
        "这一列不能重复，这个值上面已经有了。",
        "This column must be unique and the value is already used above.",
    ),
    "type_string": ("文本", "text"),
    "type_text": ("文字", "text"),
    "type_integer": ("整数", "a whole number"),
    "type_decimal": ("数字", "a number"),
    "type_money": ("金额（元）", "an amount in CNY"),
    "type_percent": ("百分比（如 85%）", "a percentage (e.g. 85%)"),
    "type_date": ("日期（如 {day}）", "a date (e.g. {day})"),
    "type_datetime": ("日期时间（如 {day} 09:30）", "a date and time (e.g. {day} 09:30)"),
    "type_time": ("时间（如 09:05）", "a time (e.g. 09:05)"),
    "type_enum": ("下拉选项", "a value from the list"),
    "type_bool": ("是 或 否", "是 (yes) or 否 (no)"),
    "type_phone": ("11位手机号", "an 11-digit mobile number"),
    # --- generated workbook -------------------------------------------------------------------
    "wb_banner": (
        "{title}　{month}　　带 * 的列必填；灰色列自动计算，请勿手填",
        "{title}　{month}　　* = required; grey columns are computed, do not type in them",
    ),
    "wb_instructions_sheet": ("说明", "Instructions"),
    "wb_summary_title": ("{title} · 汇总　{month}", "{title} · Summary　{month}"),
    "wb_section_params": ("参数（可修改）", "Parameters (editable)"),
    "wb_section_counts": ("各表记录数与金额合计", "Records and totals per sheet"),
    "wb_section_metrics": ("关键指标", "Key figures"),
    "wb_records": ("{sheet} 记录数", "{sheet}: records"),
    "wb_column_total": ("{sheet} {column}合计", "{sheet}: total {column}"),
    "wb_signoff": ("{title}：________", "{title}: ________"),
    "wb_param_fill_in": ("← 请填写本部门的规定", "← fill in the department's own setting"),
    "wb_month_param": ("月份（当月 1 日）", "Month (its first day)"),
    "wb_col_item": ("项目", "Item"),
    "wb_col_value": ("数值", "Value"),
    "wb_col_note": ("说明", "Note"),
    "wb_group_by": ("按{column}分组（{sheet}）", "By {column} ({sheet})"),
    "wb_week_last": ("第{n}周（{start}日–月末）", "Week {n} (day {start} to month end)"),
    "wb_week": ("第{n}周（{start}–{end}日）", "Week {n} (days {start}–{end})"),
    # --- findings in submitted workbooks: one template per rule (f_<rule>) ------------------
    # The f_ prefix is kept for these: every f_<code> is a member of ecomsheets.rules.Rule and has
    # an r_rule_<code> label and an r_desc_<code> description (tests/test_rule_codes.py).
    "f_unreadable": ("无法读取这个文件：{detail}", "this file cannot be read: {detail_en}"),
    "f_meta_invalid": (
        "隐藏的 _meta 工作表内容不对（{detail}），已忽略，按工作表名称和表头识别",
        "the hidden _meta sheet is not as ecomsheets writes it ({detail}); it was ignored and the sheets were recognised by their names and headers",
    ),
    "f_our_summary": (
        "这是 ecomsheets 生成的月度汇总工作簿，不是交回的工作簿，已跳过",
        "this is a monthly summary workbook ecomsheets wrote, not a handed-in workbook; skipped",
    ),
    "f_lock_file": (
        "这是 Excel/WPS 打开文件时产生的临时锁文件（~$ 开头），不是真正的工作簿",
        "this is an Excel/WPS lock file (~$…), not a workbook",
    ),
    "f_empty_file": ("文件是空的（0 字节）", "the file is empty (0 bytes)"),
    "f_not_found": ("找不到文件", "file not found"),
    "f_encrypted": (
        "这个工作簿设置了密码：请去掉密码后重新提交",
        "this workbook is password-protected: remove the password and submit again",
    ),
    "f_old_xls": (
        "这是旧版 Excel 97-2003（.xls）文件：请在 Excel/WPS 中另存为 .xlsx 后再提交",
        "this is an old Excel 97-2003 (.xls) file: save it as .xlsx and submit again",
    ),
    "f_not_xlsx": (
        "这不是 Excel 工作簿（{kind}）：请提交 .xlsx 文件（CSV 等文件请用 Excel/WPS 打开后“另存为”Excel 工作簿 .xlsx）",
        "this is not an Excel workbook ({kind_en}): submit an .xlsx file (open a CSV or similar file in Excel/WPS and 'Save As' an Excel workbook, .xlsx)",
    ),
    "f_ods": (
        "这是 OpenDocument 电子表格（.ods，LibreOffice/WPS 的保存格式）：请在 LibreOffice 或 WPS 中“另存为”Excel 工作簿（.xlsx）后再提交",
        "this is an OpenDocument spreadsheet (.ods, as LibreOffice/WPS save it): use 'Save As' Excel workbook (.xlsx) in LibreOffice or WPS and submit again",
    ),
    "f_wps_et": (
        "这是 WPS 表格格式（.et）：请在 WPS 中“另存为”Excel 工作簿（.xlsx）后再提交",
        "this is a WPS spreadsheet (.et): use 'Save As' Excel workbook (.xlsx) in WPS and submit again",
    ),
    "f_numbers": (
        "这是苹果 Numbers 表格（.numbers）：请在 Numbers 中“导出为 Excel”（.xlsx）后再提交",
        "this is an Apple Numbers file (.numbers): use 'Export To Excel' (.xlsx) in Numbers and submit again",
    ),
    "f_corrupt": (
        "文件已损坏，无法打开：请重新保存或重新导出后提交",
        "the file is damaged and cannot be opened: save or export it again",
    ),
    "f_zip_bomb": (
        "文件解压后过大或压缩比异常（{detail}），为安全起见拒绝读取",
        "the file expands to an unsafe size or ratio ({detail}); refused for safety",
    ),
    "f_too_large": ("文件过大（{detail}），超过上限", "the file is too large ({detail})"),
    "x_extent_rows": (
        "，超过上限 {limit:,} 行（确有这么多行时，可用 --max-rows 调高上限）",
        ", over the limit of {limit:,} rows (if it really has that many, raise it with --max-rows)",
    ),
    "x_extent_columns": ("，超过上限 {limit:,} 列", ", over the limit of {limit:,} columns"),
    "x_extent_cells": (
        "，读入要占 {cells:,} 个单元格，超过上限 {limit:,} 个（表格远处可能有误填的内容，删去后再交）",
        ", which would take {cells:,} cells to read, over the limit of {limit:,} (there may be "
        "stray content far from the table: delete it and hand the file in again)",
    ),
    "f_dimension": (
        "工作表“{sheet}”的使用范围过大（{detail}）{hint}",
        "sheet '{sheet}' uses too large a range ({detail}){hint_en}",
    ),
    "f_xml_entities": (
        "文件中含有不安全的 XML 声明（DOCTYPE/实体），为安全起见拒绝读取",
        "the file contains unsafe XML declarations (DOCTYPE/entities); refused for safety",
    ),
    "f_parser_crashed": (
        "读取这个文件时解析程序异常退出（文件可能已损坏或被恶意构造），已拒绝",
        "the parser stopped abnormally on this file (damaged or crafted); refused",
    ),
    "f_parser_timeout": (
        "读取这个文件超过 {seconds} 秒仍未完成，已停止",
        "reading this file took longer than {seconds} s and was stopped",
    ),
    "f_parser_memory": (
        "读取这个文件需要的内存超过上限（{limit}），已停止",
        "reading this file needed more memory than the limit ({limit}) and was stopped",
    ),
    "f_macros": (
        "文件含有宏（.xlsm）：宏不会被运行，也不会带进任何输出文件",
        "the file contains macros (.xlsm): they are never run and never copied into any output",
    ),
    "f_hidden_sheet": (
        "工作表“{sheet}”是隐藏的，但里面有数据（已一并检查）",
        "sheet '{sheet}' is hidden but holds data (it was checked too)",
    ),
    "f_hidden_rows": (
        "有 {n} 行被隐藏但有数据（已一并检查）：第 {rows} 行",
        "{n} hidden rows hold data (they were checked too): rows {rows}",
    ),
    "f_hidden_columns": (
        "列“{header}”被隐藏但有数据（已一并检查）",
        "column '{header}' is hidden but holds data (it was checked too)",
    ),
    "f_external_links": (
        "文件链接了其他工作簿（外部链接），链接的数据不会被读取",
        "the file links to other workbooks (external links); linked data is not read",
    ),
    "f_formula_no_value": (
        "{header}：这一格是公式 {value}，但文件里没有保存它的计算结果（请在 Excel/WPS 中打开、保存后再提交）",
        "{header}: this cell holds the formula {value} but the file has no saved result (open and save it in Excel/WPS, then submit again)",
    ),
    "f_external_formula": (
        "{header}：公式 {value} 引用了其他工作簿，已按缓存的结果读取",
        "{header}: the formula {value} refers to another workbook; its cached result was used",
    ),
    "f_internal_error": (
        "ecomsheets 处理这个文件时出了内部错误（不是文件的问题），请把此信息发给维护人员：{detail}",
        "ecomsheets hit an internal error on this file (not the file's fault); please report: {detail}",
    ),
    "f_precision_lost": (
        '{header} "{value}"：这是超过 15 位的数字，Excel 只保留 15 位，末尾几位已经丢失；请把这一列设为文本格式后重新导出或填写',
        '{header} "{value}": a number of more than 15 digits; Excel keeps only 15, so its last digits are lost. Set the column to text and export or type it again',
    ),
    "f_month_unknown": (
        "没有指定月份，未检查日期是否都在本月内（可用 --month 2026-11 指定）",
        "no month given, so dates were not checked against a month (use --month 2026-11)",
    ),
    "f_no_tables": (
        "没有找到任何可识别的表格，未作检查：应有的工作表是 {expected}，文件里找到的是 {found}。请使用下发的模板并保留原表头（若是由 CSV 转来的文件，表头乱码说明转换时选错了字符编码）",
        "no table could be recognised, so nothing was checked: expected sheets {expected_en}; found {found_en}. Use the template handed out and keep its headers (garbled headers in a file converted from CSV mean the wrong character set was chosen)",
    ),
    "f_no_data": (
        "工作簿里没有任何数据行（{sheets} 都是空的）：这像是未填写的空白模板，请填好后再提交",
        "the workbook holds no data rows ({sheets_en} are all empty): it looks like a blank template; fill it in and submit again",
    ),
    "f_sheet_missing": ("缺少工作表“{sheet}”（{title}）", "sheet '{sheet}' ({title_en}) is missing"),
    "f_sheet_unknown": ("无法识别的工作表“{sheet}”，已跳过", "sheet '{sheet}' was not recognised and was skipped"),
    "f_header_not_found": (
        "工作表“{sheet}”中找不到表头，应包含：{expected}",
        "no header row found in sheet '{sheet}'; expected: {expected_en}",
    ),
    "f_column_missing": ("缺少列“{header}”", "column '{header}' is missing"),
    "f_column_unknown": ("无法识别的列“{header}”，已忽略", "column '{header}' was not recognised and was ignored"),
    "f_column_duplicate": (
        "列“{header}”出现了不止一次，只读取第一列",
        "column '{header}' appears more than once; only the first is read",
    ),
    "f_type": ('{header} "{value}"：不是有效的{type_zh}', '{header} "{value}": expected {type_en}'),
    "f_ambiguous_date": (
        '{header} "{value}"：这个日期有两种读法（{first} 或 {second}），请写成 2026-11-03 这样的年-月-日',
        '{header} "{value}": this date reads two ways ({first} or {second}); write it as year-month-day, like 2026-11-03',
    ),
    "f_merged_cells": (
        "{header}：{range} 是合并单元格，其中的值“{value}”已用于它覆盖的第 {first}–{last} 行（建议取消合并，在每一行都填上）",
        '{header}: {range} is a merged cell; its value "{value}" was used for each row it covers, rows {first}–{last} (better unmerge it and fill in every row)',
    ),
    "f_normalized": (
        '{header} "{value}"：已按“{normalized}”读取（{why_zh}）',
        '{header} "{value}": read as "{normalized}" ({why_en})',
    ),
    "f_required": ("{header}：必填，不能为空", "{header}: required, must not be blank"),
    "f_unique": (
        '{header} "{value}"：与第 {other_row} 行重复，这一列不能重复',
        '{header} "{value}": same as row {other_row}; this column must be unique',
    ),
    "f_primary_key": (
        '{header} "{value}"：{key_zh} 的组合与第 {other_row} 行重复',
        '{header} "{value}": the combination {key_en} repeats row {other_row}',
    ),
    "f_min": ('{header} "{value}"：必须 ≥ {limit}', '{header} "{value}": must be ≥ {limit}'),
    "f_max": ('{header} "{value}"：必须 ≤ {limit}', '{header} "{value}": must be ≤ {limit}'),
    "f_enum": (
        '{header} "{value}"：不是可选的值（{allowed}）',
        '{header} "{value}": not one of the allowed values ({allowed})',
    ),
    "f_pattern": ('{header} "{value}"：格式不对{hint_zh}', '{header} "{value}": wrong format{hint_en}'),
    "f_max_length": ('{header} "{value}"：超过 {limit} 个字', '{header} "{value}": longer than {limit} characters'),
    "f_reference": (
        '{header} "{value}"：在“{target_sheet}”表的“{target_header}”中找不到',
        "{header} \"{value}\": not found in {target_header_en} of sheet '{target_sheet_en}'",
    ),
    "f_row_rule": ('{header} "{value}"：{rule_zh}', '{header} "{value}": {rule_en}'),
    "f_derived_mismatch": (
        '{header} "{value}"：与公式计算结果 {shown} 不一致（{formula_zh}）',
        '{header} "{value}": the formula gives {shown} ({formula_en})',
    ),
    "f_wrong_month": (
        "{share}日期都在 {other}（{n}/{dated} 个），不在 {month}：月份是否选错了？请换成 {month} 的文件（如果这本来就是 {other} 的表，请按 {other} 检查）",
        "{share_en} dates are in {other} ({n} of {dated}), not in {month}: was the wrong month given? Hand in the file for {month} (if this is the file for {other}, check it as {other})",
    ),
    "f_out_of_month": ('{header} "{value}"：不在本月（{month}）内', '{header} "{value}": outside the month {month}'),
    "f_reconcile": ('{header} "{value}"：{check_zh}{detail}', '{header} "{value}": {check_en}{detail_en}'),
    "reconcile_equal": ("，按明细应为 {shown}", "; the detail rows give {shown}"),
    "reconcile_bound": ("（对应的明细为 {shown}）", " (the related rows give {shown})"),
    "f_totals": (
        "{check_zh}：{left_title} {left} 与 {right_title} {right} 相差 {diff}（允许相差 {tolerance}）",
        "{check_en}: {left_title_en} {left} and {right_title_en} {right} differ by {diff} (allowed: {tolerance})",
    ),
    "f_parameter_unset": (
        "汇总表中的“{param}”还没有填写，用到它的检查这次没有做",
        "'{param_en}' is not filled in on the summary sheet; the checks that use it were not made",
    ),
    "f_summary_mismatch": (
        '{header} "{value}"：按明细重新计算应为 {shown}',
        '{header} "{value}": recomputed from the rows it is {shown}',
    ),
    "f_formula_in_data": (
        "{header}：这一格是公式 {value}，已按其计算结果读取",
        "{header}: this cell holds the formula {value}; its result was used",
    ),
    "f_conflict": (
        "{table_title} {key} 同时出现在 {files} 中且内容不同，各文件的这些行均未计入（请确认它属于哪个文件）：{places}",
        "{table_title_en} {key} appears in {files_en} with different contents; those rows were taken from none of them (decide which file it belongs to): {places_en}",
    ),
    "f_duplicate_rows": (
        "{table_title}：{n} 行在几个文件中完全相同，只计一次（{files}）",
        "{table_title_en}: {n} row{n!p} {n!w} identical in several files and counted once ({files_en})",
    ),
    "f_left_out_month": (
        "{table_title}：{n} 行不在 {month} 内，未计入",
        "{table_title_en}: {n} row{n!p} outside {month} {n!w} left out",
    ),
    "f_left_out_file": (
        "文件有 {errors} 个错误，整份未计入（第一个：{first}）；改正后重新提交即可计入",
        "the file has {errors} error{errors!p} and was left out (the first: {first_en}); correct it and submit again to have it counted",
    ),
    "f_left_out_copy": (
        "与 {original} 是同一个文件（内容完全相同），只计一次",
        "the same file as {original} (identical contents); counted once",
    ),
    "f_left_out_other_month": (
        "这个文件是 {its_month} 的，不是 {month} 的，整份未计入（请确认是否交错了文件）",
        "this file is for {its_month}, not {month}; none of it was taken (check that the right file was handed in)",
    ),
    "f_left_out_rows": (
        "{table_title}：{n} 行有错误，未计入",
        "{table_title_en}: {n} row{n!p} with errors {n!w} left out",
    ),
    "f_left_out_unreadable": (
        "文件无法读取，未计入：{reason}",
        "the file could not be read and was left out: {reason_en}",
    ),
    # --- issue 10, items 6-7: template growth, formula error values (add entries below) ----
    "f_formula_error": (
        "{header}：这一格的公式算出了错误值 {value}{cause_zh}。用到这一格的合计也会跟着出错，请改正后再提交",
        "{header}: this cell's formula gives the error {value}{cause_en}. Totals that use this cell go wrong too; correct it and submit again",
    ),
    "f_error_value": (
        "{header}：这一格是错误值 {value}，不是有效的数据，请改正",
        "{header}: this cell holds the error value {value}, not valid data; please correct it",
    ),
    # Wordings of formula_error and summary_mismatch findings in the summary sheet (not rules of their own).
    "summary_error_text": (
        "{header}：汇总公式算出了错误值 {value}，{cause_zh}",
        "{header}: the summary formula gives the error {value}: {cause_en}",
    ),
    "summary_result_text": (
        "{header}：表格里显示 {value}，按明细重新计算应为 {shown}。{cause_zh}",
        "{header}: the workbook shows {value}; recomputed from the rows it is {shown}. {cause_en}",
    ),
    "cause_range_ends": (
        "汇总公式只算到“{sheet}”表第 {end} 行，下面还有 {n} 行没有算进去：请把公式的范围改到表格末尾（或改用新版模板）",
        "the summary formula stops at row {end} of sheet '{sheet}', and the {n} rows below are not counted: extend its range to the end of the table (or use a new template)",
    ),
    "cause_no_formula_below": (
        "“{sheet}”表第 {first} 行起的 {n} 行“{column}”没有公式（模板的公式只预设到第 {last} 行）：请把“{column}”的公式向下填充到最后一行",
        "the {n} rows of sheet '{sheet}' from row {first} have no formula in '{column_en}' (the template's formulas end at row {last}): fill the formula down to the last row",
    ),
    "cause_no_formula": (
        "“{sheet}”表有 {n} 格“{column}”是空的，没有公式（第 {rows} 行）：请把公式填回去",
        "{n} cells of '{column_en}' in sheet '{sheet}' are blank, without their formula (rows {rows}): put the formula back",
    ),
    "cause_text_numbers": (
        "“{sheet}”表有 {n} 格“{column}”是文字形式的数字（如 {cell}“{text}”），表格的公式不把它们算进去：请改成数字",
        "{n} cells of '{column_en}' in sheet '{sheet}' hold numbers as text (e.g. {cell} \"{text}\"), which the workbook's formulas leave out: make them numbers",
    ),
    "cause_typed_over": (
        "“{sheet}”表有 {n} 格“{column}”的公式被手填的数字替换了（见这些格的错误）",
        "{n} cells of '{column_en}' in sheet '{sheet}' had their formula replaced by a typed number (see those cells' errors)",
    ),
    "cause_total_rows": (
        "“{sheet}”表第 {rows} 行的合计行被公式算了进去：删除合计行即可",
        "the total row(s) at row {rows} of sheet '{sheet}' are counted by the formula: delete them",
    ),
    "cause_merged": (
        "“{sheet}”表有 {n} 处合并单元格（{cells}），表格的公式只算合并区域的第一格：请取消合并，在每一行都填上",
        "sheet '{sheet}' has {n} merged cell(s) ({cells}); the sheet's formulas count only the first cell of each: unmerge them and fill in every row",
    ),
    "cause_other_spelling": (
        "“{sheet}”表有 {n} 格“{column}”的写法与下拉选项不同（如 {cell}“{text}”，已按“{value}”读取），表格的公式只按选项统计：请改成下拉选项中的写法",
        "{n} '{column_en}' cell(s) of sheet '{sheet}' are written unlike the list's values (e.g. {cell} \"{text}\", read as \"{value}\"); the sheet's formulas count only the list's values: pick the value from the list",
    ),
    "cause_unknown": (
        "可能是公式被改动过，或文件保存前没有重新计算：请在 Excel/WPS 中打开，按 F9 重新计算、保存后再提交",
        "the formula may have been changed, or the file was saved without recalculating: open it in Excel/WPS, recalculate (F9), save and submit again",
    ),
    "cause_error_cells": (
        "原因是“{sheet}”表中 {cells} 显示错误值（原因见该表这几行的说明）",
        "{cells} in sheet '{sheet}' show error values (see the findings in those rows)",
    ),
    "cause_error_ref": (
        "公式引用的工作表或单元格已被删除，请改正公式",
        "a sheet or cell the formula refers to was deleted; correct the formula",
    ),
    "cause_error_name": (
        "公式里有这个软件不认识的函数或名称，请改正公式",
        "the formula uses a function or name the program does not know; correct the formula",
    ),
    "cause_error_div0": ("公式中出现了除以零", "the formula divides by zero"),
    "cause_error_other": ("请检查这个公式和它用到的单元格", "check the formula and the cells it uses"),
    # --- end items 6-7 ---
    # --- issue 10, items 4-5: total rows, derived columns supplied without inputs (add below) ----
    "f_total_row": (
        "第 {row} 行是合计行（{value}），已跳过：不当作一条记录检查，也不计入任何汇总数字（汇总按明细重新计算）",
        "row {row} is a total row ({value}); it was skipped: not checked as a record and not counted in any summary figure (figures are recomputed from the detail rows)",
    ),
    "f_derived_given": (
        "{header}：表中没有 {missing_zh} 列，无法按公式重新计算和核对，已直接采用表中填写的数值",
        "{header}: the sheet lacks the columns it is computed from ({missing_en}), so it cannot be recomputed or checked; the values in the sheet were used as given",
    ),
    # --- end items 4-5 ---
    "s_title": ("{title} · 月度汇总　{month}", "{title} · monthly summary　{month}"),
    "s_overview": ("概览", "Overview"),
    "s_sources": ("来源", "Sources"),
    "s_findings": ("问题", "Findings"),
    "s_kpis": ("关键指标", "Key figures"),
    "s_inputs": (
        "共 {files} 个文件，计入 {taken} 个；明细 {rows} 行",
        "{files} file{files!p}, {taken} taken; {rows} detail row{rows!p}",
    ),
    "s_left_out": ("未计入：{text}", "Left out: {text}"),
    "s_reason_file_errors": ("有错误的文件 {n} 行", "{n} row{n!p} of files with errors"),
    "s_reason_row_errors": ("有错误的行 {n} 行", "{n} row{n!p} with errors"),
    "s_reason_out_of_month": ("不在本月 {n} 行", "{n} row{n!p} outside the month"),
    "s_reason_conflicts": ("主键冲突 {n} 行", "{n} row{n!p} with conflicting keys"),
    "s_reason_duplicates": ("重复行（只计一次）{n} 行", "{n} duplicate row{n!p} (counted once)"),
    "s_reason_copies": ("重复提交的文件 {n} 行", "{n} row{n!p} of files handed in twice"),
    "s_reason_other_month": ("其他月份的文件 {n} 行", "{n} row{n!p} of files for another month"),
    "s_rows_not_written": (
        "{table}只写入了前面的行，另有 {n} 行未写入明细表（指标已全部计入）",
        "{table}: {n} more row{n!p} {n!w} not copied into the data sheet (all are in the figures)",
    ),
    "s_chart_top": ("{title}（前 {n} 名）", "{title} (top {n})"),
    "s_col_metric": ("指标", "Metric"),
    "s_col_value": ("数值", "Value"),
    "s_col_file": ("文件", "File"),
    "s_col_sha": ("SHA-256", "SHA-256"),
    "s_col_read": ("读取行数", "Rows read"),
    "s_col_taken": ("计入行数", "Rows taken"),
    "s_col_errors": ("错误", "Errors"),
    "s_col_warnings": ("提醒", "Warnings"),
    "s_col_status": ("状态", "Status"),
    "s_status_taken": ("已计入", "taken"),
    "s_status_partly": ("部分计入", "partly taken"),
    "s_status_left_out": ("未计入", "left out"),
    "s_status_unreadable": ("无法读取", "unreadable"),
    "s_status_copy": ("重复文件", "duplicate file"),
    "s_status_other_month": ("其他月份", "another month"),
    "s_col_level": ("级别", "Level"),
    "s_col_where": ("位置", "Where"),
    "s_col_message": ("问题", "Problem"),
    "s_lineage_file": ("来源文件", "Source file"),
    "s_lineage_sheet": ("来源工作表", "Source sheet"),
    "s_lineage_row": ("来源行", "Source row"),
    "s_metric_sheet": ("按{column}{period}·{sheet}", "{sheet} by {column}{period}"),
    "why_fullwidth": ("全角字符", "full-width characters"),
    "why_spaces": ("多余空格", "extra spaces"),
    "why_currency": ("货币符号或千分位", "currency sign or thousands separator"),
    "why_percent": ("百分号", "percent sign"),
    "why_date_text": ("文字形式的日期", "date typed as text"),
    "why_serial": ("Excel 日期序号", "Excel date serial"),
    "why_time_text": ("文字形式的时间", "time typed as text"),
    "why_bool": ("是/否的其他写法", "another spelling of yes/no"),
    "why_phone": ("去掉了 +86、空格或符号", "removed +86, spaces or symbols"),
    "why_number_text": ("数字以文字形式保存", "number stored as text"),
    "why_alias": ("常见的其他写法", "another common spelling"),
    "why_address": ("取了地址开头的地区", "took the region at the start of the address"),
    "why_prefix": ("去掉了导出时加的前缀", "removed an export prefix"),
    "why_integer": ("整数", "whole number"),
    "why_day_first": ("日/月/年 的写法", "written day/month/year"),
    "why_month_first": ("月/日/年 的写法", "written month/day/year"),
    # --- reports: HTML report and annotated workbook (r_*) ------------------------------------
    "r_title": ("数据校验报告", "Validation report"),
    "r_generated": ("生成时间：{time}", "Generated: {time}"),
    "r_overview": (
        "共 {files} 个文件：{valid} 个通过，{invalid} 个未通过",
        "{files} file{files!p}: {valid} passed, {invalid} did not pass",
    ),
    "r_file": ("文件", "File"),
    "r_result": ("结果", "Result"),
    "r_bundle": ("模板：{bundle}", "Template: {bundle}"),
    "r_bundle_unknown": ("未识别", "not recognised"),
    "r_valid": ("通过", "Passed"),
    "r_invalid": ("未通过", "Not passed"),
    "r_unreadable": ("无法读取", "Unreadable"),
    "r_errors": ("错误", "Errors"),
    "r_warnings": ("提醒", "Warnings"),
    "r_rows": ("已检查行数", "Rows checked"),
    "r_sheets": ("已检查工作表", "Sheets checked"),
    "r_sev_error": ("错误", "Error"),
    "r_sev_warning": ("提醒", "Warning"),
    "r_col_where": ("位置", "Location"),
    "r_col_sheet": ("工作表", "Sheet"),
    "r_col_cell": ("单元格", "Cell"),
    "r_col_severity": ("级别", "Severity"),
    "r_col_rule": ("规则", "Rule"),
    "r_col_column": ("列", "Column"),
    "r_col_value": ("值", "Value"),
    "r_col_problem": ("问题", "Problem"),
    "r_col_expected": ("应为", "Expected"),
    "r_whole_file": ("整个文件", "Whole file"),
    "r_sheet_heading": ("工作表：{sheet}", "Sheet: {sheet}"),
    "r_group_counts": (
        "{errors} 个错误，{warnings} 个提醒",
        "{errors} error{errors!p}, {warnings} warning{warnings!p}",
    ),
    "r_blank": ("（空）", "(blank)"),
    "r_no_findings": ("未发现任何问题，可以直接使用。", "No problems found; the file can be used as it is."),
    "r_unreadable_intro": (
        "这个文件无法读取，因此没有检查其中的内容：",
        "This file could not be read, so nothing in it was checked:",
    ),
    "r_truncated": (
        "另有 {count} 条同类问题未逐条列出（已计入上面的数量）：",
        "{count} more finding{count!p} of the same kinds {count!w} not listed (they are included in the counts above):",
    ),
    "r_truncated_item": (
        "{severity} · {rule} · {sheet} · {column}：{count} 条",
        "{severity} · {rule} · {sheet} · {column}: {count}",
    ),
    "r_truncated_item_sheet": ("{severity} · {rule} · {sheet}：{count} 条", "{severity} · {rule} · {sheet}: {count}"),
    "r_legend_error": ("错误：必须改正后重新提交", "Error: must be corrected before resubmitting"),
    "r_legend_warning": ("提醒：请核对，不影响通过", "Warning: please check; does not block passing"),
    "r_footer": ("本报告由 ecomsheets 自动生成。", "This report was generated by ecomsheets."),
    "r_value_cut": ("……（共 {n} 个字，已截断）", "… ({n} characters, cut)"),
    "r_validation_sheet": ("校验结果", "Validation"),
    "r_sheet_title": ("数据校验结果", "Validation results"),
    "r_sheet_file": ("文件：{file}", "File: {file}"),
    "r_sheet_hint": (
        "红色单元格为错误，黄色为提醒；鼠标移到单元格上可查看批注，点击“位置”可跳转到对应单元格。",
        "Red cells are errors and yellow cells are warnings; hover over a cell to read its note, click a location to jump to it.",
    ),
    "r_comment_cut": (
        "……（内容过长，其余省略，完整内容见“{sheet}”工作表）",
        "… (too long; see the '{sheet}' sheet for everything)",
    ),
    "r_comment_previous": ("—— 原有批注（{author}）——", "— original note ({author}) —"),
    "r_cannot_annotate": (
        "无法为这个文件生成标注副本：{detail}",
        "cannot make an annotated copy of this file: {detail}",
    ),
    "r_source_changed": (
        "文件在校验之后被修改过，请重新校验后再生成标注副本：{path}",
        "the file changed after it was validated; validate it again before annotating: {path}",
    ),
    "r_rule_unreadable": ("无法读取", "unreadable"),
    "r_rule_meta_invalid": ("元数据不对", "bad metadata"),
    "r_rule_our_summary": ("月度汇总（已跳过）", "monthly summary (skipped)"),
    "s_status_skipped": ("已跳过", "skipped"),
    "r_rule_lock_file": ("临时锁文件", "lock file"),
    "r_rule_empty_file": ("空文件", "empty file"),
    "r_rule_not_found": ("找不到文件", "file not found"),
    "r_rule_encrypted": ("设置了密码", "password-protected"),
    "r_rule_old_xls": ("旧版 .xls 文件", "old .xls file"),
    "r_rule_not_xlsx": ("不是 Excel 工作簿", "not an Excel workbook"),
    "r_rule_ods": ("OpenDocument 表格", "OpenDocument spreadsheet"),
    "r_rule_wps_et": ("WPS 表格格式", "WPS spreadsheet"),
    "r_rule_numbers": ("Numbers 表格", "Apple Numbers file"),
    "r_rule_corrupt": ("文件损坏", "damaged file"),
    "r_rule_zip_bomb": ("压缩异常", "unsafe compression"),
    "r_rule_too_large": ("文件过大", "file too large"),
    "r_rule_dimension": ("使用范围过大", "range too large"),
    "r_rule_xml_entities": ("不安全的内容", "unsafe content"),
    "r_rule_no_tables": ("没有可识别的工作表", "no recognised sheet"),
    "r_rule_no_data": ("没有数据", "no data"),
    "r_rule_sheet_missing": ("缺少工作表", "missing sheet"),
    "r_rule_sheet_unknown": ("未识别的工作表", "unknown sheet"),
    "r_rule_header_not_found": ("找不到表头", "header not found"),
    "r_rule_column_missing": ("缺少列", "missing column"),
    "r_rule_column_unknown": ("未识别的列", "unknown column"),
    "r_rule_column_duplicate": ("重复的列", "duplicate column"),
    "r_rule_type": ("格式不对", "wrong type"),
    "r_rule_ambiguous_date": ("日期有歧义", "ambiguous date"),
    "r_rule_merged_cells": ("合并单元格", "merged cells"),
    "r_rule_normalized": ("已自动修正", "normalised"),
    "r_rule_required": ("必填未填", "required"),
    "r_rule_unique": ("重复值", "duplicate value"),
    "r_rule_primary_key": ("主键重复", "duplicate key"),
    "r_rule_min": ("低于下限", "below minimum"),
    "r_rule_max": ("超过上限", "above maximum"),
    "r_rule_enum": ("不是可选值", "not an allowed value"),
    "r_rule_pattern": ("格式不符", "wrong format"),
    "r_rule_max_length": ("内容过长", "too long"),
    "r_rule_reference": ("找不到对应记录", "unknown reference"),
    "r_rule_row_rule": ("行规则", "row rule"),
    "r_rule_derived_mismatch": ("与公式结果不一致", "formula mismatch"),
    "r_rule_wrong_month": ("月份不符", "wrong month"),
    "r_rule_out_of_month": ("不在本月", "outside the month"),
    "r_rule_reconcile": ("对账不一致", "does not reconcile"),
    "r_rule_totals": ("合计对不上", "totals disagree"),
    "r_rule_parameter_unset": ("规定未填写", "setting not filled in"),
    "r_rule_summary_mismatch": ("汇总不一致", "summary mismatch"),
    "r_rule_formula_in_data": ("数据中含公式", "formula in data"),
    "r_rule_conflict": ("多个文件内容冲突", "conflict between files"),
    "r_rule_duplicate_rows": ("多个文件重复的行", "rows repeated across files"),
    "r_rule_external_formula": ("引用其他工作簿的公式", "formula linking another workbook"),
    "r_rule_external_links": ("外部链接", "external links"),
    "r_rule_formula_no_value": ("公式没有保存结果", "formula without a saved result"),
    "r_rule_hidden_columns": ("隐藏的列", "hidden column"),
    "r_rule_hidden_rows": ("隐藏的行", "hidden rows"),
    "r_rule_hidden_sheet": ("隐藏的工作表", "hidden sheet"),
    "r_rule_internal_error": ("内部错误", "internal error"),
    "r_rule_left_out_copy": ("重复提交的文件", "file handed in twice"),
    "r_rule_left_out_file": ("整份未计入", "file left out"),
    "r_rule_left_out_month": ("不在本月的行未计入", "rows outside the month left out"),
    "r_rule_left_out_other_month": ("其他月份的文件", "file for another month"),
    "r_rule_left_out_rows": ("有错误的行未计入", "rows with errors left out"),
    "r_rule_left_out_unreadable": ("无法读取的文件", "unreadable file"),
    "r_rule_macros": ("含有宏", "macros"),
    "r_rule_month_unknown": ("未指定月份", "month not given"),
    "r_rule_parser_crashed": ("读取时异常退出", "reader crashed"),
    "r_rule_parser_memory": ("读取时内存超限", "reading needed too much memory"),
    "r_rule_parser_timeout": ("读取超时", "reading took too long"),
    "r_rule_precision_lost": ("长数字丢失精度", "long number lost digits"),
    # r_rule_ labels for issue 10 items 6-7 (add below)
    "r_rule_formula_error": ("公式出错", "formula error"),
    "r_rule_error_value": ("错误值", "error value"),
    # r_rule_ labels for issue 10 items 4-5 (add below)
    "r_rule_total_row": ("合计行（已跳过）", "total row (skipped)"),
    "r_rule_derived_given": ("按表中数值采用（无法核对）", "taken as given (not checkable)"),
    # --- one line per rule on what it finds (r_desc_<rule>; docs/rules.md is made from them) ----
    "r_desc_not_found": (
        "给出的文件不存在（路径写错了，或文件已被移走）。",
        "The file given does not exist (a mistyped path, or the file was moved).",
    ),
    "r_desc_empty_file": (
        "文件是 0 字节，里面什么都没有，通常是保存或传送时出了问题。",
        "The file is 0 bytes long, with nothing in it; usually a save or a transfer went wrong.",
    ),
    "r_desc_lock_file": (
        "Excel/WPS 打开工作簿时自动生成的临时文件（~$ 开头），不是交回的工作簿。",
        "A temporary file Excel/WPS makes while a workbook is open (~$…), not a handed-in workbook.",
    ),
    "r_desc_too_large": ("文件超过了允许的大小，没有读取。", "The file is larger than allowed and was not read."),
    "r_desc_encrypted": (
        "工作簿设置了打开密码，无法检查；去掉密码后重新提交。",
        "The workbook has a password, so it cannot be checked; remove the password and hand it in again.",
    ),
    "r_desc_old_xls": (
        "旧版 Excel 97-2003（.xls）文件；在 Excel/WPS 中另存为 .xlsx 后重新提交。",
        "An old Excel 97-2003 file (.xls); save it as .xlsx in Excel/WPS and hand it in again.",
    ),
    "r_desc_wps_et": (
        "WPS 自己的表格格式（.et）；在 WPS 中另存为 .xlsx 后重新提交。",
        "WPS's own spreadsheet format (.et); save it as .xlsx in WPS and hand it in again.",
    ),
    "r_desc_ods": (
        "OpenDocument 表格（.ods）；在 LibreOffice 或 WPS 中另存为 .xlsx 后重新提交。",
        "An OpenDocument spreadsheet (.ods); save it as .xlsx in LibreOffice or WPS and hand it in again.",
    ),
    "r_desc_numbers": (
        "苹果 Numbers 表格；在 Numbers 中导出为 Excel（.xlsx）后重新提交。",
        "An Apple Numbers file; export it to Excel (.xlsx) and hand it in again.",
    ),
    "r_desc_not_xlsx": (
        "文件不是 Excel 工作簿（例如改了扩展名的 CSV、网页、PDF 或 Word 文档）。",
        "The file is not an Excel workbook (e.g. a CSV, web page, PDF or Word document renamed .xlsx).",
    ),
    "r_desc_corrupt": (
        "文件已损坏，打不开；重新保存或重新导出后提交。",
        "The file is damaged and cannot be opened; save or export it again.",
    ),
    "r_desc_zip_bomb": (
        "文件解压后大得异常，为安全起见没有读取。",
        "The file unpacks to an abnormal size and was refused for safety.",
    ),
    "r_desc_xml_entities": (
        "文件里有可能拖垮电脑的不安全内容，为安全起见没有读取。",
        "The file holds unsafe declarations that could overload the computer; refused for safety.",
    ),
    "r_desc_dimension": (
        "某个工作表用到的行数或列数超过上限，常见原因是表格远处误填了内容。",
        "A sheet uses more rows or columns than allowed, often because of stray content far from the table.",
    ),
    "r_desc_parser_crashed": (
        "读取文件的程序中途异常退出，文件可能已损坏或被故意做坏。",
        "The reading program stopped abnormally on the file, which may be damaged or crafted.",
    ),
    "r_desc_parser_timeout": (
        "读取文件超过了时间上限，已停止。",
        "Reading the file took longer than the time limit and was stopped.",
    ),
    "r_desc_parser_memory": (
        "读取文件需要的内存超过了上限，已停止。",
        "Reading the file needed more memory than the limit and was stopped.",
    ),
    "r_desc_unreadable": (
        "文件因其他原因无法读取，问题说明里写有具体原因。",
        "The file cannot be read for another reason, given in the message.",
    ),
    "r_desc_internal_error": (
        "ecomsheets 自己出了错（不是文件的问题），请把问题说明发给维护人员。",
        "ecomsheets itself went wrong (not the file's fault); send the message to its maintainers.",
    ),
    "r_desc_our_summary": (
        "文件是 ecomsheets 生成的月度汇总，不是交回的工作簿，已跳过。",
        "The file is a monthly summary ecomsheets wrote, not a handed-in workbook; skipped.",
    ),
    "r_desc_meta_invalid": (
        "模板里隐藏的 _meta 工作表被改动过，已忽略，改按工作表名称和表头识别。",
        "The template's hidden _meta sheet was changed; it was ignored and the sheets were recognised by their names and headers.",
    ),
    "r_desc_macros": (
        "文件含有宏；宏不会运行，也不会带进任何输出文件。",
        "The file contains macros; they are never run and never copied into any output.",
    ),
    "r_desc_external_links": (
        "文件链接了其他工作簿，链接来的数据不会读取。",
        "The file links to other workbooks; the linked data is not read.",
    ),
    "r_desc_no_tables": (
        "文件里没有一个工作表能对上模板（名称和表头都不对），没有检查。",
        "No sheet in the file matches a table of the template (names and headers), so nothing was checked.",
    ),
    "r_desc_no_data": (
        "所有表都没有数据行，像是交回了未填写的空白模板。",
        "No table has a data row: it looks like a blank template handed back.",
    ),
    "r_desc_month_unknown": (
        "没有指定月份，所以没有检查日期是否都在本月内。",
        "No month was given, so dates were not checked against a month.",
    ),
    "r_desc_wrong_month": (
        "几乎所有日期都在另一个月，可能交错了文件，或月份选错了。",
        "Nearly all dates are in another month: the wrong file, or the wrong month given.",
    ),
    "r_desc_sheet_missing": (
        "工作簿里缺少模板应有的某个工作表。",
        "A sheet the template has is missing from the workbook.",
    ),
    "r_desc_sheet_unknown": (
        "有一个工作表对不上模板里的任何表，已跳过。",
        "A sheet matches no table of the template and was skipped.",
    ),
    "r_desc_hidden_sheet": ("隐藏的工作表里有数据，已一并检查。", "A hidden sheet holds data; it was checked too."),
    "r_desc_header_not_found": (
        "工作表里找不到表头行，因此读不了其中的数据。",
        "No header row was found in a sheet, so its data cannot be read.",
    ),
    "r_desc_column_missing": ("表头里缺少模板应有的某一列。", "A column the table has is missing from the header."),
    "r_desc_column_unknown": (
        "表头里有模板没有的列，已忽略。",
        "The header has a column the table does not have; it was ignored.",
    ),
    "r_desc_column_duplicate": (
        "同一列的表头出现了两次，只读取第一列。",
        "A column's header appears twice; only the first of them is read.",
    ),
    "r_desc_hidden_columns": ("隐藏的列里有数据，已一并检查。", "A hidden column holds data; it was checked too."),
    "r_desc_hidden_rows": ("隐藏的行里有数据，已一并检查。", "Hidden rows hold data; they were checked too."),
    "r_desc_merged_cells": (
        "合并单元格跨了几行，其中的值已用于每一行；最好取消合并，每行都填上。",
        "A merged cell spans several rows and its value was used for each; better unmerge it and fill in every row.",
    ),
    "r_desc_total_row": (
        "表格里的合计行，已跳过，不计入任何数字。",
        "A total row in the table; skipped and counted in no figure.",
    ),
    "r_desc_type": (
        "单元格的内容不是这一列要求的类型（例如数量写成了文字，日期不是日期）。",
        "A cell is not of its column's type (e.g. words in a quantity, a date that is not a date).",
    ),
    "r_desc_ambiguous_date": (
        "日期有两种读法（例如 11/3/2026），请写成 2026-11-03 这样的年-月-日。",
        "A date reads two ways (e.g. 11/3/2026); write it year-month-day, like 2026-11-03.",
    ),
    "r_desc_normalized": (
        "写法不规范但能看懂（全角数字、多余空格、¥ 符号等），已自动修正，请核对。",
        "A value written unusually but understood (full-width digits, extra spaces, a ¥ sign …) was corrected; please check it.",
    ),
    "r_desc_precision_lost": (
        "超过 15 位的数字（如订单号）被 Excel 丢掉了末尾几位；这一列要设为文本格式。",
        "A number of more than 15 digits (an order id …) lost its last digits in Excel; the column must be set to text.",
    ),
    "r_desc_required": ("必填的单元格是空的。", "A required cell is blank."),
    "r_desc_unique": ("不能重复的一列里出现了重复的值。", "A value repeats in a column that must be unique."),
    "r_desc_primary_key": (
        "用来区分每条记录的几列，组合起来与另一行重复了。",
        "The columns that tell records apart repeat another row's combination.",
    ),
    "r_desc_min": ("数值小于允许的最小值。", "A number is below the smallest allowed."),
    "r_desc_max": ("数值大于允许的最大值。", "A number is above the largest allowed."),
    "r_desc_enum": ("填的值不在下拉选项里。", "A value is not one of the list's values."),
    "r_desc_pattern": (
        "格式不对（例如手机号、快递单号的位数或写法）。",
        "A value does not have the required format (e.g. a phone or tracking number).",
    ),
    "r_desc_max_length": ("文字超过了允许的字数。", "A text is longer than allowed."),
    "r_desc_out_of_month": ("日期不在本月内。", "A date lies outside the month."),
    "r_desc_error_value": (
        "单元格里是错误值（如 #N/A），不是数据。",
        "A cell holds an error value (#N/A …), not data.",
    ),
    "r_desc_formula_error": (
        "公式算出了错误值（如 #VALUE!），用到它的合计也会跟着出错。",
        "A formula gives an error value (#VALUE! …), and totals that use it go wrong too.",
    ),
    "r_desc_formula_in_data": (
        "应手填的单元格里是公式，已按它的计算结果读取。",
        "A cell meant to be typed in holds a formula; its result was used.",
    ),
    "r_desc_formula_no_value": (
        "公式没有保存计算结果；在 Excel/WPS 中打开、保存后重新提交。",
        "A formula has no saved result; open and save the file in Excel/WPS and hand it in again.",
    ),
    "r_desc_external_formula": (
        "公式引用了其他工作簿，已按保存的结果读取。",
        "A formula refers to another workbook; its saved result was used.",
    ),
    "r_desc_row_rule": (
        "同一行的几个值对不上表的规则（例如实付金额大于订单金额）。",
        "Values in one row break a rule of the table (e.g. more paid than the order amount).",
    ),
    "r_desc_derived_mismatch": (
        "自动计算的单元格被改动过，与公式的结果不一致。",
        "A computed cell was changed and differs from its formula's result.",
    ),
    "r_desc_derived_given": (
        "计算用到的列不在表中，无法核对，直接采用了表中填写的数值。",
        "The columns a computed column needs are missing, so its values were taken as given, unchecked.",
    ),
    "r_desc_reference": (
        "填的值在它所引用的另一张表中找不到。",
        "A value is not found in the other sheet it refers to.",
    ),
    "r_desc_reconcile": (
        "两张表之间的数字对不上（例如定岗定编的现有人数与员工表不符）。",
        "Figures in two sheets disagree (e.g. a position's headcount and the staff sheet).",
    ),
    "r_desc_totals": (
        "两张表的合计数对不上，超出了允许的差额（例如收支表的销售收入与订单实付金额合计）。",
        "Totals of two sheets differ by more than allowed (e.g. sales income in the finance sheet and the orders' paid total).",
    ),
    "r_desc_parameter_unset": (
        "部门自己的规定（如回复时限）在汇总表里空着，用到它的检查没法做。",
        "A department setting (such as a reply time limit) is blank on the summary sheet, so the checks using it were skipped.",
    ),
    "r_desc_summary_mismatch": (
        "汇总表里的数字与按明细重新计算的结果不一致。",
        "A figure in the summary sheet differs from the one recomputed from the rows.",
    ),
    "r_desc_conflict": (
        "同一条记录（同一编号）出现在几个文件里且内容不同，这些行都没有计入。",
        "One record (the same key) is in several files with different contents; it was taken from none of them.",
    ),
    "r_desc_duplicate_rows": (
        "几个文件里有完全相同的行，只计一次。",
        "Rows identical in several files were counted once.",
    ),
    "r_desc_left_out_file": ("文件有错误，整份没有计入汇总。", "The file has errors and was left out of the summary."),
    "r_desc_left_out_rows": ("有错误的行没有计入汇总。", "Rows with errors were left out of the summary."),
    "r_desc_left_out_month": ("不在本月的行没有计入汇总。", "Rows outside the month were left out of the summary."),
    "r_desc_left_out_copy": ("同一个文件交了两次，只计一次。", "The same file was handed in twice and counted once."),
    "r_desc_left_out_other_month": (
        "文件是另一个月的，整份没有计入。",
        "The file is for another month and was left out.",
    ),
    "r_desc_left_out_unreadable": (
        "文件无法读取，没有计入汇总。",
        "The file could not be read and was left out of the summary.",
    ),
    "r_comment_line": ("【{severity}】{message}", "[{severity}] {message}"),
    "r_comment_expected": ("（应为：{expected}）", " (expected: {expected})"),
    # --- issue 13: words and pieces the code used to spell itself (tests/test_user_text.py) ----
    # Separators and brackets that assemble a message from parts: one code each, so English
    # output gets English punctuation.
    "sep_list": ("、", ", "),
    "sep_clause": ("；", "; "),
    "sep_comma": ("，", ", "),
    "sep_colon": ("：", ": "),
    "in_parens": ("（{text}）", " ({text})"),
    "metric_group": ("［{group}］", "[{group}]"),
    "no_sheet": ("没有工作表", "no sheet"),
    "value_cut": ("{start}…（共 {n:,} 字）", "{start}… ({n:,} characters in all)"),
    "month_label": ("{year}年{month}月", "{month_name} {year}"),
    "summary_sheet_default": ("汇总", "Summary"),
    "annotated_suffix": ("_校验.xlsx", "_checked.xlsx"),
    "unwritable_no_folder": ("目录不存在", "the folder does not exist"),
    "unwritable_permission": ("没有写入权限", "permission denied"),
    "unwritable_is_folder": ("这是一个文件夹", "it is a folder"),
    # what a file handed in turned out to be (f_not_xlsx's {kind})
    "kind_opendocument": ("OpenDocument 文档", "an OpenDocument file"),
    "kind_word": ("Word 文档", "a Word document"),
    "kind_zip": ("其他压缩文件", "another zip file"),
    "kind_html": ("网页/HTML 文件", "an HTML page"),
    "kind_pdf": ("PDF 文件", "a PDF file"),
    "kind_unknown": ("无法识别的内容", "unrecognised content"),
    "kind_csv": ("CSV/文本文件", "a CSV or text file"),
    "kind_text": ("文本文件", "a text file"),
    # why the hidden _meta sheet was ignored (f_meta_invalid's {detail})
    "meta_too_long": ("{key}: {n:,} 字", "{key}: {n:,} characters"),
    "meta_too_deep": ("{key}: 嵌套过深", "{key}: nested too deeply"),
    # schemas list/show
    "st_key": ("主键：", "Key: "),
    "st_row_rules": ("行规则：", "Row rules:"),
    "st_tables": ("表：", "Tables: "),
    "st_parameters": ("参数：", "Parameters: "),
    "st_family": (
        "所属：{family}（本组的表、参数、核对和指标都取自它）",
        "Part of: {family} (its tables, settings, checks and figures come from it)",
    ),
    "st_masters": ("主数据：", "Master lists: "),
    "st_roster": ("交表名单：", "Roster: "),
    "st_metrics": ("指标：", "Metrics:"),
    # schema loading: what a key should hold, what is repeated, a likely meant key
    "want_text": ("文本", "a text"),
    "want_integer": ("整数", "an integer"),
    "want_number": ("数字", "a number"),
    "want_bool": ("true 或 false", "true or false"),
    "want_list": ("列表", "a list"),
    "want_mapping": ("键值映射", "a mapping"),
    "want_text_or_list": ("文本或列表", "a text or a list"),
    "want_text_or_number": ("文本或数字", "a text or a number"),
    "want_severity": ("error 或 warning", "error or warning"),
    "want_check_op": ("=、<=、>=、< 或 >", "=, <=, >=, < or >"),
    "what_column_name": ("列名", "column name"),
    "what_column_title": ("列标题", "column title"),
    "what_table": ("表", "table"),
    "what_roster": ("交表名单中的小组", "roster entry"),
    "what_metric": ("指标", "metric"),
    "what_check": ("检查", "check"),
    "schema_did_you_mean": ("（是不是“{name}”？）", " (did you mean '{name}'?)"),
    "expr_end": ("结尾", "end of the expression"),
    # command-line type names and metavars (Click's TEXT, INTEGER, …)
    "cli_type_integer": ("整数", "integer"),
    "cli_type_number": ("数字", "number"),
    "cli_type_float": ("数字", "float"),
    "cli_type_integer_range": ("整数", "integer range"),
    "cli_type_float_range": ("数字", "float range"),
    "metavar_text": ("文本", "TEXT"),
    "metavar_integer": ("整数", "INTEGER"),
    "metavar_float": ("数字", "FLOAT"),
    "metavar_path": ("路径", "PATH"),
    "metavar_file": ("文件", "FILE"),
    "metavar_directory": ("文件夹", "DIRECTORY"),
    "metavar_filename": ("文件名", "FILENAME"),
    "metavar_boolean": ("是/否", "BOOLEAN"),
    "metavar_integer_range": ("整数", "INTEGER RANGE"),
    "metavar_float_range": ("数字", "FLOAT RANGE"),
    # summary workbook and checks of a summary sheet
    "period_day": ("（日）", " (day)"),
    "period_week": ("（周）", " (week)"),
    "share_all": ("所有", "All"),
    "share_nearly_all": ("几乎所有", "Nearly all"),
    "shown_blank": ("（空）", "(blank)"),
    "cells_more": (" 等 {n} 格", " ({n} cells in all)"),
    # why a formula gives an error value (f_formula_error's {cause_zh}/{cause_en})
    "cause_not_number": ("，原因是同一行的{cells}不是数字", ", because {cells} {n!i} not a number"),
    "cause_cell_text": ("{cell}（{header}）“{text}”", '{cell} ({header}) "{text}"'),
    "cause_check_row_cells": (
        "；请检查这一行公式用到的单元格（{cells}）",
        "; check the cells the formula uses in this row ({cells})",
    ),
    "cause_check_cells": ("；请检查这个公式用到的单元格", "; check the cells the formula uses"),
    # --- end issue 13 ---
    # --- issue 15: team workbooks, masters, a month across bundles, versions, init ---
    # --- masters: master lists in team workbooks, references checked against them ---------------------------------------------------------------
    "ms_sheet": ("主数据-{title}", "Master-{title}"),
    "ms_example_source": ("示例数据", "example data"),
    "ms_sheet_prefixes": ("主数据-", "Master-"),
    "ms_title": (
        "{title}（主数据副本，只读）　取自 {source}（文件日期 {modified}），复制于 {copied}。"
        "请勿在此修改；主数据有变时，请用新的主数据文件重新生成本工作簿。",
        "{title} (copy of the master list, read-only): from {source} (file dated {modified}), copied {copied}. "
        "Do not edit here; when the master list changes, generate this workbook again from the new file.",
    ),
    "ms_not_found": (
        "给出的主数据文件（{files}）中都没有“{title}”表，无法复制。"
        "请用 --masters 再指定一个含有“{title}”表的工作簿（如部门工作簿）",
        "none of the master files given ({files}) holds the table {title_en}, so it cannot be copied; "
        "add --masters with a workbook that holds it (e.g. the department workbook)",
    ),
    "ms_no_master_in_file": (
        "主数据文件 {file} 中没有任何主数据表（{titles}）",
        "the master file {file} holds none of the master lists ({titles_en})",
    ),
    "ms_unusable": ("主数据文件 {file} 无法使用：{reason}", "the master file {file} cannot be used: {reason_en}"),
    "ms_has_errors": (
        "主数据文件 {file} 的“{sheet}”表有 {n} 处错误，不能作为主数据（第一处：{where} {first}）。请先改正再使用",
        "the master file {file} has {n} error{n!p} in sheet {sheet}, so it cannot serve as the master list "
        "(first: {where} {first_en}); correct it first",
    ),
    "ms_none_given": (
        "未带主数据副本：引用{titles}的列，只在汇总当月文件或 validate --masters 时核对"
        "（生成时加 --masters 主数据文件 可带上只读副本和下拉选项）",
        "no master copies: columns that refer to {titles_en} are checked only when the month is consolidated "
        "or with validate --masters (generate with --masters FILE to carry read-only copies and dropdowns)",
    ),
    "ms_copied": ("已复制主数据：{items}", "master lists copied: {items}"),
    "ms_copied_item": ("{title} {n} 行（取自 {source}）", "{title} {n} row{n!p} (from {source})"),
    "ms_ref_copy": ("{sheet}（取自 {source}）", "{sheet} (copy of the master list from {source})"),
    "ms_ref_given": ("{title}（主数据文件 {source}）", "{title} (master file {source})"),
    "ms_why_master": (
        "本文件没有“{title}”的主数据副本，这里未核对，汇总当月文件时核对（经理在生成模板或校验时附上主数据文件，即可当场核对）",
        "this file has no copy of the master list {title_en}: not checked here, but when the month's files are "
        "consolidated (the manager can attach the master file when making the template or checking, to check it at once)",
    ),
    "ms_why_other": (
        "“{title}”在{team}的文件里，汇总当月文件时核对",
        "{title_en} is in {team_en}'s file: it is checked when the month's files are consolidated",
    ),
    "f_reference_unchecked": (
        "{header}：{n} 个值引用“{title}”的“{target_header}”，未能核对。{why}",
        "{header}: {n} value{n!p} referring to {target_header_en} of {title_en} not checked. {why_en}",
    ),
    "r_rule_reference_unchecked": ("引用未核对", "reference not checked"),
    "r_desc_reference_unchecked": (
        "引用另一张表的列无法核对：本文件中既没有那张表，也没有它的主数据副本。",
        "A column that refers to another sheet could not be checked: the file holds neither that sheet nor a "
        "copy of its master list.",
    ),
    "ms_instructions": ("主数据（只读）", "Master lists (read-only)"),
    "ms_instructions_line": (
        "“{sheet}”：{title}，{n} 行，取自 {source}（文件日期 {modified}）。只读，下拉选项取自这里。",
        "'{sheet}': {title}, {n} row{n!p}, from {source} (file dated {modified}). Read-only; dropdowns list it.",
    ),
    "h_opt_masters_generate": (
        "主数据文件（可多次给出）：把本工作簿引用的员工、商品、客户等主数据复制为只读工作表",
        "A master file (may be given several times): copy the master lists this workbook refers to as read-only sheets",
    ),
    "h_opt_masters_validate": (
        "主数据文件（可多次给出）：引用的员工、商品、客户等按它核对",
        "A master file (may be given several times): check references to staff, products, customers against it",
    ),
    # --- a month across bundles: cross-file checks, who has handed in (status) ---------------------------------------------------------------
    "f_left_out_family": (
        "这是“{bundle_title}”的工作簿，不属于本次汇总的“{family_title}”，未计入",
        "a workbook of {bundle_title_en}, not of {family_title_en} that this summary is of; left out",
    ),
    "r_rule_left_out_family": ("不属于本次汇总的工作簿", "workbook of another kind"),
    "r_desc_left_out_family": (
        "文件是另一套表格（不属于本次汇总的部门工作簿及其小组工作簿），没有计入汇总。",
        "The file is of another set of workbooks (not the department workbook of this summary or one of its "
        "teams') and was left out of the summary.",
    ),
    "f_reference_absent": (
        "“{sheet}”表的{header}：{n} 个值引用“{target_title}”表的“{target_header}”，未能核对：{why}",
        "{header} in sheet {sheet}: {n} value{n!p} referring to {target_header_en} of {target_title_en} not checked: {why_en}",
    ),
    "xf_absent_missing": (
        "本月没有交来含“{title}”表的文件（{teams}未交）",
        "no file this month holds the sheet {title_en} ({teams} not handed in)",
    ),
    "xf_absent_refused": (
        "本月没有含“{title}”表的文件可用（{teams}的文件被退回）",
        "no file this month holds the sheet {title_en} ({teams}'s file was refused)",
    ),
    "xf_absent_none": ("本月没有交来含“{title}”表的文件", "no file this month holds the sheet {title_en}"),
    "xf_absent_left_out": (
        "含“{title}”表的文件本月未计入（原因见该文件的提示）",
        "the file holding the sheet {title_en} was left out this month (see that file's findings)",
    ),
    "r_rule_reference_absent": ("引用的表本月未交", "referred sheet not handed in"),
    "r_desc_reference_absent": (
        "汇总当月文件时，引用另一张表的列无法核对：本月交来的文件中没有那张表（其所在小组未交，或文件未计入）。",
        "When consolidating a month, a column that refers to another sheet could not be checked: no file taken this "
        "month holds that sheet (its team did not hand it in, or the file was left out).",
    ),
    "s_reason_references": ("引用找不到的行 {n} 行", "{n} row{n!p} referring to nothing"),
    "s_reason_cross_checks": ("跨文件核对不符的行 {n} 行", "{n} row{n!p} failing a check across files"),
    "s_reason_other_family": ("不属于本次汇总的文件 {n} 行", "{n} row{n!p} of workbooks of another kind"),
    "s_status_other_family": ("不属于本次汇总", "another kind"),
    "st_heading": ("{month} 交表情况（{family}）", "Hand-ins for {month} ({family_en})"),
    "st_heading_no_month": ("交表情况（{family}）", "Hand-ins ({family_en})"),
    "st_no_roster": ("（部门没有交表名单：每个文件一行）", "(no roster declared: one line per file)"),
    "st_off_roster": (
        "（没有一个文件是交表名单上的工作簿：每个文件一行）",
        "(no file is of a workbook on the roster: one line per file)",
    ),
    "st_no_file": ("（无）", "(none)"),
    "st_with_errors": ("有错误（{n} 处）", "with errors ({n})"),
    "st_refused": ("被退回（{reason}）", "refused ({reason_en})"),
    "st_file_reason": ("{file}：{reason}", "{file}: {reason}"),
    "st_also_refused": ("另有文件未计入：{reason}", "another file not taken: {reason_en}"),
    "st_rows": ("计入 {n} 行", "{n} row{n!p} taken"),
    "st_left_out": ("整份未计入", "nothing taken"),
    "h_opt_month_status": (
        "交表的月份，如 2026-11（不给时取多数文件的月份）",
        "The month handed in, e.g. 2026-11 (default: the month most files are for)",
    ),
    "h_status": (
        "按部门的交表名单，列出本月每个小组或店铺应交的工作簿：已交、未交、被退回、有错误",
        "Per team or shop on the department's roster: handed in, missing, refused, or with errors",
    ),
    "h_status_short": ("列出本月谁交了、谁没交（按交表名单）", "who has handed in this month"),
    # --- summary workbook: side by side, charts, change on last month ---------------------------------------------------------------
    "h_opt_previous": (
        "上月的月度汇总工作簿（如 月度汇总_2026-10.xlsx）：每个指标旁显示上月数值和环比变化",
        "Last month's summary workbook (e.g. summary_2026-10.xlsx): each figure shows last month's value and the change",
    ),
    "s_status_sheet": ("交表情况", "Hand-ins"),
    "s_sides_sheet": ("横向对比", "Side by side"),
    "s_col_team": ("小组/店铺", "Team or shop"),
    "s_col_bundle": ("工作簿", "Workbook"),
    "s_col_state": ("状态", "State"),
    "s_col_files": ("文件", "Files"),
    "s_state_submitted": ("已交", "handed in"),
    "s_state_with_errors": ("有错误", "with errors"),
    "s_state_refused": ("被退回", "refused"),
    "s_state_missing": ("未交", "missing"),
    "s_state_unexpected": ("名单外", "not on the roster"),
    "s_status_counts": (
        "应交 {expected} 份：已交 {submitted} 份{errors}{rest}",
        "{submitted} of {expected} handed in{errors}{rest}",
    ),
    "s_status_count_missing": ("，未交 {n} 份", ", {n} missing"),
    "s_status_count_with_errors": ("（其中有错误 {n} 份）", " ({n} of them with errors)"),
    "s_status_count_refused": ("，被退回 {n} 份", ", {n} refused"),
    "s_status_count_unexpected": ("，名单外 {n} 份", ", {n} not on the roster"),
    "s_side_total": ("全部门", "All"),
    "s_side_other": ("其他来源", "Other sources"),
    "s_side_note": (
        "注：{metrics} 是平均值或比率，“全部门”一行是用全部数据重新计算的，不是上面各行相加或平均。",
        "Note: {metrics}: averages or rates; the 'All' row is recomputed on all rows, not a sum or an average of the rows above.",
    ),
    "s_side_chart": ("{title}（按来源）", "{title} by source"),
    "s_other_metrics": ("其他指标", "Other figures"),
    "s_figure_absent": (
        "本月无数据（相关表格未交或未计入）",
        "no data this month (its sheets not handed in or left out)",
    ),
    "s_col_previous": ("上月（{month}）", "Last month ({month})"),
    "s_col_change": ("环比变化", "Change"),
    "s_col_change_pct": ("环比 %", "Change %"),
    "s_this_month": ("本月（{month}）", "This month ({month})"),
    "prev_not_summary": (
        "{file} 不是本工具写出的月度汇总工作簿，不能用作 --previous（上月汇总）",
        "{file} is not a monthly summary workbook written by ecomsheets: it cannot be used as --previous",
    ),
    "prev_old_summary": (
        "{file} 是旧版本写出的月度汇总，里面没有记录指标数值；请先用当前版本重新汇总那个月",
        "{file} is a summary written by an older version, without its figures recorded: consolidate that month again first",
    ),
    "prev_damaged": (
        "{file} 的隐藏数据表 {sheet} 已损坏或被改动（{detail}），读不出上月数值",
        "The hidden sheet {sheet} of {file} is damaged or was edited ({detail}): last month's figures cannot be read",
    ),
    "prev_unreadable": ("上月汇总 {file} 无法读取：{detail}", "Last month's summary {file} cannot be read: {detail}"),
    "prev_other_family": (
        "{file} 是“{its}”的汇总，本次汇总的是“{this}”，两者不能对比",
        "{file} summarises '{its}' and this summary is of '{this}': they cannot be compared",
    ),
    "prev_not_earlier": (
        "{file} 是 {its} 的汇总，不早于本次的 {month}，不能当作上月",
        "{file} is the summary of {its}, not earlier than this month {month}: it cannot be last month's",
    ),
    # --- schema versions and migrate ---------------------------------------------------------------
    "f_schema_version": (
        "这张表是按“{title}”第 {old} 版做的，当前是第 {new} 版。{changes}{checked}",
        "this sheet was made from version {old} of {title_en}; the current version is {new}. {changes}{checked}",
    ),
    "r_rule_schema_version": ("旧版模板", "older template"),
    "r_desc_schema_version": (
        "工作表是按表格的另一版做的：说明改了哪些列，以及按哪一版检查的。",
        "A sheet was made from another version of its table: what changed, and which version it was checked against.",
    ),
    "ver_changes": ("改动：{items}。", "Changes: {items}. "),
    "ver_added": ("新增列{cols}", "added {cols}"),
    "ver_removed": ("删除列{cols}", "removed {cols}"),
    "ver_renamed": ("改名{cols}", "renamed {cols}"),
    "ver_column": ("“{name}”", "'{name}'"),
    "ver_rename_pair": ("“{old}”→“{new}”", "'{old}' to '{new}'"),
    "ver_same_columns": ("列没有变化。", "The columns are the same. "),
    "ver_unknown_columns": (
        "文件没有记下那一版的列，无法列出改动。",
        "The file does not record that version's columns, so the changes cannot be listed. ",
    ),
    "ver_checked_history": (
        "已按第 {old} 版检查（目录里保留着这一版）。",
        "Checked against version {old} (kept in the catalogue).",
    ),
    "ver_checked_current": (
        "已按当前版本检查，之后新增的列在这里不要求填写。",
        "Checked against the current version; columns added since are not required here.",
    ),
    "ver_newer": (
        "这个文件比本程序认识的版本新，请更新 ecomsheets 或模板文件夹（--schemas）。已按第 {new} 版检查，结果可能不准。",
        "This file is newer than the schemas ecomsheets has: update ecomsheets or the schema folder (--schemas). "
        "Checked against version {new}; the results may be off.",
    ),
    "mig_old_sheet": ("旧版数据", "Old data"),
    "mig_old_place": ("原位置", "Old place"),
    "mig_old_header": ("原表头", "Old header"),
    "mig_old_value": ("内容", "Value"),
    "mig_not_ours": (
        "“{path}”不是 ecomsheets 生成的工作簿（没有模板信息），不知道它是按哪一版做的，无法迁移。",
        "'{path}' is not a workbook ecomsheets made (it has no template metadata): its version is unknown, "
        "so it cannot be migrated.",
    ),
    "mig_unreadable": ("无法迁移“{path}”：{detail}", "cannot migrate '{path}': {detail}"),
    "mig_newer": (
        "“{path}”中的{tables}比本程序认识的版本新，无法迁移：请先更新 ecomsheets 或模板文件夹（--schemas）。",
        "'{path}' has {tables} in a newer version than ecomsheets knows; it cannot be migrated: "
        "update ecomsheets or the schema folder (--schemas) first.",
    ),
    "mig_current": (
        "“{path}”已经是当前版本（{bundle}），不需要迁移，没有写新文件。",
        "'{path}' is already the current version ({bundle}): nothing to migrate, no file written.",
    ),
    "mig_written": (
        "已把 {source} 迁移到 {path}（{bundle}，{month}，用时 {seconds:.2f} 秒）：",
        "migrated {source} to {path} ({bundle}, {month}, {seconds:.2f} s):",
    ),
    "mig_sheet": (
        "  {sheet}：{rows} 行，第 {old} 版 → 第 {new} 版{changes}",
        "  {sheet}: {rows} row{rows!p}, version {old} to {new}{changes}",
    ),
    "mig_sheet_same": ("  {sheet}：{rows} 行", "  {sheet}: {rows} row{rows!p}"),
    "mig_sheet_absent": (
        "  {sheet}：旧文件里没有读到这张表，新文件里是空表",
        "  {sheet}: not read from the old file; blank in the new one",
    ),
    "mig_sheet_changes": ("；{items}", "; {items}"),
    "mig_kept_text": (
        "；{n} 个单元格不符合本列格式，按原文保留",
        "; {n} cell{n!p} not readable as their type kept as their text",
    ),
    "mig_leftover": (
        "  不在新表里的 {n} 个单元格（删掉的列、表外的列）放在工作表“{sheet}”，注明了原位置。",
        "  {n} cell{n!p} with no place in the new tables (removed or unknown columns) are on sheet '{sheet}' "
        "with their old place.",
    ),
    "mig_masters_not_copied": (
        "  旧文件里的主数据副本（{sheets}）没有搬过来：副本应取自最新的主数据文件，"
        "请加 --masters 主数据文件 重新迁移，或用 generate --masters 重新生成模板。",
        "  the old file's master-list copies ({sheets}) were not carried over: copies come from the "
        "current master file; migrate again with --masters FILE, or generate the template with --masters.",
    ),
    "mig_errors": (
        "  旧文件按它自己的版本检查有 {n} 个错误，数据已原样搬过来；请用 ecomsheets validate 检查新文件。",
        "  the old file had {n} error{n!p} against its own version; the data moved as it was: "
        "check the new file with ecomsheets validate.",
    ),
    "mig_month_none": ("未填月份", "no month"),
    "h_migrate": (
        "把按旧版表格制作的工作簿的数据搬进当前版本的模板，一个单元格也不丢",
        "Move the data of a workbook made from an older version into the current template, without losing a cell",
    ),
    "h_migrate_short": ("把旧版工作簿的数据搬进当前模板", "move an old workbook into the current template"),
    # --- init: a catalogue of one's own ---------------------------------------------------------------
    "h_init": (
        "新建一个模板文件夹：一张示例表和一个示例工作簿，都有中英文注释，马上可以用 --schemas 文件夹 "
        "生成模板、造示例、校验。文件夹须是新的或空的（否则加 --force）",
        "Write a schema folder with one example table and bundle, commented in Chinese and English, that "
        "--schemas DIR accepts at once (generate, example, validate). The folder must be new or empty (else --force)",
    ),
    "h_arg_new_folder": ("文件夹", "DIR"),
    "h_opt_force_init": (
        "文件夹不是空的也写入：同名的示例文件会被覆盖，其他文件不动",
        "Write into a folder that is not empty: files named like the example files are replaced, nothing else is touched",
    ),
    "init_not_folder": ("{path} 是一个文件，不是文件夹", "{path} is a file, not a folder"),
    "init_not_empty": (
        "文件夹 {path} 不是空的（里面有 {names}）。请换一个新文件夹，或加 --force 把示例文件写进去"
        "（只覆盖同名的示例文件，其他文件不动）",
        "folder {path} is not empty (it holds {names}). Pick a new folder, or add --force to write the example "
        "files into it (only files of the same names are replaced; nothing else is touched)",
    ),
    "init_more": ("{names} 等 {total} 项", "{names} and {n} more"),
    "init_written": ("已建立模板文件夹 {path}，写入了：", "wrote a schema folder {path}:"),
    "init_replaced": ("（覆盖了原有的同名文件）", " (replaced the file that was there)"),
    "init_next": ("接下来可以试试：", "Next, try:"),
    "init_blank_file": ("我的小组.xlsx", "my_team.xlsx"),
    "init_example_file": ("示例.xlsx", "example.xlsx"),
    "h_init_short": ("新建一个自己的模板文件夹", "start a schema folder of your own"),
    # --- issue 16: platform and ERP exports in (ecomsheets import) ---
    "schema_import_like": (
        "“like”指向的导入格式“{value}”不存在（或互相引用成环），可用：{known}",
        "'like' names import profile '{value}', which does not exist (or refers back in a circle); known: {known}",
    ),
    "schema_import_rows": ("“rows”应为 {known} 之一，实际是“{value}”", "'rows' must be one of {known}, got '{value}'"),
    "schema_import_table": (
        "导入格式里的表“{value}”不存在，可用：{known}",
        "import profile names table '{value}', which does not exist; known: {known}",
    ),
    "schema_import_column": (
        "导入格式里的列“{value}”不是“{table}”可以导入的列",
        "import profile names column '{value}', which is not an importable column of '{table}'",
    ),
    "schema_import_value": (
        "导入格式里的值“{value}”不在可选值里：{known}",
        "import profile value '{value}' is not one of: {known}",
    ),
    "schema_import_no_orders": (
        "导入格式至少要说明订单表的订单编号从哪一列来（tables → orders → columns → order_id）",
        "an import profile must at least say where the orders' order id comes from (tables → orders → columns → order_id)",
    ),
    "origin_suffix": ("（来自 {origin}）", " (from {origin})"),
    "import_origin": ("{file} 第 {row} 行", "{file} row {row}"),
    "f_import_unrecognised": (
        "认不出这是哪个平台或 ERP 的订单导出：前 40 行里没有找到认识的表头（第一行是：{value}）。"
        "请确认导出的是订单报表，或用 --platform 指明平台",
        "not recognised as any platform's or ERP's order export: no known headers in the first 40 rows "
        "(the first row reads: {value}). Check that this is an order report, or name the platform with --platform",
    ),
    "r_rule_import_unrecognised": ("认不出的导出文件", "export not recognised"),
    "r_desc_import_unrecognised": (
        "导入的文件表头不属于任何一种已知的平台或 ERP 导出格式（schemas/imports/）。",
        "The imported file's headers fit none of the known platform or ERP export formats (schemas/imports/).",
    ),
    "f_import_platform": (
        "这个文件不像{title}：缺少表头 {missing}。请检查 --platform，或不加 --platform 让程序自己识别",
        "this file does not look like a {title_en}: headers {missing} are missing. Check --platform, "
        "or leave it out to let the file be recognised",
    ),
    "r_rule_import_platform": ("平台与文件不符", "platform does not fit"),
    "r_desc_import_platform": (
        "用 --platform 指定的平台与文件的表头对不上。",
        "The platform named with --platform does not fit the file's headers.",
    ),
    "f_import_encoding": (
        "文件的文字编码认不出来（试过 {value}，都读不通），没有导入。请从平台重新导出，或用 Excel/WPS 另存为 xlsx 再导入",
        "the file's text encoding could not be recognised (tried {value}); not imported. Export it again, "
        "or save it as xlsx in Excel/WPS and import that",
    ),
    "r_rule_import_encoding": ("编码认不出", "encoding not recognised"),
    "r_desc_import_encoding": (
        "CSV 文件既不是 UTF-8（含 BOM）也不是 GBK/GB18030 编码。",
        "The CSV file is neither UTF-8 (with or without BOM) nor GBK/GB18030.",
    ),
    "f_import_unreadable": (
        "文件读不出来（{detail}），没有导入。请从平台重新导出",
        "the file could not be read ({detail}); not imported. Export it again",
    ),
    "r_rule_import_unreadable": ("导出文件读不出", "export unreadable"),
    "r_desc_import_unreadable": (
        "导出文件损坏或不是表格（例如一行长得不像任何导出）。",
        "The export is damaged or not a table (for example, a line far longer than any export's).",
    ),
    "f_import_id_damaged": (
        "订单编号被电子表格软件改过：超过 15 位的编号只剩 15 位有效数字（例如 {value}），订单会对不上、重复计算，"
        "没有导入。请直接导入平台导出的原文件，不要先用 Excel 打开再保存",
        "the order ids were changed by a spreadsheet program: ids longer than 15 digits kept only 15 significant "
        "digits (e.g. {value}), so orders would not match and would be counted twice; not imported. Import the "
        "file as the platform exported it, without opening and saving it in Excel first",
    ),
    "r_rule_import_id_damaged": ("订单编号被 Excel 改过", "order ids changed by Excel"),
    "r_desc_import_id_damaged": (
        "导出文件里的长订单编号被电子表格软件变成了数字（科学计数法或末尾变 0），文件不导入。",
        "The export's long order ids were turned into numbers by a spreadsheet program (scientific notation, or "
        "trailing zeros), so the file is not imported.",
    ),
    "f_import_row_left_out": ("{origin}没有导入：{why_zh}", "{origin} was not imported: {why_en}"),
    "r_rule_import_row_left_out": ("未导入的行", "row not imported"),
    "r_desc_import_row_left_out": (
        "导出里的一行没有导入，并说明原因（列数不对、没有订单编号、不在本月）。",
        "A row of the export was not imported, with the reason (wrong number of fields, no order id, another month).",
    ),
    "why_import_fields": ("这一行的列数和表头对不上", "its fields do not line up with the header"),
    "why_import_no_order": ("没有订单编号", "it has no order id"),
    "why_import_month": ("下单日期 {date} 不在 {month}", "its order date {date} is not in {month}"),
    "f_import_total_mismatch": (
        "{origin}是合计行，其中“{header}”为 {value}，而各行相加是 {expected}：导出可能不完整",
        "{origin} is a total row whose '{header}' is {value}, but the rows add up to {expected}: "
        "the export may be incomplete",
    ),
    "r_rule_import_total_mismatch": ("合计行对不上", "total row does not add up"),
    "r_desc_import_total_mismatch": (
        "导出末尾合计行的数字与各行相加不一致（合计行本身不导入）。",
        "A total row at the end of the export differs from the sum of its rows (the total row is not imported).",
    ),
    "f_import_conflict": (
        "订单 {value} 在 {other} 里也有，内容不一样：按 {kept} 的为准（{why_zh}）",
        "order {value} is also in {other}, with different content: {kept} is kept ({why_en})",
    ),
    "imp_kept_by_time": ("它的时间更新", "its times are later"),
    "imp_kept_by_stage": (
        "时间分不出先后，它的订单状态更靠后",
        "the times do not tell, and its status is further along",
    ),
    "imp_kept_by_order": ("分不出哪份更新，按文件顺序取后给的", "nothing tells which is newer: the file given later"),
    "r_rule_import_conflict": ("重复导出的订单不一致", "order differs between exports"),
    "r_desc_import_conflict": (
        "同一订单出现在几个导出文件里且内容不同；较新的导出为准，这里列出被替换的那份。",
        "An order appears in several exports with different content; the newer export's rows are kept, and the "
        "replaced ones are named here.",
    ),
    "h_import": (
        "把平台或 ERP 导出的订单（淘宝/天猫、京东、拼多多、抖店、快手、聚水潭、旺店通；CSV、xlsx、xls）"
        "导入成一份部门工作簿（订单表，导出里有的话还有物流、售后），并像 validate 一样检查它。"
        "同一订单在几个导出里出现时，以导出时间较新的为准",
        "Import order exports of platforms and ERPs (Taobao/Tmall, JD, Pinduoduo, Douyin, Kuaishou, Jushuitan, "
        "Wangdiantong; CSV, xlsx, xls) into one department workbook (orders, and logistics and after-sales where the "
        "export has them), and check it as validate does. An order in several exports is taken from the newest",
    ),
    "h_import_short": ("把平台导出的订单导入成部门工作簿", "import platform order exports into a workbook"),
    "h_arg_exports": ("导出文件", "EXPORT"),
    "h_opt_platform": (
        "导出来自哪个平台：auto（按表头自动识别）, taobao, tmall, jd, pdd, douyin, kuaishou, jushuitan, wangdiantong",
        "Which platform made the exports: auto (recognised from the headers), taobao, tmall, jd, pdd, douyin, "
        "kuaishou, jushuitan, wangdiantong",
    ),
    "h_opt_month_import": (
        "月份，如 2026-11（默认取多数订单的下单月份）；不在这个月的订单不导入",
        "The month, e.g. 2026-11 (default: the month most orders were placed in); orders of other months are left out",
    ),
    "h_opt_shop": ("店铺名称，记在工作簿里", "The shop's name, recorded in the workbook"),
    "cli_unknown_platform": ("没有叫“{name}”的平台，可用：{known}", "no platform named '{name}'; known: {known}"),
    "imp_file": (
        "{file}：{platform}{how}，{encoding}，读了 {rows} 行，{orders} 笔订单{extra}",
        "{file}: {platform}{how}, {encoding}, {rows} row{rows!p} read, {orders} order{orders!p}{extra}",
    ),
    "imp_line_too_long": ("有一行超过 {size}，不像平台导出的表格", "a line is longer than {size}, unlike any export"),
    "imp_alike": (
        "；表头也像{others}，按上面的计（不对请加 --platform {names}，或在文件名里写上平台）",
        "; the headers also fit {others}, read as above (if wrong, add --platform {names}, or name the platform "
        "in the file name)",
    ),
    "imp_book": ("Excel 文件", "an Excel file"),
    "imp_encoding": ("编码 {name}", "encoding {name}"),
    "imp_auto": ("（按表头识别）", " (recognised from the headers)"),
    "imp_totals": ("；跳过合计行 {n} 行", "; {n} total row{n!p} skipped"),
    "imp_headers": ("；订单抬头行 {n} 行（明细行已导入）", "; {n} order header row{n!p} (their lines imported)"),
    "imp_replaced": ("；{n} 行被较新的导出替换", "; {n} row{n!p} replaced by a newer export"),
    "imp_left_out": ("；{n} 行未导入（原因见下）", "; {n} row{n!p} not imported (see below)"),
    "imp_refused": ("{file}：没有导入。{why}", "{file}: not imported. {why}"),
    "imp_month": ("月份：{month}", "Month: {month}"),
    "imp_month_guessed": (
        "月份：{month}（多数订单的下单月份；可用 --month 指定）",
        "Month: {month} (the month most orders were placed in; --month sets it)",
    ),
    "imp_overlaps": (
        "几个导出里重复的订单：{n} 行被较新的导出替换，其中 {conflicts} 笔订单内容不一样",
        "orders in several exports: {n} row{n!p} replaced by a newer export, {conflicts} order{conflicts!p} "
        "with different content",
    ),
    "imp_more": ("  ……还有 {n} 条（--format json 可看全部）", "  … and {n} more (--format json lists them all)"),
    "imp_nothing": ("没有可以导入的订单，没有写出工作簿。", "no orders could be imported; no workbook written."),
    "imp_output_xlsx": (
        "输出文件 {path} 要以 .xlsx 结尾（导入写出的是 Excel 工作簿）",
        "the output {path} must end in .xlsx (import writes an Excel workbook)",
    ),
    "imp_table_rows": ("{sheet} {n} 行", "{sheet} {n} row{n!p}"),
    "imp_written": ("已写入 {path}：{tables}。检查结果：", "wrote {path}: {tables}. Checked:"),
    # --- end issue 16 ---
    # --- issue 17: the month on a web page (ecomsheets serve) ---
    "h_serve": (
        "在本机启动本月的网页：各小组用经理发的链接上交表格、当场看到问题；经理登录后查看交表情况并生成月度汇总。",
        "Start the month's web page: teams hand in through the links the manager gives them and see their findings at once; the manager signs in to see who has handed in and to build the monthly summary.",
    ),
    "h_serve_short": ("启动本月交表的网页", "start the month's web page"),
    "h_opt_serve_data": (
        "存放记录和文件的文件夹（数据库、上交的文件、批注副本、汇总表）",
        "folder for the record and the files (SQLite database, handed-in files, annotated copies, summaries)",
    ),
    "h_opt_serve_host": (
        "监听的地址；默认只有本机能打开。设为 0.0.0.0 才能让同一网络上的同事打开",
        "address to listen on; by default only this computer can open the page. 0.0.0.0 lets colleagues on the same network open it",
    ),
    "h_opt_serve_port": ("监听的端口", "port to listen on"),
    "h_opt_max_upload_mb": ("上交文件的大小上限（MB）", "largest file that may be handed in (MB)"),
    "h_opt_reset_password": (
        "为经理生成一个新密码并显示出来（已登录的会话全部失效）",
        "make a new manager password and show it (every signed-in session ends)",
    ),
    "sv_data": ("数据文件夹：{path}", "Data folder: {path}"),
    "sv_manager_made": (
        "已创建经理账户。请打开 {url} 并用以下密码登录（只显示这一次，请记下）：\n  {password}\n"
        "（也可以在首次启动前设置环境变量 {env} 来指定密码）",
        "The manager's account is made. Open {url} and sign in with this password (shown only this once; note it down):\n  {password}\n"
        "(or set {env} before the first start to choose the password)",
    ),
    "sv_manager_from_env": (
        "已按环境变量 {env} 创建经理账户。登录地址：{url}",
        "The manager's account is made with the password in {env}. Sign in at {url}",
    ),
    "sv_manager_exists": (
        "经理登录地址：{url}（忘记密码时用 --reset-password 重新生成）",
        "Manager sign-in: {url} (forgotten the password? start with --reset-password)",
    ),
    "sv_network_warning": (
        "注意：正在监听 {host}，同一网络上的任何人都能打开这个页面。保护它的只有各小组的链接和经理密码："
        "请只在可信的内部网络上这样做，链接只发给本人；如需从外网访问，请放在 HTTPS 反向代理之后。",
        "Note: listening on {host}, so anyone on the same network can open this page. Only the teams' links and the manager's "
        "password protect it: do this only on a trusted internal network and send each link only to its team; to reach it "
        "from outside, put it behind an HTTPS reverse proxy.",
    ),
    "sv_listening": (
        "网页已启动：{url}（接口说明：{docs}）。按 Ctrl+C 停止。",
        "The page is up: {url} (API documentation: {docs}). Press Ctrl+C to stop.",
    ),
    "w_app_title": ("电商部月度交表", "The department's monthly hand-in"),
    "w_footer": (
        "ecomsheets · 上交的文件只有本人和经理能看到",
        "ecomsheets · a file handed in is seen only by its team and the manager",
    ),
    "w_other_language": ("English", "中文"),
    "w_back": ("返回", "Back"),
    "w_back_to_list": ("返回我的上交记录", "Back to my hand-ins"),
    "w_back_to_status": ("返回交表情况", "Back to the month's status"),
    "w_login_title": ("经理登录", "Manager sign-in"),
    "w_login_intro": (
        "登录后可查看本月交表情况、管理链接并生成月度汇总。",
        "Sign in to see the month's hand-ins, manage links and build the summary.",
    ),
    "w_password": ("密码", "Password"),
    "w_sign_in": ("登录", "Sign in"),
    "w_sign_out": ("退出登录", "Sign out"),
    "w_team_heading": ("{name} · 月度交表", "{name} · monthly hand-in"),
    "w_team_month": ("{month} 月的表格", "The workbook for {month}"),
    "w_team_bundle": ("要上交的工作簿：{bundle}", "Workbook to hand in: {bundle}"),
    "w_step_template": ("下载本月的空白模板：", "Download this month's blank template:"),
    "w_step_fill": ("在 Excel 或 WPS 中填好，保存为 .xlsx。", "Fill it in with Excel or WPS and save it as .xlsx."),
    "w_step_upload": (
        "在下面上交；几秒后就能看到哪里需要改。",
        "Hand it in below; within seconds you see what needs fixing.",
    ),
    "w_download_template": ("下载模板", "Download the template"),
    "w_drop_hint": (
        "把填好的文件拖到这里，或点“选择文件”（.xlsx，不超过 {mb} MB）",
        "Drop the filled workbook here, or choose it (.xlsx, up to {mb} MB)",
    ),
    "w_upload": ("上交并检查", "Hand in and check"),
    "w_uploading": ("正在上传 {pct}%", "Uploading {pct}%"),
    "w_checking_seconds": ("正在检查，已用 {seconds} 秒……", "Checking, {seconds} s so far…"),
    "w_checking": ("正在检查，请稍候；完成后本页会自动刷新。", "Checking; this page refreshes itself when done."),
    "w_upload_failed": (
        "上传没有成功，请检查网络后再试一次。",
        "The upload did not go through; check the connection and try again.",
    ),
    "w_my_submissions": ("我的上交记录", "My hand-ins"),
    "w_no_submissions": ("还没有上交过。", "Nothing handed in yet."),
    "w_col_time": ("时间", "Time"),
    "w_col_file": ("文件", "File"),
    "w_col_files": ("文件数", "Files"),
    "w_col_month": ("月份", "Month"),
    "w_col_status": ("状态", "Status"),
    "w_col_team": ("小组/店铺", "Team or shop"),
    "w_col_bundle": ("工作簿", "Workbook"),
    "w_col_link": ("链接", "Link"),
    "w_col_metric": ("指标", "Figure"),
    "w_col_value": ("数值", "Value"),
    "w_state_checking": ("已交，检查中", "Handed in, checking"),
    "w_state_accepted": ("已通过", "Accepted"),
    "w_state_with_errors": ("有错误", "With errors"),
    "w_state_refused": ("无法读取", "Could not be read"),
    "w_state_failed": ("检查未完成", "Check not finished"),
    "w_state_missing": ("未交", "Missing"),
    "w_submitted_by": ("{name} 于 {time} 上交 · {month} 月", "Handed in by {name} at {time} · {month}"),
    "w_accepted_note": (
        "检查通过，没有错误。经理汇总时会用这一份。",
        "Accepted: no errors. The manager's summary will use this file.",
    ),
    "w_with_errors_note": (
        "发现 {errors} 处错误，下面按工作表列出了每一处的单元格和原因。改好后请重新上交。",
        "{errors} errors found; each is listed below by sheet, with its cell and why. Fix them and hand the file in again.",
    ),
    "w_failed_note": (
        "这次检查没有完成（服务器出了问题或被重启）。请重新上交一次；如果还不行，请联系经理。",
        "This check did not finish (the server had a problem or was restarted). Hand the file in again; if it happens again, tell the manager.",
    ),
    "w_download_annotated": ("下载批注副本", "Download the annotated copy"),
    "w_annotated_hint": (
        "副本中每个有问题的单元格都标了颜色和批注，原文件不变。",
        "Every cell with a problem is coloured and commented in the copy; your file is unchanged.",
    ),
    "w_upload_again": ("改好后重新上交", "Hand in again after fixing"),
    "w_manage_title": ("交表管理", "Hand-ins"),
    "w_status_heading": ("{month} 月交表情况", "Hand-ins for {month}"),
    "w_month_label": ("月份", "Month"),
    "w_set_month": ("设为本月", "Collect this month"),
    "w_viewing_other_month": (
        "正在查看其他月份；当前收表的月份是 {current}。",
        "Viewing another month; the month being collected is {current}.",
    ),
    "w_status_counts": (
        "共 {total} 个小组/店铺：已通过 {accepted}，有错误 {errors}，检查中 {checking}，未交 {missing}",
        "{total} teams or shops: {accepted} accepted, {errors} with errors, {checking} checking, {missing} missing",
    ),
    "w_revoked": ("（链接已停用）", "(link revoked)"),
    "w_times_handed_in": ("（共交了 {n} 次）", "({n} hand-ins)"),
    "w_no_links_yet": ("还没有任何小组的链接。", "No team has a link yet."),
    "w_make_links": ("去生成链接", "Make links"),
    "w_summary_heading": ("月度汇总", "Monthly summary"),
    "w_summary_intro": (
        "用每个小组/店铺最新一次上交的文件生成月度汇总表（目前已通过 {n} 份）；有错误的文件不计入，并在汇总表中注明。",
        "Builds the monthly summary workbook from each team's latest hand-in ({n} accepted so far); a file with errors is left out and named in it.",
    ),
    "w_build_summary": ("生成月度汇总", "Build the summary"),
    "w_building": ("正在汇总：已读 {done}/{total} 份文件……", "Summarising: {done} of {total} files read…"),
    "w_building_n": (
        "正在汇总：已读 {done}/{total} 份文件；完成后本页会自动刷新。",
        "Summarising: {done} of {total} files read; this page refreshes itself when done.",
    ),
    "w_build_failed": ("汇总没有完成，请稍后再试。", "The summary did not finish; try again later."),
    "w_summary_ready": ("已完成", "Ready"),
    "w_summary_of": ("{month} 月度汇总", "Summary for {month}"),
    "w_download_summary": ("下载汇总表", "Download the summary"),
    "w_download_zip": ("下载全部批注副本（zip）", "Download every annotated copy (zip)"),
    "w_open": ("查看", "Open"),
    "w_all_submissions": ("本月全部上交记录（{n} 次）", "Every hand-in this month ({n})"),
    "w_none_this_month": ("本月还没有人上交。", "Nobody has handed in this month yet."),
    "w_links_title": ("小组链接", "Team links"),
    "w_new_link": ("生成链接", "Make a link"),
    "w_links_intro": (
        "每个小组或店铺一个链接，发给负责交表的同事即可，不需要密码。同名再生成一次会换一个新链接，旧链接随即失效。",
        "One link per team or shop; send it to whoever hands in, no password needed. Making a link again for the same name replaces it, and the old one stops working.",
    ),
    "w_link_name": ("小组/店铺名称", "Team or shop name"),
    "w_link_bundle": ("上交的工作簿", "Workbook handed in"),
    "w_make_link": ("生成", "Make"),
    "w_roster_hint": ("按部门的交表名单一键生成：", "Make one for an entry of the department's roster:"),
    "w_links_list": ("已有的链接", "Links"),
    "w_copy": ("复制", "Copy"),
    "w_copied": ("已复制", "Copied"),
    "w_revoke": ("停用", "Revoke"),
    "w_revoke_confirm": (
        "停用“{name}”的链接？停用后这个链接不能再打开，已交的文件会保留。",
        "Revoke the link of '{name}'? It stops working; files already handed in are kept.",
    ),
    "w_links_warning": (
        "持有链接的人就能以该小组的名义交表、查看该小组的记录，请只发给本人。链接泄露时请停用并重新生成。",
        "Whoever holds a link can hand in and see that team's record: send it only to its team. If a link leaks, revoke it and make a new one.",
    ),
    "w_template_file": ("{bundle}_{month}_模板.xlsx", "{bundle}_{month}_template.xlsx"),
    "w_summary_file": ("月度汇总_{month}.xlsx", "monthly_summary_{month}.xlsx"),
    "w_nothing_to_summarize": (
        "{month} 月还没有已通过检查的文件，无法汇总。",
        "No file of {month} has been accepted yet: nothing to summarise.",
    ),
    "w_err_unauthorized": (
        "需要登录或有效的链接（请求头 Authorization: Bearer <令牌>）。",
        "Sign in or use a valid link (header Authorization: Bearer <token>).",
    ),
    "w_err_sign_in": ("请先登录。", "Please sign in first."),
    "w_err_manager_only": ("只有经理可以这样做。", "Only the manager may do this."),
    "w_err_csrf": (
        "这个表单已过期或不是从本站提交的。请刷新页面后再试一次。",
        "This form has expired or was not sent from this site. Reload the page and try again.",
    ),
    "w_err_json": ("请求内容应为 JSON 对象。", "The request body must be a JSON object."),
    "w_err_month": (
        "“{month}”不是有效的月份，应写成 2026-11 这样。",
        "'{month}' is not a month; write it like 2026-11.",
    ),
    "w_err_rate_limited": (
        "登录失败次数过多，请 {seconds} 秒后再试。",
        "Too many failed sign-ins; try again in {seconds} s.",
    ),
    "w_err_password": ("密码不对。", "Wrong password."),
    "w_err_link_name": (
        "名称不能为空，不超过 60 个字，不能含有 / 或 \\ 等特殊字符。",
        "The name must not be empty, be at most 60 characters and hold no / or \\ or control characters.",
    ),
    "w_err_bundle": ("没有名为“{bundle}”的工作簿，可用：{known}", "There is no workbook '{bundle}'; known: {known}"),
    "w_err_no_link": ("没有名为“{name}”的有效链接。", "There is no live link named '{name}'."),
    "w_err_manager_link": (
        "经理上交时须在表单字段 link 中写明是哪个小组/店铺（须已有链接）。",
        "When the manager hands in, the form field 'link' must name the team or shop (one with a link).",
    ),
    "w_err_no_file": (
        "没有收到文件：请在表单字段 file 中上传 .xlsx 文件。",
        "No file received: send the .xlsx in the form field 'file'.",
    ),
    "w_err_empty_file": ("收到的文件是空的（0 字节）。", "The file received is empty (0 bytes)."),
    "w_err_too_large": ("文件太大：上限是 {mb} MB。", "The file is too large: the limit is {mb} MB."),
    "w_err_internal": (
        "检查时出了程序错误，已记录。请稍后重新上交；如果反复出现，请联系经理。",
        "A program error stopped the check (it has been logged). Hand the file in again later; if it keeps happening, tell the manager.",
    ),
    "w_err_no_submission": ("没有这条上交记录。", "There is no such hand-in."),
    "w_err_not_yours": ("这条上交记录不属于你的小组。", "This hand-in is not your team's."),
    "w_err_no_annotated": (
        "这份文件没有批注副本（没有发现问题，或无法读取）。",
        "This file has no annotated copy (nothing was found, or it could not be read).",
    ),
    "w_err_no_summary": ("没有这份汇总，或还没有生成完。", "There is no such summary, or it is not finished."),
    "w_err_bad_link": (
        "这个链接无效或已停用。请向经理要一个新的链接。",
        "This link is not valid or has been revoked. Ask the manager for a new one.",
    ),
    "w_err_not_found": ("没有这个页面。", "There is no such page."),
    "w_err_method": ("不支持这种请求方式。", "This request method is not supported here."),
    "w_err_bad_request": ("请求无效。", "The request is not valid."),
    "f_wrong_bundle": (
        "这是「{found}」的工作簿，应交的是「{expected}」：请下载应交的模板，把数据填进去再上交",
        "this is the workbook of '{found_en}', but '{expected_en}' is due: download the template due and fill it in",
    ),
    "r_rule_wrong_bundle": ("交错了工作簿", "wrong workbook"),
    "r_desc_wrong_bundle": (
        "网页上交的文件是另一个小组或另一种工作簿的（按文件自带的模板信息判断），不是这个链接应交的",
        "a file handed in on the web page is another team's or another kind of workbook (by the template facts it carries), not the one its link is due",
    ),
    "found_bundle": ("「{bundle}」的工作簿（{sheets}）", "the workbook of '{bundle}' ({sheets})"),
    "sv_password_reset": (
        "经理密码已重置，之前登录的会话全部失效。请打开 {url} 用新密码登录（只显示这一次，请记下）：\n  {password}",
        "The manager's password is reset and every earlier session has ended. Open {url} and sign in with the new password (shown only this once; note it down):\n  {password}",
    ),
    "sv_env_ignored": (
        "注意：经理账户已存在，环境变量 {env} 只在首次启动时使用，这次没有用它。要换密码请用 --reset-password。",
        "Note: the manager's account exists; {env} is used only on the first start and was not used now. To change the password, start with --reset-password.",
    ),
    "w_zip_file": ("批注副本_{month}.zip", "annotated_copies_{month}.zip"),
    "w_team_template_file": ("{name}_{month}_模板.xlsx", "{name}_{month}_template.xlsx"),
    "w_err_bundle_missing": (
        "请给出 bundle（这个链接应交的工作簿），可用：{known}",
        "Give the bundle (the workbook this link hands in); known: {known}",
    ),
    "w_err_server": (
        "服务器出了程序错误，已记录。请稍后再试；如果反复出现，请联系经理。",
        "The server hit a program error (it has been logged). Try again later; if it keeps happening, tell the manager.",
    ),
    "w_upload_retry": ("重新上交", "Hand in again"),
    "w_summary_interrupted": (
        "这次汇总没有完成（服务器被停止或重启）。请重新生成。",
        "This summary did not finish (the server was stopped or restarted). Build it again.",
    ),
    "w_summary_sources": ("用到的文件", "Files used"),
    "w_col_rows_taken": ("计入行数", "Rows taken"),
    "w_source_taken": ("已计入", "Taken"),
    "w_source_partly": ("部分计入", "Partly taken"),
    "w_source_left_out": ("未计入（有错误）", "Left out (errors)"),
    "w_source_unreadable": ("未计入（无法读取）", "Left out (unreadable)"),
    "w_source_copy": ("未计入（与另一份文件相同）", "Left out (a copy of another file)"),
    "w_source_other_month": ("未计入（其他月份）", "Left out (another month)"),
    "w_source_other_family": ("未计入（不是本部门的工作簿）", "Left out (not this department's workbook)"),
    "w_summary_missing": (
        "没有计入（未交或没有可用的文件）：{names}",
        "Not in it (missing, or no usable file): {names}",
    ),
    "w_summary_incomplete": (
        "注意：有文件或数据行没有计入，原因见下表和汇总表的“交表情况”。",
        "Note: some files or rows were left out; see the table below and the summary's hand-in sheet.",
    ),
    "w_err_stopping": (
        "服务器正在停止。文件已收到，重新启动后会自动检查。",
        "The server is stopping. The file is kept and will be checked when it starts again.",
    ),
    "w_err_body_too_large": ("请求内容太大（上限 {mb} MB）。", "The request body is too large (limit {mb} MB)."),
    "w_err_busy": (
        "你的小组已有 {n} 份文件正在检查，请等它们检查完再上交。",
        "{n} of your team's files are being checked; wait for them before handing in another.",
    ),
    "sv_port_taken": (
        "无法监听 {host}:{port}（{detail}）：可能已有一个 ecomsheets serve 在运行，或端口被别的程序占用。请换一个 --port。",
        "cannot listen on {host}:{port} ({detail}): an ecomsheets serve may already be running, or another program holds the port. Choose another --port.",
    ),
    "w_summary_read": ("读了 {n} 份文件，其中 {taken} 份计入汇总。", "{n} files read, {taken} of them in the summary."),
    "w_summary_unfinished": ("未完成", "Not finished"),
    # --- end issue 17 ---
    # --- issue 18: consolidation on a Dask cluster ---
    "h_opt_engine": (
        "在哪里读取和检查每个文件：local 本机（默认），dask 在 Dask 集群的各个工作进程上",
        "where each file is read and checked: local, this machine (default); dask, on the workers of a Dask cluster",
    ),
    "h_opt_scheduler": (
        "Dask 调度器的地址（如 tcp://10.0.0.5:8786）；不给则在本机起两个工作进程。各工作进程须能按相同路径读到文件",
        "address of the Dask scheduler (e.g. tcp://10.0.0.5:8786); without it, two workers on this machine. Every worker must see the files at the same paths",
    ),
    "dask_missing": ("未安装 Dask：请先运行 {install}", "Dask is not installed: run {install}"),
    "dask_unreachable": (
        "连不上 Dask 调度器 {address}：{detail}",
        "cannot reach the Dask scheduler {address}: {detail}",
    ),
    "h_opt_scratch": (
        "Dask 工作进程存放中间数据的文件夹或网址（如 s3://桶/临时），各工作进程都须能读写，用完即删；不给则用本机临时文件夹（只适用于本机的工作进程，用 --scheduler 时必须给）",
        "folder or URL (e.g. s3://bucket/tmp) where the Dask workers keep the rows between steps; every worker must read and write it; removed when done. Without it, this machine's temporary folder (only for workers on this machine: required with --scheduler)",
    ),
    "dask_scratch_needed": (
        "用 --scheduler 时请用 --scratch 给一个各工作进程都能读写的文件夹或网址（如共享文件夹 /共享/临时，或 s3://桶/临时）：本机的临时文件夹别的机器看不到",
        "with --scheduler, give --scratch a folder or URL every worker can read and write (a shared folder such as /shared/tmp, or s3://bucket/tmp): this machine's temporary folder is not seen by other machines",
    ),
    "cli_urls_need_dask": (
        "{url} 是网址：只有 --engine dask 能从网址读取文件，请加上 --engine dask，或先把文件下载到本机",
        "{url} is a URL: only --engine dask reads files from URLs; add --engine dask, or download the files first",
    ),
    "dask_url_unreadable": (
        "读不了 {url}：{detail}",
        "cannot read {url}: {detail}",
    ),
    # --- end issue 18 ---
}

KIND_NAMES = {"number": ("数字", "number"), "text": ("文本", "text"), "bool": ("条件（真/假）", "condition")}


def type_label(type_name: str, lang: str = "zh", month=None) -> str:
    """How a column type is named to users, with an example date inside the workbook's month."""
    day = month.start.replace(day=5).isoformat() if month is not None else "2026-11-05"
    return text(f"type_{type_name}", lang, day=day)


class _Formatter(string.Formatter):
    """str.format with conversions for English counts: {n!p} is "s" unless n is 1 (row{n!p}),
    {n!w} is "was" or "were", {n!i} is "is" or "are"."""

    def convert_field(self, value, conversion):
        if conversion == "p":
            return "" if value == 1 else "s"
        if conversion == "w":
            return "was" if value == 1 else "were"
        if conversion == "i":
            return "is" if value == 1 else "are"
        return super().convert_field(value, conversion)


_FORMATTER = _Formatter()


class Both(tuple[str, str]):
    """A parameter that differs by language, (zh, en): `text` and `both` fill in the side of the
    language they render (a list joined with 、 in Chinese and with ", " in English)."""

    def __new__(cls, zh: str, en: str) -> Both:
        return super().__new__(cls, (zh, en))


def join(items, sep: str = "sep_list") -> Both:
    """`items` joined with the separator `sep` (a code: sep_list, sep_clause, …) of each language."""
    items = list(items)
    zh, en = MESSAGES[sep]
    return Both(
        zh.join(str(i[0] if isinstance(i, Both) else i) for i in items),
        en.join(str(i[1] if isinstance(i, Both) else i) for i in items),
    )


def _format(template: str, params: dict, side: int = 0) -> str:
    params = {k: (v[side] if isinstance(v, Both) else v) for k, v in params.items()}
    if "!p}" in template or "!w}" in template or "!i}" in template:
        return _FORMATTER.vformat(template, (), params)
    return template.format(**params)


def text(code: str, lang: str = "zh", **params) -> str:
    zh, en = MESSAGES[code]
    return _format(en, params, 1) if lang == "en" else _format(zh, params)


def both(code: str, **params) -> tuple[str, str]:
    zh, en = MESSAGES[code]
    return _format(zh, params), _format(en, params, 1)


# Click's own words (its gettext message ids) in Chinese; English is Click's original.
CLICK_WORDS: dict[str, str] = {
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "[OPTIONS]": "[选项]",
    "COMMAND [ARGS]...": "命令 [参数]...",
    "Show this message and exit.": "显示本帮助并退出",
    "Show the version and exit.": "显示版本号并退出",
    "Error: {message}": "错误：{message}",
    "Aborted!": "已中止",
    "Missing command.": "缺少命令",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing {param_type}": "缺少{param_type}",
    "argument": "参数",
    "option": "选项",
    "parameter": "参数",
    "No such command {name!r}.": "没有这个命令：{name!r}",
    "No such option {name!r}.": "没有这个选项：{name!r}",
    "No such option: {name}": "没有这个选项：{name}",
    "Did you mean {possibility}?": "是不是想用 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（是不是想用其中之一：{possibilities}？）",
    "Try '{command} {option}' for help.": "可运行“{command} {option}”查看帮助。",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值不对：{message}",
    "Invalid value: {message}": "值不对：{message}",
    "Got unexpected extra argument ({args})": "多了一个参数（{args}）",
    "Got unexpected extra arguments ({args})": "多了几个参数（{args}）",
    "Option {name!r} requires an argument.": "选项 {name!r} 后面需要一个值",
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 后面需要 {nargs} 个值",
    "Option {name!r} does not take a value.": "选项 {name!r} 后面不能带值",
    "Argument {name!r} takes {nargs} values.": "参数 {name!r} 需要 {nargs} 个值",
    "{value!r} is not {choice}.": "{value!r} 不是 {choice}",
    "{value!r} is not one of {choices}.": "{value!r} 不是可选的值（{choices}）",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的{number_type}",
    "integer": "整数",
    "float": "数字",
    "{value} is not in the range {range}.": "{value} 不在允许的范围内（{range}）",
    "{value!r} is not a valid boolean. Recognized values: {states}": "{value!r} 不是有效的是/否值，可用：{states}",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是一个文件夹",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是一个文件，不是文件夹",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 无法读取",
    "{name} {filename!r} is not writable.": "{name} {filename!r} 无法写入",
    "{name} {filename!r} is not executable.": "{name} {filename!r} 不能执行",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "default: {default}": "默认：{default}",
    "required": "必填",
    "env var: {var}": "环境变量：{var}",
    "(dynamic)": "（动态）",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}：{message}",
    "unknown error": "未知错误",
}
