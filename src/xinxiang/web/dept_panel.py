"""What the ticket page shows a department account: its answer forms, the evidence (支撑材料),
and the petitioner as the department may know them (身份保密 hides who wrote).

Reads only; shared by the ticket page (`views_staff`) and the department's actions
(`views_department`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinxiang.domain.states import OPEN_WORK_STATUSES, TicketStatus
from xinxiang.replies.privacy import HIDDEN_PETITIONER, confidential_of, for_department
from xinxiang.store.models import AttachmentRow, EventRow, LetterRow, TicketRow
from xinxiang.store.repo import letter_from_row
from xinxiang.web.permissions import Actor, TicketResource, allowed
from xinxiang.web.ticket_panel import TimelineEntry

if TYPE_CHECKING:
    from xinxiang.config import Config
    from xinxiang.services.context import AppContext


@dataclass(frozen=True)
class Identity:
    """The petitioner and the letter as this actor may read them."""

    hidden: bool
    name: str
    address: str
    subject: str
    body: str


def identity(cfg: Config, session: Session, actor: Actor, ticket: TicketRow, body: str) -> Identity:
    """Who wrote and what, for `actor`: an identity-confidential letter (身份保密) is shown to
    departments and leaders without name or address and with its text redacted, exactly as the
    转办 mail carries it (`privacy.for_department`)."""
    letter_row = session.get(LetterRow, ticket.letter_id)
    plain = Identity(False, ticket.petitioner_name, ticket.petitioner_addr, ticket.subject, body)
    if letter_row is None or allowed(actor, "view-identity"):
        return plain
    if not confidential_of(cfg, letter_row.subject, letter_row.body).value:
        return plain
    letter = for_department(cfg, letter_from_row(letter_row, []), ticket.petitioner_name)
    return Identity(True, "", HIDDEN_PETITIONER, letter.subject, letter.body)


def hide_in_timeline(entries: list[TimelineEntry], ticket: TicketRow) -> list[TimelineEntry]:
    """The timeline without the petitioner's address or name (its `received` line names them)."""
    terms = [t for t in (ticket.petitioner_addr, ticket.petitioner_name) if t]

    def scrub(text: str) -> str:
        for term in terms:
            text = text.replace(term, "来信人")
        return text

    return [TimelineEntry(e.at, e.kind, scrub(e.actor), scrub(e.detail), e.audit) for e in entries]


@dataclass(frozen=True)
class EvidenceItem:
    """A file on the ticket that can be downloaded: a letter's attachment or uploaded evidence."""

    filename: str
    content_type: str
    size: int
    sha256: str
    by: str
    at: datetime | None


def evidence_of(session: Session, ticket: TicketRow) -> list[EvidenceItem]:
    """The 支撑材料 on the ticket (`evidence_added` events, from mail or the web), oldest first."""
    rows = session.execute(
        select(EventRow)
        .where(EventRow.ticket_id == ticket.id, EventRow.kind == "evidence_added")
        .order_by(EventRow.id)
    ).scalars()
    return [
        EvidenceItem(
            str(e.data.get("filename", "")),
            str(e.data.get("content_type", "")),
            int(e.data.get("size", 0)),
            str(e.data.get("sha256", "")),
            e.actor,
            e.at,
        )
        for e in rows
        if e.data.get("sha256") and e.data.get("stored", True)
    ]


def downloadable(
    session: Session, ticket: TicketRow, sha256: str, letter_files: bool
) -> EvidenceItem | None:
    """The file `sha256` if it belongs to this ticket (evidence, or with `letter_files` the
    letter's own attachments), else None: a hash of another ticket's file finds nothing."""
    for item in evidence_of(session, ticket):
        if item.sha256 == sha256:
            return item
    if not letter_files:
        return None
    att = session.execute(
        select(AttachmentRow).where(
            AttachmentRow.letter_id == ticket.letter_id,
            AttachmentRow.sha256 == sha256,
            AttachmentRow.stored.is_(True),
        )
    ).scalar_one_or_none()
    if att is None:
        return None
    return EvidenceItem(att.filename, att.content_type, att.size, sha256, "", None)


def dept_context(
    ctx: AppContext, actor: Actor, ticket: TicketRow, resource: TicketResource
) -> dict[str, Any]:
    """What the ticket page needs for a department's forms (nothing for other accounts)."""
    lead = allowed(actor, "department-action", resource)
    co = allowed(actor, "cohandler-report", resource)
    status = TicketStatus(ticket.status)
    web = ctx.cfg.settings.web
    return {
        "lead": lead,
        "co": co and status in OPEN_WORK_STATUSES,
        "can_accept": lead and status is TicketStatus.DISPATCHED,
        "can_answer": lead and status in OPEN_WORK_STATUSES,
        "can_return": lead and status in (TicketStatus.DISPATCHED, TicketStatus.ACCEPTED),
        "can_extend": lead and status in OPEN_WORK_STATUSES,
        "can_upload": (lead or co) and status is not TicketStatus.CLOSED,
        "evidence_types": ", ".join("." + t for t in web.evidence_types),
        "evidence_max": web.evidence_max_bytes,
    }
