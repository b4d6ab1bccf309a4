"""`import`: platform and ERP exports into a department workbook, validated."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ecomsheets import cli_words as words
from ecomsheets import messages
from ecomsheets.cli.errors import handled
from ecomsheets.cli.options import argument, catalog, lang_option, limits, limits_options, option, schemas_option
from ecomsheets.cli.output import echo_json
from ecomsheets.textsafe import for_terminal, shown_path

LISTED = 10  # the exports' own findings shown on the console; the JSON has them all


@click.command("import", cls=words.Command, help_code="h_import")
@argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path), code="h_arg_exports")
@option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="h_opt_output_xlsx")
@option("--platform", default="auto", show_default=True, help="h_opt_platform")
@option("--month", help="h_opt_month_import")
@option("--shop", help="h_opt_shop")
@option("--force", is_flag=True, help="h_opt_force")
@option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="h_opt_format")
@limits_options
@schemas_option
@lang_option
@handled
def import_(
    paths,
    output,
    platform,
    month,
    shop,
    force,
    fmt,
    max_file_mb,
    max_sheet_rows,
    timeout_s,
    max_memory_gb,
    schema_dirs,
    lang,
) -> None:
    """Import exports (exit 0 clean, 1 with errors, 2 when a file is refused)."""
    from ecomsheets.imports import import_exports
    from ecomsheets.months import parse_month

    the_catalog = catalog(schema_dirs, lang)
    read_limits, process = limits(max_file_mb, max_sheet_rows, timeout_s, max_memory_gb)
    result = import_exports(
        list(paths),
        output,
        catalog=the_catalog,
        platform=platform,
        month=parse_month(month),
        shop=shop,
        force=force,
        lang=lang,
        limits=read_limits,
        process=process,
    )
    if fmt == "json":
        echo_json(result.to_dict(), default=str)
    else:
        _say(result, lang, platform == "auto")
    sys.exit(result.exit_code)


def _say(result, lang: str, auto: bool) -> None:
    def say(text: str) -> None:
        for line in text.splitlines():  # each line made safe for the terminal, the breaks kept
            click.echo(for_terminal(line))

    en = lang == "en"
    for line in result.files:
        if line.refused:
            say(messages.text("imp_refused", lang, file=line.file, why=line.refused.text(lang)))
            continue
        extra = []
        if line.alike:
            names = ", ".join(name for name, _, _ in line.alike)
            others = messages.join(messages.Both(zh, en_) for _, zh, en_ in line.alike)[1 if en else 0]
            extra.append(messages.text("imp_alike", lang, others=others, names=names))
        if line.total_rows:
            extra.append(messages.text("imp_totals", lang, n=line.total_rows))
        if line.header_rows:
            extra.append(messages.text("imp_headers", lang, n=line.header_rows))
        if line.replaced:
            extra.append(messages.text("imp_replaced", lang, n=line.replaced))
        if line.left_out:
            extra.append(messages.text("imp_left_out", lang, n=len(line.left_out)))
        say(
            messages.text(
                "imp_file",
                lang,
                file=line.file,
                platform=(line.title_en or line.title) if en else line.title,
                how=messages.text("imp_auto", lang) if auto else "",
                encoding=messages.text("imp_book", lang)
                if line.encoding in ("xlsx", "xls")
                else messages.text("imp_encoding", lang, name=line.encoding),
                rows=line.rows,
                orders=line.orders,
                extra="".join(extra),
            )
        )
    if result.month is not None:
        say(messages.text("imp_month_guessed" if result.month_guessed else "imp_month", lang, month=result.month))
    if result.replaced or result.conflicts:
        say(messages.text("imp_overlaps", lang, n=result.replaced, conflicts=result.conflicts))
    for f in result.findings[:LISTED]:
        say(f"  [{messages.text(f'cli_level_{f.severity}', lang)}] {f.text(lang)}")
    if len(result.findings) > LISTED:
        say(messages.text("imp_more", lang, n=len(result.findings) - LISTED))
    if result.output is None:
        say(messages.text("imp_nothing", lang))
        return
    tables = messages.join(
        messages.Both(*messages.both("imp_table_rows", sheet=sheet, n=n)) for sheet, n in result.sheet_rows()
    )
    say(messages.text("imp_written", lang, path=shown_path(result.output), tables=tables[1 if en else 0]))
    from ecomsheets.report.console import render_console

    say(render_console(result.report, lang))
