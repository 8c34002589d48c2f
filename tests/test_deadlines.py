"""Specification of the SLA clock: staged deadlines on the official 2026 calendar (issue #4)."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from xinxiang.commands import deadline_cmd
from xinxiang.dispatch.calendar import ChineseWorkingCalendar, YearOverrides
from xinxiang.domain.deadlines import (
    DEFAULT_POLICY,
    DeadlinePolicy,
    add_working_days,
    cohandler_due,
    compute_deadlines,
    dispatch_due,
    end_of_working_day,
    escalation_after,
    extension_allowed,
    first_working_day,
    overdue_by_working_days,
    return_window_end,
    revisit_due,
    working_time_between,
)
from xinxiang.errors import XinxiangError

TZ = ZoneInfo("Asia/Shanghai")
REPO_CONFIG = Path(__file__).resolve().parents[1] / "config"

OFFICIAL = ChineseWorkingCalendar()
# The office has entered a (made-up, for the test) 2027 schedule and one school day off in 2026.
OFFICE = ChineseWorkingCalendar(
    {
        2026: YearOverrides(holidays=frozenset({date(2026, 3, 11)})),
        2027: YearOverrides(
            holidays=frozenset({date(2027, 1, 1)} | {date(2027, 10, d) for d in (1, 4, 5, 6, 7)}),
            workdays=frozenset({date(2027, 10, 9)}),
            verified=True,
        ),
    }
)
CALENDARS = {"official": OFFICIAL, "office": OFFICE}


def at(text: str) -> datetime:
    """A school-local time written without offset."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def opt(text: str | None) -> datetime | None:
    return None if text is None else at(text)


# (case, calendar, accepted (local), track, urgency,
#  first_day, response_due, preliminary_due, formal_due, calendar_verified)
# fmt: off
CASES = [
    # The two examples of the issue.
    ("issue: after 22:00 before National Day", "official", "2026-09-30T22:15", 1, "normal",
     "2026-10-08", "2026-10-08T10:00", None, "2026-10-08T10:00", True),
    ("issue: track 3 over make-up Saturday 10-10", "official", "2026-10-09T16:00", 3, "normal",
     "2026-10-09", "2026-10-10T00:00", "2026-10-13T00:00", None, True),
    # An ordinary week (Tuesday 2026-03-10) and the 22:00 cutoff on a working day.
    ("weekday morning", "official", "2026-03-10T09:00", 1, "normal",
     "2026-03-10", "2026-03-11T00:00", None, "2026-03-11T00:00", True),
    ("one second before the cutoff", "official", "2026-03-10T21:59:59", 1, "normal",
     "2026-03-10", "2026-03-11T00:00", None, "2026-03-11T00:00", True),
    ("exactly at the cutoff", "official", "2026-03-10T22:00", 1, "normal",
     "2026-03-11", "2026-03-11T10:00", None, "2026-03-11T10:00", True),
    ("just before midnight", "official", "2026-03-10T23:59", 1, "normal",
     "2026-03-11", "2026-03-11T10:00", None, "2026-03-11T10:00", True),
    ("midnight starts a new day", "official", "2026-03-11T00:00", 1, "normal",
     "2026-03-11", "2026-03-12T00:00", None, "2026-03-12T00:00", True),
    ("Friday after cutoff: Monday 10:00", "official", "2026-03-13T22:30", 1, "normal",
     "2026-03-16", "2026-03-16T10:00", None, "2026-03-16T10:00", True),
    ("Saturday: end of Monday", "official", "2026-03-14T10:00", 1, "normal",
     "2026-03-16", "2026-03-17T00:00", None, "2026-03-17T00:00", True),
    ("Saturday after 22:00: no cutoff rule off a working day", "official", "2026-03-14T22:30", 1,
     "normal", "2026-03-16", "2026-03-17T00:00", None, "2026-03-17T00:00", True),
    ("Sunday night, track 2", "official", "2026-03-15T23:59", 2, "normal",
     "2026-03-16", "2026-03-17T00:00", "2026-03-18T00:00", None, True),
    ("Friday track 2 skips the weekend", "official", "2026-03-13T10:00", 2, "normal",
     "2026-03-13", "2026-03-14T00:00", "2026-03-17T00:00", None, True),
    ("Friday track 3 skips the weekend", "official", "2026-03-13T10:00", 3, "normal",
     "2026-03-13", "2026-03-14T00:00", "2026-03-18T00:00", None, True),
    ("Track 2 after cutoff counts from the next working day", "official", "2026-03-10T22:30", 2,
     "normal", "2026-03-11", "2026-03-11T10:00", "2026-03-13T00:00", None, True),
    # New Year 2026: 01-01..03 off, Sunday 01-04 a make-up working day.
    ("New Year's Eve after cutoff: make-up Sunday", "official", "2025-12-31T22:30", 1, "normal",
     "2026-01-04", "2026-01-04T10:00", None, "2026-01-04T10:00", True),
    ("New Year's Day, track 2", "official", "2026-01-01T09:00", 2, "normal",
     "2026-01-04", "2026-01-05T00:00", "2026-01-06T00:00", None, True),
    # Spring Festival 2026: 02-15..23 off; Saturdays 02-14 and 02-28 are working days.
    ("Friday before Spring Festival", "official", "2026-02-13T10:00", 1, "normal",
     "2026-02-13", "2026-02-14T00:00", None, "2026-02-14T00:00", True),
    ("Friday after cutoff: make-up Saturday 10:00", "official", "2026-02-13T22:30", 1, "normal",
     "2026-02-14", "2026-02-14T10:00", None, "2026-02-14T10:00", True),
    ("make-up Saturday, track 2 spans the festival", "official", "2026-02-14T16:00", 2, "normal",
     "2026-02-14", "2026-02-15T00:00", "2026-02-25T00:00", None, True),
    ("make-up Saturday after cutoff", "official", "2026-02-14T22:15", 1, "normal",
     "2026-02-24", "2026-02-24T10:00", None, "2026-02-24T10:00", True),
    ("during Spring Festival, track 3", "official", "2026-02-17T12:00", 3, "normal",
     "2026-02-24", "2026-02-25T00:00", "2026-02-27T00:00", None, True),
    ("last festival day after 22:00: no cutoff rule", "official", "2026-02-23T22:30", 1,
     "normal", "2026-02-24", "2026-02-25T00:00", None, "2026-02-25T00:00", True),
    ("track 3 through make-up Saturday 02-28", "official", "2026-02-27T10:00", 3, "normal",
     "2026-02-27", "2026-02-28T00:00", "2026-03-03T00:00", None, True),
    # Qingming 2026: 04-04..06 off.
    ("Friday before Qingming, track 2", "official", "2026-04-03T15:00", 2, "normal",
     "2026-04-03", "2026-04-04T00:00", "2026-04-08T00:00", None, True),
    ("Friday before Qingming at 22:00", "official", "2026-04-03T22:00", 1, "normal",
     "2026-04-07", "2026-04-07T10:00", None, "2026-04-07T10:00", True),
    ("Qingming Sunday, track 3", "official", "2026-04-05T12:00", 3, "normal",
     "2026-04-07", "2026-04-08T00:00", "2026-04-10T00:00", None, True),
    # May Day 2026: 05-01..05 off; Saturday 05-09 a working day.
    ("eve of May Day after cutoff", "official", "2026-04-30T22:01", 1, "normal",
     "2026-05-06", "2026-05-06T10:00", None, "2026-05-06T10:00", True),
    ("eve of May Day, track 3", "official", "2026-04-30T14:00", 3, "normal",
     "2026-04-30", "2026-05-01T00:00", "2026-05-08T00:00", None, True),
    ("track 3 through make-up Saturday 05-09", "official", "2026-05-08T09:00", 3, "normal",
     "2026-05-08", "2026-05-09T00:00", "2026-05-12T00:00", None, True),
    ("on make-up Saturday 05-09", "official", "2026-05-09T10:00", 1, "normal",
     "2026-05-09", "2026-05-10T00:00", None, "2026-05-10T00:00", True),
    ("make-up Saturday 05-09 after cutoff", "official", "2026-05-09T22:30", 1, "normal",
     "2026-05-11", "2026-05-11T10:00", None, "2026-05-11T10:00", True),
    # Dragon Boat 2026: 06-19..21 off.
    ("Thursday before Dragon Boat after cutoff, track 2", "official", "2026-06-18T23:00", 2,
     "normal", "2026-06-22", "2026-06-22T10:00", "2026-06-24T00:00", None, True),
    ("Dragon Boat Saturday", "official", "2026-06-20T08:00", 1, "normal",
     "2026-06-22", "2026-06-23T00:00", None, "2026-06-23T00:00", True),
    # Mid-Autumn (09-25..27) and National Day (10-01..07); Sunday 09-20 and Saturday 10-10 work.
    ("Saturday before make-up Sunday 09-20", "official", "2026-09-19T12:00", 3, "normal",
     "2026-09-20", "2026-09-21T00:00", "2026-09-23T00:00", None, True),
    ("Thursday before Mid-Autumn, track 2", "official", "2026-09-24T10:00", 2, "normal",
     "2026-09-24", "2026-09-25T00:00", "2026-09-29T00:00", None, True),
    ("eve of National Day, track 3", "official", "2026-09-30T10:00", 3, "normal",
     "2026-09-30", "2026-10-01T00:00", "2026-10-10T00:00", None, True),
    ("Friday 10-09 after cutoff: make-up Saturday 10:00", "official", "2026-10-09T22:30", 1,
     "normal", "2026-10-10", "2026-10-10T10:00", None, "2026-10-10T10:00", True),
    ("make-up Saturday 10-10 after cutoff", "official", "2026-10-10T22:30", 1, "normal",
     "2026-10-12", "2026-10-12T10:00", None, "2026-10-12T10:00", True),
    ("during National Day, track 2", "official", "2026-10-03T10:00", 2, "normal",
     "2026-10-08", "2026-10-09T00:00", "2026-10-10T00:00", None, True),
    # Emergencies: natural time, calendar and cutoff ignored.
    ("emergency on a holiday night", "official", "2026-10-03T03:00", None, "emergency",
     "2026-10-03", "2026-10-03T04:00", None, "2026-10-03T05:00", True),
    ("emergency after cutoff ignores the cutoff", "official", "2026-03-10T22:30", 1, "emergency",
     "2026-03-10", "2026-03-10T23:30", None, "2026-03-11T00:30", True),
    ("emergency into an uncovered year stays verified", "official", "2026-12-31T23:30", 3,
     "emergency", "2026-12-31", "2027-01-01T00:30", None, "2027-01-01T01:30", True),
    # Priority (水电气热): formal reply within 24 natural hours; the response never later.
    ("priority on a weekday", "official", "2026-03-10T09:00", 1, "priority",
     "2026-03-10", "2026-03-11T00:00", None, "2026-03-11T09:00", True),
    ("priority Friday night: response capped by the 24 h", "official", "2026-03-13T22:30", 1,
     "priority", "2026-03-16", "2026-03-14T22:30", None, "2026-03-14T22:30", True),
    ("priority on National Day", "official", "2026-10-01T12:00", 2, "priority",
     "2026-10-08", "2026-10-02T12:00", None, "2026-10-02T12:00", True),
    ("not yet classified: only the response", "official", "2026-03-10T09:00", None, "normal",
     "2026-03-10", "2026-03-11T00:00", None, None, True),
    # 2027: no official data, weekends only, flagged unverified.
    ("2027 fallback: New Year's Day counted as working", "official", "2027-01-01T10:00", 1,
     "normal", "2027-01-01", "2027-01-02T00:00", None, "2027-01-02T00:00", False),
    ("track 3 crossing into 2027", "official", "2026-12-31T10:00", 3, "normal",
     "2026-12-31", "2027-01-01T00:00", "2027-01-05T00:00", None, False),
    ("ends on 2026-12-31 24:00: only 2026 consulted", "official", "2026-12-31T10:00", 1,
     "normal", "2026-12-31", "2027-01-01T00:00", None, "2027-01-01T00:00", True),
    ("after cutoff on 2026-12-31: day 1 in 2027", "official", "2026-12-31T22:30", 1, "normal",
     "2027-01-01", "2027-01-01T10:00", None, "2027-01-01T10:00", False),
    ("2027 National Day unknown: weekdays work", "official", "2027-10-01T10:00", 2, "normal",
     "2027-10-01", "2027-10-02T00:00", "2027-10-05T00:00", None, False),
    # The office has entered 2027 (and a school day off on 2026-03-11).
    ("override: 2027 New Year's Day", "office", "2027-01-01T10:00", 1, "normal",
     "2027-01-04", "2027-01-05T00:00", None, "2027-01-05T00:00", True),
    ("override: after cutoff on 2026-12-31", "office", "2026-12-31T22:30", 1, "normal",
     "2027-01-04", "2027-01-04T10:00", None, "2027-01-04T10:00", True),
    ("override: 2027 make-up Saturday 10-09", "office", "2027-09-30T16:00", 3, "normal",
     "2027-09-30", "2027-10-01T00:00", "2027-10-10T00:00", None, True),
    ("override: school day off in 2026 wins", "office", "2026-03-10T22:30", 1, "normal",
     "2026-03-12", "2026-03-12T10:00", None, "2026-03-12T10:00", True),
]
# fmt: on


@pytest.mark.parametrize(
    (
        "calendar",
        "accepted",
        "track",
        "urgency",
        "first_day",
        "response",
        "preliminary",
        "formal",
        "verified",
    ),
    [pytest.param(*c[1:], id=c[0]) for c in CASES],
)
def test_deadline_table(
    calendar: str,
    accepted: str,
    track: int | None,
    urgency: str,
    first_day: str,
    response: str,
    preliminary: str | None,
    formal: str | None,
    verified: bool,
) -> None:
    got = compute_deadlines(at(accepted), track, urgency, DEFAULT_POLICY, CALENDARS[calendar], TZ)
    assert got.first_day == date.fromisoformat(first_day)
    assert got.response_due == at(response)
    assert got.preliminary_due == opt(preliminary)
    assert got.formal_due == opt(formal)
    assert got.calendar_verified is verified


def test_there_are_at_least_forty_cases() -> None:
    assert len(CASES) >= 40


def test_deadlines_are_in_the_school_zone_whatever_the_input_offset() -> None:
    utc = datetime(2026, 9, 30, 14, 15, tzinfo=ZoneInfo("UTC"))  # 22:15 in Beijing
    got = compute_deadlines(utc, 1, "normal", DEFAULT_POLICY, OFFICIAL, TZ)
    assert got.formal_due is not None
    assert got.formal_due.isoformat() == "2026-10-08T10:00:00+08:00"


@pytest.mark.parametrize(
    ("accepted", "track", "urgency", "error"),
    [
        (datetime(2026, 3, 10, 9, 0), 1, "normal", "timezone-aware"),
        (at("2026-03-10T09:00"), 4, "normal", "track"),
        (at("2026-03-10T09:00"), 1, "urgent", "urgency"),
    ],
)
def test_bad_inputs_are_refused(
    accepted: datetime, track: int | None, urgency: str, error: str
) -> None:
    with pytest.raises(ValueError, match=error):
        compute_deadlines(accepted, track, urgency, DEFAULT_POLICY, OFFICIAL, TZ)


def test_policy_numbers_are_configurable() -> None:
    policy = DeadlinePolicy(cutoff=time(18, 0), late_due_time=time(12, 0), track2_days=3)
    got = compute_deadlines(at("2026-03-10T18:30"), 2, "normal", policy, OFFICIAL, TZ)
    assert got.first_day == date(2026, 3, 11)
    assert got.response_due == at("2026-03-11T12:00")
    assert got.preliminary_due == at("2026-03-14T00:00")


def test_policy_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="track2_days"):
        DeadlinePolicy(track2_days=0)


# --- helpers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2026-10-09", 0, "2026-10-09"),
        ("2026-10-09", 1, "2026-10-10"),
        ("2026-10-09", 2, "2026-10-12"),
        ("2026-09-30", 1, "2026-10-08"),
        ("2026-02-14", 1, "2026-02-24"),
        ("2026-12-31", 2, "2027-01-04"),
    ],
)
def test_add_working_days(start: str, n: int, expected: str) -> None:
    assert add_working_days(date.fromisoformat(start), n, OFFICIAL) == date.fromisoformat(expected)


def test_end_of_working_day_is_midnight_after_the_nth_working_day() -> None:
    assert end_of_working_day(date(2026, 10, 9), 3, OFFICIAL, TZ) == at("2026-10-13T00:00")
    assert end_of_working_day(date(2026, 10, 9), 1, OFFICIAL, TZ) == at("2026-10-10T00:00")


def test_first_working_day_uses_the_cutoff() -> None:
    assert first_working_day(at("2026-10-09T21:59"), OFFICIAL, TZ) == date(2026, 10, 9)
    assert first_working_day(at("2026-10-09T22:00"), OFFICIAL, TZ) == date(2026, 10, 10)


def test_natural_time_windows() -> None:
    t = at("2026-10-03T10:00")
    assert dispatch_due(t) == at("2026-10-04T10:00")  # 转办: 1 natural day, holidays count
    assert return_window_end(t) == at("2026-10-03T11:00")  # 退回: within 1 hour
    assert revisit_due(t) == at("2026-10-05T10:00")  # 回访: 48 hours


def test_cohandler_follows_the_track_1_rule() -> None:
    assert cohandler_due(at("2026-09-30T22:15"), OFFICIAL, TZ) == at("2026-10-08T10:00")
    assert cohandler_due(at("2026-10-09T16:00"), OFFICIAL, TZ) == at("2026-10-10T00:00")


@pytest.mark.parametrize(
    ("requested", "allowed"),
    [
        ("2026-03-11T00:00", False),  # not later: no extension
        ("2026-03-10T00:00", False),  # earlier
        ("2026-03-11T00:01", True),
        ("2026-03-16T00:00", True),  # exactly 5 natural days
        ("2026-03-16T00:01", False),  # beyond 5 natural days
    ],
)
def test_extension_at_most_five_natural_days(requested: str, allowed: bool) -> None:
    assert extension_allowed(at("2026-03-11T00:00"), at(requested)) is allowed


@pytest.mark.parametrize(
    ("due", "now", "days"),
    [
        ("2026-03-11T00:00", "2026-03-10T12:00", 0),  # not yet due
        ("2026-03-11T00:00", "2026-03-11T23:59", 0),
        ("2026-03-11T00:00", "2026-03-12T00:00", 1),
        ("2026-03-11T00:00", "2026-03-14T12:00", 3),  # Saturday does not count
        ("2026-09-30T00:00", "2026-10-08T00:00", 1),  # only 09-30 counts; the holiday does not
        ("2026-10-09T12:00", "2026-10-12T12:00", 2),  # half Fri + make-up Sat + half Mon
    ],
)
def test_overdue_by_working_days(due: str, now: str, days: int) -> None:
    assert overdue_by_working_days(at(due), at(now), OFFICIAL) == days


def test_escalation_threshold_skips_non_working_days() -> None:
    # Due Friday 10:00: 14 working hours on Friday, the weekend does not count, 10 on Monday.
    assert escalation_after(at("2026-03-13T10:00"), OFFICIAL, TZ) == at("2026-03-16T10:00")
    # Due at the end of Friday: the whole of Monday must pass.
    assert escalation_after(at("2026-03-14T00:00"), OFFICIAL, TZ) == at("2026-03-17T00:00")
    # Due at the end of 2026-09-30: National Day is skipped, 10-08 must pass.
    assert escalation_after(at("2026-10-01T00:00"), OFFICIAL, TZ) == at("2026-10-09T00:00")
    assert working_time_between(
        at("2026-10-01T00:00"), at("2026-10-09T00:00"), OFFICIAL, TZ
    ) == timedelta(days=1)


# --- monotonicity ----------------------------------------------------------------------------

MOMENTS = st.datetimes(
    min_value=datetime(2025, 12, 1), max_value=datetime(2027, 12, 31), timezones=st.just(TZ)
)
KINDS = [
    (track, urgency) for urgency in ("normal", "priority", "emergency") for track in (None, 1, 2, 3)
]


def _dues(t: datetime, track: int | None, urgency: str, cal: str) -> list[datetime | None]:
    d = compute_deadlines(t, track, urgency, DEFAULT_POLICY, CALENDARS[cal], TZ)
    return [d.response_due, d.preliminary_due, d.formal_due]


def _assert_monotonic(
    t1: datetime, t2: datetime, track: int | None, urgency: str, cal: str
) -> None:
    t1, t2 = min(t1, t2), max(t1, t2)
    for due1, due2 in zip(
        _dues(t1, track, urgency, cal), _dues(t2, track, urgency, cal), strict=True
    ):
        assert (due1 is None) == (due2 is None)
        if due1 is not None and due2 is not None:
            assert due1 <= due2, (t1, t2, due1, due2)
    f1 = compute_deadlines(t1, track, urgency, DEFAULT_POLICY, CALENDARS[cal], TZ).first_day
    f2 = compute_deadlines(t2, track, urgency, DEFAULT_POLICY, CALENDARS[cal], TZ).first_day
    assert f1 <= f2


@pytest.mark.parametrize(("track", "urgency"), KINDS)
@settings(max_examples=150, deadline=None)
@given(t1=MOMENTS, t2=MOMENTS, cal=st.sampled_from(sorted(CALENDARS)))
def test_later_acceptance_never_gives_earlier_deadline(
    track: int | None, urgency: str, t1: datetime, t2: datetime, cal: str
) -> None:
    _assert_monotonic(t1, t2, track, urgency, cal)


@pytest.mark.parametrize(("track", "urgency"), KINDS)
@settings(max_examples=150, deadline=None)
@given(
    t1=MOMENTS,
    step=st.integers(min_value=0, max_value=36 * 60),
    cal=st.sampled_from(sorted(CALENDARS)),
)
def test_monotonic_across_nearby_times(
    track: int | None, urgency: str, t1: datetime, step: int, cal: str
) -> None:
    # Nearby pairs exercise the cutoff and midnight boundaries that random pairs rarely hit.
    _assert_monotonic(t1, t1 + timedelta(minutes=step), track, urgency, cal)


# --- CLI -------------------------------------------------------------------------------------

EXPECTED_KEYS = {
    "accepted_at",
    "track",
    "urgency",
    "first_day",
    "response_due",
    "preliminary_due",
    "formal_due",
    "calendar_verified",
}


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    for name in ("xinxiang.toml", "departments.toml"):
        shutil.copy(REPO_CONFIG / name, tmp_path / name)
    return tmp_path


def _app() -> typer.Typer:
    app = typer.Typer()
    deadline_cmd.register(app)
    return app


def _run_json(config_dir: Path, *args: str) -> dict[str, object]:
    result = CliRunner().invoke(_app(), ["deadline", *args, "--config", str(config_dir), "--json"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    obj = json.loads(lines[0])
    assert isinstance(obj, dict)
    return obj


def test_cli_issue_example_track_1(config_dir: Path) -> None:
    obj = _run_json(config_dir, "--accepted", "2026-09-30T22:15+08:00", "--track", "1")
    assert set(obj) == EXPECTED_KEYS
    assert obj == {
        "accepted_at": "2026-09-30T22:15+08:00",
        "track": 1,
        "urgency": "normal",
        "first_day": "2026-10-08",
        "response_due": "2026-10-08T10:00+08:00",
        "preliminary_due": None,
        "formal_due": "2026-10-08T10:00+08:00",
        "calendar_verified": True,
    }


def test_cli_issue_example_track_3(config_dir: Path) -> None:
    obj = _run_json(config_dir, "--accepted", "2026-10-09T16:00+08:00", "--track", "3")
    assert set(obj) == EXPECTED_KEYS
    assert obj["first_day"] == "2026-10-09"
    assert obj["preliminary_due"] == "2026-10-13T00:00+08:00"
    assert obj["formal_due"] is None
    assert obj["calendar_verified"] is True


def test_cli_naive_time_is_school_local_and_utc_is_converted(config_dir: Path) -> None:
    naive = _run_json(config_dir, "--accepted", "2026-09-30T22:15", "--track", "1")
    utc = _run_json(config_dir, "--accepted", "2026-09-30T14:15:00Z", "--track", "1")
    assert naive == utc
    assert naive["accepted_at"] == "2026-09-30T22:15+08:00"


def test_cli_emergency_and_unverified_year(config_dir: Path) -> None:
    obj = _run_json(config_dir, "--accepted", "2027-03-01T10:00:30", "--urgency", "emergency")
    assert obj["response_due"] == "2027-03-01T11:00:30+08:00"
    assert obj["formal_due"] == "2027-03-01T12:00:30+08:00"
    assert obj["track"] is None
    obj = _run_json(config_dir, "--accepted", "2027-03-01T10:00", "--track", "2")
    assert obj["calendar_verified"] is False


def test_cli_uses_the_override_file(config_dir: Path) -> None:
    (config_dir / "calendar.toml").write_text(
        '[policy]\ncutoff = "18:00"\n[[year]]\nyear = 2026\nholidays = [2026-03-11]\n',
        encoding="utf-8",
    )
    obj = _run_json(config_dir, "--accepted", "2026-03-10T18:30", "--track", "1")
    assert obj["first_day"] == "2026-03-12"
    assert obj["formal_due"] == "2026-03-12T10:00+08:00"


def test_cli_human_listing_is_chinese(config_dir: Path) -> None:
    result = CliRunner().invoke(
        _app(),
        ["deadline", "--accepted", "2026-10-09T16:00", "--track", "3", "--config", str(config_dir)],
    )
    assert result.exit_code == 0, result.output
    assert "第1个工作日：2026-10-09（周五）" in result.stdout
    assert "初步回复时限：2026-10-12（周一） 24:00 前" in result.stdout
    assert "已核实" in result.stdout


def test_cli_bad_time_is_a_one_line_error(config_dir: Path) -> None:
    result = CliRunner().invoke(
        _app(), ["deadline", "--accepted", "yesterday", "--config", str(config_dir)]
    )
    assert isinstance(result.exception, XinxiangError)
    assert "--accepted" in str(result.exception)
    assert "\n" not in str(result.exception)


def test_cli_through_the_real_entry_point(
    config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = pytest.importorskip("xinxiang.cli")
    code = cli.main(
        [
            "deadline",
            "--accepted",
            "2026-09-30T22:15+08:00",
            "--track",
            "1",
            "--config",
            str(config_dir),
            "--json",
        ]
    )
    assert code == 0
    obj = json.loads(capsys.readouterr().out)
    assert obj["formal_due"] == "2026-10-08T10:00+08:00"
    code = cli.main(["deadline", "--accepted", "not-a-time", "--config", str(config_dir)])
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith("xinxiang: error: --accepted") and err.count("\n") == 1
