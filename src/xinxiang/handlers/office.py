"""The handlers of the office's actions (党政办公室): 转办/改派, 协办, 延期审批, 同意, 驳回, 办结,
重新打开.

One handler per command, named `verb_noun`. Each resolves what the command names (ticket,
departments), builds the workflow's command with the actor, and returns it with the ticket's
row; the bus (`handlers.bus`) loads the snapshot, decides, applies and sends the notices.
A name that does not resolve raises `XinxiangError` with a Chinese line, before anything
changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xinxiang.config import Department
from xinxiang.domain import workflow as wf
from xinxiang.errors import XinxiangError
from xinxiang.handlers.messages import (
    AddCohandlers,
    ApproveReply,
    CloseTicket,
    DecideExtension,
    RejectReply,
    ReopenTicket,
    RouteTicket,
)
from xinxiang.handlers.repository import TicketRepository
from xinxiang.store.models import TicketRow

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext

Prepared = tuple[TicketRow, wf.Command]
"""The ticket a command is about and the workflow command to decide on it."""


def department_of(ctx: AppContext, code: str) -> Department:
    """A department by code or Chinese name, or a one-line error listing the codes."""
    dept = ctx.cfg.department(code.strip())
    if dept is None:
        codes = ", ".join(d.code for d in ctx.cfg.departments)
        raise XinxiangError(f"未知单位 {code!r}（可用代码：{codes}）")
    return dept


def _ref(dept: Department) -> wf.DepartmentRef:
    return wf.DepartmentRef(dept.code, dept.name)


def route_ticket(ctx: AppContext, tickets: TicketRepository, cmd: RouteTicket) -> Prepared:
    """转办 from triage or 改派 of a dispatched ticket (the clock restarts)."""
    dept = department_of(ctx, cmd.department)
    return tickets.get(cmd.number), wf.Route(
        cmd.actor.name, _ref(dept), cmd.reason, reason_hint=cmd.reason_hint
    )


def add_cohandlers(ctx: AppContext, tickets: TicketRepository, cmd: AddCohandlers) -> Prepared:
    """协办: the departments report to the lead within one working day."""
    if not cmd.departments:
        raise XinxiangError("请至少指定一个协办单位")
    depts = tuple(_ref(department_of(ctx, c)) for c in cmd.departments)
    return tickets.get(cmd.number), wf.AddCohandlers(cmd.actor.name, depts)


def decide_extension(ctx: AppContext, tickets: TicketRepository, cmd: DecideExtension) -> Prepared:
    """同意延期 / 不同意延期 (the pending request, if any, is settled by the decision)."""
    return tickets.get(cmd.number), wf.DecideExtension(
        cmd.actor.name, cmd.approve, cmd.reason, cmd.until
    )


def approve_reply(ctx: AppContext, tickets: TicketRepository, cmd: ApproveReply) -> Prepared:
    """同意 / 修改 the oldest reply waiting for the office."""
    return tickets.get(cmd.ref, by_id=True), wf.Approve(cmd.actor.name, cmd.edited_text or None)


def reject_reply(ctx: AppContext, tickets: TicketRepository, cmd: RejectReply) -> Prepared:
    """驳回 the oldest reply waiting for the office, with the reason."""
    return tickets.get(cmd.ref, by_id=True), wf.Reject(cmd.actor.name, cmd.reason)


def close_ticket(ctx: AppContext, tickets: TicketRepository, cmd: CloseTicket) -> Prepared:
    """办结 an answered ticket (销账)."""
    return tickets.get(cmd.number), wf.Close(cmd.actor.name, "settled")


def reopen_ticket(ctx: AppContext, tickets: TicketRepository, cmd: ReopenTicket) -> Prepared:
    """重新打开 an answered or closed ticket: back to the office's triage."""
    return tickets.get(cmd.number), wf.Reopen(cmd.actor.name, cmd.reason)
