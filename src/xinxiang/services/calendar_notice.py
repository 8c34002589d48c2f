"""The weekly reminder to enter next year's working calendar (下一年度放假安排提醒), as a mail.

The decision is `dispatch.calendar_reminder.calendar_reminder_due`; this is its shell, called by
every periodic sweep inside the sweep's transaction: the notice row (unique key
`calendar-year:<year>:<ISO week>`) and the outbox mail are written together, so each week's
reminder goes out exactly once, across restarts and concurrent workers.

Before a reminder is sent, `calendar.toml` is read again: the office may have entered the year
since the worker started. When it did, no reminder goes out and the worker's calendar is
replaced by the fresh one, so deadlines use the entered year from then on.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinxiang.dispatch.calendar import CALENDAR_FILE, load_calendar_for
from xinxiang.dispatch.calendar_reminder import CalendarReminder, calendar_reminder_due
from xinxiang.errors import ConfigError
from xinxiang.outgoing.office import post_office
from xinxiang.replies.mailer import base_context
from xinxiang.replies.render import render
from xinxiang.store.models import NoticeRow

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext

log = logging.getLogger(__name__)

MAIL_KIND = "calendar_reminder"


def example_entry(year: int) -> str:
    """The `[[year]]` table to add to calendar.toml, with illustrative dates of `year`.

    Fixed-date holidays (元旦, 劳动节, 国庆节) and one weekend make-up day before 国庆节 show the
    format; the lunar holidays are left as a comment, since their dates cannot be guessed.
    """
    may = [date(year, 5, d) for d in range(1, 6)]
    october = [date(year, 10, d) for d in range(1, 8)]
    makeup = max(
        d for d in (date(year, 9, 20) + timedelta(days=i) for i in range(11)) if d.weekday() >= 5
    )

    def days(ds: list[date]) -> str:
        return ", ".join(d.isoformat() for d in ds)

    return "\n".join(
        [
            "[[year]]",
            f"year = {year}",
            "verified = true",
            f'source = "国务院办公厅关于{year}年部分节假日安排的通知'
            f'（国办发明电〔{year - 1}〕X号）"',
            "holidays = [",
            f"  {date(year, 1, 1).isoformat()},  # 元旦",
            "  # 春节、清明节、端午节、中秋节：按通知逐日填写",
            f"  {days(may)},  # 劳动节",
            f"  {days(october)},  # 国庆节",
            "]",
            f"workdays = [{makeup.isoformat()}]  # 调休上班的周六、周日",
        ]
    )


def _fresh_covered(ctx: AppContext, year: int) -> tuple[bool, str]:
    """Whether `calendar.toml` as it is on disk now covers `year`, and the file's problem if
    it cannot be read (then the worker's calendar stays as it was)."""
    try:
        fresh = load_calendar_for(ctx.cfg)
    except ConfigError as exc:
        log.warning("calendar reminder: %s cannot be read: %s", CALENDAR_FILE, exc)
        return False, str(exc)
    if fresh.covered(year):
        log.info("calendar.toml now covers %d: the worker's working calendar is reloaded", year)
        ctx.calendar = fresh
        return True, ""
    return False, ""


def render_calendar_reminder(
    ctx: AppContext, reminder: CalendarReminder, now: datetime, problem: str = ""
) -> str:
    """The reminder mail's text (Simplified Chinese)."""
    today = now.astimezone(ctx.cfg.tz).date()
    return render(
        "mail/calendar_reminder.txt.j2",
        **base_context(ctx),
        year=reminder.year,
        started=today.year >= reminder.year,
        calendar_path=str(ctx.cfg.directory / CALENDAR_FILE),
        example=example_entry(reminder.year),
        problem=problem,
    )


def queue_calendar_reminder(
    ctx: AppContext, session: Session, now: datetime
) -> CalendarReminder | None:
    """Queue this week's calendar reminder to the office if one is due and not yet sent.

    Runs inside the caller's transaction; the notice row's unique key makes a concurrent
    worker's second attempt fail, which the caller retries (and then finds the key).
    """
    reminder = calendar_reminder_due(now, ctx.cfg.tz, ctx.calendar.covered)
    if reminder is None:
        return None
    if session.execute(select(NoticeRow.id).where(NoticeRow.key == reminder.key)).first():
        return None
    covered, problem = _fresh_covered(ctx, reminder.year)
    if covered:
        return None
    text = render_calendar_reminder(ctx, reminder, now, problem)
    session.add(NoticeRow(key=reminder.key, ticket_id=0, at=now))
    session.flush()
    post_office(
        ctx,
        session,
        key=reminder.key,
        kind=MAIL_KIND,
        subject=f"【请录入】{reminder.year}年放假安排（工作日历 {CALENDAR_FILE}）",
        text=text,
        now=now,
    )
    log.info("calendar reminder %s queued for the office", reminder.key)
    return reminder
