"""Engines, sessions and the unit of work. Nothing connects until a function here is called."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.orm import Session, sessionmaker

from xinxiang.store.events import REPORTERS_KEY, EventReporter


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for plain `postgresql://` URLs."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def make_engine(url: str, ping_after_idle: float | None = None) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and foreign keys. A PostgreSQL
    connection is pinged on checkout when it rested over `ping_after_idle` seconds
    (`PING_AFTER_IDLE` by default)."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=60000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    # Row-by-row INSERT … RETURNING reuses one cached, prepared statement; psycopg re-parses a
    # multi-row VALUES statement with hundreds of parameters on every batch, which costs more.
    engine = create_engine(url, pool_size=5, max_overflow=5, use_insertmanyvalues=False)
    _ping_when_idle(engine, PING_AFTER_IDLE if ping_after_idle is None else ping_after_idle)
    return engine


PING_AFTER_IDLE = 10.0
"""Seconds a pooled connection may rest before it is pinged again on checkout."""


def _ping_when_idle(engine: Engine, after: float) -> None:
    """Pre-ping a pooled connection only when it has rested over `after` seconds.

    `pool_pre_ping` costs a round trip on every checkout, as much as a cheap page's own query
    (bench_web.py). What it guards against happens to a connection while it rests in the pool:
    a server restart, an idle timeout, a failover. So a connection that rested is pinged, and
    a failed ping drops every pooled connection, as `pool_pre_ping` does; one handed back a
    moment ago is not. If the server goes away within that moment, the next statement on it
    fails once (as it could right after a ping) and SQLAlchemy drops the pool on that error.
    """
    dialect = engine.dialect

    @event.listens_for(engine, "connect")
    @event.listens_for(engine, "checkin")
    def _used(_dbapi_conn: Any, record: Any) -> None:
        record.info["rested_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get("rested_since", 0.0) <= after:
            return
        try:
            dialect.do_ping(dbapi_conn)
        except dialect.loaded_dbapi.Error as e:
            raise exc.InvalidatePoolError() from e


class Database:
    """An engine plus a session factory; `unit_of_work()` commits or rolls back as one.

    `event_reporters` are called by `store.repo` for every timeline event written through
    this database's sessions (see `store.events`): the explicit replacement of a process-wide
    ORM listener, configured per database by the process that owns it.
    """

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(url)
        self.event_reporters: list[EventReporter] = []
        # Session.info is a fresh dict per session updated from this one: every session shares
        # the one list, so a reporter added later reaches sessions opened afterwards.
        self._factory = sessionmaker(
            self.engine, expire_on_commit=False, info={REPORTERS_KEY: self.event_reporters}
        )
        self._reads = sessionmaker(
            self.engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False
        )

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A transaction: commit on success, roll back on any exception."""
        session = self._factory()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def session(self) -> Session:
        """A plain session for reads (caller closes it)."""
        return self._factory()

    def read_session(self) -> Session:
        """A session for a page that only reads (caller closes it): no transaction, each
        statement sees what is committed, and no BEGIN/ROLLBACK round trips around it."""
        return self._reads()

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()
