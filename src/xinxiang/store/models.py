"""SQLAlchemy 2 ORM models: letters, tickets, events, attachments, outbox, cursors, quarantine.

All timestamps are timezone-aware UTC (`UtcDateTime`), whatever the database stores natively.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC; SQLite hands back naive values, which we re-tag as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base for every table."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime,
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class LetterRow(Base):
    """One imported message or OA petition; the raw message is a content-addressed blob."""

    __tablename__ = "letters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(300), unique=True)
    source: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(60))
    external_id: Mapped[str | None] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    message_id: Mapped[str | None] = mapped_column(String(998))
    raw_sha256: Mapped[str] = mapped_column(String(64), index=True)
    raw_size: Mapped[int] = mapped_column(Integer)
    from_addr: Mapped[str] = mapped_column(String(320), index=True)
    from_name: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    received_at: Mapped[datetime]
    body: Mapped[str] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)
    defects: Mapped[list[Any]] = mapped_column(JSON, default=list)
    public_consent: Mapped[bool | None] = mapped_column(Boolean)
    in_reply_to: Mapped[str | None] = mapped_column(String(998))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)

    attachments: Mapped[list[AttachmentRow]] = relationship(
        back_populates="letter", order_by="AttachmentRow.id"
    )


class AttachmentRow(Base):
    """An attachment stored as a content-addressed file under the data directory."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    stored: Mapped[bool] = mapped_column(Boolean, default=True)
    inline: Mapped[bool] = mapped_column(Boolean, default=False)
    content_id: Mapped[str | None] = mapped_column(String(300))

    letter: Mapped[LetterRow] = relationship(back_populates="attachments")


class TicketCounter(Base):
    """Per-year sequence for gap-free ticket numbers (row-locked by UPDATE … RETURNING)."""

    __tablename__ = "ticket_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)


class TicketRow(Base):
    """A ticket: one petitioner's matter, from receipt to closure."""

    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_open_formal_due", "status", "formal_due"),
        Index("ix_tickets_open_preliminary_due", "status", "preliminary_due"),
        Index("ix_tickets_open_response_due", "status", "response_due"),
        # The ticket list: a filter with its page order (newest first) behind it (0015).
        Index("ix_tickets_status_id", "status", "id"),
        Index("ix_tickets_department_id", "department_code", "id"),
        Index("ix_tickets_created_at", "created_at"),
        # routing's flood count: the sender's letters of the last hour, whatever the case (0018)
        Index("ix_tickets_petitioner_lower", text("lower(petitioner_addr)")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    query_code: Mapped[str] = mapped_column(String(16))
    letter_id: Mapped[int] = mapped_column(Integer, index=True)
    source: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(20), index=True)
    petitioner_addr: Mapped[str] = mapped_column(String(320), index=True)
    petitioner_name: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(Text)
    public_consent: Mapped[bool | None] = mapped_column(Boolean)
    department_code: Mapped[str | None] = mapped_column(String(40), index=True)
    category: Mapped[str | None] = mapped_column(String(40))
    urgency: Mapped[str] = mapped_column(String(20), default="normal")
    disposition: Mapped[str | None] = mapped_column(String(20))
    track: Mapped[int | None] = mapped_column(Integer)
    confidence: Mapped[float | None] = mapped_column(Float)
    classification: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    duplicate_of: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    dispatch_due: Mapped[datetime | None]
    response_due: Mapped[datetime | None]
    preliminary_due: Mapped[datetime | None]
    formal_due: Mapped[datetime | None]
    calendar_verified: Mapped[bool] = mapped_column(Boolean, default=True)
    closed_at: Mapped[datetime | None]
    dispatched_at: Mapped[datetime | None]
    first_day: Mapped[str | None] = mapped_column(String(10))
    planned_formal_date: Mapped[str | None] = mapped_column(String(10))
    revisit_due: Mapped[datetime | None]
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    excluded_from_assessment: Mapped[bool] = mapped_column(Boolean, default=False)
    rules_version: Mapped[str | None] = mapped_column(String(80))
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    """The latest revisit's rating (1 非常不满意 … 5 非常满意); None: not rated (yet)."""
    rated_at: Mapped[datetime | None]
    revisit_state: Mapped[str | None] = mapped_column(String(20), index=True)
    """The latest revisit round's state (`models_revisit.REVISIT_STATES`); None: none yet."""
    rework_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """How many times the ticket was sent back for rework (发回重办)."""
    settled_at: Mapped[datetime | None]
    """销账: the account of this petition is closed (seed 002 第十条)."""
    settled_reason: Mapped[str | None] = mapped_column(String(40))

    events: Mapped[list[EventRow]] = relationship(order_by="EventRow.id", viewonly=True)


class EventRow(Base):
    """Append-only timeline entry of a ticket: the source of every record and PDF."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_kind_at", "kind", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(320))
    kind: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class OutboxRow(Base):
    """An outgoing mail, written in the same transaction as its cause: fully rendered (`raw`),
    kept as its rendered parts (`parts`, flattened when sent), or rendered when sent."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "state", "next_attempt_at"),
        # For PostgreSQL's LIKE 'key>%' of a coalesced mail (`repo.outbox_key_taken`) under any
        # collation; SQLite, whose LIKE ignores case, looks the prefix up as a range instead.
        Index(
            "ix_outbox_dedupe_key_pattern",
            "dedupe_key",
            postgresql_ops={"dedupe_key": "varchar_pattern_ops"},
        ),
        # The caps' count of an address's mail this hour (`repo.count_mail_to`), read from the
        # index alone: the office gets thousands of notices in one sweep (migration 0020).
        Index("ix_outbox_recipient_time", "recipient_key", "created_at", "state", "kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    message_id: Mapped[str] = mapped_column(String(300), unique=True)
    ticket_id: Mapped[int | None] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(30))
    sender: Mapped[str] = mapped_column(String(320))
    recipients: Mapped[list[Any]] = mapped_column(JSON)
    recipient_key: Mapped[str] = mapped_column(String(320), index=True)
    raw: Mapped[bytes | None] = mapped_column(LargeBinary)  # None: rendered when sent
    # The rendered parts of a mail flattened to `raw` when sent (`replies.mailer.MailParts`)
    parts: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    state: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class MailCursor(Base):
    """Where a mail source stands: UIDVALIDITY and the highest UID already committed."""

    __tablename__ = "mail_cursors"

    source: Mapped[str] = mapped_column(String(40), primary_key=True)
    uidvalidity: Mapped[int] = mapped_column(BigInteger, default=0)
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime]


class QuarantineRow(Base):
    """A message that could not be processed, with the reason; the raw bytes are kept."""

    __tablename__ = "quarantine"
    __table_args__ = (UniqueConstraint("source", "raw_sha256", name="uq_quarantine_source_sha"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(60))
    location: Mapped[str] = mapped_column(String(300))
    raw_sha256: Mapped[str] = mapped_column(String(64))
    raw_size: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(12), default="open")
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    letter_id: Mapped[int | None] = mapped_column(Integer)


class NoticeRow(Base):
    """A reminder/overdue/escalation notice already sent: the key makes each notice unique."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    ticket_id: Mapped[int] = mapped_column(Integer, index=True)
    at: Mapped[datetime]


class CohandlerRow(Base):
    """A co-handling department (协办) of a ticket, due to report to the lead department."""

    __tablename__ = "ticket_cohandlers"
    __table_args__ = (UniqueConstraint("ticket_id", "department_code", name="uq_cohandler"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    department_code: Mapped[str] = mapped_column(String(40))
    assigned_at: Mapped[datetime]
    due: Mapped[datetime]
    reported_at: Mapped[datetime | None]


# Tables defined next to the features that own them; imported here so that `Base.metadata`
# (migrations, schema checks) always sees the whole schema.
import xinxiang.store.models_assessment  # noqa: E402
import xinxiang.store.models_health  # noqa: E402
import xinxiang.store.models_leases  # noqa: E402
import xinxiang.store.models_oa  # noqa: E402
import xinxiang.store.models_replies  # noqa: E402
import xinxiang.store.models_revisit  # noqa: E402
import xinxiang.store.models_search  # noqa: E402
import xinxiang.store.models_shunt  # noqa: E402
import xinxiang.store.models_web  # noqa: E402, F401
