"""Adversarial specification: a reply token binds ticket, role *and* the one address it went to.

Every attempt runs through the real Dovecot and SMTP servers, on SQLite and PostgreSQL. A mail
carrying a reply token goes to one address at a time, so a department's several addresses each
get their own token; a staff action by mail is applied only when the token is bound to the
authenticated From. A colleague's token, a ticket+role token from before address binding or a
token in a mail that is no answer takes the confirmation round trip or the holding pen, and
changes nothing by itself. Where the receiving server has no plus-addressing
(``replies.token_in = "subject"``) the token rides in the Subject as ``[XX-…]``; the staff
digest gives every listed mail its own reply address (issue #12).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from sqlalchemy import select

from inbound_helpers import context, letter
from replies_helpers import CAMPUS_AUTH, HQC, PETITIONER, Loop, qq_reply
from servers import ImapAccount, SmtpSink
from test_adversarial_mail_actions import mail as outside_mail
from xinxiang.outgoing.door import render_deferred
from xinxiang.replies.tokens import make_token
from xinxiang.store.models import OutboxRow, TicketRow
from xinxiang.store.models_replies import TicketReplyRow

HQC2 = "hqc-ban@example.edu.cn"
BASE = "xinxiang@example.edu.cn"
TAG = re.compile(r"\[XX-([0-9a-z]+)\]")
ANSWER = "正式回复：经核查，12号楼热水循环泵故障，已更换，热水已恢复。"

NEW_KEY = "7a3c9e1f5b2d8046c1e9f3a7b5d20864e2f4a6c8b1d3f5079e8c6a4b2d1f3e5a"

MakeLoop = Callable[..., Loop]


@pytest.fixture
def make(imap_account: ImapAccount, smtp_sink: SmtpSink, tmp_config: Any, db_url: str) -> MakeLoop:
    """A deployment whose 后勤管理处 has two registered addresses; `token_in` as given."""

    def build(token_in: str = "plus", **overrides: Any) -> Loop:
        cfg_dir: Path = tmp_config(
            imap=imap_account,
            smtp=smtp_sink,
            database_url=db_url,
            overrides={"replies": {"token_in": token_in}, **overrides},
        )
        path = cfg_dir / "departments.toml"
        text = path.read_text("utf-8")
        one = 'emails = ["hqc@example.edu.cn"]'
        assert one in text
        path.write_text(text.replace(one, f'emails = ["hqc@example.edu.cn", "{HQC2}"]'), "utf-8")
        loop = Loop(context(cfg_dir), imap_account, smtp_sink)
        loop.cfg_dir = cfg_dir  # type: ignore[attr-defined]
        return loop

    return build


def answer(
    sender: str,
    to: str,
    subject: str,
    text: str,
    *,
    in_reply_to: str | None = None,
    auth: str | None = CAMPUS_AUTH,
) -> bytes:
    """A mail from `sender` (authenticated by the campus server unless `auth` is None)."""
    return outside_mail(
        sender, to, subject, text, name="后勤管理处", auth=auth, in_reply_to=in_reply_to
    )


HOT_WATER = (
    "【公开】宿舍热水问题",
    "老师您好，12号楼宿舍热水已经三天没有了，请尽快处理。我同意公开。",
)
CANTEEN = ("【公开】食堂饭菜涨价", "二食堂的套餐最近涨价很多，希望说明原因。我同意公开。")


def dispatch_to(loop: Loop, rcpt: str, matter: tuple[str, str] = HOT_WATER) -> Any:
    """A letter in; the dispatch mail about it that went to `rcpt`."""
    loop.imap.append(letter(subject=matter[0], body=matter[1]))
    loop.run()
    return loop.last_to(rcpt, matter[0].removeprefix("【公开】"))


def unchanged(loop: Loop) -> tuple[str, Any]:
    t = loop.ticket()
    return t.status, t.formal_due


def no_answer_recorded(loop: Loop) -> bool:
    with loop.ctx.db.unit_of_work() as s:
        return s.execute(select(TicketReplyRow)).first() is None


# --------------------------------------------------------------------------- plus-addressing


def test_each_of_a_departments_addresses_gets_its_own_mail_and_token(make: MakeLoop) -> None:
    loop = make()
    first, second = dispatch_to(loop, HQC), loop.last_to(HQC2, "【转办】")
    # One mail per address, never both on one mail.
    dispatches = [m for m in loop.sink.messages() if "【转办】" in m.parsed()["Subject"]]
    assert sorted(tuple(m.rcpt_tos) for m in dispatches) == [(HQC2,), (HQC,)]
    assert first["To"] == HQC and second["To"] == HQC2
    assert first["Reply-To"] != second["Reply-To"]
    assert first["Message-ID"] != second["Message-ID"]
    for mail in (first, second):
        local = mail["Reply-To"].split("@")[0]
        assert len(local) <= 64, "a plus-address local part stays within RFC 5321"


def test_each_address_answers_with_its_own_token(make: MakeLoop) -> None:
    loop = make()
    dispatch_to(loop, HQC)
    mine = loop.last_to(HQC2, "【转办】")
    loop.imap.append(qq_reply(HQC2, mine["Reply-To"], mine["Subject"], ANSWER, mine))
    [outcome] = loop.run()
    assert (outcome.status, outcome.action) == ("recorded", "formal")
    assert loop.ticket().status == "pending_approval"


def test_a_colleagues_token_takes_the_round_trip_and_then_applies_once(make: MakeLoop) -> None:
    loop = make()
    theirs = dispatch_to(loop, HQC)
    before = unchanged(loop)
    # HQC2 answers through the token HQC received (a forwarded mail, a shared inbox ...).
    loop.imap.append(qq_reply(HQC2, theirs["Reply-To"], theirs["Subject"], ANSWER, theirs))
    [outcome] = loop.run()
    assert outcome.status == "confirming"
    assert "其他收件人" in (outcome.reason or "")
    assert unchanged(loop) == before and no_answer_recorded(loop)
    challenge = loop.last_to(HQC2, "【请确认】")
    assert not [m for m in loop.sink.messages(HQC) if "【请确认】" in m.parsed()["Subject"]]
    loop.imap.append(answer(HQC2, challenge["Reply-To"], "回复：" + challenge["Subject"], "确认"))
    loop.imap.append(answer(HQC2, challenge["Reply-To"], "回复：" + challenge["Subject"], "确认"))
    loop.run()
    assert loop.ticket().status == "pending_approval"
    with loop.ctx.db.unit_of_work() as s:
        assert len(s.execute(select(TicketReplyRow)).all()) == 1


def test_a_ticket_and_role_token_from_before_identifies_but_never_authorises(
    make: MakeLoop,
) -> None:
    loop = make()
    dispatch = dispatch_to(loop, HQC)
    before = unchanged(loop)
    number = loop.ticket().number
    old = f"xinxiang+{make_token(number, loop.ctx.token_key, 'department')}@example.edu.cn"
    loop.imap.append(qq_reply(HQC, old, dispatch["Subject"], ANSWER, dispatch))
    [outcome] = loop.run()
    assert outcome.status == "confirming" and outcome.ticket_number == number
    assert "未绑定收件地址" in (outcome.reason or "")
    assert unchanged(loop) == before and no_answer_recorded(loop)


def test_a_token_for_another_recipient_or_altered_is_no_proof(make: MakeLoop) -> None:
    loop = make()
    dispatch = dispatch_to(loop, HQC)
    before = unchanged(loop)
    number = loop.ticket().number
    key = loop.ctx.token_key
    # Bound to the department's role but to an address the mail is not from,
    stranger = make_token(number, key, "department", "someone@example.edu.cn")
    # and a genuine token with one MAC character changed.
    token = dispatch["Reply-To"].split("+")[1].split("@")[0]
    altered = token[:-1] + ("a" if token[-1] != "a" else "b")
    for bad in (stranger, altered):
        loop.imap.append(
            qq_reply(HQC, f"xinxiang+{bad}@example.edu.cn", dispatch["Subject"], ANSWER, dispatch)
        )
    outcomes = loop.run()
    assert [o.status for o in outcomes] == ["held", "held"]
    assert all("无效" in (o.reason or "") for o in outcomes)
    assert unchanged(loop) == before and no_answer_recorded(loop)


def test_tokens_sent_before_a_key_rotation_still_prove_their_mail(
    make: MakeLoop, monkeypatch: pytest.MonkeyPatch
) -> None:
    loop = make()
    dispatch = dispatch_to(loop, HQC)
    old_key = loop.ctx.token_key
    monkeypatch.setenv("XINXIANG_PREVIOUS_TOKEN_KEYS", bytes(old_key).decode())
    monkeypatch.setenv("XINXIANG_TOKEN_KEY", NEW_KEY)
    loop.ctx = context(loop.cfg_dir)  # type: ignore[attr-defined]
    assert bytes(loop.ctx.token_key) != bytes(old_key)
    loop.imap.append(qq_reply(HQC, dispatch["Reply-To"], dispatch["Subject"], ANSWER, dispatch))
    [outcome] = loop.run()
    assert (outcome.status, outcome.action) == ("recorded", "formal")


# --------------------------------------------------------------------------- subject tokens


def tag_of(mail: Any) -> str:
    found = TAG.findall(mail["Subject"])
    assert len(found) == 1, mail["Subject"]
    return str(found[0])


@pytest.mark.parametrize("prefix", ["回复：", "答复: ", "RE: ", "Re: 回复："])
def test_without_plus_addressing_the_subject_tag_proves_an_answer(
    make: MakeLoop, prefix: str
) -> None:
    loop = make("subject")
    dispatch = dispatch_to(loop, HQC)
    assert dispatch["Reply-To"] == BASE, "no plus address where the server has none"
    assert tag_of(dispatch) != tag_of(loop.last_to(HQC2, "【转办】"))
    receipt = loop.last_to(PETITIONER, "")
    assert receipt["Reply-To"] == BASE and tag_of(receipt) != tag_of(dispatch)
    # The client drops In-Reply-To and answers the bare address: the tag alone names it.
    loop.imap.append(answer(HQC, BASE, prefix + dispatch["Subject"], ANSWER))
    [outcome] = loop.run()
    assert (outcome.status, outcome.action) == ("recorded", "formal")
    assert loop.ticket().status == "pending_approval"


def test_both_modes_carry_the_same_token_in_reply_to_and_subject(make: MakeLoop) -> None:
    loop = make("both")
    dispatch = dispatch_to(loop, HQC)
    assert dispatch["Reply-To"] == f"xinxiang+{tag_of(dispatch)}@example.edu.cn"


def test_a_forwarded_subject_tag_of_a_colleague_takes_the_round_trip(make: MakeLoop) -> None:
    loop = make("subject")
    theirs = dispatch_to(loop, HQC)
    before = unchanged(loop)
    loop.imap.append(answer(HQC2, BASE, "转发：" + theirs["Subject"], ANSWER))
    [outcome] = loop.run()
    assert outcome.status == "confirming" and "其他收件人" in (outcome.reason or "")
    assert unchanged(loop) == before and no_answer_recorded(loop)
    # The challenge, too, carries its token in the Subject and is answered there.
    challenge = loop.last_to(HQC2, "【请确认】")
    assert challenge["Reply-To"] == BASE and TAG.search(challenge["Subject"])
    loop.imap.append(answer(HQC2, BASE, "回复：" + challenge["Subject"], "确认"))
    loop.run()
    assert loop.ticket().status == "pending_approval"


def test_subject_tags_that_must_not_act(make: MakeLoop) -> None:
    loop = make("subject")
    first = dispatch_to(loop, HQC)
    second = dispatch_to(loop, HQC, CANTEEN)
    assert first["X-Xinxiang-Ticket"] != second["X-Xinxiang-Ticket"]
    with loop.ctx.db.unit_of_work() as s:
        tickets = s.execute(select(TicketRow).order_by(TicketRow.id)).scalars().all()
        before = [(t.status, t.formal_due) for t in tickets]
    a, b = tag_of(first), tag_of(second)
    altered = a[:-1] + ("a" if a[-1] != "a" else "b")
    plain_second = TAG.sub("", second["Subject"]).strip()
    attempts = [
        # Ticket 1's token copied into an answer to ticket 2's mail.
        answer(
            HQC,
            BASE,
            f"回复：{plain_second} [XX-{a}]",
            ANSWER,
            in_reply_to=second["Message-ID"],
        ),
        # Two tokens in one subject.
        answer(HQC, BASE, f"回复：{first['Subject']} [XX-{b}]", ANSWER),
        # An altered token.
        answer(HQC, BASE, f"回复：{TAG.sub(f'[XX-{altered}]', first['Subject'])}", ANSWER),
        # The token in the subject of a new mail (no answer prefix, no thread headers).
        answer(HQC, BASE, first["Subject"], ANSWER),
        # The same from the petitioner, who holds the receipt's subject.
        answer(PETITIONER, BASE, f"新问题 [XX-{a}]", "食堂饭菜太贵。", auth=None),
    ]
    for raw in attempts:
        loop.imap.append(raw)
    outcomes = loop.run()
    reasons = [o.reason or "" for o in outcomes]
    assert [o.status for o in outcomes] == ["confirming", "held", "held", "confirming"]
    assert "引用的是工单" in reasons[0]
    assert "多个不同的回复令牌" in reasons[1]
    assert "无效" in reasons[2]
    assert "没有发往本工单有效的回复令牌" in reasons[3]
    with loop.ctx.db.unit_of_work() as s:
        tickets = s.execute(select(TicketRow).order_by(TicketRow.id)).scalars().all()
        assert [(t.status, t.formal_due) for t in tickets[:2]] == before
        # The petitioner's new mail is a new letter, not an act on ticket 1.
        assert len(tickets) == 3 and tickets[2].subject.startswith("新问题")
    assert no_answer_recorded(loop)


# --------------------------------------------------------------------------- staff digest


@pytest.mark.parametrize("token_in", ["plus", "subject"])
def test_every_mail_in_the_staff_digest_can_be_answered_on_its_own(
    make: MakeLoop, token_in: str
) -> None:
    loop = make(token_in, outgoing={"staff_per_hour": 1})
    dispatch_to(loop, HQC)
    # The second dispatch to 后勤 this hour goes into the digest, not out on its own.
    loop.imap.append(letter(subject=CANTEEN[0], body=CANTEEN[1]))
    loop.run()
    with loop.ctx.db.unit_of_work() as s:
        digest = s.execute(
            select(OutboxRow).where(
                OutboxRow.kind == "staff_digest", OutboxRow.recipient_key == HQC
            )
        ).scalar_one()
        coalesced = (
            s.execute(
                select(OutboxRow).where(
                    OutboxRow.state == "coalesced", OutboxRow.recipient_key == HQC
                )
            )
            .scalars()
            .all()
        )
        raw = render_deferred(loop.ctx, s, digest)
        second = s.execute(select(TicketRow).order_by(TicketRow.id.desc())).scalars().first()
        assert second is not None
        number = second.number
    assert raw is not None and coalesced
    from email import message_from_bytes, policy

    msg = message_from_bytes(raw, policy=policy.default)
    text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    links = re.findall(r"回复此件：(mailto:\S+)", text)
    assert len(links) == len(coalesced)
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert html.count('href="mailto:') == len(coalesced)
    # The department answers the digest's item of ticket 2 as its mail client opens the link.
    [link] = [u for u in links if number in unquote(u)]
    parts = urlsplit(link)
    to = unquote(parts.path)
    subject = parse_qs(parts.query)["subject"][0]
    assert to != BASE if token_in == "plus" else to == BASE
    loop.imap.append(answer(HQC, to, subject, ANSWER))
    [outcome] = loop.run(at=datetime.now(UTC) + timedelta(seconds=2))
    assert (outcome.status, outcome.action, outcome.ticket_number) == (
        "recorded",
        "formal",
        number,
    )
    # From another address the same link is no proof.
    loop.imap.append(answer(HQC2, to, subject, ANSWER.replace("已更换", "已修好")))
    [other] = loop.run()
    assert other.status == "confirming"
