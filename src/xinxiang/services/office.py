"""The office's actions (党政办公室): dispatch/transfer, co-handlers, extensions, overdue list.

Each action is one transaction, one event in the ticket's log and the mails it implies; bad
input raises `XinxiangError` with a one-line Chinese message. Used by the CLI and by office
mail commands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinxiang.config import Department
from xinxiang.domain.deadlines import cohandler_due, extension_allowed
from xinxiang.domain.states import STATUS_LABELS, TicketStatus
from xinxiang.errors import XinxiangError
from xinxiang.replies.mailer import MailSpec, queue_ticket_mail
from xinxiang.replies.render import format_cn_datetime, quote_excerpt
from xinxiang.services.dispatching import dispatch_ticket
from xinxiang.services.sweep import (
    DEADLINE_NAMES,
    DISPATCH_STATUSES,
    DUE_COLUMNS,
    OPEN_WORK_STATUSES,
)
from xinxiang.store.models import CohandlerRow, LetterRow, TicketRow
from xinxiang.store.repo import add_event

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext

ROUTABLE = frozenset(
    {
        TicketStatus.RECEIVED,
        TicketStatus.TRIAGE,
        TicketStatus.DISPATCHED,
        TicketStatus.ACCEPTED,
        TicketStatus.PRELIMINARY,
        TicketStatus.PENDING_APPROVAL,
    }
)


@dataclass(frozen=True)
class RouteResult:
    """The outcome of a dispatch or transfer."""

    number: str
    department: str
    previous: str | None
    transferred: bool
    response_due: datetime | None
    preliminary_due: datetime | None
    formal_due: datetime | None


@dataclass(frozen=True)
class CohandlerInfo:
    """A co-handler added to a ticket."""

    department: str
    due: datetime


@dataclass(frozen=True)
class ExtensionResult:
    """The office's decision on an extension (延期)."""

    number: str
    approved: bool
    previous_due: datetime
    formal_due: datetime


@dataclass(frozen=True)
class OverdueItem:
    """One deadline of an open ticket that has passed."""

    number: str
    department: str | None
    deadline: str
    due: datetime
    overdue_by: timedelta


def get_ticket(session: Session, number: str) -> TicketRow:
    """The ticket with this number, or a one-line error."""
    t = session.execute(
        select(TicketRow).where(TicketRow.number == number.strip())
    ).scalar_one_or_none()
    if t is None:
        raise XinxiangError(f"没有编号为 {number} 的工单")
    return t


def get_department(ctx: AppContext, code: str) -> Department:
    """A department by code or Chinese name, or a one-line error listing the codes."""
    dept = ctx.cfg.department(code.strip())
    if dept is None:
        codes = ", ".join(d.code for d in ctx.cfg.departments)
        raise XinxiangError(f"未知单位 {code!r}（可用代码：{codes}）")
    return dept


def _status(t: TicketRow) -> TicketStatus:
    return TicketStatus(t.status)


def route(
    ctx: AppContext,
    number: str,
    department: str,
    reason: str | None,
    actor: str,
    now: datetime,
) -> RouteResult:
    """Dispatch a ticket from triage, or transfer (改派) a dispatched one: the clock restarts."""
    dept = get_department(ctx, department)
    with ctx.db.unit_of_work() as session:
        return route_ticket(ctx, session, get_ticket(session, number), dept, reason, actor, now)


def route_ticket(
    ctx: AppContext,
    session: Session,
    t: TicketRow,
    dept: Department,
    reason: str | None,
    actor: str,
    now: datetime,
    *,
    reason_hint: str = "（--reason）",
) -> RouteResult:
    """`route` inside the caller's transaction (used by office mail commands).

    Checks everything before changing anything, so a `XinxiangError` leaves the ticket as it was.
    """
    status = _status(t)
    if status not in ROUTABLE:
        raise XinxiangError(f"工单 {t.number} 当前状态为“{STATUS_LABELS[status]}”，不能转办")
    transfer = t.dispatched_at is not None and status not in (
        TicketStatus.RECEIVED,
        TicketStatus.TRIAGE,
    )
    if transfer and t.department_code == dept.code:
        raise XinxiangError(f"工单 {t.number} 已由 {dept.name} 承办，无需改派")
    if transfer and not (reason and reason.strip()):
        raise XinxiangError(f"改派须写明原因{reason_hint}")
    previous = t.department_code if t.dispatched_at else None
    dispatch_ticket(ctx, session, t, dept.code, now, actor=actor, reason=reason)
    return RouteResult(
        number=t.number,
        department=dept.code,
        previous=previous,
        transferred=previous is not None,
        response_due=t.response_due,
        preliminary_due=t.preliminary_due,
        formal_due=t.formal_due,
    )


def add_cohandlers(
    ctx: AppContext,
    number: str,
    departments: Sequence[str],
    actor: str,
    now: datetime,
) -> list[CohandlerInfo]:
    """Add co-handling departments (协办): each reports to the lead within one working day."""
    if not departments:
        raise XinxiangError("请至少指定一个协办单位")
    depts = list({d.code: d for d in (get_department(ctx, c) for c in departments)}.values())
    with ctx.db.unit_of_work() as session:
        return add_cohandlers_to(ctx, session, get_ticket(session, number), depts, actor, now)


def add_cohandlers_to(
    ctx: AppContext,
    session: Session,
    t: TicketRow,
    depts: Sequence[Department],
    actor: str,
    now: datetime,
) -> list[CohandlerInfo]:
    """`add_cohandlers` inside the caller's transaction; checks everything before changing."""
    if not depts:
        raise XinxiangError("请至少指定一个协办单位")
    if _status(t) not in OPEN_WORK_STATUSES or not t.department_code:
        raise XinxiangError(
            f"工单 {t.number} 当前状态为“{STATUS_LABELS[_status(t)]}”，不能增加协办单位"
        )
    lead = get_department(ctx, t.department_code)
    existing = set(
        session.execute(
            select(CohandlerRow.department_code).where(CohandlerRow.ticket_id == t.id)
        ).scalars()
    )
    for d in depts:
        if d.code == lead.code:
            raise XinxiangError(f"{d.name} 是主办单位，不能同时作为协办单位")
        if d.code in existing:
            raise XinxiangError(f"{d.name} 已是工单 {t.number} 的协办单位")
    due = cohandler_due(now, ctx.calendar, ctx.cfg.tz, ctx.policy)
    letter = session.get(LetterRow, t.letter_id)
    body = letter.body if letter is not None else ""
    out: list[CohandlerInfo] = []
    for d in depts:
        session.add(CohandlerRow(ticket_id=t.id, department_code=d.code, assigned_at=now, due=due))
        queue_ticket_mail(
            ctx,
            session,
            t,
            MailSpec(
                kind="cohandler",
                to=d.emails,
                subject=f"【协办】{t.number} {t.subject}",
                template="cohandler",
                key=f"{d.code}:{now.isoformat()}",
                context={
                    "department": d,
                    "lead_department": lead,
                    "due": due,
                    "body": body,
                    "excerpt": quote_excerpt(body, ctx.cfg.settings.ack.quote_chars),
                    "received_at": t.created_at,
                },
            ),
            now,
        )
        out.append(CohandlerInfo(d.code, due))
    add_event(
        session,
        t.id,
        now,
        actor,
        "cohandlers_added",
        departments=[d.code for d in depts],
        due=due.isoformat(),
    )
    return out


def end_of_local_day(d: date, ctx: AppContext) -> datetime:
    """24:00 of `d` in the school's zone (00:00 of the next day)."""
    return datetime.combine(d + timedelta(days=1), time(0, 0), tzinfo=ctx.cfg.tz)


def decide_extension(
    ctx: AppContext,
    number: str,
    until: date,
    approve: bool,
    reason: str,
    actor: str,
    now: datetime,
) -> ExtensionResult:
    """Approve or refuse an extension (延期) of the formal reply to the end of `until`.

    Approval is limited to `policy.extension_max` beyond the current formal deadline.
    """
    if not reason.strip():
        raise XinxiangError("延期审批须写明原因（--reason）")
    with ctx.db.unit_of_work() as session:
        t = get_ticket(session, number)
        return decide_extension_of(
            ctx, session, t, until, end_of_local_day(until, ctx), approve, reason, actor, now
        )


def decide_extension_of(
    ctx: AppContext,
    session: Session,
    t: TicketRow,
    until: date,
    requested: datetime,
    approve: bool,
    reason: str,
    actor: str,
    now: datetime,
) -> ExtensionResult:
    """`decide_extension` inside the caller's transaction, to the exact time `requested`.

    `until` is the date named in the mail to the department. Checks everything before changing.
    """
    if _status(t) not in OPEN_WORK_STATUSES or not t.department_code:
        raise XinxiangError(
            f"工单 {t.number} 当前状态为“{STATUS_LABELS[_status(t)]}”，不能办理延期"
        )
    current = t.formal_due
    if current is None:
        raise XinxiangError(f"工单 {t.number} 尚无正式回复时限，无需延期")
    tz_name = ctx.cfg.settings.school.timezone
    if approve and not extension_allowed(current, requested, ctx.policy):
        latest = current + ctx.policy.extension_max
        days = ctx.policy.extension_max.days
        raise XinxiangError(
            f"不能延期至 {until.isoformat()}：延期须晚于当前正式回复时限"
            f"（{format_cn_datetime(current, tz_name)}），且最多延长{days}个自然日"
            f"（最晚至 {format_cn_datetime(latest, tz_name)}）"
        )
    dept = get_department(ctx, t.department_code)
    if approve:
        t.formal_due = requested
    add_event(
        session,
        t.id,
        now,
        actor,
        "extension_approved" if approve else "extension_refused",
        requested_until=until.isoformat(),
        previous_due=current.isoformat(),
        formal_due=(t.formal_due or current).isoformat(),
        reason=reason,
    )
    queue_ticket_mail(
        ctx,
        session,
        t,
        MailSpec(
            kind="extension_decision",
            to=dept.emails,
            subject=f"【延期{'已同意' if approve else '未同意'}】{t.number} {t.subject}",
            template="extension_decision",
            key=f"{until.isoformat()}:{now.isoformat()}",
            context={
                "department": dept,
                "approved": approve,
                "requested_until": until,
                "previous_due": current,
                "formal_due": t.formal_due or current,
                "reason": reason,
            },
        ),
        now,
    )
    return ExtensionResult(t.number, approve, current, t.formal_due or current)


def list_overdue(ctx: AppContext, now: datetime) -> list[OverdueItem]:
    """Every open deadline past due at `now`, most overdue first (indexed range queries)."""
    out: list[OverdueItem] = []
    with ctx.db.unit_of_work() as session:
        for kind, statuses in DUE_COLUMNS.items():
            col = getattr(TicketRow, f"{kind}_due")
            rows = session.execute(
                select(TicketRow.number, TicketRow.department_code, col).where(
                    TicketRow.status.in_([s.value for s in statuses]), col <= now
                )
            )
            out.extend(OverdueItem(n, d, kind, due, now - due) for n, d, due in rows)
        rows = session.execute(
            select(TicketRow.number, TicketRow.department_code, TicketRow.dispatch_due).where(
                TicketRow.status.in_([s.value for s in DISPATCH_STATUSES]),
                TicketRow.dispatch_due <= now,
            )
        )
        office = ctx.cfg.office.code
        out.extend(OverdueItem(n, office, "dispatch", due, now - due) for n, _d, due in rows)
        rows = session.execute(
            select(TicketRow.number, CohandlerRow.department_code, CohandlerRow.due)
            .join(TicketRow, TicketRow.id == CohandlerRow.ticket_id)
            .where(
                CohandlerRow.reported_at.is_(None),
                CohandlerRow.due <= now,
                TicketRow.status.in_([s.value for s in OPEN_WORK_STATUSES]),
            )
        )
        out.extend(OverdueItem(n, d, "cohandler", due, now - due) for n, d, due in rows)
    out.sort(key=lambda i: (-i.overdue_by, i.number, i.deadline))
    return out


def deadline_label(kind: str) -> str:
    """The Chinese name of a deadline kind."""
    return DEADLINE_NAMES.get(kind, kind)
