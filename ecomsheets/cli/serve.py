"""`serve`: the month on a web page, for the department's own network."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import click

from ecomsheets import cli_words as words
from ecomsheets import messages
from ecomsheets.cli.errors import handled
from ecomsheets.cli.options import catalog, lang_option, limits, option, schemas_option
from ecomsheets.textsafe import for_terminal, shown_path

DEFAULT_UPLOAD_MB = 50


@click.command("serve", cls=words.Command, help_code="h_serve")
@option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("ecomsheets-data"),
    show_default=True,
    help="h_opt_serve_data",
)
@option("--host", default="127.0.0.1", show_default=True, help="h_opt_serve_host")
@option("--port", type=words.Number(1, 65535, integer=True), default=8000, show_default=True, help="h_opt_serve_port")
@option(
    "--max-upload-mb",
    type=words.Number(0.001, 100 * 1024),
    default=DEFAULT_UPLOAD_MB,
    show_default=True,
    help="h_opt_max_upload_mb",
)
@option("--reset-password", is_flag=True, help="h_opt_reset_password")
@schemas_option
@lang_option
@handled
def serve(data_dir, host, port, max_upload_mb, reset_password, schema_dirs, lang) -> None:
    """Start the web page."""
    import uvicorn

    from ecomsheets.serve.app import PASSWORD_ENV, create_app, ensure_manager, set_password
    from ecomsheets.serve.security import new_password

    _port_free(host, port)  # before anything is started or said (a second server on one port)
    the_catalog = catalog(schema_dirs, lang)
    reading, process = limits(max_upload_mb, None, None, None)
    app = create_app(data_dir, the_catalog, limits=reading, process=process, lang=lang)
    store = app.state.service.store
    shown = f"http://{host if ':' not in host else f'[{host}]'}:{port}"
    say = click.echo
    import os

    made, password = ensure_manager(store)
    say(messages.text("sv_data", lang, path=for_terminal(shown_path(data_dir))))
    if reset_password:
        password = new_password()
        set_password(store, password)
        say(messages.text("sv_password_reset", lang, url=f"{shown}/login", password=password))
    elif made == "made":
        say(messages.text("sv_manager_made", lang, url=f"{shown}/login", password=password, env=PASSWORD_ENV))
    elif made == "made_from_env":
        say(messages.text("sv_manager_from_env", lang, env=PASSWORD_ENV, url=f"{shown}/login"))
    else:
        say(messages.text("sv_manager_exists", lang, url=f"{shown}/login"))
        if os.environ.get(PASSWORD_ENV):
            say(messages.text("sv_env_ignored", lang, env=PASSWORD_ENV))
    if not _loopback(host):
        say(messages.text("sv_network_warning", lang, host=host))
    say(messages.text("sv_listening", lang, url=shown, docs=f"{shown}/api/openapi.json"))
    # proxy_headers off: behind no proxy, an X-Forwarded-For header is the sender's own words,
    # and the sign-in limit counts by address.
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False, proxy_headers=False)


def _port_free(host: str, port: int) -> None:
    import socket

    from ecomsheets.errors import UsageError

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise UsageError(*messages.both("sv_port_taken", host=host, port=port, detail=exc.strerror or "")) from None


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
