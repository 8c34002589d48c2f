"""A self-contained SQLite implementation of the bridge's store Protocols.

`LocalOaStore` is a `PetitionSink`, a `CursorStore` and an `OaOutbox` at once, so the bridge runs
and is tested without the main database. The main store can replace it one-for-one
(see `xinxiang.commands.oa_cmd.make_stores`).

Upserts are not committed one by one: `set_cursor` commits them together with the cursor, so a
crash loses at most one page of work, which the next pull fetches again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sqlite3
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from xinxiang.oa_bridge.config import OaSection, OaSettings
from xinxiang.oa_bridge.mapping import (
    Petition,
    PetitionKey,
    RejectedItem,
    content_json,
    petition_from_json,
    petition_to_json,
)
from xinxiang.oa_bridge.sync import PendingUpdate, UpsertOutcome

_SCHEMA = """
CREATE TABLE IF NOT EXISTS petitions (
    petition_id TEXT PRIMARY KEY,
    updated_us INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    status TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    category TEXT NOT NULL,
    content TEXT NOT NULL,
    versions INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS petition_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    petition_id TEXT NOT NULL,
    action TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS parked_petitions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    petition_id TEXT NOT NULL,
    updated_at TEXT,
    reason TEXT NOT NULL,
    raw TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cursor (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    updated_at TEXT NOT NULL,
    petition_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    petition_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    payload TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'parked')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error TEXT,
    ack TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX IF NOT EXISTS outbox_state ON outbox (state, id);
CREATE TABLE IF NOT EXISTS errors (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    source TEXT NOT NULL,
    message TEXT NOT NULL
);
"""

# Only used to read back our own stored JSON, which follows the generic contract.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CONTRACT = OaSettings(oa=OaSection(base_url="http://localhost", app_id="local"))


def _epoch_us(t: datetime) -> int:
    return (t - _EPOCH) // timedelta(microseconds=1)


class LocalOaStore:
    """SQLite-backed petitions, cursor and OA outbox (one file, one connection, one thread)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._db.commit()

    def close(self) -> None:
        """Commit and close."""
        self._db.commit()
        self._db.close()

    def commit(self) -> None:
        """Commit pending upserts (normally `set_cursor` does this)."""
        self._db.commit()

    # PetitionSink -----------------------------------------------------------------------------

    def upsert_petition(self, p: Petition) -> UpsertOutcome:
        """One row per petition_id; a newer version with other content replaces it and is logged."""
        updated_us = _epoch_us(p.updated_at)
        updated_at = p.updated_at.isoformat()
        content = content_json(petition_to_json(p))
        digest = hashlib.sha256(content.encode()).hexdigest()
        cur = self._db.execute(
            "INSERT INTO petitions"
            " (petition_id, updated_us, updated_at, status, content_hash, category, content)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (petition_id) DO NOTHING",
            (p.petition_id, updated_us, updated_at, p.status, digest, p.category, content),
        )
        if cur.rowcount == 1:
            return "created"
        row = self._db.execute(
            "SELECT updated_us, content_hash FROM petitions WHERE petition_id = ?", (p.petition_id,)
        ).fetchone()
        if updated_us <= row[0]:
            return "unchanged"
        if digest == row[1]:
            # Status or timestamp only: keep the newest snapshot, nothing for the letter to change.
            self._db.execute(
                "UPDATE petitions SET updated_us = ?, updated_at = ?, status = ?"
                " WHERE petition_id = ?",
                (updated_us, updated_at, p.status, p.petition_id),
            )
            return "unchanged"
        self._db.execute(
            "UPDATE petitions SET updated_us = ?, updated_at = ?, status = ?, content_hash = ?,"
            " category = ?, content = ?, versions = versions + 1 WHERE petition_id = ?",
            (updated_us, updated_at, p.status, digest, p.category, content, p.petition_id),
        )
        # Edits are logged; creations are not (the row itself records them).
        self._log(p, "updated")
        return "updated"

    def _log(self, p: Petition, action: str) -> None:
        self._db.execute(
            "INSERT INTO petition_log (petition_id, action, updated_at) VALUES (?, ?, ?)",
            (p.petition_id, action, p.updated_at.isoformat()),
        )

    def park_petition(self, item: RejectedItem) -> None:
        """Keep an unmappable item with its reason."""
        self._db.execute(
            "INSERT INTO parked_petitions (petition_id, updated_at, reason, raw)"
            " VALUES (?, ?, ?, ?)",
            (
                item.petition_id,
                item.updated_at.isoformat() if item.updated_at else None,
                item.reason,
                item.raw,
            ),
        )

    def petition(self, petition_id: str) -> Petition | None:
        """The stored version of a petition."""
        row = self._db.execute(
            "SELECT content, category, updated_at, status FROM petitions WHERE petition_id = ?",
            (petition_id,),
        ).fetchone()
        if row is None:
            return None
        doc = {**json.loads(row[0]), "updated_at": row[2], "status": row[3]}
        return dataclasses.replace(petition_from_json(doc, _CONTRACT), category=row[1])

    def petition_ids(self) -> list[str]:
        """Every stored petition id, sorted."""
        return [
            r[0] for r in self._db.execute("SELECT petition_id FROM petitions ORDER BY petition_id")
        ]

    def log_for(self, petition_id: str) -> list[tuple[str, str]]:
        """(action, updated_at) history of a petition."""
        return list(
            self._db.execute(
                "SELECT action, updated_at FROM petition_log WHERE petition_id = ? ORDER BY id",
                (petition_id,),
            )
        )

    def parked_petitions(self) -> list[tuple[str, str]]:
        """(petition_id, reason) of parked items."""
        return list(
            self._db.execute("SELECT petition_id, reason FROM parked_petitions ORDER BY id")
        )

    # CursorStore ------------------------------------------------------------------------------

    def get_cursor(self) -> PetitionKey | None:
        """The saved cursor."""
        row = self._db.execute("SELECT updated_at, petition_id FROM cursor WHERE id = 1").fetchone()
        return PetitionKey.from_json({"updated_at": row[0], "petition_id": row[1]}) if row else None

    def set_cursor(self, key: PetitionKey) -> None:
        """Save the cursor and commit it with the upserts that precede it."""
        self._db.execute(
            "INSERT INTO cursor (id, updated_at, petition_id) VALUES (1, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at,"
            " petition_id = excluded.petition_id",
            (key.updated_at.isoformat(), key.petition_id),
        )
        self._db.commit()

    # OaOutbox ---------------------------------------------------------------------------------

    def enqueue(
        self, petition_id: str, payload: Mapping[str, Any], *, now: datetime, key: str | None = None
    ) -> int:
        """Append an update for the OA (the main store writes it with the state change)."""
        cur = self._db.execute(
            "INSERT INTO outbox (petition_id, idempotency_key, payload, created_at)"
            " VALUES (?, ?, ?, ?)",
            (
                petition_id,
                key or f"xinxiang-{uuid.uuid4()}",
                json.dumps(dict(payload), ensure_ascii=False),
                now.isoformat(),
            ),
        )
        self._db.commit()
        assert cur.lastrowid is not None
        return cur.lastrowid

    def pending(self) -> list[PendingUpdate]:
        """Unacknowledged updates, parked ones flagged, in insertion order."""
        rows = self._db.execute(
            "SELECT id, petition_id, idempotency_key, payload, attempts, next_attempt_at, state"
            " FROM outbox WHERE state != 'sent' ORDER BY id"
        ).fetchall()
        return [
            PendingUpdate(
                id=r[0],
                petition_id=r[1],
                idempotency_key=r[2],
                payload=json.loads(r[3]),
                attempts=r[4],
                next_attempt_at=datetime.fromisoformat(r[5]) if r[5] else None,
                parked=r[6] == "parked",
            )
            for r in rows
        ]

    def mark_sent(self, update_id: int, *, ack: Mapping[str, Any], now: datetime) -> None:
        """Acknowledged by the OA."""
        self._db.execute(
            "UPDATE outbox SET state = 'sent', attempts = attempts + 1, ack = ?, sent_at = ?,"
            " last_error = NULL WHERE id = ?",
            (json.dumps(dict(ack), ensure_ascii=False), now.isoformat(), update_id),
        )
        self._db.commit()

    def mark_failed(
        self, update_id: int, *, error: str, next_attempt_at: datetime, now: datetime
    ) -> None:
        """Transient failure: retry later."""
        self._db.execute(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?"
            " WHERE id = ?",
            (next_attempt_at.isoformat(), error, update_id),
        )
        self.record_error("push", error, now=now)

    def mark_parked(self, update_id: int, *, error: str, now: datetime) -> None:
        """Refused by the OA: parked until someone resolves it (`unpark`)."""
        self._db.execute(
            "UPDATE outbox SET state = 'parked', attempts = attempts + 1, last_error = ?"
            " WHERE id = ?",
            (error, update_id),
        )
        self.record_error("push", error, now=now)

    def unpark(self, update_id: int) -> None:
        """Put a parked update back in line (after the cause was fixed)."""
        self._db.execute(
            "UPDATE outbox SET state = 'pending', next_attempt_at = NULL"
            " WHERE id = ? AND state = 'parked'",
            (update_id,),
        )
        self._db.commit()

    def sent_keys(self) -> list[str]:
        """Idempotency keys acknowledged so far, in outbox order."""
        return [
            r[0]
            for r in self._db.execute(
                "SELECT idempotency_key FROM outbox WHERE state = 'sent' ORDER BY id"
            )
        ]

    # Status -----------------------------------------------------------------------------------

    def record_error(self, source: str, message: str, *, now: datetime) -> None:
        """Remember a failure for `xinxiang oa status`."""
        self._db.execute(
            "INSERT INTO errors (at, source, message) VALUES (?, ?, ?)",
            (now.isoformat(), source, message),
        )
        self._db.commit()

    def status(self, *, errors: int = 5) -> dict[str, Any]:
        """Cursor, petition count, outbox backlog by state, and the latest errors."""
        counts = dict(
            self._db.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall()
        )
        retrying = self._db.execute(
            "SELECT COUNT(*) FROM outbox WHERE state = 'pending' AND attempts > 0"
        ).fetchone()[0]
        cursor = self.get_cursor()
        return {
            "cursor": cursor.to_json() if cursor else None,
            "petitions": self._db.execute("SELECT COUNT(*) FROM petitions").fetchone()[0],
            "parked_petitions": self._db.execute(
                "SELECT COUNT(*) FROM parked_petitions"
            ).fetchone()[0],
            "outbox_pending": counts.get("pending", 0),
            "outbox_retrying": retrying,
            "outbox_parked": counts.get("parked", 0),
            "outbox_sent": counts.get("sent", 0),
            "last_errors": [
                {"at": r[0], "source": r[1], "message": r[2]}
                for r in self._db.execute(
                    "SELECT at, source, message FROM errors ORDER BY id DESC LIMIT ?", (errors,)
                )
            ],
        }
