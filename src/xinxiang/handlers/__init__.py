"""The command layer (指令层): every interface changes a ticket by handing a command here.

`handle(command, ctx, now)` (`bus`) runs the command's handler (`office`: `verb_noun`), which
loads the ticket's state (`repository`), lets `domain.workflow` decide, applies the change and
turns its notices into mail (`notices`). Commands and their actors are in `messages`.
Interfaces on it so far: the CLI's office actions (approve, reject, tickets route/cohandle/
extend), the office's mail commands (转办, 协办, 同意延期, 不同意延期, 同意, 驳回, 修改), the
web console's office actions (those and 办结, 重新打开), the reply loop's department answers
(`department`: 受理, 初步/正式回复, 退回, 延期申请, 协办结果), petitioner follow-ups (补充来信),
the revisit loop (`revisit`) and routing (`services.routing`, which hands a workflow command to
`bus.execute` inside its batch). Mail of the notices: `notices`, with `dispatch_mail` (转办单)
and `routing_mail` (routing's).
"""

from __future__ import annotations

from xinxiang.handlers.bus import Handled, Refused, handle
from xinxiang.handlers.messages import (
    AcceptTicket,
    Actor,
    AddCohandlers,
    AddFollowUp,
    AnswerTicket,
    ApproveReply,
    CloseTicket,
    DecideExtension,
    Message,
    RejectReply,
    ReopenTicket,
    ReportCohandlerResult,
    RequestExtension,
    ReturnTicket,
    RouteTicket,
)

__all__ = [
    "AcceptTicket",
    "Actor",
    "AddCohandlers",
    "AddFollowUp",
    "AnswerTicket",
    "ApproveReply",
    "CloseTicket",
    "DecideExtension",
    "Handled",
    "Message",
    "Refused",
    "RejectReply",
    "ReopenTicket",
    "ReportCohandlerResult",
    "RequestExtension",
    "ReturnTicket",
    "RouteTicket",
    "handle",
]
