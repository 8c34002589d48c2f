"""ORM tables of the reply loop: handled replies, the holding pen, department replies/approvals.

Kept apart from `store.models` (same `Base`); whoever needs these tables in `Base.metadata`
(Alembic autogenerate, schema checks) imports this module.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinxiang.store.models import Base


class ReplyLogRow(Base):
    """A reply letter that has been handled (one row per letter: makes handling idempotent)."""

    __tablename__ = "reply_log"

    letter_id: Mapped[int] = mapped_column(
        ForeignKey("letters.id"), primary_key=True, autoincrement=False
    )
    ticket_id: Mapped[int | None] = mapped_column(Integer, index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    action: Mapped[str | None] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)
    handled_at: Mapped[datetime]


class HoldingRow(Base):
    """A mail that may not act on any ticket (待甄别): unknown sender, forged token, spoofing."""

    __tablename__ = "holding_pen"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id"), unique=True)
    ticket_id: Mapped[int | None] = mapped_column(Integer, index=True)
    rule: Mapped[str] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(12), default="open", index=True)
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(320))


class TicketReplyRow(Base):
    """A department's reply (受理/初步回复/正式回复/延期/协办结果) and its approval.

    `state`: recorded (no approval needed) | pending_approval | approved | rejected | sent.
    `final_text` is what the petitioner gets (the office may edit it); `public` is set when the
    office approved a public answer, which is what the board publishes.
    """

    __tablename__ = "ticket_replies"
    __table_args__ = (
        # The monthly assessment's facts of a reply, read by an index-only scan (0017).
        Index("ix_ticket_replies_facts", "ticket_id", "created_at", "kind", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    letter_id: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(30))
    department_code: Mapped[str | None] = mapped_column(String(40))
    author: Mapped[str] = mapped_column(String(320))
    text: Mapped[str] = mapped_column(Text)
    final_text: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), index=True)
    created_at: Mapped[datetime]
    planned_formal_date: Mapped[str | None] = mapped_column(String(10))
    extension_until: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(320))
    decided_at: Mapped[datetime | None]
    reject_reason: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    public: Mapped[bool] = mapped_column(Boolean, default=False)


class PublicTextRow(Base):
    """What the board publishes of a ticket, as the office decided it (公开文本).

    `lifted` are the hidden strings the office kept visible (保留), `added` those it hid itself
    (隐去); `subject`/`letter`/`answer` are the texts as approved — stored once the answer is
    approved for publication, so a republish never redacts differently. `taken_down_at` set:
    the office took the letter down from the board (撤下), with `takedown_reason`.
    """

    __tablename__ = "public_texts"

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id"), primary_key=True, autoincrement=False
    )
    lifted: Mapped[list[str]] = mapped_column(JSON, default=list)
    added: Mapped[list[str]] = mapped_column(JSON, default=list)
    subject: Mapped[str | None] = mapped_column(Text)
    letter: Mapped[str | None] = mapped_column(Text)
    answer: Mapped[str | None] = mapped_column(Text)
    approved_at: Mapped[datetime | None]
    approved_by: Mapped[str | None] = mapped_column(String(320))
    taken_down_at: Mapped[datetime | None]
    taken_down_by: Mapped[str | None] = mapped_column(String(320))
    takedown_reason: Mapped[str | None] = mapped_column(Text)
