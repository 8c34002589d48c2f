"""ORM table of the revisit rounds (回访): one row per rating round of a ticket.

Seed 001 第四条5 / 002 第十条: within 48 hours of the formal answer the petitioner is asked
for a rating (满意度, five levels). A ticket has one round per answer it was rated on: a
dissatisfied rating sends it back (发回重办) and the rework's answer opens the next round.
The ticket's own columns (`TicketRow.rating`, `revisit_state`, `settled_at` …) hold the latest
outcome, which the monthly assessment (三率) reads; this table keeps every round's history.
Kept apart from `store.models` (same `Base`); whoever needs it in `Base.metadata` imports it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from xinxiang.store.models import Base

REVISIT_STATES = ("pending", "sent", "reminded", "rated", "unrated", "skipped")
"""pending: due, not yet mailed; sent / reminded: waiting for the rating; rated; unrated
(未评价 after the window); skipped: no revisit (seed 004 第十条), `skip_reason` says why."""

RATING_LEVELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
"""The five levels of satisfaction, best first."""


class RevisitRow(Base):
    """One rating round of one ticket (unique per ticket and round; `nonce` is single-use)."""

    __tablename__ = "revisits"
    __table_args__ = (
        UniqueConstraint("ticket_id", "round", name="uq_revisits_ticket_round"),
        UniqueConstraint("nonce", name="uq_revisits_nonce"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    department_code: Mapped[str | None] = mapped_column(String(40))
    """The department whose answer is rated (the 满意率 counts for it)."""
    state: Mapped[str] = mapped_column(String(20), index=True)
    skip_reason: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    """The end of the rating window (7 days after sending by default)."""
    reminded_at: Mapped[datetime | None]
    nonce: Mapped[str] = mapped_column(String(64))
    """Bound into the signed rating links and the revisit mail's token; used once."""
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    channel: Mapped[str | None] = mapped_column(String(20))
    """How the rating came: link, mail, phone (entered by the office), web."""
    comment: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime | None]
    rated_by: Mapped[str | None] = mapped_column(String(320))
