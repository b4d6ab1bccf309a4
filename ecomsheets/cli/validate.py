"""`validate`: check handed-in workbooks; the console, JSON, an HTML report, annotated copies."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ecomsheets import cli_words as words
from ecomsheets import messages
from ecomsheets.cli.errors import EXIT_USAGE, handled
from ecomsheets.cli.inputs import inputs_named, inspect_all, read_master_lists
from ecomsheets.cli.options import (
    argument,
    catalog,
    lang_option,
    limits,
    limits_options,
    masters_option,
    option,
    schemas_option,
)
from ecomsheets.cli.output import echo_json
from ecomsheets.errors import EcomsheetsError
from ecomsheets.textsafe import for_terminal, shown_path


@click.command("validate", cls=words.Command, help_code="h_validate")
@argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path), code="h_arg_paths")
@option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="h_opt_format")
@option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path), help="h_opt_html")
@option("--annotate", "annotate_path", type=click.Path(path_type=Path), help="h_opt_annotate")
@option("--bundle", help="h_opt_bundle")
@option("--month", help="h_opt_month_validate")
@option("--force", is_flag=True, help="h_opt_force")
@option("--max-findings", type=words.Number(0, 10**9, integer=True), default=None, help="h_opt_max_findings")
@masters_option("h_opt_masters_validate")
@limits_options
@schemas_option
@lang_option
@handled
def validate(
    paths,
    fmt,
    html_path,
    annotate_path,
    bundle,
    month,
    force,
    max_findings,
    master_files,
    max_file_mb,
    max_sheet_rows,
    timeout_s,
    max_memory_gb,
    schema_dirs,
    lang,
) -> None:
    """Validate handed-in workbooks."""
    from ecomsheets.months import parse_month

    the_catalog = catalog(schema_dirs, lang)
    wanted_month = parse_month(month)
    if bundle:
        the_catalog.bundle(bundle)
    named = inputs_named(paths)
    files = [f for f, _ in named]
    from ecomsheets.atomic import check_target

    if html_path:
        check_target(html_path, force=force, inputs=tuple(files))
    the_limits = limits(max_file_mb, max_sheet_rows, timeout_s, max_memory_gb)
    masters = read_master_lists(master_files, the_catalog, the_limits)
    reports = [
        i.report
        for i in inspect_all(
            files, the_catalog, bundle, wanted_month, lang, fmt, the_limits, keep="report", masters=masters
        )
    ]
    if fmt == "json":
        documents = [r.to_dict(max_findings) for r in reports]
        # One file named on the command line: its document; otherwise a list of them.
        single = len(reports) == 1 and len(paths) == 1 and not paths[0].is_dir()
        echo_json(documents[0] if single else documents, default=str)
    else:
        from ecomsheets.report.console import CONSOLE_PER_SHEET, render_console

        for r in reports:
            click.echo(render_console(r, lang, per_sheet=CONSOLE_PER_SHEET if max_findings is None else max_findings))
    for report, (_, name) in zip(reports, named):
        report.label = shown_path(name)  # tells 店A/店铺.xlsx from 店B/店铺.xlsx
    _write_outputs(reports, named, html_path, annotate_path, force, lang, fmt, process=the_limits[1])
    sys.exit(max((0 if r.skipped else 2 if r.unreadable else 1 if r.errors else 0) for r in reports))


def _write_outputs(reports, named, html_path, annotate_path, force, lang, fmt, *, process=None) -> None:
    say = (
        (lambda text: click.echo(for_terminal(text), err=True))
        if fmt == "json"
        else (lambda text: click.echo(for_terminal(text)))
    )
    files = tuple(f for f, _ in named)
    if html_path:
        from ecomsheets.report.html import write_html

        write_html(reports, html_path, force=force, lang=lang)
        say(messages.text("cli_wrote_html", lang, path=html_path))
    if annotate_path:
        from ecomsheets.atomic import check_target
        from ecomsheets.report.annotate import write_annotated

        # A marked-up copy only helps where there is something to mark. Copies keep the folder
        # each file was found in, so that 店A/店铺.xlsx and 店B/店铺.xlsx get one each.
        readable = [(f, name, r) for (f, name), r in zip(named, reports) if not r.unreadable and r.findings]
        if len(files) == 1:
            targets = [(f, r, annotate_path) for f, _, r in readable]
        else:
            suffix = messages.text("annotated_suffix", lang)
            targets = [(f, r, annotate_path / name.parent / (name.stem + suffix)) for f, name, r in readable]
        unwritten = 0
        for source, report, out in targets:
            # One file that cannot be annotated is said for that file; the others go on.
            name = report.label or report.file
            try:
                out.parent.mkdir(parents=True, exist_ok=True)
                check_target(out, force=force, inputs=files)  # never over any input, by identity
                write_annotated(source, report, out, force=force, lang=lang, process=process)  # the parse's limits
            except EcomsheetsError as exc:  # the output cannot be written there (exit code 2)
                unwritten += 1
                click.echo(
                    for_terminal(messages.text("cli_annotate_failed", lang, file=name, reason=exc.text(lang))), err=True
                )
                continue
            except (ValueError, KeyError) as exc:  # the file's content broke the copy: said, the rest go on
                click.echo(
                    for_terminal(
                        messages.text(
                            "cli_annotate_failed",
                            lang,
                            file=name,
                            reason=messages.text("r_cannot_annotate", lang, detail=str(exc)[:200]),
                        )
                    ),
                    err=True,
                )
                continue
            say(messages.text("cli_wrote_annotated", lang, path=out))
        if unwritten:
            sys.exit(EXIT_USAGE)
