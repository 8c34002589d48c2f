"""What an authorised reply does (答复办理): a department's action or a petitioner's follow-up.

The reply loop (`services.replies`) has read the action out of the mail and checked that its
sender may give it; here it becomes a command of the command layer (`handlers.department`),
run in a savepoint of the reply's unit of work. The workflow decides and changes the ticket;
a refusal changes nothing and is logged and mailed back (`refuse`, once a day per reason).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinxiang.domain.letter import Letter
from xinxiang.domain.states import OPEN_STATUSES, TicketStatus
from xinxiang.domain.workflow import Notice, Recipient, Role
from xinxiang.handlers import (
    AcceptTicket,
    Actor,
    AddFollowUp,
    AnswerTicket,
    Message,
    Refused,
    ReportCohandlerResult,
    RequestExtension,
    ReturnTicket,
    handle,
)
from xinxiang.handlers.notices import send_notices
from xinxiang.replies.intent import ReplyIntent
from xinxiang.store.models import AttachmentRow, LetterRow, TicketRow
from xinxiang.store.models_replies import TicketReplyRow
from xinxiang.store.repo import add_event

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext

DEPARTMENT_ACTIONS = ("accept", "preliminary", "formal", "return", "extension", "cohandler_result")
"""The actions a department's (or co-handler's) reply may carry."""


@dataclass(frozen=True, slots=True)
class ReplyOutcome:
    """What handling one reply did: recorded | refused | held | follow_up | office | skipped."""

    status: str
    ticket_number: str | None = None
    action: str | None = None
    reason: str | None = None


def confirm(
    ctx: AppContext,
    session: Session,
    ticket: TicketRow,
    to: str,
    message: str,
    key: str,
    now: datetime,
    *,
    refused: bool = False,
) -> None:
    """A confirmation (已记录) or a refusal (未采纳) to `to`, through the notice door."""
    notice = Notice(
        "refuse" if refused else "confirm", (Recipient(Role.ADDRESS, to),), key, message=message
    )
    send_notices(ctx, session, ticket, [notice], now)


def refuse(
    ctx: AppContext,
    session: Session,
    ticket: TicketRow,
    sender: str,
    action: str,
    reason: str,
    now: datetime,
) -> ReplyOutcome:
    """Log the refusal of `action` on `ticket` and tell `sender` why (nothing else changes)."""
    add_event(session, ticket.id, now, sender, "reply_refused", intent=action, reason=reason)
    # One refusal mail per ticket, sender, action and reason a day: an autoresponder answering
    # each refusal gets one more, then silence, so no loop runs without end.
    day = now.astimezone(ctx.cfg.tz).date().isoformat()
    digest = hashlib.sha256(reason.encode()).hexdigest()[:16]
    key = f"{action}:{sender}:{digest}:{day}"
    confirm(ctx, session, ticket, sender, reason, key, now, refused=True)
    return ReplyOutcome("refused", ticket.number, action, reason)


def _evidence(
    session: Session, ticket: TicketRow, row: LetterRow, sender: str, now: datetime
) -> None:
    for att in session.execute(
        select(AttachmentRow).where(AttachmentRow.letter_id == row.id)
    ).scalars():
        if att.inline or not att.sha256:
            continue
        add_event(
            session,
            ticket.id,
            now,
            sender,
            "evidence_added",
            filename=att.filename,
            content_type=att.content_type,
            size=att.size,
            sha256=att.sha256,
            letter_id=row.id,
            stored=att.stored,
        )


def _command(action: str, actor: Actor, number: str, parsed: ReplyIntent, text: str) -> Message:
    """The command of a department's `action` (`text`: the whole reply, for a 延期申请)."""
    if action == "accept":
        return AcceptTicket(actor, number, parsed.text, parsed.track_declared)
    if action == "preliminary":
        return AnswerTicket(actor, number, "preliminary", parsed.text, parsed.planned_formal_date)
    if action == "formal":
        return AnswerTicket(actor, number, "formal", parsed.text, parsed.planned_formal_date)
    if action == "return":
        return ReturnTicket(actor, number, parsed.reason)
    if action == "extension":
        return RequestExtension(actor, number, parsed.extension_until, parsed.reason, text)
    if action == "cohandler_result":
        return ReportCohandlerResult(actor, number, parsed.text)
    raise ValueError(f"not a department's action: {action!r}")


def department_action(
    ctx: AppContext,
    session: Session,
    ticket: TicketRow,
    row: LetterRow,
    sender: str,
    action: str,
    parsed: ReplyIntent,
    text: str,
    now: datetime,
) -> ReplyOutcome:
    """受理 / 初步回复 / 正式回复 / 退回 / 延期申请 / 协办结果 of `sender`, by the reply `row`.

    The mail's attachments are logged as evidence on an open ticket first (the action on a
    closed one is refused by the workflow); the recorded reply keeps the letter it came in.
    """
    if TicketStatus(ticket.status) in OPEN_STATUSES:
        _evidence(session, ticket, row, sender, now)
    role = "cohandler" if action == "cohandler_result" else "department"
    actor = Actor(role=role, name=sender, channel="mail")
    command = _command(action, actor, ticket.number, parsed, text)
    try:
        done = handle(command, ctx, now, session=session)
    except Refused as exc:
        return refuse(ctx, session, ticket, sender, action, str(exc), now)
    for update in done.change.replies:
        reply = session.get(TicketReplyRow, update.reply_id) if update.reply_id else None
        if reply is not None and reply.letter_id is None:
            reply.letter_id = row.id
    reason = parsed.reason if action == "return" else None
    return ReplyOutcome("recorded", ticket.number, action, reason)


def follow_up(
    ctx: AppContext,
    session: Session,
    ticket: TicketRow,
    letter: Letter,
    text: str,
    now: datetime,
) -> ReplyOutcome:
    """补充来信: logged on the ticket and forwarded to its department (or the office)."""
    actor = Actor(role="petitioner", name=letter.from_addr, channel="mail")
    key = letter.message_id or now.isoformat()
    handle(AddFollowUp(actor, ticket.number, text, key), ctx, now, session=session)
    return ReplyOutcome("follow_up", ticket.number, "follow_up")
