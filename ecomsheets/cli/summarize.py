"""`summarize`: recompute every metric of one workbook."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ecomsheets import cli_words as words
from ecomsheets import messages
from ecomsheets.cli.errors import EXIT_USAGE, handled
from ecomsheets.cli.inputs import inspect_all
from ecomsheets.cli.options import argument, catalog, lang_option, limits, limits_options, option, schemas_option
from ecomsheets.cli.output import echo_json, write_summary
from ecomsheets.errors import EcomsheetsError


@click.command("summarize", cls=words.Command, help_code="h_summarize")
@argument("file", type=click.Path(path_type=Path), code="h_arg_file")
@option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="h_opt_summary_output")
@option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="h_opt_format")
@option("--bundle", help="h_opt_bundle")
@option("--month", help="h_opt_month_summarize")
@option("--force", is_flag=True, help="h_opt_force")
@limits_options
@schemas_option
@lang_option
@handled
def summarize(
    file, output, fmt, bundle, month, force, max_file_mb, max_sheet_rows, timeout_s, max_memory_gb, schema_dirs, lang
) -> None:
    """Recompute every metric of one workbook."""
    from ecomsheets.months import parse_month
    from ecomsheets.report.metrics_text import render_metrics
    from ecomsheets.summarize.documents import summary_document

    if file.is_dir():
        raise EcomsheetsError(*messages.both("cli_summarize_folder", path=file))
    the_catalog = catalog(schema_dirs, lang)
    if output:
        from ecomsheets.atomic import check_target

        check_target(output, force=force, inputs=(file,))
    the_limits = limits(max_file_mb, max_sheet_rows, timeout_s, max_memory_gb)
    (insp,) = inspect_all([file], the_catalog, bundle, parse_month(month), lang, fmt, the_limits, keep="metrics")
    if insp.ctx is None:
        from ecomsheets.report.console import render_console

        click.echo(render_console(insp.report, lang), err=True)
        sys.exit(EXIT_USAGE)
    document = summary_document(file, insp)
    if fmt == "json":
        echo_json(document)
    else:
        click.echo(render_metrics(document["metrics"], insp.ctx.bundle, document["file"], insp.report, lang))
    if output:
        write_summary(
            [insp], the_catalog, output, force, lang, (file,), fmt, month=insp.ctx.month, include_invalid=True
        )
