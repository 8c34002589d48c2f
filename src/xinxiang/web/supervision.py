"""督办 on the console: a leader's 督办 items and supervised departments, and 批示 from the web.

`GET /supervision` lists the 督办 items (督办事项) an account may see — tickets under 督办
after a second dissatisfied rating (`supervised`), and tickets still in a department's hands
that the sweep escalated to the supervising leader as overdue — with a summary of each
department (分管单位): open, overdue, under 督办. A leader sees those its departments lead;
the office and auditors see all.

`POST /tickets/{number}/instruct` records a 批示 through the command layer
(`handlers.RecordInstruction`, channel web): the workflow puts it on the ticket's timeline and
the outgoing door mails it to the department. Who may: `permissions.allowed(actor,
"instruct", ticket)` — a leader on the tickets its departments lead, the office on any; a
ticket the account cannot see is a 404, one it may see but not instruct on a 403. Every
attempt is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Subquery
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from xinxiang.config import Config
from xinxiang.domain.states import OPEN_WORK_STATUSES, TicketStatus
from xinxiang.errors import XinxiangError
from xinxiang.handlers import handle
from xinxiang.handlers.messages import RecordInstruction
from xinxiang.store.models import EventRow, TicketRow
from xinxiang.web.accounts import audit_request
from xinxiang.web.permissions import allowed, ticket_scope
from xinxiang.web.queries import find_ticket, next_due
from xinxiang.web.render import page
from xinxiang.web.ticket_panel import flash
from xinxiang.web.views_actions import FORBIDDEN_LABEL, command_actor
from xinxiang.web.views_staff import require

MAX_INSTRUCTION_CHARS = 2000
MAX_ITEMS = 200


@dataclass(frozen=True)
class SupervisionItem:
    """One 督办 item: the ticket, why it is under 督办, since when, the last 批示."""

    number: str
    subject: str
    department: str | None
    status: str
    reason: str  # 再次不满意 | 逾期督办
    since: datetime | None
    due: datetime | None
    instructed_at: datetime | None


@dataclass(frozen=True)
class DepartmentLine:
    """A department in the summary: tickets in its hands, overdue, under 督办."""

    code: str
    name: str
    open: int
    overdue: int
    supervised: int


def _last(kind: str) -> Subquery:
    """(ticket id, when) of each ticket's latest event of `kind`."""
    return (
        select(EventRow.ticket_id, func.max(EventRow.at).label("at"))
        .where(EventRow.kind == kind)
        .group_by(EventRow.ticket_id)
        .subquery()
    )


def supervision_items(
    session: Session, departments: frozenset[str] | None, now: datetime
) -> list[SupervisionItem]:
    """The 督办 items led by `departments` (None: all), 督办 after rating first, then by due."""
    escalated, instructed = _last("notice_escalation"), _last("instruction_recorded")
    handling = [s.value for s in OPEN_WORK_STATUSES]
    due = next_due()
    query = (
        select(TicketRow, escalated.c.at, instructed.c.at, due.label("due"))
        .outerjoin(escalated, escalated.c.ticket_id == TicketRow.id)
        .outerjoin(instructed, instructed.c.ticket_id == TicketRow.id)
        .where(
            or_(
                TicketRow.status == TicketStatus.SUPERVISED.value,
                and_(TicketRow.status.in_(handling), escalated.c.at.is_not(None)),
            )
        )
        .order_by((TicketRow.status == TicketStatus.SUPERVISED.value).desc(), TicketRow.id)
        .limit(MAX_ITEMS)
    )
    if departments is not None:
        query = query.where(TicketRow.department_code.in_(sorted(departments)))
    items = []
    for ticket, esc_at, instr_at, running in session.execute(query).all():
        supervised = ticket.status == TicketStatus.SUPERVISED.value
        items.append(
            SupervisionItem(
                number=ticket.number,
                subject=ticket.subject,
                department=ticket.department_code,
                status=ticket.status,
                reason="再次不满意" if supervised else "逾期督办",
                since=esc_at,
                due=None if supervised else running,
                instructed_at=instr_at,
            )
        )
    return items


def department_lines(
    session: Session, cfg: Config, departments: frozenset[str] | None, now: datetime
) -> list[DepartmentLine]:
    """Each department's counts (the supervised ones, or all but the office for None)."""
    wanted = [
        d
        for d in cfg.departments
        if (d.code in departments if departments is not None else not d.office)
    ]
    handling = [s.value for s in OPEN_WORK_STATUSES]
    rows = session.execute(
        select(
            TicketRow.department_code,
            func.count(TicketRow.id).filter(TicketRow.status.in_(handling)),
            func.count(TicketRow.id).filter(next_due() < now),
            func.count(TicketRow.id).filter(TicketRow.status == TicketStatus.SUPERVISED.value),
        )
        .where(TicketRow.department_code.in_([d.code for d in wanted]))
        .group_by(TicketRow.department_code)
    ).all()
    counts = {code: (o, late, sup) for code, o, late, sup in rows}
    return [
        DepartmentLine(d.code, d.name, *counts.get(d.code, (0, 0, 0)))
        for d in sorted(wanted, key=lambda d: d.code)
    ]


async def supervision(request: Request) -> Response:
    """`GET /supervision`: the 督办 items and the departments of the account."""
    state = request.app.state
    with state.ctx.db.session() as session:
        actor = require(request, session, "view-supervision")
        scope = ticket_scope(actor)
        now = state.clock()
        return page(
            request,
            "supervision.html",
            title="督办事项",
            items=supervision_items(session, scope, now),
            lines=department_lines(session, state.cfg, scope, now),
            departments={d.code: d.name for d in state.cfg.departments},
            now=now,
        )


async def instruct(request: Request) -> Response:
    """`POST /tickets/{number}/instruct`: record a 批示 and mail it to the department."""
    state = request.app.state
    number = request.path_params["number"]
    form = await request.form()
    value = form.get("text", "")
    text = value.strip() if isinstance(value, str) else ""
    now = state.clock()
    with state.ctx.db.unit_of_work() as session:
        actor = require(request, session)
        found = find_ticket(session, number)
        if found is None or not allowed(actor, "view-ticket", found[1]):
            raise HTTPException(404)
        may = allowed(actor, "instruct", found[1])
        key, detail = "forbidden", f"{FORBIDDEN_LABEL}：ticket-instruct"
        if may:
            key = "ticket-instruct"
            try:
                if len(text) > MAX_INSTRUCTION_CHARS:
                    raise XinxiangError(f"批示过长：至多 {MAX_INSTRUCTION_CHARS} 字")
                cmd = RecordInstruction(command_actor(actor), number, text)
                done = handle(cmd, state.ctx, now, session=session)
            except XinxiangError as exc:  # Refused: wrong status, empty text
                detail = f"未执行：{exc}"
                flash(request, False, str(exc))
            else:
                detail = f"{text[:200]}；{done.summary}"
                flash(request, True, done.summary)
        audit_request(session, request, actor, now, key, number, detail)
    if not may:
        raise HTTPException(403)
    return RedirectResponse(f"/tickets/{number}", status_code=303)
