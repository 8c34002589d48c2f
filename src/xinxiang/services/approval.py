"""Office approval (党政办公室审核) of public answers, preliminary replies to public letters and
extension requests: the replies waiting and the ticket an approval command names.

Whether a reply waits is the workflow's rule (`domain.workflow.common.needs_approval`), its
approval mail is `handlers.answers.queue_approval_mail`; the office's 同意 / 驳回 / 修改 (by
mail or CLI) are commands of `xinxiang.handlers`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinxiang.errors import XinxiangError
from xinxiang.handlers.repository import TicketRepository
from xinxiang.store.models import TicketRow
from xinxiang.store.models_replies import TicketReplyRow


class ApprovalError(XinxiangError):
    """An approval command that cannot be carried out (no such ticket, nothing pending)."""


def find_ticket(session: Session, ref: str) -> TicketRow:
    """The ticket named `ref`: its number (2026-000123) or its database id."""
    return TicketRepository(session).get(ref, by_id=True)


@dataclass(frozen=True, slots=True)
class PendingItem:
    """One reply waiting for the office (for `xinxiang pending`)."""

    number: str
    kind: str
    department: str | None
    subject: str
    submitted_at: datetime
    text: str


def list_pending(session: Session) -> list[PendingItem]:
    """Every reply waiting for the office, oldest first."""
    rows = session.execute(
        select(TicketReplyRow, TicketRow)
        .join(TicketRow, TicketRow.id == TicketReplyRow.ticket_id)
        .where(TicketReplyRow.state == "pending_approval")
        .order_by(TicketReplyRow.id)
    ).all()
    return [
        PendingItem(t.number, r.kind, r.department_code, t.subject, r.created_at, r.text)
        for r, t in rows
    ]
