"""Repository functions over a session: ticket numbers, events, cursors, outbox enqueueing,
and the recorded letter as a domain object."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, true, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from xinxiang.domain.letter import Attachment, Letter
from xinxiang.domain.tickets import format_ticket_number
from xinxiang.store.events import WrittenEvent, report_events
from xinxiang.store.models import (
    AttachmentRow,
    EventRow,
    LetterRow,
    MailCursor,
    OutboxRow,
    TicketCounter,
)
from xinxiang.store.write_batch import UNSENT_STATES, batch_count, key_exists
from xinxiang.store.write_batch import active as active_batch


def _insert_ignore(session: Session, table: Any, values: dict[str, Any], key: str) -> None:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(
            pg_insert(table).values(**values).on_conflict_do_nothing(index_elements=[key])
        )
    else:
        session.execute(
            sqlite_insert(table).values(**values).on_conflict_do_nothing(index_elements=[key])
        )


def next_ticket_numbers(session: Session, year: int, count: int) -> list[str]:
    """Allocate `count` consecutive numbers for `year` with one locked UPDATE (see below)."""
    stmt = (
        update(TicketCounter)
        .where(TicketCounter.year == year)
        .values(last_seq=TicketCounter.last_seq + count)
        .returning(TicketCounter.last_seq)
    )
    last = session.execute(stmt).scalar_one_or_none()
    if last is None:
        _insert_ignore(session, TicketCounter.__table__, {"year": year, "last_seq": 0}, "year")
        last = session.execute(stmt).scalar_one()
    return [format_ticket_number(year, seq) for seq in range(last - count + 1, last + 1)]


def next_ticket_number(session: Session, year: int) -> str:
    """Allocate the next gap-free number for `year` inside the caller's transaction.

    The UPDATE takes a row lock on PostgreSQL (and the write lock on SQLite), so concurrent
    workers serialise here and a rolled-back transaction gives its number back.
    """
    stmt = (
        update(TicketCounter)
        .where(TicketCounter.year == year)
        .values(last_seq=TicketCounter.last_seq + 1)
        .returning(TicketCounter.last_seq)
    )
    seq = session.execute(stmt).scalar_one_or_none()
    if seq is None:
        _insert_ignore(session, TicketCounter.__table__, {"year": year, "last_seq": 0}, "year")
        seq = session.execute(stmt).scalar_one()
    return format_ticket_number(year, seq)


def add_event(
    session: Session, ticket_id: int, at: datetime, actor: str, kind: str, **data: Any
) -> EventRow | None:
    """Append one entry to a ticket's timeline (时间线) and report it (`store.events`); the
    new row, or None inside a write batch (inserted with the batch's other events)."""
    batch = active_batch(session)
    if batch is not None:  # inserted with the batch's other events (`store.write_batch`)
        batch.events.append(
            {"ticket_id": ticket_id, "at": at, "actor": actor, "kind": kind, "data": data}
        )
        return None
    row = EventRow(ticket_id=ticket_id, at=at, actor=actor, kind=kind, data=data)
    session.add(row)
    report_events(session, [row])
    return row


def add_events(session: Session, events: Sequence[dict[str, Any]]) -> None:
    """Append many timeline entries with one bulk insert, and report them.

    Each dict holds `ticket_id`, `at`, `actor`, `kind` and `data`; the rows get no ORM objects.
    """
    if not events:
        return
    session.execute(insert(EventRow), list(events))
    report_events(
        session,
        [
            WrittenEvent(e["ticket_id"], e["at"], e["actor"], e["kind"], e.get("data"))
            for e in events
        ],
    )


def get_cursor(session: Session, source: str) -> MailCursor | None:
    """The stored position of a mail source."""
    return session.get(MailCursor, source)


def set_cursor(
    session: Session, source: str, uidvalidity: int, last_uid: int, now: datetime
) -> None:
    """Advance (never rewind within one UIDVALIDITY) a source's cursor."""
    cur = session.get(MailCursor, source)
    if cur is None:
        session.add(
            MailCursor(source=source, uidvalidity=uidvalidity, last_uid=last_uid, updated_at=now)
        )
        return
    if cur.uidvalidity != uidvalidity:
        cur.uidvalidity, cur.last_uid = uidvalidity, last_uid
    else:
        cur.last_uid = max(cur.last_uid, last_uid)
    cur.updated_at = now


def enqueue_mail(
    session: Session,
    *,
    dedupe_key: str,
    message_id: str,
    kind: str,
    sender: str,
    recipients: list[str],
    raw: bytes | None,
    now: datetime,
    ticket_id: int | None,
    state: str = "pending",
    send_at: datetime | None = None,
    parts: dict[str, Any] | None = None,
) -> bool:
    """Put a rendered mail in the outbox unless one with the same key exists. True if added.

    `raw` None: rendered when sent (`outgoing.door.render_deferred`). `state`: "pending" to
    send at `send_at` (default `now`); "held" (over an outside address's
    hourly cap) or "coalesced" (shown in a staff digest instead) keep the mail without sending.
    """
    values = outbox_values(
        dedupe_key=dedupe_key,
        message_id=message_id,
        kind=kind,
        sender=sender,
        recipients=recipients,
        raw=raw,
        now=now,
        ticket_id=ticket_id,
        state=state,
        send_at=send_at,
        parts=parts,
    )
    batch = active_batch(session)
    if batch is not None and batch.covers(dedupe_key):
        if batch.key_taken(dedupe_key, or_coalesced=False):
            return False
        batch.added(values)  # inserted with the batch's other rows (`store.write_batch`)
        return True
    exists = session.execute(
        select(OutboxRow.id).where(OutboxRow.dedupe_key == dedupe_key)
    ).scalar_one_or_none()
    if exists is not None:
        return False
    session.add(OutboxRow(**values))
    return True


def outbox_values(
    *,
    dedupe_key: str,
    message_id: str,
    kind: str,
    sender: str,
    recipients: list[str],
    raw: bytes | None,
    now: datetime,
    ticket_id: int | None,
    state: str = "pending",
    send_at: datetime | None = None,
    parts: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The column values of one outbox row: the one place an outbox row is built (issue #11)."""
    return {
        "dedupe_key": dedupe_key,
        "message_id": message_id,
        "ticket_id": ticket_id,
        "kind": kind,
        "sender": sender,
        "recipients": recipients,
        "recipient_key": (recipients[0] if recipients else "").lower(),
        "raw": raw,
        "parts": parts,
        "state": state,
        "attempts": 0,
        "created_at": now,
        "next_attempt_at": send_at or now,
    }


def insert_outbox_rows(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many new outbox rows (from `outbox_values`, keys known to be new) in one statement."""
    if rows:
        session.execute(insert(OutboxRow), list(rows))


def count_mail_to(
    session: Session, recipient: str, since: datetime, exclude_kinds: Sequence[str] = ()
) -> int:
    """How many mails of any kind (but `exclude_kinds`) went or wait to go to `recipient`
    (read once per batch in a write batch, `store.write_batch`)."""
    counted = batch_count(session, recipient, since, None, exclude_kinds)
    if counted is not None:
        return counted
    query = select(func.count(OutboxRow.id)).where(
        OutboxRow.state.not_in(UNSENT_STATES),
        OutboxRow.recipient_key == recipient.lower(),
        OutboxRow.created_at >= since,
    )
    if exclude_kinds:
        query = query.where(OutboxRow.kind.not_in(exclude_kinds))
    return int(session.execute(query).scalar_one())


def outbox_rows_to(
    session: Session, recipient: str, state: str, since: datetime, until: datetime
) -> list[OutboxRow]:
    """The outbox rows in `state` for `recipient` created in [since, until), oldest first."""
    return list(
        session.execute(
            select(OutboxRow)
            .where(
                OutboxRow.state == state,
                OutboxRow.recipient_key == recipient.lower(),
                OutboxRow.created_at >= since,
                OutboxRow.created_at < until,
            )
            .order_by(OutboxRow.created_at, OutboxRow.id)
        ).scalars()
    )


def outbox_key_taken(session: Session, dedupe_key: str) -> bool:
    """Whether a mail with this dedupe key was queued, held or coalesced (`key>address`)."""
    batch = active_batch(session)
    if batch is not None and batch.covers(dedupe_key):
        return batch.key_taken(dedupe_key, or_coalesced=True)
    key = OutboxRow.dedupe_key
    if session.get_bind().dialect.name == "postgresql":
        # LIKE 'key>%' is an index range of `ix_outbox_dedupe_key_pattern` (varchar_pattern_ops)
        coalesced = key.startswith(dedupe_key + ">", autoescape=True)
    else:
        # SQLite's LIKE ignores case and walks the whole outbox; the range ('?' follows '>')
        # is one of the unique index, byte-wise as SQLite's BINARY collation compares.
        coalesced = (key >= dedupe_key + ">") & (key < dedupe_key + "?")
    found = session.execute(
        select(OutboxRow.id).where((key == dedupe_key) | coalesced).limit(1)
    ).first()
    return found is not None


def outbox_key_exists(session: Session, dedupe_key: str, together: Collection[str] = ()) -> bool:
    """Whether an outbox row has exactly this key (inside a write batch: read once per batch,
    with the keys `together`, then known to the batch, which queues the row when it adds it)."""
    known = key_exists(session, dedupe_key, together)
    if known is not None:
        return known
    return outbox_row(session, dedupe_key) is not None


def outbox_row(session: Session, dedupe_key: str) -> OutboxRow | None:
    """The outbox row with this dedupe key, if any."""
    return session.execute(
        select(OutboxRow).where(OutboxRow.dedupe_key == dedupe_key)
    ).scalar_one_or_none()


def count_recent_mail(
    session: Session, kinds: Sequence[str], recipient: str, since: datetime
) -> int:
    """How many mails of these kinds went (or wait to go) to `recipient` since `since`."""
    counted = batch_count(session, recipient, since, kinds, ())
    if counted is not None:
        return counted
    query = select(func.count(OutboxRow.id)).where(
        OutboxRow.kind.in_(kinds),
        OutboxRow.state.not_in(UNSENT_STATES),
        OutboxRow.recipient_key == recipient.lower(),
        OutboxRow.created_at >= since,
    )
    return int(session.execute(query).scalar_one())


def count_recent_mail_by_recipient(
    session: Session, kinds: Sequence[str] | None, recipients: Collection[str], since: datetime
) -> dict[str, int]:
    """Per recipient, how many mails of these kinds (None: of any kind) went (or wait to go)
    out since `since`."""
    if not recipients:
        return {}
    rows = session.execute(
        select(OutboxRow.recipient_key, func.count(OutboxRow.id))
        .where(
            OutboxRow.kind.in_(kinds) if kinds is not None else true(),
            OutboxRow.state.not_in(UNSENT_STATES),
            OutboxRow.recipient_key.in_([r.lower() for r in recipients]),
            OutboxRow.created_at >= since,
        )
        .group_by(OutboxRow.recipient_key)
    ).all()
    return {key: int(n) for key, n in rows}


def letter_from_row(row: LetterRow, attachments: list[AttachmentRow]) -> Letter:
    """The recorded letter as a domain object (attachment names only, no payloads)."""
    return Letter(
        message_id=row.message_id,
        from_addr=row.from_addr,
        from_name=row.from_name,
        subject=row.subject,
        date=row.sent_at,
        body=row.body,
        html=row.html,
        attachments=tuple(
            Attachment(a.filename, a.content_type, b"", a.inline, a.content_id) for a in attachments
        ),
        in_reply_to=row.in_reply_to,
        public_consent=row.public_consent,
    )
