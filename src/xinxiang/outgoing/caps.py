"""Per-address caps of automatic mail (发信限额, issue #12).

An address outside the school (neither a registered department or office address, nor a
leader's, nor in `outgoing.school_domains`) gets at most `outgoing.outside_per_hour` automatic
mails in any hour; more are held in the outbox (state "held": kept, never lost) and the office
is told once per address and hour. Staff are never capped: past `outgoing.staff_per_hour` mails
to one staff address in an hour, each further mail is kept as "coalesced" and listed in that
address's hourly digest (汇总通知), sent at the end of the hour.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from sqlalchemy.orm import Session

from xinxiang.outgoing.office import HOLD_NOTICE_KIND, hold_notice
from xinxiang.replies.compose import (
    Outgoing,
    build_message,
    header_safe,
    outbox_message_id,
    to_bytes,
)
from xinxiang.replies.mailer import AUTO_REPLY_KINDS, text_to_html
from xinxiang.replies.render import format_cn_datetime
from xinxiang.store.models import OutboxRow
from xinxiang.store.repo import (
    count_mail_to,
    count_recent_mail_by_recipient,
    enqueue_mail,
    outbox_key_exists,
    outbox_rows_to,
)

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext

STAFF_DIGEST_KIND = "staff_digest"
EXCERPT_CHARS = 300


def staff_addresses(ctx: AppContext) -> frozenset[str]:
    """Every registered department, office and leader address (lower case)."""
    global _staff_of
    departments, found = _staff_of
    if departments is not ctx.cfg.departments:  # asked for each mail: once per configuration
        departments = ctx.cfg.departments
        found = frozenset(a.lower() for d in departments for a in (*d.emails, d.leader) if a)
        _staff_of = (departments, found)  # one tuple: replaced whole, never half-updated
    return found


# The departments last asked about (the frozen tuple itself) and their staff addresses.
_staff_of: tuple[object, frozenset[str]] = (None, frozenset())


def is_outside(ctx: AppContext, address: str) -> bool:
    """Whether `address` is outside the school: not staff, not in a school domain."""
    address = address.lower()
    if address in staff_addresses(ctx):
        return False
    domain = address.rpartition("@")[2]
    return not any(
        domain == d or domain.endswith("." + d) for d in ctx.cfg.settings.outgoing.school_domains
    )


def _hour(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0)


def outside_over_cap(
    ctx: AppContext, session: Session, recipients: list[str], now: datetime
) -> list[str]:
    """The outside addresses among `recipients` that had their hourly cap of mail already."""
    cap = ctx.cfg.settings.outgoing.outside_per_hour
    since = now - timedelta(hours=1)
    return [
        a
        for a in recipients
        if is_outside(ctx, a) and count_mail_to(session, a, since, (HOLD_NOTICE_KIND,)) >= cap
    ]


def receipt_allowance(
    ctx: AppContext, session: Session, addresses: Sequence[str], now: datetime
) -> dict[str, int]:
    """How many more receipts each address may get this hour (grouped queries): within the
    auto-reply cap (`ack.max_per_sender_per_hour`) and, outside the school, the outside cap."""
    since = now - timedelta(hours=1)
    cap = ctx.cfg.settings.ack.max_per_sender_per_hour
    outside_cap = ctx.cfg.settings.outgoing.outside_per_hour
    wanted = {a.lower() for a in addresses if a}
    replies = count_recent_mail_by_recipient(session, AUTO_REPLY_KINDS, wanted, since)
    outside = [a for a in wanted if is_outside(ctx, a)]
    every = count_recent_mail_by_recipient(session, None, outside, since)
    out = {a: max(0, cap - replies.get(a, 0)) for a in wanted}
    for a in outside:
        out[a] = min(out[a], max(0, outside_cap - every.get(a, 0)))
    return out


def tell_office_of_hold(ctx: AppContext, session: Session, address: str, now: datetime) -> None:
    """Tell the office, once per address and hour, that mail to `address` is being held."""
    hold_notice(ctx, session, address, _hour(now), now)


def split_staff(
    ctx: AppContext, session: Session, recipients: list[str], now: datetime
) -> tuple[list[str], list[str]]:
    """(`recipients` to mail now, staff addresses past their hourly threshold to coalesce)."""
    threshold = ctx.cfg.settings.outgoing.staff_per_hour
    staff = staff_addresses(ctx)
    since = now - timedelta(hours=1)
    direct: list[str] = []
    coalesced: list[str] = []
    for a in recipients:
        busy = a in staff and count_mail_to(session, a, since, (STAFF_DIGEST_KIND,)) >= threshold
        (coalesced if busy else direct).append(a)
    return direct, coalesced


def coalesce(
    ctx: AppContext, session: Session, address: str, subject: str, row: dict[str, Any]
) -> bool:
    """Keep the mail `row` for `address` as coalesced and make sure the address's digest of
    this hour is queued (unrendered: it is rendered when sent, with every mail of the hour).
    True if the mail was not coalesced for `address` before."""
    del subject  # the digest reads each mail's own subject when it is rendered
    now: datetime = row["now"]
    key = row["dedupe_key"]
    # A mail already sent one address at a time has that address in its key.
    own = key if key.endswith(f">{address}") else f"{key}>{address}"
    added = enqueue_mail(
        session,
        # its own Message-ID: the mail's went to its direct recipients or another address's
        # copy (one mail to several staff past their threshold broke the unique index)
        **{**row, "dedupe_key": own, "message_id": outbox_message_id(own, ctx.msgid_domain)},
        recipients=[address],
        state="coalesced",
    )
    start = _hour(now)
    key = f"{STAFF_DIGEST_KIND}:{address}:{start.isoformat()}"
    # the digests of the hour of every staff address are read together, once per batch
    others = [f"{STAFF_DIGEST_KIND}:{a}:{start.isoformat()}" for a in sorted(staff_addresses(ctx))]
    if outbox_key_exists(session, key, others):
        return added
    enqueue_mail(
        session,
        dedupe_key=key,
        message_id=outbox_message_id(key, ctx.msgid_domain),
        kind=STAFF_DIGEST_KIND,
        sender=ctx.cfg.settings.smtp.from_address,
        recipients=[address],
        raw=None,
        now=start,
        ticket_id=None,
        send_at=start + timedelta(hours=1),
    )
    return added


def render_digest(ctx: AppContext, session: Session, row: OutboxRow) -> bytes | None:
    """Render the staff digest `row` (汇总通知) with every mail coalesced for its address in its
    hour; None if there is none."""
    start = row.created_at
    address = row.recipient_key
    entries = outbox_rows_to(session, address, "coalesced", start, start + timedelta(hours=1))
    if not entries:
        return None
    settings = ctx.cfg.settings
    local = start.astimezone(ctx.cfg.tz)
    title = f"【汇总通知】{format_cn_datetime(local)}起一小时内的 {len(entries)} 封通知"
    items = [_digest_item(row) for row in entries]
    text = _digest_text(ctx, items, local)
    return to_bytes(
        build_message(
            Outgoing(
                sender=settings.smtp.from_address,
                sender_name=settings.smtp.from_name,
                to=[address],
                subject=title,
                text=text,
                html=_digest_html(ctx, items, local, title),
                message_id=row.message_id,
                date=(start + timedelta(hours=1)).astimezone(ctx.cfg.tz),
                auto_submitted="auto-generated",
            )
        )
    )


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One coalesced mail as the digest lists it: its subject, an excerpt, and how to answer
    it — the mail's own Reply-To (its token, bound to this address) and a ``mailto:`` link
    whose subject keeps the mail's subject (and so a ``[XX-…]`` token tag, where there is one)."""

    subject: str
    excerpt: str
    reply_to: str
    mailto: str


def _digest_item(row: OutboxRow) -> DigestItem:
    if row.parts is not None and row.raw is None:  # kept as its parts (`door.DEFERRED_KINDS`)
        text = str(row.parts["text"]).strip()
        subject = header_safe(str(row.parts["subject"]), 250)
        reply_to = header_safe(str(row.parts["reply_to"] or row.sender), 320)
    else:
        msg = message_from_bytes(row.raw or b"", policy=policy.default)
        body = msg.get_body(preferencelist=("plain",))
        text = body.get_content().strip() if body is not None else ""
        subject = str(msg["Subject"] or "")
        reply_to = str(msg["Reply-To"] or row.sender)
    excerpt = text[:EXCERPT_CHARS] + ("…" if len(text) > EXCERPT_CHARS else "")
    query = urlencode({"subject": f"回复：{subject}"}, quote_via=quote)
    return DigestItem(subject, excerpt, reply_to, f"mailto:{quote(reply_to, safe='@+')}?{query}")


def _digest_intro(ctx: AppContext, items: list[DigestItem], start: datetime) -> str:
    return (
        f"{format_cn_datetime(start)}起的一小时内，发往本地址的通知较多，"
        f"超过每小时 {ctx.cfg.settings.outgoing.staff_per_hour} 封的部分汇总如下（共 "
        f"{len(items)} 封）。每封原件均已保存；逐件办理时，请点击该件的“回复此件”链接，"
        "或写信至该件所列的回复地址（不要直接回复本汇总邮件）。"
    )


def _digest_text(ctx: AppContext, items: list[DigestItem], start: datetime) -> str:
    lines = [_digest_intro(ctx, items, start), ""]
    for i, item in enumerate(items, 1):
        lines += [f"{i}. {item.subject}", item.excerpt, f"回复此件：{item.mailto}", ""]
    return "\n".join(lines)


def _digest_html(ctx: AppContext, items: list[DigestItem], start: datetime, title: str) -> str:
    """The digest as HTML, each item with its own 回复此件 link (a ``mailto:``)."""
    out = [f"<p>{html.escape(_digest_intro(ctx, items, start))}</p>"]
    for i, item in enumerate(items, 1):
        excerpt = "<br>".join(html.escape(line) for line in item.excerpt.split("\n"))
        out.append(
            f"<h3>{i}. {html.escape(item.subject)}</h3><p>{excerpt}</p>"
            f'<p><a href="{html.escape(item.mailto)}">回复此件</a>'
            f"（回复地址：{html.escape(item.reply_to)}）</p>"
        )
    page = text_to_html("", title)
    return page.replace("\n\n</body>", "\n" + "\n".join(out) + "\n</body>")
