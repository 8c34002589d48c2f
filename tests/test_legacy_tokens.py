"""Ticket-only reply tokens from before tokens named their recipient's role (issue #12).

They keep identifying their ticket for a transition period after our last mail about it
(`authentication.legacy_token_days`, 30 by default) — and an action through one always takes
the confirmation round trip; after the period they identify nothing: a reply with nothing else
to go by (no thread reference, no number in the subject) is held as unmatched.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

import pytest

from replies_helpers import CAMPUS_AUTH, HQC, Loop, dispatched, make_loop
from servers import ImapAccount, SmtpSink
from xinxiang.replies.tokens import make_token


@pytest.fixture
def loop(imap_account: ImapAccount, smtp_sink: SmtpSink, tmp_config: Any) -> Loop:
    return make_loop(imap_account, smtp_sink, tmp_config)


def bare_reply(loop: Loop, number: str, when: datetime) -> bytes:
    """A department's answer to the legacy address alone: no In-Reply-To, no number in the
    subject — only the token can tie it to the ticket."""
    base = loop.ctx.cfg.settings.smtp.from_address
    local, domain = base.split("@")
    m = EmailMessage()
    m["From"] = f"后勤管理处 <{HQC}>"
    m["To"] = f"{local}+{make_token(number, loop.ctx.token_key)}@{domain}"
    m["Subject"] = "回复：宿舍热水问题"
    m["Date"] = format_datetime(when)
    m["Message-ID"] = make_msgid(domain="example.edu.cn")
    m["Authentication-Results"] = CAMPUS_AUTH
    m.set_content("正式回复：热水已恢复。")
    return bytes(m)


@pytest.mark.parametrize(
    ("days_after_last_mail", "status"),
    [
        (1, "confirming"),  # identified; the action waits for the round trip
        (29, "confirming"),
        (31, "held"),  # the period is over: nothing ties the reply to the ticket
    ],
)
def test_a_legacy_token_identifies_only_during_its_transition(
    loop: Loop, days_after_last_mail: int, status: str
) -> None:
    dispatched(loop)
    ticket = loop.ticket()
    at = ticket.dispatched_at + timedelta(days=days_after_last_mail)  # type: ignore[operator]
    loop.imap.append(bare_reply(loop, ticket.number, at))
    outcomes = loop.run(at=at)
    assert [o.status for o in outcomes] == [status]
    assert loop.ticket().status == "dispatched"  # a legacy token never changes a ticket
