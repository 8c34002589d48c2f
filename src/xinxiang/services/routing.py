"""Routing committed tickets: classification, duplicates, dispatch or triage, in batches.

Ingestion only records (letter, ticket in state `received`, receipt); this stage decides. It
runs right after every poll and from the every-minute task, so a ticket is routed seconds after
it arrives, and a crash between the two stages only delays routing — `received` *is* the queue.
A ticket whose routing raises is shunted (`services.shunt`); the others are routed all the same.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinxiang.domain.states import TicketStatus
from xinxiang.logs import log_event
from xinxiang.services.context import AppContext
from xinxiang.services.dispatching import route_new_ticket
from xinxiang.services.letter_confirm import awaiting_confirmation
from xinxiang.services.shunt import Item, handle_batch, set_aside
from xinxiang.store.models import AttachmentRow, LetterRow, TicketRow
from xinxiang.store.repo import letter_from_row

log = logging.getLogger(__name__)


STAGE = "routing"


def route_received(ctx: AppContext, now: datetime, *, batch: int = 50, limit: int = 5000) -> int:
    """Route up to `limit` tickets still in state `received`; returns how many were routed.

    A batch is routed in one transaction; when it raises, its tickets are routed again one
    transaction each and the one that raises is shunted (left in `received`, out of this stage
    until `xinxiang shunt retry`), so one bad ticket never stops routing for the others.
    """
    routed = 0
    after = 0
    while routed < limit:
        with ctx.db.unit_of_work() as session:
            rows = session.execute(
                select(TicketRow.id, TicketRow.number)
                .where(
                    TicketRow.status == TicketStatus.RECEIVED.value,
                    TicketRow.id > after,
                    TicketRow.id.notin_(set_aside(session, STAGE)),
                    ~awaiting_confirmation(),  # a web letter's address not confirmed yet
                )
                .order_by(TicketRow.id)
                .limit(min(batch, limit - routed))
            ).all()
        if not rows:
            break
        after = rows[-1].id
        routed += sum(
            handle_batch(
                ctx,
                STAGE,
                "ticket",
                [Item(str(r.id), r.number) for r in rows],
                lambda session, keys: _route(ctx, session, [int(k) for k in keys], now),
                now,
            )
        )
    if routed:
        log.info("routed %d tickets", routed)
    return routed


def _route(ctx: AppContext, session: Session, ids: list[int], now: datetime) -> int:
    """Route the tickets `ids` that are still `received` (another worker may hold some);
    how many were routed."""
    tickets = list(
        session.execute(
            select(TicketRow)
            .where(TicketRow.id.in_(ids), TicketRow.status == TicketStatus.RECEIVED.value)
            .order_by(TicketRow.id)
            .with_for_update(skip_locked=True)
        ).scalars()
    )
    if not tickets:
        return 0
    letter_ids = [t.letter_id for t in tickets]
    letters = {
        r.id: r
        for r in session.execute(select(LetterRow).where(LetterRow.id.in_(letter_ids))).scalars()
    }
    files: dict[int, list[AttachmentRow]] = defaultdict(list)
    for a in session.execute(
        select(AttachmentRow).where(AttachmentRow.letter_id.in_(letter_ids))
    ).scalars():
        files[a.letter_id].append(a)
    for ticket in tickets:
        row = letters[ticket.letter_id]
        route_new_ticket(ctx, session, ticket, letter_from_row(row, files[row.id]), now)
        log_event(
            "ticket_routed",
            ticket=ticket.number,
            status=ticket.status,
            department=ticket.department_code,
            disposition=ticket.disposition,
            urgency=ticket.urgency,
        )
    return len(tickets)
