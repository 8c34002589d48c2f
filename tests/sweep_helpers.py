"""Builders shared by the sweep, office and digest tests: tickets ingested at a chosen time."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from inbound_helpers import letter
from xinxiang.replies.mailer import flatten_parts
from xinxiang.services.context import AppContext
from xinxiang.services.ingest import MessageOrigin, ingest_raw
from xinxiang.store.models import OutboxRow, TicketRow

SH = ZoneInfo("Asia/Shanghai")
HOT_WATER = ("宿舍热水问题", "老师您好，12号楼的热水已经三天没有了，请尽快处理。")  # → hqc, track 1
LIBRARY = ("图书馆座位", "图书馆占座现象严重，希望管理。")  # → tsg
SCHOLARSHIP = ("奖学金评定", "奖学金评定程序不透明，希望公开评审细则。")  # → xsc


def local(*args: int) -> datetime:
    """A time in the school's zone."""
    return datetime(*args, tzinfo=SH)  # type: ignore[misc]


def new_ticket(
    ctx: AppContext,
    at: datetime,
    letter_text: tuple[str, str] = HOT_WATER,
    sender: str = "zhangsan@stu.example.edu.cn",
) -> str:
    """Ingest one letter at `at`; the ticket number."""
    outcome = ingest_raw(
        ctx,
        letter(subject=letter_text[0], body=letter_text[1], sender=sender),
        MessageOrigin("shuji", "书记信箱", "test"),
        at,
    )
    assert outcome.ticket_number is not None, outcome
    return outcome.ticket_number


def ticket(ctx: AppContext, number: str) -> TicketRow:
    """A detached copy of the ticket row."""
    with ctx.db.unit_of_work() as s:
        return s.execute(select(TicketRow).where(TicketRow.number == number)).scalar_one()


def update_ticket(ctx: AppContext, number: str, **values: Any) -> None:
    """Set columns of a ticket directly (the state another part of the system would set)."""
    with ctx.db.unit_of_work() as s:
        t = s.execute(select(TicketRow).where(TicketRow.number == number)).scalar_one()
        for k, v in values.items():
            setattr(t, k, v)


def outbox(ctx: AppContext, kinds: tuple[str, ...] | None = None) -> list[OutboxRow]:
    """Queued mails, oldest first, optionally of these kinds (detached copies). A mail kept as
    its rendered parts (a dispatch mail) shows the bytes the sender will flatten it to."""
    with ctx.db.unit_of_work() as s:
        q = select(OutboxRow).order_by(OutboxRow.id)
        if kinds:
            q = q.where(OutboxRow.kind.in_(kinds))
        rows = list(s.execute(q).scalars())
        s.expunge_all()
    for row in rows:
        if row.raw is None and row.parts is not None:
            row.raw = flatten_parts(ctx, row.parts)
    return rows


def text_of(row: OutboxRow) -> str:
    """The plain-text body of a queued mail."""
    import email
    from email import policy

    msg = email.message_from_bytes(row.raw, policy=policy.default)
    part = msg.get_body(("plain",))  # type: ignore[attr-defined]
    assert part is not None
    return str(part.get_content())
