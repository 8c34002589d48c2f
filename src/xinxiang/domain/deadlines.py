"""The SLA clock of 接诉即办: staged deadlines on a working calendar (pure, stdlib only).

Every rule here is a function of an acceptance time (受理), a `DeadlinePolicy` (the numbers, all
configurable) and a `WorkingCalendar` (which dates are working days). Nothing reads the clock:
callers pass `now` where it matters.

Vocabulary (seeds 001, 002, 004):
- *day 1* (第一个工作日): the acceptance date if it is a working day and the acceptance is before
  the cutoff (22:00), else the next working day;
- *end of day N*: 24:00 of the N-th working day counted from day 1, i.e. 00:00 of the calendar
  day that follows it;
- *response* (当天响应) and *track 1* (能够解决) are due at the end of day 1, except after the
  cutoff on a working day (在当日 22:00 以后接诉的 … 次日 10:00 前回复): then 10:00 on day 1;
- *track 2* (需本部门研究) and *track 3* (需学校层面研究): a preliminary reply (初步回复) at the
  end of day 2 / day 3; the formal reply date comes later from the department's plan;
- *emergency* (突发事故): response 1 h and resolution 2 h after acceptance, natural time;
- *priority* (水电气热): formal reply 24 natural hours after acceptance.

All deadline functions are monotonic in the acceptance time: a later acceptance never yields an
earlier deadline.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Literal, Protocol, get_args

# 疑似紧急 (suspected_emergency) alerts the office only and keeps the normal deadlines.
Urgency = Literal["emergency", "suspected_emergency", "priority", "normal"]
URGENCIES: tuple[str, ...] = get_args(Urgency)
TRACKS: tuple[int, ...] = (1, 2, 3)

# A calendar with no working day in ten years is broken; stop instead of looping forever.
_MAX_SCAN_DAYS = 3660
_DAY = timedelta(days=1)


DEADLINE_NAMES = {
    "response": "响应（当天响应）",
    "preliminary": "初步回复",
    "formal": "正式回复",
    "dispatch": "转办（党政办公室分办）",
    "cohandler": "协办结果报告",
    "progress": "阶段性进展反馈",
}
"""Each kind of deadline by its Chinese name (notices, the overdue list)."""


class WorkingCalendar(Protocol):
    """Which dates are working days (工作日), and whether that answer comes from official data."""

    def is_workday(self, d: date) -> bool:
        """True when `d` is a working day (including 调休 make-up working days)."""
        ...

    def verified(self, d: date) -> bool:
        """True when the answer for `d` rests on the official schedule, not a weekend guess."""
        ...


@dataclass(frozen=True)
class DeadlinePolicy:
    """Every number of the time rules; the defaults are the school's policy (seeds 001/002/004)."""

    cutoff: time = time(22, 0)
    """At or after this local time on a working day, day 1 is the next working day."""
    late_due_time: time = time(10, 0)
    """After the cutoff, response and track 1 are due at this time on day 1 (次日 10:00)."""
    response_days: int = 1
    track1_days: int = 1
    track2_days: int = 2
    track3_days: int = 3
    emergency_response: timedelta = timedelta(hours=1)
    emergency_resolution: timedelta = timedelta(hours=2)
    priority_formal: timedelta = timedelta(hours=24)
    dispatch_window: timedelta = timedelta(days=1)
    """转办: the office dispatches within one natural day of receipt."""
    return_window: timedelta = timedelta(hours=1)
    """退回: a department may hand a ticket back only within this time after dispatch."""
    cohandler_days: int = 1
    """协办: co-handlers report to the lead department within this many working days."""
    extension_max: timedelta = timedelta(days=5)
    """延期: at most this far beyond the current formal deadline."""
    revisit_after: timedelta = timedelta(hours=48)
    """回访: due this long after the formal reply."""
    staged_interval: timedelta = timedelta(days=7)
    """阶段性反馈: progress reminders for tracks 2/3 at this interval until the formal date."""
    reminder_halfway: bool = True
    """Remind the department half-way between acceptance and each deadline."""
    reminder_leads: tuple[timedelta, ...] = field(default=(timedelta(hours=2),))
    """Remind the department this long before each deadline."""
    escalation_working_days: int = 1
    """督办: escalate to the supervising leader when overdue by more than this many working days."""

    def __post_init__(self) -> None:
        for name in (
            "response_days",
            "track1_days",
            "track2_days",
            "track3_days",
            "cohandler_days",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.escalation_working_days < 0:
            raise ValueError("escalation_working_days must not be negative")
        for name in (
            "emergency_response",
            "emergency_resolution",
            "priority_formal",
            "dispatch_window",
            "return_window",
            "revisit_after",
            "staged_interval",
        ):
            if getattr(self, name) <= timedelta(0):
                raise ValueError(f"{name} must be positive")
        if self.extension_max < timedelta(0):
            raise ValueError("extension_max must not be negative")
        if any(lead <= timedelta(0) for lead in self.reminder_leads):
            raise ValueError("reminder_leads must be positive")

    def preliminary_days(self, track: int) -> int | None:
        """Working days to the preliminary reply (初步回复) for a track; None for track 1."""
        return {2: self.track2_days, 3: self.track3_days}.get(track)


DEFAULT_POLICY = DeadlinePolicy()


@dataclass(frozen=True)
class Deadlines:
    """The deadlines set at acceptance, as aware datetimes in the school's zone (None: no rule)."""

    first_day: date
    response_due: datetime
    preliminary_due: datetime | None
    formal_due: datetime | None
    calendar_verified: bool
    """False when any date consulted lies in a year without official calendar data."""

    def as_dict(self) -> dict[str, datetime | None]:
        """The due instants by kind (response, preliminary, formal); None where no rule applies."""
        return {
            "response": self.response_due,
            "preliminary": self.preliminary_due,
            "formal": self.formal_due,
        }


def _require_aware(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value.isoformat()}")


def _midnight(d: date, tz: tzinfo) -> datetime:
    return datetime.combine(d, time(0, 0), tzinfo=tz)


def end_of_date(d: date, tz: tzinfo) -> datetime:
    """The end of date `d`: 24:00 of `d` in zone `tz` (00:00 of the next day), any kind of day.

    The one reading of "by <date>" (至/预计 <date>) wherever a date becomes a deadline.
    """
    return _midnight(d + _DAY, tz)


def planned_formal_due(planned: date, tz: tzinfo) -> datetime:
    """正式回复: the formal deadline a department sets by naming a date in its 初步回复."""
    return end_of_date(planned, tz)


def _last_instant_date(due: datetime, tz: tzinfo) -> date:
    # A due at 00:00 belongs to the day before it (24:00 of that day).
    return (due.astimezone(tz) - timedelta(microseconds=1)).date()


def next_workday(d: date, calendar: WorkingCalendar) -> date:
    """The first working day strictly after `d`."""
    for _ in range(_MAX_SCAN_DAYS):
        d += _DAY
        if calendar.is_workday(d):
            return d
    raise ValueError(f"no working day within {_MAX_SCAN_DAYS} days after {d.isoformat()}")


def add_working_days(d: date, n: int, calendar: WorkingCalendar) -> date:
    """The n-th working day after `d` (n = 0 gives `d` itself, working or not)."""
    if n < 0:
        raise ValueError("n must not be negative")
    for _ in range(n):
        d = next_workday(d, calendar)
    return d


def first_working_day(
    accepted_at: datetime,
    calendar: WorkingCalendar,
    tz: tzinfo,
    policy: DeadlinePolicy = DEFAULT_POLICY,
) -> date:
    """Day 1 of the clock: today if a working day before the cutoff, else the next working day."""
    _require_aware("accepted_at", accepted_at)
    local = accepted_at.astimezone(tz)
    today = local.date()
    if calendar.is_workday(today) and local.time() < policy.cutoff:
        return today
    return next_workday(today, calendar)


def end_of_working_day(day1: date, n: int, calendar: WorkingCalendar, tz: tzinfo) -> datetime:
    """The end of day `n` counted from `day1` (day 1 = `day1`): 00:00 after the n-th working day."""
    if n < 1:
        raise ValueError("n must be at least 1")
    return end_of_date(add_working_days(day1, n - 1, calendar), tz)


def _after_cutoff_on_workday(
    accepted_at: datetime, calendar: WorkingCalendar, tz: tzinfo, policy: DeadlinePolicy
) -> bool:
    local = accepted_at.astimezone(tz)
    return calendar.is_workday(local.date()) and local.time() >= policy.cutoff


def working_day_due(
    accepted_at: datetime,
    n: int,
    calendar: WorkingCalendar,
    tz: tzinfo,
    policy: DeadlinePolicy = DEFAULT_POLICY,
) -> datetime:
    """Due within `n` working days with the 22:00 rule (response, track 1, 协办).

    End of day `n`; but when accepted on a working day at or after the cutoff, `late_due_time`
    on day `n` (for n = 1: 10:00 the next working day).
    """
    day1 = first_working_day(accepted_at, calendar, tz, policy)
    if _after_cutoff_on_workday(accepted_at, calendar, tz, policy):
        last = add_working_days(day1, n - 1, calendar)
        return datetime.combine(last, policy.late_due_time, tzinfo=tz)
    return end_of_working_day(day1, n, calendar, tz)


def _dates(start: date, end: date) -> Iterator[date]:
    d = start
    while d <= end:
        yield d
        d += _DAY


def _verified_between(start: date, end: date, calendar: WorkingCalendar) -> bool:
    return all(calendar.verified(d) for d in _dates(start, end))


def compute_deadlines(
    accepted_at: datetime,
    track: int | None,
    urgency: str,
    policy: DeadlinePolicy,
    calendar: WorkingCalendar,
    tz: tzinfo,
) -> Deadlines:
    """The deadlines of a ticket accepted (受理) at `accepted_at`, shown in zone `tz`.

    `track` is 1, 2, 3 or None (not yet classified: only the response is due). `urgency` is
    "emergency" (natural time, calendar and cutoff ignored: response +1 h, resolution as the
    formal due +2 h, no preliminary; first_day is the local date of acceptance), "priority"
    (formal reply +24 h whatever the track, no preliminary; the response never later than the
    formal reply), "normal" or "suspected_emergency" (疑似紧急: timed as normal). Tracks 2/3
    get no formal due here: it is set later from the department's plan. `calendar_verified` is
    False when any date consulted lies in a year without official data.
    """
    _require_aware("accepted_at", accepted_at)
    if track is not None and track not in TRACKS:
        raise ValueError(f"track must be 1, 2, 3 or None, got {track!r}")
    if urgency not in URGENCIES:
        raise ValueError(f"urgency must be one of {', '.join(URGENCIES)}, got {urgency!r}")
    local = accepted_at.astimezone(tz)

    if urgency == "emergency":
        return Deadlines(
            first_day=local.date(),
            response_due=(local + policy.emergency_response).astimezone(tz),
            preliminary_due=None,
            formal_due=(local + policy.emergency_resolution).astimezone(tz),
            calendar_verified=True,
        )

    first_day = first_working_day(local, calendar, tz, policy)
    response_due = working_day_due(local, policy.response_days, calendar, tz, policy)
    preliminary_due: datetime | None = None
    formal_due: datetime | None = None
    consulted_until = _last_instant_date(response_due, tz)

    if urgency == "priority":
        formal_due = (local + policy.priority_formal).astimezone(tz)
        response_due = min(response_due, formal_due)
    elif track == 1:
        formal_due = working_day_due(local, policy.track1_days, calendar, tz, policy)
        consulted_until = max(consulted_until, _last_instant_date(formal_due, tz))
    elif track in (2, 3):
        days = policy.preliminary_days(track)
        assert days is not None
        preliminary_due = end_of_working_day(first_day, days, calendar, tz)
        consulted_until = max(consulted_until, _last_instant_date(preliminary_due, tz))

    consulted_until = max(consulted_until, first_day)
    return Deadlines(
        first_day=first_day,
        response_due=response_due,
        preliminary_due=preliminary_due,
        formal_due=formal_due,
        calendar_verified=_verified_between(local.date(), consulted_until, calendar),
    )


def cohandler_due(
    assigned_at: datetime,
    calendar: WorkingCalendar,
    tz: tzinfo,
    policy: DeadlinePolicy = DEFAULT_POLICY,
) -> datetime:
    """协办: when a co-handler must report to the lead department (same rule as track 1)."""
    return working_day_due(assigned_at, policy.cohandler_days, calendar, tz, policy)


def dispatch_due(received_at: datetime, policy: DeadlinePolicy = DEFAULT_POLICY) -> datetime:
    """转办: the office must dispatch a letter within one natural day of its receipt."""
    _require_aware("received_at", received_at)
    return received_at + policy.dispatch_window


def return_window_end(dispatched_at: datetime, policy: DeadlinePolicy = DEFAULT_POLICY) -> datetime:
    """退回: the last instant a department may hand a dispatched ticket back (首接负责 after)."""
    _require_aware("dispatched_at", dispatched_at)
    return dispatched_at + policy.return_window


def extension_allowed(
    current_formal: datetime,
    requested_until: datetime,
    policy: DeadlinePolicy = DEFAULT_POLICY,
) -> bool:
    """延期: True when `requested_until` is after the current formal due, by at most 5 days."""
    _require_aware("current_formal", current_formal)
    _require_aware("requested_until", requested_until)
    return current_formal < requested_until <= current_formal + policy.extension_max


def revisit_due(formal_reply_at: datetime, policy: DeadlinePolicy = DEFAULT_POLICY) -> datetime:
    """回访: the satisfaction call is due 48 hours after the formal reply."""
    _require_aware("formal_reply_at", formal_reply_at)
    return formal_reply_at + policy.revisit_after


def working_time_between(
    start: datetime, end: datetime, calendar: WorkingCalendar, tz: tzinfo
) -> timedelta:
    """How much of [start, end) falls on working days (whole 24-hour days count)."""
    _require_aware("start", start)
    _require_aware("end", end)
    if end <= start:
        return timedelta(0)
    cur = start.astimezone(tz)
    stop = end.astimezone(tz)
    total = timedelta(0)
    while cur < stop:
        day_end = _midnight(cur.date() + _DAY, tz)
        piece_end = min(day_end, stop)
        if calendar.is_workday(cur.date()):
            total += piece_end - cur
        cur = piece_end
    return total


def after_working_time(
    start: datetime, amount: timedelta, calendar: WorkingCalendar, tz: tzinfo
) -> datetime:
    """The last instant at which exactly `amount` of working time has passed since `start`.

    Any instant strictly later has more working time behind it, which makes this the threshold
    for "overdue by more than N working days" (非工作日 do not count).
    """
    _require_aware("start", start)
    cur = start.astimezone(tz)
    remaining = amount
    for _ in range(_MAX_SCAN_DAYS):
        day_end = _midnight(cur.date() + _DAY, tz)
        if calendar.is_workday(cur.date()):
            available = day_end - cur
            if remaining < available:
                return cur + remaining
            remaining -= available
        cur = day_end
    raise ValueError(f"no working day within {_MAX_SCAN_DAYS} days after {start.isoformat()}")


def overdue_by_working_days(
    due: datetime, now: datetime, calendar: WorkingCalendar, tz: tzinfo | None = None
) -> int:
    """Whole working days elapsed since `due` (0 when not yet overdue or overdue by less).

    Dates are taken in `tz`, by default the zone `due` carries (the school's zone).
    """
    _require_aware("due", due)
    zone = tz if tz is not None else due.tzinfo
    assert zone is not None
    return working_time_between(due, now, calendar, zone) // _DAY


def escalation_after(
    due: datetime,
    calendar: WorkingCalendar,
    tz: tzinfo,
    policy: DeadlinePolicy = DEFAULT_POLICY,
) -> datetime:
    """督办: escalate strictly after this instant (overdue by more than N working days)."""
    return after_working_time(due, policy.escalation_working_days * _DAY, calendar, tz)
