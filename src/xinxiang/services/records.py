"""The archive stage (归档): the 处理单 of every ticket whose timeline moved on, a few a minute.

The documents themselves are made by `handlers.documents`; this stage only finds the tickets
whose archived record is stale and regenerates it, shunting a ticket whose record fails.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinxiang.handlers.documents import RECORD_EVENT, regenerate_record
from xinxiang.services.shunt import Item, handle_each, set_aside
from xinxiang.store.models import EventRow, TicketRow

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext


def stale_record_ticket_ids(
    session: Session, limit: int, exclude: Collection[int] = ()
) -> list[int]:
    """Tickets whose timeline moved on since their last archived 处理单 (or that have none),
    except those in `exclude` (shunted)."""
    last_event = (
        select(EventRow.ticket_id, func.max(EventRow.id).label("last"))
        .where(EventRow.kind != RECORD_EVENT)
        .group_by(EventRow.ticket_id)
        .subquery()
    )
    last_record = (
        select(EventRow.ticket_id, func.max(EventRow.id).label("last"))
        .where(EventRow.kind == RECORD_EVENT)
        .group_by(EventRow.ticket_id)
        .subquery()
    )
    rows = session.execute(
        select(last_event.c.ticket_id)
        .join(TicketRow, TicketRow.id == last_event.c.ticket_id)
        .outerjoin(last_record, last_record.c.ticket_id == last_event.c.ticket_id)
        .where(
            TicketRow.status != "received",
            last_event.c.last > func.coalesce(last_record.c.last, 0),
            TicketRow.id.notin_(exclude),
        )
        .order_by(last_event.c.ticket_id)
        .limit(limit)
    ).scalars()
    return list(rows)


RECORDS_STAGE = "records"


def refresh_records(ctx: AppContext, now: datetime, *, limit: int = 20) -> int:
    """Regenerate and archive the 处理单 of tickets that changed since their last one.

    Run every minute by the worker, a few tickets at a time: each ticket's archived record
    follows its timeline without making any single step wait for WeasyPrint. A ticket whose
    record cannot be made is shunted (`services.shunt`) and the others are archived all the same.
    """
    with ctx.db.unit_of_work() as session:
        ids = stale_record_ticket_ids(session, limit, set_aside(session, RECORDS_STAGE))
        numbers: dict[int, str] = dict(
            session.execute(
                select(TicketRow.id, TicketRow.number).where(TicketRow.id.in_(ids))
            ).all()
        )

    def archive(session: Session, key: str) -> bool:
        ticket = session.get(TicketRow, int(key))
        if ticket is None:
            return False
        regenerate_record(ctx, session, ticket, now)
        return True

    items = [Item(str(i), numbers.get(i, str(i))) for i in ids]
    return sum(handle_each(ctx, RECORDS_STAGE, "ticket", items, archive, now))
