"""Letters that did not come by mail (e.g. OA petitions): recorded and edited like mail letters.

`record_external_letters` stages each letter as ingest does a mail (letter → ticket in state
`received` → receipt, one multi-row batch, idempotent by its dedupe key); routing follows in
`services.routing`, as for mail. `update_external_letter` applies an edit made at the source.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinxiang.domain.letter import Letter, MailKind
from xinxiang.services.context import AppContext
from xinxiang.services.ingest import IngestOutcome, record_batch
from xinxiang.services.prepare import MessageOrigin, Prepared, store_attachments
from xinxiang.store.models import LetterRow, TicketRow
from xinxiang.store.repo import add_event
from xinxiang.store.search import index_tickets


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
    transaction, exactly like a mail letter: letter → ticket (`received`) → receipt. Routing
    follows in `services.routing.route_received`, as for mail.

    `raw` is the source document as received (kept as a content-addressed blob, made durable by
    the caller's `ctx.blobs.sync()` before its commit); `dedupe_key` makes the call idempotent
    (a second call returns `duplicate`).
    """
    item = ExternalLetter(letter, raw, raw_suffix, dedupe_key, external_id, origin)
    return record_external_letters(ctx, session, [item], now)[0]


@dataclass(frozen=True, slots=True)
class ExternalLetter:
    """A letter that did not come by mail, with its source document and identity."""

    letter: Letter
    raw: bytes
    raw_suffix: str
    dedupe_key: str
    external_id: str
    origin: MessageOrigin


def record_external_letters(
    ctx: AppContext, session: Session, items: Sequence[ExternalLetter], now: datetime
) -> list[IngestOutcome]:
    """`record_external_letter` for many letters at once (one multi-row batch)."""
    storage = ctx.cfg.settings.storage
    prepared = [
        Prepared(
            item.raw,
            item.origin,
            ctx.blobs.put(item.raw, item.raw_suffix, durable=False),
            item.letter,
            MailKind.LETTER,
            None,
            store_attachments(
                item.letter, ctx.blobs, storage.max_attachment_bytes, storage.max_message_bytes
            ),
            item.dedupe_key,
            item.external_id,
        )
        for item in items
    ]
    return record_batch(ctx, session, prepared, now)


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
    sha = ctx.blobs.put(raw, raw_suffix, durable=False)  # the caller syncs before committing
    previous_sha = row.raw_sha256
    for name, (_old, new) in changed.items():
        setattr(row, name, new)
    row.raw_sha256, row.raw_size = sha, len(raw)
    if row.ticket_id is not None:
        ticket = session.get(TicketRow, row.ticket_id)
        if ticket is not None:
            ticket.subject = row.subject
            ticket.public_consent = row.public_consent
            session.flush()
            index_tickets(session, [ticket.id])  # the word-search grams follow the edit
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
