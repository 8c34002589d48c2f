"""Inbound path on real servers: Dovecot → tickets → acknowledgements in the SMTP sink."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from sqlalchemy import func, select

from inbound_helpers import context, letter
from servers import ImapAccount, SmtpSink
from xinxiang.replies.tokens import find_ticket_in_addresses
from xinxiang.replies.transport import transport_for
from xinxiang.services.outbox import send_due
from xinxiang.services.poll import poll_source
from xinxiang.store.models import LetterRow, MailCursor, OutboxRow, QuarantineRow, TicketRow
from xinxiang.store.repo import set_cursor

# The key conftest's tmp_config exports.
TOKEN_KEY = b"99c2628388697d22bc2f6ee028dda0a2acbf7d505cd7c8d2bb2cf48ac3ce3c49"


def now() -> datetime:
    return datetime.now(UTC)


def count(ctx, model) -> int:  # type: ignore[no-untyped-def]
    with ctx.db.unit_of_work() as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar_one())


def test_letters_become_tickets_and_each_sender_gets_one_threaded_receipt(
    imap_account: ImapAccount, smtp_sink: SmtpSink, tmp_config, db_url: str
) -> None:
    ctx = context(tmp_config(imap=imap_account, smtp=smtp_sink, database_url=db_url))
    raws = [
        letter(sender=f"stu{i}@stu.example.edu.cn", name=f"学生{i}", subject=f"食堂问题{i}")
        for i in range(5)
    ]
    for raw in raws:
        imap_account.append(raw)

    result = poll_source(ctx, "shuji", now)
    assert result.created == 5
    assert imap_account.folder_count("INBOX") == 0
    assert imap_account.folder_count("Processed") == 5

    sent = send_due(ctx, transport_for(ctx.cfg), now())
    assert sent.sent == 10  # five receipts, five dispatch mails to 后勤管理处
    smtp_sink.wait_for(10)
    got = [m for m in smtp_sink.messages() if m.rcpt_tos[0].startswith("stu")]
    assert len(got) == 5
    with ctx.db.unit_of_work() as s:
        tickets = {t.petitioner_addr: t for t in s.execute(select(TicketRow)).scalars()}
        assert sorted(t.number for t in tickets.values()) == [
            f"{now().astimezone(ctx.cfg.tz).year}-{i:06d}" for i in range(1, 6)
        ]
        assert {t.channel for t in tickets.values()} == {"书记信箱"}
    for msg in got:
        parsed = msg.parsed()
        rcpt = msg.rcpt_tos[0]
        ticket = tickets[rcpt]
        assert ticket.number in parsed["Subject"]
        assert parsed["Auto-Submitted"] == "auto-replied"
        assert parsed["In-Reply-To"]
        body = parsed.get_body(("plain",)).get_content()
        assert ticket.query_code in body and "受理编号" in body
        assert parsed.get_body(("html",)) is not None
        # The receipt's token is bound to the petitioner's address (issue #12).
        token = find_ticket_in_addresses(
            [parsed["Reply-To"]], "xinxiang@example.edu.cn", TOKEN_KEY, lambda _n, _r, to=rcpt: [to]
        )
        assert (token.ticket, token.role, token.address) == (ticket.number, "petitioner", rcpt)


def test_the_same_message_twice_makes_one_ticket(imap_account: ImapAccount, tmp_config) -> None:
    ctx = context(tmp_config(imap=imap_account))
    raw = letter(message_id="<same@stu.example.edu.cn>")
    imap_account.append(raw)
    imap_account.append(raw)
    poll_source(ctx, "shuji", now)
    imap_account.append(raw)
    result = poll_source(ctx, "shuji", now)
    assert result.duplicates == 1
    assert count(ctx, TicketRow) == 1
    assert imap_account.folder_count("INBOX") == 0
    assert imap_account.folder_count("Processed") == 3


def test_without_message_id_duplicates_are_recognised_by_content(
    imap_account: ImapAccount, tmp_config
) -> None:
    ctx = context(tmp_config(imap=imap_account))
    raw = b"From: a@b.cn\r\nSubject: x\r\n\r\nhello\r\n"
    imap_account.append(raw)
    poll_source(ctx, "shuji", now)
    imap_account.append(raw)
    poll_source(ctx, "shuji", now)
    assert count(ctx, TicketRow) == 1


def test_malformed_mail_is_quarantined_and_later_letters_still_processed(
    imap_account: ImapAccount, tmp_config
) -> None:
    ctx = context(tmp_config(imap=imap_account))
    imap_account.append(letter(subject="第一封"))
    imap_account.append(b"\x00\x00\x00 not a mail at all \xff\xfe")
    imap_account.append(letter(subject="第三封"))
    result = poll_source(ctx, "shuji", now)
    assert (result.created, result.quarantined) == (2, 1)
    assert imap_account.folder_count("Quarantine") == 1
    assert imap_account.folder_count("INBOX") == 0
    with ctx.db.unit_of_work() as s:
        q = s.execute(select(QuarantineRow)).scalar_one()
        assert q.reason and q.state == "open"
        assert b"not a mail at all" in ctx.blobs.get(q.raw_sha256, ".eml")


def test_committed_but_not_moved_messages_are_moved_without_a_second_ticket(
    imap_account: ImapAccount, tmp_config
) -> None:
    """A crash between the commit and the MOVE: the next pass only moves."""
    ctx = context(tmp_config(imap=imap_account))
    imap_account.append(letter())
    from xinxiang.services.ingest import MessageOrigin, ingest_raw

    with imap_account.client() as c:
        info = c.select_folder("INBOX")
        validity = int(info[b"UIDVALIDITY"])
        uid = c.search(["ALL"])[0]
        raw = c.fetch([uid], ["BODY.PEEK[]"])[uid][b"BODY[]"]
    ingest_raw(ctx, raw, MessageOrigin("shuji", "书记信箱", "x", validity, uid), now())
    result = poll_source(ctx, "shuji", now)
    assert result.created == 0
    assert count(ctx, TicketRow) == 1
    assert imap_account.folder_count("Processed") == 1


def test_uidvalidity_change_neither_skips_nor_duplicates(
    imap_account: ImapAccount, tmp_config
) -> None:
    ctx = context(tmp_config(imap=imap_account))
    imap_account.append(letter(subject="旧信"))
    poll_source(ctx, "shuji", now)
    # The server renumbered the folder: our cursor now names a validity that no longer exists
    # and a last UID far beyond anything the new numbering has.
    with ctx.db.unit_of_work() as s:
        s.delete(s.get(MailCursor, "shuji"))
        s.flush()
        set_cursor(s, "shuji", 1, 10_000, now())
    imap_account.append(letter(subject="新信"))
    result = poll_source(ctx, "shuji", now)
    assert result.created == 1
    assert count(ctx, TicketRow) == 2


def test_noise_is_recorded_but_never_answered(
    imap_account: ImapAccount, smtp_sink: SmtpSink, tmp_config
) -> None:
    ctx = context(tmp_config(imap=imap_account, smtp=smtp_sink))
    auto = EmailMessage()
    auto["From"] = "teacher@example.edu.cn"
    auto["Subject"] = "自动回复: 宿舍热水问题"
    auto["Auto-Submitted"] = "auto-replied"
    auto["Message-ID"] = "<auto1@example.edu.cn>"
    auto.set_content("我正在休假，12月10日返回。")
    listmail = EmailMessage()
    listmail["From"] = "news@lists.example.edu.cn"
    listmail["Subject"] = "校园周报"
    listmail["List-Id"] = "<news.lists.example.edu.cn>"
    listmail["Message-ID"] = "<list1@example.edu.cn>"
    listmail.set_content("本周新闻")
    loop = EmailMessage()
    loop["From"] = "xinxiang@example.edu.cn"
    loop["Subject"] = "【受理回执】2026-000001"
    loop["Message-ID"] = "<abc@xinxiang.example.edu.cn>"
    loop.set_content("回执")
    for m in (auto, listmail, loop):
        imap_account.append(bytes(m))
    result = poll_source(ctx, "shuji", now)
    assert (result.created, result.recorded) == (0, 3)
    with ctx.db.unit_of_work() as s:
        kinds = sorted(s.execute(select(LetterRow.kind)).scalars())
    assert kinds == ["auto_reply", "list", "loop"]
    assert send_due(ctx, transport_for(ctx.cfg), now()).sent == 0
    assert smtp_sink.messages() == []


def test_bounces_without_a_sender_and_abuse_reports_are_recorded_never_tickets(
    imap_account: ImapAccount, smtp_sink: SmtpSink, tmp_config
) -> None:
    ctx = context(tmp_config(imap=imap_account, smtp=smtp_sink))
    arf = (
        b"From: fbl@qq.com\r\nTo: xinxiang@example.edu.cn\r\nSubject: Abuse report\r\n"
        b"Message-ID: <arf1@qq.com>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=feedback-report; boundary="f"\r\n\r\n'
        b"--f\r\nContent-Type: text/plain\r\n\r\nA user marked this mail as spam.\r\n"
        b"--f\r\nContent-Type: message/feedback-report\r\n\r\n"
        b"Feedback-Type: abuse\r\nUser-Agent: fbl/1.0\r\nVersion: 1\r\n\r\n"
        b"--f--\r\n"
    )
    daemon = (
        b"From: MAILER-DAEMON\r\nTo: xinxiang@example.edu.cn\r\nSubject: failure notice\r\n"
        b"Message-ID: <d1@mx.qq.com>\r\n\r\nSorry, I could not deliver your message.\r\n"
    )
    for raw in (arf, daemon):
        imap_account.append(raw)
    result = poll_source(ctx, "shuji", now)
    assert (result.created, result.recorded) == (0, 2)
    with ctx.db.unit_of_work() as s:
        kinds = sorted(s.execute(select(LetterRow.kind)).scalars())
    assert kinds == ["bounce", "report"]
    assert count(ctx, TicketRow) == 0
    assert send_due(ctx, transport_for(ctx.cfg), now()).sent == 0
    assert smtp_sink.messages() == []


def test_a_bounce_marks_the_acknowledgement_failed(
    imap_account: ImapAccount, smtp_sink: SmtpSink, tmp_config
) -> None:
    ctx = context(tmp_config(imap=imap_account, smtp=smtp_sink))
    imap_account.append(letter(sender="nobody@stu.example.edu.cn"))
    poll_source(ctx, "shuji", now)
    send_due(ctx, transport_for(ctx.cfg), now())
    with ctx.db.unit_of_work() as s:
        ack_id = s.execute(select(OutboxRow.message_id).where(OutboxRow.kind == "ack")).scalar_one()
    dsn = (
        "From: MAILER-DAEMON@mx.stu.example.edu.cn\r\n"
        "To: xinxiang@example.edu.cn\r\nReturn-Path: <>\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <dsn1@mx.stu.example.edu.cn>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nUser unknown\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.stu.example.edu.cn\r\n\r\n"
        "Final-Recipient: rfc822; nobody@stu.example.edu.cn\r\nAction: failed\r\n"
        "Status: 5.1.1\r\n\r\n"
        "--b\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: xinxiang@example.edu.cn\r\nMessage-ID: {ack_id}\r\nSubject: x\r\n\r\n"
        "--b--\r\n"
    ).encode()
    imap_account.append(dsn)
    result = poll_source(ctx, "shuji", now)
    assert result.recorded == 1
    with ctx.db.unit_of_work() as s:
        row = s.execute(select(OutboxRow).where(OutboxRow.kind == "ack")).scalar_one()
        assert row.state == "failed" and "bounced" in (row.last_error or "")


def test_receipts_per_sender_are_capped_per_hour(
    imap_account: ImapAccount, smtp_sink: SmtpSink, tmp_config
) -> None:
    ctx = context(tmp_config(imap=imap_account, smtp=smtp_sink))
    for i in range(6):
        imap_account.append(letter(subject=f"第{i}封", sender="flood@stu.example.edu.cn"))
    poll_source(ctx, "shuji", now)
    assert count(ctx, TicketRow) == 6
    send_due(ctx, transport_for(ctx.cfg), now())
    assert len(smtp_sink.messages("flood@stu.example.edu.cn")) == 3


def test_smtp_down_receipts_wait_in_the_outbox_and_all_arrive_once_it_is_back(
    imap_account: ImapAccount, smtp_sink: SmtpSink, tmp_config
) -> None:
    ctx = context(
        tmp_config(imap=imap_account, smtp=smtp_sink, overrides={"smtp": {"retry_base_seconds": 1}})
    )
    for i in range(3):
        imap_account.append(letter(sender=f"s{i}@stu.example.edu.cn"))
    poll_source(ctx, "shuji", now)
    smtp_sink.stop()
    transport = transport_for(ctx.cfg)
    t0 = now()
    down = send_due(ctx, transport, t0)
    assert (down.sent, down.retried) == (0, 6)  # three receipts, three dispatch mails
    assert send_due(ctx, transport, t0).sent == 0  # back-off: nothing due yet
    smtp_sink.start()
    back = send_due(ctx, transport, t0 + timedelta(minutes=5))
    assert back.sent == 6
    got = smtp_sink.wait_for(6)
    assert len({m.parsed()["Message-ID"] for m in got}) == 6
    assert send_due(ctx, transport, t0 + timedelta(hours=1)).sent == 0


def test_two_mailboxes_are_separate_channels(
    dovecot,
    tmp_config,  # type: ignore[no-untyped-def]
) -> None:
    shuji, xiaozhang = dovecot.new_account("shuji"), dovecot.new_account("xiaozhang")
    ctx = context(tmp_config(imap=[shuji, xiaozhang]))
    shuji.append(letter(subject="给书记的信"))
    xiaozhang.append(letter(subject="给校长的信"))
    poll_source(ctx, "shuji", now)
    poll_source(ctx, "xiaozhang", now)
    with ctx.db.unit_of_work() as s:
        got = {subj: ch for subj, ch in s.execute(select(TicketRow.subject, TicketRow.channel))}
    assert got == {"给书记的信": "书记信箱", "给校长的信": "校长信箱"}


def test_wrong_password_is_a_clear_retryable_error(
    imap_account: ImapAccount, tmp_config, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    cfg_dir = tmp_config(imap=imap_account)
    monkeypatch.setenv("XINXIANG_TEST_IMAP_PASSWORD_0", "wrong")
    ctx = context(cfg_dir)
    from xinxiang.mailbox.imap import SourceUnavailable

    with pytest.raises(SourceUnavailable, match="shuji"):
        poll_source(ctx, "shuji", now)
