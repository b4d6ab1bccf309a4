"""`generate`: a blank workbook template."""

from __future__ import annotations

from pathlib import Path

import click

from ecomsheets import cli_words as words
from ecomsheets import messages
from ecomsheets.cli.errors import handled
from ecomsheets.cli.options import argument, catalog, lang_option, option, schemas_option, table_names


@click.command("generate", cls=words.Command, help_code="h_generate")
@argument("workbook", code="h_arg_workbook")
@option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="h_opt_output_xlsx")
@option("--month", help="h_opt_month_generate")
@option("--tables", help="h_opt_tables")
@option(
    "--rows", type=words.Number(1, 100_000, integer=True), default=500, show_default=True, help="h_opt_rows_generate"
)
@option("--force", is_flag=True, help="h_opt_force")
@schemas_option
@lang_option
@handled
def generate(workbook, output, month, tables, rows, force, schema_dirs, lang) -> None:
    """Generate a blank workbook template."""
    from ecomsheets.generate import generate_workbook
    from ecomsheets.months import parse_month

    result = generate_workbook(
        catalog(schema_dirs, lang),
        workbook,
        output,
        month=parse_month(month),
        lang=lang,
        rows=rows,
        force=force,
        tables=table_names(tables),
    )
    visible = [s for s in result.sheets if not s.startswith("_")]
    click.echo(messages.text("cli_written", lang, path=output, sheets=len(visible), seconds=result.seconds))
