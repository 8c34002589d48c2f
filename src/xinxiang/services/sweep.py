"""The periodic sweep: reminders, overdue warnings, escalations (督办) and progress reminders.

Each sweep also queues the weekly reminder to enter next year's working calendar when one is
due (`services.calendar_notice`), in the same transaction.

The decisions are the pure `dispatch.reminders.notices_due`; this module is the shell around it:
it finds the few tickets that may have a notice due with indexed range queries, never loading
all open tickets, then queues each due notice's mail and records its key (`NoticeRow`, unique)
in the same transaction, so no notice goes out twice, across restarts and concurrent workers.

Finding works on a window `(since, now]`, where `since` is the `now` of the previous sweep (a
watermark kept as the notice row `sweep:watermark`): a ticket is a candidate when one of its
notice instants (half-way, lead-time reminder, due, escalation threshold, progress stage) falls
in the window. Every instant is either a due itself (range on the `(status, *_due)` indexes), a
monotonic function of the due (escalation: the due range is found by bisection), or computed in
SQL from the due and the acceptance time (half-way, progress stages).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Integer, and_, cast, func, literal, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from xinxiang.config import Department
from xinxiang.dispatch.calendar_reminder import CalendarReminder
from xinxiang.dispatch.reminders import (
    Level,
    Notice,
    OpenDeadline,
    ProgressPlan,
    Recipient,
    notices_due,
)
from xinxiang.domain.deadlines import escalation_after
from xinxiang.domain.states import TicketStatus
from xinxiang.notify.tickets import notify_ticket
from xinxiang.replies.mailer import MailSpec, queue_ticket_mail
from xinxiang.services.calendar_notice import queue_calendar_reminder
from xinxiang.services.shunt import TRANSIENT, Item, shunt
from xinxiang.store.models import CohandlerRow, NoticeRow, TicketRow
from xinxiang.store.repo import add_event
from xinxiang.store.shunts import mark_resolved, retried_keys, set_aside_keys

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext

log = logging.getLogger(__name__)

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
DUE_COLUMNS: dict[str, tuple[TicketStatus, ...]] = {
    # Which deadlines still run in which status: a status past the step means the step is met.
    "response": (S.DISPATCHED,),
    "preliminary": (S.DISPATCHED, S.ACCEPTED),
    "formal": (S.DISPATCHED, S.ACCEPTED, S.PRELIMINARY, S.PENDING_APPROVAL),
}
DISPATCH_STATUSES = (S.RECEIVED, S.TRIAGE)
PROGRESS_STATUSES = (S.DISPATCHED, S.ACCEPTED, S.PRELIMINARY)
OPEN_WORK_STATUSES = (S.DISPATCHED, S.ACCEPTED, S.PRELIMINARY, S.PENDING_APPROVAL)

DEADLINE_NAMES = {
    "response": "响应（当天响应）",
    "preliminary": "初步回复",
    "formal": "正式回复",
    "dispatch": "转办（党政办公室分办）",
    "cohandler": "协办结果报告",
    "progress": "阶段性进展反馈",
}

HOW_TO_ANSWER = {
    "response": "直接回复本邮件，正文开头写“受理”",
    "preliminary": "直接回复本邮件，正文开头写“初步回复”，并写明预计正式回复日期",
    "formal": "直接回复本邮件，正文开头写“正式回复”；确需延期的写“延期：至YYYY-MM-DD，原因：……”",
    "dispatch": "运行 xinxiang tickets route 编号 单位 --reason 说明，或回复本邮件“转办：单位”",
    "cohandler": "直接回复本邮件，正文开头写“协办结果”，写明本单位办理情况",
    "progress": "直接回复本邮件，正文开头写“初步回复”，说明办理进展和预计正式回复日期",
}


@dataclass(frozen=True)
class SentNotice:
    """One notice queued by a sweep."""

    ticket: str
    key: str
    level: str
    deadline: str
    due: datetime
    to: tuple[str, ...]


@dataclass
class SweepResult:
    """What one sweep looked at and sent."""

    now: datetime
    since: datetime
    candidates: int = 0
    sent: list[SentNotice] = field(default_factory=list)
    already_sent: int = 0
    """Notices another worker recorded first (unique key), skipped here."""
    calendar_reminder: CalendarReminder | None = None
    """This week's reminder to enter next year's working calendar, when this sweep sent it."""


@dataclass(frozen=True)
class DueItem:
    """A candidate ticket and the notices due for it (the outcome of finding)."""

    ticket: TicketRow
    notices: tuple[Notice, ...]
    owners: dict[str, str]
    """Deadline kind → the department code that owns it (co-handler deadlines differ)."""


# -- SQL helpers --------------------------------------------------------------------------


def _epoch(session: Session, col: Any) -> ColumnElement[Any]:
    """Seconds since 1970 of a UTC timestamp column, in the dialect's SQL."""
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", col)
    # SQLite keeps naive UTC text; julianday parses it.
    return (func.julianday(col) - 2440587.5) * 86400.0


def _greatest(session: Session, a: Any, b: Any) -> ColumnElement[Any]:
    if session.get_bind().dialect.name == "postgresql":
        return func.greatest(a, b)
    return func.max(a, b)


def _floor(session: Session, x: Any) -> ColumnElement[Any]:
    if session.get_bind().dialect.name == "postgresql":
        return func.floor(x)
    # SQLite may lack math functions; CAST truncates, which is floor for positive values.
    offset = 1_000_000
    return cast(x + offset, Integer) - offset


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
            due_e = _epoch(session, due_col)
            start_e = _greatest(
                session,
                _epoch(session, start_col),
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
    acc = _epoch(session, TicketRow.accepted_at)
    step = interval.total_seconds()
    now_e, since_e = _ts(window.now), _ts(window.since)
    stage_now = _floor(session, (literal(now_e) - acc) / step)
    stage_before = _floor(session, (literal(since_e) - acc) / step)
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
    return datetime.combine(d + timedelta(days=1), time(0, 0), tzinfo=ctx.cfg.tz)


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


def _write_watermark(session: Session, now: datetime) -> None:
    row = session.execute(
        select(NoticeRow).where(NoticeRow.key == WATERMARK_KEY)
    ).scalar_one_or_none()
    if row is None:
        session.add(NoticeRow(key=WATERMARK_KEY, ticket_id=0, at=now))
    elif row.at < now:
        row.at = now
    session.flush()


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
    if since is None:
        since = read_watermark(session) or now - FIRST_LOOKBACK
    window = make_window(ctx, since, now)
    ids = candidate_ids(session, window, ctx.policy.staged_interval) | set(also)
    if not ids:
        return window, []
    id_list = sorted(ids)
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
    for t in tickets:
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
    return window, items


def _addresses(ctx: AppContext, notice: Notice, owner: Department | None) -> list[str]:
    office = ctx.cfg.office
    out: list[str] = []
    for r in notice.recipients:
        if r is Recipient.OFFICE:
            out.extend(office.emails)
        elif r is Recipient.DEPARTMENT:
            out.extend((owner or office).emails)
        else:
            out.append((owner or office).leader)
    return list(dict.fromkeys(out))


def _deadline_base(kind: str) -> str:
    return kind.split("-", 1)[0]


_SUBJECT_TAGS = {
    Level.REMINDER: "办理提醒",
    Level.OVERDUE: "逾期警示",
    Level.ESCALATION: "督办",
    Level.PROGRESS: "阶段性反馈提醒",
}


def _overdue_text(due: datetime, now: datetime) -> str:
    delta = now - due
    hours = int(delta.total_seconds() // 3600)
    if hours < 1:
        return f"{max(1, int(delta.total_seconds() // 60))}分钟"
    days, rest = divmod(hours, 24)
    return f"{days}天{rest}小时" if days else f"{rest}小时"


def _group(notices: Sequence[Notice]) -> list[list[Notice]]:
    """Notices of one ticket that say the same thing at once (track 1: the response and the
    formal reply share their due) go out as one mail."""
    groups: dict[tuple[Any, ...], list[Notice]] = {}
    for n in notices:
        groups.setdefault((n.level, n.step, n.due, n.recipients, _owner_key(n)), []).append(n)
    return list(groups.values())


def _owner_key(n: Notice) -> str:
    return n.kind if n.kind.startswith("cohandler") or n.kind == "dispatch" else ""


def _queue_notice(
    ctx: AppContext, session: Session, item: DueItem, group: Sequence[Notice], now: datetime
) -> list[SentNotice]:
    ticket = item.ticket
    notice = group[0]
    base = _deadline_base(notice.kind)
    owner_code = item.owners.get(notice.kind, ticket.department_code)
    owner = ctx.cfg.department(owner_code) if owner_code else None
    if notice.kind == "dispatch":
        owner = ctx.cfg.office
    to = _addresses(ctx, notice, owner)
    lead = ctx.cfg.department(ticket.department_code) if ticket.department_code else None
    name = "、".join(
        dict.fromkeys(
            DEADLINE_NAMES.get(_deadline_base(n.kind), n.kind)
            for n in sorted(group, key=lambda n: _ORDER.get(_deadline_base(n.kind), 9))
        )
    )
    subject = f"【{_SUBJECT_TAGS[notice.level]}】{ticket.number} {name} {ticket.subject}"
    howto_kind = max((_deadline_base(n.kind) for n in group), key=lambda k: _ORDER.get(k, 0))
    queue_ticket_mail(
        ctx,
        session,
        ticket,
        MailSpec(
            kind=notice.level.value,
            to=to,
            subject=subject,
            template=notice.level.value,
            key=notice.key,
            context={
                "notice": notice,
                "deadline_name": name,
                "due": notice.due,
                "now": now,
                "department": owner or ctx.cfg.office,
                "lead_department": lead,
                "is_cohandler": base == "cohandler",
                "overdue_by": _overdue_text(notice.due, now) if now >= notice.due else "",
                "how_to_answer": HOW_TO_ANSWER.get(howto_kind, HOW_TO_ANSWER["formal"]),
                "stage": notice.step if notice.level is Level.PROGRESS else "",
            },
        ),
        now,
    )
    if notice.level in (Level.OVERDUE, Level.ESCALATION):  # 企业微信/钉钉 too, not reminders
        notify_ticket(
            session,
            ctx.cfg,
            number=ticket.number,
            kind=notice.level.value,
            key=notice.key,
            to=[owner or ctx.cfg.office],
            deadline=notice.due,
            now=now,
            recipients=notice.recipients,
        )
    out: list[SentNotice] = []
    for n in group:
        add_event(
            session,
            ticket.id,
            now,
            "system",
            f"notice_{n.level.value}",
            deadline=n.kind,
            due=n.due.isoformat(),
            step=n.step,
            key=n.key,
            to=to,
        )
        out.append(SentNotice(ticket.number, n.key, n.level.value, n.kind, n.due, tuple(to)))
    return out


_ORDER = {"dispatch": 0, "response": 1, "preliminary": 2, "formal": 3, "cohandler": 4}


def sweep(ctx: AppContext, now: datetime, *, since: datetime | None = None) -> SweepResult:
    """Send every notice due at `now` exactly once; one transaction, retried on a race."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(UTC)
    for attempt in range(3):
        try:
            return _sweep_once(ctx, now, since)
        except IntegrityError:
            # Another worker recorded the same notice (or the watermark) first: start over,
            # its keys are now visible and will be skipped.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


SWEEP_STAGE = "sweep"


def _sweep_once(ctx: AppContext, now: datetime, since: datetime | None) -> SweepResult:
    failures: list[tuple[Item, Exception]] = []
    with ctx.db.unit_of_work() as session:
        aside = set_aside_keys(session, SWEEP_STAGE)
        put_back = retried_keys(session, SWEEP_STAGE)
        # Tickets put back after a shunt are looked at whatever the window: their notices may
        # have fallen due while they were set aside.
        window, items = find_due(ctx, session, now, since, also=[int(k) for k in put_back])
        result = SweepResult(now=now, since=window.since, candidates=len(items))
        for item in items:
            # One ticket's notices in a savepoint: one that raises is shunted, not the sweep.
            key, label = str(item.ticket.id), item.ticket.number
            if key in aside:
                continue
            try:
                with session.begin_nested():
                    sent, already = _queue_item(ctx, session, item, now)
            except TRANSIENT:
                raise
            except Exception as exc:
                failures.append((Item(key, label), exc))
                continue
            result.sent.extend(sent)
            result.already_sent += already
        mark_resolved(session, SWEEP_STAGE, put_back - {i.key for i, _ in failures}, now)
        # Not a ticket's notice, but the same once-per-key duty to the office (下一年度放假安排).
        result.calendar_reminder = queue_calendar_reminder(ctx, session, now)
        _write_watermark(session, now)
    for failed, error in failures:
        shunt(ctx, SWEEP_STAGE, "ticket", failed, error, now)
    if result.sent:
        log.info("sweep %s: %d notices", now.isoformat(), len(result.sent))
    return result


def _queue_item(
    ctx: AppContext, session: Session, item: DueItem, now: datetime
) -> tuple[list[SentNotice], int]:
    """Queue one ticket's due notices, each group once; (sent, already sent by another)."""
    sent: list[SentNotice] = []
    already = 0
    for group in _group(item.notices):
        try:
            with session.begin_nested():
                for notice in group:
                    session.add(NoticeRow(key=notice.key, ticket_id=item.ticket.id, at=now))
                session.flush()
        except IntegrityError:
            already += len(group)
            continue
        sent.extend(_queue_notice(ctx, session, item, group, now))
    return sent, already


def register_periodic(runtime: Any) -> None:
    """Add the sweep (and the Monday digest) to a `tasks.Runtime`'s every-minute jobs."""

    def job(rt: Any) -> None:
        now = rt.clock()
        sweep(rt.ctx, now)
        from xinxiang.services.digest import maybe_queue_weekly_digest

        maybe_queue_weekly_digest(rt.ctx, now)

    runtime.extra_periodic.append(job)


def describe(result: SweepResult, tz_name: str) -> Iterable[str]:
    """Lines in Chinese for the CLI: one per notice sent."""
    from xinxiang.replies.render import format_cn_deadline

    levels = {"reminder": "提醒", "overdue": "逾期", "escalation": "督办", "progress": "阶段反馈"}
    for s in result.sent:
        base = _deadline_base(s.deadline)
        yield (
            f"{s.ticket}  {levels.get(s.level, s.level)}  {DEADLINE_NAMES.get(base, base)}"
            f"（{format_cn_deadline(s.due, tz_name)}）→ {', '.join(s.to)}"
        )
    if result.calendar_reminder is not None:
        yield f"已提醒党政办公室录入 {result.calendar_reminder.year} 年放假安排（calendar.toml）"


__all__ = [
    "DueItem",
    "SentNotice",
    "SweepResult",
    "Window",
    "candidate_ids",
    "describe",
    "find_due",
    "make_window",
    "open_deadlines",
    "progress_plan",
    "register_periodic",
    "sweep",
]
