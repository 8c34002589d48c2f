"""The facts of a month's assessment (月度考评), read with aggregate SQL.

Two paths, one rule (`domain.assessment.tally_ticket`):

* Tickets that one department held from their dispatch on (no transfer, no return: nearly all)
  are counted by ONE aggregate query grouped by department — the replies are reduced to each
  ticket's first action and formal answer inside the database, nothing per ticket reaches
  Python. `month_tallies_sql` is that query; its CASE expressions are `tally_ticket` for a
  single stint (tests compare the two on the same tickets).
* Tickets transferred or returned (found through the `ix_events_kind_at` index) are loaded
  with their events and replies and turned into `TicketFacts` with one `Stint` per hold.

Frozen months are stored (`models_assessment`) and read back instead of being recomputed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    DateTime,
    Integer,
    and_,
    any_,
    bindparam,
    case,
    exists,
    func,
    or_,
    select,
    text,
    type_coerce,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from xinxiang.domain.assessment import (
    RATING_LEVELS,
    Stint,
    Tally,
    TicketFacts,
    tally_month,
)
from xinxiang.store.models import EventRow, TicketRow
from xinxiang.store.models_assessment import AssessmentMonthRow, AssessmentResultRow
from xinxiang.store.models_replies import TicketReplyRow
from xinxiang.store.models_revisit import RevisitRow

FIRST_ACTION_KINDS = ("accept", "preliminary", "formal")
"""Replies that are a department's first action (受理 or any answer)."""
EXCLUDED_DISPOSITIONS = ("legal_channel", "praise", "illegal")
NO_CONTACT = "no_contact"
"""The revisit's `skip_reason` for a petitioner without a usable contact (seed 001 五4)."""
MOVES = ("transferred", "returned")
STINT_EVENTS = ("dispatched", "transferred", "returned", "extension_approved")

T = TicketRow
R = TicketReplyRow


def _no_contact() -> Any:
    """Tickets whose revisit found no usable contact (joined, not correlated: cheap at scale)."""
    return (
        select(RevisitRow.ticket_id.label("ticket_id"))
        .where(RevisitRow.skip_reason == NO_CONTACT)
        .distinct()
        .subquery()
    )


def _excluded(no_contact: Any) -> ColumnElement[bool]:
    """SQL: the ticket is left out of the assessment (`no_contact` outer-joined)."""
    return or_(
        T.excluded_from_assessment.is_(True),
        T.disposition.in_(EXCLUDED_DISPOSITIONS),
        T.petitioner_addr == "",
        no_contact.c.ticket_id.is_not(None),
    )


def _in_month(start: datetime, end: datetime, excluded: ColumnElement[bool]) -> Any:
    """SQL: dispatched in the month; an excluded ticket never dispatched counts by receipt."""
    return or_(
        and_(T.dispatched_at >= start, T.dispatched_at < end),
        and_(T.dispatched_at.is_(None), T.created_at >= start, T.created_at < end, excluded),
    )


def month_tallies_sql(
    session: Session, start: datetime, end: datetime, now: datetime
) -> dict[str, Tally]:
    """The counts of the month's single-hold tickets, by department, in one aggregate query.

    The query counts tickets by department and by the outcome of each test (excluded, 响应
    met / due, 办结 met / due, rating): a few hundred rows, added up here into `Tally`s.
    """
    acc: dict[str, list[int]] = {}
    for code, x, r_ok, r_due, c_ok, c_due, rating, n in session.execute(
        month_query(start, end, now)
    ):
        v = acc.setdefault(str(code), [0] * 11)
        if x:
            v[1] += n
            continue
        v[0] += n
        v[2] += n if (r_ok or r_due) else 0
        v[3] += n if r_ok else 0
        v[4] += n if (c_ok or c_due) else 0
        v[5] += n if c_ok else 0
        if rating in RATING_LEVELS:
            v[6 + RATING_LEVELS.index(rating)] += n
    return {
        code: Tally(v[0], v[1], v[2], v[3], v[4], v[5], (v[6], v[7], v[8], v[9], v[10]))
        for code, v in acc.items()
    }


def month_query(start: datetime, end: datetime, now: datetime) -> Any:
    """The aggregate query of `month_tallies_sql`: tickets counted by department and outcome.

    Counting groups instead of summing eleven CASE expressions per ticket: the database only
    evaluates the four comparisons of each ticket (the rule of `tally_ticket` for one stint).
    """
    replies = (
        select(
            R.ticket_id.label("ticket_id"),
            func.min(case((R.kind.in_(FIRST_ACTION_KINDS), R.created_at))).label("first_action"),
            func.min(case((and_(R.kind == "formal", R.state != "rejected"), R.created_at))).label(
                "formal_at"
            ),
        )
        .where(R.created_at >= start)
        .group_by(R.ticket_id)
        .subquery()
    )
    moved = exists().where(EventRow.ticket_id == T.id, EventRow.kind.in_(MOVES))
    no_contact = _no_contact()
    excluded = _excluded(no_contact)
    t = (
        select(
            T.department_code.label("department"),
            case((excluded, 1), else_=0).label("x"),
            replies.c.first_action,
            replies.c.formal_at,
            T.response_due,
            T.formal_due,
            T.rating,
        )
        .select_from(T)
        .outerjoin(replies, replies.c.ticket_id == T.id)
        .outerjoin(no_contact, no_contact.c.ticket_id == T.id)
        .where(_in_month(start, end, excluded), T.department_code.is_not(None), ~moved)
        .subquery()
    )
    keys = (
        t.c.department,
        t.c.x,
        (t.c.first_action <= t.c.response_due).label("r_ok"),
        (t.c.response_due <= now).label("r_due"),
        (t.c.formal_at <= t.c.formal_due).label("c_ok"),
        (t.c.formal_due <= now).label("c_due"),
        t.c.rating,
    )
    return select(*keys, func.count()).group_by(*keys)


def _dt(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _exclusion(t: Any, no_contact: bool) -> str | None:
    if t.disposition in EXCLUDED_DISPOSITIONS:
        return str(t.disposition)
    if not t.petitioner_addr or no_contact:
        return "no_contact"
    return "office" if t.excluded_from_assessment else None


def _stints(t: Any, events: Sequence[Any], replies: Sequence[Any]) -> list[Stint]:
    """One `Stint` per dispatch/transfer, closed by the next move; the row's dues for the last.

    `events` carry `kind`, `at` and the strings `department`, `response_due`, `formal_due`
    of their data (extracted by the database: no JSON document is decoded here)."""
    # [department, start, response_due, formal_due, end, returned], made into Stints at the end
    holds: list[list[Any]] = []
    for ev in events:
        open_ = bool(holds) and holds[-1][4] is None
        if ev.kind in ("dispatched", "transferred"):
            if open_:
                holds[-1][4] = ev.at
            holds.append(
                [ev.department or "", ev.at, _dt(ev.response_due), _dt(ev.formal_due), None, False]
            )
        elif ev.kind == "returned" and open_:
            holds[-1][4], holds[-1][5] = ev.at, True
        elif ev.kind == "extension_approved" and open_:
            holds[-1][3] = _dt(ev.formal_due) or holds[-1][3]
    if holds and holds[-1][4] is None:  # the row holds the current deadlines
        holds[-1][2], holds[-1][3] = t.response_due, t.formal_due
    out: list[Stint] = []
    for dept, begin, response_due, formal_due, end, returned in holds:
        first = formal = None
        for r in replies:
            if r.department_code != dept or r.created_at < begin:
                continue
            if end is not None and r.created_at >= end:
                continue
            if r.kind in FIRST_ACTION_KINDS and (first is None or r.created_at < first):
                first = r.created_at
            if (
                r.kind == "formal"
                and r.state != "rejected"
                and (formal is None or r.created_at < formal)
            ):
                formal = r.created_at
        out.append(Stint(dept, begin, response_due, formal_due, first, formal, end, returned))
    return out


TICKET_COLUMNS = (
    T.id,
    T.dispatched_at,
    T.created_at,
    T.disposition,
    T.petitioner_addr,
    T.excluded_from_assessment,
    T.response_due,
    T.formal_due,
    T.rating,
    T.department_code,
)
_AWARE = DateTime(timezone=True)


def _when(col: Any, dialect: str) -> Any:
    """A timestamp column as the driver gives it on PostgreSQL (aware already: comparisons need
    no conversion to UTC, which cost more than the query on 10,000 moved tickets); SQLite's
    naive values keep going through `UtcDateTime`."""
    return type_coerce(col, _AWARE).label(col.key) if dialect == "postgresql" else col


def load_facts(
    session: Session, start: datetime, end: datetime, ticket_ids: Iterable[int] | None = None
) -> list[TicketFacts]:
    """`TicketFacts` of the tickets first dispatched in [start, end) among `ticket_ids` (default:
    those moved since `start`, found by the `ix_events_kind_at` index). Plain rows, no ORM
    objects, looked up by ticket id (an index each): this is the per-ticket path, kept cheap."""
    if ticket_ids is None:
        ticket_ids = session.execute(_moved_since(start)).scalars()
    ids = sorted({int(i) for i in ticket_ids})
    if not ids:
        return []
    if session.get_bind().dialect.name == "postgresql":
        # One `= ANY(array)` parameter instead of thousands of placeholders.
        array = bindparam(None, ids, type_=postgresql.ARRAY(Integer))
        return _facts(session, start, end, [lambda col: col == any_(array)])

    def among(chunk: list[int]) -> Callable[[Any], ColumnElement[bool]]:
        return lambda col: col.in_(chunk)

    return _facts(session, start, end, [among(ids[i : i + 5000]) for i in range(0, len(ids), 5000)])


def _moved_since(start: datetime) -> Any:
    return (
        select(EventRow.ticket_id).where(EventRow.kind.in_(MOVES), EventRow.at >= start).distinct()
    )


def _facts(
    session: Session,
    start: datetime,
    end: datetime,
    chunks: list[Callable[[Any], ColumnElement[bool]]],
) -> list[TicketFacts]:
    events: dict[int, list[Any]] = defaultdict(list)
    replies: dict[int, list[Any]] = defaultdict(list)
    rated_by: dict[int, str | None] = {}
    no_contact: set[int] = set()
    tickets: list[Any] = []
    E = EventRow
    V = RevisitRow
    dialect = session.get_bind().dialect.name
    columns = [_when(c, dialect) if c.key.endswith(("_at", "_due")) else c for c in TICKET_COLUMNS]
    for chunk in chunks:
        tickets += session.execute(select(*columns).where(chunk(T.id))).all()
        for ev in session.execute(
            select(
                E.ticket_id,
                E.kind,
                _when(E.at, dialect),
                E.data["department"].as_string().label("department"),
                E.data["response_due"].as_string().label("response_due"),
                E.data["formal_due"].as_string().label("formal_due"),
            )
            .where(chunk(E.ticket_id), E.kind.in_(STINT_EVENTS))
            .order_by(E.at, E.id)
        ):
            events[ev.ticket_id].append(ev)
        for rep in session.execute(
            select(
                R.ticket_id, R.kind, R.department_code, _when(R.created_at, dialect), R.state
            ).where(chunk(R.ticket_id))
        ):
            replies[rep.ticket_id].append(rep)
        for v in session.execute(
            select(V.ticket_id, V.department_code, V.skip_reason)
            .where(chunk(V.ticket_id))
            .order_by(V.round)
        ):
            rated_by[v.ticket_id] = v.department_code
            if v.skip_reason == NO_CONTACT:
                no_contact.add(v.ticket_id)
    out: list[TicketFacts] = []
    for t in tickets:
        evs = events[t.id]
        first = next((e.at for e in evs if e.kind in ("dispatched", "transferred")), None)
        first = first or t.dispatched_at
        excluded = _exclusion(t, t.id in no_contact)
        if first is None:
            if excluded is None or not start <= t.created_at < end:
                continue
        elif not start <= first < end:
            continue
        stints = _stints(t, evs, replies[t.id])
        if not stints and t.department_code:
            stints = [Stint(t.department_code, first or t.created_at, t.response_due, t.formal_due)]
        out.append(
            TicketFacts(
                t.id,
                tuple(stints),
                excluded,
                t.rating,
                rated_by.get(t.id) or t.department_code,
            )
        )
    return out


def month_tallies(
    session: Session, start: datetime, end: datetime, now: datetime
) -> dict[str, Tally]:
    """The month's counts by department: the aggregate query plus the moved tickets' facts.

    On PostgreSQL the two run side by side — the aggregate in the database while this process
    attributes the moved tickets — on two connections of `session`'s engine that share one
    exported snapshot (REPEATABLE READ, `SET TRANSACTION SNAPSHOT`): both see the same
    committed rows, so a ticket moved meanwhile is counted exactly once. (The callers read in a
    session of their own; what it has not committed is not seen there.)
    """
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        out = month_tallies_sql(session, start, end, now)
        moved = tally_month(load_facts(session, start, end), now)
    else:
        engine = bind.engine
        repeatable = engine.connect().execution_options(isolation_level="REPEATABLE READ")
        with ThreadPoolExecutor(max_workers=1) as pool, repeatable as conn, conn.begin():
            snapshot = str(conn.execute(text("SELECT pg_export_snapshot()")).scalar_one())
            later = pool.submit(_aggregate_in, engine, snapshot, start, end, now)
            with Session(bind=conn) as mine:
                moved = tally_month(load_facts(mine, start, end), now)
            out = later.result()
    for code, t in moved.items():
        out[code] = out.get(code, Tally()) + t
    return out


def _aggregate_in(
    engine: Engine, snapshot: str, start: datetime, end: datetime, now: datetime
) -> dict[str, Tally]:
    """`month_tallies_sql` in a transaction that imports `snapshot` (another thread's)."""
    if not _SNAPSHOT_ID.fullmatch(snapshot):
        raise ValueError(f"unexpected snapshot id {snapshot!r}")
    repeatable = engine.connect().execution_options(isolation_level="REPEATABLE READ")
    with repeatable as conn, conn.begin():
        conn.execute(text(f"SET TRANSACTION SNAPSHOT '{snapshot}'"))
        with Session(bind=conn) as session:
            return month_tallies_sql(session, start, end, now)


_SNAPSHOT_ID = re.compile(r"[0-9A-F]+-[0-9A-F]+-[0-9]+")
"""What `pg_export_snapshot()` returns (it goes into a SQL literal: nothing else may)."""


# -- frozen months ----------------------------------------------------------------------------


def load_frozen(session: Session, month: str) -> dict[str, Tally] | None:
    """The stored counts of a frozen month, or None when it was not stored yet."""
    if session.get(AssessmentMonthRow, month) is None:
        return None
    rows = session.execute(
        select(AssessmentResultRow).where(AssessmentResultRow.month == month)
    ).scalars()
    out: dict[str, Tally] = {}
    for r in rows:
        v = [int(x) for x in r.ratings]
        out[r.department_code] = Tally(
            r.counted,
            r.excluded,
            r.response_total,
            r.response_ok,
            r.completion_total,
            r.completion_ok,
            (v[0], v[1], v[2], v[3], v[4]),
        )
    return out


def store_frozen(
    session: Session, month: str, tallies: dict[str, Tally], frozen_at: datetime, now: datetime
) -> None:
    """Store a frozen month's counts (the caller's transaction; once per month)."""
    session.add(AssessmentMonthRow(month=month, frozen_at=frozen_at, computed_at=now))
    session.flush()
    for code, t in sorted(tallies.items()):
        session.add(
            AssessmentResultRow(
                month=month,
                department_code=code,
                counted=t.counted,
                excluded=t.excluded,
                response_total=t.response_total,
                response_ok=t.response_ok,
                completion_total=t.completion_total,
                completion_ok=t.completion_ok,
                ratings=list(t.ratings),
            )
        )
