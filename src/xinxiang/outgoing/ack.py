"""The acknowledgement (受理回执).

The receipt's outbox row is written in the ticket's own transaction (so it can never be lost),
but rendered only when it is sent: ingestion stays fast, and the receipt can already name the
department and the deadlines when routing has happened in the meantime. Its Message-ID is fixed
at enqueue time, so a resend after a crash is recognisably the same mail.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from xinxiang.replies.compose import outbox_message_id
from xinxiang.replies.mailer import MailSpec, mail_key, render_spec
from xinxiang.replies.render import quote_excerpt
from xinxiang.store.models import LetterRow, OutboxRow, TicketRow
from xinxiang.store.repo import outbox_values
from xinxiang.store.write_batch import stored_rows_only, unflushed

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext

ACK_KIND = "ack"


def new_ack_values(ctx: AppContext, ticket: TicketRow, now: datetime) -> dict[str, Any]:
    """The column values of the (not yet rendered) receipt for a new ticket's outbox row."""
    key = mail_key(ACK_KIND, ticket.number, "receipt")
    return outbox_values(
        dedupe_key=key,
        message_id=outbox_message_id(key, ctx.msgid_domain),
        kind=ACK_KIND,
        sender=ctx.cfg.settings.smtp.from_address,
        recipients=[ticket.petitioner_addr.lower()],
        raw=None,
        now=now,
        ticket_id=ticket.id,
    )


def _spec(ctx: AppContext, ticket: TicketRow, letter: LetterRow) -> MailSpec:
    settings = ctx.cfg.settings
    references = [r for r in (letter.in_reply_to, letter.message_id) if r]
    return MailSpec(
        kind=ACK_KIND,
        to=[ticket.petitioner_addr],
        key="receipt",
        subject=f"【受理回执】{ticket.number} {letter.subject}".strip(),
        template="ack",
        context={
            "petitioner_name": letter.from_name,
            "received_at": ticket.created_at,
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
            # Attachments too large to take in (left on the mail server): say how to send them.
            "omitted_attachments": [a.filename for a in letter.attachments if not a.stored],
            # A file that size still fits one mail whole, base64 (4/3) included.
            "max_attachment_mb": min(
                settings.storage.max_attachment_bytes, settings.storage.max_message_bytes * 3 // 4
            )
            // (1024 * 1024)
            or 1,
        },
        in_reply_to=letter.message_id,
        references=references,
        auto_submitted="auto-replied",
    )


def answered_by_template(ticket: TicketRow) -> bool:
    """Whether the petitioner already got a template answer instead of a receipt."""
    return ticket.duplicate_of is not None or ticket.disposition in ("legal_channel", "illegal")


def render_ack(ctx: AppContext, session: Session, row: OutboxRow) -> bytes | None:
    """Render a deferred receipt, or None when it must not be sent any more."""
    ticket = session.get(TicketRow, row.ticket_id) if row.ticket_id is not None else None
    if ticket is None or answered_by_template(ticket):
        return None
    letter = session.get(LetterRow, ticket.letter_id)
    if letter is None:
        return None
    return render_spec(ctx, ticket, _spec(ctx, ticket, letter), row.message_id, row.created_at)


def supersede_receipt(session: Session, ticket: TicketRow) -> None:
    """A template answer (duplicate notice, legal channel, …) replaces the receipt while that is
    still unsent, so the petitioner gets one automatic mail, not two."""
    # in a routing batch: its tickets are written at its end, and its new rows (no pending
    # receipt among them) too
    with (
        unflushed(session, OutboxRow),
        stored_rows_only(session, lambda r: r["ticket_id"] == ticket.id and r["kind"] == ACK_KIND),
    ):
        session.execute(
            update(OutboxRow)
            .where(
                OutboxRow.ticket_id == ticket.id,
                OutboxRow.kind == ACK_KIND,
                OutboxRow.state == "pending",
                OutboxRow.raw.is_(None),
            )
            .values(state="skipped", last_error="superseded by a template answer")
        )


def letter_confirm_spec(ticket: TicketRow, link: str, hours: int) -> MailSpec:
    """The web letter's confirmation mail (确认邮箱): the signed `link`, valid `hours`."""
    return MailSpec(
        kind="letter_confirm",
        to=[ticket.petitioner_addr],
        subject=f"【请确认邮箱】{ticket.number} {ticket.subject}",
        template="letter_confirm",
        context={"link": link, "hours": hours},
        key="confirm",
        auto_submitted="auto-replied",
    )
