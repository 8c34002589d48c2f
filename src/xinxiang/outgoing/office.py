"""Mail to the office about no ticket (运行告警、汇总、提醒) and the notice of held mail.

`post_office` is the door's way out for office mail: digests, health alerts, the calendar
reminder and shunt reports hand it their text; the Message-ID comes from the outbox key.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from xinxiang.replies.compose import Outgoing, build_message, outbox_message_id, to_bytes
from xinxiang.replies.mailer import text_to_html
from xinxiang.replies.render import format_cn_datetime
from xinxiang.store.repo import enqueue_mail

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext

HOLD_NOTICE_KIND = "mail_held_notice"


def post_mail(
    ctx: AppContext,
    session: Session,
    *,
    key: str,
    kind: str,
    to: Sequence[str],
    subject: str,
    text: str,
    html: str | None,
    now: datetime,
    attachments: Sequence[tuple[str, str, bytes]] = (),
) -> bool:
    """Enqueue an automatic mail about no ticket (a report, a holding-pen notice) to staff
    addresses `to`, inside the caller's transaction; `key` is its outbox dedupe key (the
    Message-ID is derived from it). True if queued."""
    settings = ctx.cfg.settings
    message_id = outbox_message_id(key, ctx.msgid_domain)
    recipients = list(to)
    raw = to_bytes(
        build_message(
            Outgoing(
                sender=settings.smtp.from_address,
                sender_name=settings.smtp.from_name,
                to=recipients,
                subject=subject,
                text=text,
                html=html,
                message_id=message_id,
                date=now.astimezone(ctx.cfg.tz),
                auto_submitted="auto-generated",
                attachments=attachments,
            )
        )
    )
    return enqueue_mail(
        session,
        dedupe_key=key,
        message_id=message_id,
        kind=kind,
        sender=settings.smtp.from_address,
        recipients=recipients,
        raw=raw,
        now=now,
        ticket_id=None,
    )


def post_office(
    ctx: AppContext,
    session: Session,
    *,
    key: str,
    kind: str,
    subject: str,
    text: str,
    now: datetime,
) -> bool:
    """Enqueue a mail to the office (党政办公室) about no ticket — a digest, a reminder, an
    alert — inside the caller's transaction; `key` is its outbox dedupe key. True if queued."""
    return post_mail(
        ctx,
        session,
        key=key,
        kind=kind,
        to=sorted(ctx.cfg.office.emails),
        subject=subject,
        text=text,
        html=text_to_html(text, subject),
        now=now,
    )


def hold_notice(
    ctx: AppContext, session: Session, address: str, hour: datetime, now: datetime
) -> bool:
    """Tell the office (once per address and hour) that automatic mail to `address` is held."""
    cap = ctx.cfg.settings.outgoing.outside_per_hour
    text = (
        f"自 {format_cn_datetime(hour.astimezone(ctx.cfg.tz))} 起的一小时内，发往校外地址 "
        f"{address} 的自动邮件已超过每小时 {cap} 封的上限。之后的邮件已暂存在发件队列中"
        "（状态：暂存），没有发出，也没有丢失。\n\n"
        "如该地址确需接收，请核实后放行：xinxiang outbox release --address "
        f"{address}；如属恶意来信，可放弃：xinxiang outbox discard --address {address}。"
        "暂存邮件列表：xinxiang outbox held。"
    )
    return post_office(
        ctx,
        session,
        key=f"{HOLD_NOTICE_KIND}:{address.lower()}:{hour.isoformat()}",
        kind=HOLD_NOTICE_KIND,
        subject=f"【发信暂存】发往 {address} 的自动邮件超过上限",
        text=text,
        now=now,
    )
