"""Invariants of the workflow over any ticket, any command, any time (hypothesis).

- A Change's status is the one before or reachable from it by `states.transition()`.
- Nothing but 重新打开 (to triage) moves a closed ticket; an answered one moves only to closed
  (办结, `settled`) or, reopened, to triage.
- A deadline an action sets is never before `now` — except the staged dues a 受理 that
  declares track 2/3 recomputes from the original acceptance (seed 002 第九条: the clock runs
  from 受理, and an overdue preliminary stays overdue).
- The outcome depends on its inputs only, and the snapshot it was given is its `before`.
- A refusal always gives its reason in Chinese; a bound change has no placeholder left.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workflow_helpers import CALENDAR, CWC, DEPT, JWC, OFFICE, POLICY, ZWC, S, at
from xinxiang.domain.states import can_transition
from xinxiang.domain.workflow import (
    THIS_REPLY,
    Accept,
    AddCohandlers,
    Approve,
    Change,
    Close,
    CohandlerState,
    Command,
    DecideExtension,
    DepartmentRef,
    FormalAnswer,
    HoldForTriage,
    PendingReply,
    PreliminaryAnswer,
    RecordCohandlerResult,
    Reject,
    Reopen,
    RequestExtension,
    ReturnToOffice,
    Route,
    TicketSnapshot,
    decide,
)
from xinxiang.domain.workflow.effects import REPLY_KEY

BWC = DepartmentRef("bwc", "保卫处")
START = at("2026-01-05T00:00")
WITH_DEPARTMENT = {
    S.DISPATCHED,
    S.ACCEPTED,
    S.PRELIMINARY,
    S.PENDING_APPROVAL,
    S.ANSWERED,
}


def _span(max_hours: int) -> st.SearchStrategy[timedelta]:
    return st.integers(0, max_hours * 60).map(lambda m: timedelta(minutes=m))


def _maybe_due(base: datetime) -> st.SearchStrategy[datetime | None]:
    return st.none() | _span(24 * 10).map(lambda d: base + d)


@st.composite
def situations(draw: st.DrawFn) -> tuple[TicketSnapshot, Command, datetime]:
    """A plausible ticket, a command about it, and the instant it is given."""
    status = draw(st.sampled_from(list(S)))
    received = START + draw(_span(24 * 320))
    dispatched = None
    if status in WITH_DEPARTMENT or (status in (S.TRIAGE, S.CLOSED) and draw(st.booleans())):
        dispatched = received + draw(_span(48))
    base = dispatched or received
    now = base + draw(_span(24 * 12))
    codes = draw(st.lists(st.sampled_from(["cwc", "bwc"]), unique=True, max_size=2))
    cohandlers = tuple(
        CohandlerState(
            c,
            base,
            base + draw(_span(72)),
            draw(st.none() | st.just(now)),
        )
        for c in codes
    )
    kinds = draw(st.lists(st.sampled_from(["formal", "preliminary", "extension"]), max_size=3))
    pending = tuple(
        PendingReply(
            i + 1,
            k,  # type: ignore[arg-type]
            draw(st.sampled_from(["jwc", None])),
            DEPT,
            "答复",
            extension_until=base + draw(_span(24 * 12)) if k == "extension" else None,
        )
        for i, k in enumerate(kinds)
    )
    snapshot = TicketSnapshot(
        number="2026-000123",
        status=status,
        received_at=received,
        track=draw(st.sampled_from([None, 1, 2, 3])),
        urgency=draw(st.sampled_from(["normal", "priority", "emergency"])),
        public_consent=draw(st.booleans()),
        department="jwc" if dispatched else None,
        dispatched_at=dispatched,
        accepted_at=dispatched,
        response_due=draw(_maybe_due(base)),
        preliminary_due=draw(_maybe_due(base)),
        formal_due=draw(_maybe_due(base)),
        dispatch_due=received + timedelta(days=1),
        cohandlers=cohandlers,
        pending=pending,
        preliminary_given=draw(st.booleans()),
        preliminary_sent=draw(st.booleans()),
    )
    today = now.astimezone(POLICY.tz).date()
    day = st.integers(-3, 12).map(lambda n: today + timedelta(days=n))
    maybe_day: st.SearchStrategy[date | None] = st.none() | day
    text = st.sampled_from(["", " ", "答复内容"])
    reason: st.SearchStrategy[str | None] = st.sampled_from([None, "", "原因"])
    dept = st.sampled_from([JWC, ZWC, CWC, BWC])
    command = draw(
        st.one_of(
            st.builds(Accept, st.just(DEPT), text, st.sampled_from([None, 1, 2, 3])),
            st.builds(PreliminaryAnswer, st.just(DEPT), text, maybe_day),
            st.builds(FormalAnswer, st.just(DEPT), text, maybe_day),
            st.builds(ReturnToOffice, st.just(DEPT), reason),
            st.builds(RequestExtension, st.just(DEPT), maybe_day, reason),
            st.builds(
                RecordCohandlerResult, st.just(DEPT), st.sampled_from(["cwc", "bwc", None]), text
            ),
            st.builds(Route, st.just(OFFICE), dept, reason),
            st.builds(HoldForTriage, st.just("system"), st.just("无把握")),
            st.builds(AddCohandlers, st.just(OFFICE), st.lists(dept, max_size=3).map(tuple)),
            st.builds(DecideExtension, st.just(OFFICE), st.booleans(), st.just("理由"), maybe_day),
            st.builds(Approve, st.just(OFFICE), st.sampled_from([None, "", "修改稿"])),
            st.builds(Reject, st.just(OFFICE), st.sampled_from(["", "理由"])),
            st.builds(Reopen, st.just(OFFICE), st.sampled_from(["", " ", "不满意"])),
            st.builds(
                Close,
                st.just("system"),
                st.sampled_from(["legal_channel", "illegal", "praise", "duplicate", "settled"]),
                st.sampled_from([None, "jwc"]),
                st.sampled_from([None, "2026-000001"]),
            ),
        )
    )
    return snapshot, command, now


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(situations())
def test_workflow_invariants(situation: tuple[TicketSnapshot, Command, datetime]) -> None:
    s, command, now = situation
    outcome = decide(s, command, now, POLICY, CALENDAR)
    assert outcome == decide(s, command, now, POLICY, CALENDAR)
    if not isinstance(outcome, Change):
        assert outcome.reason and _has_cjk(outcome.reason)
        return
    before, after = s.status, outcome.after.status
    assert outcome.before is s
    assert after == before or can_transition(before, after)
    if isinstance(command, Reopen):
        assert (before, after) in ((S.ANSWERED, S.TRIAGE), (S.CLOSED, S.TRIAGE))
        assert outcome.after.closed_at is None and command.reason.strip()
    elif before is S.CLOSED:
        assert after is S.CLOSED
    elif before is S.ANSWERED:
        assert after in (S.ANSWERED, S.CLOSED)
        assert after is S.ANSWERED or (isinstance(command, Close) and command.kind == "settled")
    old, new = s.deadlines(), outcome.after.deadlines()
    restaged = isinstance(command, Accept) and outcome.after.track != s.track
    for kind, due in new.items():
        if due is None or due == old.get(kind):
            continue
        if restaged and kind in ("preliminary", "formal"):
            continue
        assert due >= now, (kind, due, now)
    bound = outcome.bind_reply(99)
    assert not bound.records_reply
    assert all(REPLY_KEY not in n.key for n in bound.notices)
    assert all(v is not THIS_REPLY for e in bound.events for v in e.fields.values())
