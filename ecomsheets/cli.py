"""The command line: parse options, call the API, render, set the exit code.

Exit codes: 0 fine, 1 validation errors found, 2 unusable input or misuse.
Heavy libraries are imported inside commands so that `--help` starts fast.
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import click

from ecomsheets import __version__, messages
from ecomsheets import cli_words as words
from ecomsheets.errors import EcomsheetsError, SchemaError
from ecomsheets.textsafe import for_terminal, shown_path

EXIT_USAGE = 2
SHEET_ROWS = 1_048_575  # rows a sheet holds below its first
# Rows an example table may have: its header is on row 2 and the reading limit counts rows with
# content up to SHEET_ROWS, so that `example` never writes a file that it would then refuse.
EXAMPLE_ROWS = SHEET_ROWS - 2
option = functools.partial(click.option, cls=words.Option)


def argument(*decls, code: str, **kwargs):
    return click.argument(*decls, cls=words.Argument, metavar_code=code, **kwargs)


_schemas_option = option(
    "--schemas", "schema_dirs", multiple=True, type=click.Path(file_okay=False, path_type=Path), help="h_opt_schemas")
_lang_option = option("--lang", type=click.Choice(["zh", "en"]), default=lambda: words.current(), help="h_opt_lang")


def _limits_options(fn):
    """Safety limits for reading submitted files (defaults in README, 'Safety limits')."""
    options = [
        option("--max-file-mb", type=words.Number(0.001, 100 * 1024), default=None, help="h_opt_max_file_mb"),
        option("--max-rows", "max_sheet_rows", type=words.Number(1, SHEET_ROWS, integer=True), default=None,
               help="h_opt_max_rows"),
        option("--timeout", "timeout_s", type=words.Number(1, 24 * 3600), default=None, help="h_opt_timeout"),
        option("--max-memory-gb", type=words.Number(0.25, 1024), default=None, help="h_opt_max_memory_gb"),
    ]
    for decorate in reversed(options):
        fn = decorate(fn)
    return fn


def _limits(max_file_mb, max_sheet_rows, timeout_s, max_memory_gb):
    from dataclasses import replace

    from ecomsheets.process.isolate import ProcessLimits
    from ecomsheets.read.guard import Limits

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
            raise click.BadParameter(messages.text("cli_bad_folder", lang, path=d), param_hint="--schemas")
    return load_catalog(schema_dirs)


@click.group("ecomsheets", cls=words.Group, help_code="h_main", no_args_is_help=True,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, "--version", prog_name="ecomsheets", message="%(prog)s %(version)s",
                      cls=words.Option, help="h_version")
@option("--lang", type=click.Choice(["zh", "en"]), expose_value=False, help="h_opt_lang")
def main() -> None:
    """The ecomsheets command group (its help is the message h_main); `--lang` here or after the
    command (read before parsing, see cli_words)."""
    from ecomsheets.process.lifeline import stop_on_signals

    stop_on_signals()  # Ctrl-C, SIGTERM: every worker stopped, exit 130 / 143 with one line


@main.group(help_code="h_schemas")
@option("--lang", type=click.Choice(["zh", "en"]), expose_value=False, help="h_opt_lang")
def schemas() -> None:
    """List and show schemas."""


@schemas.command("list", help_code="h_schemas_list")
@_schemas_option
@_lang_option
def schemas_list(schema_dirs, lang) -> None:
    """List tables and workbook bundles."""
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
    from ecomsheets.schema.model import pad

    for t in catalog.tables.values():
        click.echo(f"  {t.name:<16} v{t.version}  {pad(t.sheet_name(lang), 14)}{t.display_title(lang)}")


@schemas.command("show", help_code="h_schemas_show")
@argument("name", code="h_arg_name")
@option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
        help="h_opt_format_show")
@_schemas_option
@_lang_option
def schemas_show(name, fmt, schema_dirs, lang) -> None:
    """Show a table or bundle."""
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


@main.command(help_code="h_generate")
@argument("workbook", code="h_arg_workbook")
@option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="h_opt_output_xlsx")
@option("--month", help="h_opt_month_generate")
@option("--tables", help="h_opt_tables")
@option("--rows", type=words.Number(1, 100_000, integer=True), default=500, show_default=True, help="h_opt_rows_generate")
@option("--force", is_flag=True, help="h_opt_force")
@_schemas_option
@_lang_option
def generate(workbook, output, month, tables, rows, force, schema_dirs, lang) -> None:
    """Generate a blank workbook template."""
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
    return [path for path, _ in _inputs_named(paths)]


def _inputs_named(paths: tuple[Path, ...]) -> list[tuple[Path, Path]]:
    """(file, its name relative to the folder it was found in, or its own name)."""
    out: list[tuple[Path, Path]] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted((f, f.relative_to(p)) for f in p.rglob("*") if f.is_file() and not f.name.startswith("~$")
                              and not any(part.startswith(".") for part in f.relative_to(p).parts)))
        else:
            out.append((p, Path(p.name)))
    return out


@main.command(help_code="h_validate")
@argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path), code="h_arg_paths")
@option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
        help="h_opt_format")
@option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path), help="h_opt_html")
@option("--annotate", "annotate_path", type=click.Path(path_type=Path), help="h_opt_annotate")
@option("--bundle", help="h_opt_bundle")
@option("--month", help="h_opt_month_validate")
@option("--force", is_flag=True, help="h_opt_force")
@option("--max-findings", type=words.Number(0, 10**9, integer=True), default=None, help="h_opt_max_findings")
@_limits_options
@_schemas_option
@_lang_option
def validate(paths, fmt, html_path, annotate_path, bundle, month, force, max_findings, max_file_mb, max_sheet_rows,
             timeout_s, max_memory_gb, schema_dirs, lang) -> None:
    """Validate handed-in workbooks."""
    from ecomsheets.months import parse_month

    try:
        catalog = _catalog(schema_dirs, lang)
        wanted_month = parse_month(month)
        if bundle:
            catalog.workbook(bundle)
        named = _inputs_named(paths)
        files = [f for f, _ in named]
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
    for report, (_, name) in zip(reports, named):
        report.label = shown_path(name)  # tells 店A/店铺.xlsx from 店B/店铺.xlsx
    try:
        _write_outputs(reports, named, html_path, annotate_path, force, lang, fmt, process=limits[1])
    except EcomsheetsError as exc:
        _fail(exc, lang)
    sys.exit(max((0 if r.skipped else 2 if r.unreadable else 1 if r.errors else 0) for r in reports))


def _write_outputs(reports, named, html_path, annotate_path, force, lang, fmt, *, process=None) -> None:
    say = (lambda text: click.echo(for_terminal(text), err=True)) if fmt == "json" else (
        lambda text: click.echo(for_terminal(text)))
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
            targets = [(f, r, annotate_path / name.parent / f"{name.stem}_校验.xlsx") for f, name, r in readable]
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
                click.echo(for_terminal(messages.text("cli_annotate_failed", lang, file=name, reason=exc.text(lang))),
                           err=True)
                continue
            except (ValueError, KeyError) as exc:  # the file's content broke the copy: said, the rest go on
                click.echo(for_terminal(messages.text("cli_annotate_failed", lang, file=name, reason=messages.text(
                    "r_cannot_annotate", lang, detail=str(exc)[:200]))), err=True)
                continue
            say(messages.text("cli_wrote_annotated", lang, path=out))
        if unwritten:
            sys.exit(EXIT_USAGE)


@main.command(help_code="h_example")
@argument("workbook", code="h_arg_workbook")
@option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="h_opt_output_xlsx")
@option("--month", default="2026-11", show_default=True, help="h_opt_month_example")
@option("--rows", type=words.Number(1, EXAMPLE_ROWS, integer=True), default=200, show_default=True,
        help="h_opt_rows_example")
@option("--seed", type=words.Number(0, 2**32 - 1, integer=True), default=1, show_default=True, help="h_opt_seed")
@option("--tables", help="h_opt_tables")
@option("--force", is_flag=True, help="h_opt_force")
@_schemas_option
@_lang_option
def example(workbook, output, month, rows, seed, tables, force, schema_dirs, lang) -> None:
    """Write a workbook filled with example rows."""
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


@main.command(help_code="h_summarize")
@argument("file", type=click.Path(path_type=Path), code="h_arg_file")
@option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="h_opt_summary_output")
@option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
        help="h_opt_format")
@option("--bundle", help="h_opt_bundle")
@option("--month", help="h_opt_month_summarize")
@option("--force", is_flag=True, help="h_opt_force")
@_limits_options
@_schemas_option
@_lang_option
def summarize(file, output, fmt, bundle, month, force, max_file_mb, max_sheet_rows, timeout_s, max_memory_gb,
              schema_dirs, lang) -> None:
    """Recompute every metric of one workbook."""
    from ecomsheets.months import parse_month
    from ecomsheets.report.metrics_text import render_metrics
    from ecomsheets.summarize.records import metric_records

    try:
        if file.is_dir():
            raise EcomsheetsError(*messages.both("cli_summarize_folder", path=file))
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


@main.command(help_code="h_consolidate")
@argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path), code="h_arg_paths")
@option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
        help="h_opt_consolidate_output")
@option("--month", help="h_opt_month_consolidate")
@option("--include-invalid", is_flag=True, help="h_opt_include_invalid")
@option("--data-rows", type=words.Number(0, SHEET_ROWS, integer=True), default=None, help="h_opt_data_rows")
@option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
        help="h_opt_format")
@option("--bundle", help="h_opt_bundle")
@option("--force", is_flag=True, help="h_opt_force")
@_limits_options
@_schemas_option
@_lang_option
def consolidate(paths, output, month, include_invalid, data_rows, fmt, bundle, force, max_file_mb, max_sheet_rows,
                timeout_s, max_memory_gb, schema_dirs, lang) -> None:
    """Merge many workbooks into the monthly summary."""
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
            click.echo(f"  [{messages.text('cli_level_' + f.severity, lang)}] {for_terminal(name + f.text(lang))}")
        if any(s.status == "left_out" for s in result.sources):
            click.echo(messages.text("cli_hint_include_invalid", lang))
    # 0: every file taken whole; 1: a file or rows left out, or conflicts; 2: nothing usable.
    sys.exit(0 if result.complete else 1 if taken else EXIT_USAGE)


if __name__ == "__main__":
    main()
