"""Leases on mail sources: one worker at a time reads a mailbox; a dead holder's lease expires.

A lease is one row per source (`source_leases`), changed only by conditional statements, so it
holds across threads, processes and hosts sharing the database (SQLite or PostgreSQL). The
holder renews it while it reads and deletes it when done; a holder that dies stops renewing and
another worker takes the source over once `expires_at` has passed (at once, if the dead holder
was a process of the same host). Times come from the workers'
clocks: hosts sharing a database keep NTP time, and a lease (60 s by default) is far longer
than their skew.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, update
from sqlalchemy.exc import IntegrityError

from xinxiang.store.db import Database
from xinxiang.store.models_leases import SourceLeaseRow

log = logging.getLogger(__name__)


def _host() -> str:
    return socket.gethostname()[:120]


def holder_id() -> str:
    """A name for this worker run: host, process id and a random part."""
    return f"{_host()}:{os.getpid()}:{secrets.token_hex(4)}"


def dead_here(holder: str) -> bool:
    """True when `holder` names a process of this host that no longer runs (a worker killed
    and restarted here need not wait for its own old lease to expire)."""
    parts = holder.rsplit(":", 2)
    if len(parts) != 3 or parts[0] != _host() or not parts[1].isdigit():
        return False
    try:
        os.kill(int(parts[1]), 0)
    except ProcessLookupError:
        return True
    except OSError:  # exists, owned by someone else
        return False
    return False


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _changed(result: object) -> bool:
    return cast(CursorResult[Any], result).rowcount == 1


def renew(db: Database, source: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Extend a lease `holder` still holds; False when it was taken over meanwhile."""
    with db.unit_of_work() as session:
        return _changed(
            session.execute(
                update(SourceLeaseRow)
                .where(SourceLeaseRow.source == source, SourceLeaseRow.holder == holder)
                .values(expires_at=now + ttl)
            )
        )


def acquire(db: Database, source: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Take (or keep) the lease on `source` for `ttl`; False while another holder's is valid."""
    if renew(db, source, holder, now, ttl):
        return True
    with db.unit_of_work() as session:
        taken = session.execute(
            update(SourceLeaseRow)
            .where(SourceLeaseRow.source == source, SourceLeaseRow.expires_at < now)
            .values(holder=holder, acquired_at=now, expires_at=now + ttl)
        )
        if _changed(taken):
            return True
        row = session.get(SourceLeaseRow, source)
        if row is not None:
            if not dead_here(row.holder):
                return False
            return _changed(
                session.execute(
                    update(SourceLeaseRow)
                    .where(SourceLeaseRow.source == source, SourceLeaseRow.holder == row.holder)
                    .values(holder=holder, acquired_at=now, expires_at=now + ttl)
                )
            )
    try:
        with db.unit_of_work() as session:
            session.add(
                SourceLeaseRow(source=source, holder=holder, acquired_at=now, expires_at=now + ttl)
            )
    except IntegrityError:  # another worker inserted it first
        return False
    return True


def release(db: Database, source: str, holder: str) -> None:
    """Give the lease up (if still ours), so that any worker may take the source at once."""
    with db.unit_of_work() as session:
        session.execute(
            delete(SourceLeaseRow).where(
                SourceLeaseRow.source == source, SourceLeaseRow.holder == holder
            )
        )


class SourceLease:
    """`with SourceLease(db, name, holder=…) as held:` — read the mailbox only when `held`.

    While held, a thread renews the lease every third of its length; `lost` turns True if it
    was taken over all the same (this worker stalled longer than the lease).
    """

    def __init__(
        self,
        db: Database,
        source: str,
        *,
        holder: str,
        seconds: float = 60.0,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.db, self.source, self.holder = db, source, holder
        self.ttl = timedelta(seconds=seconds)
        self.clock = clock
        self.held = False
        self.lost = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _renew_loop(self) -> None:
        while not self._stop.wait(self.ttl.total_seconds() / 3):
            try:
                ok = renew(self.db, self.source, self.holder, self.clock(), self.ttl)
            except Exception:  # the database briefly away: try again at the next tick
                log.warning("lease %s: renewal failed", self.source, exc_info=True)
                continue
            if not ok:
                self.lost = True
                log.warning("lease %s: taken over by another worker", self.source)
                return

    def __enter__(self) -> bool:
        self.held = acquire(self.db, self.source, self.holder, self.clock(), self.ttl)
        if self.held:
            self._thread = threading.Thread(
                target=self._renew_loop, name=f"xinxiang-lease-{self.source}", daemon=True
            )
            self._thread.start()
        return self.held

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self.held and not self.lost:
            release(self.db, self.source, self.holder)
        self.held = False
