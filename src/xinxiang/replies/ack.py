"""The acknowledgement (受理回执): rendered into the outbox in the ticket's transaction."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from xinxiang.domain.letter import Letter
from xinxiang.replies.compose import Outgoing, build_message, outbox_message_id, to_bytes
from xinxiang.replies.render import quote_excerpt, render
from xinxiang.replies.tokens import reply_address
from xinxiang.store.models import TicketRow
from xinxiang.store.repo import add_event, count_recent_mail, enqueue_mail

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext


def queue_acknowledgement(
    ctx: AppContext, session: Session, ticket: TicketRow, letter: Letter, now: datetime
) -> bool:
    """Queue one receipt for the ticket unless the sender hit the hourly cap. True if queued."""
    settings = ctx.cfg.settings
    recipient = letter.from_addr
    if not recipient or "@" not in recipient:
        add_event(session, ticket.id, now, "system", "ack_skipped", reason="no reply address")
        return False
    recent = count_recent_mail(session, "ack", recipient, now - timedelta(hours=1))
    if recent >= settings.ack.max_per_sender_per_hour:
        add_event(
            session,
            ticket.id,
            now,
            "system",
            "ack_rate_limited",
            reason=f"already {recent} receipts to this address within the hour",
        )
        return False
    dedupe_key = f"ack:{ticket.number}"
    message_id = outbox_message_id(dedupe_key, ctx.msgid_domain)
    context = {
        "petitioner_name": letter.from_name,
        "received_at": now,
        "tz": settings.school.timezone,
        "channel": ticket.channel,
        "ticket_number": ticket.number,
        "query_code": ticket.query_code,
        "subject": letter.subject or "（无主题）",
        "excerpt": quote_excerpt(letter.body, settings.ack.quote_chars) or "（无正文）",
        "office_name": settings.school.office_name,
        "school_name": settings.school.name,
        "office_phone": settings.school.office_phone,
        "office_hours": settings.school.office_hours,
    }
    references = [*letter.references, letter.message_id] if letter.message_id else []
    out = Outgoing(
        sender=settings.smtp.from_address,
        sender_name=settings.smtp.from_name,
        to=[recipient],
        subject=f"【受理回执】{ticket.number} {letter.subject}".strip(),
        text=render("mail/ack.txt.j2", **context),
        html=render("mail/ack.html.j2", **context),
        message_id=message_id,
        date=now.astimezone(ctx.cfg.tz),
        reply_to=reply_address(settings.smtp.from_address, ticket.number, ctx.token_key),
        in_reply_to=letter.message_id,
        references=references[-10:],
        auto_submitted="auto-replied",
        ticket_number=ticket.number,
    )
    added = enqueue_mail(
        session,
        dedupe_key=dedupe_key,
        message_id=message_id,
        kind="ack",
        sender=settings.smtp.from_address,
        recipients=[recipient],
        raw=to_bytes(build_message(out)),
        now=now,
        ticket_id=ticket.id,
    )
    if added:
        add_event(session, ticket.id, now, "system", "ack_queued", message_id=message_id)
    return added
