"""`generate`: a blank workbook template."""

from __future__ import annotations

from pathlib import Path

import click

from ecomsheets import cli_words as words
from ecomsheets import messages
from ecomsheets.cli.errors import handled
from ecomsheets.cli.options import (
    argument,
    catalog,
    lang_option,
    limits,
    masters_option,
    option,
    schemas_option,
    table_names,
)


@click.command("generate", cls=words.Command, help_code="h_generate")
@argument("workbook", code="h_arg_workbook")
@option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="h_opt_output_xlsx")
@option("--month", help="h_opt_month_generate")
@option("--tables", help="h_opt_tables")
@option(
    "--rows", type=words.Number(1, 100_000, integer=True), default=500, show_default=True, help="h_opt_rows_generate"
)
@option("--force", is_flag=True, help="h_opt_force")
@masters_option("h_opt_masters_generate")
@schemas_option
@lang_option
@handled
def generate(workbook, output, month, tables, rows, force, master_files, schema_dirs, lang) -> None:
    """Generate a blank workbook template."""
    from ecomsheets.atomic import check_target
    from ecomsheets.generate import generate_workbook
    from ecomsheets.generate.masters_sheet import needed_masters, read_master_copies
    from ecomsheets.months import parse_month

    the_catalog = catalog(schema_dirs, lang)
    wanted = table_names(tables)
    the_month = parse_month(month)
    copies = None
    if master_files:
        check_target(output, force=force, inputs=tuple(master_files))  # before the masters are read
        reading, process = limits(None, None, None, None)
        copies = read_master_copies(the_catalog, workbook, master_files, tables=wanted, limits=reading, process=process)
    result = generate_workbook(
        the_catalog,
        workbook,
        output,
        month=the_month,
        lang=lang,
        rows=rows,
        force=force,
        tables=wanted,
        masters=copies,
    )
    visible = [s for s in result.sheets if not s.startswith("_")]
    click.echo(messages.text("cli_written", lang, path=output, sheets=len(visible), seconds=result.seconds))
    if copies:
        items = [
            messages.text(
                "ms_copied_item",
                lang,
                title=the_catalog.tables[m["table"]].sheet_name(lang),
                n=m["rows"],
                source=m["source"],
            )
            for m in result.meta.get("masters", [])
        ]
        click.echo(messages.text("ms_copied", lang, items=messages.text("sep_list", lang).join(items)))
        return
    needed = needed_masters(the_catalog, the_catalog.bundle(workbook), wanted)
    if needed:
        titles = messages.join(the_catalog.tables[m.table].sheet for m in needed)
        titles_en = messages.join(the_catalog.tables[m.table].sheet_name("en") for m in needed)
        click.echo(messages.text("ms_none_given", lang, titles=titles[0], titles_en=titles_en[1]))
