"""The command layer (指令层): every interface changes a ticket by handing a command here.

`handle(command, ctx, now)` (`bus`) runs the command's handler (`office`: `verb_noun`), which
loads the ticket's state (`repository`), lets `domain.workflow` decide, applies the change and
turns its notices into mail (`notices`). Commands and their actors are in `messages`.
Interfaces on it so far: the CLI's office actions (approve, reject, tickets route/cohandle/
extend), the office's mail commands (转办, 协办, 同意延期, 不同意延期, 同意, 驳回, 修改) and
routing (`services.routing`, which hands a workflow command to `bus.execute` inside its batch).
Mail of the notices: `notices`, with `dispatch_mail` (转办单) and `routing_mail` (routing's).
"""

from __future__ import annotations

from xinxiang.handlers.bus import Handled, Refused, handle
from xinxiang.handlers.messages import (
    Actor,
    AddCohandlers,
    ApproveReply,
    DecideExtension,
    Message,
    RejectReply,
    RouteTicket,
)

__all__ = [
    "Actor",
    "AddCohandlers",
    "ApproveReply",
    "DecideExtension",
    "Handled",
    "Message",
    "Refused",
    "RejectReply",
    "RouteTicket",
    "handle",
]
