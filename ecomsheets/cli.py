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
    en = lang == "en"
    click.echo("Workbooks:" if en else "工作簿模板：")
    for b in catalog.workbooks.values():
        title = b.title_en if en and b.title_en else b.title
        click.echo(f"  {b.name:<16} v{b.version}  {title}（{len(b.tables)} 张表）" if not en
                   else f"  {b.name:<16} v{b.version}  {title} ({len(b.tables)} tables)")
    click.echo("Tables:" if en else "表：")
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


if __name__ == "__main__":
    main()
