"""Repository functions of the shunt (搁置区) over a session: record, look up, put back.

A stage asks `set_aside_keys` which of its items to leave out, `retried_keys` which were put
back (so a stage that finds its items by a time window can take them again), and calls
`record_shunt` in a transaction of its own after the item's transaction rolled back.
"""

from __future__ import annotations

import traceback
from collections.abc import Collection, Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from xinxiang.store.models_shunt import ShuntRow

SET_ASIDE_STATES = ("open", "discarded")
"""States whose items their stage leaves out."""
MESSAGE_CHARS = 2000
TRACEBACK_CHARS = 20000


def record_shunt(
    session: Session,
    *,
    stage: str,
    item_kind: str,
    item_key: str,
    label: str,
    exc: BaseException,
    now: datetime,
) -> ShuntRow:
    """Set an item aside with its exception; an item shunted before is reopened (attempts + 1)."""
    trace = "".join(traceback.format_exception(exc))[-TRACEBACK_CHARS:]
    message = str(exc)[:MESSAGE_CHARS]
    exc_type = f"{type(exc).__module__}.{type(exc).__qualname__}"[:200]
    row = session.execute(
        select(ShuntRow).where(ShuntRow.stage == stage, ShuntRow.item_key == item_key)
    ).scalar_one_or_none()
    if row is None:
        row = ShuntRow(
            stage=stage,
            item_kind=item_kind,
            item_key=item_key,
            label=label[:200],
            exc_type=exc_type,
            message=message,
            traceback=trace,
            first_failed_at=now,
            last_failed_at=now,
            attempts=1,
            state="open",
        )
        session.add(row)
    else:
        row.label = label[:200]
        row.exc_type, row.message, row.traceback = exc_type, message, trace
        row.last_failed_at = now
        row.attempts += 1
        row.state = "open"
        row.decided_at = row.decided_by = None
    session.flush()
    return row


def _keys(session: Session, stage: str, states: Collection[str]) -> set[str]:
    return set(
        session.execute(
            select(ShuntRow.item_key).where(ShuntRow.stage == stage, ShuntRow.state.in_(states))
        ).scalars()
    )


def set_aside_keys(session: Session, stage: str) -> set[str]:
    """Keys of the items `stage` must leave out (shunted and not put back, or discarded)."""
    return _keys(session, stage, SET_ASIDE_STATES)


def retried_keys(session: Session, stage: str) -> set[str]:
    """Keys of the items of `stage` put back and not yet gone through."""
    return _keys(session, stage, ("retried",))


def mark_resolved(session: Session, stage: str, keys: Iterable[str], now: datetime) -> None:
    """Items put back that have now gone through their stage."""
    keys = list(keys)
    if keys:
        session.execute(
            update(ShuntRow)
            .where(
                ShuntRow.stage == stage, ShuntRow.item_key.in_(keys), ShuntRow.state == "retried"
            )
            .values(state="resolved", decided_at=now)
        )


def list_shunts(session: Session, states: Collection[str] | None = None) -> list[ShuntRow]:
    """Shunted items, newest failure first (all states when `states` is None)."""
    q = select(ShuntRow).order_by(ShuntRow.last_failed_at.desc(), ShuntRow.id.desc())
    if states is not None:
        q = q.where(ShuntRow.state.in_(states))
    return list(session.execute(q).scalars())


def get_shunt(session: Session, shunt_id: int) -> ShuntRow | None:
    """One shunted item by id."""
    return session.get(ShuntRow, shunt_id)
