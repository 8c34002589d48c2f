"""Specification of the monthly assessment (月度考评, seed 001 五4–5), on hand-computed months.

响应率: the first action (受理 or an answer) before the response deadline; 办结率: the formal
answer within its deadline (an approved extension moves it); 满意率: 5/4 → 100, 3 → 80, 2/1 → 0,
未评价 left out; score = 10 % + 50 % + 40 %. Each deadline counts for the department that held
the ticket when it fell due; returning inside the window counts for nobody; excluded tickets
(表扬, 涉法涉诉, no contact, office) count for nobody; a department with nothing counted has no
score and no rank; 约谈 after three frozen months in the last place.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinxiang.domain.assessment import (
    AssessmentPolicy,
    DepartmentResult,
    Stint,
    Tally,
    TicketFacts,
    is_frozen,
    parse_month,
    rank_month,
    rates,
    score,
    shift_month,
    tally_month,
    tally_ticket,
    with_interview_flags,
)

D0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
NOW = datetime(2026, 12, 20, tzinfo=UTC)
POLICY = AssessmentPolicy()
DEPTS = [("hqc", "后勤处"), ("tsg", "图书馆"), ("jwc", "教务处"), ("xsc", "学生处")]


def h(hours: float) -> datetime:
    """`hours` after the first dispatch of the month's tickets."""
    return D0 + timedelta(hours=hours)


def stint(dept: str, **kw: object) -> Stint:
    values: dict[str, object] = {"start": D0, "response_due": h(24), "formal_due": h(120)}
    values.update(kw)
    return Stint(dept, **values)  # type: ignore[arg-type]


# The month of the module docstring, ticket by ticket (hours after dispatch).
MONTH = [
    # 后勤处: on time everywhere, 非常满意.
    TicketFacts(1, (stint("hqc", first_action=h(2), formal_answer=h(100)),), rating=5),
    # 后勤处: responded late; answered inside an extension to 240 h; 基本满意.
    TicketFacts(
        2,
        (stint("hqc", first_action=h(30), formal_answer=h(200), formal_due=h(240)),),
        rating=3,
    ),
    # 后勤处: 表扬 — left out (counts as excluded).
    TicketFacts(3, (stint("hqc"),), excluded="praise", rating=5),
    # 后勤处: responded, never answered formally (deadline passed), 未评价.
    TicketFacts(4, (stint("hqc", first_action=h(1)),), rating=None),
    # 图书馆 returned it inside the window; 教务处 did everything on time; 不满意.
    TicketFacts(
        5,
        (
            stint("tsg", end=h(0.5), returned_in_window=True),
            stint("jwc", start=h(3), first_action=h(4), formal_answer=h(50)),
        ),
        rating=2,
    ),
    # 学生处 let the response deadline pass, then the office transferred it to 教务处, which
    # responded; its formal deadline is still ahead (not counted yet).
    TicketFacts(
        6,
        (
            stint("xsc", end=h(30)),
            stint(
                "jwc",
                start=h(30),
                response_due=h(50),
                formal_due=NOW + timedelta(days=3),
                first_action=h(31),
            ),
        ),
    ),
]


def test_each_ticket_counts_for_the_department_holding_it_at_each_deadline() -> None:
    t = tally_month(MONTH, NOW)
    assert t["hqc"] == Tally(
        counted=3,
        excluded=1,
        response_total=3,
        response_ok=2,
        completion_total=3,
        completion_ok=2,
        ratings=(1, 0, 1, 0, 0),
    )
    assert "tsg" not in t  # returned inside the window: nothing against it
    assert t["jwc"] == Tally(
        counted=2,
        response_total=2,
        response_ok=2,
        completion_total=1,
        completion_ok=1,
        ratings=(0, 0, 0, 1, 0),
    )
    assert t["xsc"] == Tally(counted=1, response_total=1, response_ok=0)


@pytest.mark.parametrize(
    ("code", "response", "completion", "satisfaction", "expected_score", "rank"),
    [
        # 0.1·66.67 + 0.5·66.67 + 0.4·90 = 76.00
        ("hqc", 66.67, 66.67, 90.0, 76.0, 1),
        # 0.1·100 + 0.5·100 + 0.4·0 = 60
        ("jwc", 100.0, 100.0, 0.0, 60.0, 2),
        # only a response counted: the score is the response rate
        ("xsc", 0.0, None, None, 0.0, 3),
        # nothing counted: listed, no score, no rank
        ("tsg", None, None, None, None, None),
    ],
)
def test_the_hand_computed_month(
    code: str,
    response: float | None,
    completion: float | None,
    satisfaction: float | None,
    expected_score: float | None,
    rank: int | None,
) -> None:
    lines = {
        x.department: x
        for x in rank_month(tally_month(MONTH, NOW), DEPTS, POLICY, provisional=False)
    }
    x = lines[code]
    assert (x.response_rate, x.completion_rate, x.satisfaction_rate) == (
        response,
        completion,
        satisfaction,
    )
    assert x.score == expected_score
    assert x.rank == rank
    assert x.last_place == (code == "xsc")


def test_a_deadline_not_yet_due_counts_only_once_met() -> None:
    ahead = stint("hqc", response_due=NOW + timedelta(hours=1), formal_due=NOW + timedelta(days=2))
    assert tally_ticket(TicketFacts(1, (ahead,)), NOW)["hqc"] == Tally(counted=1)
    early = stint(
        "hqc",
        response_due=NOW + timedelta(hours=1),
        first_action=NOW,
        formal_due=NOW + timedelta(days=2),
    )
    assert tally_ticket(TicketFacts(1, (early,)), NOW)["hqc"].response_ok == 1


@pytest.mark.parametrize(
    ("reason",), [("praise",), ("legal_channel",), ("no_contact",), ("office",)]
)
def test_excluded_tickets_count_for_nobody(reason: str) -> None:
    late = stint("hqc", first_action=h(100))
    assert tally_ticket(TicketFacts(1, (late,), excluded=reason, rating=1), NOW) == {
        "hqc": Tally(excluded=1)
    }


def test_tiers_and_weights_are_settings() -> None:
    t = Tally(
        counted=2,
        response_total=1,
        response_ok=1,
        completion_total=1,
        completion_ok=0,
        ratings=(0, 0, 2, 0, 0),
    )
    strict = AssessmentPolicy(
        tiers={5: 100, 4: 90, 3: 60, 2: 0, 1: 0},
        response_weight=0.2,
        completion_weight=0.4,
        satisfaction_weight=0.4,
    )
    assert rates(t, strict) == (100.0, 0.0, 60.0)
    assert score(*rates(t, strict), strict) == 44.0  # 20 + 0 + 24


def _month(last: str | None, *, provisional: bool = False) -> list[DepartmentResult]:
    scores = {"hqc": 90.0, "tsg": 80.0, "jwc": 70.0}
    if last:
        scores[last] = 10.0
    tallies = {
        c: Tally(counted=1, response_total=10, response_ok=int(s / 10)) for c, s in scores.items()
    }
    return rank_month(tallies, DEPTS[:3], POLICY, provisional=provisional)


@pytest.mark.parametrize(
    ("history", "flagged"),
    [
        # newest first: this month, then the two frozen months before it
        (["jwc", "jwc", "jwc"], {"jwc"}),
        (["jwc", "jwc", "tsg"], set()),
        (["jwc", "hqc", "jwc"], set()),
        (["tsg", "tsg", "tsg"], {"tsg"}),
    ],
)
def test_interview_after_three_frozen_months_in_the_last_place(
    history: list[str], flagged: set[str]
) -> None:
    months = [_month(d) for d in history]
    lines = with_interview_flags(months[0], months[1:])
    assert {x.department for x in lines if x.flag_interview} == flagged


def test_a_provisional_month_flags_nobody() -> None:
    lines = with_interview_flags(_month("jwc", provisional=True), [_month("jwc"), _month("jwc")])
    assert not any(x.flag_interview for x in lines)


def test_months_freeze_seven_days_after_they_end_in_the_school_zone() -> None:
    sh = ZoneInfo("Asia/Shanghai")
    nov = parse_month("2026-11")
    assert shift_month(nov, 2) == date(2027, 1, 1) and shift_month(nov, -11) == date(2025, 12, 1)
    assert not is_frozen(nov, datetime(2026, 12, 7, 15, 59, tzinfo=UTC), sh, POLICY)
    assert is_frozen(nov, datetime(2026, 12, 7, 16, 0, tzinfo=UTC), sh, POLICY)
    with pytest.raises(ValueError):
        parse_month("2026/11")


tallies = st.builds(
    lambda c, e, rt, ro, ct, co, rs: Tally(
        c,
        e,
        rt,
        min(ro, rt),
        ct,
        min(co, ct),
        tuple(rs),  # type: ignore[arg-type]
    ),
    st.integers(0, 50),
    st.integers(0, 5),
    st.integers(0, 50),
    st.integers(0, 50),
    st.integers(0, 50),
    st.integers(0, 50),
    st.lists(st.integers(0, 9), min_size=5, max_size=5),
)


@given(st.dictionaries(st.sampled_from([c for c, _ in DEPTS] + ["extra"]), tallies))
def test_rates_stay_within_0_and_100_and_the_ranking_follows_the_scores(
    month: dict[str, Tally],
) -> None:
    lines = rank_month(month, DEPTS, POLICY, provisional=False)
    assert {x.department for x in lines} >= {c for c, _ in DEPTS}
    for x in lines:
        for v in (x.response_rate, x.completion_rate, x.satisfaction_rate, x.score):
            assert v is None or 0.0 <= v <= 100.0
        assert (x.rank is None) == (x.score is None)
    ranked = [x for x in lines if x.rank is not None]
    assert [x.rank for x in ranked] == sorted(x.rank for x in ranked)
    if ranked:
        assert ranked[0].rank == 1
    for a in ranked:
        for b in ranked:
            if (a.score or 0) > (b.score or 0):
                assert (a.rank or 0) < (b.rank or 0)
            if a.score == b.score:
                assert a.rank == b.rank
