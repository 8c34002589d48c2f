"""A department's answers on the web console (网上答复), through the same commands as mail.

`POST /tickets/{number}/dept/{action}` builds the command the reply loop builds from a mail —
受理 `AcceptTicket`, 初步/正式回复 `AnswerTicket`, 退回 `ReturnTicket`, 延期申请
`RequestExtension`, 协办结果 `ReportCohandlerResult` — with the account as actor on channel "web",
runs it on the bus, and goes back to the ticket page with the summary or the refusal's Chinese
reason (post/redirect/get, no script). `…/dept/evidence` takes 支撑材料 (recordings,
screenshots, PDFs) within the configured size and types into the blob store and logs an
`evidence_added` event like evidence by mail. `GET /tickets/{number}/files/{sha256}` downloads a
file of the ticket, always as an attachment (never shown inline, never sniffed).

A ticket the account may not see is 404 like a missing one; the lead department's actions on a
ticket it only co-handles, or any of them for another role, are 403. Every attempt is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from urllib.parse import quote

from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from xinxiang.errors import XinxiangError
from xinxiang.handlers import (
    AcceptTicket,
    AnswerTicket,
    Handled,
    ReportCohandlerResult,
    RequestExtension,
    ReturnTicket,
    handle,
)
from xinxiang.replies.publishing import republish
from xinxiang.services.context import AppContext
from xinxiang.store.models import TicketRow
from xinxiang.store.repo import add_event
from xinxiang.web.accounts import audit_request
from xinxiang.web.dept_panel import downloadable, identity
from xinxiang.web.permissions import Actor, TicketResource, allowed
from xinxiang.web.queries import find_ticket
from xinxiang.web.render import filesize
from xinxiang.web.ticket_panel import flash
from xinxiang.web.views_actions import (
    FORBIDDEN_LABEL,
    Attempt,
    FormProblem,
    _day,
    _text,
    command_actor,
)
from xinxiang.web.views_staff import require

MAX_EVIDENCE_FILES = 4  # per upload (the request's size cap allows this many full files)


def _required(form: FormData, name: str, what: str) -> str:
    value = _text(form, name)
    if not value:
        raise FormProblem(f"请填写{what}")
    return value


Builder = Callable[[Actor, str, FormData, TicketResource], Attempt]


def _accept(actor: Actor, number: str, form: FormData, _r: TicketResource) -> Attempt:
    track = _text(form, "track")
    declared = int(track) if track in ("2", "3") else None
    cmd = AcceptTicket(command_actor(actor), number, _text(form, "text"), declared)
    return Attempt("dept-accept", cmd, f"办理类型 {declared}" if declared else "")


def _answer(kind: str) -> Builder:
    def build(actor: Actor, number: str, form: FormData, _r: TicketResource) -> Attempt:
        text = _required(form, "text", "答复内容")
        planned = _day(_text(form, "planned")) if kind == "preliminary" else None
        cmd = AnswerTicket(
            command_actor(actor),
            number,
            "preliminary" if kind == "preliminary" else "formal",
            text,
            planned,
        )
        return Attempt(f"dept-{kind}", cmd, f"{len(text)} 字")

    return build


def _return(actor: Actor, number: str, form: FormData, _r: TicketResource) -> Attempt:
    reason = _required(form, "reason", "退回理由")
    return Attempt("dept-return", ReturnTicket(command_actor(actor), number, reason), reason)


def _extension(actor: Actor, number: str, form: FormData, _r: TicketResource) -> Attempt:
    until = _day(_text(form, "until"))
    if until is None:
        raise FormProblem("请填写延期至的日期")
    reason = _required(form, "reason", "延期理由")
    cmd = RequestExtension(command_actor(actor), number, until, reason, reason)
    return Attempt("dept-extension", cmd, f"至 {until.isoformat()}；{reason}")


def _cohandler(actor: Actor, number: str, form: FormData, r: TicketResource) -> Attempt:
    text = _required(form, "text", "协办结果")
    code = sorted(r.cohandlers & actor.departments)[0]
    cmd = ReportCohandlerResult(command_actor(actor), number, text, department=code)
    return Attempt("dept-cohandler", cmd, f"{len(text)} 字")


# action → (its builder, the permission it needs)
_ACTIONS: dict[str, tuple[Builder, str]] = {
    "accept": (_accept, "department-action"),
    "preliminary": (_answer("preliminary"), "department-action"),
    "formal": (_answer("formal"), "department-action"),
    "return": (_return, "department-action"),
    "extension": (_extension, "department-action"),
    "cohandler": (_cohandler, "cohandler-report"),
}


def _may_upload(actor: Actor, resource: TicketResource) -> bool:
    return allowed(actor, "department-action", resource) or allowed(
        actor, "cohandler-report", resource
    )


def _suffix(filename: str) -> str:
    name = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


async def _store_evidence(
    ctx: AppContext,
    session: Session,
    actor: Actor,
    ticket: TicketRow,
    form: FormData,
    now: datetime,
) -> str:
    """Check and keep the uploaded files; one `evidence_added` event each. The summary."""
    web = ctx.cfg.settings.web
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    if not files:
        raise FormProblem("请选择要上传的文件")
    if len(files) > MAX_EVIDENCE_FILES:
        raise FormProblem(f"一次最多上传 {MAX_EVIDENCE_FILES} 个文件")
    kept: list[tuple[str, str, bytes]] = []
    for f in files:
        name = (f.filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
        if _suffix(name) not in web.evidence_types:
            raise FormProblem(f"不支持的文件类型：{name}（允许 {'、'.join(web.evidence_types)}）")
        data = await f.read(web.evidence_max_bytes + 1)
        if len(data) > web.evidence_max_bytes:
            raise FormProblem(
                f"文件过大：{name}（单个文件不超过 {filesize(web.evidence_max_bytes)}）"
            )
        if not data:
            raise FormProblem(f"文件为空：{name}")
        kept.append((name, f.content_type or "application/octet-stream", data))
    for name, content_type, data in kept:
        sha = ctx.blobs.put(data, durable=False)
        add_event(
            session,
            ticket.id,
            now,
            actor.name,
            "evidence_added",
            filename=name,
            content_type=content_type,
            size=len(data),
            sha256=sha,
            stored=True,
            channel="web",
        )
    ctx.blobs.sync()
    return f"已上传支撑材料 {len(kept)} 个：" + "、".join(n for n, _, _ in kept)


async def department_action(request: Request) -> Response:
    """`POST /tickets/{number}/dept/{action}`: one department action, then back to the ticket."""
    state = request.app.state
    number, action = request.path_params["number"], request.path_params["action"]
    known = action in _ACTIONS or action == "evidence"
    form = await request.form()
    now = state.clock()
    done: Handled | None = None
    with state.ctx.db.unit_of_work() as session:
        actor = require(request, session)
        found = find_ticket(session, number)
        if not known or found is None or not allowed(actor, "view-ticket", found[1]):
            raise HTTPException(404)
        ticket, resource = found
        if action == "evidence":
            may = _may_upload(actor, resource)
        else:
            may = allowed(actor, _ACTIONS[action][1], resource)
        key, detail = "forbidden", f"{FORBIDDEN_LABEL}：ticket-dept-{action}"
        if may:
            key = f"ticket-dept-{action}"
            try:
                if action == "evidence":
                    detail = await _store_evidence(state.ctx, session, actor, ticket, form, now)
                    flash(request, True, detail)
                else:
                    attempt = _ACTIONS[action][0](actor, number, form, resource)
                    done = handle(attempt.command, state.ctx, now, session=session)
                    detail = "；".join(p for p in (attempt.detail, done.summary) if p)
                    flash(request, True, done.summary)
            except XinxiangError as exc:  # Refused, a form problem
                detail = f"未执行：{exc}"
                flash(request, False, str(exc))
        audit_request(session, request, actor, now, key, number, detail)
    if not may:
        raise HTTPException(403)
    if done is not None and done.republish:
        republish(state.ctx, now)
    return RedirectResponse(f"/tickets/{number}", status_code=303)


async def download(request: Request) -> Response:
    """`GET /tickets/{number}/files/{sha256}`: a file of the ticket, as a download only."""
    state = request.app.state
    number, sha = request.path_params["number"], request.path_params["sha256"]
    with state.ctx.db.unit_of_work() as session:
        actor = require(request, session)
        found = find_ticket(session, number)
        if found is None or not allowed(actor, "view-ticket", found[1]):
            raise HTTPException(404)
        ticket = found[0]
        # An identity-confidential letter's own files are the office's to read.
        letter_files = not identity(state.cfg, session, actor, ticket, "").hidden
        item = downloadable(session, ticket, sha, letter_files)
        if item is None or len(sha) != 64:
            raise HTTPException(404)
        audit_request(session, request, actor, state.clock(), "download", number, item.filename)
    try:
        data = state.ctx.blobs.get(sha)
    except (OSError, ValueError):
        raise HTTPException(404) from None
    fallback = "".join(
        c if (c.isascii() and c.isalnum()) or c in "._-" else "_" for c in item.filename
    )
    disposition = (
        f"attachment; filename=\"{fallback or 'file'}\"; filename*=UTF-8''{quote(item.filename)}"
    )
    return Response(
        data,
        media_type="application/octet-stream",
        headers={
            "content-disposition": disposition,
            "x-content-type-options": "nosniff",
        },
    )
