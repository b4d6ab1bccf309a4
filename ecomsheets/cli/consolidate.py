"""`consolidate`: merge many workbooks into the month's summary workbook."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ecomsheets import cli_words as words
from ecomsheets import messages
from ecomsheets.cli.errors import EXIT_USAGE, handled
from ecomsheets.cli.inputs import inputs_named, inspect_all, read_master_lists
from ecomsheets.cli.options import (
    SHEET_ROWS,
    argument,
    catalog,
    lang_option,
    limits,
    limits_options,
    masters_option,
    option,
    schemas_option,
)
from ecomsheets.cli.output import echo_json, write_summary
from ecomsheets.cli.status import status_lines
from ecomsheets.textsafe import for_terminal


@click.command("consolidate", cls=words.Command, help_code="h_consolidate")
@argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path), code="h_arg_paths")
@option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="h_opt_consolidate_output"
)
@option("--month", help="h_opt_month_consolidate")
@option("--include-invalid", is_flag=True, help="h_opt_include_invalid")
@option("--data-rows", type=words.Number(0, SHEET_ROWS, integer=True), default=None, help="h_opt_data_rows")
@option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="h_opt_format")
@option("--bundle", help="h_opt_bundle")
@option("--force", is_flag=True, help="h_opt_force")
@option("--previous", type=click.Path(dir_okay=False, path_type=Path), default=None, help="h_opt_previous")
@option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True, help="h_opt_engine")
@option("--scheduler", default=None, help="h_opt_scheduler")
@masters_option("h_opt_masters_validate")
@limits_options
@schemas_option
@lang_option
@handled
def consolidate(
    paths,
    output,
    month,
    include_invalid,
    data_rows,
    fmt,
    bundle,
    force,
    previous,
    engine,
    scheduler,
    master_files,
    max_file_mb,
    max_sheet_rows,
    timeout_s,
    max_memory_gb,
    schema_dirs,
    lang,
) -> None:
    """Merge many workbooks into the monthly summary."""
    from ecomsheets.atomic import check_target
    from ecomsheets.months import parse_month

    the_catalog = catalog(schema_dirs, lang)
    the_month = parse_month(month)
    named = inputs_named(paths)
    files = [f for f, _ in named]
    check_target(output, force=force, inputs=tuple(files))
    the_limits = limits(max_file_mb, max_sheet_rows, timeout_s, max_memory_gb)
    masters = read_master_lists(master_files, the_catalog, the_limits)
    if engine == "dask":
        from ecomsheets.summarize.dask_engine import dask_client, inspect_on_cluster
        from ecomsheets.textsafe import shown_path

        with dask_client(scheduler) as client:
            inspections = inspect_on_cluster(
                client,
                files,
                schema_dirs=schema_dirs,
                bundle=bundle,
                month=the_month,
                limits=the_limits[0],
                process=the_limits[1],
                catalog=the_catalog,
                masters=masters,
            )
        for insp, (_, name) in zip(inspections, named):
            insp.report.label = shown_path(name)
    else:
        inspections = inspect_all(
            files, the_catalog, bundle, the_month, lang, fmt, the_limits, named=named, masters=masters
        )
    result = write_summary(
        inspections,
        the_catalog,
        output,
        force,
        lang,
        files,
        fmt,
        month=the_month,
        include_invalid=include_invalid,
        data_rows=data_rows,
        previous=previous,
    )
    taken = sum(s.status in ("taken", "partly") for s in result.sources)
    if fmt == "json":
        from ecomsheets.summarize.documents import consolidation_document

        echo_json(consolidation_document(result, output))
    else:
        rows = sum(len(f) for f in result.tables.values())
        click.echo(
            messages.text(
                "cli_consolidated",
                lang,
                files=len(result.sources),
                taken=taken,
                rows=rows,
                problems=len(result.findings),
            )
        )
        for line in status_lines(result, lang):
            click.echo(line)
        for f in result.findings:
            name = f"{Path(f.file).name} " if f.file else ""
            if f.sheet and f.cell:  # found across files (a reference to another file's sheet): where
                name += f"{f.where} "
            click.echo(f"  [{messages.text('cli_level_' + f.severity, lang)}] {for_terminal(name + f.text(lang))}")
        if any(s.status == "left_out" for s in result.sources):
            click.echo(messages.text("cli_hint_include_invalid", lang))
    # 0: every file taken whole; 1: a file or rows left out, or conflicts; 2: nothing usable.
    sys.exit(0 if result.complete else 1 if taken else EXIT_USAGE)
