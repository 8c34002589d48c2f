"""Replies without a token on the real servers: a department answering the bare mailbox address
(its client ignored Reply-To, or the clerk typed a new mail) is a reply, never a new ticket."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

import pytest
from sqlalchemy import func, select

from replies_helpers import CAMPUS_AUTH, HQC, Loop, dispatched, make_loop, now
from servers import ImapAccount, SmtpSink
from xinxiang.store.models import TicketRow
from xinxiang.store.models_replies import HoldingRow, TicketReplyRow


@pytest.fixture
def loop(imap_account: ImapAccount, smtp_sink: SmtpSink, tmp_config: Any) -> Loop:
    return make_loop(imap_account, smtp_sink, tmp_config)


def to_the_bare_address(sender: str, subject: str, body: str, thread: str | None = None) -> bytes:
    """A department's answer to the bare mailbox address, without our token.

    `thread` is the Message-ID it answers (a client that ignored Reply-To), None for a new mail
    a clerk typed with the ticket number in the subject.
    """
    m = EmailMessage()
    m["From"] = f"后勤管理处 <{sender}>"
    m["To"] = "示例大学书记校长信箱 <xinxiang@example.edu.cn>"
    m["Subject"] = subject
    m["Date"] = format_datetime(now())
    m["Message-ID"] = make_msgid(domain="example.edu.cn")
    m["Authentication-Results"] = CAMPUS_AUTH
    if thread:
        m["In-Reply-To"] = m["References"] = thread
    m.set_content(body + "\n\n发自我的iPhone\n")
    return bytes(m)


@pytest.mark.parametrize("threaded", [False, True], ids=["new-mail-numbered", "reply-to-ignored"])
def test_department_answering_the_bare_address_is_a_reply_not_a_new_ticket(
    loop: Loop, threaded: bool
) -> None:
    dispatch = dispatched(loop)
    number = loop.ticket().number
    subject = "回复：" + dispatch["Subject"] if threaded else f"关于【{number}】宿舍热水问题的答复"
    loop.imap.append(
        to_the_bare_address(
            HQC,
            subject,
            "正式回复：经核查，12号楼热水系统循环泵故障，已于今日更换，热水已恢复正常供应。",
            dispatch["Message-ID"] if threaded else None,
        )
    )
    outcomes = loop.run()

    # The reply service got it; without a token it takes the confirmation round trip.
    assert [(o.status, o.ticket_number) for o in outcomes] == [("confirming", number)]
    with loop.ctx.db.unit_of_work() as s:
        assert s.execute(select(func.count()).select_from(TicketRow)).scalar_one() == 1
        assert [h.state for h in s.execute(select(HoldingRow)).scalars()] == ["confirm"]
        assert s.execute(select(TicketReplyRow)).first() is None
    assert loop.ticket().status == "dispatched"
    loop.last_to(HQC, "【请确认】")
