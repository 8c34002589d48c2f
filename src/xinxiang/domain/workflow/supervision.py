"""督办批示: the supervising leader's instruction on a ticket (pure).

Under 督办 (`supervised`, seed 000 二(一)5: dissatisfied in the last revisit round) the 批示
re-dispatches the ticket to its department with the deadlines anew; on a ticket still in the
department's hands (the sweep's 督办 of an overdue one) it is recorded and mailed, and the
deadlines stay as they are. Recorded by `revisit instruct` and on the web (`/supervision`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from xinxiang.domain.states import OPEN_WORK_STATUSES
from xinxiang.domain.workflow.common import S, dispatch_anew, refuse, status_refusal
from xinxiang.domain.workflow.effects import Change, Event, Notice, Outcome, department
from xinxiang.domain.workflow.policy import Calendar, WorkflowPolicy, minute_text
from xinxiang.domain.workflow.snapshot import TicketSnapshot

HANDLING = frozenset(OPEN_WORK_STATUSES)
"""In the lead department's hands: a leader's 批示 on it is mailed there, deadlines unchanged."""


@dataclass(frozen=True)
class RecordInstruction:
    """批示 of the supervising leader: recorded, sent to the department, deadlines anew."""

    actor: str
    text: str


def record_instruction(
    s: TicketSnapshot,
    cmd: RecordInstruction,
    now: datetime,
    policy: WorkflowPolicy,
    calendar: Calendar,
) -> Outcome:
    """批示, mailed to the lead department: under 督办 (`supervised`, seed 000 二(一)5) it
    handles the ticket again with the deadlines anew; on one still in its hands (`HANDLING`:
    the sweep's 督办 of an overdue ticket) the deadlines stay as they are."""
    if s.status is not S.SUPERVISED and s.status not in HANDLING:
        return status_refusal("instruction", s, "录入批示")
    text = cmd.text.strip()
    if not text:
        return refuse("instruction", "empty", "批示内容为空，未记录")
    if not s.department:
        return refuse("instruction", "no_department", f"工单 {s.number} 没有承办单位")
    if s.status in HANDLING:
        running = s.formal_due or s.preliminary_due or s.response_due
        return Change(
            action="instruction",
            before=s,
            after=s,
            events=(Event("instruction_recorded", cmd.actor, {"text": text[:2000]}),),
            notices=(
                Notice(
                    "instruction",
                    (department(s.department),),
                    now.isoformat(),
                    data={"text": text, "due": running, "supervised": False},
                ),
            ),
            summary="已录入批示并发送承办单位按批示办理（办理时限不变）。",
        )
    after, d = dispatch_anew(s, s.department, now, policy, calendar)
    due = d.formal_due or d.preliminary_due or d.response_due
    return Change(
        action="instruction",
        before=s,
        after=after,
        events=(
            Event("instruction_recorded", cmd.actor, {"text": text[:2000]}),
            Event(
                "dispatched",
                cmd.actor,
                {
                    "department": s.department,
                    "previous": s.department,
                    "reason": "督办批示",
                    "first_day": d.first_day.isoformat(),
                    "response_due": d.response_due.isoformat(),
                    "formal_due": d.formal_due.isoformat() if d.formal_due else None,
                },
            ),
        ),
        notices=(
            Notice(
                "instruction",
                (department(s.department),),
                now.isoformat(),
                data={"text": text, "due": due, "supervised": True},
            ),
        ),
        summary=f"已录入批示并转承办单位办理，时限 {minute_text(due, policy.tz)}。",
    )


__all__ = ["HANDLING", "RecordInstruction", "record_instruction"]
