"""Specification of who may act on a ticket by mail; everything else goes to the holding pen."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinxiang.replies.authz import (
    ACTIONS,
    Decision,
    Participants,
    auth_failures,
    authorize,
)

PARTICIPANTS = Participants.of(
    department=["hqc@example.edu.cn", "后勤处 王老师 <Wang.HQ@example.edu.cn>"],
    cohandlers=["xsc@example.edu.cn"],
    petitioner="student2026@qq.com",
    office=["dzb@example.edu.cn"],
)

DEPARTMENT_ACTIONS = ["accept", "preliminary", "formal", "return", "extension"]
PASS = "mx.example.edu.cn; dkim=pass header.d=example.edu.cn; spf=pass"
DKIM_FAIL = "mx.example.edu.cn; dkim=fail (bad signature) header.d=example.edu.cn; spf=pass"
SPF_FAIL = "mx.example.edu.cn;\r\n\tspf=fail smtp.mailfrom=hqc@example.edu.cn; dkim=none"


def _allowed(sender: str, action: str, auth: str | None = None) -> bool:
    return authorize(sender, PARTICIPANTS, action, auth).allowed


@pytest.mark.parametrize(
    ("sender", "action", "auth", "allowed", "rule"),
    [
        # The assigned department answers its own ticket.
        *[
            ("hqc@example.edu.cn", action, None, True, "department-allowed")
            for action in DEPARTMENT_ACTIONS
        ],
        ("后勤处 <HQC@Example.EDU.CN>", "formal", PASS, True, "department-allowed"),
        ("wang.hq@example.edu.cn", "formal", None, True, "department-allowed"),
        ("hqc@example.edu.cn", "cohandler_result", None, False, "department-not-permitted"),
        ("hqc@example.edu.cn", "office_command", None, False, "department-not-permitted"),
        ("hqc@example.edu.cn", "follow_up", None, False, "department-not-permitted"),
        # Co-handlers only report their result.
        ("xsc@example.edu.cn", "cohandler_result", None, True, "cohandler-allowed"),
        *[
            ("xsc@example.edu.cn", action, None, False, "cohandler-not-permitted")
            for action in DEPARTMENT_ACTIONS
        ],
        # The petitioner only follows up.
        ("student2026@qq.com", "follow_up", None, True, "petitioner-allowed"),
        ("学生 <STUDENT2026@qq.com>", "follow_up", SPF_FAIL, True, "petitioner-allowed"),
        ("student2026@qq.com", "formal", None, False, "petitioner-not-permitted"),
        ("student2026@qq.com", "office_command", None, False, "petitioner-not-permitted"),
        # The office only approves.
        ("dzb@example.edu.cn", "office_command", PASS, True, "office-allowed"),
        ("dzb@example.edu.cn", "formal", None, False, "office-not-permitted"),
        # Strangers, including another department answering a ticket not theirs.
        ("jwc@example.edu.cn", "formal", None, False, "unknown-sender"),
        ("hqc@example.edu.cn.evil.com", "formal", None, False, "unknown-sender"),
        ("hqc+x@example.edu.cn", "formal", None, False, "unknown-sender"),
        ("", "formal", None, False, "no-sender"),
        ("not an address", "follow_up", None, False, "unknown-sender"),
        # Failed DKIM or SPF for a department or office address: held.
        ("hqc@example.edu.cn", "formal", DKIM_FAIL, False, "authentication-failed"),
        ("hqc@example.edu.cn", "formal", SPF_FAIL, False, "authentication-failed"),
        ("xsc@example.edu.cn", "cohandler_result", SPF_FAIL, False, "authentication-failed"),
        ("dzb@example.edu.cn", "office_command", DKIM_FAIL, False, "authentication-failed"),
        ("hqc@example.edu.cn", "formal", "mx; dkim=none; spf=softfail", True, "department-allowed"),
        ("hqc@example.edu.cn", "formal", "", True, "department-allowed"),
    ],
)
def test_authorize(sender: str, action: str, auth: str | None, allowed: bool, rule: str) -> None:
    decision = authorize(sender, PARTICIPANTS, action, auth)
    assert (decision.allowed, decision.rule) == (allowed, rule)
    assert decision.holding is not allowed
    assert decision.reason


def test_refusals_explain_in_chinese_and_name_the_sender() -> None:
    decision = authorize("xsc@example.edu.cn", PARTICIPANTS, "formal", None)
    assert decision == Decision(
        False,
        "cohandler-not-permitted",
        "发件人 xsc@example.edu.cn 是该工单的协办部门，协办部门只能提交协办结果",
        "cohandler",
    )
    failed = authorize("hqc@example.edu.cn", PARTICIPANTS, "formal", DKIM_FAIL)
    assert failed.reason == "发件人 hqc@example.edu.cn 的邮件未通过 DKIM 验证，可能是冒用地址"


def test_a_sender_with_several_roles_may_use_any_of_them() -> None:
    both = Participants.of(
        department=["hqc@example.edu.cn"],
        petitioner="hqc@example.edu.cn",
        office=["dzb@example.edu.cn"],
    )
    assert authorize("hqc@example.edu.cn", both, "formal", None).role == "department"
    assert authorize("hqc@example.edu.cn", both, "follow_up", None).role == "petitioner"


def test_a_ticket_without_petitioner_address_knows_no_petitioner() -> None:
    no_petitioner = Participants.of(department=["hqc@example.edu.cn"])
    assert authorize("", no_petitioner, "follow_up", None).rule == "no-sender"
    assert not authorize("x@qq.com", no_petitioner, "follow_up", None).allowed


def test_unknown_actions_are_programming_errors() -> None:
    with pytest.raises(ValueError):
        authorize("hqc@example.edu.cn", PARTICIPANTS, "delete", None)


@pytest.mark.parametrize(
    ("header", "failed"),
    [
        (None, []),
        ("", []),
        (PASS, []),
        (DKIM_FAIL, ["dkim"]),
        (SPF_FAIL, ["spf"]),
        ("mx; SPF=Fail; DKIM=FAIL", ["spf", "dkim"]),
        ("mx; spf=hardfail", ["spf"]),
        ("mx; dkim=pass (comment says dkim=fail (nested)) ; spf=pass", []),
        ("mx; dkim=pass header.b=abc; arc=fail", []),
        ("mx; dmarc=fail; spf=pass", []),
        ("mx; dkim=failure", []),
    ],
)
def test_auth_failures(header: str | None, failed: list[str]) -> None:
    assert auth_failures(header) == failed


@given(
    st.sampled_from(sorted(ACTIONS)),
    st.emails(),
    st.one_of(st.none(), st.text(max_size=80)),
)
def test_strangers_are_always_held(action: str, sender: str, auth: str | None) -> None:
    known = {"hqc@example.edu.cn", "wang.hq@example.edu.cn", "xsc@example.edu.cn"}
    known |= {"student2026@qq.com", "dzb@example.edu.cn"}
    decision = authorize(sender, PARTICIPANTS, action, auth)
    if sender.lower() not in known:
        assert decision.holding


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_each_action_has_exactly_one_permitted_role(action: str) -> None:
    senders = ["hqc@example.edu.cn", "xsc@example.edu.cn", "student2026@qq.com"]
    senders.append("dzb@example.edu.cn")
    clean = [authorize(s, PARTICIPANTS, action, None).allowed for s in senders]
    assert sum(clean) == 1
