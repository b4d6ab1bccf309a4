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
from ecomsheets.errors import UsageError
from ecomsheets.textsafe import for_terminal


@click.command("consolidate", cls=words.Command, help_code="h_consolidate")
@argument("paths", nargs=-1, required=True, type=click.Path(), code="h_arg_paths")
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
@option("--scratch", default=None, help="h_opt_scratch")
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
    scratch,
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
    urls = [p for p in paths if "://" in p]
    if urls and engine != "dask":
        raise UsageError(*messages.both("cli_urls_need_dask", url=urls[0]))
    named = inputs_named(tuple(Path(p) for p in paths if "://" not in p)) if len(urls) < len(paths) else []
    files = [f for f, _ in named]
    check_target(output, force=force, inputs=tuple(files))
    the_limits = limits(max_file_mb, max_sheet_rows, timeout_s, max_memory_gb)
    masters = read_master_lists(master_files, the_catalog, the_limits)
    summary = dict(month=the_month, include_invalid=include_invalid, data_rows=data_rows, previous=previous)
    if engine == "dask":
        from ecomsheets.summarize.dask_engine import consolidate_on_cluster, dask_client, urls_named
        from ecomsheets.summarize.writer import MAX_DATA_ROWS
        from ecomsheets.textsafe import shown_path

        if scheduler and not scratch:  # this machine's temporary folder is not the cluster's
            raise UsageError(*messages.both("dask_scratch_needed"))
        named = [*named, *(pair for u in urls for pair in urls_named(u))]
        if not named:
            raise UsageError(*messages.both("cli_no_inputs", paths=", ".join(paths)))
        files = [f for f, _ in named]

        def on_cluster(_inputs, the_catalog, *, month, include_invalid):
            return consolidate_on_cluster(
                client,
                files,
                the_catalog,
                schema_dirs=schema_dirs,
                bundle=bundle,
                month=month,
                include_invalid=include_invalid,
                limits=the_limits[0],
                process=the_limits[1],
                masters=masters,
                labels=[shown_path(n) for _, n in named],
                data_rows=MAX_DATA_ROWS if data_rows is None else data_rows,
                scratch=scratch,
            )

        with dask_client(scheduler) as client:
            local = tuple(f for f in files if "://" not in str(f))
            result = write_summary(None, the_catalog, output, force, lang, local, fmt, **summary, merge=on_cluster)
    else:
        inspections = inspect_all(
            files, the_catalog, bundle, the_month, lang, fmt, the_limits, named=named, masters=masters
        )
        result = write_summary(inspections, the_catalog, output, force, lang, files, fmt, **summary)
    taken = sum(s.status in ("taken", "partly") for s in result.sources)
    if fmt == "json":
        from ecomsheets.summarize.documents import consolidation_document

        echo_json(consolidation_document(result, output))
    else:
        rows = sum(result.rows.values())
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
