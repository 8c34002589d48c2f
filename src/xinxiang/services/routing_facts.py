"""What routing needs to know of a batch's tickets, read in a few queries for the whole batch.

Routing a ticket asks the database three things besides the ticket itself: the sender's letters
within the hour before it (刷屏, `flood`), whether its web letter's address was never confirmed
(`unconfirmed`), and the sender's earlier letters it may repeat (同一诉求, `priors`). Asked per
ticket that is three queries a ticket; here each is one query for the batch.

The answers stay exact while the batch is routed in order: routing a ticket never changes another
ticket's sender, creation time or confirmation events, and the only changes it makes to an
earlier letter of the same sender (routed in this batch: a status, `duplicate_of`, `closed_at`)
are made on the same ORM objects `priors` holds, whose current attributes are filtered again
each time (`earlier_candidates`), as the per-ticket query filtered them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from xinxiang.domain.states import OPEN_STATUSES
from xinxiang.services.letter_confirm import awaiting_confirmation
from xinxiang.store.models import LetterRow, TicketRow

FLOOD_WINDOW = timedelta(hours=1)
PRIORS_PER_TICKET = 20
"""How many of the sender's latest earlier letters duplicate detection compares with."""

_OPEN = frozenset(s.value for s in OPEN_STATUSES)


@dataclass
class BatchFacts:
    """The batch's answers: see the module's docstring."""

    senders: dict[str, list[tuple[int, datetime]]] = field(default_factory=dict)
    """Lower-cased address → (id, created_at) of its tickets that may count for a flood."""
    unconfirmed: set[int] = field(default_factory=set)
    priors: dict[str, list[tuple[TicketRow, str]]] = field(default_factory=dict)
    """Address (as stored) → its tickets that may be an earlier letter, newest first, with body."""

    def flood_count(self, ticket: TicketRow) -> int:
        """The sender's letters within the hour before `ticket` (the per-ticket count)."""
        since = ticket.created_at - FLOOD_WINDOW
        return sum(
            1
            for tid, at in self.senders.get((ticket.petitioner_addr or "").lower(), ())
            if tid < ticket.id and at >= since
        )

    def earlier_candidates(
        self, ticket: TicketRow, now: datetime, window: timedelta
    ) -> list[tuple[TicketRow, str]]:
        """The sender's latest earlier letters not yet marked as duplicates, open or closed
        within `window`, newest first (at most `PRIORS_PER_TICKET`)."""
        found: list[tuple[TicketRow, str]] = []
        for row, body in self.priors.get(ticket.petitioner_addr, ()):
            if row.id >= ticket.id or row.duplicate_of is not None:
                continue
            recent = row.closed_at is not None and row.closed_at >= now - window
            if row.status in _OPEN or recent:
                found.append((row, body))
                if len(found) == PRIORS_PER_TICKET:
                    break
        return found


def batch_facts(
    session: Session, tickets: list[TicketRow], now: datetime, duplicate_window: timedelta
) -> BatchFacts:
    """Read what routing `tickets` (ordered by id) needs to know, in three queries."""
    facts = BatchFacts()
    if not tickets:
        return facts
    top = max(t.id for t in tickets)
    lowered = {(t.petitioner_addr or "").lower() for t in tickets} - {""}
    if lowered:
        since = min(t.created_at for t in tickets) - FLOOD_WINDOW
        senders: dict[str, list[tuple[int, datetime]]] = defaultdict(list)
        for tid, addr, at in session.execute(
            select(TicketRow.id, func.lower(TicketRow.petitioner_addr), TicketRow.created_at).where(
                func.lower(TicketRow.petitioner_addr).in_(lowered),
                TicketRow.id < top,
                TicketRow.created_at >= since,
            )
        ):
            senders[addr].append((tid, at))
        facts.senders = dict(senders)
    facts.unconfirmed = set(
        session.execute(
            select(TicketRow.id).where(
                TicketRow.id.in_([t.id for t in tickets]), awaiting_confirmation()
            )
        ).scalars()
    )
    stored = {t.petitioner_addr for t in tickets}
    priors: dict[str, list[tuple[TicketRow, str]]] = defaultdict(list)
    for row, body in session.execute(
        select(TicketRow, LetterRow.body)
        .join(LetterRow, LetterRow.id == TicketRow.letter_id)
        .where(
            TicketRow.petitioner_addr.in_(stored),
            TicketRow.id < top,
            TicketRow.duplicate_of.is_(None),
            or_(TicketRow.status.in_(_OPEN), TicketRow.closed_at >= now - duplicate_window),
        )
        .order_by(TicketRow.id.desc())
    ):
        priors[row.petitioner_addr].append((row, body))
    facts.priors = dict(priors)
    return facts
