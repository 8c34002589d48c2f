"""The main database as the OA bridge's store: petitions become tickets, cursor, OA outbox.

`DbPetitionStore` is the `PetitionSink` and `CursorStore` of `oa_bridge.sync.pull`: a new
petition is staged (its raw JSON kept) and `services.oa_materialize.materialize` then makes it
a ticket through `record_external_letters` (letter → ticket → receipt; routing follows, like
mail); an edited one goes through `update_external_letter` (logged as `letter_edited`). Upserts
share one transaction per page, committed by `set_cursor` together with the cursor, so a crash loses
at most one page of work, which the next pull fetches again (idempotently).

`DbOaOutbox` is the `OaOutbox` of `push_pending`; its rows are written by `services.oa_hooks`.
An update shunted by `oa_tasks.oa_push` is reported parked, so it holds back its petition's later
updates (the OA sees them in order) until it is put back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, cast

import orjson
from sqlalchemy import Table, func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from xinxiang.oa_bridge.config import FieldNames, OaSettings
from xinxiang.oa_bridge.mapping import (
    Petition,
    PetitionAttachment,
    PetitionKey,
    RejectedItem,
    canonical_json,
    content_digest,
    letter_from_petition,
    petition_from_json,
    petition_to_json,
)
from xinxiang.oa_bridge.sync import PendingUpdate, UpsertOutcome
from xinxiang.services.context import AppContext
from xinxiang.services.ingest_external import update_external_letter
from xinxiang.store.db import Database
from xinxiang.store.dialect import driver_value, insert_rows
from xinxiang.store.models_oa import (
    OaCursorRow,
    OaErrorRow,
    OaOutboxRow,
    OaParkedRow,
    OaPetitionRow,
)
from xinxiang.store.shunts import mark_resolved, retried_keys, set_aside_keys

log = logging.getLogger(__name__)

SOURCE = "oa"
STAGED = "staged"
RECORDED = "recorded"
CURSOR_NAME = "default"
OA_PUSH_STAGE = "oa_push"
FetchAttachment = Callable[[PetitionAttachment], bytes]


def dedupe_key(petition_id: str) -> str:
    """The letter dedupe key of an OA petition."""
    return f"oa:{petition_id}"


# The columns a staged row is inserted with (see `DbPetitionStore._record_pending`).
_STAGING_COLUMNS = (
    "petition_id",
    "state",
    "raw_json",
    "updated_at",
    "status",
    "versions",
    "first_seen_at",
    "last_seen_at",
)


def _held_digest(row: OaPetitionRow, settings: OaSettings) -> str | None:
    """The content digest of the version we hold (a staged row's is computed on demand, from
    the petition its document maps to: the document may be the OA's item as received)."""
    if row.content_hash is None and row.raw_json:
        held = petition_from_json(orjson.loads(row.raw_json), canonical_settings(settings))
        row.content_hash = held.content_hash()
    return row.content_hash


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
        # New petitions of the current page, inserted together (one executemany) when the
        # page's cursor is saved: a page costs a handful of statements, not a dozen per item.
        self._pending: dict[str, tuple[Petition, str]] = {}
        self._known: dict[str, datetime] | None = None
        self._contract_shaped = settings.fields == FieldNames()

    # PetitionSink -----------------------------------------------------------------------------

    def _known_versions(self) -> dict[str, datetime]:
        """petition_id → updated_at of every petition held, loaded once per pull: one query
        instead of one per item keeps a pull close to the speed of reading the feed."""
        if self._known is None:
            self._known = {
                pid: updated_at
                for pid, updated_at in self.session.execute(
                    select(OaPetitionRow.petition_id, OaPetitionRow.updated_at)
                )
            }
        return self._known

    def upsert_petition(self, p: Petition) -> UpsertOutcome:
        """One ticket per petition_id; a newer version with other content updates the letter."""
        known = self._known_versions()
        held = known.get(p.petition_id)
        if held is not None and p.updated_at <= held:
            return "unchanged"
        known[p.petition_id] = p.updated_at
        if held is None or p.petition_id in self._pending:
            # Staged: kept as the raw document, made a ticket by `materialize` right after the
            # pull (attachments are fetched and the content digest computed then), so a pull
            # costs little more than reading the feed. Seen again before the insert: the
            # newest version wins.
            self._pending[p.petition_id] = (p, self._staged_document(p))
            return "created" if held is None else "unchanged"
        data = petition_to_json(p)
        digest = content_digest(data)
        row = self.session.get(OaPetitionRow, p.petition_id)
        if row is None:
            return "unchanged"
        if digest == _held_digest(row, self.settings):
            row.updated_at, row.status, row.last_seen_at = p.updated_at, p.status, self.now
            return "unchanged"
        raw = canonical_json(data)
        if row.state == STAGED:
            row.raw_json = raw.decode()
            row.updated_at, row.status, row.content_hash = p.updated_at, p.status, digest
            row.versions += 1
            row.last_seen_at = self.now
            return "updated"
        letter = letter_from_petition(p, {}, channel=self.settings.oa.channel)
        savepoint = self.session.begin_nested()
        outcome: UpsertOutcome
        try:
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

    def _staged_document(self, p: Petition) -> str:
        """The JSON kept for a staged petition, in the contract's shape (`materialize` reads it
        so). An item that already has the contract's field names is kept as received: turning
        it into a `Petition` validated it, and re-encoding it is most of what staging costs."""
        if p.source is not None and self._contract_shaped:
            try:
                return orjson.dumps(p.source).decode()
            except TypeError:  # a value orjson cannot encode (an integer beyond 64 bits)
                pass
        return canonical_json(petition_to_json(p)).decode()

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
        """Save the cursor and commit it with the page's petitions (blobs made durable first)."""
        # An UPDATE first (the cursor row exists after the first page): no SELECT per page.
        saved = self.session.execute(
            update(OaCursorRow)
            .where(OaCursorRow.name == self.name)
            .values(updated_at=key.updated_at, petition_id=key.petition_id, saved_at=self.now)
            .execution_options(synchronize_session=False)
        )
        if not cast(CursorResult[Any], saved).rowcount:
            self.session.add(
                OaCursorRow(
                    name=self.name,
                    updated_at=key.updated_at,
                    petition_id=key.petition_id,
                    saved_at=self.now,
                )
            )
        self.commit()

    def commit(self) -> None:
        """Commit what was recorded so far (the tickets are idempotent, the cursor may lag)."""
        self._record_pending()
        self.ctx.blobs.sync()
        self.session.commit()

    def _record_pending(self) -> None:
        """Stage the new petitions (one executemany; the digest is left to `materialize`)."""
        pending = list(self._pending.values())
        self._pending.clear()
        if not pending:
            return
        # One executemany straight to the driver, values converted here as the typed columns
        # would convert them: through the typed statement, SQLAlchemy's per-row parameter
        # processing (three datetimes a row, two of them the same `now`) cost three times
        # SQLite's own work, and staging is most of what a full sync does.
        dialect = self.session.get_bind().dialect
        to_db = driver_value(cast(Table, OaPetitionRow.__table__).c.updated_at.type, dialect)
        seen = to_db(self.now)
        rows = [
            (p.petition_id, STAGED, raw, to_db(p.updated_at), p.status, 1, seen, seen)
            for p, raw in pending
        ]
        insert_rows(self.session, OaPetitionRow.__tablename__, _STAGING_COLUMNS, rows)

    def close(self) -> None:
        """Roll back anything uncommitted and release the connection."""
        self.session.close()


class DbOaOutbox:
    """`OaOutbox` over the main database: each mark is its own short transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._put_back: set[str] = set()

    def pending(self) -> list[PendingUpdate]:
        """Every unacknowledged update, parked (or shunted) ones flagged, in outbox order."""
        with self.db.unit_of_work() as s:
            aside = set_aside_keys(s, OA_PUSH_STAGE)
            self._put_back = retried_keys(s, OA_PUSH_STAGE)
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
                    parked=r.state == "parked" or str(r.id) in aside,
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
            if str(update_id) in self._put_back:
                mark_resolved(s, OA_PUSH_STAGE, [str(update_id)], now)

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


def canonical_settings(settings: OaSettings) -> OaSettings:
    """Settings that read our canonical petition JSON (the contract's field names)."""
    return settings.model_copy(update={"fields": FieldNames()})
