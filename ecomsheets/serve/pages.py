"""The pages people use: a team's page behind its link (`/s/<token>`), and the manager's
(`/manage`, signed in). Forms carry a CSRF token; scripts only make them smoother (upload
progress, waiting without reloading): every page works without them."""

from __future__ import annotations

import secrets
from datetime import datetime
from functools import cache
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ecomsheets import messages
from ecomsheets.resources import builtin_dir
from ecomsheets.serve import api, security
from ecomsheets.serve import store as st
from ecomsheets.serve.access import Caller, Refused, check_csrf, identify

router = APIRouter(include_in_schema=False)

STATIC = {  # name -> (folder below templates/, media type)
    "report.css": ("", "text/css"),
    "serve.css": ("serve", "text/css"),
    "serve.js": ("serve", "text/javascript"),
}


@cache
def environment():
    from ecomsheets.report.html import template_environment

    env = template_environment()
    env.filters["local_time"] = local_time
    return env


def local_time(iso: str) -> str:
    """A recorded time (UTC) as the server's clock shows it: the department's own time zone."""
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return str(iso)


def render(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
    """A page in the caller's language, with the CSRF token its forms carry (the cookie is set
    on the way out when the browser has none yet)."""
    lang = api.lang_of(request)
    cookie = request.cookies.get(security.CSRF_COOKIE) or secrets.token_urlsafe(24)
    svc = api.service(request)
    html = (
        environment()
        .get_template(f"serve/{name}")
        .render(
            lang=lang,
            html_lang="en" if lang == "en" else "zh-CN",
            _=lambda code, **params: messages.text(code, lang, **params),
            csrf=security.csrf_token(svc.store.secret(), cookie),
            csrf_field=security.CSRF_FIELD,
            path=request.url.path,
            other_lang="zh" if lang == "en" else "en",
            **context,
        )
    )
    response = HTMLResponse(html, status_code=status)
    if request.cookies.get(security.CSRF_COOKIE) != cookie:
        # Lax: a page opened from a chat app keeps the browser's cookie (Strict would mint a new
        # one and void the forms of its other open pages); the signed token is the protection.
        response.set_cookie(security.CSRF_COOKIE, cookie, httponly=True, samesite="lax", secure=secure(request))
    return response


def secure(request: Request) -> bool:
    return request.url.scheme == "https"


def error_page(request: Request, refused: Refused) -> HTMLResponse:
    # No way back from a link that no longer works (its page is gone); otherwise the page before.
    path = request.url.path
    team = "/".join(path.split("/")[:3]) if path.startswith("/s/") else None
    back = None if refused.code == "w_err_bad_link" else team or ("/manage" if path.startswith("/manage") else "/")
    return render(
        request, "error.html.j2", status=refused.status, message=refused.code, params=refused.params, back=back
    )


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def form_of(request: Request) -> dict:
    """A posted form's text fields, after its CSRF token is checked (Refused 403 without)."""
    form = await request.form(max_files=0, max_fields=20)
    check_csrf(request, api.service(request).store, str(form.get(security.CSRF_FIELD) or ""))
    return {k: v for k, v in form.items() if isinstance(v, str)}


def manager(request: Request) -> Caller | None:
    caller = identify(request, api.service(request).store)
    return caller if caller is not None and caller.manager and caller.cookie else None


def staff(request: Request, token: str) -> Caller:
    link = api.service(request).store.link_by_token(token)
    if link is None:
        raise Refused(404, "w_err_bad_link")
    return Caller(link=link)


def state_label(state: str, lang: str) -> str:
    return messages.text(f"w_state_{state}", lang)


# --- shared --------------------------------------------------------------------------------------


@router.get("/static/{name}")
async def static(name: str) -> Response:
    if name not in STATIC:
        raise Refused(404, "w_err_not_found")
    folder, media_type = STATIC[name]
    path = builtin_dir("templates") / folder / name
    return Response(path.read_bytes(), media_type=media_type, headers={"Cache-Control": "no-cache"})


@router.get("/favicon.ico")
async def favicon() -> Response:
    return Response(status_code=204)


@router.get("/lang/{code}")
async def switch_language(request: Request, code: str, next: str = "/") -> RedirectResponse:
    # Only a path of this site: never a way to send someone elsewhere.
    target = next if next.startswith("/") and not next.startswith("//") and "\\" not in next else "/"
    response = redirect(target)
    if code in ("zh", "en"):
        response.set_cookie(security.LANG_COOKIE, code, samesite="lax", secure=secure(request), max_age=365 * 86400)
    return response


@router.get("/")
async def home(request: Request) -> RedirectResponse:
    return redirect("/manage" if manager(request) else "/login")


# --- signing in ---------------------------------------------------------------------------------------


@router.get("/login")
async def login_page(request: Request) -> Response:
    return render(request, "login.html.j2", error=None)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await form_of(request)
    try:
        token, _ = await api.sign_in(request, form.get("password"))
    except Refused as refused:
        return render(request, "login.html.j2", status=refused.status, error=refused.code, params=refused.params)
    response = redirect("/manage")
    response.set_cookie(
        security.SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=secure(request),
        max_age=st.SESSION_HOURS * 3600,
    )
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    await form_of(request)
    caller = manager(request)
    if caller and caller.token:
        api.service(request).store.end_session(caller.token)
    response = redirect("/login")
    response.delete_cookie(security.SESSION_COOKIE)
    return response


# --- the manager's pages --------------------------------------------------------------------------------


def signed_in(request: Request) -> Caller:
    caller = manager(request)
    if caller is None:
        raise Refused(401, "w_err_sign_in")
    return caller


@router.get("/manage")
async def manage(request: Request, month: str | None = None) -> Response:
    signed_in(request)
    svc = api.service(request)
    chosen = api.month_of(request, month)
    lang = api.lang_of(request)
    rows = svc.status(chosen)
    for row in rows:
        row["state_label"] = state_label(row["state"], lang)
        row["bundle_title"] = (
            svc.catalog.bundle(row["bundle"]).label(lang) if row["bundle"] in svc.catalog.bundles else row["bundle"]
        )
    counts = {
        s: sum(r["state"] == s for r in rows)
        for s in (st.ACCEPTED, st.WITH_ERRORS, st.REFUSED, st.CHECKING, st.MISSING, st.FAILED)
    }
    return render(
        request,
        "manage.html.j2",
        month=chosen,
        current=svc.month,
        rows=rows,
        counts=counts,
        accepted=len(svc.accepted(chosen)),
        summaries=[api.summary_state(request, s) for s in svc.store.summaries(chosen)][:5],
        submissions=[s.to_dict() for s in svc.store.submissions(month=chosen)],
        state_label=lambda s: state_label(s, lang),
        query=lambda **kw: urlencode(kw),
    )


@router.post("/manage/month")
async def set_month(request: Request) -> Response:
    signed_in(request)
    form = await form_of(request)
    month = api.month_of(request, form.get("month") or None)
    api.service(request).store.set_setting("month", month)
    return redirect("/manage")


@router.post("/manage/consolidate")
async def consolidate(request: Request) -> Response:
    signed_in(request)
    form = await form_of(request)
    summary_id, _ = api.start_summary(request, api.month_of(request, form.get("month") or None))
    return redirect(f"/manage/summaries/{summary_id}")


@router.get("/manage/summaries/{summary_id}")
async def summary_page(request: Request, summary_id: int) -> Response:
    signed_in(request)
    record = api.service(request).store.summary(summary_id)
    if record is None:
        raise Refused(404, "w_err_no_summary")
    svc = api.service(request)
    lang = api.lang_of(request)
    document = record["document"] or {}
    figures, sources, missing = [], [], []
    if record["state"] == st.ACCEPTED and document.get("bundle") in svc.catalog.bundles:
        figures = summary_figures(svc.catalog.bundles[document["bundle"]], document.get("metrics", []), lang)
        sources = [
            {**source, "label": messages.text(f"w_source_{source['status']}", lang)} for source in document["sources"]
        ]
        summed = {source["file"].split("/", 1)[0] for source in document["sources"]}
        missing = [row["name"] for row in svc.status(record["month"]) if row["name"] not in summed]
    return render(
        request,
        "summary.html.j2",
        summary=api.summary_state(request, record),
        document=document,
        figures=figures,
        sources=sources,
        missing=messages.join(missing)[lang == "en"] if missing else "",
        taken=sum(source["status"] in ("taken", "partly") for source in document.get("sources", [])),
    )


def summary_figures(bundle, records: list[dict], lang: str) -> list[tuple[str, str]]:
    """The headline figures (else every ungrouped one), titled and formatted for the page."""
    from ecomsheets.report.metrics_text import metric_value

    specs = {m.name: m for m in bundle.metrics}
    values = {r["name"]: r["value"] for r in records if r["group"] is None}
    names = [n for n in bundle.headline if n in values] or list(values)
    return [(specs[n].label(lang), metric_value(values[n], specs[n].format)) for n in names if n in specs]


@router.get("/manage/summaries/{summary_id}/file")
async def summary_file(request: Request, summary_id: int) -> Response:
    signed_in(request)
    return api.summary_download(request, summary_id)


@router.get("/manage/annotated.zip")
async def annotated_zip(request: Request, month: str | None = None) -> Response:
    signed_in(request)
    return await api.annotated_zip(request, month)


@router.get("/manage/links")
async def links_page(request: Request, made: str | None = None) -> Response:
    signed_in(request)
    svc = api.service(request)
    lang = api.lang_of(request)
    links = [api.link_document(request, link) for link in svc.store.links()]
    bundles = [(name, spec.label(lang)) for name, spec in svc.catalog.bundles.items()]
    roster = [
        {"name": e.name, "bundle": e.bundle}
        for spec in svc.catalog.bundles.values()
        for e in spec.roster
        if e.name not in {link["name"] for link in links if not link["revoked"]}
    ]
    titles = dict(bundles)
    return render(request, "links.html.j2", links=links, bundles=bundles, titles=titles, roster=roster, made=made)


@router.post("/manage/links")
async def add_link(request: Request) -> Response:
    signed_in(request)
    form = await form_of(request)
    try:
        link = api.make_link(request, form.get("name"), form.get("bundle"))
    except Refused as refused:
        return error_page(request, refused)
    return redirect("/manage/links?" + urlencode({"made": link.name}))


@router.post("/manage/links/revoke")
async def revoke_link(request: Request) -> Response:
    signed_in(request)
    form = await form_of(request)
    api.service(request).store.revoke_link(form.get("name", ""))
    return redirect("/manage/links")


@router.get("/manage/submissions/{submission_id}")
async def manager_submission(request: Request, submission_id: int) -> Response:
    caller = signed_in(request)
    return submission_page(request, caller, submission_id, base="/manage")


@router.get("/manage/submissions/{submission_id}/annotated")
async def manager_annotated(request: Request, submission_id: int) -> Response:
    caller = signed_in(request)
    return api.annotated_response(request, api.visible_submission(request, caller, submission_id))


# --- a team's pages -----------------------------------------------------------------------------------


@router.get("/s/{token}")
async def team_page(request: Request, token: str) -> Response:
    caller = staff(request, token)
    svc = api.service(request)
    assert caller.link is not None
    mine = [s.to_dict() for s in svc.store.submissions(link=caller.link.name)]
    lang = api.lang_of(request)
    return render(
        request,
        "team.html.j2",
        link=caller.link,
        token=token,
        bundle_title=svc.catalog.bundle(caller.link.bundle).label(lang),
        month=svc.month,
        submissions=mine,
        state_label=lambda s: state_label(s, lang),
        max_mb=security.megabytes(svc.limits.max_file_bytes),
        max_bytes=svc.limits.max_file_bytes,
    )


@router.get("/s/{token}/template")
async def team_template(request: Request, token: str) -> Response:
    caller = staff(request, token)
    svc = api.service(request)
    return await api.template_response(request, caller, None, svc.month, api.lang_of(request))


@router.post("/s/{token}/upload")
async def team_upload(request: Request, token: str) -> Response:
    caller = staff(request, token)
    form = await request.form(max_files=1, max_fields=5)
    try:
        check_csrf(request, api.service(request).store, str(form.get(security.CSRF_FIELD) or ""))
        submission, _ = await api.receive_upload(request, caller, form.get("file"))
    finally:
        await form.close()
    return redirect(f"/s/{token}/submissions/{submission.id}")


@router.get("/s/{token}/submissions/{submission_id}")
async def team_submission(request: Request, token: str, submission_id: int) -> Response:
    caller = staff(request, token)
    return submission_page(request, caller, submission_id, base=f"/s/{token}")


@router.get("/s/{token}/submissions/{submission_id}/annotated")
async def team_annotated(request: Request, token: str, submission_id: int) -> Response:
    caller = staff(request, token)
    return api.annotated_response(request, api.visible_submission(request, caller, submission_id))


def submission_page(request: Request, caller: Caller, submission_id: int, *, base: str) -> Response:
    found = api.visible_submission(request, caller, submission_id)
    _, views = api.service(request).store.submission_document(found.id)
    lang = api.lang_of(request)
    return render(
        request,
        "submission.html.j2",
        submission=found.to_dict(),
        view=(views or {}).get(lang),
        state_label=state_label(found.state, lang),
        base=base,
        manager=caller.manager,
    )
