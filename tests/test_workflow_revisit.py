"""The revisit loop's rules (回访 → 评价 → 销账 / 发回重办 → 督办 → 批示 → 销账), table-driven.

The reference ticket was answered on Tuesday 2026-03-10 09:00 (`workflow_helpers`); its round
is sent at 10:00 and is due seven days later. Each row: a ticket state, a command, when, and
what follows — the status (or `!code` of the refusal), the round's state, 销账's reason,
the rework count and the notices. Seeds: 001 第四条5/五4, 002 第十条, 000 三(一)5, 004 第十条.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow_helpers import JWC, OFFICE, STATES, S, at, run
from xinxiang.domain.workflow import (
    Change,
    Command,
    ExpireRevisit,
    RateRevisit,
    RecordInstruction,
    RemindRevisit,
    RevisitRound,
    Route,
    SendRevisit,
    Settle,
    SkipRevisit,
    TicketSnapshot,
)

SENT_AT = at("2026-03-10T10:00")
DUE = SENT_AT + timedelta(days=7)
ANSWERED = STATES[S.ANSWERED]
ROUND1 = RevisitRound(1, "sent", "n1", SENT_AT, "jwc", 41, SENT_AT, DUE)


def waiting(
    state: str = "sent", number: int = 1, rework: int | None = None, **kw: Any
) -> TicketSnapshot:
    """The answered ticket with round `number` waiting (`rework` defaults to number - 1)."""
    rnd = replace(ROUND1, round=number, state=state, **kw)
    return replace(
        ANSWERED,
        revisit=rnd,
        rounds=number,
        rework_count=number - 1 if rework is None else rework,
        revisit_state=state,
    )


REMINDED = waiting("reminded", reminded_at=DUE, due_at=DUE + timedelta(days=3))
AFTER_REWORK = replace(  # round 1 was 不满意; the rework was answered again
    ANSWERED,
    revisit=replace(ROUND1, state="rated", rating=2),
    rounds=1,
    rework_count=1,
    revisit_state="rated",
    rating=2,
)
AFTER_SUPERVISION = replace(
    AFTER_REWORK, revisit=replace(ROUND1, round=2, state="rated", rating=1), rounds=2
)
SETTLED = replace(STATES[S.CLOSED], settled_at=SENT_AT, settled_reason="satisfied")
LATER = SENT_AT + timedelta(hours=1)

# (case, ticket, command, now, status or !refusal, round state, settled reason, rework, notices)
ROWS: list[
    tuple[str, TicketSnapshot, Command, datetime, str, str | None, str | None, int, list[str]]
] = [
    (
        "send: first round",
        ANSWERED,
        SendRevisit("system", "n1"),
        SENT_AT,
        "answered",
        "sent",
        None,
        0,
        ["revisit"],
    ),
    (
        "send: a round already waits",
        waiting(),
        SendRevisit("system", "n2"),
        LATER,
        "!already_sent",
        None,
        None,
        0,
        [],
    ),
    ("send: settled", SETTLED, SendRevisit("system", "n1"), LATER, "!settled", None, None, 0, []),
    (
        "send: second round after the rework's answer",
        AFTER_REWORK,
        SendRevisit("system", "n2"),
        LATER,
        "answered",
        "sent",
        None,
        1,
        ["revisit"],
    ),
    (
        "send: no third round after 督办",
        AFTER_SUPERVISION,
        SendRevisit("system", "n3"),
        LATER,
        "!no_more_rounds",
        None,
        None,
        1,
        [],
    ),
    (
        "send: not answered yet",
        STATES[S.DISPATCHED],
        SendRevisit("system", "n1"),
        LATER,
        "!status",
        None,
        None,
        0,
        [],
    ),
    (
        "skip: no usable contact",
        ANSWERED,
        SkipRevisit("system", "no_contact", "n1"),
        SENT_AT,
        "closed",
        "skipped",
        "skipped",
        0,
        [],
    ),
    (
        "skip: 不需要回访 ends the waiting round",
        waiting(),
        SkipRevisit("x@y.cn", "refused", "n9"),
        LATER,
        "closed",
        "skipped",
        "skipped",
        0,
        [],
    ),
    (
        "skip: other reasons only before a round",
        waiting(),
        SkipRevisit("system", "illegal", "n9"),
        LATER,
        "!already_sent",
        None,
        None,
        0,
        [],
    ),
    (
        "remind: before the window ends",
        waiting(),
        RemindRevisit("system"),
        LATER,
        "!not_due",
        None,
        None,
        0,
        [],
    ),
    (
        "remind: once the window ended",
        waiting(),
        RemindRevisit("system"),
        DUE,
        "answered",
        "reminded",
        None,
        0,
        ["revisit"],
    ),
    (
        "remind: only once",
        REMINDED,
        RemindRevisit("system"),
        DUE + timedelta(days=4),
        "!already_reminded",
        None,
        None,
        0,
        [],
    ),
    ("remind: no round", ANSWERED, RemindRevisit("system"), DUE, "!no_round", None, None, 0, []),
    (
        "unrated: not before the reminder",
        waiting(),
        ExpireRevisit("system"),
        DUE,
        "!not_due",
        None,
        None,
        0,
        [],
    ),
    (
        "unrated: not before the grace ends",
        REMINDED,
        ExpireRevisit("system"),
        DUE,
        "!not_due",
        None,
        None,
        0,
        [],
    ),
    (
        "unrated: 未评价 → 销账",
        REMINDED,
        ExpireRevisit("system"),
        DUE + timedelta(days=3),
        "closed",
        "unrated",
        "unrated",
        0,
        [],
    ),
    (
        "rate 5 非常满意 → 销账",
        waiting(),
        RateRevisit("p@x.cn", 5, "link", None, "n1"),
        LATER,
        "closed",
        "rated",
        "satisfied",
        0,
        [],
    ),
    (
        "rate 4 满意 by mail",
        waiting(),
        RateRevisit("p@x.cn", 4, "mail", "谢谢", "n1"),
        LATER,
        "closed",
        "rated",
        "satisfied",
        0,
        [],
    ),
    (
        "rate 3 基本满意 by phone, after the reminder",
        REMINDED,
        RateRevisit(OFFICE, 3, "phone"),
        DUE + timedelta(days=1),
        "closed",
        "rated",
        "satisfied",
        0,
        [],
    ),
    (
        "rate 2 不满意 → 发回重办",
        waiting(),
        RateRevisit("p@x.cn", 2, "link", "没解决", "n1"),
        LATER,
        "rework",
        "rated",
        None,
        1,
        ["rework"],
    ),
    (
        "rate 1 again in round 2 → 督办",
        waiting(number=2),
        RateRevisit("p@x.cn", 1, "mail", None, "n1"),
        LATER,
        "supervised",
        "rated",
        None,
        1,
        ["supervision", "rework"],
    ),
    (
        "rate: a used or replaced link",
        waiting(),
        RateRevisit("p@x.cn", 5, "link", None, "old"),
        LATER,
        "!nonce",
        None,
        None,
        0,
        [],
    ),
    (
        "rate: an expired link",
        waiting(),
        RateRevisit("p@x.cn", 5, "link", None, "n1"),
        DUE + timedelta(minutes=1),
        "!expired",
        None,
        None,
        0,
        [],
    ),
    (
        "rate: no such level",
        waiting(),
        RateRevisit(OFFICE, 6, "phone"),
        LATER,
        "!level",
        None,
        None,
        0,
        [],
    ),
    (
        "rate: nothing to rate",
        ANSWERED,
        RateRevisit(OFFICE, 4, "phone"),
        LATER,
        "!no_round",
        None,
        None,
        0,
        [],
    ),
    (
        "rate: after 销账",
        SETTLED,
        RateRevisit(OFFICE, 4, "phone"),
        LATER,
        "!no_round",
        None,
        None,
        0,
        [],
    ),
    (
        "settle: the office's reason is required",
        STATES[S.SUPERVISED],
        Settle(OFFICE, " "),
        LATER,
        "!reason_required",
        None,
        None,
        1,
        [],
    ),
    (
        "settle: after 督办",
        STATES[S.SUPERVISED],
        Settle(OFFICE, "已按批示办理"),
        LATER,
        "closed",
        None,
        "office",
        1,
        [],
    ),
    (
        "settle: a waiting round is skipped",
        waiting(),
        Settle(OFFICE, "来信人电话表示已解决"),
        LATER,
        "closed",
        "skipped",
        "office",
        0,
        [],
    ),
    ("settle: twice", SETTLED, Settle(OFFICE, "重复"), LATER, "!settled", None, None, 0, []),
]


@pytest.mark.parametrize(
    ("case", "s", "command", "now", "expected", "round_state", "settled", "rework", "notices"),
    ROWS,
    ids=[r[0] for r in ROWS],
)
def test_revisit_rules(
    case: str,
    s: TicketSnapshot,
    command: Command,
    now: datetime,
    expected: str,
    round_state: str | None,
    settled: str | None,
    rework: int,
    notices: list[str],
) -> None:
    outcome = run(s, command, now)
    if expected.startswith("!"):
        assert not isinstance(outcome, Change), outcome
        assert outcome.code == expected[1:] and outcome.reason
        return
    assert isinstance(outcome, Change), outcome
    after = outcome.after
    assert after.status.value == expected
    if round_state is not None:
        assert after.revisit is not None and after.revisit.state == round_state
        assert after.revisit_state == round_state
    assert after.settled_reason == settled
    assert (after.settled_at is not None) == (settled is not None)
    assert after.rework_count == rework
    assert [n.kind for n in outcome.notices] == notices
    assert outcome.summary


def test_a_rating_is_the_latest_rounds_and_keeps_its_channel_comment_and_who() -> None:
    c = run(waiting(), RateRevisit("王老师", 2, "phone", " 热水仍不稳定 "), LATER)
    assert isinstance(c, Change)
    r = c.after.revisit
    assert r is not None and (r.rating, r.channel, r.comment, r.rated_by) == (
        2,
        "phone",
        "热水仍不稳定",
        "王老师",
    )
    assert (c.after.rating, c.after.rated_at) == (2, LATER)
    # 发回重办: the office's queue (the dispatch clock runs), the rating and comment go with it.
    assert c.after.dispatch_due == LATER + timedelta(days=1)
    assert dict(c.notices[0].data)["comment"] == "热水仍不稳定"


def test_督办_goes_to_the_leader_of_the_rated_department_as_an_escalation() -> None:
    c = run(waiting(number=2), RateRevisit("p@x.cn", 1, "mail", "还是没人管", "n1"), LATER)
    assert isinstance(c, Change)
    leader = c.notices[0].to[0]
    assert (leader.role.value, leader.ref) == ("leader", "jwc")
    escalation = next(e for e in c.events if e.kind == "notice_escalation")
    assert escalation.fields["reason"] == "dissatisfied_again"


def test_the_rework_is_re_dispatched_with_the_same_tracks_deadlines_counted_anew() -> None:
    rework = STATES[S.REWORK]
    now = at("2026-03-16T09:00")  # Monday
    c = run(rework, Route(OFFICE, JWC), now)  # the same department, no reason needed
    assert isinstance(c, Change)
    assert c.after.status is S.DISPATCHED and c.after.track == rework.track
    assert c.after.dispatched_at == now and c.after.formal_due == at("2026-03-17T00:00")
    assert [e.kind for e in c.events] == ["rework_dispatched"]
    assert "发回重办" in c.summary


def test_批示_re_dispatches_to_the_department_with_deadlines_from_now() -> None:
    now = at("2026-03-16T09:00")
    c = run(STATES[S.SUPERVISED], RecordInstruction(OFFICE, "请三日内解决并回复"), now)
    assert isinstance(c, Change)
    assert c.after.status is S.DISPATCHED and c.after.formal_due == at("2026-03-17T00:00")
    assert [n.kind for n in c.notices] == ["instruction"]
    assert c.notices[0].to[0].ref == "jwc"
    assert [e.kind for e in c.events] == ["instruction_recorded", "dispatched"]
    empty = run(STATES[S.SUPERVISED], RecordInstruction(OFFICE, "  "), now)
    assert not isinstance(empty, Change) and empty.code == "empty"


@pytest.mark.parametrize("status", [S.DISPATCHED, S.ACCEPTED, S.PRELIMINARY, S.PENDING_APPROVAL])
def test_批示_on_a_ticket_in_the_departments_hands_keeps_its_deadlines(status: S) -> None:
    """The sweep's 督办 of an overdue ticket reaches the same leader: a 批示 then goes to the
    department as it is, nothing re-dispatched."""
    s = STATES[status]
    c = run(s, RecordInstruction("leader-hqc", "请本周内办结"), at("2026-03-16T09:00"))
    assert isinstance(c, Change)
    assert c.after == s  # status, department and every deadline as they were
    assert [e.kind for e in c.events] == ["instruction_recorded"]
    assert c.events[0].actor == "leader-hqc"
    [notice] = c.notices
    assert (notice.kind, notice.to[0].ref) == ("instruction", s.department)
    assert notice.data["supervised"] is False and notice.data["text"] == "请本周内办结"
    assert "时限不变" in c.summary


@given(level=st.integers(1, 5), number=st.integers(1, 2), reminded=st.booleans())
def test_every_rating_ends_the_round_in_exactly_one_way(
    level: int, number: int, reminded: bool
) -> None:
    s = waiting("reminded" if reminded else "sent", number=number)
    c = run(s, RateRevisit(OFFICE, level, "phone"), LATER)
    assert isinstance(c, Change)
    expected = S.CLOSED if level >= 3 else (S.REWORK if number == 1 else S.SUPERVISED)
    assert c.after.status is expected
    assert (c.after.settled_reason == "satisfied") == (level >= 3)
    assert c.after.revisit is not None and c.after.revisit.state == "rated"
    assert c.after.rounds == number
