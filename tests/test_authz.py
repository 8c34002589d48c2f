"""Specification of who may act on a ticket by mail; everything else goes to the holding pen.

A staff action (department, co-handler, office) needs proof beyond the From header: a valid
signed reply token of the ticket and the trusted receiving server's authentication. The
petitioner's follow-up changes no state and needs neither.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinxiang.replies.authres import authenticate
from xinxiang.replies.authz import (
    ACTIONS,
    Decision,
    MailProof,
    Participants,
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


def proof(sender: str, auth: str | None = PASS, *, token: bool = True) -> MailProof:
    """The proof a mail from ``sender`` carries, as the reply service builds it."""
    verdict = authenticate(
        sender.split("<")[-1].strip(">").lower(), [auth] if auth else [], ["mx.example.edu.cn"]
    )
    return MailProof(token, verdict)


def decide(sender: str, action: str, auth: str | None = PASS, token: bool = True) -> Decision:
    return authorize(sender, PARTICIPANTS, action, proof(sender, auth, token=token))


@pytest.mark.parametrize(
    ("sender", "action", "auth", "allowed", "rule"),
    [
        # The assigned department answers its own ticket.
        *[
            ("hqc@example.edu.cn", action, PASS, True, "department-allowed")
            for action in DEPARTMENT_ACTIONS
        ],
        ("后勤处 <HQC@Example.EDU.CN>", "formal", PASS, True, "department-allowed"),
        ("wang.hq@example.edu.cn", "formal", PASS, True, "department-allowed"),
        ("hqc@example.edu.cn", "cohandler_result", None, False, "department-not-permitted"),
        ("hqc@example.edu.cn", "office_command", None, False, "department-not-permitted"),
        ("hqc@example.edu.cn", "follow_up", None, False, "department-not-permitted"),
        # Co-handlers only report their result.
        ("xsc@example.edu.cn", "cohandler_result", PASS, True, "cohandler-allowed"),
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
        # Staff actions without the receiving server's proof: held, whatever the header says.
        ("hqc@example.edu.cn", "formal", DKIM_FAIL, False, "not-authenticated"),
        ("hqc@example.edu.cn", "formal", SPF_FAIL, False, "not-authenticated"),
        ("xsc@example.edu.cn", "cohandler_result", SPF_FAIL, False, "not-authenticated"),
        ("dzb@example.edu.cn", "office_command", DKIM_FAIL, False, "not-authenticated"),
        (
            "hqc@example.edu.cn",
            "formal",
            "mx.example.edu.cn; dkim=none; spf=softfail",
            False,
            "not-authenticated",
        ),
        (
            "hqc@example.edu.cn",
            "formal",
            "mx.example.edu.cn; dmarc=fail",
            False,
            "not-authenticated",
        ),
        (
            "hqc@example.edu.cn",
            "formal",
            "mx.example.edu.cn; spf=permerror",
            False,
            "not-authenticated",
        ),
        (
            "hqc@example.edu.cn",
            "formal",
            "evil.example; dkim=pass header.d=example.edu.cn",
            False,
            "not-authenticated",
        ),
        ("hqc@example.edu.cn", "formal", "", False, "not-authenticated"),
        ("hqc@example.edu.cn", "formal", None, False, "not-authenticated"),
        ("dzb@example.edu.cn", "office_command", None, False, "not-authenticated"),
    ],
)
def test_authorize(sender: str, action: str, auth: str | None, allowed: bool, rule: str) -> None:
    decision = decide(sender, action, auth)
    assert (decision.allowed, decision.rule) == (allowed, rule)
    assert decision.holding is not allowed
    assert decision.reason


def test_refusals_explain_in_chinese_and_name_the_sender() -> None:
    decision = decide("xsc@example.edu.cn", "formal")
    assert decision == Decision(
        False,
        "cohandler-not-permitted",
        "发件人 xsc@example.edu.cn 是该工单的协办部门，协办部门只能提交协办结果",
        "cohandler",
    )
    failed = decide("hqc@example.edu.cn", "formal", DKIM_FAIL)
    assert failed.reason == (
        "发件人 hqc@example.edu.cn 的身份未经本校收信服务器认证："
        "邮件未通过 DKIM 验证，可能是冒用地址"
    )
    untokened = decide("hqc@example.edu.cn", "formal", token=False)
    assert untokened.rule == "no-token" and "回复令牌" in untokened.reason


def test_a_sender_with_several_roles_may_use_any_of_them() -> None:
    both = Participants.of(
        department=["hqc@example.edu.cn"],
        petitioner="hqc@example.edu.cn",
        office=["dzb@example.edu.cn"],
    )
    sure = proof("hqc@example.edu.cn")
    assert authorize("hqc@example.edu.cn", both, "formal", sure).role == "department"
    assert authorize("hqc@example.edu.cn", both, "follow_up", sure).role == "petitioner"


def test_a_ticket_without_petitioner_address_knows_no_petitioner() -> None:
    no_petitioner = Participants.of(department=["hqc@example.edu.cn"])
    assert authorize("", no_petitioner, "follow_up").rule == "no-sender"
    assert not authorize("x@qq.com", no_petitioner, "follow_up").allowed


def test_unknown_actions_are_programming_errors() -> None:
    with pytest.raises(ValueError):
        authorize("hqc@example.edu.cn", PARTICIPANTS, "delete")


@pytest.mark.parametrize("action", sorted(ACTIONS - {"follow_up"}))
@pytest.mark.parametrize(
    "sender", ["hqc@example.edu.cn", "xsc@example.edu.cn", "dzb@example.edu.cn"]
)
def test_no_staff_action_without_a_token_even_when_authenticated(sender: str, action: str) -> None:
    # The ticket number in a subject or a thread reference identifies; it never authorises.
    decision = decide(sender, action, PASS, token=False)
    assert decision.holding


@pytest.mark.parametrize("action", sorted(ACTIONS - {"follow_up"}))
@pytest.mark.parametrize(
    "sender", ["hqc@example.edu.cn", "xsc@example.edu.cn", "dzb@example.edu.cn"]
)
def test_no_staff_action_without_authentication_even_with_a_token(sender: str, action: str) -> None:
    decision = decide(sender, action, None, token=True)
    assert decision.holding


def test_the_petitioners_follow_up_changes_nothing_and_needs_no_proof() -> None:
    decision = authorize("student2026@qq.com", PARTICIPANTS, "follow_up")
    assert decision.allowed and decision.role == "petitioner"


@given(
    st.sampled_from(sorted(ACTIONS)),
    st.emails(),
    st.one_of(st.none(), st.text(max_size=80)),
)
def test_strangers_are_always_held(action: str, sender: str, auth: str | None) -> None:
    known = {"hqc@example.edu.cn", "wang.hq@example.edu.cn", "xsc@example.edu.cn"}
    known |= {"student2026@qq.com", "dzb@example.edu.cn"}
    decision = authorize(sender, PARTICIPANTS, action, proof(sender, auth))
    if sender.lower() not in known:
        assert decision.holding


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_each_action_has_exactly_one_permitted_role(action: str) -> None:
    senders = ["hqc@example.edu.cn", "xsc@example.edu.cn", "student2026@qq.com"]
    senders.append("dzb@example.edu.cn")
    clean = [decide(s, action).allowed for s in senders]
    assert sum(clean) == 1
