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


def minute_text(value: datetime, tz: tzinfo) -> str:
    """`2026-12-02 14:05` in the school's zone (confirmations to departments)."""
    return f"{value.astimezone(tz):%Y-%m-%d %H:%M}"


def cn_datetime_text(value: datetime, tz: tzinfo) -> str:
    """`2026年12月2日（星期三）14:05` in the school's zone (the office's refusals)."""
    local = value.astimezone(tz)
    return (
        f"{local.year}年{local.month}月{local.day}日（星期{_WEEKDAYS[local.weekday()]}）"
        f"{local:%H:%M}"
    )


def duration_text(value: timedelta) -> str:
    """`1小时`, `90分钟`, `2天`: a policy window as the rules state it."""
    minutes = int(value.total_seconds() // 60)
    if minutes % (24 * 60) == 0:
        return f"{minutes // (24 * 60)}天"
    if minutes % 60 == 0:
        return f"{minutes // 60}小时"
    return f"{minutes}分钟"
