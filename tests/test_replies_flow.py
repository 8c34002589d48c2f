"""The reply loop on the real servers: Dovecot → dispatch → department answer → office approval
→ answer with PDF in the petitioner's sink → public board; and what must never act on a ticket."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import xinxiang.store.models_replies  # noqa: F401
from replies_helpers import (
    CAMPUS_AUTH,
    HQC,
    OFFICE,
    PETITIONER,
    Loop,
    Tags,
    dispatched,
    make_loop,
    qq_reply,
)
from servers import ImapAccount, SmtpSink
from xinxiang.handlers import Actor, ApproveReply, handle
from xinxiang.store.models import EventRow
from xinxiang.store.models_replies import HoldingRow, TicketReplyRow


def now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture
def loop(imap_account: ImapAccount, smtp_sink: SmtpSink, tmp_config: Any) -> Loop:
    return make_loop(imap_account, smtp_sink, tmp_config)


def test_public_letter_full_loop_answer_with_pdf_and_board(loop: Loop) -> None:
    dispatch = dispatched(loop)
    answer = "正式回复：经核查，12号楼热水系统循环泵故障，已于今日更换，热水已恢复正常供应。"
    loop.imap.append(qq_reply(HQC, dispatch["Reply-To"], dispatch["Subject"], answer, dispatch))
    outcomes = loop.run()
    assert [o.action for o in outcomes] == ["formal"]
    confirm = loop.last_to(HQC, "【已记录】")
    assert "已记录为正式回复，待党政办公室审核" in confirm.get_body(("plain",)).get_content()
    request = loop.last_to(OFFICE, "【待审核】")
    assert any(p.get_content_type() == "application/pdf" for p in request.iter_attachments())
    assert "循环泵故障" in request.get_body(("plain",)).get_content()
    assert loop.ticket().status == "pending_approval"
    assert not loop.sink.messages(PETITIONER) or all(
        "正式答复" not in m.parsed()["Subject"] for m in loop.sink.messages(PETITIONER)
    )

    office = EmailMessage()
    office["From"] = f"党政办公室 <{OFFICE}>"
    office["To"] = request["Reply-To"]
    office["Subject"] = "Re: " + request["Subject"]
    office["Message-ID"] = make_msgid(domain="example.edu.cn")
    office["In-Reply-To"] = request["Message-ID"]
    office["Authentication-Results"] = CAMPUS_AUTH
    office.set_content("同意\n\n发自我的iPhone")
    loop.imap.append(bytes(office))
    loop.run()

    got = loop.last_to(PETITIONER, "【正式答复】")
    text = got.get_body(("plain",)).get_content()
    assert "循环泵故障" in text and loop.ticket().number in text and "后勤管理处" in text
    assert got.get_body(("html",)) is not None
    pdfs = [p for p in got.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert pdfs and pdfs[0].get_payload(decode=True).startswith(b"%PDF")
    assert got["In-Reply-To"]  # threaded to the original letter
    loop.last_to(OFFICE, "【双反馈】")
    t = loop.ticket()
    assert t.status == "answered" and t.revisit_due is not None
    board = loop.ctx.cfg.data_dir / "public"
    pages = list((board / "letters").glob("*.html"))
    assert len(pages) == 1
    page = pages[0].read_text(encoding="utf-8")
    assert "循环泵故障" in page and "13812345678" not in page and "张三" not in page


def test_spoofed_sender_and_forged_token_land_in_holding_and_change_nothing(loop: Loop) -> None:
    dispatch = dispatched(loop)
    before = loop.ticket()
    spoof = qq_reply(
        "hqc@example.com", dispatch["Reply-To"], dispatch["Subject"], "正式回复：已处理。", dispatch
    )
    forged_to = dispatch["Reply-To"].replace("+t", "+t9")
    forged = qq_reply(HQC, forged_to, dispatch["Subject"], "正式回复：已处理。", dispatch)
    dkim = qq_reply(
        HQC,
        dispatch["Reply-To"],
        dispatch["Subject"],
        "正式回复：已处理。",
        dispatch,
        auth="mx.example.edu.cn; dkim=fail header.d=example.edu.cn; spf=pass",
    )
    for raw in (spoof, forged, dkim):
        loop.imap.append(raw)
    outcomes = loop.run()
    # A registered address whose mail failed DKIM is asked to confirm; nothing is applied.
    assert [o.status for o in outcomes] == ["held", "held", "confirming"]
    after = loop.ticket()
    assert (after.status, after.formal_due) == (before.status, before.formal_due)
    with loop.ctx.db.unit_of_work() as s:
        states = sorted(h.state for h in s.execute(select(HoldingRow)).scalars())
        assert states == ["confirm", "open", "open"]
        assert s.execute(select(TicketReplyRow)).first() is None
    assert (
        len([m for m in loop.sink.messages(OFFICE) if "【待甄别】" in m.parsed()["Subject"]]) == 2
    )
    assert "DKIM" in loop.last_to(HQC, "【请确认】").get_body(("plain",)).get_content()


def test_return_after_the_window_is_refused_and_inside_it_goes_to_triage(loop: Loop) -> None:
    dispatch = dispatched(loop)
    late = loop.ticket().dispatched_at + timedelta(hours=2)  # type: ignore[operator]
    loop.imap.append(
        qq_reply(HQC, dispatch["Reply-To"], dispatch["Subject"], "退回：非本部门职责", dispatch)
    )
    outcomes = loop.run(at=late)
    assert [o.status for o in outcomes] == ["refused"]
    assert loop.ticket().status == "dispatched"
    assert "退回时限" in loop.last_to(HQC, "【未采纳】").get_body(("plain",)).get_content()


def test_extension_beyond_five_days_is_refused_within_goes_to_the_office(loop: Loop) -> None:
    dispatch = dispatched(loop, subject="宿舍热水问题")
    due = loop.ticket().formal_due
    assert due is not None
    local = due.astimezone(loop.ctx.cfg.tz).date()
    too_far = local + timedelta(days=6)
    ok = local + timedelta(days=3)
    loop.imap.append(
        qq_reply(
            HQC,
            dispatch["Reply-To"],
            dispatch["Subject"],
            f"延期：至{too_far.isoformat()}，原因：需采购配件",
            dispatch,
        )
    )
    assert [o.status for o in loop.run()] == ["refused"]
    assert loop.ticket().formal_due == due
    loop.imap.append(
        qq_reply(
            HQC,
            dispatch["Reply-To"],
            dispatch["Subject"],
            f"延期：至{ok.isoformat()}，原因：需采购配件",
            dispatch,
        )
    )
    assert [o.action for o in loop.run()] == ["extension"]
    assert loop.ticket().formal_due == due  # until the office agrees
    loop.last_to(OFFICE, "【待审核】")


def test_private_letter_formal_reply_goes_straight_to_the_petitioner(loop: Loop) -> None:
    dispatch = dispatched(loop, subject="宿舍热水问题", body="12号楼宿舍热水已经三天没有了。")
    loop.imap.append(
        qq_reply(HQC, dispatch["Reply-To"], dispatch["Subject"], "经核查已修复热水系统。", dispatch)
    )  # no keyword: formal on track 1
    loop.run()
    got = loop.last_to(PETITIONER, "【正式答复】")
    assert "已修复热水系统" in got.get_body(("plain",)).get_content()
    assert "原始邮件" not in got.get_body(("plain",)).get_content()
    assert loop.ticket().status == "answered"
    assert not (loop.ctx.cfg.data_dir / "public" / "letters").exists() or not list(
        (loop.ctx.cfg.data_dir / "public" / "letters").glob("*.html")
    )


def test_petitioner_follow_up_is_forwarded_to_the_department(loop: Loop) -> None:
    dispatched(loop, subject="宿舍热水问题")
    ack = loop.last_to(PETITIONER, "")
    m = EmailMessage()
    m["From"] = f"张三 <{PETITIONER}>"
    m["To"] = ack["Reply-To"]
    m["Subject"] = "Re: " + ack["Subject"]
    m["Message-ID"] = make_msgid(domain="stu.example.edu.cn")
    m.set_content("补充：今天早上也没有热水。")
    loop.imap.append(bytes(m))
    assert [o.status for o in loop.run()] == ["follow_up"]
    fwd = loop.last_to(HQC, "【补充来信】")
    assert "今天早上也没有热水" in fwd.get_body(("plain",)).get_content()
    with loop.ctx.db.unit_of_work() as s:
        assert s.execute(select(EventRow).where(EventRow.kind == "follow_up")).first()


def test_script_in_a_public_letter_never_reaches_the_board(loop: Loop, tmp_path: Path) -> None:
    dispatch = dispatched(
        loop, body="热水问题<script>alert(1)</script><img src=x onerror=alert(2)>请处理，同意公开。"
    )
    loop.imap.append(
        qq_reply(
            HQC,
            dispatch["Reply-To"],
            dispatch["Subject"],
            "正式回复：已处理<script>alert(3)</script>",
            dispatch,
        )
    )
    loop.run()
    actor = Actor(role="office", name="cli:test", channel="cli")
    handle(ApproveReply(actor, loop.ticket().number), loop.ctx, now())
    html = "".join(
        p.read_text(encoding="utf-8") for p in (loop.ctx.cfg.data_dir / "public").rglob("*.html")
    )
    assert "已处理" in html
    tags = Tags()
    tags.feed(html)
    assert "script" not in tags.names and not tags.handlers
