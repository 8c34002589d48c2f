"""Adversarial specification through the receiving server, which writes Authentication-Results.

Every mail here is submitted over SMTP to `ReceivingRelay` (aiosmtpd in front of the test
Dovecot's LMTP), which verifies DKIM with dkimpy, records SMTP logins, removes any
Authentication-Results bearing its own authserv-id (mx.example.edu.cn, the deployment's trusted
id) and writes its own. Nothing here writes a trusted header by hand: what the application
trusts is what a real receiving server would have said.

An answer by mail is applied only with the ticket's token *and* that server's proof of the From
address (an aligned DKIM signature, or a login as that address). Every other attempt changes
nothing, sends nothing but the confirmation challenge to the registered address, and crashes
nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import pytest
from sqlalchemy import select

from replies_helpers import HQC, OFFICE, PETITIONER, Loop, dispatched, make_loop, qq_reply
from servers import (
    DkimKey,
    DovecotServer,
    ImapAccount,
    ReceivingRelay,
    SmtpSink,
    make_dkim_key,
)
from xinxiang.store.models import EventRow
from xinxiang.store.models_replies import HoldingRow, TicketReplyRow
from xinxiang.store.models_shunt import ShuntRow

EVIL = "请登录 http://evil.example/login 重新认证校园卡。"
STUDENT = "lisi@stu.example.edu.cn"


@dataclass(frozen=True)
class Keys:
    campus: DkimKey  # example.edu.cn, published
    evil: DkimKey  # evil.example, published too: a valid signature of the wrong domain


@pytest.fixture(scope="module")
def keys() -> Keys:
    return Keys(make_dkim_key("example.edu.cn"), make_dkim_key("evil.example"))


@pytest.fixture
def relay(
    dovecot: DovecotServer, imap_account: ImapAccount, keys: Keys
) -> Iterator[ReceivingRelay]:
    for user in (HQC, OFFICE, STUDENT):
        dovecot.add_user(user, f"pw-{user}")
    with ReceivingRelay(dovecot, imap_account.user) as server:
        server.publish(keys.campus)
        server.publish(keys.evil)
        yield server


@pytest.fixture
def loop(imap_account: ImapAccount, smtp_sink: SmtpSink, tmp_config: Any) -> Loop:
    return make_loop(imap_account, smtp_sink, tmp_config)


def login(user: str) -> tuple[str, str]:
    return (user, f"pw-{user}")


def answer(dispatch: Any, text: str = "正式回复：热水已修复，请同学查看。") -> bytes:
    """The department's formal answer to the dispatch mail, with no Authentication-Results."""
    return qq_reply(HQC, dispatch["Reply-To"], dispatch["Subject"], text, dispatch, auth=None)


def broken(raw: bytes) -> bytes:
    """A signed mail altered on the way (the signed body no longer matches)."""
    altered = raw.replace("热水已修复".encode(), "热水已作废".encode())
    if altered == raw:  # the text is transfer-encoded: change the encoded body instead
        head, sep, body = raw.partition(b"\n\n")
        altered = head + sep + body[:-8] + b"AAAAAAA\n"
    return altered


def forged_header(raw: bytes, value: str) -> bytes:
    return f"Authentication-Results: {value}\n".encode() + raw


@dataclass
class Before:
    status: str
    formal_due: Any
    sent: int


def snapshot(loop: Loop) -> Before:
    t = loop.ticket()
    return Before(t.status, t.formal_due, len(loop.sink.messages()))


def assert_nothing_applied(loop: Loop, before: Before, outcomes: list[Any]) -> None:
    """Unchanged ticket, no recorded answer, only challenges to the registered address."""
    assert outcomes and {o.status for o in outcomes} <= {"confirming", "held"}, outcomes
    after = loop.ticket()
    assert (after.status, after.formal_due) == (before.status, before.formal_due)
    new = loop.sink.messages()[before.sent :]
    assert all("【请确认】" in m.parsed()["Subject"] for m in new), [
        m.parsed()["Subject"] for m in new
    ]
    assert all(list(m.rcpt_tos) == [HQC] for m in new)
    with loop.ctx.db.unit_of_work() as s:
        assert s.execute(select(TicketReplyRow)).first() is None
        assert s.execute(select(ShuntRow)).first() is None


def our_header(relay: ReceivingRelay) -> str:
    """The Authentication-Results the relay wrote on the last message it delivered."""
    head = relay.delivered()[-1].data.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
    return head.split("\r\nReceived:", 1)[0].replace("\r\n\t", " ")


def test_a_department_answer_signed_by_the_campus_domain_is_applied(
    loop: Loop, relay: ReceivingRelay, keys: Keys
) -> None:
    dispatch = dispatched(loop)
    relay.send(keys.campus.sign(answer(dispatch)))
    assert "dkim=pass header.d=example.edu.cn" in our_header(relay)
    [outcome] = loop.run()
    assert (outcome.status, outcome.action) == ("recorded", "formal")
    assert loop.ticket().status == "pending_approval"
    assert not [m for m in loop.sink.messages() if "【请确认】" in m.parsed()["Subject"]]


def test_a_campus_login_as_the_sender_is_applied(loop: Loop, relay: ReceivingRelay) -> None:
    dispatch = dispatched(loop)
    relay.send(answer(dispatch), login=login(HQC))
    assert f"auth=pass smtp.auth={HQC}" in our_header(relay)
    [outcome] = loop.run()
    assert (outcome.status, outcome.action) == ("recorded", "formal")
    assert loop.ticket().status == "pending_approval"


TRUSTED_PASS = "mx.example.edu.cn; dkim=pass header.d=example.edu.cn; dmarc=pass"
# attempt: (who signs, signature broken on the way, Authentication-Results the attacker writes,
# who logs in to the relay)
ATTEMPTS: dict[str, tuple[str | None, bool, str | None, str | None]] = {
    "broken signature": ("campus", True, None, None),
    "signed by evil.example": ("evil", False, None, None),
    "forged trusted header": (None, False, TRUSTED_PASS, None),
    "forged header, id after a comment": (
        None, False, "(relayed) MX.Example.edu.cn; auth=pass smtp.auth=hqc@example.edu.cn", None
    ),
    "forged header on an evil signature": ("evil", False, TRUSTED_PASS, None),
    "forged header, id as an encoded word": (
        None, False, "=?us-ascii?q?mx.example.edu.cn?=; dkim=pass header.d=example.edu.cn", None
    ),
    "forged header folded after the id": (
        None, False, "mx.example.edu.cn\n ; dkim=pass header.d=example.edu.cn", None
    ),
    "login as another user": (None, False, None, STUDENT),
    "login as the office": (None, False, None, OFFICE),
}  # fmt: skip


@pytest.mark.parametrize("attempt", list(ATTEMPTS))
def test_an_unproven_answer_changes_nothing_and_asks_the_registered_address(
    loop: Loop, relay: ReceivingRelay, keys: Keys, attempt: str
) -> None:
    dispatch = dispatched(loop)
    before = snapshot(loop)
    signer, breaks, forged, user = ATTEMPTS[attempt]
    raw = answer(dispatch)
    if signer is not None:
        raw = (keys.campus if signer == "campus" else keys.evil).sign(raw)
    if breaks:
        raw = broken(raw)
    if forged is not None:
        raw = forged_header(raw, forged)
    relay.send(raw, login=login(user) if user else None)
    header = our_header(relay)
    # What the relay verified, as it wrote it.
    expected = {
        "campus": "dkim=fail header.d=example.edu.cn",
        "evil": "dkim=pass header.d=evil.example",
        None: "dkim=none",
    }[signer]
    assert expected in header and (user is None or f"auth=pass smtp.auth={user}" in header)
    # The forged headers are gone: only the relay's own bears its id.
    delivered = relay.delivered()[-1].data.decode("utf-8", "replace").lower()
    assert delivered.count("mx.example.edu.cn;") == 1, header
    outcomes = loop.run()
    assert_nothing_applied(loop, before, outcomes)
    assert [o.status for o in outcomes] == ["confirming"]
    challenge = loop.last_to(HQC, "【请确认】")
    assert challenge["Reply-To"] != dispatch["Reply-To"]
    assert not answers_to_petitioner(loop)


def office_mail(to: str, subject: str, text: str) -> bytes:
    m = EmailMessage()
    m["From"] = f"党政办公室 <{OFFICE}>"
    m["To"] = to
    m["Subject"] = subject
    m["Message-ID"] = make_msgid(domain="example.edu.cn")
    m.set_content(text)
    return bytes(m)


def answers_to_petitioner(loop: Loop) -> list[Any]:
    return [m for m in loop.sink.messages(PETITIONER) if "答复" in m.parsed()["Subject"]]


def test_confirmation_round_trip_through_the_relay(
    loop: Loop, relay: ReceivingRelay, keys: Keys
) -> None:
    dispatch = dispatched(loop)
    relay.send(keys.campus.sign(answer(dispatch)))
    loop.run()
    assert loop.ticket().status == "pending_approval"
    request = loop.last_to(OFFICE, "【待审核】")
    number = loop.ticket().number
    # 1. The forged command: From the office, a forged trusted header, to the real request's
    # reply address — the relay strips the header, so it can only become a challenge.
    forged = forged_header(
        office_mail(request["Reply-To"], "Re: " + request["Subject"], f"修改：本答复作废。{EVIL}"),
        "mx.example.edu.cn; dkim=pass header.d=example.edu.cn; dmarc=pass",
    )
    relay.send(forged)
    assert [o.status for o in loop.run()] == ["confirming"]
    first = loop.last_to(OFFICE, "【请确认】")
    assert "evil.example" in first.get_body(("plain",)).get_content()
    assert loop.ticket().status == "pending_approval"
    assert not answers_to_petitioner(loop)
    # Nobody at the office answers that challenge: nothing ever happens to it.
    # 2. The genuine office writes a fresh command (no token) from its own login: a challenge.
    relay.send(
        office_mail("xinxiang@example.edu.cn", f"{number} 审核", "同意"), login=login(OFFICE)
    )
    assert [o.status for o in loop.run()] == ["confirming"]
    challenge = loop.last_to(OFFICE, "【请确认】")
    assert challenge["Message-ID"] != first["Message-ID"]
    challenges = [m for m in loop.sink.messages() if "【请确认】" in m.parsed()["Subject"]]
    assert len(challenges) == 2 and all(list(m.rcpt_tos) == [OFFICE] for m in challenges)
    # 3. The office answers its challenge with 确认: applied, once.
    confirm = office_mail(challenge["Reply-To"], "Re: " + challenge["Subject"], "确认")
    relay.send(confirm, login=login(OFFICE))
    assert [o.status for o in loop.run()] == ["office"]
    assert loop.ticket().status == "answered"
    assert len(answers_to_petitioner(loop)) == 1
    relay.send(
        office_mail(challenge["Reply-To"], "Re: " + challenge["Subject"], "确认"),
        login=login(OFFICE),
    )
    loop.run()
    assert len(answers_to_petitioner(loop)) == 1
    [sent] = answers_to_petitioner(loop)
    assert EVIL not in sent.data.decode("utf-8", "replace")
    with loop.ctx.db.unit_of_work() as s:
        assert len(s.execute(select(EventRow).where(EventRow.kind == "approved")).all()) == 1
        holds = s.execute(select(HoldingRow).order_by(HoldingRow.id)).scalars().all()
        assert [h.state for h in holds][:2] == ["confirm", "confirmed"]
        assert s.execute(select(ShuntRow)).first() is None
