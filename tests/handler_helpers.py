"""What the command-layer tests read back: a ticket's log, its mails, its columns, row counts."""

from __future__ import annotations

import email
from email import policy
from typing import Any

from sqlalchemy import func, select

from sweep_helpers import outbox, ticket
from xinxiang.services.context import AppContext
from xinxiang.store.models import CohandlerRow, EventRow, OutboxRow, TicketRow
from xinxiang.store.models_replies import TicketReplyRow


def log(ctx: AppContext, number: str) -> list[tuple[str, str]]:
    """The ticket's events after ingest and routing: (kind, actor)."""
    t = ticket(ctx, number)
    with ctx.db.unit_of_work() as s:
        q = select(EventRow.kind, EventRow.actor).where(EventRow.ticket_id == t.id)
        return [(k, a) for k, a in s.execute(q.order_by(EventRow.id)).all()]


def mails(ctx: AppContext, number: str, since: int) -> list[tuple[str, list[str], str]]:
    """Outbox rows after the first `since`: (kind, recipients, subject before the number)."""
    out = []
    for m in outbox(ctx)[since:]:
        assert m.raw is not None
        subject = str(email.message_from_bytes(m.raw, policy=policy.default)["Subject"])
        head, _, _ = subject.partition(number)
        assert subject.startswith(head + number + " ")
        out.append((m.kind, m.recipients, head))
    return out


def counts(ctx: AppContext) -> dict[str, int]:
    """How many rows each table a command may write holds."""
    with ctx.db.unit_of_work() as s:
        return {
            t.__name__: s.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (EventRow, OutboxRow, TicketReplyRow, CohandlerRow, TicketRow)
        }


def columns(ctx: AppContext, number: str) -> dict[str, Any]:
    """Every column of the ticket numbered `number`, by name."""
    t = ticket(ctx, number)
    return {c.name: getattr(t, c.key) for c in TicketRow.__table__.columns}
