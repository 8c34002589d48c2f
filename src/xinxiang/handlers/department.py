"""The handlers of a department's answers and the petitioner's mail (the reply loop).

受理, 初步回复/正式回复, 退回, 延期申请, 协办结果 and 补充来信: each handler names the ticket and
builds the workflow's command with the actor's address; the bus (`handlers.bus`) loads the
snapshot, lets `domain.workflow.department` (or `.petitioner`) decide, applies the change and
sends its notices (the confirmation goes to the actor). Reading the action out of the mail,
and whether its sender may give it, stay with the reply loop (`services.replies`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xinxiang.domain import workflow as wf
from xinxiang.handlers.messages import (
    AcceptTicket,
    AddFollowUp,
    AnswerTicket,
    ReportCohandlerResult,
    RequestExtension,
    ReturnTicket,
)
from xinxiang.handlers.office import Prepared
from xinxiang.handlers.repository import TicketRepository

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext


def department_by_address(ctx: AppContext, address: str) -> str | None:
    """The code of the department whose mailbox `address` is (case-insensitive), if any."""
    wanted = address.strip().lower()
    return next(
        (d.code for d in ctx.cfg.departments if wanted in {e.lower() for e in d.emails}), None
    )


def accept_ticket(ctx: AppContext, tickets: TicketRepository, cmd: AcceptTicket) -> Prepared:
    """受理 (a declared track 2/3 restages the deadlines from the 转办's acceptance time)."""
    return tickets.get(cmd.number), wf.Accept(cmd.actor.name, cmd.text, cmd.track_declared)


def answer_ticket(ctx: AppContext, tickets: TicketRepository, cmd: AnswerTicket) -> Prepared:
    """初步回复 / 正式回复: sent to the petitioner, or held for the office (公开答复须审核)."""
    answer = wf.PreliminaryAnswer if cmd.kind == "preliminary" else wf.FormalAnswer
    return tickets.get(cmd.number), answer(cmd.actor.name, cmd.text, cmd.planned_formal_date)


def return_ticket(ctx: AppContext, tickets: TicketRepository, cmd: ReturnTicket) -> Prepared:
    """退回 to the office's triage, inside the window after 转办."""
    return tickets.get(cmd.number), wf.ReturnToOffice(cmd.actor.name, cmd.reason)


def request_extension(
    ctx: AppContext, tickets: TicketRepository, cmd: RequestExtension
) -> Prepared:
    """延期申请 (≤ 5 natural days beyond the formal due); waits for the office's decision."""
    return tickets.get(cmd.number), wf.RequestExtension(
        cmd.actor.name, cmd.until, cmd.reason, cmd.text
    )


def report_cohandler_result(
    ctx: AppContext, tickets: TicketRepository, cmd: ReportCohandlerResult
) -> Prepared:
    """协办结果 of the department named (a web account's), else the one the actor's address
    belongs to; forwarded to the lead."""
    code = cmd.department or department_by_address(ctx, cmd.actor.name)
    return tickets.get(cmd.number), wf.RecordCohandlerResult(cmd.actor.name, code, cmd.text)


def add_follow_up(ctx: AppContext, tickets: TicketRepository, cmd: AddFollowUp) -> Prepared:
    """补充来信: logged and forwarded to the lead department (or the office)."""
    return tickets.get(cmd.number), wf.FollowUp(cmd.actor.name, cmd.text, cmd.key)
