"""`example`: a workbook filled with example rows."""

from __future__ import annotations

from pathlib import Path

import click

from ecomsheets import cli_words as words
from ecomsheets import messages
from ecomsheets.cli.errors import handled
from ecomsheets.cli.options import EXAMPLE_ROWS, argument, catalog, lang_option, option, schemas_option, table_names


@click.command("example", cls=words.Command, help_code="h_example")
@argument("workbook", code="h_arg_workbook")
@option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="h_opt_output_xlsx")
@option("--month", default="2026-11", show_default=True, help="h_opt_month_example")
@option(
    "--rows",
    type=words.Number(1, EXAMPLE_ROWS, integer=True),
    default=200,
    show_default=True,
    help="h_opt_rows_example",
)
@option("--seed", type=words.Number(0, 2**32 - 1, integer=True), default=1, show_default=True, help="h_opt_seed")
@option("--tables", help="h_opt_tables")
@option("--force", is_flag=True, help="h_opt_force")
@schemas_option
@lang_option
@handled
def example(workbook, output, month, rows, seed, tables, force, schema_dirs, lang) -> None:
    """Write a workbook filled with example rows."""
    import time

    from ecomsheets.example import example_frames
    from ecomsheets.generate import generate_workbook
    from ecomsheets.months import parse_month

    the_catalog = catalog(schema_dirs, lang)
    wanted = table_names(tables)
    started = time.perf_counter()
    the_month = parse_month(month)
    bundle = the_catalog.bundle(workbook)
    masters = None
    if bundle.family:
        # A team's example rows are its share of the department's; the master lists it refers
        # to are copied from the same rows, as `generate --masters` copies a real master file.
        from ecomsheets.generate.masters_sheet import masters_from_frames

        family = example_frames(the_catalog, bundle.family, the_month, rows=rows, seed=seed, chunked=True)
        frames = {n: family[n] for n in bundle.tables if wanted is None or n in wanted}
        masters = masters_from_frames(the_catalog, bundle, family, messages.text("ms_example_source", lang))
    else:
        frames = example_frames(the_catalog, workbook, the_month, rows=rows, seed=seed, tables=wanted, chunked=True)
    generate_workbook(
        the_catalog,
        bundle.name,
        output,
        month=the_month,
        lang=lang,
        force=force,
        tables=wanted,
        data=frames,
        masters=masters,
    )
    total = sum(len(f) for f in frames.values())
    click.echo(
        messages.text("cli_example_written", lang, path=output, rows=total, seconds=time.perf_counter() - started)
    )
