"""Finding what the sweep owes (督办查找): the tickets with a notice due in the sweep's window.

The decisions are the pure `dispatch.reminders.notices_due`; this module finds the few tickets
that may have a notice due with indexed range queries, never loading all open tickets. Finding
works on a window `(since, now]`, where `since` is the `now` of the previous sweep (a watermark
kept as the notice row `sweep:watermark`): a ticket is a candidate when one of its notice
instants (half-way, lead-time reminder, due, escalation threshold, progress stage) falls in the
window. Every instant is either a due itself (range on the `(status, *_due)` indexes), a
monotonic function of the due (escalation: the due range is found by bisection), or computed in
SQL from the due and the acceptance time (half-way, progress stages; `store.dialect`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, literal, or_, select
from sqlalchemy.orm import Session

from xinxiang.dispatch.reminders import Notice, OpenDeadline, ProgressPlan, Recipient, notices_due
from xinxiang.domain.deadlines import end_of_date, escalation_after
from xinxiang.domain.states import (
    DISPATCH_STATUSES,
    DUE_COLUMNS,
    OPEN_WORK_STATUSES,
    PROGRESS_STATUSES,
    TicketStatus,
)
from xinxiang.store.dialect import epoch, floor, greatest
from xinxiang.store.models import CohandlerRow, NoticeRow, TicketRow

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext

WATERMARK_KEY = "sweep:watermark"
FIRST_LOOKBACK = timedelta(days=60)
"""How far back the very first sweep (no watermark yet) looks for missed notices."""
OVERLAP = timedelta(minutes=10)
"""Windows overlap a little, so a ticket committed while the previous sweep ran is not missed."""
REMINDER_SPAN_CAP = timedelta(days=7)
"""The half-way reminder of a long deadline (a formal date weeks away) comes at most half of
this before the due: a reminder three weeks early would be noise."""
_ESCALATION_SEARCH = timedelta(days=60)

S = TicketStatus


@dataclass(frozen=True)
class DueItem:
    """A candidate ticket and the notices due for it (the outcome of finding)."""

    ticket: TicketRow
    notices: tuple[Notice, ...]
    owners: dict[str, str]
    """Deadline kind → the department code that owns it (co-handler deadlines differ)."""


def _ts(value: datetime) -> float:
    return value.timestamp()


def _bisect_first(pred: Callable[[datetime], bool], lo: datetime, hi: datetime) -> datetime:
    """The first instant in [lo, hi] (to the second) where the monotonic `pred` turns true."""
    if pred(lo):
        return lo
    if not pred(hi):
        return hi
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        if pred(mid):
            hi = mid
        else:
            lo = mid
    return hi


@dataclass(frozen=True)
class Window:
    """The sweep window `(since, now]` and the due ranges derived from it."""

    since: datetime
    now: datetime
    leads: tuple[timedelta, ...]
    halfway: bool
    escalation_lo: datetime
    escalation_hi: datetime

    def conditions(self, session: Session, due_col: Any, start_col: Any) -> ColumnElement[bool]:
        """True for rows with a notice instant of this deadline inside the window."""
        since, now = self.since, self.now
        parts: list[ColumnElement[bool]] = [and_(due_col > since, due_col <= now)]
        for lead in self.leads:
            parts.append(and_(due_col > since + lead, due_col <= now + lead))
        parts.append(and_(due_col >= self.escalation_lo, due_col <= self.escalation_hi))
        if self.halfway:
            due_e = epoch(session, due_col)
            start_e = greatest(
                session,
                epoch(session, start_col),
                due_e - REMINDER_SPAN_CAP.total_seconds(),
            )
            mid = (start_e + due_e) / 2.0
            parts.append(
                and_(
                    due_col > since,
                    due_col <= now + REMINDER_SPAN_CAP / 2,
                    mid > _ts(since),
                    mid <= _ts(now),
                )
            )
        return or_(*parts)


def make_window(ctx: AppContext, since: datetime, now: datetime) -> Window:
    """The window of one sweep, with the due range whose escalation falls inside it."""
    policy, cal, tz = ctx.policy, ctx.calendar, ctx.cfg.tz
    since = min(since, now) - OVERLAP
    lo = _bisect_first(
        lambda due: escalation_after(due, cal, tz, policy) > since,
        since - _ESCALATION_SEARCH,
        since,
    )
    hi = _bisect_first(
        lambda due: escalation_after(due, cal, tz, policy) >= now,
        now - _ESCALATION_SEARCH,
        now,
    )
    return Window(
        since=since,
        now=now,
        leads=tuple(policy.reminder_leads),
        halfway=policy.reminder_halfway,
        escalation_lo=lo,
        escalation_hi=hi,
    )


def _progress_condition(session: Session, window: Window, interval: timedelta) -> Any:
    """Tickets with a progress stage (acceptance + k·interval, k ≥ 1) inside the window."""
    acc = epoch(session, TicketRow.accepted_at)
    step = interval.total_seconds()
    now_e, since_e = _ts(window.now), _ts(window.since)
    stage_now = floor(session, (literal(now_e) - acc) / step)
    stage_before = floor(session, (literal(since_e) - acc) / step)
    return and_(
        TicketRow.track.in_((2, 3)),
        TicketRow.status.in_([s.value for s in PROGRESS_STATUSES]),
        TicketRow.accepted_at.is_not(None),
        TicketRow.accepted_at <= window.now - interval,
        stage_now > stage_before,
    )


def candidate_ids(session: Session, window: Window, interval: timedelta) -> set[int]:
    """Ids of tickets that may have a notice due in the window (indexed range queries)."""
    ids: set[int] = set()
    for kind, statuses in DUE_COLUMNS.items():
        col = getattr(TicketRow, f"{kind}_due")
        q = select(TicketRow.id).where(
            TicketRow.status.in_([s.value for s in statuses]),
            window.conditions(session, col, TicketRow.accepted_at),
        )
        ids.update(session.execute(q).scalars())
    q = select(TicketRow.id).where(
        TicketRow.status.in_([s.value for s in DISPATCH_STATUSES]),
        TicketRow.dispatch_due.is_not(None),
        window.conditions(session, TicketRow.dispatch_due, TicketRow.created_at),
    )
    ids.update(session.execute(q).scalars())
    q = (
        select(CohandlerRow.ticket_id)
        .join(TicketRow, TicketRow.id == CohandlerRow.ticket_id)
        .where(
            CohandlerRow.reported_at.is_(None),
            TicketRow.status.in_([s.value for s in OPEN_WORK_STATUSES]),
            window.conditions(session, CohandlerRow.due, CohandlerRow.assigned_at),
        )
    )
    ids.update(session.execute(q).scalars())
    q = select(TicketRow.id).where(_progress_condition(session, window, interval))
    ids.update(session.execute(q).scalars())
    return ids


# -- per-ticket deadlines (pure given the rows) ----------------------------------------------


def _end_of_date(value: str, ctx: AppContext) -> datetime | None:
    try:
        d = date.fromisoformat(value)
    except ValueError:
        return None
    return end_of_date(d, ctx.cfg.tz)


def _capped_start(started: datetime, due: datetime) -> datetime:
    return max(started, due - REMINDER_SPAN_CAP)


def open_deadlines(
    ticket: TicketRow, cohandlers: Sequence[CohandlerRow]
) -> tuple[list[OpenDeadline], dict[str, str]]:
    """The running deadlines of a ticket and the department owning each (by kind)."""
    out: list[OpenDeadline] = []
    owners: dict[str, str] = {}
    status = TicketStatus(ticket.status)
    if status in DISPATCH_STATUSES and ticket.dispatch_due is not None:
        out.append(
            OpenDeadline(
                "dispatch",
                ticket.dispatch_due,
                _capped_start(ticket.created_at, ticket.dispatch_due),
                Recipient.OFFICE,
            )
        )
    if ticket.accepted_at is not None and ticket.department_code:
        for kind, statuses in DUE_COLUMNS.items():
            due = getattr(ticket, f"{kind}_due")
            if due is None or status not in statuses:
                continue
            owner = Recipient.OFFICE if status is S.PENDING_APPROVAL else Recipient.DEPARTMENT
            out.append(OpenDeadline(kind, due, _capped_start(ticket.accepted_at, due), owner))
            owners[kind] = ticket.department_code
    if status in OPEN_WORK_STATUSES:
        for co in cohandlers:
            if co.reported_at is None:
                kind = f"cohandler-{co.department_code}"
                out.append(OpenDeadline(kind, co.due, _capped_start(co.assigned_at, co.due)))
                owners[kind] = co.department_code
    return out, owners


def progress_plan(ctx: AppContext, ticket: TicketRow) -> ProgressPlan | None:
    """Staged progress reminders for tracks 2/3 until the formal date (None: not applicable)."""
    if (
        ticket.track not in (2, 3)
        or ticket.accepted_at is None
        or TicketStatus(ticket.status) not in PROGRESS_STATUSES
    ):
        return None
    until = ticket.formal_due
    if until is None and ticket.planned_formal_date:
        until = _end_of_date(ticket.planned_formal_date, ctx)
    return ProgressPlan(since=ticket.accepted_at, until=until)


# -- finding and sending -------------------------------------------------------------------


def read_watermark(session: Session) -> datetime | None:
    """The `now` of the last committed sweep, if any."""
    row = session.execute(
        select(NoticeRow).where(NoticeRow.key == WATERMARK_KEY)
    ).scalar_one_or_none()
    return row.at if row is not None else None


def write_watermark(session: Session, now: datetime) -> None:
    row = session.execute(
        select(NoticeRow).where(NoticeRow.key == WATERMARK_KEY)
    ).scalar_one_or_none()
    if row is None:
        session.add(NoticeRow(key=WATERMARK_KEY, ticket_id=0, at=now))
    elif row.at < now:
        row.at = now
    session.flush()


def find_candidates(
    ctx: AppContext,
    session: Session,
    now: datetime,
    since: datetime | None = None,
    *,
    also: Iterable[int] = (),
) -> tuple[Window, list[int]]:
    """The window of a sweep at `now` and the ids (ascending) of the tickets that may have a
    notice due in it, with the tickets `also` whatever the window (nothing is written)."""
    if since is None:
        since = read_watermark(session) or now - FIRST_LOOKBACK
    window = make_window(ctx, since, now)
    ids = candidate_ids(session, window, ctx.policy.staged_interval) | set(also)
    return window, sorted(ids)


def load_due(ctx: AppContext, session: Session, now: datetime, ids: Sequence[int]) -> list[DueItem]:
    """The candidates `ids` that have notices due at `now` (the notices already recorded, by
    this sweep's earlier batches or by another worker, are not due again)."""
    if not ids:
        return []
    id_list = list(ids)
    tickets = session.execute(select(TicketRow).where(TicketRow.id.in_(id_list))).scalars().all()
    cohandlers: dict[int, list[CohandlerRow]] = defaultdict(list)
    for co in session.execute(
        select(CohandlerRow).where(CohandlerRow.ticket_id.in_(id_list))
    ).scalars():
        cohandlers[co.ticket_id].append(co)
    sent: dict[int, set[str]] = defaultdict(set)
    for tid, key in session.execute(
        select(NoticeRow.ticket_id, NoticeRow.key).where(NoticeRow.ticket_id.in_(id_list))
    ):
        sent[tid].add(key)
    items: list[DueItem] = []
    for t in sorted(tickets, key=lambda row: row.id):
        deadlines, owners = open_deadlines(t, cohandlers[t.id])
        notices = notices_due(
            t.number,
            deadlines,
            sent[t.id],
            now,
            ctx.calendar,
            ctx.cfg.tz,
            ctx.policy,
            progress=progress_plan(ctx, t),
        )
        if notices:
            items.append(DueItem(t, tuple(notices), owners))
    return items


def find_due(
    ctx: AppContext,
    session: Session,
    now: datetime,
    since: datetime | None = None,
    *,
    also: Iterable[int] = (),
) -> tuple[Window, list[DueItem]]:
    """The tickets with notices due at `now`, looking at the tickets `also` whatever the
    window (nothing is written)."""
    window, ids = find_candidates(ctx, session, now, since, also=also)
    return window, load_due(ctx, session, now, ids)
