"""Office approval (党政办公室审核) of public answers, preliminary replies to public letters and
extension requests: whether a reply waits, the approval mail, the list of replies waiting.

The office's 同意 / 驳回 / 修改 (by mail or CLI) are commands of `xinxiang.handlers`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinxiang.domain.states import TicketStatus
from xinxiang.errors import XinxiangError
from xinxiang.handlers.repository import TicketRepository
from xinxiang.replies.mailer import MailSpec, queue_ticket_mail
from xinxiang.replies.render import quote_excerpt
from xinxiang.services.records import record_filename, regenerate_record
from xinxiang.store.models import LetterRow, TicketRow
from xinxiang.store.models_replies import TicketReplyRow
from xinxiang.store.repo import add_event

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext

# To become `[replies] approve_all_answers` in xinxiang.toml (config.py is not ours to change).
APPROVE_ALL_ANSWERS = False

REPLY_TITLES = {"formal": "正式回复", "preliminary": "初步回复", "extension": "延期申请"}


class ApprovalError(XinxiangError):
    """An approval command that cannot be carried out (no such ticket, nothing pending)."""


def needs_approval(
    ticket: TicketRow, kind: str, *, approve_all: bool = APPROVE_ALL_ANSWERS
) -> bool:
    """Whether a reply of `kind` on `ticket` waits for the office (pure)."""
    if kind == "extension":
        return True
    public = bool(ticket.public_consent)
    if kind == "formal":
        return public or approve_all
    if kind == "preliminary":
        return public
    return False


def _deadline_lines(ctx: AppContext, ticket: TicketRow) -> list[tuple[str, datetime]]:
    return [
        (label, value)
        for label, value in (
            ("响应时限", ticket.response_due),
            ("初步回复时限", ticket.preliminary_due),
            ("正式回复时限", ticket.formal_due),
        )
        if value is not None
    ]


def request_approval(
    ctx: AppContext, session: Session, ticket: TicketRow, reply: TicketReplyRow, now: datetime
) -> None:
    """Put `reply` up for approval: state, event and the approval mail with the PDF preview."""
    reply.state = "pending_approval"
    if reply.kind == "formal":
        ticket.status = TicketStatus.PENDING_APPROVAL.value
    add_event(
        session,
        ticket.id,
        now,
        "system",
        "approval_requested",
        intent=reply.kind,
        reply_id=reply.id,
    )
    letter = session.get(LetterRow, ticket.letter_id)
    pdf, _ = regenerate_record(ctx, session, ticket, now)
    dept = ctx.cfg.department(reply.department_code or "") if reply.department_code else None
    title = REPLY_TITLES.get(reply.kind, reply.kind)
    queue_ticket_mail(
        ctx,
        session,
        ticket,
        MailSpec(
            kind="approval_request",
            to=ctx.cfg.office.emails,
            subject=f"【待审核】{ticket.number} {title}：{ticket.subject}",
            template="approval_request",
            context={
                "title": title,
                "reply": reply,
                "department": dept,
                "letter_body": letter.body if letter else "",
                "excerpt": quote_excerpt(letter.body if letter else "", 200),
                "deadlines": _deadline_lines(ctx, ticket),
                "public": bool(ticket.public_consent),
            },
            key=f"reply{reply.id}",
            attachments=[(f"预览-{record_filename(ticket)}", "application/pdf", pdf)],
        ),
        now,
    )


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
