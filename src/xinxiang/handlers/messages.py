"""The commands of the command layer (指令): what an interface asks, with who asks and how.

An interface (CLI, office mail, department replies, later the web) builds one of these and
hands it to `handlers.handle`. Tickets and departments are named as people type them (number,
code or Chinese name); the handler resolves them. Every command carries its `Actor`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

Channel = Literal["cli", "mail", "web", "system"]


@dataclass(frozen=True)
class Actor:
    """Who gives a command: a role (office, department …), an address or account, a channel.

    `name` is what the ticket's log records as the actor (`office-cli`, a sender's address).
    """

    role: str
    name: str
    channel: Channel


@dataclass(frozen=True)
class RouteTicket:
    """转办 / 改派 ticket `number` to `department` (code or Chinese name)."""

    actor: Actor
    number: str
    department: str
    reason: str | None = None
    reason_hint: str = "（--reason）"
    """How this interface asks for a reason (ends the refusal of a transfer without one)."""


@dataclass(frozen=True)
class AddCohandlers:
    """协办: `departments` (codes or names) report to the lead department."""

    actor: Actor
    number: str
    departments: tuple[str, ...]


@dataclass(frozen=True)
class DecideExtension:
    """同意延期 / 不同意延期 to the end of `until` (None: as the pending request asked)."""

    actor: Actor
    number: str
    approve: bool
    reason: str
    until: date | None = None


@dataclass(frozen=True)
class ApproveReply:
    """同意 (修改 with `edited_text`) the oldest reply of ticket `ref` waiting for the office.

    `ref` is the ticket's number or its database id.
    """

    actor: Actor
    ref: str
    edited_text: str | None = None


@dataclass(frozen=True)
class RejectReply:
    """驳回 the oldest reply of ticket `ref` waiting for the office, with `reason`."""

    actor: Actor
    ref: str
    reason: str


# -- a department's answers and the petitioner's mail (the reply loop) -------------------


@dataclass(frozen=True)
class AcceptTicket:
    """受理 ticket `number` by its department, maybe declaring track 2 (需本部门研究) or 3."""

    actor: Actor
    number: str
    text: str = ""
    track_declared: int | None = None


@dataclass(frozen=True)
class AnswerTicket:
    """初步回复 (`kind` preliminary, maybe naming the formal reply's date) or 正式回复."""

    actor: Actor
    number: str
    kind: Literal["preliminary", "formal"]
    text: str
    planned_formal_date: date | None = None


@dataclass(frozen=True)
class ReturnTicket:
    """退回: the department hands ticket `number` back to the office, with `reason`."""

    actor: Actor
    number: str
    reason: str | None


@dataclass(frozen=True)
class RequestExtension:
    """延期申请: move the formal deadline to `until` (the office decides); `text` is the mail."""

    actor: Actor
    number: str
    until: date | None
    reason: str | None = None
    text: str = ""


@dataclass(frozen=True)
class ReportCohandlerResult:
    """协办结果: a co-handling department reports to the lead; `department` names it (code),
    else the actor's address does (a reply by mail)."""

    actor: Actor
    number: str
    text: str
    department: str | None = None


@dataclass(frozen=True)
class AddFollowUp:
    """补充来信: the petitioner writes again; `key` names the mail (its Message-ID)."""

    actor: Actor
    number: str
    text: str
    key: str


# -- the office's closing and reopening (the web console) --------------------------------


@dataclass(frozen=True)
class CloseTicket:
    """办结 ticket `number` after its formal answer (销账)."""

    actor: Actor
    number: str


@dataclass(frozen=True)
class ReopenTicket:
    """重新打开 an answered or closed ticket `number`: back to triage, with `reason`."""

    actor: Actor
    number: str
    reason: str


# -- the revisit loop (回访, 评价, 督办, 销账) ----------------------------------------------


@dataclass(frozen=True)
class SendRevisit:
    """回访: ask the petitioner of ticket `number` for a rating (a new round); `by_phone`:
    no e-mail, a phone number only — the round goes on the office's phone list (电话回访)."""

    actor: Actor
    number: str
    by_phone: bool = False


@dataclass(frozen=True)
class SkipRevisit:
    """不予回访 (seed 004 第十条) with `reason` (no_contact, refused, illegal, not_handled)."""

    actor: Actor
    number: str
    reason: str
    note: str = ""


@dataclass(frozen=True)
class RemindRevisit:
    """The one reminder of a round whose window passed."""

    actor: Actor
    number: str


@dataclass(frozen=True)
class ExpireRevisit:
    """未评价: the round's time is up after the reminder; 销账 as unrated."""

    actor: Actor
    number: str


@dataclass(frozen=True)
class RateTicket:
    """A rating 1–5 of the waiting round; by link or mail `nonce` is the round's proof."""

    actor: Actor
    number: str
    level: int
    channel: Literal["link", "mail", "phone", "web"]
    comment: str | None = None
    nonce: str | None = None
    taken_at: datetime | None = None
    """By phone: when the office took the rating (default: now)."""


@dataclass(frozen=True)
class RecordInstruction:
    """批示 of the supervising leader on a ticket under 督办, sent to its department."""

    actor: Actor
    number: str
    text: str


@dataclass(frozen=True)
class SettleTicket:
    """销账 by the office's decision, with its reason."""

    actor: Actor
    number: str
    reason: str


Message = (
    RouteTicket
    | AddCohandlers
    | DecideExtension
    | ApproveReply
    | RejectReply
    | AcceptTicket
    | AnswerTicket
    | ReturnTicket
    | RequestExtension
    | ReportCohandlerResult
    | AddFollowUp
    | CloseTicket
    | ReopenTicket
    | SendRevisit
    | SkipRevisit
    | RemindRevisit
    | ExpireRevisit
    | RateTicket
    | RecordInstruction
    | SettleTicket
)
"""Every command the bus takes."""
