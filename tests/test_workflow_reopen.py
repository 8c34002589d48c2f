"""重新打开 (reopen) as a workflow action: an answered or closed ticket back to the office.

Seed 002 第十条 (回访: a petitioner not satisfied is not 销账) and 004 第六条 (the office
dispatches within one natural day): the reopened ticket waits in triage with a fresh dispatch
deadline, and the office routes it again (转办 restarts the clock). Times are school-local.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from workflow_helpers import NOW, OFFICE, ZWC, S, change, event_kinds, refusal, ticket
from xinxiang.domain.states import can_transition
from xinxiang.domain.workflow import Reopen, Route

REASON = "回访时来信人表示问题未解决"

# (case, status before)
REOPENS = [
    ("an answered ticket whose petitioner is not satisfied", S.ANSWERED),
    ("a ticket closed too early", S.CLOSED),
]


@pytest.mark.parametrize(("case", "status"), REOPENS, ids=[r[0] for r in REOPENS])
def test_reopen_sends_the_ticket_back_to_triage(case: str, status: S) -> None:
    c = change(ticket(status), Reopen(OFFICE, REASON))
    assert c.after.status is S.TRIAGE and can_transition(status, S.TRIAGE)
    assert c.after.closed_at is None and c.after.revisit_due is None
    assert c.after.dispatch_due == NOW + timedelta(days=1)  # 1个自然日内转办, from now
    assert event_kinds(c) == ["reopened"]
    assert dict(c.events[0].fields) == {"reason": REASON, "previous_status": status.value}
    assert c.events[0].actor == OFFICE
    assert c.notices == ()
    assert c.summary == "工单 2026-000123 已重新打开，转入待分办，请重新转办。"


# (case, status, reason, code, wording)
REFUSALS = [
    *[
        (f"{s.value}: still open", s, REASON, "status", f"当前状态为“{ticket(s).status_label}”")
        for s in (S.RECEIVED, S.TRIAGE, S.DISPATCHED, S.ACCEPTED, S.PRELIMINARY)
    ],
    ("pending approval: still open", S.PENDING_APPROVAL, REASON, "status", "不能重新打开"),
    ("no reason", S.CLOSED, "  ", "reason_required", "重新打开须写明原因"),
]


@pytest.mark.parametrize(
    ("case", "status", "reason", "code", "wording"), REFUSALS, ids=[r[0] for r in REFUSALS]
)
def test_reopen_refusals(case: str, status: S, reason: str, code: str, wording: str) -> None:
    r = refusal(ticket(status), Reopen(OFFICE, reason))
    assert (r.action, r.code) == ("reopen", code)
    assert wording in r.reason


def test_a_reopened_ticket_is_routed_again_and_the_clock_restarts() -> None:
    reopened = change(ticket(S.ANSWERED), Reopen(OFFICE, REASON)).after
    later = NOW + timedelta(hours=2)
    c = change(reopened, Route(OFFICE, ZWC), later)
    assert c.after.status is S.DISPATCHED and c.after.department == "zwc"
    assert c.after.dispatched_at == later and c.after.accepted_at == later
    assert event_kinds(c) == ["transferred"]  # names the department that had it before
    assert c.events[0].fields["previous"] == "jwc"
