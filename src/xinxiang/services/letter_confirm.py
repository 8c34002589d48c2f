"""Confirming a web letter's contact address (网上来信确认邮箱) before its ticket is routed.

A letter from the web form names an address nobody has proved is the writer's. Its ticket is
recorded at once (number and receipt as for mail) with a `confirmation_pending` event, and
routing leaves it alone (`awaiting_confirmation`, checked by `services.routing`) until the link
mailed to the address is followed (`contact_confirmed`); its 转办 deadline starts then. An
emergency is never held: its alert and dispatch go out at once, and the link only confirms the
address.

The link carries a signed token (the deployment's token key under its own label) with the
ticket number, the address and an expiry; no secret is stored.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import ColumnElement, and_, exists, select
from sqlalchemy.orm import Session, aliased

from xinxiang.domain.deadlines import dispatch_due
from xinxiang.outgoing.ack import letter_confirm_spec
from xinxiang.outgoing.door import post
from xinxiang.services.context import AppContext
from xinxiang.store.models import EventRow, TicketRow
from xinxiang.store.repo import add_event

PENDING = "confirmation_pending"
CONFIRMED = "contact_confirmed"


@lru_cache(maxsize=16)
def awaiting_confirmation(since: datetime | None = None) -> ColumnElement[bool]:
    """True for a ticket whose web letter waits for its address to be confirmed: the routing
    hook (`TicketRow` rows matching this are not routed yet). With `since`, only letters whose
    confirmation was asked after `since` wait (an expired link no longer holds the letter).
    Built once per `since` (routing asks it of every batch; an expression is immutable)."""
    done = aliased(EventRow)
    asked = [EventRow.ticket_id == TicketRow.id, EventRow.kind == PENDING]
    if since is not None:
        asked.append(EventRow.at > since)
    return exists(
        select(EventRow.id).where(
            *asked,
            ~exists(
                select(done.id).where(
                    and_(done.ticket_id == EventRow.ticket_id, done.kind == CONFIRMED)
                )
            ),
        )
    )


def contact_unconfirmed(session: Session, ticket_id: int) -> bool:
    """Whether the ticket's web letter asked for a confirmation that never came."""
    return bool(
        session.execute(
            select(TicketRow.id).where(TicketRow.id == ticket_id, awaiting_confirmation())
        ).first()
    )


def _serializer(ctx: AppContext) -> URLSafeSerializer:
    key = hmac.new(ctx.token_key, b"xinxiang letter confirmation v1", hashlib.sha256).digest()
    return URLSafeSerializer(key, salt="xinxiang-letter-confirm")


def make_token(ctx: AppContext, number: str, address: str, expires: datetime) -> str:
    """The signed token of the confirmation link."""
    return str(
        _serializer(ctx).dumps({"n": number, "a": address.lower(), "e": int(expires.timestamp())})
    )


@dataclass(frozen=True)
class Claim:
    """What a valid token says: the ticket number and the address it confirms."""

    number: str
    address: str


def read_token(ctx: AppContext, token: str, now: datetime) -> Claim | None:
    """The claim of a token that is genuine and not expired, else None."""
    try:
        data = _serializer(ctx).loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("e"), int):
        return None
    if now.timestamp() > data["e"]:
        return None
    return Claim(str(data.get("n", "")), str(data.get("a", "")))


def hold_for_confirmation(
    ctx: AppContext, session: Session, ticket: TicketRow, link_base: str, now: datetime, hold: bool
) -> None:
    """Mail the confirmation link; with `hold`, keep the ticket out of routing until then."""
    hours = ctx.cfg.settings.web.confirm_hours
    expires = now + timedelta(hours=hours)
    token = make_token(ctx, ticket.number, ticket.petitioner_addr, expires)
    if hold:
        add_event(session, ticket.id, now, "system", PENDING, expires=expires.isoformat())
        # The 转办 clock starts when the letter is confirmed: no overdue count or reminder for
        # the office about a letter nobody has vouched for yet.
        ticket.dispatch_due = None
    link = f"{link_base}/letter/confirm?t={token}"
    post(ctx, session, ticket, letter_confirm_spec(ticket, link, hours), now)


def confirm_contact(ctx: AppContext, claim: Claim, now: datetime) -> str | None:
    """Record the confirmation of `claim`; the ticket number, or None when the claim does not
    fit the ticket (another address, no such ticket). Idempotent."""
    with ctx.db.unit_of_work() as session:
        ticket = session.execute(
            select(TicketRow).where(TicketRow.number == claim.number)
        ).scalar_one_or_none()
        if ticket is None or ticket.petitioner_addr.lower() != claim.address:
            return None
        seen = session.execute(
            select(EventRow.id).where(EventRow.ticket_id == ticket.id, EventRow.kind == CONFIRMED)
        ).first()
        if seen is None:
            add_event(session, ticket.id, now, claim.address, CONFIRMED, channel="web")
            if ticket.dispatch_due is None:
                ticket.dispatch_due = dispatch_due(now, ctx.policy)
        return ticket.number
