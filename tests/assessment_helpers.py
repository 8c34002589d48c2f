"""Builders for the assessment and report tests: tickets, events and replies written directly.

The rows are the state the workflow leaves behind (dispatch events with their deadlines,
department replies, the revisit's rating); the assessment only reads them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count
from typing import Any

from sqlalchemy.orm import Session

from xinxiang.store.models import EventRow, TicketRow
from xinxiang.store.models_replies import TicketReplyRow
from xinxiang.store.models_revisit import RevisitRow

_numbers = count(1)


def add_ticket(
    s: Session,
    dept: str,
    dispatched: datetime,
    *,
    response_due: timedelta = timedelta(hours=24),
    formal_due: timedelta | None = timedelta(days=5),
    replies: tuple[tuple[str, timedelta], ...] = (),
    rating: int | None = None,
    disposition: str | None = "dispatch",
    addr: str = "zhangsan@stu.example.edu.cn",
    excluded: bool = False,
    channel: str = "书记信箱",
    category: str | None = "后勤服务",
    subject: str = "宿舍热水问题",
    status: str = "accepted",
    extension_to: timedelta | None = None,
    no_contact_revisit: bool = False,
    **row: Any,
) -> TicketRow:
    """One ticket dispatched to `dept` at `dispatched`; `replies` are (kind[:state], offset)."""
    n = next(_numbers)
    resp = dispatched + response_due
    formal = dispatched + formal_due if formal_due is not None else None
    t = TicketRow(
        number=f"2026-{n:06d}",
        query_code=f"Q{n:07d}",
        letter_id=n,
        source="shuji",
        channel=channel,
        status=status,
        petitioner_addr=addr,
        petitioner_name="张三",
        subject=subject,
        department_code=dept,
        category=category,
        disposition=disposition,
        track=1,
        created_at=dispatched - timedelta(minutes=5),
        accepted_at=dispatched,
        dispatched_at=dispatched,
        response_due=resp,
        formal_due=dispatched + extension_to if extension_to is not None else formal,
        excluded_from_assessment=excluded,
        rating=rating,
        revisit_state="rated" if rating else None,
        **row,
    )
    s.add(t)
    s.flush()
    s.add(
        EventRow(
            ticket_id=t.id,
            at=dispatched,
            actor="system",
            kind="dispatched",
            data={
                "department": dept,
                "response_due": resp.isoformat(),
                "formal_due": formal.isoformat() if formal else None,
            },
        )
    )
    if extension_to is not None:
        s.add(
            EventRow(
                ticket_id=t.id,
                at=dispatched + timedelta(days=1),
                actor="office@example.edu.cn",
                kind="extension_approved",
                data={"formal_due": (dispatched + extension_to).isoformat()},
            )
        )
    for spec, offset in replies:
        kind, _, state = spec.partition(":")
        add_reply(s, t, dept, kind, dispatched + offset, state or "sent")
    if no_contact_revisit:
        t.revisit_state = "skipped"
        s.add(
            RevisitRow(
                ticket_id=t.id,
                round=1,
                department_code=dept,
                state="skipped",
                skip_reason="no_contact",
                created_at=dispatched + timedelta(days=2),
                nonce=f"n{t.id}",
            )
        )
    s.flush()
    return t


def add_reply(
    s: Session, t: TicketRow, dept: str, kind: str, at: datetime, state: str = "sent"
) -> None:
    """A department's reply of `kind` (accept, preliminary, formal) at `at`."""
    s.add(
        TicketReplyRow(
            ticket_id=t.id,
            kind=kind,
            department_code=dept,
            author=f"{dept}@example.edu.cn",
            text="答复",
            state=state,
            created_at=at,
        )
    )


def move(
    s: Session,
    t: TicketRow,
    kind: str,
    at: datetime,
    to: str | None = None,
    response_due: timedelta = timedelta(hours=24),
    formal_due: timedelta = timedelta(days=5),
) -> None:
    """Return (`returned`) or transfer (`transferred` to `to`) the ticket at `at`."""
    previous = t.department_code
    s.add(
        EventRow(
            ticket_id=t.id,
            at=at,
            actor="x",
            kind="returned",
            data={"department": previous, "reason": "不属于本单位职责"},
        )
        if kind == "returned"
        else EventRow(
            ticket_id=t.id,
            at=at,
            actor="office@example.edu.cn",
            kind="transferred",
            data={
                "department": to,
                "previous": previous,
                "response_due": (at + response_due).isoformat(),
                "formal_due": (at + formal_due).isoformat(),
            },
        )
    )
    if kind == "transferred":
        t.department_code = to
        t.dispatched_at = at
        t.accepted_at = at
        t.response_due = at + response_due
        t.formal_due = at + formal_due
    s.flush()
