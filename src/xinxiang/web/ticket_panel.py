"""What the ticket page adds for the office's actions: the forms' context, the redaction preview
of a reply waiting for approval, the timeline with the audited web actions, one-time messages.

Shared by the ticket page (`views_staff`) and the actions (`views_actions`); reads only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import Request

from xinxiang.domain.states import OPEN_STATUSES, OPEN_WORK_STATUSES, REOPENABLE, TicketStatus
from xinxiang.errors import XinxiangError
from xinxiang.handlers.redaction import public_text
from xinxiang.handlers.repository import TicketRepository
from xinxiang.replies.board import PublicItem, redact_item
from xinxiang.replies.privacy import deployment_redactor
from xinxiang.replies.public_review import office_view
from xinxiang.replies.publishing import private_terms
from xinxiang.replies.record_view import RecordEvent
from xinxiang.services.ticket_views import VIEW_LABEL, is_confidential, views
from xinxiang.store.models import LetterRow, TicketRow
from xinxiang.store.models_replies import TicketReplyRow
from xinxiang.store.models_web import AuditRow
from xinxiang.web.permissions import ROLE_LABELS, Actor, TicketResource, allowed

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext

ACTION_LABELS: dict[str, str] = {
    "route": "转办/改派",
    "cohandlers": "增加协办单位",
    "extension": "延期审批",
    "approve": "审核通过",
    "approve-edited": "修改后审核通过",
    "redact-lift": "公开文本：保留",
    "redact-add": "公开文本：隐去",
    "takedown": "撤下公开答复",
    "restore": "恢复公开答复",
    "reject": "审核驳回",
    "close": "办结",
    "reopen": "重新打开",
    # a department's answers (views_department)
    "dept-accept": "受理",
    "dept-preliminary": "初步回复",
    "dept-formal": "正式回复",
    "dept-return": "退回",
    "dept-extension": "延期申请",
    "dept-cohandler": "协办结果",
    "dept-evidence": "上传支撑材料",
    # a leader's (or the office's) 批示 (web.supervision)
    "instruct": "批示",
}
"""What each audited ticket action is called on the timeline (audit action `ticket-<key>`)."""

INSTRUCTABLE = frozenset({TicketStatus.SUPERVISED, *OPEN_WORK_STATUSES})
"""Where the workflow takes a 批示 (`domain.workflow.revisit.record_instruction`)."""

REPLY_KINDS = {"formal": "正式回复", "preliminary": "初步回复", "extension": "延期申请"}


def flash(request: Request, ok: bool, text: str) -> None:
    """A one-time message for the next page (kept in the signed session cookie)."""
    request.scope["session"]["flash"] = {"ok": ok, "text": text[:500]}


def take_flash(request: Request) -> dict[str, Any] | None:
    """The message left by the previous action, once."""
    value = request.scope["session"].pop("flash", None)
    return value if isinstance(value, dict) else None


@dataclass(frozen=True)
class TimelineEntry:
    """One line of the ticket's timeline: a logged event, or an audited web action."""

    at: datetime
    kind: str
    actor: str
    detail: str
    audit: bool = False


def _key(at: datetime) -> float:
    return at.timestamp() if at.tzinfo else at.replace(tzinfo=None).timestamp()


def timeline(
    session: Session, ticket: TicketRow, events: tuple[RecordEvent, ...], actor: Actor
) -> list[TimelineEntry]:
    """The ticket's events (as the 处理单 lists them) and its audited web actions, by time;
    for an identity-confidential ticket also every view of it (web and CLI).

    Who acted is shown to everyone who sees the ticket; the client address only to those who
    read the audit log (`view-audit`).
    """
    show_ip = allowed(actor, "view-audit")
    entries = [TimelineEntry(e.at, e.kind, e.actor, e.detail) for e in events]
    rows = session.execute(
        select(AuditRow)
        .where(AuditRow.resource == ticket.number, AuditRow.action.like("ticket-%"))
        .order_by(AuditRow.id)
    ).scalars()
    for a in rows:
        what = ACTION_LABELS.get(a.action.removeprefix("ticket-"), a.action)
        role = ROLE_LABELS.get(a.role, a.role)
        who = f"{a.account}（{role}，IP {a.ip or '未知'}）" if show_ip else f"{a.account}（{role}）"
        entries.append(TimelineEntry(a.at, f"网上操作：{what}", who, a.detail or "", True))
    if is_confidential(session, ticket):
        for a in views(session, ticket):
            role = ROLE_LABELS.get(a.role, a.role)
            who = (
                f"{a.account}（{role}，IP {a.ip or '未知'}）"
                if show_ip
                else f"{a.account}（{role}）"
            )
            entries.append(TimelineEntry(a.at, VIEW_LABEL, who, a.detail or "", True))
    return sorted(entries, key=lambda e: (_key(e.at), e.audit))


@dataclass(frozen=True)
class Preview:
    """A reply as the public board would show it (脱敏后): the subject and the answer."""

    subject: str
    answer: str
    changed: bool


def preview(
    ctx: AppContext, session: Session, ticket: TicketRow, reply: TicketReplyRow, now: datetime
) -> Preview:
    """The redaction the board applies to `reply` (same redactor, same private terms)."""
    letter = session.get(LetterRow, ticket.letter_id)
    body = letter.body if letter is not None else ""
    terms = private_terms(ticket, letter) if letter is not None else ()
    text = reply.final_text or reply.text
    item = PublicItem(
        number=ticket.number,
        category=ticket.category or "其他",
        department="",
        subject=ticket.subject,
        letter_text=body,
        answer_text=text,
        received_at=ticket.created_at,
        answered_at=now,
        petitioner_name=ticket.petitioner_name or "",
        private_terms=terms,
    )
    subject, _letter, answer = redact_item(item, deployment_redactor(ctx.cfg))
    return Preview(subject, answer, answer != text)


@dataclass(frozen=True)
class PublicPanel:
    """The public text of a ticket for the office: marked view, marks, published or taken down."""

    view: str
    marks: int
    published: bool
    taken_down: bool


def public_panel(ctx: AppContext, session: Session, ticket: TicketRow) -> PublicPanel | None:
    """The ticket's public text with numbered marks (None: not public, or no formal answer)."""
    try:
        text = public_text(ctx, session, ticket.number)
    except XinxiangError:
        return None
    row = text.row
    return PublicPanel(
        office_view(text.review),
        len(text.review.marks),
        row is not None and row.answer is not None and row.taken_down_at is None,
        row is not None and row.taken_down_at is not None,
    )


def action_context(
    ctx: AppContext,
    session: Session,
    actor: Actor,
    ticket: TicketRow,
    resource: TicketResource,
    now: datetime,
) -> dict[str, Any]:
    """What the ticket page needs for the office's forms (none for an account that may not act)."""
    if not allowed(actor, "office-action", resource):
        return {"can_act": False}
    status = TicketStatus(ticket.status)
    pending = TicketRepository(session).pending_rows(ticket)
    reply = pending[0] if pending else None
    shown = (
        preview(ctx, session, ticket, reply, now) if reply and reply.kind != "extension" else None
    )
    return {
        "can_act": True,
        "can_route": status in OPEN_STATUSES,
        "is_transfer": ticket.dispatched_at is not None
        and status not in (TicketStatus.RECEIVED, TicketStatus.TRIAGE),
        "can_work": status in OPEN_WORK_STATUSES,
        "can_close": status is TicketStatus.ANSWERED,
        "can_reopen": status in REOPENABLE,
        "reply": reply,
        "reply_kind": REPLY_KINDS.get(reply.kind, reply.kind) if reply else "",
        "preview": shown,
        "public": public_panel(ctx, session, ticket),
        "all_departments": [d for d in ctx.cfg.departments if d.code != ctx.cfg.office.code],
        "cohandler_codes": resource.cohandlers,
    }


def can_instruct(actor: Actor, ticket: TicketRow, resource: TicketResource) -> bool:
    """Whether the ticket page offers `actor` the 批示 form (the workflow would take one)."""
    return TicketStatus(ticket.status) in INSTRUCTABLE and allowed(actor, "instruct", resource)
