"""The web application: the API and the pages over one service, with the limits and headers
every response gets."""

from __future__ import annotations

import asyncio
import html
import json
import os
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from ecomsheets import __version__, messages
from ecomsheets.process.isolate import ProcessLimits
from ecomsheets.read.guard import Limits
from ecomsheets.schema import Catalog
from ecomsheets.serve import api, pages, security
from ecomsheets.serve.access import Refused
from ecomsheets.serve.service import Service
from ecomsheets.serve.store import Store

PASSWORD_ENV = "ECOMSHEETS_MANAGER_PASSWORD"
FORM_SLACK = 64 * 1024  # a multipart body's own bytes around the file
SMALL_BODY = 64 * 1024  # any other body: JSON, a form's fields (nothing to upload there)
HASHING_AT_ONCE = 2  # password checks at once (each takes 64 MiB and a core for ~0.1 s)
DRAIN_FACTOR = 4  # an over-limit body up to 4 × the limit is read (and dropped) before the 413

# No script or style from anywhere but this server, no framing, no referrer (a team's link
# carries its token: it must not leak to another site through a Referer header).
_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
]


def create_app(
    data_dir: Path,
    catalog: Catalog,
    *,
    limits: Limits = Limits(max_file_bytes=50 * 2**20),
    process: ProcessLimits = ProcessLimits(),
    lang: str = "zh",
) -> FastAPI:
    """The application over the data folder `data_dir` (made if missing)."""
    store = Store(data_dir)
    service = Service(store, catalog, limits, process, lang)
    service.warm_up()  # here, in the main thread, before any worker thread forks (see warm_up)

    @asynccontextmanager
    async def lifespan(app):
        service.resume()  # what a stop left unchecked
        yield
        service.close()

    app = FastAPI(
        lifespan=lifespan,
        title="ecomsheets",
        version=__version__,
        description="The month's hand-ins, checks and summary: the API the page uses (see README, 'The web page').",
        docs_url=None,  # Swagger UI loads its script from a CDN: not on a closed network, nor under our CSP
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.service = service
    app.state.sign_in_limit = security.RateLimit()
    app.state.hashing = asyncio.Semaphore(HASHING_AT_ONCE)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.add_exception_handler(Refused, _refused)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(Exception, _bug)
    # Outermost last: the size limit answers before anything reads the body.
    app.add_middleware(_Headers)
    app.add_middleware(_BodyLimit, limit=limits.max_file_bytes + FORM_SLACK)
    return app


def ensure_manager(store: Store) -> tuple[str, str | None]:
    """Make the manager's account on the first start: ("made", password) with a password made
    here to print once, ("made_from_env", None) from ECOMSHEETS_MANAGER_PASSWORD, or
    ("exists", None)."""
    if store.setting("manager_password"):
        return "exists", None
    given = os.environ.get(PASSWORD_ENV)
    password = given or security.new_password()
    store.set_setting("manager_password", security.hash_password(password))
    return ("made_from_env", None) if given else ("made", password)


def set_password(store: Store, password: str) -> None:
    """A new manager password; every session signed in with the old one ends."""
    store.set_setting("manager_password", security.hash_password(password))
    store.end_all_sessions()


async def _refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Refused)
    if request.url.path.startswith("/api/"):
        zh, en = exc.texts()
        return JSONResponse({"error": zh, "error_en": en, "code": exc.code}, status_code=exc.status)
    if exc.status == 401 and exc.code == "w_err_sign_in":
        return pages.redirect("/login")
    return pages.error_page(request, exc)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = {404: "w_err_not_found", 405: "w_err_method"}.get(exc.status_code, "w_err_bad_request")
    return await _refused(request, Refused(exc.status_code, code))


async def _invalid(request: Request, exc: Exception) -> Response:
    """A path that does not parse (`/api/submissions/abc`): no such thing; a query value that
    does not (`?wait=maybe`): a bad request."""
    assert isinstance(exc, RequestValidationError)
    in_path = any(e.get("loc", ("",))[0] == "path" for e in exc.errors())
    return await _refused(request, Refused(404, "w_err_not_found") if in_path else Refused(400, "w_err_bad_request"))


async def _bug(request: Request, exc: Exception) -> Response:
    """Our own bug: said in the caller's words (the server's log has the traceback). Starlette
    answers it outside the other middleware, so the security headers are added here."""
    response = await _refused(request, Refused(500, "w_err_server"))
    for name, value in _HEADERS:
        response.headers[name.decode()] = value.decode()
    return response


class _Headers:
    """The security headers on every response."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message):
            if message["type"] == "http.response.start":
                names = {name for name, _ in message.get("headers", [])}
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + [h for h in _HEADERS if h[0] not in names]
            await send(message)

        await self.app(scope, receive, with_headers)


class _TooLarge(Exception):
    pass


class _BodyLimit:
    """413 for a body over the limit: said from its Content-Length before a byte is read, or
    counted as it arrives (a sender that does not say its length)."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers", []))
        length = headers.get(b"content-length", b"")
        # Only a file upload may be large: a JSON body or a form's fields stay small (a huge
        # JSON document would be parsed, unauthenticated, on the server's one event loop).
        upload = headers.get(b"content-type", b"").lower().startswith(b"multipart/form-data")
        limit = self.limit if upload else SMALL_BODY
        if length.isdigit() and int(length) > limit:
            if int(length) <= DRAIN_FACTOR * limit:
                # Read what is on its way and drop it: a browser that is still sending when the
                # answer comes shows a broken connection, not our message.
                while (await receive()).get("more_body", False):
                    pass
            return await self._too_large(scope, send, limit)
        seen = 0
        started = False

        async def counted():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge
            return message

        async def watched(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except _TooLarge:
            if not started:
                await self._too_large(scope, send, limit)

    async def _too_large(self, scope, send, limit: int):
        code = "w_err_too_large" if limit == self.limit else "w_err_body_too_large"
        zh, en = messages.both(code, mb=security.megabytes(limit - FORM_SLACK if limit == self.limit else limit))
        if scope["path"].startswith("/api/"):
            kind = b"application/json; charset=utf-8"
            body = json.dumps({"error": zh, "error_en": en, "code": code}, ensure_ascii=False).encode()
        else:  # a form sent without the page's script: a page, in both languages
            kind = b"text/html; charset=utf-8"
            body = f'<!DOCTYPE html><meta charset="utf-8"><p>{html.escape(zh)}</p><p>{html.escape(en)}</p>'.encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", kind), (b"connection", b"close"), *_HEADERS],
            }
        )
        await send({"type": "http.response.body", "body": body})
