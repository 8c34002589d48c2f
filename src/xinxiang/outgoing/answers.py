"""The mails of a department's answer: to the petitioner (答复来信人), its 双反馈 copy to the
office, and the approval request (待审核) when the answer waits for the office.

The answer is threaded to the original letter. The PDF documents (答复函, 处理单, its preview)
are made by the caller (`handlers.answers`) and handed in as attachments.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from xinxiang.replies.mailer import MailSpec
from xinxiang.replies.render import quote_excerpt
from xinxiang.store.models import LetterRow, TicketRow
from xinxiang.store.models_replies import TicketReplyRow

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext

Attachment = tuple[str, str, bytes]
KIND_TITLES = {"formal": "正式答复", "preliminary": "初步答复"}
REPLY_TITLES = {"formal": "正式回复", "preliminary": "初步回复", "extension": "延期申请"}


def answer_specs(
    ctx: AppContext,
    ticket: TicketRow,
    letter: LetterRow | None,
    *,
    kind: str,
    department_code: str | None,
    planned_formal_date: object,
    text: str,
    key: str,
    now: datetime,
    letter_pdf: list[Attachment],
    record_pdf: list[Attachment],
) -> tuple[MailSpec, MailSpec]:
    """The answer to the petitioner (with the 答复函) and its 双反馈 copy to the office (with
    the internal 阅批处理单): two documents, two readers."""
    formal = kind == "formal"
    dept = ctx.cfg.department(department_code) if department_code else None
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
    answer = MailSpec(
        kind="answer",
        to=[ticket.petitioner_addr],
        subject=subject,
        template="answer",
        context=context,
        key=key,
        in_reply_to=msgid,
        references=[msgid] if msgid else [],
        attachments=letter_pdf,
    )
    # 双反馈: the office keeps the same answer (with the record) for supervision and revisits.
    copy = MailSpec(
        kind="answer_copy",
        to=ctx.cfg.office.emails,
        subject=f"【双反馈】{subject}",
        template="answer",
        context={**context, "copy": True},
        key=key,
        attachments=record_pdf,
    )
    return answer, copy


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


def approval_spec(
    ctx: AppContext,
    ticket: TicketRow,
    letter: LetterRow | None,
    reply: TicketReplyRow,
    preview: Attachment,
    *,
    redactions: str = "",
) -> MailSpec:
    """The approval request (待审核) of `reply` to the office, with the PDF 处理单 `preview` and,
    for a public answer, its public text with every redaction numbered (`redactions`)."""
    dept = ctx.cfg.department(reply.department_code or "") if reply.department_code else None
    title = REPLY_TITLES.get(reply.kind, reply.kind)
    return MailSpec(
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
        attachments=[preview],
    )
