"""The command line: parse options, call the API, render, set the exit code.

Exit codes: 0 fine, 1 validation errors found, 2 unusable input or misuse.
Heavy libraries are imported inside commands so that `--help` starts fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ecomsheets import __version__, messages
from ecomsheets.errors import EcomsheetsError, SchemaError

EXIT_USAGE = 2

_schemas_option = click.option(
    "--schemas", "schema_dirs", multiple=True, type=click.Path(file_okay=False, path_type=Path),
    help="额外的模板定义文件夹（含 tables/、workbooks/），可覆盖内置定义 / extra schema folder")
_lang_option = click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
                            help="输出语言 / output language")


def _limits_options(fn):
    """Safety limits for reading submitted files (defaults in README, 'Safety limits')."""
    options = [
        click.option("--max-file-mb", type=click.FloatRange(min=0.001), default=None,
                     help="单个文件大小上限（MB，默认 200）/ max file size"),
        click.option("--max-rows", "max_sheet_rows", type=click.IntRange(min=1), default=None,
                     help="工作表使用范围的行数上限 / max used rows of a sheet"),
        click.option("--timeout", "timeout_s", type=click.FloatRange(min=1), default=None,
                     help="读取一个文件的时间上限（秒，默认 600）/ time limit per file"),
        click.option("--max-memory-gb", type=click.FloatRange(min=0.25), default=None,
                     help="读取一个文件的内存上限（GB，默认 8）/ memory limit per file"),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _limits(max_file_mb, max_sheet_rows, timeout_s, max_memory_gb):
    from dataclasses import replace

    from ecomsheets.read.guard import Limits
    from ecomsheets.read.isolate import ProcessLimits

    limits, process = Limits(), ProcessLimits()
    if max_file_mb:
        limits = replace(limits, max_file_bytes=int(max_file_mb * 2**20))
    if max_sheet_rows:
        limits = replace(limits, max_rows=max_sheet_rows)
    if timeout_s:
        process = replace(process, seconds=timeout_s)
    if max_memory_gb:
        process = replace(process, memory_bytes=int(max_memory_gb * 2**30))
    return limits, process


def _fail(exc: EcomsheetsError, lang: str) -> None:
    if isinstance(exc, SchemaError):
        click.echo(messages.text("cli_schema_errors", lang, count=len(exc.problems)), err=True)
        for p in exc.problems:
            click.echo("  " + p.text(lang), err=True)
    else:
        click.echo(exc.text(lang), err=True)
    sys.exit(EXIT_USAGE)


def _catalog(schema_dirs, lang):
    from ecomsheets.schema import load_catalog

    for d in schema_dirs:
        if not Path(d).is_dir():
            raise click.BadParameter(f"{d}: 文件夹不存在 / folder not found", param_hint="--schemas")
    return load_catalog(schema_dirs)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ecomsheets")
def main() -> None:
    """ecomsheets：电商部管理表格的模板生成、校验与月度汇总。

    ecomsheets: templates, validation and monthly summaries for e-commerce department sheets.
    """


@main.group()
def schemas() -> None:
    """查看模板定义 / list and show schemas."""


@schemas.command("list")
@_schemas_option
@_lang_option
def schemas_list(schema_dirs, lang) -> None:
    """列出所有表和工作簿模板 / list tables and workbook bundles."""
    try:
        catalog = _catalog(schema_dirs, lang)
    except EcomsheetsError as exc:
        _fail(exc, lang)
    click.echo(messages.text("cli_list_workbooks", lang))
    for b in catalog.workbooks.values():
        title = b.title_en if lang == "en" and b.title_en else b.title
        click.echo(messages.text("cli_list_workbook", lang, name=f"{b.name:<16}", version=b.version, title=title,
                                 n=len(b.tables)))
    click.echo(messages.text("cli_list_tables", lang))
    for t in catalog.tables.values():
        click.echo(f"  {t.name:<16} v{t.version}  {t.sheet_name(lang):<10} {t.display_title(lang)}")


@schemas.command("show")
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_schemas_option
@_lang_option
def schemas_show(name, fmt, schema_dirs, lang) -> None:
    """显示一张表（或一个工作簿模板）的定义 / show a table or bundle."""
    from ecomsheets.schema.export import table_dict, workbook_dict

    try:
        catalog = _catalog(schema_dirs, lang)
        if name in catalog.tables or name not in catalog.workbooks:
            spec = catalog.table(name)
            data = table_dict(spec)
        else:
            spec = catalog.workbook(name)
            data = workbook_dict(spec)
    except EcomsheetsError as exc:
        _fail(exc, lang)
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    from ecomsheets.report.schema_text import render_schema

    click.echo(render_schema(spec, catalog, lang))


@main.command()
@click.argument("workbook")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="输出文件 / output .xlsx")
@click.option("--month", help="月份，如 2026-12（日期列将限定在该月内） / month, e.g. 2026-12")
@click.option("--tables", help="只生成这些表，逗号分隔 / only these tables, comma-separated")
@click.option("--rows", type=int, default=500, show_default=True, help="预留格式化行数 / pre-formatted rows")
@click.option("--force", is_flag=True, help="覆盖已存在的输出文件 / overwrite an existing output")
@_schemas_option
@_lang_option
def generate(workbook, output, month, tables, rows, force, schema_dirs, lang) -> None:
    """生成空白的部门工作簿模板 / generate a blank department workbook."""
    from ecomsheets.generate import generate_workbook
    from ecomsheets.months import parse_month

    try:
        catalog = _catalog(schema_dirs, lang)
        result = generate_workbook(
            catalog, workbook, output, month=parse_month(month), lang=lang, rows=rows, force=force,
            tables=[t.strip() for t in tables.split(",") if t.strip()] if tables is not None else None)
    except EcomsheetsError as exc:
        _fail(exc, lang)
    visible = [s for s in result.sheets if not s.startswith("_")]
    click.echo(messages.text("cli_written", lang, path=output, sheets=len(visible), seconds=result.seconds))


def _inputs(paths: tuple[Path, ...]) -> list[Path]:
    """Files as given, and every file inside folders (recursively), so that each one is either
    read or reported with why not; lock files (~$…) and hidden files and folders are skipped."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith("~$")
                              and not any(part.startswith(".") for part in f.relative_to(p).parts)))
        else:
            out.append(p)
    return out


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="输出格式 / output format")
@click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path),
              help="另存一份 HTML 报告 / also write an HTML report")
@click.option("--annotate", "annotate_path", type=click.Path(path_type=Path),
              help="写出标注了问题的副本（多个文件时为文件夹）/ annotated copy (a folder for several files)")
@click.option("--bundle", help="指定工作簿模板（默认自动识别）/ bundle name (default: detected)")
@click.option("--month", help="月份，如 2026-11（默认取模板中的月份）/ month of the data")
@click.option("--force", is_flag=True, help="覆盖已存在的输出文件 / overwrite existing outputs")
@click.option("--max-findings", type=click.IntRange(min=0), default=None,
              help="最多列出的问题条数：JSON 每个文件（默认全部列出），屏幕上每个工作表（默认 20）；数量统计总是完整的 "
                   "/ findings listed: per file in JSON (default all), per sheet on screen (default 20); counts are always complete")
@_limits_options
@_schemas_option
@_lang_option
def validate(paths, fmt, html_path, annotate_path, bundle, month, force, max_findings, max_file_mb, max_sheet_rows,
             timeout_s, max_memory_gb, schema_dirs, lang) -> None:
    """检查提交的工作簿，指出每个有问题的单元格 / validate submitted workbooks.

    退出码 / exit code: 0 没有错误 no errors，1 有错误 errors found，2 无法读取或用法错误 unreadable or misuse.
    """
    from ecomsheets.months import parse_month

    try:
        catalog = _catalog(schema_dirs, lang)
        wanted_month = parse_month(month)
        if bundle:
            catalog.workbook(bundle)
        files = _inputs(paths)
        if not files:
            raise EcomsheetsError(*messages.both("cli_no_inputs", paths=", ".join(map(str, paths))))
        from ecomsheets.atomic import check_target

        if html_path:
            check_target(html_path, force=force, inputs=tuple(files))
        limits = _limits(max_file_mb, max_sheet_rows, timeout_s, max_memory_gb)
        reports = [i.report for i in _inspect_all(files, catalog, bundle, wanted_month, lang, fmt, limits,
                                                  keep="report")]
    except EcomsheetsError as exc:
        _fail(exc, lang)
    if fmt == "json":
        data = [r.to_dict(max_findings) for r in reports]
        click.echo(json.dumps(data[0] if len(reports) == 1 and len(paths) == 1 and not paths[0].is_dir()
                              else data, ensure_ascii=False, indent=2, default=str))
    else:
        from ecomsheets.report.console import CONSOLE_PER_SHEET, render_console

        for r in reports:
            click.echo(render_console(r, lang, per_sheet=CONSOLE_PER_SHEET if max_findings is None else max_findings))
    try:
        _write_outputs(reports, files, html_path, annotate_path, force, lang, fmt)
    except EcomsheetsError as exc:
        _fail(exc, lang)
    sys.exit(max((2 if r.unreadable else 1 if r.errors else 0) for r in reports))


def _write_outputs(reports, files, html_path, annotate_path, force, lang, fmt) -> None:
    say = (lambda text: click.echo(text, err=True)) if fmt == "json" else click.echo
    if html_path:
        from ecomsheets.report.html import write_html

        write_html(reports, html_path, force=force, lang=lang)
        say(messages.text("cli_wrote_html", lang, path=html_path))
    if annotate_path:
        from ecomsheets.report.annotate import write_annotated

        # A marked-up copy only helps where there is something to mark.
        readable = [(f, r) for f, r in zip(files, reports) if not r.unreadable and r.findings]
        if len(files) == 1:
            targets = [(files[0], reports[0], annotate_path)] if readable else []  # noqa: E501
        else:
            annotate_path.mkdir(parents=True, exist_ok=True)
            targets = [(f, r, annotate_path / f"{f.stem}_校验.xlsx") for f, r in readable]
        for source, report, out in targets:
            write_annotated(source, report, out, force=force, lang=lang)
            say(messages.text("cli_wrote_annotated", lang, path=out))


@main.command()
@click.argument("workbook")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--month", default="2026-11", show_default=True, help="数据所在月份 / month of the rows")
@click.option("--rows", type=int, default=200, show_default=True, help="订单等明细表的行数 / rows per detail table")
@click.option("--seed", type=int, default=1, show_default=True, help="随机种子，不同种子编号不同 / random seed")
@click.option("--tables", help="只生成这些表 / only these tables")
@click.option("--force", is_flag=True)
@_schemas_option
@_lang_option
def example(workbook, output, month, rows, seed, tables, force, schema_dirs, lang) -> None:
    """生成填好示例数据的工作簿（可直接通过校验）/ write a workbook filled with example rows."""
    import time

    from ecomsheets.example import example_frames
    from ecomsheets.generate import generate_workbook
    from ecomsheets.months import parse_month

    try:
        catalog = _catalog(schema_dirs, lang)
        wanted = [t.strip() for t in tables.split(",") if t.strip()] if tables is not None else None
        started = time.perf_counter()
        the_month = parse_month(month)
        frames = example_frames(catalog, workbook, the_month, rows=rows, seed=seed, tables=wanted, chunked=True)
        generate_workbook(catalog, workbook, output, month=the_month, lang=lang, force=force,
                          tables=wanted, data=frames)
    except EcomsheetsError as exc:
        _fail(exc, lang)
    total = sum(len(f) for f in frames.values())
    click.echo(messages.text("cli_example_written", lang, path=output, rows=total,
                             seconds=time.perf_counter() - started))


def _inspect_all(files, catalog, bundle, month, lang, fmt, limits, keep="tables"):
    """Inspect files (several at once), with a progress bar on the console for several files."""
    from ecomsheets.validate.run import inspect_many

    options = dict(catalog=catalog, bundle=bundle, month=month, keep=keep, limits=limits[0], process=limits[1])
    if len(files) > 1 and fmt == "text" and sys.stderr.isatty():
        with click.progressbar(length=len(files), label=messages.text("cli_checking", lang), file=sys.stderr,
                               show_pos=True) as bar:
            return inspect_many(files, progress=bar.update, **options)
    return inspect_many(files, **options)


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="另存汇总工作簿 / also write a summary workbook")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--bundle")
@click.option("--month")
@click.option("--force", is_flag=True)
@_limits_options
@_schemas_option
@_lang_option
def summarize(file, output, fmt, bundle, month, force, max_file_mb, max_sheet_rows, timeout_s, max_memory_gb,
              schema_dirs, lang) -> None:
    """按明细重新计算一个工作簿的全部指标 / recompute every metric of one workbook."""
    from ecomsheets.months import parse_month
    from ecomsheets.report.metrics_text import render_metrics
    from ecomsheets.summarize.records import metric_records

    try:
        catalog = _catalog(schema_dirs, lang)
        if output:
            from ecomsheets.atomic import check_target

            check_target(output, force=force, inputs=(file,))
        limits = _limits(max_file_mb, max_sheet_rows, timeout_s, max_memory_gb)
        (insp,) = _inspect_all([file], catalog, bundle, parse_month(month), lang, fmt, limits, keep="metrics")
    except EcomsheetsError as exc:
        _fail(exc, lang)
    if insp.ctx is None:
        from ecomsheets.report.console import render_console

        click.echo(render_console(insp.report, lang), err=True)
        sys.exit(EXIT_USAGE)
    records = metric_records(insp.metrics, insp.data)
    if fmt == "json":
        click.echo(json.dumps({"file": str(file), "bundle": insp.ctx.bundle.name, "metrics": records},
                              ensure_ascii=False, indent=2))
    else:
        click.echo(render_metrics(records, insp.ctx.bundle, str(file), insp.report, lang))
    if output:
        _write_summary([insp], catalog, output, force, lang, (file,), fmt, month=insp.ctx.month,
                       include_invalid=True)


def _write_summary(inspections, catalog, output, force, lang, inputs, fmt, *, month, include_invalid,
                   data_rows=None):
    from ecomsheets.summarize.consolidate import consolidate as merge
    from ecomsheets.summarize.writer import write_summary_workbook

    result = merge(inspections, catalog, month=month, include_invalid=include_invalid)
    if result.bundle is None:
        raise EcomsheetsError(*messages.both("cli_cannot_summarize", file=", ".join(map(str, inputs))))
    from ecomsheets.summarize.writer import MAX_DATA_ROWS

    write_summary_workbook(result, catalog, output, force=force, lang=lang, inputs=tuple(inputs),
                           data_rows=MAX_DATA_ROWS if data_rows is None else data_rows)
    say = (lambda text: click.echo(text, err=True)) if fmt == "json" else click.echo
    say(messages.text("cli_summary_written", lang, path=output))
    return result


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="汇总工作簿，如 月度汇总_2026-11.xlsx / the monthly summary workbook")
@click.option("--month", help="只计入这个月的行，如 2026-11 / only rows of this month")
@click.option("--include-invalid", is_flag=True, help="有错误的文件也计入其中无误的行 / take valid rows of invalid files")
@click.option("--data-rows", type=click.IntRange(min=0), default=None,
              help="每张明细表最多写入的行数（0 = 只写汇总，默认写满一张表的上限）/ max merged rows per data sheet")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--bundle")
@click.option("--force", is_flag=True)
@_limits_options
@_schemas_option
@_lang_option
def consolidate(paths, output, month, include_invalid, data_rows, fmt, bundle, force, max_file_mb, max_sheet_rows,
                timeout_s, max_memory_gb, schema_dirs, lang) -> None:
    """把多份工作簿合并成月度汇总工作簿 / merge many workbooks into the monthly summary."""
    from ecomsheets.atomic import check_target
    from ecomsheets.months import parse_month
    from ecomsheets.summarize.records import metric_records

    try:
        catalog = _catalog(schema_dirs, lang)
        the_month = parse_month(month)
        files = _inputs(paths)
        if not files:
            raise EcomsheetsError(*messages.both("cli_no_inputs", paths=", ".join(map(str, paths))))
        check_target(output, force=force, inputs=tuple(files))
        limits = _limits(max_file_mb, max_sheet_rows, timeout_s, max_memory_gb)
        inspections = _inspect_all(files, catalog, bundle, the_month, lang, fmt, limits)
        result = _write_summary(inspections, catalog, output, force, lang, files, fmt, month=the_month,
                                include_invalid=include_invalid, data_rows=data_rows)
    except EcomsheetsError as exc:
        _fail(exc, lang)
    taken = sum(s.status in ("taken", "partly") for s in result.sources)
    rows = sum(len(f) for f in result.tables.values())
    if fmt == "json":
        click.echo(json.dumps({
            "bundle": result.bundle.name, "month": str(result.month) if result.month else None,
            "output": str(output), "complete": result.complete, "metrics": metric_records(result.metrics),
            "sources": [{"file": s.path, "sha256": s.sha256, "rows_read": s.rows_read, "rows_taken": s.rows_taken,
                         "errors": s.errors, "warnings": s.warnings, "status": s.status} for s in result.sources],
            "left_out": dict(result.left_out),
            "findings": [{"file": f.file, **f.to_dict()} for f in result.findings],
        }, ensure_ascii=False, indent=2))
    else:
        click.echo(messages.text("cli_consolidated", lang, files=len(result.sources), taken=taken, rows=rows,
                                 problems=len(result.findings)))
        for f in result.findings:
            name = f"{Path(f.file).name} " if f.file else ""
            click.echo(f"  [{messages.text('cli_level_' + f.severity, lang)}] {name}{f.text(lang)}")
        if any(s.status == "left_out" for s in result.sources):
            click.echo(messages.text("cli_hint_include_invalid", lang))
    # 0: every file taken whole; 1: a file or rows left out, or conflicts; 2: nothing usable.
    sys.exit(0 if result.complete else 1 if taken else EXIT_USAGE)


if __name__ == "__main__":
    main()
