"""The acknowledgement (受理回执): rendered into the outbox in the ticket's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from xinxiang.domain.letter import Letter
from xinxiang.replies.mailer import MailSpec, queue_ticket_mail
from xinxiang.replies.render import quote_excerpt
from xinxiang.store.models import TicketRow

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext


def queue_acknowledgement(
    ctx: AppContext, session: Session, ticket: TicketRow, letter: Letter, now: datetime
) -> bool:
    """Queue the receipt for a new ticket (subject to the per-sender hourly cap)."""
    settings = ctx.cfg.settings
    references = [*letter.references, letter.message_id] if letter.message_id else []
    spec = MailSpec(
        kind="ack",
        to=[letter.from_addr],
        key="receipt",
        subject=f"【受理回执】{ticket.number} {letter.subject}".strip(),
        template="ack",
        context={
            "petitioner_name": letter.from_name,
            "received_at": now,
            "channel": ticket.channel,
            "ticket_number": ticket.number,
            "query_code": ticket.query_code,
            "subject": letter.subject or "（无主题）",
            "excerpt": quote_excerpt(letter.body, settings.ack.quote_chars) or "（无正文）",
            "department": ctx.cfg.department(ticket.department_code or "")
            if ticket.dispatched_at
            else None,
            "emergency": ticket.urgency == "emergency",
            "response_due": ticket.response_due,
            "preliminary_due": ticket.preliminary_due,
            "formal_due": ticket.formal_due,
        },
        in_reply_to=letter.message_id,
        references=references,
        auto_submitted="auto-replied",
    )
    return queue_ticket_mail(ctx, session, ticket, spec, now)
