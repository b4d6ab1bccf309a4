"""Who is asking: the manager (a bearer token from /api/login, or the signed-in cookie) or a
team's link (its token); and the errors a request ends with, said in the caller's language."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from ecomsheets import messages
from ecomsheets.serve import security
from ecomsheets.serve.store import Link, Store

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class Refused(Exception):
    """A request refused on purpose: its HTTP status and a message (`w_…` code) for people."""

    def __init__(self, status: int, code: str, **params):
        super().__init__(code)
        self.status, self.code, self.params = status, code, params

    def texts(self) -> tuple[str, str]:
        return messages.both(self.code, **self.params)


@dataclass(frozen=True)
class Caller:
    manager: bool = False
    link: Link | None = None
    token: str | None = None  # the manager's session token (to end it on sign-out)
    cookie: bool = False  # signed in by the page's cookie (its unsafe requests need a CSRF token)

    def may_see(self, link_name: str) -> bool:
        return self.manager or (self.link is not None and self.link.name == link_name)


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def identify(request: Request, store: Store) -> Caller | None:
    """The caller a request's token or cookie names (None: neither, or no longer valid)."""
    token = bearer(request)
    if token is not None:
        if store.session_valid(token):
            return Caller(manager=True, token=token)
        link = store.link_by_token(token)
        return Caller(link=link) if link else None
    cookie = request.cookies.get(security.SESSION_COOKIE)
    if cookie and store.session_valid(cookie):
        return Caller(manager=True, token=cookie, cookie=True)
    return None


def require(request: Request, store: Store, *, manager: bool = False) -> Caller:
    """The caller, or Refused: 401 without a valid token, 403 for a link where the manager is
    needed, 403 for a cookie's unsafe request without its CSRF token."""
    caller = identify(request, store)
    if caller is None:
        raise Refused(401, "w_err_unauthorized")
    if manager and not caller.manager:
        raise Refused(403, "w_err_manager_only")
    if caller.cookie and request.method not in SAFE_METHODS:
        check_csrf(request, store, request.headers.get(security.CSRF_HEADER))
    return caller


def check_csrf(request: Request, store: Store, token: str | None) -> None:
    if not security.csrf_ok(store.secret(), request.cookies.get(security.CSRF_COOKIE), token):
        raise Refused(403, "w_err_csrf")


def client_address(request: Request) -> str:
    return request.client.host if request.client else "?"
