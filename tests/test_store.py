"""Storage: migrations, UTC timestamps, gap-free ticket numbers under concurrency."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from xinxiang.store.db import Database
from xinxiang.store.migrate import current_revision, head_revision, upgrade
from xinxiang.store.models import MailCursor
from xinxiang.store.repo import next_ticket_number, set_cursor


@pytest.fixture
def db(db_url: str) -> Database:
    database = Database(db_url)
    upgrade(database)
    yield database
    database.dispose()


def test_upgrade_is_idempotent(db: Database) -> None:
    upgrade(db)
    assert current_revision(db) == head_revision()


def test_timestamps_come_back_aware_utc(db: Database) -> None:
    beijing = timezone(timedelta(hours=8))
    at = datetime(2026, 10, 8, 10, 0, tzinfo=beijing)
    with db.unit_of_work() as s:
        set_cursor(s, "src", 7, 42, at)
    with db.unit_of_work() as s:
        cur = s.execute(select(MailCursor)).scalar_one()
        assert cur.updated_at == at
        assert cur.updated_at.tzinfo is not None
        assert cur.updated_at.utcoffset() == timedelta(0)


def test_cursor_never_rewinds_within_a_uidvalidity(db: Database) -> None:
    now = datetime.now(UTC)
    with db.unit_of_work() as s:
        set_cursor(s, "src", 7, 42, now)
        set_cursor(s, "src", 7, 40, now)
    with db.unit_of_work() as s:
        assert s.get(MailCursor, "src").last_uid == 42  # type: ignore[union-attr]
        set_cursor(s, "src", 8, 3, now)
    with db.unit_of_work() as s:
        cur = s.get(MailCursor, "src")
        assert (cur.uidvalidity, cur.last_uid) == (8, 3)  # type: ignore[union-attr]


def test_ticket_numbers_are_per_year_and_gap_free_after_rollback(db: Database) -> None:
    with db.unit_of_work() as s:
        assert next_ticket_number(s, 2026) == "2026-000001"
        assert next_ticket_number(s, 2026) == "2026-000002"
        assert next_ticket_number(s, 2027) == "2027-000001"
    with pytest.raises(RuntimeError), db.unit_of_work() as s:
        next_ticket_number(s, 2026)
        raise RuntimeError("rolled back")
    with db.unit_of_work() as s:
        assert next_ticket_number(s, 2026) == "2026-000003"


def test_concurrent_workers_never_share_or_skip_a_number(db: Database) -> None:
    results: list[str] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(25):
                with db.unit_of_work() as s:
                    n = next_ticket_number(s, 2026)
                with lock:
                    results.append(n)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(results) == [f"2026-{i:06d}" for i in range(1, 151)]


def test_models_and_migrations_agree(db: Database) -> None:
    """`xinxiang db upgrade` builds exactly the schema the ORM models describe."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from xinxiang.store.models import Base
    from xinxiang.store.search import include_name

    with db.engine.connect() as conn:
        mc = MigrationContext.configure(conn, opts={"include_name": include_name})
        assert compare_metadata(mc, Base.metadata) == []


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database never migrated (`db_url` gives copies of a migrated template instead)."""
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_url")
    database = Database(url)
    yield database
    database.dispose()


def test_upgrade_from_an_empty_database_reaches_head(empty_db: Database) -> None:
    """Every migration, in order, on a database that has none yet."""
    assert current_revision(empty_db) is None
    upgrade(empty_db)
    assert current_revision(empty_db) == head_revision()
