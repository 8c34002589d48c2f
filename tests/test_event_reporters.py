"""Timeline events reach the reporters of their own database, in their own transaction.

The OA outbox used to be fed by a process-wide ORM listener; now every event written through
`store.repo` is handed to the reporters configured on the `Database` that wrote it (issue #11).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inbound_helpers import context
from sweep_helpers import local, new_ticket, ticket
from xinxiang.services.context import AppContext
from xinxiang.store.events import NewEvent
from xinxiang.store.models import EventRow
from xinxiang.store.repo import add_event, add_events

T0 = local(2026, 12, 1, 9, 0)


class Recorder:
    """A reporter that remembers what it heard and writes one event per report (same txn)."""

    def __init__(self) -> None:
        self.heard: list[tuple[int, str]] = []

    def __call__(self, session: Session, events: Sequence[NewEvent]) -> None:
        self.heard += [(e.ticket_id, e.kind) for e in events]


@pytest.fixture
def ctx(tmp_config: Any, db_url: str) -> AppContext:
    return context(tmp_config(database_url=db_url))


def _count(ctx: AppContext, tid: int, kind: str) -> int:
    with ctx.db.unit_of_work() as s:
        return s.execute(
            select(func.count()).where(EventRow.ticket_id == tid, EventRow.kind == kind)
        ).scalar_one()


def test_single_and_bulk_events_are_reported_in_order(ctx: AppContext) -> None:
    tid = ticket(ctx, new_ticket(ctx, T0)).id
    rec = Recorder()
    ctx.db.event_reporters.append(rec)
    with ctx.db.unit_of_work() as s:
        add_event(s, tid, T0, "office", "note_a")
        add_events(
            s,
            [
                {"ticket_id": tid, "at": T0, "actor": "system", "kind": "note_b", "data": {}},
                {"ticket_id": tid, "at": T0, "actor": "system", "kind": "note_c", "data": None},
            ],
        )
    assert rec.heard == [(tid, "note_a"), (tid, "note_b"), (tid, "note_c")]
    assert _count(ctx, tid, "note_b") == 1


def test_a_reporter_hears_only_its_own_database(
    ctx: AppContext, tmp_config: Any, tmp_path: Path
) -> None:
    """Two databases in one process: no process-wide hook carries events across."""
    other = context(tmp_config(database_url=f"sqlite:///{tmp_path / 'other.db'}"))
    rec = Recorder()
    other.db.event_reporters.append(rec)
    number = new_ticket(ctx, T0)
    tid = ticket(ctx, number).id
    with ctx.db.unit_of_work() as s:
        add_event(s, tid, T0, "office", "note")
    assert rec.heard == []
    # A plain session of the same engine, not made by the Database, reports to nobody either.
    with Session(ctx.db.engine) as s:
        add_event(s, tid, T0, "office", "unreported")
        s.commit()
    assert rec.heard == []


def test_what_a_reporter_writes_rolls_back_with_the_event(ctx: AppContext) -> None:
    tid = ticket(ctx, new_ticket(ctx, T0)).id

    def echo(session: Session, events: Sequence[NewEvent]) -> None:
        for e in events:
            if e.kind == "note":
                session.add(EventRow(ticket_id=e.ticket_id, at=e.at, actor="r", kind="echo"))

    ctx.db.event_reporters.append(echo)
    with pytest.raises(RuntimeError), ctx.db.unit_of_work() as s:
        add_event(s, tid, T0, "office", "note")
        raise RuntimeError("the deciding transaction fails")
    assert _count(ctx, tid, "echo") == 0
    with ctx.db.unit_of_work() as s, s.begin_nested():
        add_event(s, tid, T0, "office", "note")
    assert _count(ctx, tid, "echo") == 1
