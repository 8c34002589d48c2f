"""Ingest one raw message: letter, ticket, events and acknowledgement in ONE transaction.

Idempotent by construction: the letter's dedupe key (Message-ID, else raw sha256) is unique, so
a crash anywhere and a re-run yields exactly one letter, one ticket and one acknowledgement.
The caller touches the mailbox (move to Processed/Quarantine) only after this returns.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from xinxiang.domain.letter import Letter, MailKind
from xinxiang.domain.states import TicketStatus
from xinxiang.domain.tickets import new_query_code
from xinxiang.errors import UnparseableMail
from xinxiang.mailbox.noise import bounced_message_ids, mail_kind
from xinxiang.mailbox.parse import parse_message
from xinxiang.replies import ack
from xinxiang.replies.tokens import ticket_number_in_subject
from xinxiang.services.context import AppContext
from xinxiang.services.dispatching import route_new_ticket
from xinxiang.store.models import (
    AttachmentRow,
    LetterRow,
    OutboxRow,
    QuarantineRow,
    TicketRow,
)
from xinxiang.store.repo import add_event, next_ticket_number, set_cursor

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class IngestOutcome:
    """What became of one message: created | recorded | duplicate | quarantined."""

    status: str
    kind: str
    letter_id: int | None = None
    ticket_number: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class MessageOrigin:
    """Where a message came from, for the record and for the cursor."""

    source: str
    channel: str
    location: str
    uidvalidity: int | None = None
    uid: int | None = None


def dedupe_key_for(letter: Letter | None, raw_sha256: str) -> str:
    """`mid:<Message-ID>` when there is one, else `sha:<sha256 of the raw bytes>`."""
    if letter is not None and letter.message_id:
        return "mid:" + letter.message_id[:290]
    return "sha:" + raw_sha256


@dataclass(frozen=True, slots=True)
class _Prepared:
    raw: bytes
    origin: MessageOrigin
    sha: str
    letter: Letter | None
    kind: MailKind
    problem: str | None


def _prepare(ctx: AppContext, raw: bytes, origin: MessageOrigin) -> _Prepared:
    sha = ctx.blobs.put(raw, ".eml", durable=False)
    try:
        letter = parse_message(raw)
        kind = mail_kind(
            letter,
            own_addresses=ctx.own_addresses,
            own_msgid_domain=ctx.msgid_domain,
            reply_base=ctx.cfg.settings.smtp.from_address,
        )
        if (
            kind is MailKind.LETTER
            and letter.from_addr in ctx.cfg.registered_addresses()
            and ticket_number_in_subject(letter.subject)
        ):
            # A department or the office writing about a ticket without our token or thread
            # headers (e.g. a fresh mail, or a client that drops In-Reply-To): a reply, not a
            # new letter. Whether it may act on that ticket is decided by the replies service.
            kind = MailKind.REPLY
    except UnparseableMail as exc:
        return _Prepared(raw, origin, sha, None, MailKind.MALFORMED, str(exc) or "unparseable")
    except Exception as exc:  # a parser bug must not stop the mailbox: keep the mail, say why
        log.exception("parser failed on a message from %s", origin.source)
        problem = f"internal parser error: {type(exc).__name__}: {exc}"
        return _Prepared(raw, origin, sha, None, MailKind.MALFORMED, problem)
    return _Prepared(raw, origin, sha, letter, kind, None)


def ingest_batch(
    ctx: AppContext, items: Sequence[tuple[bytes, MessageOrigin]], now: datetime
) -> list[IngestOutcome]:
    """Parse and commit a batch of messages in ONE transaction (one savepoint per message).

    Never raises for bad mail (it is quarantined); raises only when the database itself fails,
    in which case nothing of the batch is committed and the caller must not touch the mailbox.
    Blobs are made durable once per batch, before the commit that references them.
    """
    prepared = [_prepare(ctx, raw, origin) for raw, origin in items]
    outcomes: list[IngestOutcome] = []
    with ctx.db.unit_of_work() as session:
        for item in prepared:
            outcomes.append(_ingest_one(ctx, session, item, now))
            _advance_cursor(session, item.origin, now)
        ctx.blobs.sync()
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
    """Parse and commit one message (see `ingest_batch`)."""
    return ingest_batch(ctx, [(raw, origin)], now)[0]


def _ingest_one(ctx: AppContext, session: Session, item: _Prepared, now: datetime) -> IngestOutcome:
    if item.letter is None:
        return _quarantine(session, item, item.problem or "unparseable", now)
    key = dedupe_key_for(item.letter, item.sha)
    existing = session.execute(
        select(LetterRow.id).where(LetterRow.dedupe_key == key)
    ).scalar_one_or_none()
    if existing is not None:
        return IngestOutcome("duplicate", item.kind.value, existing)
    savepoint = session.begin_nested()
    try:
        outcome = _record(
            ctx, session, item.raw, item.sha, item.letter, item.kind, key, item.origin, now
        )
        savepoint.commit()
    except IntegrityError:
        # Another worker committed the same message between our check and our insert.
        savepoint.rollback()
        log.info("message %s already imported concurrently", key)
        return IngestOutcome("duplicate", item.kind.value)
    return outcome


def _advance_cursor(session: Session, origin: MessageOrigin, now: datetime) -> None:
    if origin.uidvalidity is not None and origin.uid is not None:
        set_cursor(session, origin.source, origin.uidvalidity, origin.uid, now)


def _record(
    ctx: AppContext,
    session: Session,
    raw: bytes,
    sha: str,
    letter: Letter,
    kind: MailKind,
    key: str,
    origin: MessageOrigin,
    now: datetime,
) -> IngestOutcome:
    cap = ctx.cfg.settings.storage.max_attachment_bytes
    defects = list(letter.defects)
    row = LetterRow(
        dedupe_key=key,
        source=origin.source,
        channel=origin.channel,
        kind=kind.value,
        message_id=letter.message_id,
        raw_sha256=sha,
        raw_size=len(raw),
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
    session.add(row)
    for att in letter.attachments:
        stored = att.size <= cap
        digest = (
            ctx.blobs.put(att.payload, durable=False)
            if stored
            else hashlib.sha256(att.payload).hexdigest()
        )
        if not stored:
            defects.append(f"attachment {att.filename!r} ({att.size} bytes) exceeds the size cap")
        row.attachments.append(
            AttachmentRow(
                filename=att.filename,
                content_type=att.content_type,
                size=att.size,
                sha256=digest,
                stored=stored,
                inline=att.inline,
                content_id=att.content_id,
            )
        )
    row.defects = defects
    session.flush()

    if kind is MailKind.BOUNCE:
        _mark_bounced(session, raw, now)
        return IngestOutcome("recorded", kind.value, row.id)
    if kind is not MailKind.LETTER:
        return IngestOutcome("recorded", kind.value, row.id)

    ticket = _open_ticket(ctx, session, row, letter, origin, now)
    return IngestOutcome("created", kind.value, row.id, ticket.number)


def record_external_letter(
    ctx: AppContext,
    session: Session,
    *,
    letter: Letter,
    raw: bytes,
    raw_suffix: str,
    dedupe_key: str,
    external_id: str,
    origin: MessageOrigin,
    now: datetime,
) -> IngestOutcome:
    """Record a letter that did not arrive by mail (e.g. an OA petition) inside the caller's
    transaction: the same letter → ticket → classification → dispatch path as mail.

    `raw` is the source document as received (kept as a content-addressed blob); `dedupe_key`
    makes the call idempotent (a second call returns `duplicate`).
    """
    existing = session.execute(
        select(LetterRow.id).where(LetterRow.dedupe_key == dedupe_key)
    ).scalar_one_or_none()
    if existing is not None:
        return IngestOutcome("duplicate", MailKind.LETTER.value, existing)
    sha = ctx.blobs.put(raw, raw_suffix)
    outcome = _record(ctx, session, raw, sha, letter, MailKind.LETTER, dedupe_key, origin, now)
    row = session.get(LetterRow, outcome.letter_id)
    assert row is not None
    row.external_id = external_id
    return outcome


def update_external_letter(
    ctx: AppContext,
    session: Session,
    *,
    dedupe_key: str,
    letter: Letter,
    raw: bytes,
    raw_suffix: str,
    actor: str,
    now: datetime,
) -> bool:
    """Apply an edit made at the source (e.g. in the OA) to a recorded letter; logged on the
    ticket. Returns False when nothing changed."""
    row = session.execute(
        select(LetterRow).where(LetterRow.dedupe_key == dedupe_key)
    ).scalar_one_or_none()
    if row is None:
        raise LookupError(dedupe_key)
    changed = {
        name: (getattr(row, name), value)
        for name, value in (
            ("subject", letter.subject),
            ("body", letter.body),
            ("public_consent", letter.public_consent),
            ("from_name", letter.from_name),
        )
        if getattr(row, name) != value
    }
    if not changed:
        return False
    sha = ctx.blobs.put(raw, raw_suffix)
    previous_sha = row.raw_sha256
    for name, (_old, new) in changed.items():
        setattr(row, name, new)
    row.raw_sha256, row.raw_size = sha, len(raw)
    if row.ticket_id is not None:
        ticket = session.get(TicketRow, row.ticket_id)
        if ticket is not None:
            ticket.subject = row.subject
            ticket.public_consent = row.public_consent
        add_event(
            session,
            row.ticket_id,
            now,
            actor,
            "letter_edited",
            fields=sorted(changed),
            previous_raw_sha256=previous_sha,
            raw_sha256=sha,
        )
    return True


def _open_ticket(
    ctx: AppContext,
    session: Session,
    row: LetterRow,
    letter: Letter,
    origin: MessageOrigin,
    now: datetime,
) -> TicketRow:
    year = now.astimezone(ctx.cfg.tz).year
    ticket = TicketRow(
        number=next_ticket_number(session, year),
        query_code=new_query_code(),
        letter_id=row.id,
        source=origin.source,
        channel=origin.channel,
        status=TicketStatus.RECEIVED.value,
        petitioner_addr=letter.from_addr,
        petitioner_name=letter.from_name,
        subject=letter.subject,
        public_consent=letter.public_consent,
        urgency="normal",
        created_at=now,
        dispatch_due=now + timedelta(days=1),
        calendar_verified=True,
    )
    session.add(ticket)
    session.flush()
    row.ticket_id = ticket.id
    add_event(
        session,
        ticket.id,
        now,
        letter.from_addr,
        "received",
        channel=origin.channel,
        source=origin.source,
        location=origin.location,
        message_id=letter.message_id,
    )
    decision = route_new_ticket(ctx, session, ticket, letter, now)
    answered_by_template = ticket.duplicate_of is not None or decision.disposition in (
        "legal_channel",
        "illegal",
    )
    if not answered_by_template:
        ack.queue_acknowledgement(ctx, session, ticket, letter, now)
    return ticket


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


def _quarantine(session: Session, item: _Prepared, reason: str, now: datetime) -> IngestOutcome:
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
