"""The ticket workflow of 接诉即办 as a pure core: one function per action (stdlib only).

How a handler uses it (the command layer, one unit of work per command)::

    with uow:
        snapshot = uow.tickets.snapshot(number)      # load: row + co-handlers + pending replies
        outcome = workflow.decide(snapshot, command, now, policy, calendar)
        if isinstance(outcome, Refusal):
            ...                                      # tell the actor outcome.reason; no change
        else:
            if outcome.records_reply:                # insert the reply row, then
                outcome = outcome.bind_reply(row.id) # fill its id into keys and events
            uow.tickets.apply(outcome.after)         # status, deadlines, co-handlers, …
            record outcome.events, outcome.replies; hand outcome.notices to the notice door
        uow.commit()

Every action takes ``(snapshot, command, now, policy, calendar)`` and returns a `Change` or a
`Refusal`; it never reads the clock, the database or the configuration. A Change's status went
through `states.transition()` (or stayed where it was), so no other module needs to assign a
ticket's status. The rules cite the seed policies (000, 001, 002, 004 in shared/seeds).

Modules: `snapshot` (the state), `commands` (the values of each action), `effects` (Change,
Refusal, Event, Notice), `policy` (numbers, zone, calendar protocol), `department` (the
department's answers), `petitioner` (补充来信), `approval` (the office's 同意/修改/驳回),
`office` (转办, 协办, 延期审批, 办结, 重新打开), `revisit` (回访, 评价, 发回重办, 督办, 批示,
销账), `routing` (which of those a new ticket gets once classified), `common` (what several
actions share).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from xinxiang.domain.workflow.approval import approve, reject
from xinxiang.domain.workflow.commands import (
    Accept,
    AddCohandlers,
    Approve,
    Close,
    DecideExtension,
    DepartmentRef,
    Flood,
    FollowUp,
    FormalAnswer,
    HoldForTriage,
    PreliminaryAnswer,
    RecordCohandlerResult,
    Reject,
    Reopen,
    RequestExtension,
    ReturnToOffice,
    Route,
)
from xinxiang.domain.workflow.department import (
    accept,
    answer_formal,
    answer_preliminary,
    record_cohandler_result,
    request_extension,
    return_to_office,
)
from xinxiang.domain.workflow.effects import (
    THIS_REPLY,
    Change,
    Event,
    Notice,
    Outcome,
    Recipient,
    Refusal,
    ReplyUpdate,
    Role,
)
from xinxiang.domain.workflow.office import (
    add_cohandlers,
    close,
    decide_extension,
    hold_for_triage,
    reopen,
    route,
)
from xinxiang.domain.workflow.petitioner import record_follow_up
from xinxiang.domain.workflow.policy import Calendar, WorkflowPolicy
from xinxiang.domain.workflow.revisit import (
    ExpireRevisit,
    RateRevisit,
    RemindRevisit,
    SendRevisit,
    Settle,
    SkipRevisit,
    expire_revisit,
    rate_revisit,
    remind_revisit,
    send_revisit,
    settle,
    skip_revisit,
)
from xinxiang.domain.workflow.routing import Classified, RoutingCommand, after_classification
from xinxiang.domain.workflow.snapshot import (
    CohandlerState,
    PendingReply,
    RevisitRound,
    TicketSnapshot,
)
from xinxiang.domain.workflow.supervision import RecordInstruction, record_instruction

Command = (
    Accept
    | PreliminaryAnswer
    | FormalAnswer
    | ReturnToOffice
    | RequestExtension
    | RecordCohandlerResult
    | FollowUp
    | Route
    | HoldForTriage
    | AddCohandlers
    | DecideExtension
    | Approve
    | Reject
    | Close
    | Reopen
    | SendRevisit
    | SkipRevisit
    | RemindRevisit
    | ExpireRevisit
    | RateRevisit
    | RecordInstruction
    | Settle
)

ACTIONS: dict[type[Any], Callable[..., Outcome]] = {
    Accept: accept,
    PreliminaryAnswer: answer_preliminary,
    FormalAnswer: answer_formal,
    ReturnToOffice: return_to_office,
    RequestExtension: request_extension,
    RecordCohandlerResult: record_cohandler_result,
    FollowUp: record_follow_up,
    Route: route,
    HoldForTriage: hold_for_triage,
    AddCohandlers: add_cohandlers,
    DecideExtension: decide_extension,
    Approve: approve,
    Reject: reject,
    Close: close,
    Reopen: reopen,
    SendRevisit: send_revisit,
    SkipRevisit: skip_revisit,
    RemindRevisit: remind_revisit,
    ExpireRevisit: expire_revisit,
    RateRevisit: rate_revisit,
    RecordInstruction: record_instruction,
    Settle: settle,
}
"""The action that carries out each kind of command."""


def decide(
    snapshot: TicketSnapshot,
    command: Command,
    now: datetime,
    policy: WorkflowPolicy,
    calendar: Calendar,
) -> Outcome:
    """Run the action of `command` on `snapshot` at `now` (the one entry point for handlers)."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return ACTIONS[type(command)](snapshot, command, now, policy, calendar)


__all__ = [
    "ACTIONS",
    "THIS_REPLY",
    "Accept",
    "AddCohandlers",
    "Approve",
    "Calendar",
    "Change",
    "Classified",
    "Close",
    "CohandlerState",
    "Command",
    "DecideExtension",
    "DepartmentRef",
    "Event",
    "ExpireRevisit",
    "Flood",
    "FollowUp",
    "FormalAnswer",
    "HoldForTriage",
    "Notice",
    "Outcome",
    "PendingReply",
    "PreliminaryAnswer",
    "RateRevisit",
    "Recipient",
    "RecordCohandlerResult",
    "RecordInstruction",
    "Refusal",
    "Reject",
    "RemindRevisit",
    "Reopen",
    "ReplyUpdate",
    "RequestExtension",
    "ReturnToOffice",
    "RevisitRound",
    "Role",
    "Route",
    "RoutingCommand",
    "SendRevisit",
    "Settle",
    "SkipRevisit",
    "TicketSnapshot",
    "WorkflowPolicy",
    "accept",
    "add_cohandlers",
    "after_classification",
    "answer_formal",
    "answer_preliminary",
    "approve",
    "close",
    "decide",
    "decide_extension",
    "expire_revisit",
    "hold_for_triage",
    "rate_revisit",
    "record_cohandler_result",
    "record_follow_up",
    "record_instruction",
    "reject",
    "remind_revisit",
    "reopen",
    "request_extension",
    "return_to_office",
    "route",
    "send_revisit",
    "settle",
    "skip_revisit",
]
