"""The mails of a department's answer: to the petitioner (答复来信人), its 双反馈 copy to the
office, and the approval request (待审核) when the answer waits for the office.

The answer is threaded to the original letter; the formal one carries the PDF 处理单, the
approval request its preview. What the answer does to the ticket is the workflow's
(`domain.workflow`); these are called by the notice door (`handlers.notices`) after the
change is applied, so the record shows it.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from xinxiang.errors import XinxiangError
from xinxiang.handlers.redaction import public_text
from xinxiang.replies.answer_letter import answer_letter_filename
from xinxiang.replies.mailer import MailSpec, queue_ticket_mail
from xinxiang.replies.public_review import office_view
from xinxiang.replies.render import quote_excerpt
from xinxiang.services.records import answer_letter_pdf, record_filename, regenerate_record
from xinxiang.store.models import LetterRow, TicketRow
from xinxiang.store.models_replies import TicketReplyRow

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext

KIND_TITLES = {"formal": "正式答复", "preliminary": "初步答复"}
REPLY_TITLES = {"formal": "正式回复", "preliminary": "初步回复", "extension": "延期申请"}


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
    """The answer `text` (a reply of `kind`) to the petitioner and its 双反馈 copy to the office.

    A formal answer carries the petitioner's 答复函 (PDF) to the petitioner and the internal
    阅批处理单, made from the rows as they stand (so the ticket and the reply must already show
    the answer), to the office's copy.
    """
    formal = kind == "formal"
    letter = session.get(LetterRow, ticket.letter_id)
    dept = ctx.cfg.department(department_code) if department_code else None
    # Two documents, two readers: the petitioner gets the 答复函 (nothing internal), the office's
    # copy the internal 阅批处理单 (history, deadlines, approvals).
    letter_pdf: list[tuple[str, str, bytes]] = []
    attachments: list[tuple[str, str, bytes]] = []
    if formal:
        pdf, _sha = regenerate_record(ctx, session, ticket, now)
        attachments.append((record_filename(ticket), "application/pdf", pdf))
        reply_pdf = answer_letter_pdf(ctx, session, ticket, text, department_code, now)
        letter_pdf.append((answer_letter_filename(ticket.number), "application/pdf", reply_pdf))
    title = KIND_TITLES.get(kind, "答复")
    context = {
        "title": title,
        "formal": formal,
        "answer": text,
        "department": dept,
        "answered_at": now,
        "excerpt": quote_excerpt(letter.body if letter else "", ctx.cfg.settings.ack.quote_chars),
        "received_at": ticket.created_at,
        "planned_formal_date": planned_formal_date,
        "copy": False,
    }
    msgid = letter.message_id if letter is not None else None
    subject = f"【{title}】{ticket.number} {ticket.subject}"
    queue_ticket_mail(
        ctx,
        session,
        ticket,
        MailSpec(
            kind="answer",
            to=[ticket.petitioner_addr],
            subject=subject,
            template="answer",
            context=context,
            key=key,
            in_reply_to=msgid,
            references=[msgid] if msgid else [],
            attachments=letter_pdf,
        ),
        now,
    )
    # 双反馈: the office keeps the same answer (with the record) for supervision and revisits.
    queue_ticket_mail(
        ctx,
        session,
        ticket,
        MailSpec(
            kind="answer_copy",
            to=ctx.cfg.office.emails,
            subject=f"【双反馈】{subject}",
            template="answer",
            context={**context, "copy": True},
            key=key,
            attachments=attachments,
        ),
        now,
    )


def _deadline_lines(ticket: TicketRow) -> list[tuple[str, datetime]]:
    return [
        (label, value)
        for label, value in (
            ("响应时限", ticket.response_due),
            ("初步回复时限", ticket.preliminary_due),
            ("正式回复时限", ticket.formal_due),
        )
        if value is not None
    ]


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
                "deadlines": _deadline_lines(ticket),
                "public": bool(ticket.public_consent),
                "redactions": redactions,
            },
            key=f"reply{reply.id}",
            attachments=[(f"预览-{record_filename(ticket)}", "application/pdf", pdf)],
        ),
        now,
    )
