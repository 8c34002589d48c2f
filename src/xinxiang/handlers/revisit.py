"""The handlers of the revisit loop (回访): rounds, ratings, 督办 批示 and 销账.

Like `handlers.office`: each resolves the ticket, builds the workflow command with the actor's
name and returns both; the bus decides, applies and sends the notices. A new round's nonce
(bound into the signed rating links, used once) is drawn here, the only impure part.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, cast

from xinxiang.domain import workflow as wf
from xinxiang.domain.workflow.revisit import SKIP_LABELS, SkipReason
from xinxiang.errors import XinxiangError
from xinxiang.handlers.messages import (
    ExpireRevisit,
    RateTicket,
    RecordInstruction,
    RemindRevisit,
    SendRevisit,
    SettleTicket,
    SkipRevisit,
)
from xinxiang.handlers.office import Prepared
from xinxiang.handlers.repository import TicketRepository

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext


def new_nonce() -> str:
    """A fresh single-use round nonce (32 url-safe characters)."""
    return secrets.token_urlsafe(24)


def send_revisit(ctx: AppContext, tickets: TicketRepository, cmd: SendRevisit) -> Prepared:
    """回访: a new rating round, mailed to the petitioner (or on the office's phone list)."""
    return tickets.get(cmd.number), wf.SendRevisit(cmd.actor.name, new_nonce(), cmd.by_phone)


def skip_revisit(ctx: AppContext, tickets: TicketRepository, cmd: SkipRevisit) -> Prepared:
    """不予回访 with its reason (seed 004 第十条); the account is settled."""
    if cmd.reason not in SKIP_LABELS:
        raise XinxiangError(f"未知的不予回访原因 {cmd.reason!r}（可用：{', '.join(SKIP_LABELS)}）")
    reason = cast(SkipReason, cmd.reason)
    return tickets.get(cmd.number), wf.SkipRevisit(cmd.actor.name, reason, new_nonce(), cmd.note)


def remind_revisit(ctx: AppContext, tickets: TicketRepository, cmd: RemindRevisit) -> Prepared:
    """The one reminder to rate."""
    return tickets.get(cmd.number), wf.RemindRevisit(cmd.actor.name)


def expire_revisit(ctx: AppContext, tickets: TicketRepository, cmd: ExpireRevisit) -> Prepared:
    """未评价 after the reminder."""
    return tickets.get(cmd.number), wf.ExpireRevisit(cmd.actor.name)


def rate_ticket(ctx: AppContext, tickets: TicketRepository, cmd: RateTicket) -> Prepared:
    """A rating by link, mail or phone."""
    return tickets.get(cmd.number), wf.RateRevisit(
        cmd.actor.name, cmd.level, cmd.channel, cmd.comment, cmd.nonce, cmd.taken_at
    )


def record_instruction(
    ctx: AppContext, tickets: TicketRepository, cmd: RecordInstruction
) -> Prepared:
    """批示: recorded and sent to the department with the deadlines anew."""
    return tickets.get(cmd.number), wf.RecordInstruction(cmd.actor.name, cmd.text)


def settle_ticket(ctx: AppContext, tickets: TicketRepository, cmd: SettleTicket) -> Prepared:
    """销账 by the office, with its reason."""
    return tickets.get(cmd.number), wf.Settle(cmd.actor.name, cmd.reason)
