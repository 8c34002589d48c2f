"""Who looked at an identity-confidential ticket (seed 004 第十五条(四)): every view is audited.

A ticket is identity-confidential when routing recorded a `confidential` event (the writer asked
to stay anonymous). The web console audits every ticket page it shows (`view-ticket`); the CLI's
`tickets show` does the same for a confidential ticket. `views` lists those rows, for the
ticket's timeline on the web and in the CLI, so the office sees who viewed it and when.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinxiang.store.models import EventRow, TicketRow
from xinxiang.store.models_web import AuditRow

VIEW_ACTION = "view-ticket"
VIEW_LABEL = "查阅（身份保密来信）"


def is_confidential(session: Session, ticket: TicketRow) -> bool:
    """Whether the ticket's writer asked for identity confidentiality."""
    found = session.execute(
        select(EventRow.id)
        .where(EventRow.ticket_id == ticket.id, EventRow.kind == "confidential")
        .limit(1)
    ).first()
    return found is not None


def views(session: Session, ticket: TicketRow) -> list[AuditRow]:
    """Every audited view of the ticket's page or record, oldest first."""
    return list(
        session.execute(
            select(AuditRow)
            .where(AuditRow.resource == ticket.number, AuditRow.action == VIEW_ACTION)
            .order_by(AuditRow.id)
        ).scalars()
    )
