"""The office's commands by mail (党政办公室邮件指令), as commands of the command layer.

同意 / 驳回 / 修改 decide the oldest reply waiting for the office; 转办 / 协办 / 同意延期 /
不同意延期 act on the ticket as the CLI does; 保留 / 隐去 decide what the public text hides
(`handlers.redaction`). Each runs in a savepoint of the reply's unit of
work: a refusal (or a name that does not resolve) is mailed back and changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from xinxiang.errors import XinxiangError
from xinxiang.handlers import (
    Actor,
    AddCohandlers,
    ApproveReply,
    DecideExtension,
    Message,
    Refused,
    RejectReply,
    RouteTicket,
    handle,
)
from xinxiang.handlers.redaction import AddRedaction, LiftRedaction, handle_public, public_text
from xinxiang.handlers.repository import TicketRepository
from xinxiang.replies.intent import parse_office_command
from xinxiang.replies.office_commands import OFFICE_MAIL_HELP, OfficeMailCommand
from xinxiang.replies.public_review import office_view
from xinxiang.services.reply_actions import ReplyOutcome, confirm, refuse
from xinxiang.store.models import TicketRow

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext


def office_command(
    ctx: AppContext, session: Session, ticket: TicketRow, sender: str, text: str, now: datetime
) -> ReplyOutcome:
    """同意 / 驳回 / 修改 by mail: the office's decision on the oldest reply waiting."""
    if not TicketRepository(session).pending_rows(ticket):
        return refuse(
            ctx,
            session,
            ticket,
            sender,
            "office_command",
            f"该工单当前没有待审核的答复，指令未执行。{OFFICE_MAIL_HELP}。",
            now,
        )
    command = parse_office_command(text)
    if command.command is None or command.problem:
        return refuse(
            ctx,
            session,
            ticket,
            sender,
            "office_command",
            (command.problem or "未识别到指令。")
            + (f"另：{OFFICE_MAIL_HELP}。" if command.command is None else ""),
            now,
        )
    actor = Actor(role="office", name=sender, channel="mail")
    order: Message = (
        RejectReply(actor, ticket.number, command.reason or "")
        if command.command == "reject"
        else ApproveReply(actor, ticket.number, command.text if command.command == "edit" else None)
    )
    try:
        handle(order, ctx, now, session=session)
    except Refused as exc:
        return refuse(ctx, session, ticket, sender, "office_command", str(exc), now)
    return ReplyOutcome("office", ticket.number, "office_command", command.command)


def office_ticket_command(
    ctx: AppContext,
    session: Session,
    ticket: TicketRow,
    sender: str,
    command: OfficeMailCommand,
    now: datetime,
) -> ReplyOutcome:
    """转办 / 协办 / 同意延期 / 不同意延期 / 保留 / 隐去 by mail, through the same services as
    the CLI."""
    action = f"office_{command.action}"
    if command.problem:
        return refuse(ctx, session, ticket, sender, action, command.problem, now)
    actor = Actor(role="office", name=sender, channel="mail")
    if command.action in ("redact_lift", "redact_add"):
        public = (
            LiftRedaction(actor, ticket.number, command.marks)
            if command.action == "redact_lift"
            else AddRedaction(actor, ticket.number, command.terms)
        )
        try:
            message = handle_public(public, ctx, now, session=session)
        except XinxiangError as exc:
            return refuse(ctx, session, ticket, sender, action, str(exc), now)
        # The office sees the public text as it now stands, marks numbered as before.
        view = office_view(public_text(ctx, session, ticket.number).review)
        message = f"{message}。现在的公开文本：\n\n{view}"
        confirm(ctx, session, ticket, sender, message, f"{action}:{now.isoformat()}", now)
        return ReplyOutcome("office", ticket.number, "office_command", command.action)
    order: Message
    if command.action == "route":
        order = RouteTicket(
            actor,
            ticket.number,
            command.departments[0],
            command.reason,
            reason_hint="，例如“转办：教务处，原因：……”",
        )
    elif command.action == "cohandlers":
        order = AddCohandlers(actor, ticket.number, tuple(command.departments))
    else:
        approve = command.action == "extension_approve"
        order = DecideExtension(actor, ticket.number, approve, command.reason or "", command.until)
    try:
        # A savepoint of its own: a refusal or a bad name leaves nothing half done.
        message = handle(order, ctx, now, session=session).summary
    except XinxiangError as exc:
        return refuse(ctx, session, ticket, sender, action, str(exc), now)
    confirm(ctx, session, ticket, sender, message, f"{action}:{now.isoformat()}", now)
    return ReplyOutcome("office", ticket.number, "office_command", command.action)
