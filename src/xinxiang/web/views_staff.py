"""Pages for staff accounts: login/logout, the office dashboard, the ticket list and page.

Ticket changes go through the command layer (`views_actions`); the ticket page shows their
forms to an account allowed to act (`ticket_panel`). Every view asks
`permissions.allowed`; a ticket the actor may not see answers 404, exactly like one that does
not exist, so guessing numbers in URLs tells nothing.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import quote, urlencode

from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from xinxiang.domain.states import TicketStatus
from xinxiang.handlers.documents import URGENCY_LABELS, build_record
from xinxiang.services.approval import list_pending
from xinxiang.store.models import LetterRow
from xinxiang.web.accounts import actor_for, audit, audit_request, authenticate
from xinxiang.web.cas import logout_url as cas_logout_url
from xinxiang.web.dept_panel import dept_context, evidence_of, hide_in_timeline, identity
from xinxiang.web.permissions import Actor, allowed
from xinxiang.web.policy_data import dashboard_tiles
from xinxiang.web.queries import (
    PAGE_SIZE,
    ListedTicket,
    TicketFilter,
    find_ticket,
    list_tickets,
)
from xinxiang.web.queries import dashboard as dashboard_data
from xinxiang.web.render import cn_due, escape_text, page, status_label
from xinxiang.web.security import client_ip, new_session, safe_next
from xinxiang.web.sessions import end_session, signed_in, start_session
from xinxiang.web.ticket_panel import action_context, can_instruct, take_flash, timeline


def current_actor(request: Request, session: Session) -> Actor | None:
    """The signed-in account of this request, or None: a disabled account, a session from
    before a password change (older epoch), or one ended on the server (logout, the CAS
    server's single logout) counts as signed out."""
    data = request.scope["session"]
    user = signed_in(session, data.get("sid"), data.get("user"), data.get("epoch"))
    if user is None:
        return None
    actor = actor_for(user, request.app.state.cfg)
    request.state.actor = actor
    return actor


class LoginRequired(Exception):
    """Raised by a view when nobody is signed in; answered by `login_redirect`."""


async def login_redirect(request: Request, exc: Exception) -> Response:
    """To the login page, which comes back here afterwards."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)


def require(request: Request, session: Session, action: str | None = None) -> Actor:
    """The signed-in actor, allowed `action` on the console as a whole if one is given."""
    actor = current_actor(request, session)
    if actor is None:
        raise LoginRequired
    if action is not None and not allowed(actor, action):
        raise HTTPException(403)
    return actor


def home_for(actor: Actor) -> str:
    """Where an account lands after login: the dashboard if it may see it; a leader its 督办
    items and departments; else its tickets."""
    if allowed(actor, "view-dashboard"):
        return "/office/"
    return "/supervision" if allowed(actor, "view-supervision") else "/tickets"


async def login(request: Request) -> Response:
    """`GET /login` shows the form; `POST /login` checks it (rate-limited, lockout, audited)."""
    state = request.app.state
    next_url = request.query_params.get("next")
    if request.method == "GET":
        return page(
            request,
            "login.html",
            title="登录",
            next=safe_next(next_url, ""),
            error="",
            cas_enabled=state.cfg.settings.web.cas is not None,
        )
    form = await request.form()
    name = str(form.get("name", "")).strip().lower()
    password = str(form.get("password", ""))
    next_url = safe_next(str(form.get("next", "")), "")
    ip = client_ip(request)
    now = state.clock()
    if not state.login_limiter.hit(ip):
        return page(
            request,
            "login.html",
            429,
            title="登录",
            next=next_url,
            error="登录尝试过于频繁，请稍后再试。",
        )
    with state.ctx.db.unit_of_work() as session:
        result = authenticate(session, name, password, now)
        user = result.user
        role = user.role if user else ""
        audit(
            session,
            at=now,
            account=name or "-",
            role=role,
            ip=ip,
            action="login" if user else "login-failed",
            detail=None if user else result.reason,
        )
        if user is not None:
            actor = actor_for(user, state.cfg)
            sid = start_session(session, user.name, "password", now)
            new_session(
                request.scope, state.epoch, user=user.name, epoch=user.session_epoch, sid=sid
            )
            return RedirectResponse(next_url or home_for(actor), status_code=303)
    message = (
        "账号已被暂时锁定，请稍后再试或联系管理员。"
        if result.reason == "locked"
        else "账号或密码不正确。"
    )
    return page(request, "login.html", 401, title="登录", next=next_url, error=message)


async def logout(request: Request) -> Response:
    """`POST /logout`: end the session (audited)."""
    state = request.app.state
    with state.ctx.db.unit_of_work() as session:
        actor = current_actor(request, session)
        if actor is not None:
            end_session(session, request.scope["session"].get("sid"), state.clock(), "logout")
            audit(
                session,
                at=state.clock(),
                account=actor.name,
                role=actor.role,
                ip=client_ip(request),
                action="logout",
            )
    via_cas = request.scope["session"].get("via") == "cas"
    new_session(request.scope, state.epoch)
    cas_section = state.cfg.settings.web.cas
    if via_cas and cas_section is not None:  # single logout: end the CAS session too
        return RedirectResponse(cas_logout_url(cas_section), status_code=303)
    return RedirectResponse("/login", status_code=303)


async def dashboard(request: Request) -> Response:
    """`/office/`: the office's dashboard (工作台)."""
    state = request.app.state
    with state.ctx.db.session() as session:
        require(request, session, "view-dashboard")
    # The month's assessment and the hot topics may take seconds when their cache is stale:
    # in a worker thread, so the server goes on answering other requests meanwhile.
    tiles = await run_in_threadpool(dashboard_tiles, state.ctx, state.clock())
    with state.ctx.db.session() as session:
        actor = require(request, session, "view-dashboard")
        data = dashboard_data(session, state.clock(), state.cfg.tz, state.cfg.office.code)
        return page(
            request,
            "dashboard.html",
            title="工作台",
            d=data,
            show_holding=allowed(actor, "view-holding-pen"),
            approvals=list_pending(session)[:20],
            departments={d.code: d.name for d in state.cfg.departments},
            tiles=tiles,
        )


_STATUSES = frozenset(s.value for s in TicketStatus)


def _filter(request: Request) -> TicketFilter:
    q = request.query_params
    status = q.get("status") or None
    if status not in _STATUSES:
        status = None
    try:
        page_no = max(1, min(int(q.get("page", "1")), 100_000))
    except ValueError:
        page_no = 1
    return TicketFilter(
        status=status,
        department=q.get("department") or None,
        overdue=q.get("overdue") == "1",
        page=page_no,
        text=q.get("q", "").strip()[:50],
        since=_day(q.get("since")),
        until=_day(q.get("until")),
    )


def _day(value: str | None) -> date | None:
    """A `YYYY-MM-DD` filter value, or None for anything else."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


async def ticket_list(request: Request) -> Response:
    """`/tickets`: the actor's tickets with filters (status, department, overdue) and paging."""
    state = request.app.state
    with state.ctx.db.read_session() as session:  # reads only: no transaction round trips
        actor = require(request, session, "list-tickets")
        flt = _filter(request)
        rows, total = list_tickets(session, actor, flt, state.clock(), state.cfg.tz)
    departments = {d.code: d.name for d in state.cfg.departments}
    return page(
        request,
        "tickets.html",
        title="工单列表",
        rows=_rows_html(rows, departments, state.cfg.settings.school.timezone),
        total=total,
        flt=flt,
        pages=max(1, -(-total // PAGE_SIZE)),
        department_choices=tuple(departments.items()),
        query=_page_query(flt),
    )


# One row of the ticket list: `{0}` is the ticket number (link and text), then the cells.
_ROW = (
    '  <tr>\n    <td data-label="受理编号"><a href="/tickets/{0}">{0}</a></td>\n'
    '    <td data-label="主题">{1}</td>\n    <td data-label="状态">{2}</td>\n'
    '    <td data-label="承办单位">{3}</td>\n    <td data-label="紧急程度">{4}</td>\n'
    '    <td data-label="最近时限">{5}</td>\n    <td data-label="正式回复期限">{6}</td>\n'
    "  </tr>\n"
)


def _rows_html(rows: list[ListedTicket], departments: dict[str, str], tz: str) -> Markup:
    """The list's table rows as HTML, every cell worded and escaped here in one pass.

    Fifty rows of seven cells through the template cost sixteen template outputs and eight
    escapes a row, each passed up through the page's three nested template generators: the
    largest cost of a cheap filter's request after its query (bench_web.py). Every cell, the
    ticket number included, is escaped as the templates' autoescape would (`escape_text`).
    """
    return Markup(
        "".join(
            _ROW.format(
                escape_text(t.number),
                escape_text(t.subject),
                escape_text(status_label(t.status)),
                escape_text(departments.get(t.department_code, "—") if t.department_code else "—"),
                escape_text(URGENCY_LABELS.get(t.urgency, t.urgency)),
                escape_text(cn_due(t.next_due, tz)),
                escape_text(cn_due(t.formal_due, tz)),
            )
            for t in rows
        )
    )


def _page_query(flt: TicketFilter) -> str:
    """The filter part of a paging link (the page number is appended)."""
    params = {
        "status": flt.status or "",
        "department": flt.department or "",
        "q": flt.text,
        "since": flt.since.isoformat() if flt.since else "",
        "until": flt.until.isoformat() if flt.until else "",
    }
    if flt.overdue:
        params["overdue"] = "1"
    return urlencode({k: v for k, v in params.items() if v})


async def ticket_detail(request: Request) -> Response:
    """`/tickets/{number}`: the letter, attachments, classification, deadlines and timeline."""
    state = request.app.state
    with state.ctx.db.session() as session:
        actor = require(request, session)
        found = find_ticket(session, request.path_params["number"])
        if found is None or not allowed(actor, "view-ticket", found[1]):
            raise HTTPException(404)
        ticket, resource = found
        now = state.clock()
        record = build_record(state.ctx, session, ticket, now)
        letter = session.get(LetterRow, ticket.letter_id)
        attachments = list(letter.attachments) if letter is not None else []
        classification = ticket.classification or {}
        who = identity(state.cfg, session, actor, ticket, record.body)
        events = timeline(session, ticket, record.events, actor)
        if who.hidden:  # 身份保密: no name, address or the letter's own files for this account
            attachments, events = [], hide_in_timeline(events, ticket)
        audit_request(session, request, actor, now, "view-ticket", ticket.number)
        session.commit()
        return page(
            request,
            "ticket.html",
            title=f"工单 {ticket.number}",
            t=ticket,
            r=record,
            attachments=attachments,
            classification=classification,
            now=now,
            timeline=events,
            who=who,
            evidence=evidence_of(session, ticket),
            flash=take_flash(request),
            a=action_context(state.ctx, session, actor, ticket, resource, now),
            dept=dept_context(state.ctx, actor, ticket, resource),
            instruct=can_instruct(actor, ticket, resource),
        )
