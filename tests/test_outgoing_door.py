"""Specification of the one door for outgoing mail: per-address caps, staff digests, RFC 3834.

Adversarial: letters from outside addresses never draw more than the hourly cap of automatic
mail to any outside address (the rest is held, never lost, and the office told once); a burst
of notices to one department becomes at most the threshold of mails plus an hourly digest that
lists every one of them; every kind of mail the door writes says Auto-Submitted as RFC 3834 asks.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from sqlalchemy import select

from inbound_helpers import context
from test_flood import MATTERS
from test_routing import NOW, take
from xinxiang.domain.workflow import Notice, Recipient, Role
from xinxiang.outgoing.ack import render_ack
from xinxiang.outgoing.door import render_deferred, send
from xinxiang.services.ingest import MessageOrigin, ingest_raw
from xinxiang.store.models import EventRow, OutboxRow, TicketRow

UNSENT = ("skipped", "held", "coalesced")
OUTSIDERS = ["attacker1@qq.com", "attacker2@163.com"]
LETTERS = [
    *MATTERS[:6],
    ("劳动仲裁", "我已经向劳动人事争议仲裁委员会申请仲裁，请学校配合。"),
    ("宿舍热水问题", "12号楼宿舍热水已经三天没有了，请尽快处理。"),  # a duplicate
]


def _parsed(raw: bytes) -> EmailMessage:
    msg = message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def test_a_flood_from_outside_never_exceeds_the_cap_to_any_outside_address(tmp_config) -> None:  # type: ignore[no-untyped-def]
    cap = 3
    ctx = context(
        tmp_config(
            overrides={
                "outgoing": {"outside_per_hour": cap},
                "ack": {"max_per_sender_per_hour": 10},
                "dispatch": {"flood_letters_per_hour": 50},
            }
        )
    )
    for i, (subject, body) in enumerate(LETTERS):
        for j, sender in enumerate(OUTSIDERS):
            take(ctx, subject, body, sender=sender, at=NOW + timedelta(minutes=2 * i + j))
    with ctx.db.unit_of_work() as s:
        rows = list(s.execute(select(OutboxRow)).scalars())
        for address in OUTSIDERS:
            mine = [r for r in rows if r.recipient_key == address]
            going = [r for r in mine if r.state not in UNSENT]
            assert len(going) <= cap, [r.kind for r in going]
            held = [r for r in mine if r.state == "held"]
            assert held, "the template answers past the cap are held, not dropped"
            assert all(r.raw for r in held), "a held mail is kept whole"
            told = [
                r
                for r in rows
                if r.kind == "mail_held_notice" and address in str(_parsed(r.raw or b"")["Subject"])
            ]
            assert len(told) == 1, "the office is told once per address and hour"
        held_events = list(
            s.execute(select(EventRow).where(EventRow.kind == "mail_held")).scalars()
        )
        assert len(held_events) == sum(r.state == "held" for r in rows)
        # Staff mail (dispatch) is not capped by the petitioners' flood.
        assert sum(r.kind == "dispatch" for r in rows) >= len(OUTSIDERS) * 4


def test_the_cap_does_not_touch_school_addresses(tmp_config) -> None:  # type: ignore[no-untyped-def]
    ctx = context(
        tmp_config(
            overrides={
                "outgoing": {"outside_per_hour": 1, "school_domains": ["example.edu.cn"]},
                "ack": {"max_per_sender_per_hour": 10},
            }
        )
    )
    for i, (subject, body) in enumerate(MATTERS[:3]):
        take(ctx, subject, body, sender="s9@stu.example.edu.cn", at=NOW + timedelta(minutes=i))
    with ctx.db.unit_of_work() as s:
        rows = list(s.execute(select(OutboxRow)).scalars())
        acks = [r for r in rows if r.recipient_key == "s9@stu.example.edu.cn"]
        assert len(acks) == 3 and not any(r.state in UNSENT for r in acks)


def test_a_burst_to_one_department_becomes_the_threshold_plus_a_digest_of_all(tmp_config) -> None:  # type: ignore[no-untyped-def]
    threshold, burst = 10, 200
    ctx = context(tmp_config(overrides={"outgoing": {"staff_per_hour": threshold}}))
    ticket, _, _ = take(ctx, *MATTERS[0], sender="s1@stu.example.edu.cn")
    code = ticket.department_code
    assert code is not None
    dept = ctx.cfg.department(code)
    assert dept is not None
    with ctx.db.unit_of_work() as s:
        row = s.get(TicketRow, ticket.id)
        assert row is not None
        for i in range(burst):
            n = Notice(
                "confirm",
                (Recipient(Role.DEPARTMENT, code),),
                key=f"burst{i}",
                message=f"第{i:03d}号通知",
            )
            send(ctx, s, row, n, NOW + timedelta(seconds=i))
        # Posting is idempotent on the key, whether the mail went out or into a digest.
        again = [f"burst{i}" for i in (0, burst - 1)]
        for key in again:
            n = Notice("confirm", (Recipient(Role.DEPARTMENT, code),), key=key, message="重发")
            send(ctx, s, row, n, NOW + timedelta(hours=3))
    with ctx.db.unit_of_work() as s:
        rows = list(s.execute(select(OutboxRow)).scalars())
    assert not any(r.created_at >= NOW + timedelta(hours=3) for r in rows)
    for address in (a.lower() for a in dept.emails):
        mine = [r for r in rows if address in r.recipients]
        direct = [r for r in mine if r.state not in UNSENT and r.kind != "staff_digest"]
        digests = [r for r in mine if r.kind == "staff_digest"]
        assert len(direct) <= threshold
        assert len(digests) == 1 and digests[0].state == "pending"
        assert digests[0].next_attempt_at > NOW, "the digest goes at the end of the hour"
        with ctx.db.unit_of_work() as s:
            raw = render_deferred(ctx, s, digests[0])
        assert raw is not None
        text = _parsed(raw).get_body(("plain",))
        assert text is not None
        body = text.get_content()
        shown = {i for i in range(burst) if f"第{i:03d}号通知" in body}
        confirms = [r for r in direct if r.kind == "confirm"]
        direct_text = "".join(_decoded(r).decode() for r in confirms)
        sent_direct = {i for i in range(burst) if f"第{i:03d}号通知" in direct_text}
        assert shown | sent_direct == set(range(burst)), "every notice appears somewhere"
        assert len(shown) + len(sent_direct) == burst


def test_one_mail_to_several_staff_past_the_threshold_is_kept_for_each(tmp_config) -> None:  # type: ignore[no-untyped-def]
    ctx = context(tmp_config(overrides={"outgoing": {"staff_per_hour": 1}}))
    ticket, _, _ = take(ctx, *MATTERS[0], sender="s2@stu.example.edu.cn")
    code = ticket.department_code
    assert code is not None
    to = (Recipient(Role.DEPARTMENT, code), Recipient(Role.OFFICE))
    with ctx.db.unit_of_work() as s:
        row = s.get(TicketRow, ticket.id)
        assert row is not None
        for i in range(3):
            n = Notice("confirm", to, key=f"both{i}", message=f"第{i}号通知")
            send(ctx, s, row, n, NOW + timedelta(seconds=i))
    with ctx.db.unit_of_work() as s:
        rows = list(s.execute(select(OutboxRow).where(OutboxRow.kind == "confirm")).scalars())
    addresses = {a.lower() for a in ctx.cfg.office.emails} | {
        a.lower() for a in (ctx.cfg.department(code) or ctx.cfg.office).emails
    }
    for i in range(3):
        mine = [r for r in rows if r.dedupe_key.split(">")[0].endswith(f"both{i}")]
        reached = {a for r in mine for a in r.recipients}
        assert reached == addresses, "each address has the mail, directly or in its digest"
    assert len({r.message_id for r in rows}) == len(rows), "a Message-ID is used once"


def _decoded(row: OutboxRow) -> bytes:
    body = _parsed(row.raw or b"").get_body(("plain",))
    return body.get_content().encode() if body is not None else b""


# RFC 3834: a reply to a message is auto-replied, anything else auto-generated.
AUTO_SUBMITTED = {
    "ack": "auto-replied",
    "legal_channel": "auto-replied",
    "illegal": "auto-replied",
    "duplicate_notice": "auto-replied",
    "praise_forward": "auto-generated",
    "office_flag": "auto-generated",
    "dispatch": "auto-generated",
    "emergency_alert": "auto-generated",
    "suspected_emergency_alert": "auto-generated",
    "confirm": "auto-generated",
    "refuse": "auto-generated",
    "return_notice": "auto-generated",
    "followup_forward": "auto-generated",
    "mail_held_notice": "auto-generated",
    "staff_digest": "auto-generated",
}


def test_every_kind_of_mail_says_auto_submitted_as_rfc_3834_asks(tmp_config) -> None:  # type: ignore[no-untyped-def]
    ctx = context(
        tmp_config(
            overrides={
                "outgoing": {"outside_per_hour": 2, "staff_per_hour": 1},
                "dispatch": {"flood_letters_per_hour": 2},
            }
        )
    )
    take(ctx, "紧急！宿舍楼道着火了", "东区7号楼三楼楼道着火，浓烟很大！", sender="a@qq.com")
    take(ctx, "劳动仲裁", "我已经向劳动人事争议仲裁委员会申请仲裁，请学校配合。", sender="b@qq.com")
    take(
        ctx, "感谢后勤维修师傅", "感谢后勤的王师傅，半夜来修好了水管，特此表扬！", sender="c@qq.com"
    )
    take(ctx, *MATTERS[4], sender="e@qq.com")
    take(ctx, *MATTERS[4], sender="e@qq.com", at=NOW + timedelta(hours=2))
    for i, (subject, body) in enumerate(MATTERS[:3]):
        ticket, _, _ = take(ctx, subject, body, sender="d@qq.com", at=NOW + timedelta(minutes=i))
    with ctx.db.unit_of_work() as s:
        row = s.get(TicketRow, ticket.id)
        assert row is not None
        dept = Recipient(Role.DEPARTMENT, "hqc")
        for n in [
            Notice("confirm", (dept,), key="c1", message="已记录"),
            Notice("refuse", (Recipient(Role.PETITIONER),), key="r1", message="未采纳"),
            Notice("return_notice", (Recipient(Role.OFFICE),), key="t1", message="不属本单位"),
            Notice(
                "followup_forward", (dept,), key="f1", data={"text": "补充", "title": "补充来信"}
            ),
        ]:
            send(ctx, s, row, n, NOW + timedelta(minutes=10))
    with ctx.db.unit_of_work() as s:
        rows = list(s.execute(select(OutboxRow)).scalars())
        seen: Counter[str] = Counter()
        for r in rows:
            raw = r.raw if r.raw is not None else render_deferred(ctx, s, r)
            if raw is None:
                continue
            assert r.kind in AUTO_SUBMITTED, f"no RFC 3834 rule for mail kind {r.kind!r}"
            assert _parsed(raw)["Auto-Submitted"] == AUTO_SUBMITTED[r.kind], r.kind
            seen[r.kind] += 1
    missing = set(AUTO_SUBMITTED) - set(seen) - {"suspected_emergency_alert", "illegal"}
    assert not missing, f"kinds the scenario did not produce: {missing}"


def _letter_with(headers: dict[str, str], sender: str) -> bytes:
    m = EmailMessage()
    m["From"] = f"张三 <{sender}>"
    m["To"] = "xinxiang@example.edu.cn"
    m["Subject"] = "宿舍热水问题"
    m["Message-ID"] = make_msgid(domain="qq.com")
    for name, value in headers.items():
        m[name] = value
    m.set_content("12号楼的热水已经三天没有了，请尽快处理。")
    return bytes(m)


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Auto-Submitted": "auto-generated"},
        {"Auto-Submitted": "auto-notified; owner-email=x@qq.com"},
        {"Precedence": "bulk"},
        {"Precedence": "list"},
        {"Precedence": "junk"},
        {"List-Id": "<news.lists.qq.com>"},
    ],
)
def test_no_automatic_answer_to_automatic_or_list_mail(tmp_config, headers) -> None:  # type: ignore[no-untyped-def]
    ctx = context(tmp_config())
    sender = "robot@qq.com"
    ingest_raw(ctx, _letter_with(headers, sender), MessageOrigin("m", "书记信箱", "t"), NOW)
    with ctx.db.unit_of_work() as s:
        answers = [
            r
            for r in s.execute(select(OutboxRow)).scalars()
            if r.recipient_key == sender and r.state not in UNSENT
        ]
    assert answers == []


def test_an_ordinary_letter_is_answered_with_auto_submitted_no_reply_loop(tmp_config) -> None:  # type: ignore[no-untyped-def]
    ctx = context(tmp_config())
    sender = "person@qq.com"
    ingest_raw(
        ctx,
        _letter_with({"Auto-Submitted": "no"}, sender),
        MessageOrigin("m", "书记信箱", "t"),
        NOW,
    )
    with ctx.db.unit_of_work() as s:
        acks = [r for r in s.execute(select(OutboxRow)).scalars() if r.recipient_key == sender]
        assert [r.kind for r in acks] == ["ack"]
        raw = render_ack(ctx, s, acks[0])
    assert raw is not None and _parsed(raw)["Auto-Submitted"] == "auto-replied"
