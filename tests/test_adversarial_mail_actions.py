"""Adversarial specification: no ticket changes by mail on a From header, a subject or a thread.

Every attempt runs through the real Dovecot and SMTP servers. A staff action by mail is applied
only with a valid signed reply token of that ticket *and* the trusted receiving server's
authentication; anything less from a registered address becomes a confirmation round trip
(a challenge to the registered address, applied only when that address answers 确认).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

import pytest
from sqlalchemy import select

from inbound_helpers import letter
from replies_helpers import (
    CAMPUS_AUTH,
    HQC,
    OFFICE,
    PETITIONER,
    Loop,
    dispatched,
    make_loop,
    qq_reply,
)
from servers import ImapAccount, SmtpSink
from xinxiang.store.models import EventRow, TicketRow
from xinxiang.store.models_replies import HoldingRow, TicketReplyRow

EVIL = "请登录 http://evil.example/login 重新认证校园卡。"


@pytest.fixture
def loop(imap_account: ImapAccount, smtp_sink: SmtpSink, tmp_config: Any) -> Loop:
    return make_loop(imap_account, smtp_sink, tmp_config)


def mail(
    sender: str,
    to: str,
    subject: str,
    text: str,
    *,
    name: str = "党政办公室",
    auth: str | None = None,
    in_reply_to: str | None = None,
) -> bytes:
    """A mail as anyone on the Internet can write it: every header is the sender's choice."""
    m = EmailMessage()
    m["From"] = f"{name} <{sender}>"
    m["To"] = to
    m["Subject"] = subject
    m["Date"] = format_datetime(datetime.now(UTC))
    m["Message-ID"] = make_msgid(domain="example.edu.cn")
    if in_reply_to:
        m["In-Reply-To"] = in_reply_to
        m["References"] = in_reply_to
    if auth:
        m["Authentication-Results"] = auth
    m.set_content(text)
    return bytes(m)


def body(message: Any) -> str:
    return str(message.get_body(("plain",)).get_content())


def pending_approval(loop: Loop) -> Any:
    """A public ticket whose formal answer waits for the office; the approval request."""
    dispatch = dispatched(loop)
    loop.imap.append(
        qq_reply(HQC, dispatch["Reply-To"], dispatch["Subject"], "正式回复：已修复。", dispatch)
    )
    loop.run()
    assert loop.ticket().status == "pending_approval"
    return loop.last_to(OFFICE, "【待审核】")


def answers_to_petitioner(loop: Loop) -> list[Any]:
    return [m.parsed() for m in loop.sink.messages(PETITIONER) if "答复" in m.parsed()["Subject"]]


def test_the_reported_attack_a_forged_office_edit_changes_nothing(loop: Loop) -> None:
    request = pending_approval(loop)
    number = loop.ticket().number
    # The attack from the review: From the office, the ticket number in the subject, no token.
    loop.imap.append(
        mail(
            OFFICE,
            "xinxiang@example.edu.cn",
            f"Re: 【待审核】{number}",
            f"修改：本答复作废。{EVIL}",
        )
    )
    # The same with the thread reference of the real approval request, and with a header that
    # claims a pass but was written by the sender's own server name.
    loop.imap.append(
        mail(
            OFFICE,
            "xinxiang@example.edu.cn",
            f"Re: {request['Subject']}",
            f"修改：{EVIL}",
            in_reply_to=request["Message-ID"],
            auth="mail.evil.example; dkim=pass header.d=example.edu.cn; dmarc=pass",
        )
    )
    outcomes = loop.run()
    assert [o.status for o in outcomes] == ["confirming", "confirming"]
    assert loop.ticket().status == "pending_approval"
    assert not answers_to_petitioner(loop)
    with loop.ctx.db.unit_of_work() as s:
        [reply] = s.execute(select(TicketReplyRow)).scalars().all()
        assert reply.state == "pending_approval" and EVIL not in (reply.final_text or "")
    board = loop.ctx.cfg.data_dir / "public"
    assert not any(EVIL in p.read_text("utf-8") for p in board.rglob("*.html"))
    # The challenges went to the registered office address only, and say what was asked.
    challenges = [m for m in loop.sink.messages() if "【请确认】" in m.parsed()["Subject"]]
    assert len(challenges) == 2 and all(list(m.rcpt_tos) == [OFFICE] for m in challenges)
    assert "evil.example" in body(challenges[0].parsed())


def test_a_token_proves_nothing_without_the_receiving_servers_authentication(
    loop: Loop,
) -> None:
    dispatch = dispatched(loop)
    before = loop.ticket()
    unauthenticated = [
        None,
        "mx.example.edu.cn; dkim=none; spf=softfail smtp.mailfrom=example.edu.cn",
        "mx.example.edu.cn; dkim=pass header.d=example.edu.cn; dmarc=fail",
        "mx.example.edu.cn; dkim=permerror header.d=example.edu.cn",
        "mx.example.edu.cn; auth=pass smtp.auth=someone.else",
        "mx.example.edu.cn.evil.example; dkim=pass header.d=example.edu.cn",
        "mx.example.edu.cn; dkim=none (dkim=pass header.d=example.edu.cn)",
    ]
    for auth in unauthenticated:
        loop.imap.append(
            qq_reply(
                HQC,
                dispatch["Reply-To"],
                dispatch["Subject"],
                "正式回复：已处理。",
                dispatch,
                auth=auth,
            )
        )
    outcomes = loop.run()
    assert len(outcomes) == len(unauthenticated)
    assert {o.status for o in outcomes} <= {"confirming", "held"}
    after = loop.ticket()
    assert (after.status, after.formal_due) == (before.status, before.formal_due)
    with loop.ctx.db.unit_of_work() as s:
        assert s.execute(select(TicketReplyRow)).first() is None
    assert not answers_to_petitioner(loop)


def test_confirmation_round_trip_applies_a_genuine_command_once(loop: Loop) -> None:
    request = pending_approval(loop)
    # The office writes a fresh mail instead of replying: it can only act once confirmed.
    number = loop.ticket().number
    loop.imap.append(
        mail(OFFICE, "xinxiang@example.edu.cn", f"{number} 审核", "同意", auth=CAMPUS_AUTH)
    )
    assert [o.status for o in loop.run()] == ["confirming"]
    assert loop.ticket().status == "pending_approval"
    challenge = loop.last_to(OFFICE, "【请确认】")
    assert challenge["Reply-To"] != request["Reply-To"]
    # An out-of-office note answering the challenge does not confirm it.
    # (Written like the clients that send one without Auto-Submitted or a telling subject.)
    loop.imap.append(
        mail(
            OFFICE,
            challenge["Reply-To"],
            "Re: " + challenge["Subject"],
            "您好，本人休假中，12月10日返校，您的邮件已收到。",
        )
    )
    assert [o.status for o in loop.run()] == ["skipped"]
    assert loop.ticket().status == "pending_approval"
    # The registered address answers 确认: the held command is applied, exactly once.
    confirm = mail(OFFICE, challenge["Reply-To"], "Re: " + challenge["Subject"], "确认")
    loop.imap.append(confirm)
    assert [o.status for o in loop.run()] == ["office"]
    assert loop.ticket().status == "answered"
    assert len(answers_to_petitioner(loop)) == 1
    loop.imap.append(mail(OFFICE, challenge["Reply-To"], "Re: " + challenge["Subject"], "确认"))
    loop.run()
    assert len(answers_to_petitioner(loop)) == 1
    with loop.ctx.db.unit_of_work() as s:
        assert len(s.execute(select(EventRow).where(EventRow.kind == "approved")).all()) == 1
        [hold] = s.execute(select(HoldingRow)).scalars().all()
        assert (hold.state, hold.resolved_by) == ("confirmed", OFFICE)


def test_a_challenge_answered_from_another_address_or_made_up_confirms_nothing(
    loop: Loop,
) -> None:
    pending_approval(loop)
    number = loop.ticket().number
    loop.imap.append(mail(OFFICE, "xinxiang@example.edu.cn", f"{number}", f"修改：{EVIL}"))
    loop.run()
    challenge = loop.last_to(OFFICE, "【请确认】")
    token_address = challenge["Reply-To"]
    local, domain = token_address.split("@")
    attempts = [
        # The attacker somehow learnt the address but answers from its own mailbox,
        mail("attacker@evil.example", token_address, "Re", "确认", name="x"),
        # or from a department's address,
        mail(HQC, token_address, "Re", "确认", name="后勤"),
        # or guesses tokens for the held mail.
        mail(OFFICE, f"{local[:-1]}{'a' if local[-1] != 'a' else 'b'}@{domain}", "Re", "确认"),
        mail(OFFICE, "xinxiang+c1aaaaaaaaaaaaa@example.edu.cn", "Re", "确认"),
    ]
    for raw in attempts:
        loop.imap.append(raw)
    loop.run()
    assert loop.ticket().status == "pending_approval"
    assert not answers_to_petitioner(loop)
    with loop.ctx.db.unit_of_work() as s:
        holds = s.execute(select(HoldingRow).order_by(HoldingRow.id)).scalars().all()
        assert holds[0].state == "confirm"


def test_an_expired_challenge_is_refused(loop: Loop) -> None:
    pending_approval(loop)
    number = loop.ticket().number
    loop.imap.append(mail(OFFICE, "xinxiang@example.edu.cn", f"{number}", "同意"))
    loop.run()
    challenge = loop.last_to(OFFICE, "【请确认】")
    loop.imap.append(mail(OFFICE, challenge["Reply-To"], "Re: " + challenge["Subject"], "确认"))
    later = datetime.now(UTC) + timedelta(hours=73)
    assert [o.status for o in loop.run(at=later)] == ["refused"]
    assert loop.ticket().status == "pending_approval"
    assert "过期" in body(loop.last_to(OFFICE, "【未采纳】"))


def test_a_token_of_one_ticket_on_anothers_thread_acts_on_neither(loop: Loop) -> None:
    first = dispatched(loop)
    loop.imap.append(letter(subject="图书馆空调太冷", body="图书馆三楼空调温度太低，请调整。"))
    loop.run()
    with loop.ctx.db.unit_of_work() as s:
        tickets = s.execute(select(TicketRow).order_by(TicketRow.id)).scalars().all()
        before = [(t.status, t.formal_due) for t in tickets]
    second = [
        m.parsed()
        for m in loop.sink.messages()
        if m.parsed()["X-Xinxiang-Ticket"] == tickets[1].number
    ][-1]
    # Ticket 1's reply address, but In-Reply-To ticket 2's mail.
    loop.imap.append(
        mail(
            HQC,
            first["Reply-To"],
            "Re: " + second["Subject"],
            "正式回复：已处理。",
            name="后勤",
            auth=CAMPUS_AUTH,
            in_reply_to=second["Message-ID"],
        )
    )
    [outcome] = loop.run()
    assert outcome.status in {"confirming", "held"}
    assert outcome.reason and "引用的是工单" in outcome.reason
    with loop.ctx.db.unit_of_work() as s:
        tickets = s.execute(select(TicketRow).order_by(TicketRow.id)).scalars().all()
        assert [(t.status, t.formal_due) for t in tickets] == before
        assert s.execute(select(TicketReplyRow)).first() is None


def test_an_out_of_office_note_is_no_answer_and_draws_nothing(loop: Loop) -> None:
    dispatch = dispatched(loop)
    before = loop.ticket()
    sent_before = len(loop.sink.messages(HQC))
    note = "您好，本人休假中，12月10日返校后回复。"
    for _ in range(3):
        loop.imap.append(qq_reply(HQC, dispatch["Reply-To"], dispatch["Subject"], note, dispatch))
        outcomes = loop.run()
        assert [(o.status, o.action) for o in outcomes] == [("skipped", "auto_reply")]
    after = loop.ticket()
    assert (after.status, after.accepted_at, after.formal_due) == (
        before.status,
        before.accepted_at,
        before.formal_due,
    )
    assert len(loop.sink.messages(HQC)) == sent_before
    with loop.ctx.db.unit_of_work() as s:
        assert s.execute(select(TicketReplyRow)).first() is None


def test_the_same_refusal_is_sent_once_a_day(loop: Loop) -> None:
    dispatch = dispatched(loop)
    for _ in range(3):
        loop.imap.append(
            qq_reply(HQC, dispatch["Reply-To"], dispatch["Subject"], "退回：", dispatch)
        )
        assert [o.status for o in loop.run()] == ["refused"]
    refusals = [m for m in loop.sink.messages(HQC) if "【未采纳】" in m.parsed()["Subject"]]
    assert len(refusals) == 1


def test_the_petitioners_receipt_token_is_not_the_departments(loop: Loop) -> None:
    dispatch = dispatched(loop)
    receipt = loop.last_to(PETITIONER, "")
    before = loop.ticket()
    # Whoever holds the receipt (the petitioner, or anyone it was forwarded to) writes as the
    # department, even with the campus server's authentication of the department's address.
    loop.imap.append(
        mail(
            HQC,
            receipt["Reply-To"],
            "Re: " + receipt["Subject"],
            "正式回复：已处理完毕。",
            name="后勤",
            auth=CAMPUS_AUTH,
        )
    )
    [outcome] = loop.run()
    assert outcome.status == "confirming"
    assert "来信人" in (outcome.reason or "")
    after = loop.ticket()
    assert (after.status, after.formal_due) == (before.status, before.formal_due)
    assert receipt["Reply-To"] != dispatch["Reply-To"]


def test_each_role_gets_its_own_reply_address(loop: Loop) -> None:
    dispatch = dispatched(loop)
    receipt = loop.last_to(PETITIONER, "")
    loop.imap.append(
        qq_reply(HQC, dispatch["Reply-To"], dispatch["Subject"], "正式回复：已修复。", dispatch)
    )
    loop.run()
    request = loop.last_to(OFFICE, "【待审核】")
    addresses = {receipt["Reply-To"], dispatch["Reply-To"], request["Reply-To"]}
    assert len(addresses) == 3
