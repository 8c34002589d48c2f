"""The main database as the OA bridge's store: petitions become tickets, cursor, OA outbox.

`DbPetitionStore` is the `PetitionSink` and `CursorStore` of `oa_bridge.sync.pull`: a new
petition goes through `record_external_letter` (letter → ticket → classification → dispatch, like
mail), an edited one through `update_external_letter` (logged as `letter_edited`). Upserts share
one transaction per page, committed by `set_cursor` together with the cursor, so a crash loses
at most one page of work, which the next pull fetches again (idempotently).

`DbOaOutbox` is the `OaOutbox` of `push_pending`; its rows are written by `services.oa_hooks`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from xinxiang.oa_bridge.client import OaRequestError
from xinxiang.oa_bridge.config import OaSettings
from xinxiang.oa_bridge.mapping import (
    Petition,
    PetitionAttachment,
    PetitionKey,
    RejectedItem,
    letter_from_petition,
    petition_to_json,
)
from xinxiang.oa_bridge.sync import PendingUpdate, UpsertOutcome
from xinxiang.services.context import AppContext
from xinxiang.services.ingest import (
    ExternalLetter,
    MessageOrigin,
    record_external_letter,
    record_external_letters,
    update_external_letter,
)
from xinxiang.store.db import Database
from xinxiang.store.models import LetterRow, TicketRow
from xinxiang.store.models_oa import (
    OaCursorRow,
    OaErrorRow,
    OaOutboxRow,
    OaParkedRow,
    OaPetitionRow,
)

log = logging.getLogger(__name__)

SOURCE = "oa"
CURSOR_NAME = "default"
FetchAttachment = Callable[[PetitionAttachment], bytes]


def dedupe_key(petition_id: str) -> str:
    """The letter dedupe key of an OA petition."""
    return f"oa:{petition_id}"


def raw_document(p: Petition) -> bytes:
    """The petition as received, in canonical JSON (kept as the letter's raw blob)."""
    return json.dumps(petition_to_json(p), ensure_ascii=False, sort_keys=True).encode()


class DbPetitionStore:
    """`PetitionSink` + `CursorStore` over the main database (one session for a whole pull)."""

    def __init__(
        self,
        ctx: AppContext,
        settings: OaSettings,
        now: datetime,
        *,
        fetch_attachment: FetchAttachment | None = None,
        name: str = CURSOR_NAME,
    ) -> None:
        self.ctx = ctx
        self.settings = settings
        self.now = now
        self.fetch_attachment = fetch_attachment
        self.name = name
        self.session: Session = ctx.db.session()
        # New petitions of the current page, recorded together (one multi-row batch) when the
        # page's cursor is saved: a page costs a handful of statements, not a dozen per item.
        self._pending: dict[str, tuple[Petition, Any, bytes, str]] = {}

    # PetitionSink -----------------------------------------------------------------------------

    def upsert_petition(self, p: Petition) -> UpsertOutcome:
        """One ticket per petition_id; a newer version with other content updates the letter."""
        row = self.session.get(OaPetitionRow, p.petition_id)
        if row is not None and p.updated_at <= row.updated_at:
            return "unchanged"
        digest = p.content_hash()
        if row is not None and digest == row.content_hash:
            row.updated_at, row.status, row.last_seen_at = p.updated_at, p.status, self.now
            return "unchanged"
        # Fetched before the savepoint: an OA failure here stops the pull with nothing to undo.
        payloads = self._attachments(p) if row is None else {}
        letter = letter_from_petition(p, payloads, channel=self.settings.oa.channel)
        raw = raw_document(p)
        if row is None:
            earlier = self._pending.get(p.petition_id)
            self._pending[p.petition_id] = (p, letter, raw, digest)
            if earlier is not None:  # the same petition twice in one page: keep the newest
                if p.updated_at < earlier[0].updated_at:
                    self._pending[p.petition_id] = earlier
                return "unchanged"
            return "created"
        savepoint = self.session.begin_nested()
        outcome: UpsertOutcome
        try:
            if row is None:  # not reached: new petitions wait in `_pending`
                outcome = self._create(p, letter, raw, digest)
            else:
                update_external_letter(
                    self.ctx,
                    self.session,
                    dedupe_key=dedupe_key(p.petition_id),
                    letter=letter,
                    raw=raw,
                    raw_suffix=".json",
                    actor=f"oa:{self.settings.oa.app_id}",
                    now=self.now,
                )
                row.updated_at, row.status, row.content_hash = p.updated_at, p.status, digest
                row.versions += 1
                row.last_seen_at = self.now
                outcome = "updated"
            self.session.flush()
            savepoint.commit()
        except IntegrityError:
            # Another process recorded the same petition between our read and our insert.
            savepoint.rollback()
            return "unchanged"
        except DBAPIError:
            raise
        except Exception as exc:  # one petition our code cannot record must not stop the feed
            savepoint.rollback()
            log.exception("OA petition %s could not be recorded", p.petition_id)
            self._park(p.petition_id, p.updated_at, f"记录失败: {type(exc).__name__}: {exc}", raw)
            return "unchanged"
        return outcome

    def _create(self, p: Petition, letter: Any, raw: bytes, digest: str) -> UpsertOutcome:
        outcome = record_external_letter(
            self.ctx,
            self.session,
            letter=letter,
            raw=raw,
            raw_suffix=".json",
            dedupe_key=dedupe_key(p.petition_id),
            external_id=p.petition_id,
            origin=MessageOrigin(SOURCE, self.settings.oa.channel, f"oa:{p.petition_id}"),
            now=self.now,
        )
        letter_row = self.session.get(LetterRow, outcome.letter_id)
        assert letter_row is not None
        self.session.add(
            OaPetitionRow(
                petition_id=p.petition_id,
                letter_id=letter_row.id,
                ticket_id=letter_row.ticket_id,
                updated_at=p.updated_at,
                content_hash=digest,
                status=p.status,
                versions=1,
                first_seen_at=self.now,
                last_seen_at=self.now,
            )
        )
        return "created" if outcome.status == "created" else "unchanged"

    def _attachments(self, p: Petition) -> dict[str, bytes]:
        out: dict[str, bytes] = {}
        if self.fetch_attachment is None:
            return out
        for a in p.attachments:
            try:
                out[a.sha256] = self.fetch_attachment(a)
            except OaRequestError as exc:
                # Gone or forbidden at the OA: recorded as a defect by `letter_from_petition`.
                log.warning("OA attachment %s of %s: %s", a.name, p.petition_id, exc)
        return out

    def park_petition(self, item: RejectedItem) -> None:
        """Keep an unmappable item with its reason."""
        self._park(item.petition_id, item.updated_at, item.reason, item.raw.encode())

    def _park(self, petition_id: str, updated_at: datetime | None, reason: str, raw: bytes) -> None:
        self.session.add(
            OaParkedRow(
                petition_id=petition_id,
                updated_at=updated_at,
                reason=reason,
                raw=raw.decode("utf-8", "replace"),
                state="open",
                created_at=self.now,
            )
        )

    # CursorStore ------------------------------------------------------------------------------

    def get_cursor(self) -> PetitionKey | None:
        """The saved cursor."""
        row = self.session.get(OaCursorRow, self.name)
        return PetitionKey(row.updated_at, row.petition_id) if row is not None else None

    def set_cursor(self, key: PetitionKey) -> None:
        """Save the cursor and commit it with the page's tickets (blobs made durable first)."""
        row = self.session.get(OaCursorRow, self.name)
        if row is None:
            self.session.add(
                OaCursorRow(
                    name=self.name,
                    updated_at=key.updated_at,
                    petition_id=key.petition_id,
                    saved_at=self.now,
                )
            )
        else:
            row.updated_at, row.petition_id, row.saved_at = (
                key.updated_at,
                key.petition_id,
                self.now,
            )
        self.commit()

    def commit(self) -> None:
        """Commit what was recorded so far (the tickets are idempotent, the cursor may lag)."""
        self._record_pending()
        self.ctx.blobs.sync()
        self.session.commit()

    def _record_pending(self) -> None:
        """Record the page's new petitions as one batch; one by one if the batch fails."""
        pending = list(self._pending.values())
        self._pending.clear()
        if not pending:
            return
        savepoint = self.session.begin_nested()
        try:
            outcomes = record_external_letters(
                self.ctx,
                self.session,
                [
                    ExternalLetter(
                        letter=letter,
                        raw=raw,
                        raw_suffix=".json",
                        dedupe_key=dedupe_key(p.petition_id),
                        external_id=p.petition_id,
                        origin=MessageOrigin(
                            SOURCE, self.settings.oa.channel, f"oa:{p.petition_id}"
                        ),
                    )
                    for p, letter, raw, _digest in pending
                ],
                self.now,
            )
            self._add_petition_rows(pending, [o.letter_id for o in outcomes])
            self.session.flush()
            savepoint.commit()
        except DBAPIError:
            raise
        except Exception:
            savepoint.rollback()
            log.warning("OA page could not be recorded as a batch; recording one by one")
            for item in pending:
                self._create_one(*item)

    def _add_petition_rows(
        self, pending: list[tuple[Petition, Any, bytes, str]], letter_ids: list[int | None]
    ) -> None:
        ids = [i for i in letter_ids if i is not None]
        tickets: dict[int, int] = dict(
            self.session.execute(
                select(TicketRow.letter_id, TicketRow.id).where(TicketRow.letter_id.in_(ids))
            ).all()
        )
        for (p, _letter, _raw, digest), letter_id in zip(pending, letter_ids, strict=True):
            if letter_id is None:
                continue
            self.session.add(
                OaPetitionRow(
                    petition_id=p.petition_id,
                    letter_id=letter_id,
                    ticket_id=tickets.get(letter_id),
                    updated_at=p.updated_at,
                    content_hash=digest,
                    status=p.status,
                    versions=1,
                    first_seen_at=self.now,
                    last_seen_at=self.now,
                )
            )

    def _create_one(self, p: Petition, letter: Any, raw: bytes, digest: str) -> None:
        savepoint = self.session.begin_nested()
        try:
            self._create(p, letter, raw, digest)
            self.session.flush()
            savepoint.commit()
        except IntegrityError:
            savepoint.rollback()
        except DBAPIError:
            raise
        except Exception as exc:  # one petition our code cannot record must not stop the feed
            savepoint.rollback()
            log.exception("OA petition %s could not be recorded", p.petition_id)
            self._park(p.petition_id, p.updated_at, f"记录失败: {type(exc).__name__}: {exc}", raw)

    def close(self) -> None:
        """Roll back anything uncommitted and release the connection."""
        self.session.close()


class DbOaOutbox:
    """`OaOutbox` over the main database: each mark is its own short transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def pending(self) -> list[PendingUpdate]:
        """Every unacknowledged update, parked ones flagged, in outbox order."""
        with self.db.unit_of_work() as s:
            rows = s.execute(
                select(OaOutboxRow).where(OaOutboxRow.state != "sent").order_by(OaOutboxRow.id)
            ).scalars()
            return [
                PendingUpdate(
                    id=r.id,
                    petition_id=r.petition_id,
                    idempotency_key=r.idempotency_key,
                    payload=r.payload,
                    attempts=r.attempts,
                    next_attempt_at=r.next_attempt_at,
                    parked=r.state == "parked",
                )
                for r in rows
            ]

    def mark_sent(self, update_id: int, *, ack: Mapping[str, Any], now: datetime) -> None:
        """Acknowledged by the OA."""
        with self.db.unit_of_work() as s:
            s.execute(
                update(OaOutboxRow)
                .where(OaOutboxRow.id == update_id)
                .values(
                    state="sent",
                    attempts=OaOutboxRow.attempts + 1,
                    ack=dict(ack),
                    sent_at=now,
                    last_error=None,
                )
            )

    def mark_failed(
        self, update_id: int, *, error: str, next_attempt_at: datetime, now: datetime
    ) -> None:
        """Transient failure: retried from `next_attempt_at`."""
        with self.db.unit_of_work() as s:
            s.execute(
                update(OaOutboxRow)
                .where(OaOutboxRow.id == update_id)
                .values(
                    state="failed",
                    attempts=OaOutboxRow.attempts + 1,
                    next_attempt_at=next_attempt_at,
                    last_error=error[:2000],
                )
            )
            s.add(OaErrorRow(at=now, source="push", message=error[:2000]))

    def mark_parked(self, update_id: int, *, error: str, now: datetime) -> None:
        """Refused by the OA: parked until someone resolves it (`unpark`)."""
        with self.db.unit_of_work() as s:
            s.execute(
                update(OaOutboxRow)
                .where(OaOutboxRow.id == update_id)
                .values(state="parked", attempts=OaOutboxRow.attempts + 1, last_error=error[:2000])
            )
            s.add(OaErrorRow(at=now, source="push", message=error[:2000]))

    def unpark(self, update_id: int) -> None:
        """Put a parked update back in line (after the cause was fixed)."""
        with self.db.unit_of_work() as s:
            s.execute(
                update(OaOutboxRow)
                .where(OaOutboxRow.id == update_id, OaOutboxRow.state == "parked")
                .values(state="pending", next_attempt_at=None)
            )


def record_error(db: Database, source: str, message: str, now: datetime) -> None:
    """Remember a pull/push failure for `xinxiang oa status`."""
    with db.unit_of_work() as s:
        s.add(OaErrorRow(at=now, source=source, message=message[:2000]))


def oa_status(db: Database, *, errors: int = 5, name: str = CURSOR_NAME) -> dict[str, Any]:
    """Cursor, petitions, parked items, outbox backlog by state and the latest errors."""
    with db.unit_of_work() as s:
        cur = s.get(OaCursorRow, name)
        counts: dict[str, int] = {
            state: n
            for state, n in s.execute(
                select(OaOutboxRow.state, func.count()).group_by(OaOutboxRow.state)
            )
        }
        return {
            "cursor": PetitionKey(cur.updated_at, cur.petition_id).to_json() if cur else None,
            "petitions": s.execute(select(func.count()).select_from(OaPetitionRow)).scalar_one(),
            "parked_petitions": s.execute(
                select(func.count()).select_from(OaParkedRow).where(OaParkedRow.state == "open")
            ).scalar_one(),
            "outbox_pending": counts.get("pending", 0) + counts.get("failed", 0),
            "outbox_retrying": counts.get("failed", 0),
            "outbox_parked": counts.get("parked", 0),
            "outbox_sent": counts.get("sent", 0),
            "last_errors": [
                {"at": e.at.isoformat(), "source": e.source, "message": e.message}
                for e in s.execute(
                    select(OaErrorRow).order_by(OaErrorRow.id.desc()).limit(errors)
                ).scalars()
            ],
        }
