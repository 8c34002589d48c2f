"""The rules an action is decided under: the deadline numbers, the school's zone, the calendar.

`Calendar` is the small protocol `dispatch.calendar.ChineseWorkingCalendar` already satisfies
(`is_workday`, `verified`); the workflow never imports that module (it needs chinese-calendar).
Also the few ways a time is written in the Chinese wording of refusals and confirmations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from xinxiang.domain.deadlines import DEFAULT_POLICY, DeadlinePolicy, WorkingCalendar

Calendar = WorkingCalendar
"""Which dates are working days (工作日); see `domain.deadlines.WorkingCalendar`."""

_WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class WorkflowPolicy:
    """Everything configurable an action depends on, loaded once by the shell."""

    tz: tzinfo
    """The school's zone: dates, "the end of a date" and the wording are local to it."""
    deadlines: DeadlinePolicy = DEFAULT_POLICY
    approve_all_answers: bool = False
    """`[replies] approve_all_answers`: every formal answer waits for the office (审核)."""
    revisit_window: timedelta = timedelta(days=7)
    """`[revisit] window_days`: how long the petitioner has to rate before the reminder."""
    revisit_grace: timedelta = timedelta(days=3)
    """`[revisit] grace_days`: after the reminder, how long before 未评价."""
    revisit_rounds: int = 2
    """`[revisit] rounds`: rating rounds before 督办 (dissatisfied in the last one → 督办)."""


def _deadline_local(value: datetime, tz: tzinfo) -> tuple[datetime, str]:
    # A deadline at 00:00 is the end of the day before: that day, written "24:00" (issue #18).
    local = value.astimezone(tz)
    if local.hour == 0 and local.minute == 0:
        return local - timedelta(days=1), "24:00"
    return local, f"{local:%H:%M}"


def minute_text(value: datetime, tz: tzinfo) -> str:
    """A deadline as `2026-12-02 14:05` in the school's zone; 00:00 reads `2026-12-01 24:00`."""
    day, clock = _deadline_local(value, tz)
    return f"{day:%Y-%m-%d} {clock}"


def cn_datetime_text(value: datetime, tz: tzinfo) -> str:
    """A deadline as `2026年12月2日（星期三）14:05`; 00:00 reads as 24:00 of the day before."""
    day, clock = _deadline_local(value, tz)
    return f"{day.year}年{day.month}月{day.day}日（星期{_WEEKDAYS[day.weekday()]}）{clock}"


def duration_text(value: timedelta) -> str:
    """`1小时`, `90分钟`, `2天`: a policy window as the rules state it."""
    minutes = int(value.total_seconds() // 60)
    if minutes % (24 * 60) == 0:
        return f"{minutes // (24 * 60)}天"
    if minutes % 60 == 0:
        return f"{minutes // 60}小时"
    return f"{minutes}分钟"
