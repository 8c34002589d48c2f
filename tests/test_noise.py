"""Noise detection: which incoming mail is a letter or reply, and which is only recorded."""

from __future__ import annotations

import pytest

from xinxiang.domain.letter import MailKind
from xinxiang.mailbox.consent import public_consent
from xinxiang.mailbox.noise import (
    KindDecision,
    bounced_message_ids,
    classify_mail,
    mail_kind,
    msgid_domain_for,
)
from xinxiang.mailbox.parse import parse_message

OWN = "xinxiang@example.edu.cn"
DOMAIN = msgid_domain_for(OWN)  # xinxiang.example.edu.cn


def raw_mail(
    *headers: str, body: str = "老师您好，宿舍热水器坏了。\n", replace: bool = True
) -> bytes:
    base = {
        "From": "张三 <zhangsan@qq.com>",
        "To": "shuji@example.edu.cn",
        "Subject": "宿舍热水问题",
        "Date": "Fri, 20 Nov 2026 10:03:12 +0800",
        "Message-ID": "<a1@qq.com>",
        "Return-Path": "<zhangsan@qq.com>",
        "Content-Type": "text/plain; charset=utf-8",
    }
    extra: list[tuple[str, str]] = []
    for header in headers:
        name, _, value = header.partition(":")
        if replace and name in base:
            base[name] = value.strip()
        else:
            extra.append((name, value.strip()))
    lines = [f"{k}: {v}" for k, v in base.items() if v != "-"] + [f"{k}: {v}" for k, v in extra]
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()


DSN_BODY = (
    "This is a MIME-encapsulated message.\r\n\r\n"
    "--DD\r\nContent-Type: text/plain\r\n\r\nDelivery to the following recipient failed.\r\n"
    "--DD\r\nContent-Type: message/delivery-status\r\n\r\n"
    "Reporting-MTA: dns; mx.example.edu.cn\r\n\r\n"
    "Final-Recipient: rfc822; nobody@qq.com\r\nAction: failed\r\nStatus: 5.1.1\r\n"
    "--DD\r\nContent-Type: text/rfc822-headers\r\n\r\n"
    "From: xinxiang@example.edu.cn\r\nMessage-ID: <xinxiang.abc123@example.edu.cn>\r\n"
    "Subject: =?utf-8?B?5Y+X55CG5Zue5omn?=\r\n"
    "--DD--\r\n"
)
MDN_BODY = (
    "--NN\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n您的邮件已被阅读。\r\n"
    "--NN\r\nContent-Type: message/disposition-notification\r\n\r\n"
    "Final-Recipient: rfc822; zhangsan@qq.com\r\n"
    "Original-Message-ID: <xinxiang.abc123@example.edu.cn>\r\n"
    "Disposition: manual-action/MDN-sent-manually; displayed\r\n"
    "--NN--\r\n"
)

CASES: list[tuple[str, bytes, MailKind]] = [
    ("plain letter", raw_mail(), MailKind.LETTER),
    ("no From address", raw_mail("From: 张三"), MailKind.MALFORMED),
    ("from our own address", raw_mail(f"From: 信箱 <{OWN.upper()}>"), MailKind.LOOP),
    ("our ticket header", raw_mail("X-Xinxiang-Ticket: 2026-000001"), MailKind.LOOP),
    ("our Message-ID", raw_mail(f"Message-ID: <xinxiang.1@{DOMAIN}>"), MailKind.LOOP),
    (
        "own mail that is also an auto-reply is a loop first",
        raw_mail(f"From: {OWN}", "Auto-Submitted: auto-replied"),
        MailKind.LOOP,
    ),
    (
        "DSN",
        raw_mail(
            "From: Mail Delivery System <MAILER-DAEMON@mx.example.edu.cn>",
            'Content-Type: multipart/report; report-type=delivery-status; boundary="DD"',
            "Return-Path: <>",
            "Subject: Undelivered Mail Returned to Sender",
            body=DSN_BODY,
        ),
        MailKind.BOUNCE,
    ),
    (
        "DSN from an ordinary-looking sender",
        raw_mail(
            "From: postoffice@qq.com",
            'Content-Type: multipart/report; report-type="delivery-status"; boundary="DD"',
            body=DSN_BODY,
        ),
        MailKind.BOUNCE,
    ),
    ("MAILER-DAEMON sender", raw_mail("From: MAILER-DAEMON@qq.com"), MailKind.BOUNCE),
    # A person (the mail administrator) writing from postmaster@ is a letter unless the message
    # is a bounce by its structure, sender name or subject.
    ("postmaster writing a letter", raw_mail("From: postmaster@163.com"), MailKind.LETTER),
    (
        "postmaster sending a bounce",
        raw_mail("From: 系统退信 <postmaster@163.com>", "Subject: 系统退信"),
        MailKind.BOUNCE,
    ),
    ("empty Return-Path", raw_mail("Return-Path: <>"), MailKind.BOUNCE),
    ("系统退信 subject", raw_mail("Subject: 系统退信"), MailKind.BOUNCE),
    (
        "MDN",
        raw_mail(
            'Content-Type: multipart/report; report-type=disposition-notification; boundary="NN"',
            "Return-Path: <>",
            body=MDN_BODY,
        ),
        MailKind.RECEIPT,
    ),
    ("已读: subject", raw_mail("Subject: 已读: 受理回执"), MailKind.RECEIPT),
    ("已读： full-width colon", raw_mail("Subject: 已读：受理回执"), MailKind.RECEIPT),
    ("Read: subject", raw_mail("Subject: Read: your letter"), MailKind.RECEIPT),
    ("Auto-Submitted auto-replied", raw_mail("Auto-Submitted: auto-replied"), MailKind.AUTO_REPLY),
    (
        "Auto-Submitted auto-generated",
        raw_mail("Auto-Submitted: auto-generated"),
        MailKind.AUTO_REPLY,
    ),
    ("Auto-Submitted no", raw_mail("Auto-Submitted: no"), MailKind.LETTER),
    ("Auto-Submitted no (comment)", raw_mail("Auto-Submitted: no (human)"), MailKind.LETTER),
    ("X-Autoreply", raw_mail("X-Autoreply: yes"), MailKind.AUTO_REPLY),
    ("X-Autorespond", raw_mail("X-Autorespond: 1"), MailKind.AUTO_REPLY),
    ("Precedence auto_reply", raw_mail("Precedence: auto_reply"), MailKind.AUTO_REPLY),
    ("自动回复 subject", raw_mail("Subject: 自动回复: 受理回执"), MailKind.AUTO_REPLY),
    ("自动答复 (Outlook zh)", raw_mail("Subject: 自动答复: 受理回执"), MailKind.AUTO_REPLY),
    ("【自动回复】", raw_mail("Subject: 【自动回复】我在休假"), MailKind.AUTO_REPLY),
    ("Automatic reply", raw_mail("Subject: Automatic reply: hello"), MailKind.AUTO_REPLY),
    ("Out of Office", raw_mail("Subject: Out of Office"), MailKind.AUTO_REPLY),
    (
        "auto-reply with the null return path is an auto-reply, not a bounce",
        raw_mail("Return-Path: <>", "Auto-Submitted: auto-replied"),
        MailKind.AUTO_REPLY,
    ),
    ("自动回复 inside a real subject", raw_mail("Subject: 邮箱自动回复设置问题"), MailKind.LETTER),
    ("List-Id", raw_mail("List-Id: <students.example.edu.cn>"), MailKind.LIST),
    ("List-Unsubscribe", raw_mail("List-Unsubscribe: <mailto:u@x.cn>"), MailKind.LIST),
    ("Precedence bulk", raw_mail("Precedence: bulk"), MailKind.LIST),
    ("Precedence junk", raw_mail("Precedence: junk"), MailKind.LIST),
    ("Precedence list", raw_mail("Precedence: list"), MailKind.LIST),
    ("to our plus address", raw_mail("To: xinxiang+t0k3n@example.edu.cn"), MailKind.REPLY),
    ("cc our plus address", raw_mail("Cc: Xinxiang+T0K3N@Example.edu.cn"), MailKind.REPLY),
    (
        "delivered to our plus address",
        raw_mail("Delivered-To: xinxiang+t0k3n@example.edu.cn"),
        MailKind.REPLY,
    ),
    ("In-Reply-To our mail", raw_mail(f"In-Reply-To: <xinxiang.9@{DOMAIN}>"), MailKind.REPLY),
    (
        "References our mail",
        raw_mail(f"References: <x@qq.com> <xinxiang.9@{DOMAIN}>"),
        MailKind.REPLY,
    ),
    (
        "a colleague's Message-ID on our mail domain is not ours",
        raw_mail(
            "From: 王老师 <wang@example.edu.cn>",
            "Message-ID: <1a2b.3c.Coremail.wang@example.edu.cn>",
            "In-Reply-To: <9f8e.7d.Coremail.li@example.edu.cn>",
        ),
        MailKind.LETTER,
    ),
    ("other plus address", raw_mail("To: other+t0k3n@example.edu.cn"), MailKind.LETTER),
    ("base address without plus", raw_mail(f"To: {OWN}"), MailKind.LETTER),
]


ARF_BODY = (
    "--FF\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThis is an abuse report.\r\n"
    "--FF\r\nContent-Type: message/feedback-report\r\n\r\n"
    "Feedback-Type: abuse\r\nUser-Agent: SomeGenerator/1.0\r\nVersion: 1\r\n"
    "--FF\r\nContent-Type: text/rfc822-headers\r\n\r\n"
    "From: xinxiang@example.edu.cn\r\nMessage-ID: <xinxiang.abc123@example.edu.cn>\r\n"
    "--FF--\r\n"
)
DSN_TYPE = 'Content-Type: multipart/report; report-type=delivery-status; boundary="DD"'

# Bounces recognised by structure first, then by sender and subject (issue 16: 59 bounces from
# MAILER-DAEMON without a domain or with only `<>` came out malformed, 15 with unknown DSN
# subjects came out letters, a person writing from postmaster@ came out a bounce).
BOUNCE_KINDS: list[tuple[str, bytes, MailKind]] = [
    (
        "DSN from our own address",
        raw_mail(f"From: {OWN}", DSN_TYPE, body=DSN_BODY),
        MailKind.BOUNCE,
    ),
    ("DSN without any From", raw_mail("From: -", DSN_TYPE, body=DSN_BODY), MailKind.BOUNCE),
    (
        "DSN from a person's address",
        raw_mail("From: 李四 <lisi@qq.com>", DSN_TYPE, body=DSN_BODY),
        MailKind.BOUNCE,
    ),
    ("MAILER-DAEMON without a domain", raw_mail("From: MAILER-DAEMON"), MailKind.BOUNCE),
    (
        "MAILER-DAEMON without a domain, with a display name",
        raw_mail("From: Mail Delivery Subsystem <MAILER-DAEMON>", "Subject: Returned mail"),
        MailKind.BOUNCE,
    ),
    (
        "mailer-daemon with a domain",
        raw_mail("From: mailer-daemon@googlemail.com"),
        MailKind.BOUNCE,
    ),
    ("no From and the null Return-Path", raw_mail("From: -", "Return-Path: <>"), MailKind.BOUNCE),
    ("no From, Return-Path < >", raw_mail("From: -", "Return-Path: < >"), MailKind.BOUNCE),
    ("no From and nothing else", raw_mail("From: -"), MailKind.MALFORMED),
    (
        "MAILER-DAEMON sending a read receipt subject",
        raw_mail("From: MAILER-DAEMON", "Subject: 已读: 受理回执"),
        MailKind.BOUNCE,
    ),
    (
        "ARF abuse report",
        raw_mail(
            "From: abuse@qq.com",
            'Content-Type: multipart/report; report-type=feedback-report; boundary="FF"',
            body=ARF_BODY,
        ),
        MailKind.REPORT,
    ),
    (
        "ARF with a quoted report-type and the null path",
        raw_mail(
            "From: -",
            "Return-Path: <>",
            'Content-Type: multipart/report; report-type="feedback-report"; boundary="FF"',
            body=ARF_BODY,
        ),
        MailKind.REPORT,
    ),
    (
        "ARF part inside multipart/mixed",
        raw_mail(
            "From: fbl@163.com", 'Content-Type: multipart/mixed; boundary="FF"', body=ARF_BODY
        ),
        MailKind.REPORT,
    ),
    (
        "postmaster with an ordinary subject",
        raw_mail("From: Postmaster <postmaster@example.edu.cn>", "Subject: 关于宿舍网络的建议"),
        MailKind.LETTER,
    ),
    ("a letter about a 退信 question", raw_mail("Subject: 邮件投递失败怎么办"), MailKind.LETTER),
    ("a letter about 退信用卡", raw_mail("Subject: 退信用卡年费"), MailKind.LETTER),
]

DSN_SUBJECTS = [
    "Delivery Status Notification (Failure)",
    "Delivery Status Notification (Delay)",
    "Delivery Status Notification",
    "delivery status notification",
    "Mail could not be delivered",
    "Message could not be delivered",
    "Undeliverable: 宿舍热水问题",
    "Undelivered Mail Returned to Sender",
    "Returned mail: see transcript for details",
    "Mail delivery failed: returning message to sender",
    "Delivery Failure",
    "failure notice",
    "Non-delivery report: 宿舍热水问题",
    "Warning: could not send message for past 4 hours",
    "Delayed Mail (still being retried)",
    "Unzustellbar: Ihre Nachricht",
    "配信エラー",
    "配送失敗: 宿舍热水问题",
    "配信不能: 宿舍热水问题",
    "メール配信エラー",
    "退信",
    "退信：宿舍热水问题",
    "系统退信",
    "【系统退信】",
    "退信通知",
    "邮件投递失败",
    "邮件投递失败报告",
    "无法送达: 宿舍热水问题",
    "未送达: 宿舍热水问题",
    "系統退信",
    "無法傳遞: 宿舍熱水問題",
]


@pytest.mark.parametrize(("name", "raw", "kind"), BOUNCE_KINDS, ids=[c[0] for c in BOUNCE_KINDS])
def test_bounces_and_reports(name: str, raw: bytes, kind: MailKind) -> None:
    letter = parse_message(raw)
    got = mail_kind(letter, own_addresses={OWN}, own_msgid_domain=DOMAIN, reply_base=OWN)
    assert got is kind, name


@pytest.mark.parametrize("subject", DSN_SUBJECTS)
@pytest.mark.parametrize("sender", ["postmaster@mx.example.com", "无名 <noreply@qq.com>"])
def test_dsn_subjects_are_bounces(subject: str, sender: str) -> None:
    letter = parse_message(raw_mail(f"From: {sender}", f"Subject: {subject}"))
    decision = classify_mail(letter, own_addresses={OWN}, own_msgid_domain=DOMAIN, reply_base=OWN)
    assert (decision.kind, decision.rule) == (MailKind.BOUNCE, "delivery-failure")


def test_structure_decides_before_the_sender() -> None:
    dsn = parse_message(raw_mail(f"From: {OWN}", DSN_TYPE, body=DSN_BODY))
    decision = classify_mail(dsn, own_addresses={OWN}, own_msgid_domain=DOMAIN, reply_base=OWN)
    assert decision.rule == "delivery-report"


@pytest.mark.parametrize(("name", "raw", "kind"), CASES, ids=[c[0] for c in CASES])
def test_mail_kind(name: str, raw: bytes, kind: MailKind) -> None:
    letter = parse_message(raw)
    got = mail_kind(letter, own_addresses={OWN}, own_msgid_domain=DOMAIN, reply_base=OWN)
    assert got is kind, name


def test_without_a_deployment_nothing_is_a_loop_or_reply() -> None:
    letter = parse_message(raw_mail(f"From: {OWN}", "To: xinxiang+t@example.edu.cn"))
    got = mail_kind(letter, own_addresses=(), own_msgid_domain=None, reply_base=None)
    assert got is MailKind.LETTER


def test_msgid_domain_is_dedicated_to_us() -> None:
    assert msgid_domain_for("XinXiang@Example.EDU.cn") == "xinxiang.example.edu.cn"


def test_classify_mail_names_the_deciding_rule() -> None:
    letter = parse_message(raw_mail("Precedence: bulk"))
    decision = classify_mail(letter, own_addresses={OWN}, own_msgid_domain=DOMAIN, reply_base=OWN)
    assert (decision.kind, decision.rule) == (MailKind.LIST, "mailing-list")


# -- replies without a token ------------------------------------------------------------------

STAFF = frozenset({"hqc@example.edu.cn", "dzb@example.edu.cn"})
OUR_ID = f"<t2026000123.dispatch.1@{DOMAIN}>"

# (name, headers, rule that decides) — a registered address answering the bare mailbox address.
STAFF_REPLIES = [
    (
        "staff, ticket number in brackets",
        ("From: 后勤管理处 <hqc@example.edu.cn>", "Subject: 回复：【2026-000123】关于热水的来信"),
        "staff-names-ticket",
    ),
    (
        "staff, new mail typed with a bare number",
        ("From: hqc@example.edu.cn", "Subject: 2026-000123 办理情况"),
        "staff-names-ticket",
    ),
    (
        "staff, full-width digits and dash",
        ("From: hqc@example.edu.cn", "Subject: 关于２０２６－０００１２３号来信的答复"),
        "staff-names-ticket",
    ),
    (
        "staff, address in other case",
        ("From: HQC@Example.EDU.CN", "Subject: Re: [2026-000123] 热水"),
        "staff-names-ticket",
    ),
    (
        "office address, number in subject",
        ("From: 党政办公室 <dzb@example.edu.cn>", "Subject: 【2026-000123】同意"),
        "staff-names-ticket",
    ),
    (
        "staff, In-Reply-To is one of ours, subject rewritten",
        ("From: hqc@example.edu.cn", "Subject: 热水的事", f"In-Reply-To: {OUR_ID}"),
        "reply-to-ticket",
    ),
    (
        "staff, our id deep in References",
        (
            "From: hqc@example.edu.cn",
            "Subject: 热水的事",
            f"References: <x@qq.com> {OUR_ID} <y@example.edu.cn>",
        ),
        "reply-to-ticket",
    ),
]

# (name, headers, kind) — what must stay as it was.
NOT_STAFF_REPLIES = [
    (
        "petitioner naming a ticket number writes a letter",
        ("From: zhangsan@qq.com", "Subject: 【2026-000123】还没有解决"),
        MailKind.LETTER,
    ),
    (
        "staff without a ticket number or thread writes a letter",
        ("From: hqc@example.edu.cn", "Subject: 食堂建议"),
        MailKind.LETTER,
    ),
    (
        "staff, a number that is no ticket number",
        ("From: hqc@example.edu.cn", "Subject: 2026-12345 号文件"),
        MailKind.LETTER,
    ),
    (
        "staff, a colleague's Message-ID in References",
        ("From: hqc@example.edu.cn", "Subject: 热水", "References: <a1@example.edu.cn>"),
        MailKind.LETTER,
    ),
    (
        "staff out-of-office naming a ticket stays an auto-reply",
        (
            "From: hqc@example.edu.cn",
            "Subject: 自动回复：【2026-000123】关于热水的来信",
            "Auto-Submitted: auto-replied",
        ),
        MailKind.AUTO_REPLY,
    ),
    (
        "staff read receipt naming a ticket stays a receipt",
        ("From: hqc@example.edu.cn", "Subject: 已读: 【2026-000123】关于热水的来信"),
        MailKind.RECEIPT,
    ),
]


def _staff_kind(headers: tuple[str, ...]) -> KindDecision:
    letter = parse_message(raw_mail(*headers))
    return classify_mail(
        letter, own_addresses={OWN}, own_msgid_domain=DOMAIN, reply_base=OWN, staff_addresses=STAFF
    )


@pytest.mark.parametrize(
    ("name", "headers", "rule"), STAFF_REPLIES, ids=[c[0] for c in STAFF_REPLIES]
)
def test_staff_mail_naming_a_ticket_is_a_reply(
    name: str, headers: tuple[str, ...], rule: str
) -> None:
    decision = _staff_kind(headers)
    assert (decision.kind, decision.rule) == (MailKind.REPLY, rule), name


@pytest.mark.parametrize(
    ("name", "headers", "kind"), NOT_STAFF_REPLIES, ids=[c[0] for c in NOT_STAFF_REPLIES]
)
def test_other_mail_naming_a_ticket_keeps_its_kind(
    name: str, headers: tuple[str, ...], kind: MailKind
) -> None:
    assert _staff_kind(headers).kind is kind, name


def test_without_registered_addresses_a_numbered_subject_is_a_letter() -> None:
    letter = parse_message(raw_mail("From: hqc@example.edu.cn", "Subject: 【2026-000123】已处理"))
    got = mail_kind(letter, own_addresses={OWN}, own_msgid_domain=DOMAIN, reply_base=OWN)
    assert got is MailKind.LETTER


# -- bounced Message-IDs ---------------------------------------------------------------------


def dsn_with_rfc822() -> bytes:
    return raw_mail(
        "From: MAILER-DAEMON@qq.com",
        "Message-ID: <bounce-1@qq.com>",
        'Content-Type: multipart/report; report-type=delivery-status; boundary="DD"',
        body=(
            "--DD\r\nContent-Type: text/plain\r\n\r\nfailed\r\n"
            "--DD\r\nContent-Type: message/delivery-status\r\n\r\n"
            "Reporting-MTA: dns; mx.qq.com\r\n\r\nAction: failed\r\n"
            "--DD\r\nContent-Type: message/rfc822\r\n\r\n"
            "From: xinxiang@example.edu.cn\r\nMessage-ID:\r\n <xinxiang.def@example.edu.cn>\r\n"
            "Subject: x\r\n\r\nbody\r\n"
            "--DD--\r\n"
        ),
    )


BOUNCE_CASES: list[tuple[str, bytes, list[str]]] = [
    (
        "text/rfc822-headers",
        raw_mail(
            "From: MAILER-DAEMON@mx.example.edu.cn",
            'Content-Type: multipart/report; report-type=delivery-status; boundary="DD"',
            body=DSN_BODY,
        ),
        ["<xinxiang.abc123@example.edu.cn>"],
    ),
    ("message/rfc822", dsn_with_rfc822(), ["<xinxiang.def@example.edu.cn>"]),
    (
        "Original-Message-ID in the report",
        raw_mail(
            "From: MAILER-DAEMON@qq.com",
            'Content-Type: multipart/report; report-type=delivery-status; boundary="DD"',
            body=(
                "--DD\r\nContent-Type: message/delivery-status\r\n\r\n"
                "Reporting-MTA: dns; mx.qq.com\r\n"
                "Original-Message-ID: <xinxiang.ghi@example.edu.cn>\r\n\r\n"
                "Action: failed\r\n--DD--\r\n"
            ),
        ),
        ["<xinxiang.ghi@example.edu.cn>"],
    ),
    (
        "qmail-style plain text bounce",
        raw_mail(
            "From: MAILER-DAEMON@163.com",
            "Message-ID: <own-bounce@163.com>",
            body=(
                "Hi. This is the qmail-send program.\n\n--- Below this line is a copy of the "
                "message.\n\nReturn-Path: <xinxiang@example.edu.cn>\n"
                "Message-ID: <xinxiang.jkl@example.edu.cn>\nSubject: x\n"
            ),
        ),
        ["<xinxiang.jkl@example.edu.cn>"],
    ),
    ("not a bounce", raw_mail(), []),
    ("garbage", b"\x00\xff garbage", []),
]


@pytest.mark.parametrize(("name", "raw", "ids"), BOUNCE_CASES, ids=[c[0] for c in BOUNCE_CASES])
def test_bounced_message_ids(name: str, raw: bytes, ids: list[str]) -> None:
    assert bounced_message_ids(raw) == ids, name


# -- public consent ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "body", "expected"),
    [
        ("【公开】食堂问题", "", True),
        ("[公开]食堂问题", "", True),
        ("［公开］食堂问题", "", True),
        ("食堂问题", "本人同意公开此信。", True),
        ("食堂问题", "愿意公开", True),
        ("食堂问题", "可以公开，谢谢", True),
        ("食堂问题", "同意 公开", True),
        ("食堂问题", "本人不同意公开。", False),
        ("【不公开】食堂问题", "", False),
        ("食堂问题", "请勿公开我的姓名", False),
        ("食堂问题", "请为我保密", False),
        ("食堂问题", "不要公开", False),
        ("【公开】食堂问题", "但请保密我的学号", False),
        ("食堂问题", "宿舍的热水每天只供应两小时。", None),
        ("", "", None),
    ],
)
def test_public_consent(subject: str, body: str, expected: bool | None) -> None:
    assert public_consent(subject, body) is expected


def test_parsed_letter_carries_consent() -> None:
    assert parse_message(raw_mail("Subject: 【公开】食堂")).public_consent is True
    assert parse_message(raw_mail(body="请不公开\n")).public_consent is False
    assert parse_message(raw_mail()).public_consent is None


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("本人同意公开。" + "宿舍热水问题。" * 10_000, True),
        ("宿舍热水问题。" * 10_000 + "请为我保密。", False),
        ("宿舍热水问题。" * 5_000 + "同意公开" + "宿舍热水问题。" * 5_000, None),  # not read
    ],
)
def test_consent_in_a_long_letter_is_read_at_its_start_and_end(body: str, expected: bool) -> None:
    assert public_consent("食堂问题", body) is expected
