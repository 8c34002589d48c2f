"""Specification of the sweep's decisions: reminders, overdue warnings, escalation (督办)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinxiang.dispatch.calendar import ChineseWorkingCalendar
from xinxiang.dispatch.reminders import (
    Level,
    Notice,
    OpenDeadline,
    ProgressPlan,
    Recipient,
    notices_due,
)
from xinxiang.domain.deadlines import DeadlinePolicy

TZ = ZoneInfo("Asia/Shanghai")
CAL = ChineseWorkingCalendar()
DEPT, OFFICE, LEADER = Recipient.DEPARTMENT, Recipient.OFFICE, Recipient.LEADER


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


# Track 1 accepted Tuesday 2026-03-10 09:00: formal reply due at the end of the day.
FORMAL = OpenDeadline("formal", at("2026-03-11T00:00"), at("2026-03-10T09:00"))
# Due at the end of Friday 2026-03-13: the weekend does not count towards escalation.
FRIDAY = OpenDeadline("preliminary", at("2026-03-14T00:00"), at("2026-03-12T09:00"))


def due(now: str, *deadlines: OpenDeadline, sent: frozenset[str] = frozenset()) -> list[Notice]:
    return notices_due("T-1", deadlines or (FORMAL,), sent, at(now), CAL, TZ)


def summary(notices: list[Notice]) -> list[tuple[str, str, str, tuple[Recipient, ...]]]:
    return [(n.kind, n.level.value, n.step, n.recipients) for n in notices]


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2026-03-10T09:30", []),
        ("2026-03-10T16:29", []),
        ("2026-03-10T16:30", [("formal", "reminder", "halfway", (DEPT,))]),
        ("2026-03-10T21:59", [("formal", "reminder", "halfway", (DEPT,))]),
        # Half-way was missed: only the latest reminder goes out.
        ("2026-03-10T22:00", [("formal", "reminder", "120min", (DEPT,))]),
        ("2026-03-10T23:59", [("formal", "reminder", "120min", (DEPT,))]),
        ("2026-03-11T00:00", [("formal", "overdue", "", (DEPT, OFFICE))]),
        ("2026-03-11T23:59", [("formal", "overdue", "", (DEPT, OFFICE))]),
        # Overdue by exactly one working day is not yet *more than* one.
        ("2026-03-12T00:00", [("formal", "overdue", "", (DEPT, OFFICE))]),
        (
            "2026-03-12T00:01",
            [("formal", "overdue", "", (DEPT, OFFICE)), ("formal", "escalation", "", (LEADER,))],
        ),
    ],
)
def test_notices_due_at_a_chosen_now(now: str, expected: list[tuple[object, ...]]) -> None:
    assert summary(due(now)) == expected


@pytest.mark.parametrize(
    ("now", "escalated"),
    [
        ("2026-03-14T12:00", False),  # Saturday
        ("2026-03-15T23:00", False),  # Sunday: still no working day overdue
        ("2026-03-16T23:59", False),  # Monday: less than one working day
        ("2026-03-17T00:00", False),  # exactly one working day
        ("2026-03-17T00:01", True),
    ],
)
def test_escalation_only_after_more_than_one_working_day(now: str, escalated: bool) -> None:
    levels = [n.level for n in due(now, FRIDAY)]
    assert Level.OVERDUE in levels
    assert (Level.ESCALATION in levels) is escalated


def test_escalation_skips_national_day() -> None:
    # Due at the end of 2026-09-30; 10-01..07 are holidays, 10-08 is the first working day.
    dl = OpenDeadline("formal", at("2026-10-01T00:00"), at("2026-09-30T09:00"))
    assert Level.ESCALATION not in [n.level for n in due("2026-10-08T23:00", dl)]
    assert Level.ESCALATION in [n.level for n in due("2026-10-09T00:01", dl)]


def test_recorded_notices_are_never_due_again() -> None:
    first = due("2026-03-12T00:01")
    assert len(first) == 2
    sent = frozenset(n.key for n in first)
    assert due("2026-03-12T00:01", sent=sent) == []
    assert due("2026-03-20T00:00", sent=sent) == []


def test_a_sweep_every_ten_minutes_sends_each_notice_once() -> None:
    sent: set[str] = set()
    log: list[tuple[str, str]] = []
    now = at("2026-03-10T09:00")
    while now < at("2026-03-13T00:00"):
        for n in notices_due("T-1", [FORMAL], sent, now, CAL, TZ):
            assert n.key not in sent
            sent.add(n.key)
            log.append((n.level.value, n.step))
        now += timedelta(minutes=10)
    assert log == [
        ("reminder", "halfway"),
        ("reminder", "120min"),
        ("overdue", ""),
        ("escalation", ""),
    ]


def test_keys_are_stable_across_offsets_and_name_ticket_kind_due_level() -> None:
    in_utc = OpenDeadline("formal", FORMAL.due.astimezone(UTC), FORMAL.started_at)
    [a] = due("2026-03-11T01:00", FORMAL)
    [b] = due("2026-03-11T01:00", in_utc)
    assert a.key == b.key == "T-1/formal/2026-03-10T16:00:00Z/overdue"
    [r] = due("2026-03-10T16:30")
    assert r.key == "T-1/formal/2026-03-10T16:00:00Z/reminder/halfway"


def test_an_extension_gives_the_new_deadline_its_own_notices() -> None:
    sent = frozenset(n.key for n in due("2026-03-11T00:30"))
    extended = OpenDeadline("formal", at("2026-03-14T00:00"), FORMAL.started_at)
    assert summary(due("2026-03-13T23:00", extended, sent=sent)) == [
        ("formal", "reminder", "120min", (DEPT,))
    ]


def test_dispatch_deadline_belongs_to_the_office() -> None:
    dispatch = OpenDeadline(
        "dispatch", at("2026-03-11T09:00"), at("2026-03-10T09:00"), owner=Recipient.OFFICE
    )
    assert summary(due("2026-03-10T21:00", dispatch)) == [
        ("dispatch", "reminder", "halfway", (OFFICE,))
    ]
    assert summary(due("2026-03-12T10:00", dispatch)) == [
        ("dispatch", "overdue", "", (OFFICE,)),
        ("dispatch", "escalation", "", (LEADER,)),
    ]


def test_short_emergency_window_gets_only_the_halfway_reminder() -> None:
    emergency = OpenDeadline("response", at("2026-10-03T04:00"), at("2026-10-03T03:00"))
    assert summary(due("2026-10-03T03:45", emergency)) == [
        ("response", "reminder", "halfway", (DEPT,))
    ]


def test_lead_times_come_from_the_policy() -> None:
    policy = DeadlinePolicy(reminder_halfway=False, reminder_leads=(timedelta(hours=4),))
    got = notices_due("T-1", [FORMAL], (), at("2026-03-10T16:30"), CAL, TZ, policy)
    assert got == []
    got = notices_due("T-1", [FORMAL], (), at("2026-03-10T20:00"), CAL, TZ, policy)
    assert summary(got) == [("formal", "reminder", "240min", (DEPT,))]


def test_several_deadlines_are_ordered_by_firing_time() -> None:
    got = due("2026-03-13T23:00", FORMAL, FRIDAY)
    assert [(n.kind, n.level.value) for n in got] == [
        ("formal", "overdue"),
        ("formal", "escalation"),
        ("preliminary", "reminder"),
    ]


# --- staged progress reminders (阶段性反馈), tracks 2/3 -----------------------------------------

PLAN = ProgressPlan(since=at("2026-03-10T09:00"))


@pytest.mark.parametrize(
    ("now", "until", "steps"),
    [
        ("2026-03-17T08:59", None, []),
        ("2026-03-17T09:00", None, ["1"]),
        ("2026-03-23T09:00", None, ["1"]),
        ("2026-03-24T09:00", None, ["2"]),
        ("2026-04-10T09:00", None, ["4"]),  # missed stages are not sent late
        ("2026-03-24T09:00", "2026-03-24T09:00", []),  # not on or after the formal date
        ("2026-03-24T09:00", "2026-03-30T00:00", ["2"]),
    ],
)
def test_staged_progress_every_seven_days(now: str, until: str | None, steps: list[str]) -> None:
    plan = ProgressPlan(PLAN.since, at(until) if until else None)
    got = notices_due("T-2", [], (), at(now), CAL, TZ, progress=plan)
    assert [n.step for n in got] == steps
    assert all(n.level is Level.PROGRESS and n.recipients == (DEPT,) for n in got)


def test_a_stage_is_sent_once() -> None:
    [stage] = notices_due("T-2", [], (), at("2026-03-17T09:00"), CAL, TZ, progress=PLAN)
    again = notices_due("T-2", [], {stage.key}, at("2026-03-20T09:00"), CAL, TZ, progress=PLAN)
    assert again == []


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        notices_due("T-1", [FORMAL], (), datetime(2026, 3, 10, 12, 0), CAL, TZ)


@settings(max_examples=100, deadline=None)
@given(
    offsets=st.lists(st.integers(min_value=0, max_value=20 * 24 * 60), min_size=1, max_size=40),
    start=st.integers(min_value=0, max_value=300 * 24 * 60),
    hours=st.integers(min_value=1, max_value=96),
)
def test_any_sweep_schedule_never_sends_twice_and_never_early(
    offsets: list[int], start: int, hours: int
) -> None:
    started = at("2026-01-01T00:00") + timedelta(minutes=start)
    dl = OpenDeadline("formal", started + timedelta(hours=hours), started)
    plan = ProgressPlan(started)
    sent: set[str] = set()
    for minute in sorted(offsets):
        now = started + timedelta(minutes=minute)
        for n in notices_due("T-9", [dl], sent, now, CAL, TZ, progress=plan):
            assert n.key not in sent
            assert n.fire_at <= now
            sent.add(n.key)
