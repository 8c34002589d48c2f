"""The petitioner's mail on a ticket (来信人): 补充来信, as a pure workflow action.

A follow-up never changes the ticket's state and is never refused: it is logged and forwarded
to the lead department (or, before any 转办, to the office), whatever the ticket's status.
No seed rule governs it; the office asked that nothing a petitioner adds is lost.
"""

from __future__ import annotations

from datetime import datetime

from xinxiang.domain.workflow.commands import FollowUp
from xinxiang.domain.workflow.effects import OFFICE, Change, Event, Notice, Outcome, department
from xinxiang.domain.workflow.policy import Calendar, WorkflowPolicy
from xinxiang.domain.workflow.snapshot import TicketSnapshot


def _forward(text: str) -> dict[str, object]:
    return {"text": text, "title": "补充来信"}


def record_follow_up(
    s: TicketSnapshot, cmd: FollowUp, now: datetime, policy: WorkflowPolicy, calendar: Calendar
) -> Outcome:
    """补充来信: logged (`follow_up`) and forwarded (`followup_forward`); the state stays."""
    to = department(s.department) if s.department else OFFICE
    return Change(
        action="follow_up",
        before=s,
        after=s,
        events=(Event("follow_up", cmd.actor, {"text": cmd.text[:2000]}),),
        notices=(
            Notice(
                "followup_forward", (to,), cmd.key, data={"text": cmd.text, "title": "补充来信"}
            ),
        ),
        summary="已转交补充来信",
    )


__all__ = ["record_follow_up"]
