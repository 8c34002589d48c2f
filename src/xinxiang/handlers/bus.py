"""The message bus (指令总线): `handle(command, ctx, now)` runs the command's handler.

A handler names the ticket and the workflow command; the bus loads the `TicketSnapshot`,
asks `domain.workflow.decide`, and on a `Change` applies it to the rows
(`TicketRepository.apply`) and queues its notices as mail (`handlers.notices`). A `Refusal`
raises `Refused` (a `XinxiangError` with the reason in Chinese) and changes nothing.

Unit of work: by default the bus owns one (commit on success, roll back on any error). A
batch that owns the transaction passes its `session`: the command then runs in a savepoint,
so a refusal or an error rolls back this item only and the batch goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from xinxiang.classify.engine import Classification
from xinxiang.domain import workflow as wf
from xinxiang.domain.letter import Letter
from xinxiang.errors import XinxiangError
from xinxiang.handlers import department, office, revisit
from xinxiang.handlers.messages import (
    AcceptTicket,
    AddCohandlers,
    AddFollowUp,
    AnswerTicket,
    ApproveReply,
    CloseTicket,
    DecideExtension,
    ExpireRevisit,
    Message,
    RateTicket,
    RecordInstruction,
    RejectReply,
    RemindRevisit,
    ReopenTicket,
    ReportCohandlerResult,
    RequestExtension,
    ReturnTicket,
    RouteTicket,
    SendRevisit,
    SettleTicket,
    SkipRevisit,
)
from xinxiang.handlers.notices import send_notices
from xinxiang.handlers.repository import TicketRepository
from xinxiang.logs import log_event
from xinxiang.outgoing.ack import supersede_receipt
from xinxiang.replies.publishing import republish, store_approved
from xinxiang.store.dialect import savepoint
from xinxiang.store.models import TicketRow

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext


class Refused(XinxiangError):
    """The workflow refused the command; nothing changed. `str()` is the reason in Chinese."""

    def __init__(self, refusal: wf.Refusal) -> None:
        super().__init__(refusal.reason)
        self.refusal = refusal


@dataclass(frozen=True)
class Handled:
    """A command carried out: the ticket's number and the change applied (ids bound)."""

    number: str
    change: wf.Change

    @property
    def summary(self) -> str:
        """One line in Chinese of what was done (the office's confirmation)."""
        return self.change.summary

    @property
    def republish(self) -> bool:
        """An answer went out: the public board is rebuilt after the commit."""
        return any(n.kind == "answer" for n in self.change.notices)


HANDLERS: dict[type[Any], Callable[..., office.Prepared]] = {
    RouteTicket: office.route_ticket,
    AddCohandlers: office.add_cohandlers,
    DecideExtension: office.decide_extension,
    ApproveReply: office.approve_reply,
    RejectReply: office.reject_reply,
    AcceptTicket: department.accept_ticket,
    AnswerTicket: department.answer_ticket,
    ReturnTicket: department.return_ticket,
    RequestExtension: department.request_extension,
    ReportCohandlerResult: department.report_cohandler_result,
    AddFollowUp: department.add_follow_up,
    CloseTicket: office.close_ticket,
    ReopenTicket: office.reopen_ticket,
    SendRevisit: revisit.send_revisit,
    SkipRevisit: revisit.skip_revisit,
    RemindRevisit: revisit.remind_revisit,
    ExpireRevisit: revisit.expire_revisit,
    RateTicket: revisit.rate_ticket,
    RecordInstruction: revisit.record_instruction,
    SettleTicket: revisit.settle_ticket,
}
"""The handler of each kind of command."""


def policy_of(ctx: AppContext) -> wf.WorkflowPolicy:
    """The workflow's rules from the configuration."""
    revisit = ctx.cfg.settings.revisit
    return wf.WorkflowPolicy(
        tz=ctx.cfg.tz,
        deadlines=ctx.policy,
        approve_all_answers=ctx.cfg.settings.replies.approve_all_answers,
        revisit_window=timedelta(days=revisit.window_days),
        revisit_grace=timedelta(days=revisit.grace_days),
        revisit_rounds=revisit.rounds,
    )


@contextmanager
def _unit(ctx: AppContext, session: Session | None) -> Iterator[Session]:
    if session is None:
        with ctx.db.unit_of_work() as own:
            yield own
    else:
        with savepoint(session):
            yield session


# The log's event name for a command (`xinxiang.logs`); others are `ticket_changed`.
_EVENTS = {
    "ApproveReply": "approved",
    "RejectReply": "rejected",
    "RouteTicket": "ticket_routed",
    "SendRevisit": "revisit_sent",
    "SkipRevisit": "revisit_skipped",
    "RemindRevisit": "revisit_reminded",
    "ExpireRevisit": "revisit_unrated",
    "RateTicket": "revisit_rated",
    "RecordInstruction": "instruction_recorded",
    "SettleTicket": "ticket_settled",
}


def execute(
    ctx: AppContext,
    session: Session,
    row: TicketRow,
    command: wf.Command,
    now: datetime,
    *,
    letter: Letter | None = None,
    classification: Classification | None = None,
    actor: str | None = None,
    to_actor: bool = True,
) -> wf.Change:
    """Decide `command` on the ticket `row` and apply the change, in `session` (the caller's
    unit of work or savepoint): the rows, the public text of an answer approved for the board
    (公开文本, as approved), the receipt it supersedes, its notices as mail.

    `letter` and `classification` are what routing already holds of a new ticket, for the
    notices' mail (else the letter is read again); `actor` is who gave the command (a
    department's confirmation goes to that address). Raises `Refused`: nothing is applied.
    """
    tickets = TicketRepository(session)
    outcome = wf.decide(tickets.snapshot(row), command, now, policy_of(ctx), ctx.calendar)
    if isinstance(outcome, wf.Refusal):
        raise Refused(outcome)
    change = tickets.apply(row, outcome, now)
    for update in change.replies:
        # An answer approved for the board: its public text as approved, in this transaction.
        if update.public and update.state == "sent" and update.reply_id is not None:
            store_approved(ctx, session, row, update.reply_id)
    if change.supersede_receipt:
        supersede_receipt(session, row)
    notices = change.notices
    if not to_actor:
        notices = tuple(n for n in notices if any(r.role is not wf.Role.ACTOR for r in n.to))
    send_notices(
        ctx,
        session,
        row,
        notices,
        now,
        letter=letter,
        classification=classification,
        actor=actor,
    )
    return change


def handle(
    command: Message, ctx: AppContext, now: datetime, *, session: Session | None = None
) -> Handled:
    """Carry out `command` at `now`, in its own unit of work or in `session`'s (a savepoint).

    Raises `Refused` (nothing changed) or `XinxiangError` for a ticket or department that
    does not exist. When the bus owns the unit of work and an answer went out, the public
    board is rebuilt after the commit; inside a batch that is the batch's to do.
    """
    with _unit(ctx, session) as s:
        tickets = TicketRepository(s)
        row, wf_command = HANDLERS[type(command)](ctx, tickets, command)
        change = execute(
            ctx,
            s,
            row,
            wf_command,
            now,
            actor=command.actor.name,
            # The page shows the outcome; a web account has no mailbox for a confirmation.
            to_actor=command.actor.channel != "web",
        )
        done = Handled(row.number, change)
    log_event(_EVENTS.get(type(command).__name__, "ticket_changed"), ticket=done.number)
    if session is None and done.republish:
        republish(ctx, now)
    return done
