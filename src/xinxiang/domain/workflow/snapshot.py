"""A frozen snapshot of one ticket's state (工单状态快照): all a workflow action decides on.

A handler loads it from the ticket's row, its co-handlers (协办单位) and its replies waiting for
the office (待审核), calls one action, and applies the `Change` the action returns: the
snapshot in `Change.after` is what the row must hold afterwards. Instants are aware datetimes;
dates (`first_day`, `planned_formal_date`) are dates in the school's zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from xinxiang.domain.states import OPEN_STATUSES, STATUS_LABELS, TicketStatus

ReplyKind = Literal["accept", "preliminary", "formal", "extension", "cohandler_result"]


@dataclass(frozen=True)
class CohandlerState:
    """A co-handling department (协办单位) and when its report to the lead is due."""

    department: str
    assigned_at: datetime
    due: datetime
    reported_at: datetime | None = None


@dataclass(frozen=True)
class PendingReply:
    """A reply of a department waiting for the office's decision (待审核).

    `reply_id` is None only for the reply recorded by the change that holds it (its row does
    not exist yet; see `Change.bind_reply`).
    """

    reply_id: int | None
    kind: ReplyKind
    department: str | None
    author: str
    text: str = ""
    planned_formal_date: date | None = None
    extension_until: datetime | None = None


@dataclass(frozen=True)
class RevisitRound:
    """One rating round (回访) of a ticket: the latest one is part of the snapshot.

    `revisit_id` is None for a round the change opens (its row does not exist yet).
    `state`: sent | reminded (waiting for the rating), rated, unrated, skipped.
    """

    round: int
    state: str
    nonce: str
    created_at: datetime
    department: str | None = None
    revisit_id: int | None = None
    sent_at: datetime | None = None
    due_at: datetime | None = None
    reminded_at: datetime | None = None
    rating: int | None = None
    channel: str | None = None
    comment: str | None = None
    rated_at: datetime | None = None
    rated_by: str | None = None
    skip_reason: str | None = None

    @property
    def waiting(self) -> bool:
        """The petitioner has been asked and has not rated yet."""
        return self.state in ("sent", "reminded")


@dataclass(frozen=True)
class TicketSnapshot:
    """What the workflow knows of a ticket at one instant (pure data, no database)."""

    number: str
    status: TicketStatus
    received_at: datetime
    track: int | None = None
    urgency: str = "normal"
    public_consent: bool = False
    department: str | None = None
    """The lead department (主办单位) by code; kept after a 退回 until the next 转办."""
    dispatched_at: datetime | None = None
    accepted_at: datetime | None = None
    first_day: date | None = None
    response_due: datetime | None = None
    preliminary_due: datetime | None = None
    formal_due: datetime | None = None
    dispatch_due: datetime | None = None
    revisit_due: datetime | None = None
    calendar_verified: bool = True
    planned_formal_date: date | None = None
    disposition: str | None = None
    closed_at: datetime | None = None
    excluded_from_assessment: bool = False
    flagged: bool = False
    duplicate_of: str | None = None
    """The number of the earlier ticket this one repeats (重复来信)."""
    cohandlers: tuple[CohandlerState, ...] = ()
    pending: tuple[PendingReply, ...] = ()
    """Replies waiting for the office, oldest first."""
    preliminary_given: bool = False
    """A 初步回复 was recorded (whatever became of it): decides the default intent."""
    preliminary_sent: bool = False
    """A 初步回复 reached the petitioner: a rejected formal reply falls back to `preliminary`."""
    rating: int | None = None
    """The latest round's rating (1 非常不满意 … 5 非常满意)."""
    rated_at: datetime | None = None
    revisit_state: str | None = None
    """The latest round's state (None: no round yet)."""
    rework_count: int = 0
    """How many times the ticket was sent back (发回重办)."""
    settled_at: datetime | None = None
    """销账: the account of the petition is closed."""
    settled_reason: str | None = None
    """satisfied | unrated | skipped | office."""
    revisit: RevisitRound | None = None
    """The latest rating round (回访), if any."""
    rounds: int = 0
    """How many rounds the ticket has had (skipped ones included)."""

    @property
    def is_open(self) -> bool:
        """Not yet answered or closed: a department may still act on it."""
        return self.status in OPEN_STATUSES

    @property
    def status_label(self) -> str:
        """The status in Chinese (已转办, 待审核 …)."""
        return STATUS_LABELS[self.status]

    def oldest_pending(self) -> PendingReply | None:
        """The reply an office 同意/驳回/修改 is about: the oldest one waiting."""
        return self.pending[0] if self.pending else None

    def pending_extension(self) -> PendingReply | None:
        """The newest 延期 request waiting for the office, if any."""
        return next((p for p in reversed(self.pending) if p.kind == "extension"), None)

    def cohandler(self, department: str) -> CohandlerState | None:
        """The co-handler entry of `department`, if it is one."""
        return next((c for c in self.cohandlers if c.department == department), None)

    def deadlines(self) -> dict[str, datetime | None]:
        """Every deadline of the ticket by kind (None: not set)."""
        return {
            "response": self.response_due,
            "preliminary": self.preliminary_due,
            "formal": self.formal_due,
            "dispatch": self.dispatch_due,
            "revisit": self.revisit_due,
            **{f"cohandler-{c.department}": c.due for c in self.cohandlers},
        }
