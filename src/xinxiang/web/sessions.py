"""Console sessions kept on the server (会话记录), so a session can be ended from outside it.

The signed cookie alone cannot be taken back: whoever holds it stays signed in until it
expires. Every login therefore records a row (`WebSessionRow`) whose random id the cookie
carries, and a request counts as signed in only while that row is live. Logout ends it; the
CAS server's back-channel logout (`logoutRequest` with the service ticket as `SessionIndex`)
ends every session made from that ticket. Only the SHA-256 of a ticket is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from xinxiang.store.models_web import UserRow, WebSessionRow

KEEP = timedelta(days=2)
"""Rows older than this are deleted at the next login (a session lasts one working day)."""


def ticket_digest(ticket: str) -> str:
    """What is stored of a CAS service ticket: its SHA-256, hex."""
    return hashlib.sha256(ticket.encode("utf-8")).hexdigest()


def start_session(
    session: Session, account: str, via: str, now: datetime, cas_ticket: str | None = None
) -> str:
    """Record a new session of `account` (signed in by `via`); its id, for the cookie."""
    session.execute(delete(WebSessionRow).where(WebSessionRow.created_at < now - KEEP))
    sid = secrets.token_urlsafe(32)
    session.add(
        WebSessionRow(
            id=sid,
            account=account,
            via=via,
            cas_ticket=ticket_digest(cas_ticket) if cas_ticket else None,
            created_at=now,
        )
    )
    session.flush()
    return sid


class SignedIn(NamedTuple):
    """What a request needs of its signed-in account (the permission view's inputs)."""

    name: str
    role: str
    department_code: str | None
    email: str | None


# The columns read per request, and the statement's cached form (built once, not per request).
_SIGNED_IN = (
    select(UserRow.name, UserRow.role, UserRow.department_code, UserRow.email)
    .join_from(WebSessionRow, UserRow, UserRow.name == WebSessionRow.account)
    .where(
        WebSessionRow.id == bindparam("sid"),
        WebSessionRow.account == bindparam("account"),
        WebSessionRow.ended_at.is_(None),
        UserRow.disabled.is_(False),
        UserRow.session_epoch == bindparam("epoch"),
    )
)


def signed_in(session: Session, sid: object, account: object, epoch: object) -> SignedIn | None:
    """The account of the cookie's session `sid`, if that session was recorded for `account`,
    has not ended (logout, CAS single logout), and the account is enabled and still at
    `epoch` (a password change or disabling bumps it): one statement, asked on every request."""
    if not isinstance(sid, str) or not sid or len(sid) > 64:
        return None
    if not isinstance(account, str) or type(epoch) is not int:
        return None
    row = session.execute(
        _SIGNED_IN, {"sid": sid, "account": account, "epoch": epoch}
    ).one_or_none()
    return None if row is None else SignedIn(*row)


def end_session(session: Session, sid: object, now: datetime, reason: str) -> None:
    """End session `sid` (logout); nothing if it is unknown or ended already."""
    if isinstance(sid, str) and sid:
        session.execute(
            update(WebSessionRow)
            .where(WebSessionRow.id == sid, WebSessionRow.ended_at.is_(None))
            .values(ended_at=now, end_reason=reason)
        )


def end_cas_sessions(session: Session, ticket: str, now: datetime) -> list[str]:
    """End every live session made from CAS service ticket `ticket`; their accounts (none for
    an unknown ticket, or one whose sessions ended already: a replayed logout changes nothing)."""
    rows = session.execute(
        select(WebSessionRow).where(
            WebSessionRow.cas_ticket == ticket_digest(ticket), WebSessionRow.ended_at.is_(None)
        )
    ).scalars()
    ended = []
    for row in rows:
        row.ended_at, row.end_reason = now, "cas-single-logout"
        ended.append(row.account)
    session.flush()
    return ended
