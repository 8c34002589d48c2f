"""Ingest one raw message: letter, ticket, events and acknowledgement in ONE transaction.

Idempotent by construction: the letter's dedupe key (Message-ID, else raw sha256) is unique, so
a crash anywhere and a re-run yields exactly one letter, one ticket and one acknowledgement.
The caller touches the mailbox (move to Processed/Quarantine) only after this returns.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from xinxiang.domain.deadlines import dispatch_due
from xinxiang.domain.letter import Letter, MailKind
from xinxiang.domain.states import TicketStatus
from xinxiang.domain.tickets import new_query_code
from xinxiang.errors import UnparseableMail
from xinxiang.mailbox.noise import bounced_message_ids
from xinxiang.mailbox.parse import parse_message
from xinxiang.outgoing import ack
from xinxiang.outgoing.caps import receipt_allowance
from xinxiang.replies.compose import deliverable
from xinxiang.services import prepare
from xinxiang.services.context import AppContext
from xinxiang.services.prepare import (
    MessageOrigin as MessageOrigin,  # re-exported: callers build origins for ingest
)
from xinxiang.services.prepare import (
    Prepared,
    PreparedBatch,
    StoredAttachment,
)
from xinxiang.services.routing import route_received
from xinxiang.store.models import (
    AttachmentRow,
    LetterRow,
    OutboxRow,
    QuarantineRow,
    TicketRow,
)
from xinxiang.store.repo import (
    add_event,
    add_events,
    insert_outbox_rows,
    next_ticket_numbers,
    set_cursor,
)
from xinxiang.store.search import index_texts

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class IngestOutcome:
    """What became of one message: created | recorded | duplicate | quarantined."""

    status: str
    kind: str
    letter_id: int | None = None
    ticket_number: str | None = None
    reason: str | None = None


def dedupe_key_for(letter: Letter | None, raw_sha256: str) -> str:
    """`mid:<Message-ID>` when there is one, else `sha:<sha256 of the raw bytes>`."""
    if letter is not None and letter.message_id:
        return "mid:" + letter.message_id[:290]
    return "sha:" + raw_sha256


def begin_batch(ctx: AppContext, items: Sequence[tuple[bytes, MessageOrigin]]) -> PreparedBatch:
    """Start preparing a batch (raw kept, parsed, kind decided), in worker processes when the
    batch is big; `finish_batch` records it. Sources use the two halves to prepare the next
    batch while the current one is committed and moved."""
    return prepare.begin(ctx.prepare_settings, items, ctx.prepare_pool)


def ingest_batch(
    ctx: AppContext, items: Sequence[tuple[bytes, MessageOrigin]], now: datetime
) -> list[IngestOutcome]:
    """Parse and commit a batch of messages in ONE transaction.

    Each new letter becomes a letter row, a ticket (status `received`), a `received` event and
    an unrendered receipt in the outbox; routing (classification, dispatch) happens right after
    in `services.routing`, from the committed tickets. Never raises for bad mail (it is
    quarantined); raises only when the database itself fails, in which case nothing of the batch
    is committed and the caller must not touch the mailbox. Blobs are made durable once per
    batch, before the commit that references them.
    """
    return finish_batch(ctx, begin_batch(ctx, items), now)


def finish_batch(ctx: AppContext, batch: PreparedBatch, now: datetime) -> list[IngestOutcome]:
    """Record a prepared batch in one transaction (see `ingest_batch`)."""
    prepared = batch.result()
    try:
        with ctx.db.unit_of_work() as session:
            outcomes = record_batch(ctx, session, prepared, now)
            ctx.blobs.sync()
    except IntegrityError:
        # Another worker imported some of these meanwhile: redo one by one, each in a savepoint.
        log.info("concurrent import detected; retrying the batch message by message")
        with ctx.db.unit_of_work() as session:
            outcomes = [_record_one_safely(ctx, session, item, now) for item in prepared]
    # Readings made in the workers, for routing to take (letters that became tickets only).
    ctx.read_ahead.add(
        item.ahead
        for item, outcome in zip(prepared, outcomes, strict=True)
        if item.ahead is not None and outcome.status == "created"
    )
    for item, outcome in zip(prepared, outcomes, strict=True):
        if outcome.status == "quarantined":
            log.warning(
                "quarantined message from %s (%s): %s",
                item.origin.source,
                item.origin.location,
                outcome.reason,
            )
    return outcomes


def ingest_raw(ctx: AppContext, raw: bytes, origin: MessageOrigin, now: datetime) -> IngestOutcome:
    """Parse and commit one message (see `ingest_batch`), then route what is waiting."""
    outcome = ingest_batch(ctx, [(raw, origin)], now)[0]
    route_received(ctx, now)
    return outcome


def _record_one_safely(
    ctx: AppContext, session: Session, item: Prepared, now: datetime
) -> IngestOutcome:
    savepoint = session.begin_nested()
    try:
        outcome = record_batch(ctx, session, [item], now)[0]
        savepoint.commit()
    except IntegrityError:
        savepoint.rollback()
        return IngestOutcome("duplicate", item.kind.value)
    return outcome


def record_batch(
    ctx: AppContext, session: Session, prepared: Sequence[Prepared], now: datetime
) -> list[IngestOutcome]:
    """Write a batch with a handful of multi-row statements (not a few per message): one
    lookup of known keys, one INSERT per table, one block of ticket numbers."""
    outcomes: list[IngestOutcome | None] = [None] * len(prepared)
    keys = {
        i: item.key or dedupe_key_for(item.letter, item.sha)
        for i, item in enumerate(prepared)
        if item.letter is not None
    }
    known: dict[str, int] = {}
    if keys:
        known = {
            k: i
            for k, i in session.execute(
                select(LetterRow.dedupe_key, LetterRow.id).where(
                    LetterRow.dedupe_key.in_(set(keys.values()))
                )
            ).all()
        }
    fresh: list[tuple[int, LetterRow]] = []
    in_batch: set[str] = set()
    for i, item in enumerate(prepared):
        if item.letter is None:
            outcomes[i] = _quarantine(session, item, item.problem or "unparseable", now)
            continue
        key = keys[i]
        if key in known or key in in_batch:
            outcomes[i] = IngestOutcome("duplicate", item.kind.value, known.get(key))
            continue
        in_batch.add(key)
        fresh.append((i, _letter_row(ctx, item, key, now)))
    if not fresh:
        _advance_cursors(session, prepared, now)
        return [o for o in outcomes if o is not None]
    session.add_all(row for _, row in fresh)
    session.flush()
    # Rows nobody needs back as objects go in as one executemany each (no RETURNING): on
    # PostgreSQL that is a single pipelined round trip instead of one per row.
    files = [
        {**_attachment_values(a), "letter_id": row.id}
        for i, row in fresh
        for a in prepared[i].attachments
    ]
    if files:
        session.execute(insert(AttachmentRow), files)

    letters = [(i, row) for i, row in fresh if prepared[i].kind is MailKind.LETTER]
    for i, row in fresh:
        kind = prepared[i].kind
        if kind is MailKind.BOUNCE:
            _mark_bounced(session, prepared[i].raw, now)
        if kind is not MailKind.LETTER:
            outcomes[i] = IngestOutcome("recorded", kind.value, row.id)
    if letters:
        year = now.astimezone(ctx.cfg.tz).year
        numbers = next_ticket_numbers(session, year, len(letters))
        tickets = [
            _ticket_row(ctx, row, prepared[i], number, now)
            for (i, row), number in zip(letters, numbers, strict=True)
        ]
        session.add_all(tickets)
        session.flush()
        # The word-search grams, in this transaction (store/search.py).
        index_texts(
            session,
            [(t.id, t.subject, row.body) for (_i, row), t in zip(letters, tickets, strict=True)],
        )
        allowed = receipt_allowance(ctx, session, [t.petitioner_addr for t in tickets], now)
        events: list[dict[str, Any]] = []
        receipts: list[dict[str, Any]] = []
        # One statement links the letters to their tickets (not one UPDATE per letter).
        session.execute(
            update(LetterRow)
            .where(LetterRow.id.in_([row.id for _, row in letters]))
            .values(
                ticket_id=select(TicketRow.id)
                .where(TicketRow.letter_id == LetterRow.id)
                .scalar_subquery()
            ),
            execution_options={"synchronize_session": False},
        )
        for (i, row), ticket in zip(letters, tickets, strict=True):
            origin = prepared[i].origin
            events.append(
                _event(
                    ticket,
                    now,
                    "received",
                    actor=ticket.petitioner_addr,
                    channel=origin.channel,
                    source=origin.source,
                    location=origin.location,
                    message_id=row.message_id,
                )
            )
            if not deliverable(ticket.petitioner_addr):
                events.append(_event(ticket, now, "mail_skipped", reason="no reply address"))
            elif allowed.get(ticket.petitioner_addr.lower(), 0) > 0:
                allowed[ticket.petitioner_addr.lower()] -= 1
                receipts.append(ack.new_ack_values(ctx, ticket, now))
            else:
                events.append(
                    _event(
                        ticket,
                        now,
                        "mail_rate_limited",
                        mail_kind="ack",
                        reason="hourly cap on automatic mails to this address reached",
                    )
                )
            outcomes[i] = IngestOutcome("created", MailKind.LETTER.value, row.id, ticket.number)
        insert_outbox_rows(session, receipts)
        add_events(session, events)
    _advance_cursors(session, prepared, now)
    return [o for o in outcomes if o is not None]


def _event(
    ticket: TicketRow, now: datetime, kind: str, *, actor: str = "system", **data: object
) -> dict[str, Any]:
    return {"ticket_id": ticket.id, "at": now, "actor": actor, "kind": kind, "data": data}


def _attachment_values(a: StoredAttachment) -> dict[str, Any]:
    return {
        "filename": a.filename,
        "content_type": a.content_type,
        "size": a.size,
        "sha256": a.sha256,
        "stored": a.stored,
        "inline": a.inline,
        "content_id": a.content_id,
    }


def _advance_cursors(session: Session, prepared: Sequence[Prepared], now: datetime) -> None:
    best: dict[tuple[str, int], int] = {}
    for item in prepared:
        o = item.origin
        if o.uidvalidity is not None and o.uid is not None:
            k = (o.source, o.uidvalidity)
            best[k] = max(best.get(k, 0), o.uid)
    for (source, validity), uid in best.items():
        set_cursor(session, source, validity, uid, now)


def _letter_row(ctx: AppContext, item: Prepared, key: str, now: datetime) -> LetterRow:
    letter = item.letter
    assert letter is not None
    defects = list(letter.defects)
    if item.origin.omitted:
        defects.append(
            f"message of {item.origin.size_at_source} bytes over the size limit: fetched by part, "
            f"{len(item.origin.omitted)} part(s) left in the mail server's mailbox"
        )
    defects.extend(
        f"attachment {a.filename!r} ({a.size} bytes) exceeds the size cap"
        for a in item.attachments
        if not a.stored
    )
    return LetterRow(
        dedupe_key=key,
        source=item.origin.source,
        channel=item.origin.channel,
        external_id=item.external_id,
        kind=item.kind.value,
        message_id=letter.message_id,
        raw_sha256=item.sha,
        raw_size=len(item.raw),
        from_addr=letter.from_addr,
        from_name=letter.from_name,
        subject=letter.subject,
        sent_at=letter.date,
        received_at=now,
        body=letter.body,
        html=letter.html,
        defects=defects,
        public_consent=letter.public_consent,
        in_reply_to=letter.in_reply_to,
    )


def _ticket_row(
    ctx: AppContext, row: LetterRow, item: Prepared, number: str, now: datetime
) -> TicketRow:
    return TicketRow(
        number=number,
        query_code=new_query_code(),
        letter_id=row.id,
        source=item.origin.source,
        channel=item.origin.channel,
        status=TicketStatus.RECEIVED.value,
        petitioner_addr=row.from_addr,
        petitioner_name=row.from_name,
        subject=row.subject,
        public_consent=row.public_consent,
        urgency="normal",
        created_at=now,
        dispatch_due=dispatch_due(now, ctx.policy),
        calendar_verified=True,
    )


def _mark_bounced(session: Session, raw: bytes, now: datetime) -> None:
    ids = bounced_message_ids(raw)
    if not ids:
        return
    rows = session.execute(select(OutboxRow).where(OutboxRow.message_id.in_(ids))).scalars().all()
    for out in rows:
        out.state = "failed"
        out.last_error = "bounced: the receiving server returned a delivery failure report"
        if out.ticket_id is not None:
            add_event(
                session,
                out.ticket_id,
                now,
                "mailer-daemon",
                "mail_bounced",
                message_id=out.message_id,
                mail_kind=out.kind,
            )


def _quarantine(session: Session, item: Prepared, reason: str, now: datetime) -> IngestOutcome:
    origin = item.origin
    existing = session.execute(
        select(QuarantineRow.id).where(
            QuarantineRow.source == origin.source, QuarantineRow.raw_sha256 == item.sha
        )
    ).scalar_one_or_none()
    if existing is None:
        session.add(
            QuarantineRow(
                source=origin.source,
                channel=origin.channel,
                location=origin.location,
                raw_sha256=item.sha,
                raw_size=len(item.raw),
                reason=reason,
                state="open",
                created_at=now,
            )
        )
    return IngestOutcome("quarantined", MailKind.MALFORMED.value, reason=reason)


def retry_quarantined(ctx: AppContext, quarantine_id: int, now: datetime) -> IngestOutcome:
    """Reprocess a quarantined message from its stored raw bytes (after a fix)."""
    with ctx.db.unit_of_work() as session:
        q = session.get(QuarantineRow, quarantine_id)
        if q is None:
            raise LookupError(f"no quarantine record {quarantine_id}")
        origin = MessageOrigin(q.source, q.channel, q.location)
        sha = q.raw_sha256
    raw = ctx.blobs.get(sha, ".eml")
    try:
        letter = parse_message(raw)
    except UnparseableMail as exc:
        with ctx.db.unit_of_work() as session:
            session.execute(
                update(QuarantineRow)
                .where(QuarantineRow.id == quarantine_id)
                .values(reason=str(exc) or "unparseable")
            )
        return IngestOutcome("quarantined", MailKind.MALFORMED.value, reason=str(exc))
    del letter
    outcome = ingest_raw(ctx, raw, origin, now)
    with ctx.db.unit_of_work() as session:
        session.execute(
            update(QuarantineRow)
            .where(QuarantineRow.id == quarantine_id)
            .values(state="resolved", resolved_at=now, letter_id=outcome.letter_id)
        )
    return outcome
