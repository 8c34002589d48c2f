"""Every workflow action in every state: the status it leads to, or the refusal it meets.

The reference ticket of `workflow_helpers.STATES` (a fresh triage; a pending formal answer in
`pending_approval`, from a public letter) takes the ordinary command of each action at 09:30,
half an hour after its 转办. A cell is the status after the change, or `!code` for a refusal.
The detailed rules, with their seeds, are in test_workflow_department.py and _office.py.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from workflow_helpers import CALENDAR, COMMANDS, POLICY, STATES, S, run
from xinxiang.domain.states import can_transition
from xinxiang.domain.workflow import ACTIONS, Change, decide

_STATES = (
    S.RECEIVED,
    S.TRIAGE,
    S.DISPATCHED,
    S.ACCEPTED,
    S.PRELIMINARY,
    S.PENDING_APPROVAL,
    S.ANSWERED,
    S.CLOSED,
    S.REWORK,
    S.SUPERVISED,
)

# rework/supervised (发回重办/督办) wait for the office or the leader: departments are refused
# (not_dispatched) until the re-dispatch. The revisit rows' sub-states (a round sent, reminded,
# rated …) are in test_workflow_revisit.py.
# Refusals: closed = 该工单已办结 (seed 004: answered tickets take no more department answers);
# status = 当前状态为“…”，不能…; not_dispatched = not with a department; return_window and
# already_accepted = 退回 only within 1 hour and before 受理 (seed 004 第八条(四)).
# fmt: off
MATRIX: dict[str, tuple[str, ...]] = {
    # action                received           triage             dispatched           accepted             preliminary          pending_approval     answered   closed     rework     supervised  # noqa: E501
    "accept":             ("received",        "triage",          "accepted",          "accepted",          "preliminary",       "pending_approval",  "!closed", "!closed", "!not_dispatched", "!not_dispatched"),  # noqa: E501
    "preliminary":        ("!not_dispatched", "!not_dispatched", "preliminary",       "preliminary",       "preliminary",       "pending_approval",      "!closed", "!closed", "!not_dispatched", "!not_dispatched"),  # noqa: E501
    "formal":             ("!not_dispatched", "!not_dispatched", "answered",          "answered",          "answered",          "pending_approval",  "!closed", "!closed", "!not_dispatched", "!not_dispatched"),  # noqa: E501
    "return":             ("!return_window",  "!return_window",  "triage",            "!already_accepted", "!already_accepted", "!already_accepted", "!closed", "!closed", "!not_dispatched", "!not_dispatched"),  # noqa: E501
    "extension":          ("!no_formal_due",  "!no_formal_due",  "dispatched",        "accepted",          "preliminary",       "pending_approval",  "!closed", "!closed", "!not_dispatched", "!not_dispatched"),  # noqa: E501
    "cohandler_result":   ("received",        "triage",          "dispatched",        "accepted",          "preliminary",       "pending_approval",  "!closed", "!closed", "!not_dispatched", "!not_dispatched"),  # noqa: E501
    "follow_up":          ("received",        "triage",          "dispatched",        "accepted",          "preliminary",       "pending_approval",  "answered", "closed", "rework", "supervised"),  # noqa: E501
    "route":              ("dispatched",      "dispatched",      "dispatched",        "dispatched",        "dispatched",        "dispatched",        "!status", "!status", "dispatched", "dispatched"),  # noqa: E501
    "triage":             ("triage",          "!status",         "!status",           "!status",           "!status",           "!status",           "!status", "!status", "!status", "!status"),  # noqa: E501
    "cohandlers":         ("!status",         "!status",         "dispatched",        "accepted",          "preliminary",       "pending_approval",  "!status", "!status", "!status", "!status"),  # noqa: E501
    "extension_decision": ("!status",         "!status",         "dispatched",        "accepted",          "preliminary",       "pending_approval",  "!status", "!status", "!status", "!status"),  # noqa: E501
    "approve":            ("!nothing_pending", "!nothing_pending", "!nothing_pending", "!nothing_pending", "!nothing_pending",  "answered",          "!nothing_pending", "!nothing_pending", "!nothing_pending", "!nothing_pending"),  # noqa: E501
    "reject":             ("!nothing_pending", "!nothing_pending", "!nothing_pending", "!nothing_pending", "!nothing_pending",  "accepted",          "!nothing_pending", "!nothing_pending", "!nothing_pending", "!nothing_pending"),  # noqa: E501
    "close":              ("closed",          "closed",          "!status",           "!status",           "!status",           "!status",           "!status", "!status", "!status", "!status"),  # noqa: E501
    "settle":             ("!status",         "!status",         "!status",           "!status",           "!status",           "!status",           "closed",  "!status", "!status", "!status"),  # noqa: E501
    "revisit":            ("!status",         "!status",         "!status",           "!status",           "!status",           "!status",           "answered", "!status", "!status", "!status"),  # noqa: E501
    "revisit_skip":       ("!status",         "!status",         "!status",           "!status",           "!status",           "!status",           "closed",  "!status", "!status", "!status"),  # noqa: E501
    "revisit_remind":     ("!no_round",       "!no_round",       "!no_round",         "!no_round",         "!no_round",         "!no_round",         "!no_round", "!no_round", "!no_round", "!no_round"),  # noqa: E501
    "revisit_expire":     ("!no_round",       "!no_round",       "!no_round",         "!no_round",         "!no_round",         "!no_round",         "!no_round", "!no_round", "!no_round", "!no_round"),  # noqa: E501
    "rate":               ("!no_round",       "!no_round",       "!no_round",         "!no_round",         "!no_round",         "!no_round",         "!no_round", "!no_round", "!no_round", "!no_round"),  # noqa: E501
    "instruction":        ("!status",         "!status",         "dispatched",        "accepted",          "preliminary",       "pending_approval",  "!status", "!status", "!status", "dispatched"),  # noqa: E501
    "office_settle":      ("!status",         "!status",         "!status",           "!status",           "!status",           "!status",           "closed",  "!status", "closed",  "closed"),  # noqa: E501
    "reopen":             ("!status",         "!status",         "!status",           "!status",           "!status",           "!status",           "triage",  "triage", "!status", "!status"),  # noqa: E501
}
# fmt: on

SEEDS = {
    "accept": "002 第八条3: 承办部门应及时联系诉求人 (受理); 第九条 tracks 1-3",
    "preliminary": "002 第九条2/3: 两个/三个工作日内先予以初步回复",
    "formal": "002 第九条1: 正式回复; 第十条: 正式回复后 48 小时内回访",
    "return": "004 第八条(四): 接到派单后一小时内退回党政办公室",
    "extension": "004 第六条(三): 可申请延期办理，一般不超过5个自然日",
    "cohandler_result": "002 第八条4: 协办单位一个工作日内报送首接单位",
    "follow_up": "no seed rule: the petitioner's 补充来信 is forwarded, whatever the state",
    "route": "004 第六条: 1个自然日内予以转办; 001 四.1 登记转办",
    "triage": "002 第八条1: 由党政办公室根据情况派单",
    "cohandlers": "002 第八条4 / 004 第七条: 涉及其他部门的，首接部门牵头，相关部门配合",
    "extension_decision": "004 第六条(三)",
    "approve": "002 第四条2: 书记校长信箱 — 党政办公室督促、把关答复",
    "reject": "002 第四条2",
    "close": "000 二(一)/(二); 004 第八条(一)(二)(五): 分类处理",
    "settle": "002 第十条: 满意后销账",
    "reopen": "002 第十条: 回访不满意的重新办理 (the office routes it again)",
    "revisit": "001 第四条5 / 002 第十条: 正式回复后 48 小时内回访",
    "revisit_skip": "004 第十条: 联系方式不详、拒绝回访等可以不予反馈",
    "revisit_remind": "issue 15: 7 天未评价提醒一次",
    "revisit_expire": "issue 15: 提醒后仍未评价 → 未评价并销账",
    "rate": "001 五4: 非常满意/满意/基本满意/不满意/非常不满意 (rated in test_workflow_revisit)",
    "instruction": "000: 纳入督办事项，由分管校领导批示办理 (also on an overdue ticket escalated to the leader: deadlines unchanged)",  # noqa: E501
    "office_settle": "002 第十条: 销账; 督办答复后由党政办公室说明理由办结",
}
"""The seed rule each row of the matrix follows."""

CELLS = [
    pytest.param(action, status, expected, id=f"{action}@{status.value}")
    for action, row in MATRIX.items()
    for status, expected in zip(_STATES, row, strict=True)
]


def test_the_matrix_covers_every_action_and_state() -> None:
    assert set(MATRIX) == set(COMMANDS) == set(SEEDS)
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


def test_decide_knows_every_command_and_wants_an_aware_now() -> None:
    assert {type(c) for c in COMMANDS.values()} == set(ACTIONS)
    with pytest.raises(ValueError, match="timezone-aware"):
        decide(
            STATES[S.DISPATCHED], COMMANDS["accept"], datetime(2026, 3, 10, 9, 30), POLICY, CALENDAR
        )


def test_the_workflow_imports_the_standard_library_and_the_domain_only() -> None:
    import ast
    import sys
    from pathlib import Path

    import xinxiang.domain.workflow as workflow

    for path in Path(workflow.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names or name.startswith("xinxiang.domain"), (
                    f"{path.name} imports {name}"
                )
