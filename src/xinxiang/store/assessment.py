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

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, case, exists, func, or_, select
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


def _excluded() -> ColumnElement[bool]:
    """SQL: the ticket is left out of the assessment."""
    no_contact = exists().where(RevisitRow.ticket_id == T.id, RevisitRow.skip_reason == NO_CONTACT)
    return or_(
        T.excluded_from_assessment.is_(True),
        T.disposition.in_(EXCLUDED_DISPOSITIONS),
        T.petitioner_addr == "",
        and_(T.revisit_state == "skipped", no_contact),
    )


def _in_month(start: datetime, end: datetime) -> ColumnElement[bool]:
    """SQL: dispatched in the month; an excluded ticket never dispatched counts by receipt."""
    return or_(
        and_(T.dispatched_at >= start, T.dispatched_at < end),
        and_(T.dispatched_at.is_(None), T.created_at >= start, T.created_at < end, _excluded()),
    )


def month_tallies_sql(
    session: Session, start: datetime, end: datetime, now: datetime
) -> dict[str, Tally]:
    """The counts of the month's single-hold tickets, by department, in one aggregate query."""
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
    excluded = _excluded()
    counts = ~excluded
    resp_ok = and_(counts, replies.c.first_action <= T.response_due)
    resp_total = or_(resp_ok, and_(counts, T.response_due <= now))
    comp_ok = and_(counts, replies.c.formal_at <= T.formal_due)
    comp_total = or_(comp_ok, and_(counts, T.formal_due <= now))

    def n(cond: ColumnElement[bool]) -> Any:
        return func.sum(case((cond, 1), else_=0))

    query = (
        select(
            T.department_code,
            n(counts),
            n(excluded),
            n(resp_total),
            n(resp_ok),
            n(comp_total),
            n(comp_ok),
            *(n(and_(counts, T.rating == level)) for level in RATING_LEVELS),
        )
        .select_from(T)
        .outerjoin(replies, replies.c.ticket_id == T.id)
        .where(_in_month(start, end), T.department_code.is_not(None), ~moved)
        .group_by(T.department_code)
    )
    out: dict[str, Tally] = {}
    for row in session.execute(query):
        code, *nums = row
        v = [int(x or 0) for x in nums]
        out[str(code)] = Tally(v[0], v[1], v[2], v[3], v[4], v[5], (v[6], v[7], v[8], v[9], v[10]))
    return out


def _dt(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def moved_ticket_ids(session: Session, start: datetime) -> list[int]:
    """Tickets transferred or returned since `start` (only those may have several holders)."""
    rows = session.execute(
        select(EventRow.ticket_id).where(EventRow.kind.in_(MOVES), EventRow.at >= start).distinct()
    )
    return sorted(int(r[0]) for r in rows)


def _exclusion(t: TicketRow, no_contact: bool) -> str | None:
    if t.disposition in EXCLUDED_DISPOSITIONS:
        return str(t.disposition)
    if not t.petitioner_addr or no_contact:
        return "no_contact"
    return "office" if t.excluded_from_assessment else None


def _stints(
    t: TicketRow, events: Sequence[EventRow], replies: Sequence[TicketReplyRow]
) -> list[Stint]:
    stints: list[Stint] = []
    for ev in events:
        d = ev.data or {}
        if ev.kind in ("dispatched", "transferred"):
            if stints and stints[-1].end is None:
                stints[-1] = Stint(**{**stints[-1].__dict__, "end": ev.at})
            stints.append(
                Stint(
                    str(d.get("department") or ""),
                    ev.at,
                    _dt(d.get("response_due")),
                    _dt(d.get("formal_due")),
                )
            )
        elif ev.kind == "returned" and stints and stints[-1].end is None:
            stints[-1] = Stint(**{**stints[-1].__dict__, "end": ev.at, "returned_in_window": True})
        elif ev.kind == "extension_approved" and stints and stints[-1].end is None:
            due = _dt(d.get("formal_due"))
            if due is not None:
                stints[-1] = Stint(**{**stints[-1].__dict__, "formal_due": due})
    if stints and stints[-1].end is None:  # the row holds the current deadlines
        last = stints[-1]
        stints[-1] = Stint(
            **{**last.__dict__, "response_due": t.response_due, "formal_due": t.formal_due}
        )
    out: list[Stint] = []
    for s in stints:
        mine = [
            r
            for r in replies
            if r.department_code == s.department
            and r.created_at >= s.start
            and (s.end is None or r.created_at < s.end)
        ]
        first = min((r.created_at for r in mine if r.kind in FIRST_ACTION_KINDS), default=None)
        formal = min(
            (r.created_at for r in mine if r.kind == "formal" and r.state != "rejected"),
            default=None,
        )
        out.append(Stint(**{**s.__dict__, "first_action": first, "formal_answer": formal}))
    return out


def load_facts(
    session: Session, ticket_ids: Iterable[int], start: datetime, end: datetime
) -> list[TicketFacts]:
    """`TicketFacts` of those `ticket_ids` first dispatched in [start, end)."""
    ids = sorted(set(ticket_ids))
    if not ids:
        return []
    events: dict[int, list[EventRow]] = defaultdict(list)
    replies: dict[int, list[TicketReplyRow]] = defaultdict(list)
    rated_by: dict[int, str | None] = {}
    no_contact: set[int] = set()
    tickets: list[TicketRow] = []
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        tickets += session.execute(select(T).where(T.id.in_(chunk))).scalars()
        for ev in session.execute(
            select(EventRow)
            .where(EventRow.ticket_id.in_(chunk), EventRow.kind.in_(STINT_EVENTS))
            .order_by(EventRow.at, EventRow.id)
        ).scalars():
            events[ev.ticket_id].append(ev)
        for rep in session.execute(select(R).where(R.ticket_id.in_(chunk))).scalars():
            replies[rep.ticket_id].append(rep)
        for v in session.execute(
            select(RevisitRow).where(RevisitRow.ticket_id.in_(chunk)).order_by(RevisitRow.round)
        ).scalars():
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
    """The month's counts by department: the aggregate query plus the moved tickets' facts."""
    out = month_tallies_sql(session, start, end, now)
    moved = load_facts(session, moved_ticket_ids(session, start), start, end)
    for code, t in tally_month(moved, now).items():
        out[code] = out.get(code, Tally()) + t
    return out


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
