"""Pieces every workflow action shares: moving the status, refusing, answering, approval.

`send_answer` and `request_approval` are the two things that can follow a department's answer
or the office's 同意: the answer goes to the petitioner (with the 双反馈 copy to the office), or
the reply waits for the office. They return `Effects` to be folded into the action's `Change`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta, tzinfo

from xinxiang.domain.deadlines import Deadlines, compute_deadlines, revisit_due
from xinxiang.domain.states import TicketStatus, can_transition, transition
from xinxiang.domain.workflow.effects import (
    OFFICE,
    PETITIONER,
    REPLY_KEY,
    THIS_REPLY,
    Event,
    Notice,
    Recipient,
    Refusal,
    Role,
    department,
)
from xinxiang.domain.workflow.policy import Calendar, WorkflowPolicy
from xinxiang.domain.workflow.snapshot import PendingReply, ReplyKind, TicketSnapshot

S = TicketStatus
SYSTEM = "system"

REPLY_TITLES: dict[str, str] = {
    "formal": "正式回复",
    "preliminary": "初步回复",
    "extension": "延期申请",
}
ANSWER_TITLES: dict[str, str] = {"formal": "正式答复", "preliminary": "初步答复"}


def move(current: TicketStatus, new: TicketStatus) -> TicketStatus:
    """`new`, checked by `states.transition()`; staying where it is needs no transition."""
    return current if new == current else transition(current, new)


def dispatch_anew(
    s: TicketSnapshot, department: str, now: datetime, policy: WorkflowPolicy, calendar: Calendar
) -> tuple[TicketSnapshot, Deadlines]:
    """转办 to `department` at `now`: the same track's deadlines counted anew (受理 is now)."""
    track = s.track or 1
    d = compute_deadlines(now, track, s.urgency or "normal", policy.deadlines, calendar, policy.tz)
    after = replace(
        s,
        status=move(s.status, S.DISPATCHED),
        track=track,
        department=department,
        accepted_at=now,
        dispatched_at=now,
        first_day=d.first_day,
        response_due=d.response_due,
        preliminary_due=d.preliminary_due,
        formal_due=d.formal_due,
        calendar_verified=d.calendar_verified,
        closed_at=None,
    )
    return after, d


def refuse(action: str, code: str, reason: str) -> Refusal:
    """A refusal of `action`; `code` is stable for programs, `reason` is for people."""
    return Refusal(action=action, code=code, reason=reason)


def status_refusal(action: str, s: TicketSnapshot, verb: str) -> Refusal:
    """`工单 N 当前状态为“…”，不能<verb>` (the office's wording for a status that does not fit)."""
    return refuse(action, "status", f"工单 {s.number} 当前状态为“{s.status_label}”，不能{verb}")


def example_date(s: TicketSnapshot, now: datetime, tz: tzinfo) -> str:
    """A date for the examples in refusals (“延期：至YYYY-MM-DD”): three days after the current
    formal due (or today), so an example is never in the past and is a valid extension."""
    base = (s.formal_due if s.formal_due is not None and s.formal_due > now else now).astimezone(tz)
    day = base.date() - timedelta(days=1) if base.time() == time(0, 0) else base.date()
    return (day + timedelta(days=3)).isoformat()


def reply_key(reply_id: int | None, prefix: str = "reply") -> str:
    """The notice key of a reply (`reply12`), or its placeholder for a reply not stored yet."""
    return prefix + (str(reply_id) if reply_id is not None else REPLY_KEY)


def reply_ref(reply_id: int | None) -> object:
    """A reply's id for an event's fields, or `THIS_REPLY` for a reply not stored yet."""
    return reply_id if reply_id is not None else THIS_REPLY


def reply_department(reply: PendingReply) -> Recipient:
    """Where the office's decision on a reply goes: its department, else its author."""
    if reply.department:
        return department(reply.department)
    return Recipient(Role.ADDRESS, reply.author)


def confirm(to: Recipient, key: str, message: str, *, refused: bool = False) -> Notice:
    """A confirmation (已记录) or a refusal (未采纳) to whoever gave the command."""
    return Notice("refuse" if refused else "confirm", (to,), key, message=message)


@dataclass(frozen=True)
class Effects:
    """A partial outcome: the state so far and the events and notices it has produced."""

    after: TicketSnapshot
    events: tuple[Event, ...] = ()
    notices: tuple[Notice, ...] = ()

    def add(
        self,
        *,
        after: TicketSnapshot | None = None,
        events: tuple[Event, ...] = (),
        notices: tuple[Notice, ...] = (),
    ) -> Effects:
        """These effects followed by more."""
        return Effects(
            after if after is not None else self.after,
            self.events + events,
            self.notices + notices,
        )


def send_answer(
    so_far: Effects,
    action: str,
    reply: PendingReply,
    text: str,
    now: datetime,
    policy: WorkflowPolicy,
) -> Effects | Refusal:
    """答复来信人: the answer `text` of `reply` to the petitioner, the copy to the office.

    A formal answer moves the ticket to `answered` and sets the revisit (回访) due; a
    preliminary one moves it to `preliminary` unless it is there already.
    """
    s = so_far.after
    formal = reply.kind == "formal"
    target: TicketStatus | None = S.ANSWERED if formal else S.PRELIMINARY
    if target == s.status and not formal:
        target = None
    if target is not None and not can_transition(s.status, target):
        return refuse(
            action,
            "status",
            f"工单 {s.number} 当前状态为“{s.status_label}”，不能发送{REPLY_TITLES[reply.kind]}",
        )
    after = s
    if target is not None:
        after = replace(after, status=transition(s.status, target))
    if formal:
        after = replace(
            after,
            revisit_due=revisit_due(now, policy.deadlines),
            disposition=after.disposition or "answered",
        )
    else:
        after = replace(after, preliminary_sent=True)
    key = reply_key(reply.reply_id)
    data: dict[str, object] = {
        "title": ANSWER_TITLES.get(reply.kind, "答复"),
        "formal": formal,
        "answer": text,
        "department": reply.department,
        "planned_formal_date": reply.planned_formal_date,
        "attach_record": formal,
    }
    return so_far.add(
        after=after,
        events=(
            Event(
                "answered", SYSTEM, {"intent": reply.kind, "reply_id": reply_ref(reply.reply_id)}
            ),
        ),
        notices=(
            Notice("answer", (PETITIONER,), key, data={**data, "copy": False, "threaded": True}),
            # 双反馈: the office keeps the same answer (with the record) for supervision.
            Notice("answer_copy", (OFFICE,), key, data={**data, "copy": True}),
        ),
    )


def request_approval(so_far: Effects, action: str, reply: PendingReply) -> Effects | Refusal:
    """待审核: `reply` waits for the office; a formal one puts the ticket in `pending_approval`."""
    s = so_far.after
    after = replace(s, pending=(*s.pending, reply))
    if reply.kind == "formal":
        if not can_transition(s.status, S.PENDING_APPROVAL) and s.status != S.PENDING_APPROVAL:
            return status_refusal(action, s, "提交审核")
        after = replace(after, status=move(s.status, S.PENDING_APPROVAL))
    return so_far.add(
        after=after,
        events=(
            Event(
                "approval_requested",
                SYSTEM,
                {"intent": reply.kind, "reply_id": reply_ref(reply.reply_id)},
            ),
        ),
        notices=(
            Notice(
                "approval_request",
                (OFFICE,),
                reply_key(reply.reply_id),
                data={
                    "title": REPLY_TITLES.get(reply.kind, reply.kind),
                    "department": reply.department,
                    "public": s.public_consent,
                    "attach_preview": True,
                },
            ),
        ),
    )


def needs_approval(s: TicketSnapshot, kind: ReplyKind, policy: WorkflowPolicy) -> bool:
    """Whether a reply of `kind` waits for the office (公开答复须审核; 延期 always)."""
    if kind == "extension":
        return True
    if kind == "formal":
        return s.public_consent or policy.approve_all_answers
    if kind == "preliminary":
        return s.public_consent
    return False
