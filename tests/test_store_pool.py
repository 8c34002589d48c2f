"""Pooled PostgreSQL connections are pinged on checkout only after resting (`store.db`).

A connection handed back a moment ago goes out again without a ping (the round trip would cost
as much as a cheap page's query); one that rested longer than `ping_after_idle` is pinged, and
if its server side is gone, it is replaced before the caller sees it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from xinxiang.store.db import PING_AFTER_IDLE, make_engine


def _backend(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(engine: Engine, pid: int) -> None:
    """End server process `pid` from a connection of its own (as a restart would)."""
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    engine.dispose()  # only the helper engine's connection


def test_a_rested_connection_whose_server_went_away_is_replaced_unseen(pg_url: str) -> None:
    engine = make_engine(pg_url, ping_after_idle=0.0)
    helper = make_engine(pg_url)
    try:
        first = _backend(engine)
        _terminate(helper, first)
        assert _backend(engine) != first  # pinged, found dead, reconnected: no error
    finally:
        engine.dispose()
        helper.dispose()


def test_a_connection_handed_back_a_moment_ago_goes_out_without_a_ping(pg_url: str) -> None:
    assert PING_AFTER_IDLE >= 5
    engine = make_engine(pg_url)
    helper = make_engine(pg_url)
    try:
        first = _backend(engine)
        _terminate(helper, first)
        with pytest.raises(OperationalError):  # not pinged: the dead connection is used once
            _backend(engine)
        assert _backend(engine) != first  # and the pool was dropped on that error
    finally:
        engine.dispose()
        helper.dispose()
