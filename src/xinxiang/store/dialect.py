"""What differs between SQLite and PostgreSQL, in one place (方言).

The services write their queries once; the few expressions and driver details that need the
dialect's own SQL come from here: seconds since 1970 of a timestamp (`epoch`), `greatest`,
`floor`, a typed column's value as the driver wants it (`driver_value`), a raw multi-row
insert (`insert_rows`), and a savepoint that really nests on SQLite (`savepoint`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, cast, func
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeEngine

_PLACEHOLDER = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def epoch(session: Session, col: Any) -> ColumnElement[Any]:
    """Seconds since 1970 of a UTC timestamp column, in the dialect's SQL."""
    if _is_postgres(session):
        return func.extract("epoch", col)
    # SQLite keeps naive UTC text; julianday parses it.
    return (func.julianday(col) - 2440587.5) * 86400.0


def greatest(session: Session, a: Any, b: Any) -> ColumnElement[Any]:
    """The greater of `a` and `b`."""
    if _is_postgres(session):
        return func.greatest(a, b)
    return func.max(a, b)


def floor(session: Session, x: Any) -> ColumnElement[Any]:
    """`floor(x)` for the non-negative values the sweep computes."""
    if _is_postgres(session):
        return func.floor(x)
    # SQLite may lack math functions; CAST truncates, which is floor for positive values.
    offset = 1_000_000
    return cast(x + offset, Integer) - offset


def driver_value(type_: TypeEngine[Any], dialect: Dialect) -> Callable[[Any], Any]:
    """What a typed column hands the driver for a value: its bind processor, then, on SQLite,
    the text the sqlite3 module's own datetime adapter would make of a datetime."""
    process = type_.bind_processor(dialect)
    sqlite = dialect.name == "sqlite"

    def to_driver(value: Any) -> Any:
        if process is not None:
            value = process(value)
        if sqlite and isinstance(value, datetime):
            return value.isoformat(" ")
        return value

    return to_driver


def insert_rows(
    session: Session, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """One executemany straight to the driver (values already converted by `driver_value`)."""
    mark = _PLACEHOLDER[session.get_bind().dialect.paramstyle]  # sqlite3: qmark; psycopg: %s
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
    session.connection().exec_driver_sql(sql, rows)


def savepoint(session: Session) -> SessionTransaction:
    """`session.begin_nested()` inside the session's transaction, on SQLite too.

    The sqlite3 module opens a transaction only before its first write; a SAVEPOINT issued
    before that would start one of its own, and releasing it would commit, out of reach of
    the enclosing rollback. So on SQLite a transaction is begun first (IMMEDIATE: the command
    in the savepoint writes anyway, and waits for the lock like any write).
    """
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        raw = conn.connection.dbapi_connection
        if raw is not None and not getattr(raw, "in_transaction", True):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
    return session.begin_nested()
