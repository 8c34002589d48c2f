"""Office approval (党政办公室审核) of public answers, preliminary replies to public letters and
extension requests: the approval mail, and 同意 / 驳回 / 修改 by mail or CLI.

A rejected reply goes back to the department with the reason; its deadline keeps running.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinxiang.domain.states import TicketStatus
from xinxiang.errors import XinxiangError
from xinxiang.logs import log_event
from xinxiang.replies.mailer import MailSpec, queue_ticket_mail
from xinxiang.replies.render import quote_excerpt
from xinxiang.services.answers import send_answer
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


def pending_reply(session: Session, ticket: TicketRow) -> TicketReplyRow | None:
    """The oldest reply of `ticket` waiting for the office, if any."""
    return session.execute(
        select(TicketReplyRow)
        .where(TicketReplyRow.ticket_id == ticket.id, TicketReplyRow.state == "pending_approval")
        .order_by(TicketReplyRow.id)
        .limit(1)
    ).scalar_one_or_none()


def _confirm_department(
    ctx: AppContext,
    session: Session,
    ticket: TicketRow,
    reply: TicketReplyRow,
    template: str,
    message: str,
    now: datetime,
    key: str,
) -> None:
    dept = ctx.cfg.department(reply.department_code or "") if reply.department_code else None
    to = list(dept.emails) if dept else [reply.author]
    queue_ticket_mail(
        ctx,
        session,
        ticket,
        MailSpec(
            kind=template,
            to=to,
            subject=f"【{'已记录' if template == 'confirm' else '未采纳'}】{ticket.number} "
            f"{ticket.subject}",
            template=template,
            context={"message": message, "department": dept},
            key=key,
        ),
        now,
    )


def approve(
    ctx: AppContext,
    session: Session,
    ticket: TicketRow,
    reply: TicketReplyRow,
    actor: str,
    now: datetime,
    edited_text: str | None = None,
) -> None:
    """同意 (or 修改 with `edited_text`): carry the reply out and tell the department."""
    log_event("approved", ticket=ticket.number, reply=reply.id, intent=reply.kind)
    reply.state = "approved"
    reply.decided_by = actor
    reply.decided_at = now
    if edited_text:
        reply.final_text = edited_text
    add_event(
        session,
        ticket.id,
        now,
        actor,
        "approved",
        intent=reply.kind,
        reply_id=reply.id,
        edited=bool(edited_text),
        by=actor,
    )
    if reply.kind == "extension":
        assert reply.extension_until is not None
        ticket.formal_due = reply.extension_until
        add_event(
            session,
            ticket.id,
            now,
            actor,
            "extension_granted",
            until=reply.extension_until.isoformat(),
        )
        _confirm_department(
            ctx,
            session,
            ticket,
            reply,
            "confirm",
            "党政办公室已同意延期，正式回复时限调整为"
            f"{reply.extension_until.astimezone(ctx.cfg.tz):%Y-%m-%d %H:%M}。",
            now,
            f"approved{reply.id}",
        )
        return
    reply.public = bool(ticket.public_consent) and reply.kind == "formal"
    send_answer(ctx, session, ticket, reply, now)
    _confirm_department(
        ctx,
        session,
        ticket,
        reply,
        "confirm",
        f"党政办公室已审核通过贵单位的{REPLY_TITLES.get(reply.kind, '')}"
        + ("（经修改）" if edited_text else "")
        + "，已发送来信人。",
        now,
        f"approved{reply.id}",
    )


def reject(
    ctx: AppContext,
    session: Session,
    ticket: TicketRow,
    reply: TicketReplyRow,
    actor: str,
    reason: str,
    now: datetime,
) -> None:
    """驳回: the reply goes back to the department with `reason`; the deadline keeps running."""
    reply.state = "rejected"
    reply.decided_by = actor
    reply.decided_at = now
    reply.reject_reason = reason
    if ticket.status == TicketStatus.PENDING_APPROVAL.value:
        has_prelim = session.execute(
            select(TicketReplyRow.id).where(
                TicketReplyRow.ticket_id == ticket.id,
                TicketReplyRow.kind == "preliminary",
                TicketReplyRow.state == "sent",
            )
        ).first()
        ticket.status = (TicketStatus.PRELIMINARY if has_prelim else TicketStatus.ACCEPTED).value
    add_event(
        session,
        ticket.id,
        now,
        actor,
        "rejected",
        intent=reply.kind,
        reply_id=reply.id,
        reason=reason,
    )
    due = ticket.formal_due or ticket.preliminary_due
    tail = f"原办理时限（{due.astimezone(ctx.cfg.tz):%Y-%m-%d %H:%M}）不变。" if due else ""
    _confirm_department(
        ctx,
        session,
        ticket,
        reply,
        "refuse",
        f"党政办公室驳回了贵单位的{REPLY_TITLES.get(reply.kind, '答复')}，"
        f"理由：{reason}。请修改后直接回复本邮件重新提交，{tail}",
        now,
        f"rejected{reply.id}",
    )


def find_ticket(session: Session, ref: str) -> TicketRow:
    """The ticket named `ref`: its number (2026-000123) or its database id."""
    ticket = session.execute(
        select(TicketRow).where(TicketRow.number == ref.strip())
    ).scalar_one_or_none()
    if ticket is None and ref.strip().isdigit():
        ticket = session.get(TicketRow, int(ref.strip()))
    if ticket is None:
        raise ApprovalError(f"没有编号为 {ref} 的工单")
    return ticket


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


def approve_by_number(
    ctx: AppContext, ref: str, actor: str, now: datetime, edited_text: str | None = None
) -> str:
    """CLI 同意/修改 of the pending reply of ticket `ref`; returns the ticket number."""
    with ctx.db.unit_of_work() as session:
        ticket = find_ticket(session, ref)
        reply = pending_reply(session, ticket)
        if reply is None:
            raise ApprovalError(f"工单 {ticket.number} 没有待审核的答复")
        approve(ctx, session, ticket, reply, actor, now, edited_text)
        number = ticket.number
    _republish_quietly(ctx, now)
    return number


def reject_by_number(ctx: AppContext, ref: str, actor: str, reason: str, now: datetime) -> str:
    """CLI 驳回 of the pending reply of ticket `ref`; returns the ticket number."""
    if not reason.strip():
        raise ApprovalError("驳回须写明理由")
    with ctx.db.unit_of_work() as session:
        ticket = find_ticket(session, ref)
        reply = pending_reply(session, ticket)
        if reply is None:
            raise ApprovalError(f"工单 {ticket.number} 没有待审核的答复")
        reject(ctx, session, ticket, reply, actor, reason.strip(), now)
        return ticket.number


def _republish_quietly(ctx: AppContext, now: datetime) -> None:
    from xinxiang.services.publishing import republish

    republish(ctx, now)
