"""Read-only queries of the web console: the dashboard (工作台) and the ticket list (工单列表).

Every list is cut to what the actor may see with `permissions.ticket_scope` inside the SQL, so
paging and counts never include a ticket the actor could not open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any, Literal, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    false,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import UnaryExpression

from xinxiang.domain.states import DISPATCH_STATUSES, DUE_COLUMNS, TicketStatus
from xinxiang.domain.tickets import parse_ticket_number
from xinxiang.store.models import CohandlerRow, LetterRow, TicketRow, UtcDateTime
from xinxiang.store.models_replies import HoldingRow
from xinxiang.store.search import answers_exactly, candidates
from xinxiang.web.permissions import Actor, TicketResource, ticket_scope

PAGE_SIZE = 50


def _running_due(
    before: datetime | ColumnElement[datetime], after: datetime | None = None
) -> ColumnElement[bool]:
    """Some deadline still running in the ticket's status falls before `before` (and after
    `after`): the status says which steps are still owed (DUE_COLUMNS)."""
    clauses = []
    columns = [(TicketRow.dispatch_due, DISPATCH_STATUSES)] + [
        (getattr(TicketRow, f"{kind}_due"), statuses) for kind, statuses in DUE_COLUMNS.items()
    ]
    for col, statuses in columns:
        cond = [TicketRow.status.in_([s.value for s in statuses]), col <= before]
        if after is not None:
            cond.append(col > after)
        clauses.append(and_(*cond))
    return or_(*clauses)


def end_of_local_day(now: datetime, zone: ZoneInfo) -> datetime:
    """24:00 today in the school's zone (00:00 of tomorrow)."""
    local = now.astimezone(zone).date() + timedelta(days=1)
    return datetime(local.year, local.month, local.day, tzinfo=zone)


@dataclass(frozen=True)
class TicketFilter:
    """The ticket list's filters: status, department, overdue only, and the page (from 1)."""

    status: str | None = None
    department: str | None = None
    overdue: bool = False
    page: int = 1
    text: str = ""  # a word in the subject (and, for the office and auditors, the letter)
    since: date | None = None  # created on or after this local day
    until: date | None = None  # created on or before this local day


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone)


@cache
def next_due() -> ColumnElement[datetime]:
    """The ticket's nearest deadline still running (响应, then 初步, then 正式回复), else NULL.
    Built once: an expression is immutable, and every list page selects it."""
    whens = [
        (and_(TicketRow.status.in_([s.value for s in statuses]), col.isnot(None)), col)
        for col, statuses in (
            (getattr(TicketRow, f"{kind}_due"), DUE_COLUMNS[kind])
            for kind in ("response", "preliminary", "formal")
        )
    ]
    return case(*whens, else_=None)


class ListedTicket(NamedTuple):
    """A row of the ticket list: the columns the page shows, read without ORM objects."""

    id: int
    number: str
    subject: str
    status: str
    department_code: str | None
    urgency: str
    formal_due: datetime | None
    next_due: datetime | None  # the nearest deadline still running (`next_due()`)


_LISTED = (
    TicketRow.id,
    TicketRow.number,
    TicketRow.subject,
    TicketRow.status,
    TicketRow.department_code,
    TicketRow.urgency,
    TicketRow.formal_due,
)


class _Shape(NamedTuple):
    """Which filters a list request uses, not their values: the statement's form."""

    scope: Literal["all", "some", "none"]  # the actor's `ticket_scope`: None, some, empty
    status: bool
    department: bool
    overdue: bool
    since: bool
    until: bool
    deadline_first: bool  # a department account: the nearest running deadline first


def _conditions(shape: _Shape) -> list[ColumnElement[bool]]:
    """The shape's conditions, every value a bound parameter named after its filter."""
    conds: list[ColumnElement[bool]] = []
    if shape.scope == "none":
        conds.append(false())
    elif shape.scope == "some":
        cohandled = select(CohandlerRow.ticket_id).where(
            CohandlerRow.department_code.in_(bindparam("scope_co", expanding=True))
        )
        conds.append(
            or_(
                TicketRow.department_code.in_(bindparam("scope", expanding=True)),
                TicketRow.id.in_(cohandled),
            )
        )
    if shape.status:
        conds.append(TicketRow.status == bindparam("status"))
    if shape.department:
        conds.append(TicketRow.department_code == bindparam("department"))
    if shape.overdue:
        conds.append(_running_due(bindparam("now", type_=UtcDateTime())))
    if shape.since:
        conds.append(TicketRow.created_at >= bindparam("since"))
    if shape.until:
        conds.append(TicketRow.created_at < bindparam("until"))
    return conds


def _statements(shape: _Shape, conds: list[ColumnElement[bool]]) -> tuple[Select[Any], Select[Any]]:
    """The page with its total in ONE statement (a round trip is most of a cheap filter's
    cost), as plain rows of the shown columns (no ORM objects for a read-only page); and the
    total alone, for a page past the last.

    count(*), not count(id): it may be answered from any index on the filtered column alone
    (the narrow, deduplicated `status` / `department_code` ones), where count(id) needs one
    holding the id too (2-3x the pages at 100,000 tickets; bench_web.py)."""
    due = next_due()
    order: list[UnaryExpression[Any]] = [TicketRow.id.desc()]
    if shape.deadline_first:
        order.insert(0, due.asc().nulls_last())
    count = (
        select(func.count()).select_from(TicketRow).where(*conds).correlate(None).scalar_subquery()
    )
    page = (
        select(*_LISTED, due, count)
        .where(*conds)
        .order_by(*order)
        .limit(PAGE_SIZE)
        .offset(bindparam("offset", type_=Integer))
    )
    return page, select(count)


@cache
def _prepared(shape: _Shape) -> tuple[Select[Any], Select[Any]]:
    """The statements of a list without a word, built once per shape (at most 3 x 2^6): the
    values go in at execution, so a request neither builds nor keys a statement anew."""
    return _statements(shape, _conditions(shape))


def list_tickets(
    session: Session,
    actor: Actor,
    flt: TicketFilter,
    now: datetime,
    zone: ZoneInfo | None = None,
) -> tuple[list[ListedTicket], int]:
    """The actor's tickets matching `flt`, one page, and the total count: newest first, but
    for a department account the nearest running deadline first (then the rest, newest).

    Every ticket the actor may not open is cut in the SQL (`permissions.ticket_scope`: its
    departments lead or co-handle it). The word search is a substring match (LIKE, escaped)
    on the candidates of the bigram index (`store.search`), so it is exact and needs no scan:
    see bench_web.py. A department or leader searches subjects only, so a confidential
    petitioner's name in the letter can never be probed by searching for it. `since`/`until`
    are days in `zone` (the school's; UTC when not given).
    """
    zone = zone or ZoneInfo("UTC")
    scope = ticket_scope(actor)
    shape = _Shape(
        scope="all" if scope is None else ("some" if scope else "none"),
        status=bool(flt.status),
        department=bool(flt.department),
        overdue=flt.overdue,
        since=flt.since is not None,
        until=flt.until is not None,
        deadline_first=actor.role == "department",
    )
    params: dict[str, Any] = {"offset": (max(flt.page, 1) - 1) * PAGE_SIZE}
    if scope:
        params["scope"] = params["scope_co"] = sorted(scope)
    if flt.status:
        params["status"] = flt.status
    if flt.department:
        params["department"] = flt.department
    if flt.overdue:
        params["now"] = now
    if flt.since is not None:
        params["since"] = _local_midnight(flt.since, zone)
    if flt.until is not None:
        params["until"] = _local_midnight(flt.until + timedelta(days=1), zone)
    if flt.text:
        page_stmt, total_stmt = _statements(
            shape, _conditions(shape) + _word(session, flt.text, subjects_only=scope is not None)
        )
    else:
        page_stmt, total_stmt = _prepared(shape)
    page = session.execute(page_stmt, params).all()
    if page:
        return [ListedTicket(*row[:-1]) for row in page], int(page[0][-1])
    # Past the last page (or nothing at all): the total alone.
    return [], int(session.execute(total_stmt, params).scalar_one())


def _word(session: Session, word: str, *, subjects_only: bool) -> list[ColumnElement[bool]]:
    """The conditions of a word search: the bigram index gives the candidates, LIKE on them
    keeps the match exact."""
    conds: list[ColumnElement[bool]] = []
    indexed = candidates(session, word)
    if indexed is not None:
        conds.append(indexed)
    in_subject = TicketRow.subject.contains(word, autoescape=True)
    if subjects_only:
        conds.append(in_subject)
    elif indexed is None or not answers_exactly(word):
        in_letter = (
            select(LetterRow.id)
            .where(
                LetterRow.id == TicketRow.letter_id,
                LetterRow.body.contains(word, autoescape=True),
            )
            .exists()
        )
        conds.append(or_(in_subject, in_letter))
    # else a word such as 食堂 (two characters without case): the index alone is exact.
    return conds


def find_ticket(session: Session, number: str) -> tuple[TicketRow, TicketResource] | None:
    """The ticket numbered `number` and its permission view, or None (also for a bad number)."""
    if parse_ticket_number(number) is None:
        return None
    ticket = session.execute(
        select(TicketRow).where(TicketRow.number == number)
    ).scalar_one_or_none()
    if ticket is None:
        return None
    codes = session.execute(
        select(CohandlerRow.department_code).where(CohandlerRow.ticket_id == ticket.id)
    ).scalars()
    return ticket, TicketResource(ticket.number, ticket.department_code, frozenset(codes))


@dataclass(frozen=True)
class Dashboard:
    """The office's working view (工作台)."""

    by_status: dict[str, int]
    overdue: int
    overdue_by_department: dict[str, int]
    due_today: int
    emergencies: list[TicketRow]
    triage: list[TicketRow]
    holding_pen: int
    today: date


def dashboard(session: Session, now: datetime, zone: ZoneInfo, office_code: str) -> Dashboard:
    """Counts by status, overdue (by department), due today, open emergencies, the triage queue
    and the holding pen (待甄别) as of `now`."""
    # One pass over the tickets for all three counts (measured in bench_web.py).
    grouped = session.execute(
        select(
            TicketRow.department_code,
            TicketRow.status,
            func.count(TicketRow.id),
            func.count(TicketRow.id).filter(_running_due(now)),
            func.count(TicketRow.id).filter(_running_due(end_of_local_day(now, zone), after=now)),
        ).group_by(TicketRow.department_code, TicketRow.status)
    ).all()
    by_status: dict[str, int] = {}
    overdue_by_department: dict[str, int] = {}
    due_today = 0
    for code, status, n, overdue, today in grouped:
        by_status[str(status)] = by_status.get(str(status), 0) + int(n)
        due_today += int(today)
        if overdue:
            # Tickets still to be dispatched are the office's own delay, whatever they were for.
            owner = office_code if status in DISPATCH_STATUSES or code is None else code
            overdue_by_department[owner] = overdue_by_department.get(owner, 0) + int(overdue)
    open_statuses = [s.value for s in TicketStatus if s not in ("answered", "closed")]
    emergencies = session.execute(
        select(TicketRow)
        .where(TicketRow.urgency == "emergency", TicketRow.status.in_(open_statuses))
        .order_by(TicketRow.id)
        .limit(20)
    ).scalars()
    triage = session.execute(
        select(TicketRow)
        .where(TicketRow.status == TicketStatus.TRIAGE.value)
        .order_by(TicketRow.id)
        .limit(20)
    ).scalars()
    holding = session.execute(
        select(func.count(HoldingRow.id)).where(HoldingRow.state == "open")
    ).scalar_one()
    return Dashboard(
        by_status=by_status,
        overdue=sum(overdue_by_department.values()),
        overdue_by_department=overdue_by_department,
        due_today=due_today,
        emergencies=list(emergencies),
        triage=list(triage),
        holding_pen=int(holding),
        today=now.astimezone(zone).date(),
    )
