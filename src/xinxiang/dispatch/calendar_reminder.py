"""Whether the office must be reminded to enter a year's working calendar (下一年度放假安排提醒).

chinese_calendar ships the State Council schedule (国务院办公厅放假安排) only up to the year its
release knows; the next year's is published around November. Without it, every deadline that
crosses 31 December is counted on weekends only (1 January a working day, the Spring Festival a
working week) and is marked 日历未核实. So from 1 December the office (党政办公室) is reminded once
per ISO week, until next year's holidays and make-up days (调休) are entered in `calendar.toml`
with `verified = true`; and if the new year begins without them, the reminders go on.

The decision is pure: the time, the school's zone, "is this year covered?" and the keys already
sent. The key `calendar-year:<year>:<ISO year>-W<ISO week>` is stable within a week, so the
caller records it with the mail and no week's reminder ever goes out twice.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo

KEY_PREFIX = "calendar-year"
REMIND_FROM = (12, 1)
"""(month, day) from which next year's schedule is asked for."""
REMIND_AT = time(8, 0)
"""Local time of day before which no reminder goes out (the office reads mail in the day)."""


@dataclass(frozen=True)
class CalendarReminder:
    """One weekly reminder: `year` is the year whose schedule is missing."""

    year: int
    week: str
    """The ISO week of the reminder in the school's zone, `2026-W49`."""

    @property
    def key(self) -> str:
        """Stable identity of this week's reminder: `calendar-year:2027:2026-W49`."""
        return f"{KEY_PREFIX}:{self.year}:{self.week}"


def iso_week(day: date) -> str:
    """`2026-W49`: the ISO year and week of `day`."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def missing_year(today: date, covered: Callable[[int], bool]) -> int | None:
    """The year whose schedule the office must enter now, if any.

    This year's first (deadlines are being computed on it today), then, from 1 December, the
    next year's.
    """
    if not covered(today.year):
        return today.year
    if (today.month, today.day) >= REMIND_FROM and not covered(today.year + 1):
        return today.year + 1
    return None


def calendar_reminder_due(
    now: datetime,
    tz: tzinfo,
    covered: Callable[[int], bool],
    sent: Collection[str] = (),
) -> CalendarReminder | None:
    """This week's calendar reminder, if one is due at `now` and its key is not in `sent`.

    `covered(year)` is True when the year rests on official data (the package's, or the
    office's entry with `verified = true`). Due from 08:00 local time on.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware, got {now.isoformat()}")
    local = now.astimezone(tz)
    if local.time() < REMIND_AT:
        return None
    year = missing_year(local.date(), covered)
    if year is None:
        return None
    reminder = CalendarReminder(year, iso_week(local.date()))
    return None if reminder.key in sent else reminder
