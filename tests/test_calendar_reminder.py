"""Specification of the reminder to enter next year's working calendar (下一年度放假安排提醒).

From 1 December the office is reminded once per ISO week, by mail through the outbox, until
next year's holidays and make-up days are entered in calendar.toml with `verified = true`; a
new year that begins without them keeps the reminders going.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from inbound_helpers import context
from sweep_helpers import local, outbox, text_of
from xinxiang.dispatch.calendar import CalendarFile, load_calendar
from xinxiang.dispatch.calendar_reminder import calendar_reminder_due
from xinxiang.domain.deadlines import compute_deadlines
from xinxiang.services.calendar_notice import example_entry
from xinxiang.services.sweep import describe, sweep

SH = ZoneInfo("Asia/Shanghai")
KNOWN_UP_TO_2026 = {2025, 2026}
ENTERED_2027 = {2025, 2026, 2027}


def _covered(years: set[int]):  # type: ignore[no-untyped-def]
    return lambda year: year in years


@pytest.mark.parametrize(
    ("why", "at", "known", "sent", "key"),
    [
        ("November: too early", local(2026, 11, 30, 12, 0), KNOWN_UP_TO_2026, (), None),
        (
            "1 December, office hours",
            local(2026, 12, 1, 9, 0),
            KNOWN_UP_TO_2026,
            (),
            "calendar-year:2027:2026-W49",
        ),
        ("1 December before 08:00", local(2026, 12, 1, 7, 59), KNOWN_UP_TO_2026, (), None),
        (
            "same ISO week, already sent",
            local(2026, 12, 4, 15, 0),
            KNOWN_UP_TO_2026,
            ("calendar-year:2027:2026-W49",),
            None,
        ),
        (
            "next ISO week: a new key",
            local(2026, 12, 7, 8, 0),
            KNOWN_UP_TO_2026,
            ("calendar-year:2027:2026-W49",),
            "calendar-year:2027:2026-W50",
        ),
        ("next year entered", local(2026, 12, 7, 9, 0), ENTERED_2027, (), None),
        (
            "New Year's Eve",
            local(2026, 12, 31, 9, 0),
            KNOWN_UP_TO_2026,
            (),
            "calendar-year:2027:2026-W53",
        ),
        (
            "January, still unverified",
            local(2027, 1, 11, 9, 0),
            KNOWN_UP_TO_2026,
            (),
            "calendar-year:2027:2027-W02",
        ),
        ("January, entered", local(2027, 1, 11, 9, 0), ENTERED_2027, (), None),
        (
            "December 2027 asks for 2028",
            local(2027, 12, 1, 9, 0),
            ENTERED_2027,
            (),
            "calendar-year:2028:2027-W48",
        ),
        (
            "UTC instant, local 1 December 08:30",
            datetime(2026, 12, 1, 0, 30, tzinfo=SH).replace(tzinfo=ZoneInfo("UTC")),
            KNOWN_UP_TO_2026,
            (),
            "calendar-year:2027:2026-W49",
        ),
    ],
)
def test_the_reminder_is_due_weekly_from_december_until_the_year_is_entered(
    why: str, at: datetime, known: set[int], sent: tuple[str, ...], key: str | None
) -> None:
    reminder = calendar_reminder_due(at, SH, _covered(known), sent)
    assert (reminder.key if reminder else None) == key, why


def test_one_key_per_iso_week_and_year() -> None:
    start = local(2026, 12, 1, 9, 0)
    keys = [
        r.key
        for h in range(0, 24 * 62, 6)
        if (r := calendar_reminder_due(start + timedelta(hours=h), SH, _covered(KNOWN_UP_TO_2026)))
    ]
    weeks = list(dict.fromkeys(keys))
    assert len(weeks) == 9  # W49 … W53 of 2026, W01 … W04 of 2027 (1 Dec to 31 Jan)
    assert all(k.startswith("calendar-year:2027:") for k in weeks)


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar_reminder_due(datetime(2026, 12, 1, 9), SH, _covered(KNOWN_UP_TO_2026))


def test_the_mails_example_is_valid_calendar_toml(tmp_path: Path) -> None:
    text = example_entry(2027)
    CalendarFile.model_validate(tomllib.loads(text))
    path = tmp_path / "calendar.toml"
    path.write_text(text, encoding="utf-8")
    cal = load_calendar(path)
    assert cal.covered(2027) and not cal.is_workday(date(2027, 1, 1))
    assert cal.makeup_workdays(2027)


def _sweeps(ctx, days: int, start: datetime) -> list[str]:  # type: ignore[no-untyped-def]
    """Run the sweep every 3 hours for `days` days; the calendar reminder keys it sent."""
    out = []
    for h in range(0, 24 * days, 3):
        result = sweep(ctx, start + timedelta(hours=h))
        if result.calendar_reminder is not None:
            out.append(result.calendar_reminder.key)
    return out


def test_the_sweep_mails_the_office_once_per_week(tmp_config, db_url: str) -> None:
    cfg_dir = tmp_config(database_url=db_url)
    ctx = context(cfg_dir)
    assert _sweeps(ctx, 2, local(2026, 11, 29, 0, 0)) == []
    keys = _sweeps(ctx, 14, local(2026, 12, 1, 0, 0))
    assert keys == [
        "calendar-year:2027:2026-W49",
        "calendar-year:2027:2026-W50",
        "calendar-year:2027:2026-W51",
    ]
    # A second worker (a fresh context) in the same week sends nothing more.
    assert sweep(context(cfg_dir), local(2026, 12, 19, 10, 0)).calendar_reminder is None
    mails = outbox(ctx, ("calendar_reminder",))
    assert [m.recipients for m in mails] == [["dzb@example.edu.cn"]] * 3
    assert len({m.message_id for m in mails}) == 3
    text = text_of(mails[0])
    assert "2027年的放假安排" in text and "日历未核实" in text
    assert str(cfg_dir / "calendar.toml") in text
    assert "[[year]]\nyear = 2027\nverified = true" in text
    assert "xinxiang calendar check 2027" in text


def test_entering_the_year_stops_the_reminders_without_a_restart(tmp_config, db_url: str) -> None:
    cfg_dir = tmp_config(database_url=db_url)
    ctx = context(cfg_dir)
    result = sweep(ctx, local(2026, 12, 1, 9, 0))
    assert result.calendar_reminder is not None
    assert any("2027 年放假安排" in line for line in describe(result, "Asia/Shanghai"))
    assert not ctx.calendar.covered(2027)
    with (cfg_dir / "calendar.toml").open("a", encoding="utf-8") as f:
        f.write("\n" + example_entry(2027) + "\n")
    assert _sweeps(ctx, 14, local(2026, 12, 7, 0, 0)) == []
    # The running worker now computes 2027 deadlines on the entered schedule.
    assert ctx.calendar.covered(2027) and not ctx.calendar.is_workday(date(2027, 1, 1))
    assert len(outbox(ctx, ("calendar_reminder",))) == 1


def test_a_broken_calendar_file_is_named_in_the_reminder(tmp_config, db_url: str) -> None:
    cfg_dir = tmp_config(database_url=db_url)
    ctx = context(cfg_dir)
    _ = ctx.calendar, ctx.policy  # loaded while the file was valid
    with (cfg_dir / "calendar.toml").open("a", encoding="utf-8") as f:
        f.write("\n[[year]]\nyear = 2027\nverified = true\nholidays = [2028-01-01]\n")
    assert sweep(ctx, local(2026, 12, 1, 9, 0)).calendar_reminder is not None
    text = text_of(outbox(ctx, ("calendar_reminder",))[0])
    assert "无法读取" in text and "2028-01-01" in text


def test_deadlines_in_the_unentered_year_stay_marked_unverified(tmp_config) -> None:
    ctx = context(tmp_config())
    d = compute_deadlines(
        local(2026, 12, 31, 10, 0), 3, "normal", ctx.policy, ctx.calendar, ctx.cfg.tz
    )
    assert d.calendar_verified is False
