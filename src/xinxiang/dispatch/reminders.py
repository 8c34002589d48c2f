"""Which reminders, overdue warnings and escalations (督办) are due now (pure).

The periodic sweep gives, per open ticket, its open deadlines, the keys of the notices already
sent and `now`; `notices_due` answers with the notices to send. Every notice has a stable key —
ticket, deadline kind, due instant (UTC) and level — which the caller records when it sends the
notice, so no notice ever goes out twice, across restarts. A deadline moved by an extension
(延期) or a transfer has a new due instant and so gets its own notices.

Levels, per deadline:
- reminder (提醒) to the owner (the department, or the office for dispatch): half-way between
  the start and the due, and at each lead time before the due (default 2 hours); when the sweep
  was down and several reminders are due at once, only the latest goes out;
- overdue (逾期) to the owner and the office, from the due instant on;
- escalation (督办) to the supervising leader, once overdue by more than one working day.
Plus staged progress reminders (阶段性反馈) every 7 days for tracks 2/3 until the formal date.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from enum import StrEnum

from xinxiang.domain.deadlines import (
    DEFAULT_POLICY,
    DeadlinePolicy,
    WorkingCalendar,
    escalation_after,
)


class Recipient(StrEnum):
    """Who a notice goes to; the caller resolves addresses from the departments file."""

    DEPARTMENT = "department"
    OFFICE = "office"
    LEADER = "leader"
    """The supervising leader (分管领导) of the deadline's owner."""


class Level(StrEnum):
    """What kind of notice."""

    REMINDER = "reminder"
    OVERDUE = "overdue"
    ESCALATION = "escalation"
    PROGRESS = "progress"


@dataclass(frozen=True)
class OpenDeadline:
    """One deadline of a ticket that is still running (not yet met).

    `kind` names it (response, preliminary, formal, dispatch, cohandler, …); `started_at` is
    when its clock started (acceptance, receipt for dispatch), used for the half-way reminder.
    """

    kind: str
    due: datetime
    started_at: datetime
    owner: Recipient = Recipient.DEPARTMENT


@dataclass(frozen=True)
class ProgressPlan:
    """Staged progress reminders (阶段性反馈) for tracks 2/3: every interval after `since`,
    while earlier than `until` (the formal date; None while the department has set none)."""

    since: datetime
    until: datetime | None = None


@dataclass(frozen=True)
class Notice:
    """One notice to send now."""

    ticket: str
    kind: str
    due: datetime
    level: Level
    step: str
    """Distinguishes notices of one level: "halfway", "120min" for reminders, "1" for stage 1."""
    fire_at: datetime
    recipients: tuple[Recipient, ...]

    @property
    def key(self) -> str:
        """Stable identity: record it when sent; a notice with a recorded key is never due."""
        base = f"{self.ticket}/{self.kind}/{_utc_iso(self.due)}/{self.level.value}"
        return f"{base}/{self.step}" if self.step else base


def _utc_iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _require_aware(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value.isoformat()}")


def _minutes_label(lead: timedelta) -> str:
    return f"{int(lead.total_seconds() // 60)}min"


def _reminders(ticket: str, dl: OpenDeadline, policy: DeadlinePolicy) -> list[Notice]:
    """Every reminder of a deadline, earliest first (one per distinct firing instant)."""
    by_time: dict[datetime, str] = {}
    if policy.reminder_halfway:
        by_time[dl.started_at + (dl.due - dl.started_at) / 2] = "halfway"
    for lead in policy.reminder_leads:
        # A later-listed lead with the same instant wins the label; the instant is what matters.
        by_time[dl.due - lead] = _minutes_label(lead)
    return [
        Notice(ticket, dl.kind, dl.due, Level.REMINDER, step, at, (dl.owner,))
        for at, step in sorted(by_time.items())
        if dl.started_at < at < dl.due
    ]


def _deadline_notices(
    ticket: str,
    dl: OpenDeadline,
    now: datetime,
    calendar: WorkingCalendar,
    tz: tzinfo,
    policy: DeadlinePolicy,
) -> list[Notice]:
    if now < dl.due:
        fired = [n for n in _reminders(ticket, dl, policy) if n.fire_at <= now]
        # Only the latest one matters: an older missed reminder would say less, later.
        return fired[-1:]
    owner_and_office = tuple(dict.fromkeys((dl.owner, Recipient.OFFICE)))
    out = [Notice(ticket, dl.kind, dl.due, Level.OVERDUE, "", dl.due, owner_and_office)]
    threshold = escalation_after(dl.due, calendar, tz, policy)
    if now > threshold:
        out.append(
            Notice(ticket, dl.kind, dl.due, Level.ESCALATION, "", threshold, (Recipient.LEADER,))
        )
    return out


def _progress_notice(
    ticket: str, plan: ProgressPlan, now: datetime, policy: DeadlinePolicy
) -> Notice | None:
    if now <= plan.since:
        return None
    stage = (now - plan.since) // policy.staged_interval
    if stage < 1:
        return None
    fire_at = plan.since + stage * policy.staged_interval
    if plan.until is not None and fire_at >= plan.until:
        return None
    return Notice(
        ticket,
        "progress",
        fire_at,
        Level.PROGRESS,
        str(stage),
        fire_at,
        (Recipient.DEPARTMENT,),
    )


def notices_due(
    ticket: str,
    deadlines: Iterable[OpenDeadline],
    sent: Collection[str],
    now: datetime,
    calendar: WorkingCalendar,
    tz: tzinfo,
    policy: DeadlinePolicy = DEFAULT_POLICY,
    *,
    progress: ProgressPlan | None = None,
) -> list[Notice]:
    """The notices of one ticket that are due at `now` and whose keys are not in `sent`.

    Ordered by firing instant. `tz` is the school's zone (working days are local dates).
    """
    _require_aware("now", now)
    out: list[Notice] = []
    for dl in deadlines:
        _require_aware(f"{dl.kind}.due", dl.due)
        _require_aware(f"{dl.kind}.started_at", dl.started_at)
        out.extend(_deadline_notices(ticket, dl, now, calendar, tz, policy))
    if progress is not None:
        _require_aware("progress.since", progress.since)
        staged = _progress_notice(ticket, progress, now, policy)
        if staged is not None:
            out.append(staged)
    return sorted(
        (n for n in out if n.key not in sent),
        key=lambda n: (n.fire_at, n.kind, n.level.value, n.step),
    )
