"""The weekly digest (周汇总) for the office: received, dispatched, answered, overdue.

Sent once per ISO week (the notice key `digest:<year>-W<week>` makes it unique across workers
and restarts), by the first sweep at or after Monday 08:00 in the school's zone.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from xinxiang.domain.states import OPEN_WORK_STATUSES
from xinxiang.outgoing.office import post_office
from xinxiang.replies.mailer import base_context
from xinxiang.replies.render import render
from xinxiang.services.office import OverdueItem, deadline_label, list_overdue
from xinxiang.store.models import EventRow, NoticeRow, TicketRow

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext

DIGEST_DAY = 0  # Monday
DIGEST_TIME = time(8, 0)
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class DepartmentLine:
    """One department's figures in the digest."""

    code: str
    name: str
    dispatched: int
    answered: int
    open: int
    overdue: int


@dataclass(frozen=True)
class OverdueLine:
    """One overdue deadline, named for the mail."""

    number: str
    department_name: str
    deadline_name: str
    due: datetime


@dataclass(frozen=True)
class DigestData:
    """The week's figures: `[start, end)` is the last 7 days before `end`."""

    start: datetime
    end: datetime
    received: int
    dispatched: int
    answered: int
    overdue: int
    """Open tickets with at least one deadline past due at `end`."""
    open: int
    by_department: list[DepartmentLine] = field(default_factory=list)
    overdue_items: list[OverdueLine] = field(default_factory=list)


def weekly_digest(ctx: AppContext, now: datetime) -> DigestData:
    """The figures of the 7 days before `now`, by department."""
    start = now - WEEK
    overdue: list[OverdueItem] = list_overdue(ctx, now)
    with ctx.db.unit_of_work() as session:
        received = int(
            session.execute(
                select(func.count(TicketRow.id)).where(
                    TicketRow.created_at >= start, TicketRow.created_at < now
                )
            ).scalar_one()
        )
        dispatched: Counter[str] = Counter()
        for data in session.execute(
            select(EventRow.data).where(
                EventRow.kind.in_(("dispatched", "transferred")),
                EventRow.at >= start,
                EventRow.at < now,
            )
        ).scalars():
            dispatched[str(data.get("department") or "")] += 1
        answered: Counter[str] = Counter()
        for data, dept in session.execute(
            select(EventRow.data, TicketRow.department_code)
            .join(TicketRow, TicketRow.id == EventRow.ticket_id)
            .where(EventRow.kind == "answered", EventRow.at >= start, EventRow.at < now)
        ):
            if data.get("intent") == "formal":
                answered[dept or ""] += 1
        open_by: Counter[str] = Counter(
            {
                (dept or ""): int(n)
                for dept, n in session.execute(
                    select(TicketRow.department_code, func.count(TicketRow.id))
                    .where(TicketRow.status.in_([s.value for s in OPEN_WORK_STATUSES]))
                    .group_by(TicketRow.department_code)
                )
            }
        )
    overdue_tickets: dict[str, set[str]] = {}
    for item in overdue:
        overdue_tickets.setdefault(item.department or "", set()).add(item.number)
    codes = set(dispatched) | set(answered) | set(open_by) | set(overdue_tickets)
    lines = []
    for d in ctx.cfg.departments:
        if d.code in codes:
            lines.append(
                DepartmentLine(
                    d.code,
                    d.name,
                    dispatched[d.code],
                    answered[d.code],
                    open_by[d.code],
                    len(overdue_tickets.get(d.code, ())),
                )
            )

    def name_of(code: str | None) -> str:
        dept = ctx.cfg.department(code) if code else None
        return dept.name if dept else (code or "—")

    return DigestData(
        start=start,
        end=now,
        received=received,
        dispatched=sum(dispatched.values()),
        answered=sum(answered.values()),
        overdue=len({i.number for i in overdue}),
        open=sum(open_by.values()),
        by_department=lines,
        overdue_items=[
            OverdueLine(i.number, name_of(i.department), deadline_label(i.deadline), i.due)
            for i in overdue
        ],
    )


def digest_key(ctx: AppContext, now: datetime) -> str:
    """`digest:<ISO year>-W<ISO week>` of `now` in the school's zone."""
    year, week, _ = now.astimezone(ctx.cfg.tz).isocalendar()
    return f"digest:{year}-W{week:02d}"


def render_digest(ctx: AppContext, data: DigestData) -> str:
    """The digest mail's text."""
    return render("mail/weekly_digest.txt.j2", **base_context(ctx), digest=data)


def queue_weekly_digest(ctx: AppContext, now: datetime) -> bool:
    """Queue the 周汇总 to the office unless this ISO week's digest went already. True if queued."""
    key = digest_key(ctx, now)
    with ctx.db.unit_of_work() as session:
        if session.execute(select(NoticeRow.id).where(NoticeRow.key == key)).first():
            return False
    data = weekly_digest(ctx, now)
    text = render_digest(ctx, data)
    local = now.astimezone(ctx.cfg.tz)
    subject = f"【周汇总】书记校长信箱 {local:%Y年%m月%d日}"
    try:
        with ctx.db.unit_of_work() as session:
            session.add(NoticeRow(key=key, ticket_id=0, at=now))
            session.flush()
            post_office(
                ctx, session, key=key, kind="weekly_digest", subject=subject, text=text, now=now
            )
    except IntegrityError:
        return False  # another worker sent this week's digest first
    return True


def digest_due(ctx: AppContext, now: datetime) -> bool:
    """True from Monday 08:00 (school time) on, for the rest of the ISO week."""
    local = now.astimezone(ctx.cfg.tz)
    return local.weekday() > DIGEST_DAY or local.time() >= DIGEST_TIME


def maybe_queue_weekly_digest(ctx: AppContext, now: datetime) -> bool:
    """The periodic hook: queue this week's digest if it is due and not yet sent."""
    return digest_due(ctx, now) and queue_weekly_digest(ctx, now)
