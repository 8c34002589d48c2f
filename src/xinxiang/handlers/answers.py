"""The documents of a department's answer, handed to the door (`outgoing.door`) with its mail.

A formal answer carries the petitioner's 答复函 (PDF) and, in the office's 双反馈 copy, the
internal 阅批处理单, made from the rows as they stand (so the ticket and the reply must already
show the answer); the approval request (待审核) carries the 处理单's preview. The mails
themselves are composed in `outgoing.answers`. What the answer does to the ticket is the
workflow's (`domain.workflow`); these are called by `handlers.notices` after the change is
applied, so the record shows it.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from xinxiang.errors import XinxiangError
from xinxiang.handlers.documents import answer_letter_pdf, record_filename, regenerate_record
from xinxiang.handlers.redaction import public_text
from xinxiang.outgoing.answers import KIND_TITLES, REPLY_TITLES, answer_specs, approval_spec
from xinxiang.outgoing.door import post
from xinxiang.replies.answer_letter import answer_letter_filename
from xinxiang.replies.public_review import office_view
from xinxiang.store.models import LetterRow, TicketRow
from xinxiang.store.models_replies import TicketReplyRow

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext

__all__ = ["KIND_TITLES", "REPLY_TITLES", "queue_answer_mails", "queue_approval_mail"]


def queue_answer_mails(
    ctx: AppContext,
    session: Session,
    ticket: TicketRow,
    *,
    kind: str,
    department_code: str | None,
    planned_formal_date: object,
    text: str,
    key: str,
    now: datetime,
) -> None:
    """The answer `text` (a reply of `kind`) to the petitioner and its 双反馈 copy to the office."""
    letter = session.get(LetterRow, ticket.letter_id)
    letter_pdf: list[tuple[str, str, bytes]] = []
    record_pdf: list[tuple[str, str, bytes]] = []
    if kind == "formal":
        pdf, _sha = regenerate_record(ctx, session, ticket, now)
        record_pdf.append((record_filename(ticket), "application/pdf", pdf))
        reply_pdf = answer_letter_pdf(ctx, session, ticket, text, department_code, now)
        letter_pdf.append((answer_letter_filename(ticket.number), "application/pdf", reply_pdf))
    for spec in answer_specs(
        ctx,
        ticket,
        letter,
        kind=kind,
        department_code=department_code,
        planned_formal_date=planned_formal_date,
        text=text,
        key=key,
        now=now,
        letter_pdf=letter_pdf,
        record_pdf=record_pdf,
    ):
        post(ctx, session, ticket, spec, now)


def queue_approval_mail(
    ctx: AppContext, session: Session, ticket: TicketRow, reply: TicketReplyRow, now: datetime
) -> None:
    """The approval request (待审核) of `reply` to the office, with the PDF 处理单 preview and,
    for a public answer, the public text with every redaction numbered (保留 / 隐去)."""
    letter = session.get(LetterRow, ticket.letter_id)
    redactions = ""
    if ticket.public_consent and reply.kind == "formal":
        try:
            redactions = office_view(public_text(ctx, session, ticket.number).review)
        except XinxiangError:
            redactions = ""
    pdf, _ = regenerate_record(ctx, session, ticket, now)
    preview = (f"预览-{record_filename(ticket)}", "application/pdf", pdf)
    spec = approval_spec(ctx, ticket, letter, reply, preview, redactions=redactions)
    post(ctx, session, ticket, spec, now)
