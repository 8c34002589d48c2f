"""ORM table of the shunt (搁置区): items a stage could not handle, set aside with their error.

As in Mailman's shunt queue, an item that raises is not retried on every pass (it would block or
slow everyone behind it): it is recorded here with its exception and traceback and left out of
its stage until someone puts it back (`xinxiang shunt retry`). Kept apart from `store.models`
(same `Base`); whoever needs this table in `Base.metadata` imports this module.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from xinxiang.store.models import Base

SHUNT_STATES = ("open", "retried", "resolved", "discarded")
"""open: set aside; retried: put back, the next pass takes it; resolved: a retry went through;
discarded: given up (stays out of its stage)."""


class ShuntRow(Base):
    """One item of one stage set aside (one row per stage and item; a new failure reopens it)."""

    __tablename__ = "shunts"
    __table_args__ = (UniqueConstraint("stage", "item_key", name="uq_shunts_stage_item"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stage: Mapped[str] = mapped_column(String(30))
    item_kind: Mapped[str] = mapped_column(String(30))
    item_key: Mapped[str] = mapped_column(String(200))
    label: Mapped[str] = mapped_column(String(200))
    """What the office recognises the item by (a ticket number, a petition id)."""
    exc_type: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    traceback: Mapped[str] = mapped_column(Text)
    first_failed_at: Mapped[datetime]
    last_failed_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    state: Mapped[str] = mapped_column(String(12), default="open", index=True)
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(320))
