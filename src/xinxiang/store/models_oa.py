"""ORM tables of the OA bridge: pull cursor, petitions seen, parked items, OA outbox, errors.

Kept apart from `store.models` (same `Base`); whoever needs these tables in `Base.metadata`
(Alembic autogenerate, schema checks) imports this module.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinxiang.store.models import Base


class OaCursorRow(Base):
    """The change-feed cursor of one OA: the last (updated_at, petition_id) handed to the store."""

    __tablename__ = "oa_cursor"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    updated_at: Mapped[datetime]
    petition_id: Mapped[str] = mapped_column(String(120))
    saved_at: Mapped[datetime]


class OaPetitionRow(Base):
    """The version of an OA petition we hold; one row (and one ticket) per petition_id."""

    __tablename__ = "oa_petitions"

    petition_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    letter_id: Mapped[int | None] = mapped_column(Integer)  # None while staged
    ticket_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # staged: pulled and kept (raw JSON), not yet a ticket; recorded: a ticket exists.
    state: Mapped[str] = mapped_column(String(12), default="recorded", index=True)
    raw_json: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime]
    # Digest of the petitioner's content; None while staged (computed when the ticket is made).
    content_hash: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(40))
    versions: Mapped[int] = mapped_column(Integer, default=1)
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]


class OaParkedRow(Base):
    """An OA item that could not be mapped or recorded, kept with the reason for the office."""

    __tablename__ = "oa_parked"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    petition_id: Mapped[str] = mapped_column(String(120), index=True)
    updated_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(12), default="open")
    created_at: Mapped[datetime]


class OaOutboxRow(Base):
    """One update for the OA, written in the same transaction as the ticket event it reports.

    `state`: pending | failed (transient error, retried from `next_attempt_at`) | parked (the
    OA refused it; blocks the petition's later updates until resolved) | sent.
    """

    __tablename__ = "oa_outbox"
    __table_args__ = (Index("ix_oa_outbox_state_id", "state", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    petition_id: Mapped[str] = mapped_column(String(120), index=True)
    ticket_id: Mapped[int | None] = mapped_column(Integer)
    event_kind: Mapped[str] = mapped_column(String(40))
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    ack: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class OaErrorRow(Base):
    """A failure of a pull or push run, shown by `xinxiang oa status`."""

    __tablename__ = "oa_errors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text)
