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
    # Files attached from the blob store: (filename, content type, sha256), after `attachments`;
    # read only when the mail is flattened.
    stored_files: Sequence[tuple[str, str, str]] = ()
    # The rendered (text, HTML) of the templates, when already rendered (`render_body`).
    rendered: tuple[str, str | None] | None = None


MailParts = dict[str, Any]
"""A mail rendered but not flattened (`spec_parts`): JSON values, kept in `outbox.parts`."""


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
    return flatten_parts(ctx, spec_parts(ctx, ticket, spec, message_id, date), spec.attachments)


def spec_parts(
    ctx: AppContext, ticket: TicketRow, spec: MailSpec, message_id: str, date: datetime
) -> MailParts:
    """What `spec` renders to, short of the MIME message: the text, the header values, the
    stored files — JSON, kept in the outbox row and flattened when the mail is sent.

    The recipient-independent part (the templates) is rendered once per spec and reused for
    each address of a mail sent one address at a time (`spec.rendered`).
    """
    recipients = sorted({a.lower() for a in spec.to if a and "@" in a})
    text, html_part = spec.rendered if spec.rendered is not None else render_body(ctx, ticket, spec)
    subject, reply_to = spec.subject, spec.reply_to
    if reply_to is None:
        subject, reply_to = reply_means(ctx, ticket, recipients, spec.subject)
    settings = ctx.cfg.settings
    return {
        "sender": settings.smtp.from_address,
        "sender_name": settings.smtp.from_name,
        "to": recipients,
        "subject": subject,
        "text": text,
        # None: the plain-text fallback of `text` (`text_to_html`), made when flattened
        "html": html_part,
        "message_id": message_id,
        "date": date.astimezone(ctx.cfg.tz).isoformat(),
        "reply_to": reply_to,
        "in_reply_to": spec.in_reply_to,
        "references": list(spec.references)[-10:],
        "auto_submitted": spec.auto_submitted,
        "ticket_number": ticket.number,
        "files": [list(f) for f in spec.stored_files],
        "urgent": spec.kind in URGENT_KINDS,
    }


def render_body(ctx: AppContext, ticket: TicketRow, spec: MailSpec) -> tuple[str, str | None]:
    """The text of `spec` and its HTML (None when the template has none: derived from the
    text when the mail is flattened)."""
    context = {**base_context(ctx), "ticket": ticket, **spec.context}
    text = render(f"mail/{spec.template}.txt.j2", **context)
    name = f"mail/{spec.template}.html.j2"
    return text, (render(name, **context) if template_exists(name) else None)


def flatten_parts(
    ctx: AppContext, parts: MailParts, attachments: Sequence[tuple[str, str, bytes]] = ()
) -> bytes:
    """The bytes of the message `parts` describe (`spec_parts`): its stored files read from
    the blob store, after `attachments`."""
    files = [(name, ctype, ctx.blobs.get(sha)) for name, ctype, sha in parts["files"]]
    text = str(parts["text"])
    html_part = parts["html"]
    out = Outgoing(
        sender=parts["sender"],
        sender_name=parts["sender_name"],
        to=parts["to"],
        subject=parts["subject"],
        text=text,
        html=html_part if html_part is not None else text_to_html(text),
        message_id=parts["message_id"],
        date=datetime.fromisoformat(parts["date"]),
        reply_to=parts["reply_to"],
        in_reply_to=parts["in_reply_to"],
        references=parts["references"],
        auto_submitted=parts["auto_submitted"],
        ticket_number=parts["ticket_number"],
        attachments=[*attachments, *files],
        urgent=bool(parts["urgent"]),
    )
    return to_bytes(build_message(out))
