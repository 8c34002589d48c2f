"""The holding pen (待甄别区): reply mails that may not act on a ticket, for the office.

A held mail changes no ticket; the office is told once per mail. `xinxiang holding` lists
them, attaches one to a ticket as a note (`assign_held`) or closes it (`discard_held`).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinxiang.outgoing.office import post_mail
from xinxiang.replies.mailer import base_context
from xinxiang.replies.render import render
from xinxiang.services.approval import ApprovalError, find_ticket
from xinxiang.services.reply_actions import ReplyOutcome
from xinxiang.store.models import LetterRow, TicketRow
from xinxiang.store.models_replies import HoldingRow
from xinxiang.store.repo import add_event

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext

log = logging.getLogger(__name__)


def _office_mail(
    ctx: AppContext,
    session: Session,
    kind: str,
    key: str,
    subject: str,
    template: str,
    context: dict[str, object],
    now: datetime,
) -> None:
    """A mail to the office about no particular ticket (holding pen notices)."""
    text = render(f"mail/{template}.txt.j2", **{**base_context(ctx), **context})
    post_mail(
        ctx,
        session,
        key=f"{kind}:{key}",
        kind=kind,
        to=sorted({a.lower() for a in ctx.cfg.office.emails}),
        subject=subject,
        text=text,
        html=None,
        now=now,
    )


def hold(
    ctx: AppContext,
    session: Session,
    row: LetterRow,
    ticket: TicketRow | None,
    rule: str,
    reason: str,
    now: datetime,
) -> ReplyOutcome:
    """Put the reply `row` in the holding pen (待甄别) for `reason` and tell the office."""
    hold = session.execute(
        select(HoldingRow).where(HoldingRow.letter_id == row.id)
    ).scalar_one_or_none()
    if hold is None:
        hold = HoldingRow(letter_id=row.id, created_at=now)
        session.add(hold)
    # A confirmed mail that still cannot act is held again, in its one holding-pen row.
    hold.ticket_id, hold.rule, hold.reason, hold.state = (
        ticket.id if ticket else None,
        rule,
        reason,
        "open",
    )
    session.flush()
    _office_mail(
        ctx,
        session,
        "holding_notice",
        f"letter{row.id}",
        f"【待甄别】来自 {row.from_addr} 的邮件未处理" + (f"（{ticket.number}）" if ticket else ""),
        "holding_notice",
        {
            "hold": hold,
            "row": row,
            "ticket": ticket,
            "reason": reason,
            "excerpt": " ".join(row.body.split())[:300],
        },
        now,
    )
    log.info("reply %s held: %s", row.id, rule)
    return ReplyOutcome("held", None, rule, reason)


def list_holding(session: Session, state: str = "open") -> list[tuple[HoldingRow, LetterRow]]:
    """Mails in the holding pen (with their letters), oldest first."""
    rows = session.execute(
        select(HoldingRow, LetterRow)
        .join(LetterRow, LetterRow.id == HoldingRow.letter_id)
        .where(HoldingRow.state == state)
        .order_by(HoldingRow.id)
    ).all()
    return [(h, lr) for h, lr in rows]


def discard_held(ctx: AppContext, hold_id: int, actor: str, now: datetime) -> None:
    """Close a held mail without acting on it."""
    with ctx.db.unit_of_work() as session:
        hold = session.get(HoldingRow, hold_id)
        if hold is None or hold.state != "open":
            raise ApprovalError(f"待甄别区没有未处理的记录 {hold_id}")
        hold.state, hold.resolved_at, hold.resolved_by = "discarded", now, actor


def assign_held(ctx: AppContext, hold_id: int, ticket_ref: str, actor: str, now: datetime) -> str:
    """Attach a held mail to a ticket as a note (the office vouched for it); returns the number.

    The mail does not act on the ticket: the office forwards it or acts by CLI.
    """
    with ctx.db.unit_of_work() as session:
        hold = session.get(HoldingRow, hold_id)
        if hold is None or hold.state != "open":
            raise ApprovalError(f"待甄别区没有未处理的记录 {hold_id}")
        ticket = find_ticket(session, ticket_ref)
        letter = session.get(LetterRow, hold.letter_id)
        assert letter is not None
        hold.state, hold.resolved_at, hold.resolved_by = "assigned", now, actor
        hold.ticket_id = ticket.id
        add_event(
            session,
            ticket.id,
            now,
            actor,
            "follow_up",
            text=f"（待甄别邮件，来自 {letter.from_addr}）{letter.body[:2000]}",
        )
        return ticket.number
