"""The office's overdue list (逾期工单): every open deadline past due, for the CLI and the digest.

The office's actions on a ticket (转办, 协办, 延期审批) are commands of `xinxiang.handlers`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from xinxiang.domain.deadlines import DEADLINE_NAMES
from xinxiang.domain.states import DISPATCH_STATUSES, DUE_COLUMNS, OPEN_WORK_STATUSES
from xinxiang.store.models import CohandlerRow, TicketRow

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext


@dataclass(frozen=True)
class OverdueItem:
    """One deadline of an open ticket that has passed."""

    number: str
    department: str | None
    deadline: str
    due: datetime
    overdue_by: timedelta


def list_overdue(ctx: AppContext, now: datetime) -> list[OverdueItem]:
    """Every open deadline past due at `now`, most overdue first (indexed range queries)."""
    out: list[OverdueItem] = []
    with ctx.db.unit_of_work() as session:
        for kind, statuses in DUE_COLUMNS.items():
            col = getattr(TicketRow, f"{kind}_due")
            rows = session.execute(
                select(TicketRow.number, TicketRow.department_code, col).where(
                    TicketRow.status.in_([s.value for s in statuses]), col <= now
                )
            )
            out.extend(OverdueItem(n, d, kind, due, now - due) for n, d, due in rows)
        rows = session.execute(
            select(TicketRow.number, TicketRow.department_code, TicketRow.dispatch_due).where(
                TicketRow.status.in_([s.value for s in DISPATCH_STATUSES]),
                TicketRow.dispatch_due <= now,
            )
        )
        office = ctx.cfg.office.code
        out.extend(OverdueItem(n, office, "dispatch", due, now - due) for n, _d, due in rows)
        rows = session.execute(
            select(TicketRow.number, CohandlerRow.department_code, CohandlerRow.due)
            .join(TicketRow, TicketRow.id == CohandlerRow.ticket_id)
            .where(
                CohandlerRow.reported_at.is_(None),
                CohandlerRow.due <= now,
                TicketRow.status.in_([s.value for s in OPEN_WORK_STATUSES]),
            )
        )
        out.extend(OverdueItem(n, d, "cohandler", due, now - due) for n, d, due in rows)
    out.sort(key=lambda i: (-i.overdue_by, i.number, i.deadline))
    return out


def deadline_label(kind: str) -> str:
    """The Chinese name of a deadline kind."""
    return DEADLINE_NAMES.get(kind, kind)
