"""Every workflow action in every state: the status it leads to, or the refusal it meets.

The reference ticket of `workflow_helpers.STATES` (a fresh triage; a pending formal answer in
`pending_approval`, from a public letter) takes the ordinary command of each action at 09:30,
half an hour after its 转办. A cell is the status after the change, or `!code` for a refusal.
The detailed rules, with their seeds, are in test_workflow_department.py and _office.py.
"""

from __future__ import annotations

import pytest

from workflow_helpers import COMMANDS, STATES, S, run
from xinxiang.domain.states import can_transition
from xinxiang.domain.workflow import Change

_STATES = (
    S.RECEIVED,
    S.TRIAGE,
    S.DISPATCHED,
    S.ACCEPTED,
    S.PRELIMINARY,
    S.PENDING_APPROVAL,
    S.ANSWERED,
    S.CLOSED,
)

# Refusals: closed = 该工单已办结 (seed 004: answered tickets take no more department answers);
# status = 当前状态为“…”，不能…; not_dispatched = not with a department; return_window and
# already_accepted = 退回 only within 1 hour and before 受理 (seed 004 第八条(四)).
# fmt: off
MATRIX: dict[str, tuple[str, ...]] = {
    # action                received           triage             dispatched           accepted             preliminary          pending_approval     answered   closed  # noqa: E501
    "accept":             ("received",        "triage",          "accepted",          "accepted",          "preliminary",       "pending_approval",  "!closed", "!closed"),  # noqa: E501
    "preliminary":        ("!not_dispatched", "!not_dispatched", "preliminary",       "preliminary",       "preliminary",       "pending_approval",      "!closed", "!closed"),  # noqa: E501
    "formal":             ("!not_dispatched", "!not_dispatched", "answered",          "answered",          "answered",          "pending_approval",  "!closed", "!closed"),  # noqa: E501
    "return":             ("!return_window",  "!return_window",  "triage",            "!already_accepted", "!already_accepted", "!already_accepted", "!closed", "!closed"),  # noqa: E501
    "extension":          ("!no_formal_due",  "!no_formal_due",  "dispatched",        "accepted",          "preliminary",       "pending_approval",  "!closed", "!closed"),  # noqa: E501
    "cohandler_result":   ("received",        "triage",          "dispatched",        "accepted",          "preliminary",       "pending_approval",  "!closed", "!closed"),  # noqa: E501
    "route":              ("dispatched",      "dispatched",      "dispatched",        "dispatched",        "dispatched",        "dispatched",        "!status", "!status"),  # noqa: E501
    "triage":             ("triage",          "!status",         "!status",           "!status",           "!status",           "!status",           "!status", "!status"),  # noqa: E501
    "cohandlers":         ("!status",         "!status",         "dispatched",        "accepted",          "preliminary",       "pending_approval",  "!status", "!status"),  # noqa: E501
    "extension_decision": ("!status",         "!status",         "dispatched",        "accepted",          "preliminary",       "pending_approval",  "!status", "!status"),  # noqa: E501
    "approve":            ("!nothing_pending", "!nothing_pending", "!nothing_pending", "!nothing_pending", "!nothing_pending",  "answered",          "!nothing_pending", "!nothing_pending"),  # noqa: E501
    "reject":             ("!nothing_pending", "!nothing_pending", "!nothing_pending", "!nothing_pending", "!nothing_pending",  "accepted",          "!nothing_pending", "!nothing_pending"),  # noqa: E501
    "close":              ("closed",          "closed",          "!status",           "!status",           "!status",           "!status",           "!status", "!status"),  # noqa: E501
    "settle":             ("!status",         "!status",         "!status",           "!status",           "!status",           "!status",           "closed",  "!status"),  # noqa: E501
}
# fmt: on

CELLS = [
    pytest.param(action, status, expected, id=f"{action}@{status.value}")
    for action, row in MATRIX.items()
    for status, expected in zip(_STATES, row, strict=True)
]


def test_the_matrix_covers_every_action_and_state() -> None:
    assert set(MATRIX) == set(COMMANDS)
    assert set(_STATES) == set(STATES) == set(S)


@pytest.mark.parametrize(("action", "status", "expected"), CELLS)
def test_every_action_in_every_state(action: str, status: S, expected: str) -> None:
    outcome = run(STATES[status], COMMANDS[action])
    if expected.startswith("!"):
        assert not isinstance(outcome, Change), outcome
        assert outcome.code == expected[1:], outcome.reason
        assert outcome.reason  # always a sentence for the person
    else:
        assert isinstance(outcome, Change), outcome
        assert outcome.after.status.value == expected
        assert outcome.before == STATES[status]
        after = outcome.after.status
        assert after == status or can_transition(status, after)
