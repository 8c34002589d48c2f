"""A batch's timeline events and outbox rows, written as multi-row INSERTs (issue #17).

Routing decides 50 tickets in one transaction; each ticket used to add its 4–5 events and its
mail as ORM objects, flushed one by one before the next query, and asked the outbox again
before each mail whether its key was taken and how many mails each staff address had this
hour. Inside `write_batch(session, tickets)` instead:

- `store.repo.add_event` and `enqueue_mail` keep their rows here; they are inserted with one
  statement per table before anything reads those tables in the session (a `do_orm_execute`
  hook) and when the batch ends — always inside the batch's transaction, so they commit or
  roll back with the decision that made them;
- the outbox keys of the batch's tickets are read once, and the per-address counts of the
  caps once per address, then kept up to date as rows are added;
- the changed tickets are written when the session flushes (a `before_flush` hook): one
  executemany UPDATE per set of changed columns, not one per run of alike rows; reads that
  the changed tickets cannot affect hold off the autoflush (`unflushed`), so that is mostly
  once, when the batch ends.

Nothing else changes: the unique keys still guard the table, and a batch that raises is
rolled back whole and routed again one ticket at a time (`services.shunt`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import AbstractContextManager as ContextManager
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from typing import Any

from sqlalchemy import Connection, Table, bindparam, event, func, insert, inspect, select, update
from sqlalchemy.orm import NO_VALUE, ORMExecuteState, Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql import ClauseElement

from xinxiang.store.events import WrittenEvent, report_events
from xinxiang.store.models import EventRow, OutboxRow, TicketRow

BATCH_KEY = "xinxiang.write_batch"
UNSENT_STATES = ("skipped", "held", "coalesced", "discarded")
"""Outbox states of rows that never go out as themselves (they count against no cap)."""

CountKey = tuple[str, datetime, tuple[str, ...] | None, tuple[str, ...]]
"""(recipient, since, kinds counted (None: any), kinds not counted)."""


@dataclass(slots=True)
class WriteBatch:
    """What a batch has written but not inserted yet, and what it knows of the outbox."""

    numbers: frozenset[str]
    keys: set[str]
    events: list[dict[str, Any]] = field(default_factory=list)
    outbox: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[CountKey, int] = field(default_factory=dict)
    prefetch: frozenset[str] = frozenset()
    """Addresses whose counts are read together (the staff's)."""
    attachments: dict[int, list[Any]] = field(default_factory=dict)
    """The stored files of the batch's letters (`AttachmentRow`s by letter id), read once."""
    reading: bool = False
    looked_up: set[str] = field(default_factory=set)
    """Keys about no batch ticket (a staff digest's) read once in the batch: `keys` holds
    them when they exist, so they are not asked again."""
    bases: set[str] = field(default_factory=set)
    """Every `k` of `keys` cut before each of its '>' (`key>address`: a coalesced copy): a
    key is taken with its copies when it is one of these (instead of a prefix scan)."""
    counted: dict[str, list[CountKey]] = field(default_factory=dict)
    """The keys of `counts` by recipient."""

    def __post_init__(self) -> None:
        self.know(self.keys)

    def know(self, keys: Collection[str]) -> None:
        """Add existing outbox keys to `keys` (and their bases)."""
        self.keys.update(keys)
        for k in keys:
            at = k.find(">")
            while at >= 0:
                self.bases.add(k[:at])
                at = k.find(">", at + 1)

    def covers(self, dedupe_key: str) -> bool:
        """Whether `keys` holds every outbox key like this one (a mail about a batch ticket:
        `kind:number:…`, or a key looked up before in the batch)."""
        parts = dedupe_key.split(":", 2)
        return (len(parts) > 1 and parts[1] in self.numbers) or dedupe_key in self.looked_up

    def key_taken(self, dedupe_key: str, *, or_coalesced: bool) -> bool:
        if dedupe_key in self.keys:
            return True
        # some key starts with `dedupe_key + ">"` exactly when it is one of the bases
        return or_coalesced and dedupe_key in self.bases

    def added(self, values: dict[str, Any]) -> None:
        """Keep a new outbox row (`repo.outbox_values`) and count it where it counts."""
        self.outbox.append(values)
        self.know((values["dedupe_key"],))
        self.count_in(values)

    def set_count(self, key: CountKey, n: int) -> None:
        if key not in self.counts:
            self.counted.setdefault(key[0], []).append(key)
        self.counts[key] = n

    def clear_counts(self) -> None:
        self.counts.clear()
        self.counted.clear()

    def count_in(
        self,
        values: dict[str, Any],
        only: Collection[str] | None = None,
        rest: tuple[Any, ...] | None = None,
    ) -> None:
        """Add the new row `values` to the counts it belongs to (of addresses in `only`; of
        counts asking `rest` — since, kinds, excluded — only, when given)."""
        if values["state"] in UNSENT_STATES:
            return
        recipient = values["recipient_key"]
        if only is not None and recipient not in only:
            return
        for key in self.counted.get(recipient, ()):
            if rest is not None and key[1:] != rest:
                continue  # a count read earlier already holds this row
            _, since, kinds, excluded = key
            if (
                values["created_at"] >= since
                and (kinds is None or values["kind"] in kinds)
                and values["kind"] not in excluded
            ):
                self.counts[key] += 1


def active(session: Session) -> WriteBatch | None:
    """The session's write batch, if it is inside `write_batch`."""
    batch = session.info.get(BATCH_KEY)
    return batch if isinstance(batch, WriteBatch) else None


def write_pending(session: Session) -> None:
    """Insert what the batch holds: its outbox rows, then its events (one statement each)."""
    batch = active(session)
    if batch is None or not (batch.outbox or batch.events):
        return
    rows, events = batch.outbox, batch.events
    batch.outbox, batch.events = [], []
    # Core statements on the session's connection (the batch's transaction): the rows are
    # plain column values already, so the ORM's bulk path (a mapping per row) and the
    # autoflush it starts add nothing; the changed tickets are flushed when next read or at
    # commit, still in this transaction.
    if any(isinstance(o, (OutboxRow, EventRow)) for o in session.new):
        session.flush()  # rows added as ORM objects before these keep their earlier ids
    connection = session.connection()
    if rows:
        _insert(connection, OutboxRow.__table__, rows)
    if events:
        _insert(connection, EventRow.__table__, events)
        report_events(
            session,
            [
                WrittenEvent(e["ticket_id"], e["at"], e["actor"], e["kind"], e["data"])
                for e in events
            ],
        )


def _insert(connection: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    """INSERT `rows` in their order (ids ascending as they come), one multi-row statement per
    run of rows with the same columns."""

    def columns(row: dict[str, Any]) -> tuple[str, ...]:
        return tuple(row)

    copy = connection.dialect.name == "postgresql"
    for names, run in groupby(rows, key=columns):
        if copy and not any(table.c[n].default is not None for n in _omitted(table, names)):
            _copy(connection, table, names, list(run))
        else:
            connection.execute(insert(table), list(run))


def _omitted(table: Any, names: tuple[str, ...]) -> list[str]:
    return [c.key for c in table.c if c.key not in names and not c.primary_key]


def _copy(
    connection: Connection, table: Any, names: tuple[str, ...], rows: list[dict[str, Any]]
) -> None:
    """PostgreSQL: the rows sent with COPY, in their order (ids ascending as they come), each
    value as the INSERT would bind it (the column type's own bind processing: UTC times, JSON
    text). psycopg's executemany sends each row as a statement of its own; COPY streams them.
    """
    dialect = connection.dialect
    processors = [table.c[n].type._cached_bind_processor(dialect) for n in names]
    quoted = ", ".join(dialect.identifier_preparer.quote(n) for n in names)
    cursor = connection.connection.cursor()
    try:
        with cursor.copy(f"COPY {table.name} ({quoted}) FROM STDIN") as out:
            for row in rows:
                out.write_row(
                    [
                        p(row[n]) if p is not None else row[n]
                        for n, p in zip(names, processors, strict=True)
                    ]
                )
    finally:
        cursor.close()


def _write_tickets(session: Session, _context: Any, _instances: Any) -> None:
    """Before the session flushes inside a batch: the batch's changed tickets written as one
    executemany UPDATE per set of changed columns, in the batch's transaction.

    The ORM would send one statement per run of consecutive tickets (by id) changing the same
    columns — a dispatched ticket whose urgency changed between two whose did not splits the
    run — each a round trip on PostgreSQL. Each ticket's changed columns are found exactly as
    the ORM's flush finds them (the attribute's value against its committed one), then marked
    committed, so the flush that follows has nothing left to write for them.
    """
    if active(session) is None:
        return
    groups: dict[tuple[str, ...], list[tuple[Any, dict[str, Any]]]] = {}
    for obj in sorted((o for o in session.dirty if type(o) is TicketRow), key=lambda o: o.id or 0):
        state = inspect(obj)
        if state.deleted or state.key is None or obj.id is None:
            continue
        changed: dict[str, Any] = {}
        for key, old in state.committed_state.items():
            if key not in _TICKET_COLUMNS:
                break
            value = state.dict.get(key, NO_VALUE)
            if value is NO_VALUE or isinstance(value, ClauseElement) or key == "id":
                break
            if state.manager[key].impl.is_equal(value, old) is not True:
                changed[key] = value
        else:
            if changed:
                groups.setdefault(tuple(c for c in _TICKET_COLUMNS if c in changed), []).append(
                    (obj, changed)
                )
            continue
        # anything else (an expired or SQL-expression value): left to the ORM's flush
    if not groups:
        return
    table: Table = TicketRow.__table__  # type: ignore[assignment]
    connection = session.connection()
    for columns, rows in groups.items():
        statement = (
            update(table)
            .where(table.c.id == bindparam("_id", type_=table.c.id.type))
            .values({c: bindparam(f"_v_{c}", type_=table.c[c].type) for c in columns})
        )
        params = [{"_id": obj.id, **{f"_v_{c}": v[c] for c in columns}} for obj, v in rows]
        result = connection.execute(statement, params)
        if connection.dialect.supports_sane_multi_rowcount and result.rowcount != len(params):
            raise StaleDataError(
                f"UPDATE tickets expected {len(params)} rows, matched {result.rowcount}"
            )
        for obj, values in rows:
            for key, value in values.items():
                set_committed_value(obj, key, value)


_TICKET_COLUMNS = tuple(
    prop.key
    for prop in TicketRow.__mapper__.column_attrs
    if len(prop.columns) == 1 and prop.columns[0].key == prop.key
)

_WATCHED = (OutboxRow.__mapper__, EventRow.__mapper__)


def _before_reading(state: ORMExecuteState) -> None:
    """Insert the batch's rows before any statement on the outbox or the events runs."""
    batch = active(state.session)
    if batch is None or batch.reading or not any(m in _WATCHED for m in state.all_mappers):
        return
    if state.is_update or state.is_delete:
        batch.clear_counts()  # a state changed (a receipt superseded): count again
    write_pending(state.session)


@contextmanager
def write_batch(
    session: Session,
    tickets: Sequence[TicketRow],
    *,
    prefetch: Collection[str] = (),
    attachments: dict[int, list[Any]] | None = None,
) -> Iterator[WriteBatch]:
    """Keep the events and outbox rows written in `session` for `tickets` until the batch ends
    (or something reads those tables); the rows are inserted then, in the same transaction.
    `prefetch`: the addresses whose mail counts are read together; `attachments`: the letters'
    stored files the batch has read already."""
    if active(session) is not None:
        raise RuntimeError("write batches do not nest")
    ids = [t.id for t in tickets]
    keys = set(
        session.execute(select(OutboxRow.dedupe_key).where(OutboxRow.ticket_id.in_(ids))).scalars()
    )
    batch = WriteBatch(
        frozenset(t.number for t in tickets),
        keys,
        prefetch=frozenset(a.lower() for a in prefetch),
        attachments=dict(attachments or {}),
    )
    session.info[BATCH_KEY] = batch
    event.listen(session, "do_orm_execute", _before_reading)
    event.listen(session, "before_flush", _write_tickets)
    try:
        yield batch
        write_pending(session)
        session.flush()  # the changed tickets, while the batch's `_write_tickets` writes them
    finally:
        event.remove(session, "do_orm_execute", _before_reading)
        event.remove(session, "before_flush", _write_tickets)
        session.info.pop(BATCH_KEY, None)


def unflushed(session: Session, model: type[Any], *, changed: bool = True) -> ContextManager[Any]:
    """Inside a write batch, a read of `model`'s table only, which the batch's changed tickets
    cannot affect: the session's autoflush is held off (they are written together when the
    batch ends) unless an ORM object of `model` waits to be written — new, deleted or, with
    `changed`, changed — which the read must see. Outside a batch, nothing changes."""
    if active(session) is None:
        return nullcontext()
    waiting = [*session.new, *session.deleted, *(session.dirty if changed else ())]
    if any(isinstance(o, model) for o in waiting):
        return nullcontext()
    return session.no_autoflush


@contextmanager
def stored_rows_only(session: Session, touches: Callable[[dict[str, Any]], bool]) -> Iterator[None]:
    """Inside a write batch, an UPDATE of outbox rows that no row the batch holds would match
    (`touches` false for each): the batch's rows are not inserted first (they will be at its
    end), and its counts are read again, as after any change of a state. Otherwise, and
    outside a batch, the statement runs as usual."""
    batch = active(session)
    if batch is None or batch.reading or any(touches(r) for r in batch.outbox):
        yield
        return
    batch.clear_counts()
    batch.reading = True
    try:
        yield
    finally:
        batch.reading = False


def key_exists(session: Session, dedupe_key: str, together: Collection[str] = ()) -> bool | None:
    """Inside a batch, whether an outbox row has exactly this key (else None: the caller asks
    the database). A key about no batch ticket is read once, with the keys `together` it is
    likely to be asked next (a staff digest's, with those of the other staff addresses), and
    without inserting the batch's rows first (none of them has it: the batch's are in `keys`)."""
    batch = active(session)
    if batch is None:
        return None
    if batch.covers(dedupe_key):
        return dedupe_key in batch.keys
    wanted = sorted({dedupe_key, *together} - batch.looked_up - batch.keys)
    batch.reading = True
    try:
        with unflushed(session, OutboxRow):
            found = session.execute(
                select(OutboxRow.dedupe_key).where(OutboxRow.dedupe_key.in_(wanted))
            ).scalars()
        batch.know(list(found))
    finally:
        batch.reading = False
    batch.looked_up.update(wanted)
    return dedupe_key in batch.keys


def batch_count(
    session: Session,
    recipient: str,
    since: datetime,
    kinds: Collection[str] | None,
    excluded: Collection[str],
) -> int | None:
    """How many mails to `recipient` count against its caps since `since` (of `kinds`, None:
    any, but `excluded`), inside a batch (else None: the caller asks the database). Read for
    the batch's usual recipients (`prefetch`) at the first question, in one query, then kept
    up to date as the batch adds rows."""
    batch = active(session)
    if batch is None:
        return None
    rest = (since, tuple(sorted(kinds)) if kinds is not None else None, tuple(sorted(excluded)))
    key: CountKey = (recipient.lower(), *rest)
    if key not in batch.counts:
        known = {k[0] for k in batch.counts if k[1:] == rest}
        wanted = ({recipient.lower()} | batch.prefetch) - known
        query = (
            select(OutboxRow.recipient_key, func.count(OutboxRow.id))
            .where(
                OutboxRow.state.not_in(UNSENT_STATES),
                OutboxRow.recipient_key.in_(sorted(wanted)),
                OutboxRow.created_at >= since,
            )
            .group_by(OutboxRow.recipient_key)
        )
        if kinds is not None:
            query = query.where(OutboxRow.kind.in_(rest[1] or ()))
        if excluded:
            query = query.where(OutboxRow.kind.not_in(rest[2]))
        batch.reading = True  # the rows not inserted yet are counted below, not inserted
        try:
            with unflushed(session, OutboxRow):
                stored = {a: int(n) for a, n in session.execute(query).all()}
        finally:
            batch.reading = False
        for address in wanted:
            batch.set_count((address, *rest), stored.get(address, 0))
        # The batch's rows not inserted yet join the counts just read, and only those: the
        # address's other counts (other kinds, another instant) hold them already.
        for values in batch.outbox:
            batch.count_in(values, only=wanted, rest=rest)
    return batch.counts[key]
