"""Routing committed tickets: classification, duplicates, dispatch or triage, in batches.

Ingestion only records (letter, ticket in state `received`, receipt); this stage decides. It
runs right after every poll and from the every-minute task, so a ticket is routed seconds after
it arrives, and a crash between the two stages only delays routing — `received` *is* the queue.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime

from sqlalchemy import select

from xinxiang.domain.states import TicketStatus
from xinxiang.services.context import AppContext
from xinxiang.services.dispatching import route_new_ticket
from xinxiang.store.models import AttachmentRow, LetterRow, TicketRow
from xinxiang.store.repo import letter_from_row

log = logging.getLogger(__name__)


def route_received(ctx: AppContext, now: datetime, *, batch: int = 50, limit: int = 5000) -> int:
    """Route up to `limit` tickets still in state `received`; returns how many were routed."""
    routed = 0
    while routed < limit:
        with ctx.db.unit_of_work() as session:
            tickets = list(
                session.execute(
                    select(TicketRow)
                    .where(TicketRow.status == TicketStatus.RECEIVED.value)
                    .order_by(TicketRow.id)
                    .limit(batch)
                    .with_for_update(skip_locked=True)
                ).scalars()
            )
            if not tickets:
                break
            letter_ids = [t.letter_id for t in tickets]
            letters = {
                r.id: r
                for r in session.execute(
                    select(LetterRow).where(LetterRow.id.in_(letter_ids))
                ).scalars()
            }
            files: dict[int, list[AttachmentRow]] = defaultdict(list)
            for a in session.execute(
                select(AttachmentRow).where(AttachmentRow.letter_id.in_(letter_ids))
            ).scalars():
                files[a.letter_id].append(a)
            for ticket in tickets:
                row = letters[ticket.letter_id]
                route_new_ticket(ctx, session, ticket, letter_from_row(row, files[row.id]), now)
            routed += len(tickets)
    if routed:
        log.info("routed %d tickets", routed)
    return routed
