"""The savepoint of a command inside a batch (`store.dialect.savepoint`) nests on both databases.

A batch (routing, the sweep) runs each item in a savepoint of the batch's transaction: the
item's work is released into the batch, and a rollback of the batch undoes it too. On SQLite
the driver begins a transaction only before its first write, so a bare SAVEPOINT after reads
alone would commit by itself on release; these tests pin that it does not.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from xinxiang.store.db import Database
from xinxiang.store.dialect import savepoint
from xinxiang.store.models import NoticeRow

AT = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)


def _database(url: str) -> Database:
    db = Database(url)
    NoticeRow.__table__.create(db.engine, checkfirst=True)  # the one table these tests write
    return db


def _count(db: Database) -> int:
    with db.unit_of_work() as s:
        return int(s.execute(select(func.count()).select_from(NoticeRow)).scalar_one())


class Rollback(Exception):
    """The batch fails after the item went through."""


def test_a_released_item_is_undone_with_its_batch(db_url: str) -> None:
    db = _database(db_url)
    try:
        with db.unit_of_work() as s:
            s.execute(select(NoticeRow)).all()  # the batch has only read so far
            with savepoint(s):
                s.add(NoticeRow(key="item", ticket_id=0, at=AT))
            raise Rollback
    except Rollback:
        pass
    assert _count(db) == 0


def test_a_failed_item_is_undone_alone(db_url: str) -> None:
    db = _database(db_url)
    with db.unit_of_work() as s:
        with savepoint(s):
            s.add(NoticeRow(key="kept", ticket_id=0, at=AT))
        try:
            with savepoint(s):
                s.add(NoticeRow(key="undone", ticket_id=0, at=AT))
                s.flush()
                raise Rollback
        except Rollback:
            pass
    with db.unit_of_work() as s:
        assert list(s.execute(select(NoticeRow.key)).scalars()) == ["kept"]
