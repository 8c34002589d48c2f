"""Builders for the assessment and report tests: tickets, events and replies written directly.

The rows are the state the workflow leaves behind (dispatch events with their deadlines,
department replies, the revisit's rating); the assessment only reads them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import count
from typing import Any

from sqlalchemy.orm import Session

from xinxiang.services.context import AppContext
from xinxiang.store.models import EventRow, TicketRow
from xinxiang.store.models_replies import TicketReplyRow
from xinxiang.store.models_revisit import RevisitRow

_numbers = count(1)

D = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)
NOV = date(2026, 11, 1)
FROZEN = datetime(2026, 12, 20, tzinfo=UTC)
HOUR, DAY = timedelta(hours=1), timedelta(days=1)


def november(ctx: AppContext) -> None:
    """November 2026 of the assessment tests (hours and days after D): see EXPECTED there."""
    with ctx.db.unit_of_work() as s:
        add_ticket(s, "hqc", D, replies=(("accept", 2 * HOUR), ("formal", 3 * DAY)), rating=5)
        add_ticket(
            s,
            "hqc",
            D,
            replies=(("preliminary", 30 * HOUR), ("formal", 6 * DAY)),
            extension_to=7 * DAY,
            rating=3,
        )
        add_ticket(s, "hqc", D, disposition="praise", rating=5)  # 表扬: excluded
        add_ticket(s, "hqc", D, replies=(("accept", HOUR),))  # never answered, 未评价
        add_ticket(s, "hqc", D, addr="")  # no usable contact: excluded
        add_ticket(s, "hqc", D, no_contact_revisit=True)  # likewise, found at the revisit
        add_ticket(s, "hqc", D, replies=(("formal:rejected", DAY),))  # acted; answer 驳回
        # 图书馆 returns it within the window; 教务处 does everything on time; 不满意.
        h = add_ticket(s, "tsg", D, rating=2)
        move(s, h, "returned", D + HOUR / 2)
        move(s, h, "transferred", D + 3 * HOUR, to="jwc")
        add_reply(s, h, "jwc", "accept", D + 4 * HOUR)
        add_reply(s, h, "jwc", "formal", D + 2 * DAY)
        # 学生处 lets the response deadline pass; the office moves it to 教务处, which responds.
        i = add_ticket(s, "xsc", D)
        move(s, i, "transferred", D + 30 * HOUR, to="jwc", formal_due=60 * DAY)
        add_reply(s, i, "jwc", "accept", D + 31 * HOUR)
        # Dispatched on 29 November to 学生处 (missed), moved on 2 December: counts in November.
        late = datetime(2026, 11, 29, 2, tzinfo=UTC)
        j = add_ticket(s, "xsc", late)
        move(s, j, "transferred", datetime(2026, 12, 2, 2, tzinfo=UTC), to="jwc")
        # October's tickets, one of them moved in November: not November's.
        add_ticket(s, "hqc", datetime(2026, 10, 20, 2, tzinfo=UTC))
        k = add_ticket(s, "hqc", datetime(2026, 10, 30, 2, tzinfo=UTC))
        move(s, k, "transferred", datetime(2026, 11, 2, 2, tzinfo=UTC), to="jwc")


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
        number=f"2026-9{n:05d}",
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
        rated_at=dispatched + timedelta(days=4) if rating else None,
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
