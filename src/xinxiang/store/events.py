"""Timeline events as they are written, and who must hear of them (事件上报).

Every event of a ticket's timeline is written by `store.repo.add_event` or
`store.repo.add_events`; both hand the new events to the reporters configured on the
`Database` whose session wrote them (today: the OA outbox of `services.oa_hooks`). A reporter
runs in the writing transaction, so what it adds commits or rolls back with the event. There is
no process-wide ORM listener: a session opened elsewhere reports to nobody.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from sqlalchemy.orm import Session

REPORTERS_KEY = "xinxiang.event_reporters"


class NewEvent(Protocol):
    """What a reporter reads of a new event (an `EventRow` or a `WrittenEvent`)."""

    @property
    def ticket_id(self) -> int: ...
    @property
    def at(self) -> datetime: ...
    @property
    def actor(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def data(self) -> dict[str, Any] | None: ...


class WrittenEvent(NamedTuple):
    """An event inserted in bulk (no ORM object exists for it)."""

    ticket_id: int
    at: datetime
    actor: str
    kind: str
    data: dict[str, Any] | None


class EventReporter(Protocol):
    """Called with the events just written, in the order they were written."""

    def __call__(self, session: Session, events: Sequence[NewEvent]) -> None: ...


def report_events(session: Session, events: Sequence[NewEvent]) -> None:
    """Hand `events` to every reporter of the session's database (none: nothing happens)."""
    if not events:
        return
    for reporter in tuple(session.info.get(REPORTERS_KEY, ())):
        reporter(session, events)
