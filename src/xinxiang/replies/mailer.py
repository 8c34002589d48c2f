"""A templated mail about a ticket (`MailSpec`) and its rendering: text + HTML, headers.

Every mail about a ticket carries the ticket's signed Reply-To, an `X-Xinxiang-Ticket` header
and a Message-ID derived from its outbox key, so replies find the ticket and resends are
recognisable. Specs are composed and queued only by the door for notices (`outgoing`).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from xinxiang.domain.tickets import subject_tag
from xinxiang.replies.compose import Outgoing, build_message, header_safe, to_bytes
from xinxiang.replies.render import render, template_exists
from xinxiang.replies.tokens import make_token
from xinxiang.store.models import TicketRow

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext


URGENT_KINDS = ("emergency_alert", "suspected_emergency_alert")
"""Mail kinds sent with the highest priority headers (紧急来信)."""
AUTO_REPLY_KINDS = ("ack", "duplicate_notice", "legal_channel", "illegal")


@dataclass(frozen=True, slots=True)
class MailSpec:
    """One templated mail: `template` names `mail/<template>.txt.j2` and `.html.j2`."""

    kind: str
    to: Sequence[str]
    subject: str
    template: str
    context: dict[str, Any]
    key: str
    in_reply_to: str | None = None
    references: Sequence[str] = ()
    attachments: Sequence[tuple[str, str, bytes]] = ()
    auto_submitted: str = "auto-generated"
    # Where answers go instead of the ticket's reply address (a confirmation challenge's).
    reply_to: str | None = None


def base_context(ctx: AppContext) -> dict[str, Any]:
    """Values every template may use."""
    school = ctx.cfg.settings.school
    return {
        "school_name": school.name,
        "office_name": school.office_name,
        "office_phone": school.office_phone,
        "office_hours": school.office_hours,
        "emergency_phone": school.emergency_phone,
        "security_phone": school.security_phone,
        "public_url": school.public_url,
        "tz": school.timezone,
    }


def text_to_html(text: str, title: str = "") -> str:
    """A minimal, escaped HTML alternative for a plain-text mail (paragraphs and line breaks)."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    body = "\n".join(
        "<p>" + "<br>\n".join(html.escape(line) for line in p.split("\n")) + "</p>"
        for p in paragraphs
    )
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>\n"
        "<body style=\"font-family: 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif; "
        'font-size: 14px; line-height: 1.7; color: #222;">\n'
        f"{body}\n</body></html>\n"
    )


def _render_html(template: str, text: str, context: dict[str, Any]) -> str:
    name = f"mail/{template}.html.j2"
    if template_exists(name):
        return render(name, **context)
    return text_to_html(text)


def mail_key(kind: str, ticket_number: str, key: str) -> str:
    """The outbox dedupe key of a ticket mail (its Message-ID is derived from it)."""
    return f"{kind}:{ticket_number}:{key}"


def recipient_role(ctx: AppContext, ticket: TicketRow, recipients: Sequence[str]) -> str:
    """The role a mail's reply token is issued for, from whom the mail goes to.

    The ticket's department first, then another registered department (a co-handler), the
    office, and anyone else is the petitioner. A mail to several roles carries the first one's
    token, so an answer from another role takes the confirmation round trip.
    """
    wanted = {r.lower() for r in recipients}
    dept = ctx.cfg.department(ticket.department_code) if ticket.department_code else None
    if dept is not None and wanted & {e.lower() for e in dept.emails}:
        return "department"
    office = {e.lower() for e in ctx.cfg.office.emails}
    if wanted & (set(ctx.cfg.registered_addresses()) - office):
        return "cohandler"
    if wanted & office:
        return "office"
    return "petitioner"


def reply_means(
    ctx: AppContext, ticket: TicketRow, recipients: Sequence[str], subject: str
) -> tuple[str, str]:
    """(Subject, Reply-To) of a mail about `ticket` to `recipients`, carrying its reply token.

    A mail to one address carries a token bound to ticket, role and that address (the door
    sends every token-carrying mail one address at a time); `replies.token_in` puts it in the
    Reply-To's plus-address, in a ``[XX-…]`` Subject tag, or both.
    """
    base = ctx.cfg.settings.smtp.from_address
    role = recipient_role(ctx, ticket, recipients)
    address = recipients[0] if len(recipients) == 1 else None
    token = make_token(ticket.number, ctx.token_key, role, address)
    where = ctx.cfg.settings.replies.token_in
    local, _at, domain = base.rpartition("@")
    reply_to = f"{local}+{token}@{domain}" if where in ("plus", "both") else base
    if where in ("subject", "both"):
        tag = subject_tag(token)
        # The tag must survive the Subject's length limit (250), so the text gives way.
        subject = f"{header_safe(subject, 248 - len(tag))} {tag}"
    return subject, reply_to


def render_spec(
    ctx: AppContext, ticket: TicketRow, spec: MailSpec, message_id: str, date: datetime
) -> bytes:
    """Render `spec` into the bytes of one message with the given Message-ID and date."""
    settings = ctx.cfg.settings
    recipients = sorted({a.lower() for a in spec.to if a and "@" in a})
    context = {**base_context(ctx), "ticket": ticket, **spec.context}
    text = render(f"mail/{spec.template}.txt.j2", **context)
    subject, reply_to = spec.subject, spec.reply_to
    if reply_to is None:
        subject, reply_to = reply_means(ctx, ticket, recipients, spec.subject)
    out = Outgoing(
        sender=settings.smtp.from_address,
        sender_name=settings.smtp.from_name,
        to=recipients,
        subject=subject,
        text=text,
        html=_render_html(spec.template, text, context),
        message_id=message_id,
        date=date.astimezone(ctx.cfg.tz),
        reply_to=reply_to,
        in_reply_to=spec.in_reply_to,
        references=list(spec.references)[-10:],
        auto_submitted=spec.auto_submitted,
        ticket_number=ticket.number,
        attachments=spec.attachments,
        urgent=spec.kind in URGENT_KINDS,
    )
    return to_bytes(build_message(out))
