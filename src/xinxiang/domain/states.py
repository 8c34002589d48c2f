"""Ticket states and the transitions allowed between them (pure)."""

from __future__ import annotations

from enum import StrEnum


class TicketStatus(StrEnum):
    """Where a ticket stands in the 接诉即办 flow."""

    RECEIVED = "received"  # registered, acknowledged, waiting for routing
    TRIAGE = "triage"  # waiting for the office to route it by hand
    DISPATCHED = "dispatched"  # 转办: sent to the department, clock running
    ACCEPTED = "accepted"  # 受理: the department took it
    PRELIMINARY = "preliminary"  # 初步回复 given, formal reply pending
    PENDING_APPROVAL = "pending_approval"  # an answer waits for the office
    ANSWERED = "answered"  # formal answer sent to the petitioner (回访 follows)
    REWORK = "rework"  # 发回重办: rated dissatisfied, in the office's queue to re-dispatch
    SUPERVISED = "supervised"  # 督办: dissatisfied again, waiting for the leader's 批示
    CLOSED = "closed"  # nothing more to do (incl. praise, legal channel, duplicates)


_ALLOWED: dict[TicketStatus, frozenset[TicketStatus]] = {
    TicketStatus.RECEIVED: frozenset(
        {TicketStatus.TRIAGE, TicketStatus.DISPATCHED, TicketStatus.CLOSED}
    ),
    TicketStatus.TRIAGE: frozenset({TicketStatus.DISPATCHED, TicketStatus.CLOSED}),
    TicketStatus.DISPATCHED: frozenset(
        {
            TicketStatus.ACCEPTED,
            TicketStatus.PRELIMINARY,
            TicketStatus.PENDING_APPROVAL,
            TicketStatus.ANSWERED,
            TicketStatus.TRIAGE,
            TicketStatus.DISPATCHED,
        }
    ),
    TicketStatus.ACCEPTED: frozenset(
        {
            TicketStatus.PRELIMINARY,
            TicketStatus.PENDING_APPROVAL,
            TicketStatus.ANSWERED,
            TicketStatus.DISPATCHED,
        }
    ),
    TicketStatus.PRELIMINARY: frozenset(
        {TicketStatus.PENDING_APPROVAL, TicketStatus.ANSWERED, TicketStatus.DISPATCHED}
    ),
    TicketStatus.PENDING_APPROVAL: frozenset(
        {
            TicketStatus.ANSWERED,
            TicketStatus.PRELIMINARY,
            TicketStatus.DISPATCHED,
            TicketStatus.ACCEPTED,
        }
    ),
    # 重新打开 (reopen): an answered or closed ticket goes back to the office's triage;
    # a rating sends an answered one to rework (发回重办) or supervision (督办).
    TicketStatus.ANSWERED: frozenset(
        {TicketStatus.CLOSED, TicketStatus.TRIAGE, TicketStatus.REWORK, TicketStatus.SUPERVISED}
    ),
    TicketStatus.REWORK: frozenset({TicketStatus.DISPATCHED, TicketStatus.CLOSED}),
    TicketStatus.SUPERVISED: frozenset({TicketStatus.DISPATCHED, TicketStatus.CLOSED}),
    TicketStatus.CLOSED: frozenset({TicketStatus.TRIAGE}),
}

OPEN_STATUSES: frozenset[TicketStatus] = frozenset(
    s for s in TicketStatus if s not in (TicketStatus.ANSWERED, TicketStatus.CLOSED)
)
"""Not yet answered: a department may act on it, and the office may (re-)dispatch it (转办)."""


DISPATCH_STATUSES: tuple[TicketStatus, ...] = (
    TicketStatus.RECEIVED,
    TicketStatus.TRIAGE,
    TicketStatus.REWORK,
)
"""The office still has to dispatch (转办, or again after 发回重办): the dispatch deadline runs."""

REOPENABLE: tuple[TicketStatus, ...] = (TicketStatus.ANSWERED, TicketStatus.CLOSED)
"""重新打开: the office may take back an answered or closed ticket (to triage)."""

OPEN_WORK_STATUSES: tuple[TicketStatus, ...] = (
    TicketStatus.DISPATCHED,
    TicketStatus.ACCEPTED,
    TicketStatus.PRELIMINARY,
    TicketStatus.PENDING_APPROVAL,
)
"""A department holds the ticket: co-handlers (协办) and extensions (延期) apply."""

PROGRESS_STATUSES: tuple[TicketStatus, ...] = (
    TicketStatus.DISPATCHED,
    TicketStatus.ACCEPTED,
    TicketStatus.PRELIMINARY,
)
"""Tracks 2/3 owe staged progress feedback (阶段性反馈) in these states."""

DUE_COLUMNS: dict[str, tuple[TicketStatus, ...]] = {
    # Which deadline still runs in which status: a status past the step means the step is met.
    "response": (TicketStatus.DISPATCHED,),
    "preliminary": (TicketStatus.DISPATCHED, TicketStatus.ACCEPTED),
    "formal": OPEN_WORK_STATUSES,
}

STATUS_LABELS: dict[TicketStatus, str] = {
    TicketStatus.RECEIVED: "已登记",
    TicketStatus.TRIAGE: "待分办",
    TicketStatus.DISPATCHED: "已转办",
    TicketStatus.ACCEPTED: "已受理",
    TicketStatus.PRELIMINARY: "已初步答复",
    TicketStatus.PENDING_APPROVAL: "待审核",
    TicketStatus.ANSWERED: "已答复",
    TicketStatus.REWORK: "发回重办",
    TicketStatus.SUPERVISED: "督办中",
    TicketStatus.CLOSED: "已办结",
}


class InvalidTransition(ValueError):
    """A state change the flow does not allow."""


def can_transition(current: TicketStatus, new: TicketStatus) -> bool:
    """Whether `current → new` is allowed."""
    return new in _ALLOWED[current]


def transition(current: TicketStatus, new: TicketStatus) -> TicketStatus:
    """Return `new` if allowed, else raise `InvalidTransition`."""
    if not can_transition(current, new):
        raise InvalidTransition(f"{current} → {new}")
    return new
