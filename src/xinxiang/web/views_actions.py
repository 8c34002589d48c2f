"""The office's actions on a ticket in the web console (网上办理), through the command bus.

`POST /tickets/{number}/{action}` builds one command of `xinxiang.handlers` (the web is one more
interface to the same handlers: "one way to change a ticket") with the account as its actor on
channel "web", runs it, and answers with a redirect back to the ticket page (post/redirect/get,
no JavaScript needed) carrying a one-time message: the change's summary, or the refusal's reason
in Chinese. Every attempt — done, refused, or forbidden — is one line of the audit log
(account, role, time, IP, what), which the ticket's timeline shows.

Permissions: a ticket the account may not see is a 404 like a missing one; one it may see but
not act on is a 403 (departments, leaders and auditors never take the office's actions).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from xinxiang.errors import XinxiangError
from xinxiang.handlers import Actor as CommandActor
from xinxiang.handlers import (
    AddCohandlers,
    ApproveReply,
    CloseTicket,
    DecideExtension,
    Handled,
    Message,
    RejectReply,
    ReopenTicket,
    RouteTicket,
    handle,
)
from xinxiang.handlers.redaction import (
    AddRedaction,
    LiftRedaction,
    PublicCommand,
    RestoreToBoard,
    TakeDown,
    handle_public,
)
from xinxiang.handlers.repository import TicketRepository
from xinxiang.replies.publishing import republish
from xinxiang.web.accounts import audit_request
from xinxiang.web.permissions import Actor, allowed
from xinxiang.web.queries import find_ticket
from xinxiang.web.ticket_panel import flash
from xinxiang.web.views_staff import require

FORBIDDEN_LABEL = "无权限的操作（已拒绝）"


class FormProblem(XinxiangError):
    """The form itself is incomplete or stale; the reason is shown to the clerk."""


@dataclass(frozen=True)
class Attempt:
    """What the clerk asked (`key`: audit action) and the command that carries it out."""

    key: str
    command: Message
    detail: str


def command_actor(actor: Actor) -> CommandActor:
    """The command layer's actor for a signed-in account: its name is what the log records."""
    return CommandActor(role=actor.role, name=actor.name, channel="web")


def _text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _day(value: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FormProblem(f"日期“{value}”的格式不正确，应为 YYYY-MM-DD") from None


def _pending_guard(session: Session, number: str, form: FormData) -> None:
    """The reply shown on the page must still be the one waiting: else the clerk decides on
    something they have not read (another clerk acted meanwhile)."""
    repo = TicketRepository(session)
    pending = repo.pending_rows(repo.get(number))
    shown = _text(form, "reply_id")
    if not pending:
        return  # the workflow refuses with its own wording
    if shown != str(pending[0].id):
        raise FormProblem("待审核的答复已有变化，请查看最新内容后重新操作。")


def _route(who: CommandActor, number: str, form: FormData, _s: Session) -> Attempt:
    dept, reason = _text(form, "department"), _text(form, "reason")
    if not dept:
        raise FormProblem("请选择承办单位")
    cmd = RouteTicket(who, number, dept, reason or None, reason_hint="（请填写“原因”）")
    return Attempt("route", cmd, f"至 {dept}" + (f"；原因：{reason}" if reason else ""))


def _cohandlers(who: CommandActor, number: str, form: FormData, _s: Session) -> Attempt:
    codes = tuple(str(v).strip() for v in form.getlist("departments") if str(v).strip())
    return Attempt("cohandlers", AddCohandlers(who, number, codes), "、".join(codes))


def _extension(who: CommandActor, number: str, form: FormData, _s: Session) -> Attempt:
    decision = _text(form, "decision")
    if decision not in ("approve", "refuse"):
        raise FormProblem("请选择同意或不同意延期")
    approve = decision == "approve"
    until, reason = _day(_text(form, "until")), _text(form, "reason")
    detail = ("同意" if approve else "不同意") + (f"，至 {until.isoformat()}" if until else "")
    cmd = DecideExtension(who, number, approve, reason, until)
    return Attempt("extension", cmd, detail + (f"；{reason}" if reason else ""))


def _approve(who: CommandActor, number: str, form: FormData, s: Session) -> Attempt:
    _pending_guard(s, number, form)
    if _text(form, "mode") != "edit":
        return Attempt("approve", ApproveReply(who, number), "按原文同意")
    edited = _text(form, "text")
    if not edited:
        raise FormProblem("修改后的答复不能为空")
    return Attempt("approve-edited", ApproveReply(who, number, edited), f"修改稿 {len(edited)} 字")


def _reject(who: CommandActor, number: str, form: FormData, s: Session) -> Attempt:
    _pending_guard(s, number, form)
    reason = _text(form, "reason")
    return Attempt("reject", RejectReply(who, number, reason), f"理由：{reason}")


def _close(who: CommandActor, number: str, form: FormData, _s: Session) -> Attempt:
    return Attempt("close", CloseTicket(who, number), "")


def _reopen(who: CommandActor, number: str, form: FormData, _s: Session) -> Attempt:
    reason = _text(form, "reason")
    return Attempt("reopen", ReopenTicket(who, number, reason), f"原因：{reason}")


_SPLIT = re.compile(r"[、，,;；\s]+")


def _lift(who: CommandActor, number: str, form: FormData) -> tuple[str, PublicCommand, str]:
    words = [w for w in _SPLIT.split(_text(form, "marks")) if w]
    if not words or not all(w.isdigit() for w in words):
        raise FormProblem("请填写要保留的标记编号，如 3、5")
    marks = tuple(int(w) for w in words)
    return "redact-lift", LiftRedaction(who, number, marks), "、".join(words)


def _add(who: CommandActor, number: str, form: FormData) -> tuple[str, PublicCommand, str]:
    terms = tuple(t for t in _SPLIT.split(_text(form, "terms")) if t)
    return "redact-add", AddRedaction(who, number, terms), f"{len(terms)} 项"


def _takedown(who: CommandActor, number: str, form: FormData) -> tuple[str, PublicCommand, str]:
    reason = _text(form, "reason")
    return "takedown", TakeDown(who, number, reason), f"原因：{reason}"


def _restore(who: CommandActor, number: str, form: FormData) -> tuple[str, PublicCommand, str]:
    reason = _text(form, "reason")
    return "restore", RestoreToBoard(who, number, reason), f"原因：{reason}" if reason else ""


_PUBLIC: dict[str, Callable[[CommandActor, str, FormData], tuple[str, PublicCommand, str]]] = {
    "redact-lift": _lift,
    "redact-add": _add,
    "takedown": _takedown,
    "restore": _restore,
}
"""The office's decisions on the public text (`handlers.redaction`): no workflow change."""

_BUILDERS: dict[str, Callable[[CommandActor, str, FormData, Session], Attempt]] = {
    "route": _route,
    "cohandlers": _cohandlers,
    "extension": _extension,
    "approve": _approve,
    "reject": _reject,
    "close": _close,
    "reopen": _reopen,
}


async def ticket_action(request: Request) -> Response:
    """`POST /tickets/{number}/{action}`: one office action on the ticket, then back to it."""
    state = request.app.state
    number, action = request.path_params["number"], request.path_params["action"]
    build = _BUILDERS.get(action)
    public = _PUBLIC.get(action)
    form = await request.form()
    now = state.clock()
    done: Handled | None = None
    rebuild = False
    with state.ctx.db.unit_of_work() as session:
        actor = require(request, session)
        found = find_ticket(session, number)
        known = build is not None or public is not None
        if not known or found is None or not allowed(actor, "view-ticket", found[1]):
            raise HTTPException(404)
        may = allowed(actor, "office-action", found[1])
        # A forbidden attempt is audited apart ("forbidden"): it is no line of the timeline.
        key, detail = "forbidden", f"{FORBIDDEN_LABEL}：ticket-{action}"
        if may and public is not None:
            key = f"ticket-{action}"
            try:
                key, command, asked = public(command_actor(actor), number, form)
                key = f"ticket-{key}"
                summary = handle_public(command, state.ctx, now, session=session)
                detail, rebuild = "；".join(p for p in (asked, summary) if p), True
                flash(request, True, summary)
            except XinxiangError as exc:
                detail = f"未执行：{exc}"
                flash(request, False, str(exc))
        elif may and build is not None:
            key = f"ticket-{action}"
            try:
                attempt = build(command_actor(actor), number, form, session)
                key = f"ticket-{attempt.key}"
                done = handle(attempt.command, state.ctx, now, session=session)
                detail = "；".join(p for p in (attempt.detail, done.summary) if p)
            except XinxiangError as exc:  # Refused, an unknown department, a stale form
                detail = f"未执行：{exc}"
                flash(request, False, str(exc))
            else:
                flash(request, True, done.summary)
        audit_request(session, request, actor, now, key, number, detail)
    if not may:
        raise HTTPException(403)
    if rebuild or (done is not None and done.republish):
        republish(state.ctx, now)
    return RedirectResponse(f"/tickets/{number}", status_code=303)
