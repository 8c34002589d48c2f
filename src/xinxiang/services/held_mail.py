"""Automatic mail held over an outside address's hourly cap (暂存邮件): list, release, discard.

`outgoing/caps.py` keeps mail past `outgoing.outside_per_hour` to an address outside the school
as outbox rows in state "held" and tells the office once. The office decides: **release** puts a
held mail in the send queue as it is (the office's decision overrides the cap), **discard**
keeps it recorded but never sends it. Each decision is one transaction with an event on the
ticket's timeline naming who decided; deciding a mail that is no longer held is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinxiang.errors import XinxiangError
from xinxiang.services.context import AppContext
from xinxiang.store.models import OutboxRow, TicketRow
from xinxiang.store.repo import add_event

HELD = "held"
#: What each decision turns a held row into, and the event it writes.
_DECISIONS = {"release": ("pending", "mail_released"), "discard": ("discarded", "mail_discarded")}


@dataclass(frozen=True, slots=True)
class HeldMail:
    """One held mail as the office sees it."""

    id: int
    ticket_number: str | None
    kind: str
    recipients: list[str]
    created_at: datetime


def held_mail(session: Session, address: str | None = None) -> list[HeldMail]:
    """Every held mail (to `address` only, if given), oldest first."""
    query = (
        select(OutboxRow, TicketRow.number)
        .outerjoin(TicketRow, TicketRow.id == OutboxRow.ticket_id)
        .where(OutboxRow.state == HELD)
        .order_by(OutboxRow.created_at, OutboxRow.id)
    )
    if address:
        query = query.where(OutboxRow.recipient_key == address.strip().lower())
    return [
        HeldMail(row.id, number, row.kind, list(row.recipients), row.created_at)
        for row, number in session.execute(query)
    ]


def decide_held(
    ctx: AppContext,
    decision: str,
    ids: Sequence[int],
    actor: str,
    now: datetime,
    *,
    address: str | None = None,
) -> list[int]:
    """Release or discard held mails by id, or every one held for `address`; the ids decided.

    All or nothing: an unknown id, or one that is not held (already sent, released or
    discarded), refuses the whole request and changes nothing.
    """
    if decision not in _DECISIONS:
        raise XinxiangError(f"未知的处理方式: {decision}")
    state, kind = _DECISIONS[decision]
    with ctx.db.unit_of_work() as session:
        if address:
            rows = list(
                session.execute(
                    select(OutboxRow).where(
                        OutboxRow.state == HELD,
                        OutboxRow.recipient_key == address.strip().lower(),
                    )
                ).scalars()
            )
            if not rows:
                raise XinxiangError(f"没有发往 {address} 的暂存邮件")
        else:
            if not ids:
                raise XinxiangError("请给出暂存邮件编号，或用 --address 指定收件地址")
            rows = list(
                session.execute(select(OutboxRow).where(OutboxRow.id.in_(set(ids)))).scalars()
            )
            found = {r.id: r for r in rows}
            for i in ids:
                row = found.get(i)
                if row is None:
                    raise XinxiangError(f"没有编号为 {i} 的发件记录")
                if row.state != HELD:
                    raise XinxiangError(f"发件记录 {i} 不是暂存状态（当前：{row.state}），未作处理")
        for row in rows:
            # Its send time was when it was held: released, it is due at once.
            row.state = state
            if row.ticket_id is not None:
                add_event(
                    session,
                    row.ticket_id,
                    now,
                    actor,
                    kind,
                    mail_kind=row.kind,
                    to=list(row.recipients),
                    message_id=row.message_id,
                )
        return sorted(r.id for r in rows)
