"""Challenges for staff mail that could not prove itself (确认往返), in the caller's transaction.

`challenge` holds the mail (holding-pen state ``confirm``) and sends the challenge to the
registered address the mail claims to come from; `take_confirmation` checks an answer to it.
The replay of the held action is the reply service's (it owns the mail actions).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinxiang.domain.letter import Letter
from xinxiang.outgoing.door import post
from xinxiang.outgoing.tickets import challenge_spec
from xinxiang.replies.authz import normalize_address
from xinxiang.store.models import LetterRow, TicketRow
from xinxiang.store.models_replies import HoldingRow

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext

__all__ = ["AWAITING", "Confirmation", "challenge", "take_confirmation"]

AWAITING = "confirm"


def _single_sender(letter: Letter) -> str | None:
    """The one From address, or None when From is absent, repeated or lists several."""
    values = [v for k, v in letter.headers if k.lower() == "from"]
    if len(values) != 1 or values[0].count("@") != 1:
        return None
    return normalize_address(letter.from_addr) or None


def challenge(
    ctx: AppContext,
    session: Session,
    row: LetterRow,
    letter: Letter,
    ticket: TicketRow,
    reason: str,
    now: datetime,
) -> HoldingRow | None:
    """Hold ``row`` awaiting confirmation and mail the challenge; None if it cannot be sent.

    No challenge when the From header is not exactly one address, or when the address already
    got ``max_challenges_per_hour`` challenges (a forger cannot flood a colleague's inbox).
    """
    address = _single_sender(letter)
    if address is None:
        return None
    settings = ctx.cfg.settings.authentication
    recent = session.execute(
        select(func.count(HoldingRow.id))
        .join(LetterRow, LetterRow.id == HoldingRow.letter_id)
        .where(
            HoldingRow.rule == "confirmation-requested",
            HoldingRow.created_at >= now - timedelta(hours=1),
            func.lower(LetterRow.from_addr) == address,
        )
    ).scalar_one()
    if recent >= settings.max_challenges_per_hour:
        return None
    hold = HoldingRow(
        letter_id=row.id,
        ticket_id=ticket.id,
        rule="confirmation-requested",
        reason=reason,
        state=AWAITING,
        created_at=now,
    )
    session.add(hold)
    session.flush()
    post(ctx, session, ticket, challenge_spec(ctx, ticket, row, hold, address, reason, now), now)
    return hold


@dataclass(frozen=True, slots=True)
class Confirmation:
    """An answer to a challenge: the held mail to replay, or why it cannot be (Chinese)."""

    hold: HoldingRow | None
    problem: str | None = None


def take_confirmation(
    ctx: AppContext, session: Session, hold_id: int, sender: str, now: datetime
) -> Confirmation:
    """Check a verified answer from ``sender`` to challenge ``hold_id`` and close it.

    The token already proved that ``sender`` is the address the challenge went to.
    """
    hold = session.get(HoldingRow, hold_id)
    if hold is None or hold.state != AWAITING:
        return Confirmation(None, "该确认请求已处理或不存在，本次回复未作任何变更。")
    expires = hold.created_at + timedelta(hours=ctx.cfg.settings.authentication.confirm_hours)
    if now > expires:
        hold.state, hold.resolved_at, hold.resolved_by = "expired", now, sender
        return Confirmation(
            None, "该确认请求已过期，原邮件未执行；如仍需办理，请重新回复系统邮件。"
        )
    hold.state, hold.resolved_at, hold.resolved_by = "confirmed", now, sender
    return Confirmation(hold)
