"""Specification of the office acting by mail (党政办公室邮件指令): 转办 / 改派 / 协办 / 同意延期 /
不同意延期, read from the start of a reply and carried out by the same services as the CLI; on
the real servers (Dovecot in, SMTP sink out). Only the office's registered addresses may use them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import pytest
from sqlalchemy import select

import xinxiang.store.models_replies  # noqa: F401
from inbound_helpers import context, letter
from replies_helpers import CAMPUS_AUTH, HQC, OFFICE, PETITIONER, Loop, dispatched, qq_reply
from servers import ImapAccount, SmtpSink
from xinxiang.outgoing.dispatch import deadlines_for
from xinxiang.replies.office_commands import OfficeMailCommand, parse_office_mail_command
from xinxiang.store.models import CohandlerRow, EventRow
from xinxiang.store.models_replies import HoldingRow, TicketReplyRow

JWC = "jwc@example.edu.cn"
CWC = "cwc@example.edu.cn"
TODAY = date(2026, 12, 1)

PARSES = [
    ("转办：教务处", OfficeMailCommand("route", ("教务处",))),
    ("转办:jwc", OfficeMailCommand("route", ("jwc",))),
    ("【转办】教务处", OfficeMailCommand("route", ("教务处",))),
    ("转办给教务处", OfficeMailCommand("route", ("教务处",))),
    (
        "转办：教务处，原因：属教学安排",
        OfficeMailCommand("route", ("教务处",), reason="属教学安排"),
    ),
    ("改派：jwc，属教学安排", OfficeMailCommand("route", ("jwc",), reason="属教学安排")),
    ("转办：教务处\n\n党政办公室 李四", OfficeMailCommand("route", ("教务处",))),
    ("协办：财务处", OfficeMailCommand("cohandlers", ("财务处",))),
    ("协办：财务处、保卫处，cwc", OfficeMailCommand("cohandlers", ("财务处", "保卫处", "cwc"))),
    ("同意延期", OfficeMailCommand("extension_approve")),
    ("同意延期至12月5日", OfficeMailCommand("extension_approve", until=date(2026, 12, 5))),
    (
        "不同意延期：请按原时限办结",
        OfficeMailCommand("extension_refuse", reason="请按原时限办结"),
    ),
    ("不同意延期，理由：已超期", OfficeMailCommand("extension_refuse", reason="已超期")),
    ("同意", None),  # answer approval: read by intent.parse_office_command
    ("驳回：请补充", None),
    ("协办结果：已核实", None),  # a co-handler's report, not a command
    ("转办流程已知悉", None),
    ("好的收到", None),
]


@pytest.mark.parametrize(("text", "expected"), PARSES)
def test_office_mail_commands_are_read_from_the_start(
    text: str, expected: OfficeMailCommand | None
) -> None:
    assert parse_office_mail_command(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [("转办：", "转办须写明单位"), ("协办：", "协办须写明单位"), ("不同意延期", "须写明原因")],
)
def test_incomplete_commands_explain_the_problem(text: str, problem: str) -> None:
    parsed = parse_office_mail_command(text, today=TODAY)
    assert parsed is not None and parsed.problem and problem in parsed.problem


# --------------------------------------------------------------------------- on the servers


def now() -> datetime:
    return datetime.now(UTC)


def make(imap: ImapAccount, sink: SmtpSink, tmp_config: Any, **overrides: Any) -> Loop:
    return Loop(context(tmp_config(imap=imap, smtp=sink, overrides=overrides or None)), imap, sink)


@pytest.fixture
def loop(imap_account: ImapAccount, smtp_sink: SmtpSink, tmp_config: Any) -> Loop:
    return make(imap_account, smtp_sink, tmp_config)


def office_says(
    loop: Loop, text: str, *, subject: str | None = None, to: Any = None, sender: str = OFFICE
) -> None:
    """A mail from `sender`: a reply to `to` (a mail we sent) or a fresh one naming the ticket."""
    m = EmailMessage()
    m["From"] = f"党政办公室 <{sender}>"
    m["Message-ID"] = make_msgid(domain="example.edu.cn")
    m["Authentication-Results"] = CAMPUS_AUTH
    if to is None and subject is None:
        # The office answers the newest mail we sent it about the ticket, whose reply address
        # carries the ticket's signed token; with none, it writes a fresh mail naming the
        # number, which can only act through the confirmation round trip.
        number = loop.ticket().number
        mine = [m.parsed() for m in loop.sink.messages(sender)]
        about = [m for m in mine if m["X-Xinxiang-Ticket"] == number]
        to = about[-1] if about else None
    if to is not None:
        m["To"] = to["Reply-To"] or to["From"]
        m["Subject"] = "Re: " + to["Subject"]
        m["In-Reply-To"] = to["Message-ID"]
    else:
        m["To"] = "xinxiang@example.edu.cn"
        m["Subject"] = subject or f"关于 {loop.ticket().number} 的分办"
    m.set_content(f"{text}\n\n党政办公室 李四\n发自我的iPhone")
    loop.imap.append(bytes(m))


def office_acts(loop: Loop, text: str) -> list[Any]:
    """The office's command, confirmed by answering the challenge when one comes back."""
    office_says(loop, text)
    outcomes = loop.run()
    if [o.status for o in outcomes] == ["confirming"]:
        office_says(loop, "确认", to=loop.last_to(OFFICE, "【请确认】"))
        outcomes = loop.run()
    return outcomes


def events(loop: Loop, kind: str) -> list[EventRow]:
    with loop.ctx.db.unit_of_work() as s:
        return list(s.execute(select(EventRow).where(EventRow.kind == kind)).scalars())


def body(mail: Any) -> str:
    return str(mail.get_body(("plain",)).get_content())


def test_the_office_dispatches_a_triage_letter_by_replying(
    imap_account: ImapAccount, smtp_sink: SmtpSink, tmp_config: Any
) -> None:
    loop = make(imap_account, smtp_sink, tmp_config, dispatch={"require_office_confirmation": True})
    loop.imap.append(letter(subject="宿舍热水问题"))
    loop.run()
    assert loop.ticket().status == "triage" and not loop.sink.messages(HQC)
    # No mail about a triage ticket has reached the office yet: its fresh mail naming the
    # ticket number proves nothing, so the office is asked to confirm it first.
    office_says(loop, "转办：教务处")
    assert [o.status for o in loop.run()] == ["confirming"]
    assert loop.ticket().status == "triage"
    challenge = loop.last_to(OFFICE, "【请确认】")
    assert "转办：教务处" in body(challenge) and "+c" in challenge["Reply-To"]
    office_says(loop, "确认", to=challenge)
    at = now()
    outcomes = loop.run(at=at)
    assert [(o.status, o.reason) for o in outcomes] == [("office", "route")]
    t = loop.ticket()
    assert (t.status, t.department_code, t.accepted_at) == ("dispatched", "jwc", at)
    assert t.formal_due == deadlines_for(loop.ctx, t, at).formal_due
    assert "12号楼的热水" in body(loop.last_to(JWC, f"【转办】{t.number}"))
    assert "已转办至教务处" in body(loop.last_to(OFFICE, "【已记录】"))
    [ev] = events(loop, "dispatched")
    assert ev.actor == OFFICE and ev.data["department"] == "jwc"


def test_a_transfer_by_mail_needs_a_reason_and_restarts_the_clock(loop: Loop) -> None:
    dispatched(loop, subject="宿舍热水问题")
    before = loop.ticket()
    assert [o.status for o in office_acts(loop, "转办：教务处")] == ["refused"]
    assert "改派须写明原因" in body(loop.last_to(OFFICE, "【未采纳】"))
    assert (loop.ticket().department_code, loop.ticket().accepted_at) == (
        "hqc",
        before.accepted_at,
    )
    later = now() + timedelta(hours=3)
    office_says(loop, "改派：jwc，原因：属教学安排")
    assert [o.reason for o in loop.run(at=later)] == ["route"]
    t = loop.ticket()
    assert (t.department_code, t.accepted_at) == ("jwc", later)
    assert t.formal_due == deadlines_for(loop.ctx, t, later).formal_due
    assert t.formal_due is not None and before.formal_due is not None
    assert t.formal_due >= before.formal_due
    loop.last_to(JWC, "【转办】")
    [ev] = events(loop, "transferred")
    assert (ev.actor, ev.data["previous"], ev.data["reason"]) == (OFFICE, "hqc", "属教学安排")


def test_cohandlers_by_mail_get_the_letter(loop: Loop) -> None:
    dispatched(loop, subject="宿舍热水问题")
    assert [o.status for o in office_acts(loop, "协办：不存在处")] == ["refused"]
    assert "未知单位" in body(loop.last_to(OFFICE, "【未采纳】"))
    office_says(loop, "协办：财务处")
    assert [o.reason for o in loop.run()] == ["cohandlers"]
    assert "热水" in body(loop.last_to(CWC, "【协办】"))
    assert "已增加协办单位：财务处" in body(loop.last_to(OFFICE, "【已记录】"))
    with loop.ctx.db.unit_of_work() as s:
        assert s.execute(select(CohandlerRow.department_code)).scalars().all() == ["cwc"]
    [ev] = events(loop, "cohandlers_added")
    assert ev.actor == OFFICE and ev.data["departments"] == ["cwc"]


@pytest.mark.parametrize(
    ("answer", "approved", "subject", "state"),
    [
        ("同意延期", True, "【延期已同意】", "approved"),
        ("不同意延期：请按原时限办结", False, "【延期未同意】", "rejected"),
    ],
)
def test_the_office_decides_an_extension_request_by_replying(
    loop: Loop, answer: str, approved: bool, subject: str, state: str
) -> None:
    dispatch = dispatched(loop, subject="宿舍热水问题")
    due = loop.ticket().formal_due
    assert due is not None
    local = due.astimezone(loop.ctx.cfg.tz)
    wanted = local.date() + timedelta(days=3)
    loop.imap.append(
        qq_reply(
            HQC,
            dispatch["Reply-To"],
            dispatch["Subject"],
            f"延期：至{wanted.isoformat()}，原因：需采购配件",
            dispatch,
        )
    )
    loop.run()
    request = loop.last_to(OFFICE, "【待审核】")
    assert "同意延期" in body(request) and "不同意延期：原因" in body(request)
    office_says(loop, answer, to=request)
    outcomes = loop.run()
    assert [o.status for o in outcomes] == ["office"]
    expected = datetime.combine(wanted, local.timetz()) if approved else due
    assert loop.ticket().formal_due == expected
    told = body(loop.last_to(HQC, subject))
    assert ("调整为" in told) if approved else ("请按原时限办结" in told)
    with loop.ctx.db.unit_of_work() as s:
        [reply] = s.execute(select(TicketReplyRow)).scalars().all()
        assert (reply.state, reply.decided_by) == (state, OFFICE)
    [ev] = events(loop, "extension_approved" if approved else "extension_refused")
    assert ev.actor == OFFICE
    assert "延期" in body(loop.last_to(OFFICE, "【已记录】"))


def test_office_commands_from_anyone_else_are_held_and_change_nothing(loop: Loop) -> None:
    dispatch = dispatched(loop, subject="宿舍热水问题")
    before = loop.ticket()
    loop.imap.append(
        qq_reply(HQC, dispatch["Reply-To"], dispatch["Subject"], "转办：教务处", dispatch)
    )
    ack = loop.last_to(PETITIONER, "")
    office_says(loop, "协办：财务处", to=ack, sender=PETITIONER)
    outcomes = loop.run()
    assert [o.status for o in outcomes] == ["held", "held"]
    after = loop.ticket()
    assert (after.department_code, after.accepted_at, after.formal_due) == (
        before.department_code,
        before.accepted_at,
        before.formal_due,
    )
    assert not loop.sink.messages(JWC) and not loop.sink.messages(CWC)
    with loop.ctx.db.unit_of_work() as s:
        assert len(s.execute(select(HoldingRow)).scalars().all()) == 2
    assert not events(loop, "transferred") and not events(loop, "cohandlers_added")


def test_a_returned_ticket_is_redispatched_by_replying_to_the_return_notice(loop: Loop) -> None:
    dispatch = dispatched(loop, subject="宿舍热水问题")
    loop.imap.append(
        qq_reply(HQC, dispatch["Reply-To"], dispatch["Subject"], "退回：属教学事务", dispatch)
    )
    loop.run()
    assert loop.ticket().status == "triage"
    notice = loop.last_to(OFFICE, "【退回】")
    assert "转办：单位" in body(notice)
    office_says(loop, "转办：教务处", to=notice)
    assert [o.reason for o in loop.run()] == ["route"]
    t = loop.ticket()
    assert (t.status, t.department_code) == ("dispatched", "jwc")
    loop.last_to(JWC, "【转办】")
    [ev] = events(loop, "transferred")
    assert (ev.actor, ev.data["previous"]) == (OFFICE, "hqc")
