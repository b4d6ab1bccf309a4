"""The HTTP API (`/api/…`): the page's own calls, and what scripts drive the month with. Its
documents are the CLI's (`validate --format json`, `consolidate --format json`) plus the ids
and links of the web's records. Errors are {"error": zh, "error_en": en} with the status."""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from ecomsheets import messages
from ecomsheets.errors import UsageError
from ecomsheets.months import parse_month
from ecomsheets.serve import security
from ecomsheets.serve import store as st
from ecomsheets.serve.access import Caller, Refused, client_address, require
from ecomsheets.serve.service import Busy, Service

log = logging.getLogger("ecomsheets.serve")
router = APIRouter(prefix="/api")
PASSWORD_LIMIT = 1024  # characters of a password tried

_JSON_BODY = {"content": {"application/json": {"schema": {"type": "object"}}}, "required": True}
_UPLOAD_BODY = {
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "link": {"type": "string", "description": "manager only: whose submission"},
                },
                "required": ["file"],
            }
        }
    },
    "required": True,
}


def service(request: Request) -> Service:
    return request.app.state.service


async def json_body(request: Request) -> dict:
    try:
        body = await request.json()
    except (ValueError, RecursionError):  # not JSON, or nested deeper than a parser goes
        raise Refused(400, "w_err_json") from None
    if not isinstance(body, dict):
        raise Refused(400, "w_err_json")
    return body


def month_of(request: Request, given: str | None) -> str:
    if not given:
        return service(request).month
    try:
        month = parse_month(given)
    except UsageError:
        raise Refused(400, "w_err_month", month=given) from None
    return str(month)


# --- signing in ---------------------------------------------------------------------------------


@router.post("/login", openapi_extra={"requestBody": _JSON_BODY}, summary="Manager sign-in: {password} → {token}")
async def login(request: Request) -> dict:
    body = await json_body(request)
    token, expires = await sign_in(request, body.get("password"))
    return {"token": token, "expires": expires}


async def sign_in(request: Request, password) -> tuple[str, str]:
    """A new manager session for the right password; failures count against the caller's
    address (Refused 429 past the limit, 401 for a wrong password)."""
    limit: security.RateLimit = request.app.state.sign_in_limit
    who = client_address(request)
    wait, mark = limit.attempt(who)
    if wait:
        raise Refused(429, "w_err_rate_limited", seconds=wait)
    stored = service(request).store.setting("manager_password")
    ok = False
    if isinstance(password, str) and stored and len(password) <= PASSWORD_LIMIT:
        async with request.app.state.hashing:  # each check takes 64 MiB: a few at a time
            ok = await run_in_threadpool(security.password_ok, stored, password)
    if not ok:
        raise Refused(401, "w_err_password")
    limit.succeeded(who, mark)
    return service(request).store.new_session()


@router.post("/logout", summary="End the manager's session")
async def logout(request: Request) -> dict:
    caller = require(request, service(request).store, manager=True)
    if caller.token:
        service(request).store.end_session(caller.token)
    return {"ok": True}


# --- the month ----------------------------------------------------------------------------------


@router.get("/month", summary="The month being collected")
async def get_month(request: Request) -> dict:
    require(request, service(request).store)
    return {"month": service(request).month}


@router.put("/month", openapi_extra={"requestBody": _JSON_BODY}, summary="Set the month (manager): {month}")
async def put_month(request: Request) -> dict:
    require(request, service(request).store, manager=True)
    body = await json_body(request)
    month = month_of(request, str(body.get("month") or "")) if body.get("month") else None
    if month is None:
        raise Refused(400, "w_err_month", month="")
    service(request).store.set_setting("month", month)
    return {"month": month}


@router.get("/status", summary="Who has handed in what this month (manager)")
async def get_status(request: Request, month: str | None = None) -> dict:
    require(request, service(request).store, manager=True)
    chosen = month_of(request, month)
    return {"month": chosen, "links": service(request).status(chosen)}


# --- links --------------------------------------------------------------------------------------


@router.get("/links", summary="Every link (manager)")
async def list_links(request: Request) -> list[dict]:
    require(request, service(request).store, manager=True)
    return [link_document(request, link) for link in service(request).store.links()]


@router.post(
    "/links", openapi_extra={"requestBody": _JSON_BODY}, summary="A link for a team or shop (manager): {name, bundle}"
)
async def add_link(request: Request) -> JSONResponse:
    require(request, service(request).store, manager=True)
    body = await json_body(request)
    link = make_link(request, body.get("name"), body.get("bundle"))
    return JSONResponse(link_document(request, link), status_code=201)


def make_link(request: Request, name, bundle):
    """A new link (an existing name's old token stops working); Refused for a bad name or bundle."""
    svc = service(request)
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > 60 or not name.isprintable() or security.safe_name(name) != name:
        raise Refused(400, "w_err_link_name")
    return svc.store.add_link(name, known_bundle(svc, bundle))


def known_bundle(svc: Service, bundle) -> str:
    """`bundle` if the catalogue has it; else Refused 400, naming the ones it has."""
    known = ", ".join(sorted(svc.catalog.bundles))
    if not bundle:
        raise Refused(400, "w_err_bundle_missing", known=known)
    if not isinstance(bundle, str) or bundle not in svc.catalog.bundles:
        raise Refused(400, "w_err_bundle", bundle=str(bundle), known=known)
    return bundle


def link_document(request: Request, link) -> dict:
    return {**link.to_dict(), "token": link.token, "url": str(request.base_url) + f"s/{link.token}"}


@router.delete("/links/{name}", summary="Revoke a link (manager)")
async def revoke_link(request: Request, name: str) -> dict:
    require(request, service(request).store, manager=True)
    if not service(request).store.revoke_link(name):
        raise Refused(404, "w_err_no_link", name=name)
    return {"name": name, "revoked": True}


# --- templates and submissions ------------------------------------------------------------------------


@router.get("/template", summary="The blank template of the caller's team (manager: ?bundle=)")
async def template(request: Request, bundle: str | None = None, month: str | None = None) -> FileResponse:
    caller = require(request, service(request).store)
    # A team gets the month being collected (templates are kept: no team makes a hundred).
    chosen = month_of(request, month if caller.manager else None)
    return await template_response(request, caller, bundle, chosen, lang_of(request))


async def template_response(request: Request, caller: Caller, bundle: str | None, month: str, lang: str):
    svc = service(request)
    wanted = caller.link.bundle if caller.link else known_bundle(svc, bundle)
    path = await run_in_threadpool(svc.template, wanted, month, lang)
    return download(path, svc.template_name(wanted, month, lang, caller.link.name if caller.link else None))


@router.post("/validate", openapi_extra={"requestBody": _UPLOAD_BODY}, summary="Hand in a workbook and check it")
async def validate(request: Request, wait: bool = True) -> JSONResponse:
    caller = require(request, service(request).store)
    link_name = None
    form = await request.form(max_files=1, max_fields=5)
    try:
        if caller.manager:
            link_name = form.get("link")
            if not isinstance(link_name, str) or service(request).store.link(link_name) is None:
                raise Refused(400, "w_err_manager_link")
        submission, future = await receive_upload(request, caller, form.get("file"), link_name)
    finally:
        await form.close()
    if not wait:
        return JSONResponse(
            {"submission_id": submission.id, "status": submission.state, "url": f"/api/submissions/{submission.id}"},
            status_code=202,
        )
    document = await finished(future)
    if document is None:  # the server is stopping: the file is kept and checked on restart
        raise Refused(503, "w_err_stopping")
    done = service(request).store.submission(submission.id)
    return JSONResponse({**document, "submission_id": submission.id, "status": done.state if done else None})


async def receive_upload(request: Request, caller: Caller, upload, link_name: str | None = None):
    """Keep an uploaded file as a submission of the caller's link and start its check."""
    svc = service(request)
    if not isinstance(upload, UploadFile):
        raise Refused(400, "w_err_no_file")
    link = caller.link or svc.store.link(link_name or "")
    if link is None:
        raise Refused(400, "w_err_manager_link")
    name = security.upload_name(upload.filename, fallback="upload.xlsx")
    temp = svc.store.temp_path()
    limit = svc.limits.max_file_bytes

    def copy() -> int:
        size = 0
        with open(temp, "wb") as out:
            while block := upload.file.read(1 << 20):
                size += len(block)
                if size > limit:
                    return size
                out.write(block)
        return size

    size = await run_in_threadpool(copy)
    if size > limit:
        temp.unlink(missing_ok=True)
        raise Refused(413, "w_err_too_large", mb=security.megabytes(limit))
    if size == 0:
        temp.unlink(missing_ok=True)
        raise Refused(400, "w_err_empty_file")
    try:
        return await run_in_threadpool(svc.submit, link, temp, name)
    except Busy as busy:
        raise Refused(429, "w_err_busy", n=busy.n) from None


async def finished(future):
    try:
        return await asyncio.wrap_future(future)
    except Exception:
        log.exception("a check failed")
        raise Refused(500, "w_err_internal") from None


@router.get("/submissions", summary="The submissions the caller may see (a link: its own; the manager: all)")
async def submissions(request: Request, month: str | None = None) -> list[dict]:
    caller = require(request, service(request).store)
    chosen = month_of(request, month) if month else None
    link = None if caller.manager else caller.link.name if caller.link else ""
    return [s.to_dict() for s in service(request).store.submissions(month=chosen, link=link)]


def visible_submission(request: Request, caller: Caller, submission_id: int):
    found = service(request).store.submission(submission_id)
    if found is None:
        raise Refused(404, "w_err_no_submission")
    if not caller.may_see(found.link):
        raise Refused(403, "w_err_not_yours")
    return found


@router.get("/submissions/{submission_id}", summary="One submission, with its validate document once checked")
async def submission(request: Request, submission_id: int) -> dict:
    caller = require(request, service(request).store)
    found = visible_submission(request, caller, submission_id)
    document, _ = service(request).store.submission_document(found.id)
    return {**found.to_dict(), "document": document}


@router.get("/submissions/{submission_id}/annotated", summary="The annotated copy")
async def annotated(request: Request, submission_id: int) -> FileResponse:
    caller = require(request, service(request).store)
    found = visible_submission(request, caller, submission_id)
    return annotated_response(request, found)


def annotated_response(request: Request, found):
    svc = service(request)
    path = svc.store.annotated_path(found.id)
    if not found.annotated or not path.exists():
        raise Refused(404, "w_err_no_annotated")
    return download(path, svc.annotated_name(found, lang_of(request)))


@router.get("/submissions/{submission_id}/file", summary="The file as handed in")
async def original(request: Request, submission_id: int) -> FileResponse:
    caller = require(request, service(request).store)
    found = visible_submission(request, caller, submission_id)
    path = service(request).store.file_path(found.sha256, found.file_name)
    return download(path, found.file_name)


@router.get("/annotated.zip", summary="Every team's latest annotated copy of the month, zipped (manager)")
async def annotated_zip(request: Request, month: str | None = None) -> FileResponse:
    require(request, service(request).store, manager=True)
    chosen = month_of(request, month)
    path = await run_in_threadpool(service(request).annotated_zip, chosen, lang_of(request))
    name = messages.text("w_zip_file", lang_of(request), month=chosen)
    response = download(path, name, media_type="application/zip")
    response.background = BackgroundTask(path.unlink, missing_ok=True)
    return response


# --- the summary ---------------------------------------------------------------------------------------


@router.post("/consolidate", summary="Build the month's summary workbook from the accepted files (manager)")
async def consolidate(request: Request, month: str | None = None, wait: bool = True) -> JSONResponse:
    require(request, service(request).store, manager=True)
    summary_id, future = start_summary(request, month_of(request, month))
    if not wait:
        return JSONResponse({"summary_id": summary_id, "url": f"/api/summaries/{summary_id}"}, status_code=202)
    document = await finished(future)
    if document is None:
        raise Refused(503, "w_err_stopping")
    return JSONResponse(summary_document(summary_id, document), status_code=200 if "error" not in document else 409)


def start_summary(request: Request, month: str):
    svc = service(request)
    if not svc.accepted(month):
        raise Refused(409, "w_nothing_to_summarize", month=month)
    return svc.start_summary(month)


def summary_document(summary_id: int, document: dict | None) -> dict:
    return {**(document or {}), "summary_id": summary_id, "download": f"/api/summaries/{summary_id}/file"}


@router.get("/summaries", summary="The summaries built (manager)")
async def summaries(request: Request, month: str | None = None) -> list[dict]:
    require(request, service(request).store, manager=True)
    return [summary_state(request, s) for s in service(request).store.summaries(month)]


def summary_state(request: Request, record: dict) -> dict:
    progress = service(request).progress.get(record["id"])
    out = {k: v for k, v in record.items() if k != "document"}
    out["done"], out["total"] = (progress.done, progress.total) if progress else (record["files"], record["files"])
    if record["state"] == st.ACCEPTED:
        out["download"] = f"/api/summaries/{record['id']}/file"
    return out


@router.get("/summaries/{summary_id}", summary="A summary's progress, and its consolidate document once built")
async def summary(request: Request, summary_id: int) -> dict:
    require(request, service(request).store, manager=True)
    record = service(request).store.summary(summary_id)
    if record is None:
        raise Refused(404, "w_err_no_summary")
    return {**summary_state(request, record), "document": record["document"]}


@router.get("/summaries/{summary_id}/file", summary="The summary workbook")
async def summary_file(request: Request, summary_id: int) -> FileResponse:
    require(request, service(request).store, manager=True)
    return summary_download(request, summary_id)


def summary_download(request: Request, summary_id: int):
    svc = service(request)
    record = svc.store.summary(summary_id)
    path = svc.store.summary_path(summary_id)
    if record is None or record["state"] != st.ACCEPTED or not path.exists():
        raise Refused(404, "w_err_no_summary")
    return download(path, svc.summary_name(record["month"], lang_of(request)))


# --- shared ---------------------------------------------------------------------------------------------


def lang_of(request: Request) -> str:
    chosen = request.query_params.get("lang") or request.cookies.get(security.LANG_COOKIE)
    if chosen in ("zh", "en"):
        return chosen
    return service(request).lang


def download(path, name: str, media_type: str | None = None) -> FileResponse:
    kind = media_type or "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return FileResponse(path, media_type=kind, headers={"Content-Disposition": security.attachment(name)})
