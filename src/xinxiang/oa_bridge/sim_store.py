"""The reference OA 信访 simulator's state: one SQLite file of petitions (信访件), recorded
updates, tokens and attachment blobs, answered as the JSON of `docs/oa-contract.md`.

Stopping and starting a simulator on the same file is an OA going down and coming back. Times are
epoch microseconds in the file (`to_us`) and ISO 8601 in China Standard Time on the wire (`iso`);
`updated_at` only moves forward in commit order, so a keyset cursor never skips a petition.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import random
import secrets
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from xinxiang.oa_bridge.config import DEFAULT_STATUS_MAP
from xinxiang.oa_bridge.sim_catalogue import GIVEN, PLACES, SERVICE_CODES, SURNAMES, TEMPLATES

CST = timezone(timedelta(hours=8), "CST")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US = timedelta(microseconds=1)

SIM_STATUSES = frozenset({"received", *DEFAULT_STATUS_MAP.values()})


def iso(us: int) -> str:
    """Render an epoch-microsecond timestamp as ISO 8601 in China Standard Time."""
    return (EPOCH + us * US).astimezone(CST).isoformat(timespec="microseconds")


def to_us(t: datetime) -> int:
    """Epoch microseconds of an aware datetime."""
    return (t - EPOCH) // US


_SCHEMA = """
CREATE TABLE IF NOT EXISTS petitions (
    petition_id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    submitted_us INTEGER NOT NULL,
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    email TEXT NOT NULL,
    anonymous INTEGER NOT NULL,
    public_consent INTEGER,
    service_code TEXT NOT NULL,
    attachments TEXT NOT NULL,
    updated_us INTEGER NOT NULL,
    status TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS petitions_feed ON petitions (updated_us, petition_id);
CREATE TABLE IF NOT EXISTS updates (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL UNIQUE,
    petition_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    response TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (token TEXT PRIMARY KEY, expires_us INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS blobs (
    sha256 TEXT PRIMARY KEY, content_type TEXT NOT NULL, data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


class SimulatorStore:
    """The simulated OA's database (one connection guarded by a lock; fine for a test server)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        self._db.commit()
        self.lock = threading.RLock()

    def close(self) -> None:
        """Close the database."""
        with self.lock:
            self._db.close()

    @contextlib.contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """One locked transaction."""
        with self.lock:
            try:
                yield self._db
                self._db.commit()
            except BaseException:
                self._db.rollback()
                raise

    def _next_us(self, db: sqlite3.Connection, now_us: int) -> int:
        # updated_at is strictly increasing in commit order, so a keyset cursor never skips.
        row = db.execute("SELECT value FROM meta WHERE key = 'last_us'").fetchone()
        value = max(now_us, (row[0] if row else 0) + 1)
        db.execute(
            "INSERT INTO meta (key, value) VALUES ('last_us', ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (value,),
        )
        return value

    def count(self) -> int:
        """Number of petitions."""
        with self.lock:
            return int(self._db.execute("SELECT COUNT(*) FROM petitions").fetchone()[0])

    def seed(self, n: int, *, rng_seed: int = 1) -> int:
        """Add realistic petitions until there are `n`; returns how many were added."""
        rng = random.Random(rng_seed)
        with self.tx() as db:
            have = int(db.execute("SELECT COUNT(*) FROM petitions").fetchone()[0])
            add = max(0, n - have)
            if not add:
                return 0
            now_us = to_us(datetime.now(UTC))
            row = db.execute("SELECT value FROM meta WHERE key = 'last_us'").fetchone()
            start = max((row[0] + 1) if row else 0, now_us - 365 * 86400 * 10**6)
            step = max(1, min(300 * 10**6, (now_us - start) // max(add, 1)))
            t = start
            rows = []
            blobs = []
            codes = list(SERVICE_CODES)
            for i in range(have + 1, have + add + 1):
                # About one in five shares its predecessor's timestamp (batch imports do that).
                if rng.random() > 0.2:
                    t += rng.randint(1, 2 * step)
                code = codes[rng.randrange(len(codes))]
                title, desc = rng.choice(TEMPLATES[code])
                place = rng.choice(PLACES)
                name = rng.choice(SURNAMES) + "".join(
                    rng.choice(GIVEN) for _ in range(rng.randint(1, 2))
                )
                email = f"s{2020 + rng.randint(0, 5)}{rng.randint(0, 99999):05d}@stu.example.edu.cn"
                atts = []
                if rng.random() < 0.15:
                    data = f"附件材料 {i}：{title.format(place=place)}\n".encode()
                    digest = hashlib.sha256(data).hexdigest()
                    blobs.append((digest, "text/plain", data))
                    atts.append(
                        {
                            "name": f"情况说明{i}.txt",
                            "content_type": "text/plain",
                            "sha256": digest,
                            "url": f"/api/v1/attachments/{digest}",
                        }
                    )
                rows.append(
                    (
                        f"XF{i:08d}",
                        title.format(place=place),
                        desc.format(place=place),
                        t - rng.randint(0, 3 * 86400) * 10**6,
                        name,
                        f"1{rng.choice('3456789')}{rng.randint(0, 999999999):09d}",
                        email if rng.random() < 0.7 else "",
                        int(rng.random() < 0.1),
                        rng.choice((1, 0, None)),
                        code,
                        json.dumps(atts, ensure_ascii=False),
                        t,
                        "received",
                    )
                )
            db.executemany("INSERT INTO petitions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
            db.executemany("INSERT OR IGNORE INTO blobs VALUES (?,?,?)", blobs)
            self._next_us(db, t)
            return add

    def edit(
        self, petition_id: str, *, title: str | None = None, description: str | None = None
    ) -> str:
        """The petitioner edits a petition: content changes and updated_at moves forward."""
        with self.tx() as db:
            row = db.execute(
                "SELECT title, description FROM petitions WHERE petition_id = ?", (petition_id,)
            ).fetchone()
            if row is None:
                raise KeyError(petition_id)
            us = self._next_us(db, to_us(datetime.now(UTC)))
            db.execute(
                "UPDATE petitions SET title = ?, description = ?, updated_us = ?"
                " WHERE petition_id = ?",
                (
                    title if title is not None else row[0],
                    description
                    if description is not None
                    else row[1] + "（补充说明：问题仍未解决。）",
                    us,
                    petition_id,
                ),
            )
            return iso(us)

    def issue_token(self, ttl: int) -> str:
        """Create a bearer token valid for `ttl` seconds."""
        token = secrets.token_urlsafe(24)
        with self.tx() as db:
            db.execute(
                "INSERT INTO tokens VALUES (?, ?)", (token, to_us(datetime.now(UTC)) + ttl * 10**6)
            )
        return token

    def token_valid(self, token: str) -> bool:
        """Whether the token exists and has not expired."""
        with self.lock:
            row = self._db.execute(
                "SELECT expires_us FROM tokens WHERE token = ?", (token,)
            ).fetchone()
        return row is not None and row[0] > to_us(datetime.now(UTC))

    def expire_tokens(self) -> None:
        """Revoke every token (clients must fetch new ones)."""
        with self.tx() as db:
            db.execute("DELETE FROM tokens")

    def page(
        self, since_us: int, after_id: str | None, page: int, page_size: int
    ) -> tuple[list[dict[str, Any]], int, dict[str, Any] | None]:
        """A page of the feed plus the total and the item just before the page (for faults)."""
        args: tuple[int] | tuple[int, str]
        if after_id is None:
            where, args = "updated_us >= ?", (since_us,)
            before_where: str = "updated_us >= ?"
        else:
            where, args = "(updated_us, petition_id) > (?, ?)", (since_us, after_id)
            before_where = "(updated_us, petition_id) <= (?, ?)"
        with self.lock:
            total = int(
                self._db.execute(f"SELECT COUNT(*) FROM petitions WHERE {where}", args).fetchone()[
                    0
                ]
            )
            rows = self._db.execute(
                f"SELECT * FROM petitions WHERE {where}"
                " ORDER BY updated_us, petition_id LIMIT ? OFFSET ?",
                (*args, page_size, (page - 1) * page_size),
            ).fetchall()
            if after_id is None:
                offset = (page - 1) * page_size - 1
                prev = (
                    self._db.execute(
                        f"SELECT * FROM petitions WHERE {before_where}"
                        " ORDER BY updated_us, petition_id LIMIT 1 OFFSET ?",
                        (*args, offset),
                    ).fetchone()
                    if offset >= 0
                    else None
                )
            else:
                prev = self._db.execute(
                    f"SELECT * FROM petitions WHERE {before_where}"
                    " ORDER BY updated_us DESC, petition_id DESC LIMIT 1",
                    args,
                ).fetchone()
        return [_item(r) for r in rows], total, (_item(prev) if prev else None)

    def petition(self, petition_id: str) -> dict[str, Any] | None:
        """One petition as contract JSON."""
        with self.lock:
            row = self._db.execute(
                "SELECT * FROM petitions WHERE petition_id = ?", (petition_id,)
            ).fetchone()
        return _item(row) if row else None

    def blob(self, sha256: str) -> tuple[str, bytes] | None:
        """An attachment's content type and bytes."""
        with self.lock:
            row = self._db.execute(
                "SELECT content_type, data FROM blobs WHERE sha256 = ?", (sha256,)
            ).fetchone()
        return (row[0], bytes(row[1])) if row else None

    def record_update(
        self, petition_id: str, key: str, payload: Mapping[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        """Record an update once per idempotency key; a repeat returns the first answer."""
        canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        with self.tx() as db:
            old = db.execute(
                "SELECT petition_id, payload, response FROM updates WHERE idempotency_key = ?",
                (key,),
            ).fetchone()
            if old is not None:
                if old[0] != petition_id or old[1] != canonical:
                    return 409, api_error("idempotency_conflict", "该幂等键已用于不同的请求内容")
                return 200, {**json.loads(old[2]), "replayed": True}
            if (
                db.execute(
                    "SELECT 1 FROM petitions WHERE petition_id = ?", (petition_id,)
                ).fetchone()
                is None
            ):
                return 404, api_error("not_found", f"信访件 {petition_id} 不存在")
            status = payload.get("status")
            if status not in SIM_STATUSES:
                return 422, api_error("invalid_status", f"未知的办理状态 {status!r}")
            seq = int(db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM updates").fetchone()[0])
            response = {
                "update_id": f"U{seq:09d}",
                "petition_id": petition_id,
                "status": status,
                "received_at": iso(to_us(datetime.now(UTC))),
                "replayed": False,
            }
            db.execute(
                "INSERT INTO updates (seq, idempotency_key, petition_id, payload, response)"
                " VALUES (?,?,?,?,?)",
                (seq, key, petition_id, canonical, json.dumps(response, ensure_ascii=False)),
            )
            # Status changes made through the API do not move updated_at: the feed tracks the
            # petitioner's edits, so our own pushes never echo back as "changed" petitions.
            db.execute(
                "UPDATE petitions SET status = ? WHERE petition_id = ?", (status, petition_id)
            )
            return 201, response

    def updates(self) -> list[tuple[int, str, str, dict[str, Any]]]:
        """Every recorded update: (seq, idempotency_key, petition_id, payload), in arrival order."""
        with self.lock:
            rows = self._db.execute(
                "SELECT seq, idempotency_key, petition_id, payload FROM updates ORDER BY seq"
            ).fetchall()
        return [(r[0], r[1], r[2], json.loads(r[3])) for r in rows]


def _item(r: tuple[Any, ...]) -> dict[str, Any]:
    """A petitions row as contract JSON."""
    return {
        "petition_id": r[0],
        "title": r[1],
        "description": r[2],
        "submitted_at": iso(r[3]),
        "submitter": {"name": "" if r[7] else r[4], "phone": r[5], "email": r[6]},
        "anonymous": bool(r[7]),
        "public_consent": None if r[8] is None else bool(r[8]),
        "service_code": r[9],
        "attachments": json.loads(r[10]),
        "updated_at": iso(r[11]),
        "status": r[12],
    }


def api_error(code: str, description: str) -> dict[str, Any]:
    """The contract's error body."""
    return {"errors": [{"code": code, "description": description}]}
