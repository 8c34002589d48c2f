"""The periodic sweep: reminders, overdue warnings, escalations (督办) and progress reminders.

Each sweep also queues the weekly reminder to enter next year's working calendar when one is
due (`services.calendar_notice`), in the same transaction.

The decisions are the pure `dispatch.reminders.notices_due`; finding the tickets that may have
a notice due is `services.sweep_due`. This module queues each due notice's mail and records its
key (`NoticeRow`, unique) in the same transaction, so no notice goes out twice, across
restarts and concurrent workers; a ticket whose notices raise is shunted, not the sweep.

A sweep commits `BATCH` tickets per transaction (issue #17: thousands of tickets owing a notice
at once must not hold one transaction, and the job lease, for minutes while nothing goes out),
and moves its watermark only in a last transaction once every batch is in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from xinxiang.config import Department
from xinxiang.dispatch.calendar_reminder import CalendarReminder
from xinxiang.dispatch.reminders import Level, Notice, Recipient
from xinxiang.domain.deadlines import DEADLINE_NAMES
from xinxiang.notify.tickets import notify_ticket
from xinxiang.outgoing.door import post
from xinxiang.outgoing.sweep import deadline_base, reminder_spec
from xinxiang.replies.render import format_cn_deadline
from xinxiang.services.calendar_notice import queue_calendar_reminder
from xinxiang.services.shunt import TRANSIENT, Item, shunt
from xinxiang.services.sweep_due import DueItem, find_candidates, load_due, write_watermark
from xinxiang.store.dialect import savepoint
from xinxiang.store.models import NoticeRow
from xinxiang.store.repo import add_event
from xinxiang.store.shunts import mark_resolved, retried_keys, set_aside_keys

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext

log = logging.getLogger(__name__)
_T = TypeVar("_T")


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
    owner_code = item.owners.get(notice.kind, ticket.department_code)
    owner = ctx.cfg.department(owner_code) if owner_code else None
    if notice.kind == "dispatch":
        owner = ctx.cfg.office
    to = _addresses(ctx, notice, owner)
    lead = ctx.cfg.department(ticket.department_code) if ticket.department_code else None
    post(ctx, session, ticket, reminder_spec(ctx, ticket, group, owner, lead, to, now), now)
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


SWEEP_STAGE = "sweep"
BATCH = 200
"""Tickets per transaction: a sweep over thousands of due tickets commits as it goes, so the
first notices go out (and the job lease is renewed) long before the last are queued."""


def sweep(
    ctx: AppContext,
    now: datetime,
    *,
    since: datetime | None = None,
    batch: int = BATCH,
    keep_going: Callable[[], bool] | None = None,
) -> SweepResult:
    """Send every notice due at `now` exactly once, `batch` tickets per transaction.

    Each batch queues its tickets' mails and records their notice keys in one transaction; the
    watermark moves to `now` only in the last one, after every batch committed. A sweep that
    dies after batch k leaves the watermark where it was: the next sweep finds the same
    tickets again and skips the notices batches 1..k recorded. `keep_going` is asked between
    batches (the job lease still held); when it answers False the sweep stops there, without
    moving the watermark, and leaves the rest to the worker that took over.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if batch < 1:
        raise ValueError("batch must be at least 1")
    now = now.astimezone(UTC)
    with ctx.db.unit_of_work() as session:
        aside = set_aside_keys(session, SWEEP_STAGE)
        put_back = retried_keys(session, SWEEP_STAGE)
        # Tickets put back after a shunt are looked at whatever the window: their notices may
        # have fallen due while they were set aside.
        window, ids = find_candidates(ctx, session, now, since, also=[int(k) for k in put_back])
    result = SweepResult(now=now, since=window.since)
    ids = [i for i in ids if str(i) not in aside]
    failed: set[str] = set()
    for first in range(0, len(ids), batch):
        if first and keep_going is not None and not keep_going():
            log.warning("sweep %s: stopped after %d tickets", now.isoformat(), first)
            return result
        failures = _retried(partial(_sweep_batch, ctx, now, ids[first : first + batch], result))
        for item, error in failures:
            failed.add(item.key)
            shunt(ctx, SWEEP_STAGE, "ticket", item, error, now)
    result.calendar_reminder = _retried(partial(_finish, ctx, now, put_back - failed))
    if result.sent:
        log.info("sweep %s: %d notices", now.isoformat(), len(result.sent))
    return result


def _finish(ctx: AppContext, now: datetime, resolved: set[str]) -> CalendarReminder | None:
    """The last transaction: the put-back tickets resolved, the calendar reminder, and the
    watermark, moved only now that every batch committed."""
    with ctx.db.unit_of_work() as session:
        mark_resolved(session, SWEEP_STAGE, resolved, now)
        # Not a ticket's notice, but the same once-per-key duty to the office (下一年度放假安排).
        reminder = queue_calendar_reminder(ctx, session, now)
        write_watermark(session, now)
    return reminder


def _retried(step: Callable[[], _T]) -> _T:
    """Run one transaction of the sweep, again on a race: another worker recorded the same
    notice (or the watermark) first, and its keys are visible to the next attempt."""
    for attempt in range(3):
        try:
            return step()
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _sweep_batch(
    ctx: AppContext, now: datetime, ids: Sequence[int], result: SweepResult
) -> list[tuple[Item, Exception]]:
    """Queue the notices due for tickets `ids` in one transaction; the tickets that raised."""
    failures: list[tuple[Item, Exception]] = []
    sent: list[SentNotice] = []
    already_sent = 0
    with ctx.db.unit_of_work() as session:
        items = load_due(ctx, session, now, ids)
        for item in items:
            # One ticket's notices in a savepoint: one that raises is shunted, not the sweep.
            key, label = str(item.ticket.id), item.ticket.number
            try:
                with savepoint(session):
                    got, already = _queue_item(ctx, session, item, now)
            except TRANSIENT:
                raise
            except Exception as exc:
                failures.append((Item(key, label), exc))
                continue
            sent.extend(got)
            already_sent += already
    # Counted once committed: a batch retried after a race is not counted twice.
    result.candidates += len(items)
    result.sent.extend(sent)
    result.already_sent += already_sent
    return failures


def _queue_item(
    ctx: AppContext, session: Session, item: DueItem, now: datetime
) -> tuple[list[SentNotice], int]:
    """Queue one ticket's due notices, each group once; (sent, already sent by another)."""
    sent: list[SentNotice] = []
    already = 0
    for group in _group(item.notices):
        try:
            with savepoint(session):
                for notice in group:
                    session.add(NoticeRow(key=notice.key, ticket_id=item.ticket.id, at=now))
                session.flush()
        except IntegrityError:
            already += len(group)
            continue
        sent.extend(_queue_notice(ctx, session, item, group, now))
    return sent, already


def describe(result: SweepResult, tz_name: str) -> Iterable[str]:
    """Lines in Chinese for the CLI: one per notice sent."""
    levels = {"reminder": "提醒", "overdue": "逾期", "escalation": "督办", "progress": "阶段反馈"}
    for s in result.sent:
        base = deadline_base(s.deadline)
        yield (
            f"{s.ticket}  {levels.get(s.level, s.level)}  {DEADLINE_NAMES.get(base, base)}"
            f"（{format_cn_deadline(s.due, tz_name)}）→ {', '.join(s.to)}"
        )
    if result.calendar_reminder is not None:
        yield f"已提醒党政办公室录入 {result.calendar_reminder.year} 年放假安排（calendar.toml）"


__all__ = ["SentNotice", "SweepResult", "describe", "sweep"]
