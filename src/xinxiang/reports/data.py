"""The figures of a report (周报, 月报, 情况专报), read with aggregate queries.

A `Period` is [start, end) in the school's zone with the one before it (the trend's base).
`period_report` gathers: letters by channel, category and department (this period and the
previous one), the letters per day, the on-time rates by department (the assessment's rule
over the period's dispatches), overdue and extended tickets, the satisfaction distribution
and the month's 三率 ranking. `topic_report` lists the letters matching words in a period.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select

from xinxiang.domain.assessment import (
    DepartmentResult,
    month_bounds,
    month_label,
    parse_month,
    rank_month,
    shift_month,
)
from xinxiang.domain.states import STATUS_LABELS, TicketStatus
from xinxiang.services.assessment import assess_month, assessed_departments, policy_of
from xinxiang.services.office import deadline_label, list_overdue
from xinxiang.store.assessment import month_tallies
from xinxiang.store.models import EventRow, LetterRow, TicketRow

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext

LEVEL_NAMES = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}


@dataclass(frozen=True)
class Period:
    """[start, end) of a report, its label (2026-W49, 2026-11) and the period before it."""

    kind: str
    label: str
    title: str
    start: datetime
    end: datetime
    previous_start: datetime
    previous_label: str


def week_period(text: str | None, now: datetime, tz: Any) -> Period:
    """The ISO week `YYYY-Www`, or the last whole week before `now`."""
    if text:
        try:
            year, week = text.upper().split("-W")
            monday = date.fromisocalendar(int(year), int(week), 1)
        except ValueError:
            raise ValueError(f"周的格式应为 YYYY-Www（如 2026-W49）：{text!r}") from None
    else:
        today = now.astimezone(tz).date()
        monday = today - timedelta(days=today.weekday() + 7)
    start = datetime.combine(monday, time(), tz)
    y, w, _ = monday.isocalendar()
    py, pw, _ = (monday - timedelta(days=7)).isocalendar()
    return Period(
        "weekly",
        f"{y}-W{w:02d}",
        f"{y}年第{w}周（{monday:%m月%d日}—{monday + timedelta(days=6):%m月%d日}）",
        start,
        start + timedelta(days=7),
        start - timedelta(days=7),
        f"{py}-W{pw:02d}",
    )


def month_period(text: str | None, now: datetime, tz: Any) -> Period:
    """The month `YYYY-MM`, or the last whole month before `now`."""
    this_month = now.astimezone(tz).date().replace(day=1)
    first = parse_month(text) if text else shift_month(this_month, -1)
    start, end = month_bounds(first, tz)
    prev = shift_month(first, -1)
    return Period(
        "monthly",
        month_label(first),
        f"{first.year}年{first.month}月",
        start,
        end,
        month_bounds(prev, tz)[0],
        month_label(prev),
    )


@dataclass(frozen=True)
class Row:
    """A labelled count this period and the period before."""

    label: str
    count: int
    previous: int = 0

    @property
    def change(self) -> str:
        """The trend as shown: +3, -2, 0."""
        d = self.count - self.previous
        return f"+{d}" if d > 0 else str(d)


@dataclass(frozen=True)
class TicketLine:
    """A ticket in a list (overdue, extended, a topic's letters)."""

    number: str
    department: str
    what: str
    when: datetime | None
    subject: str = ""
    status: str = ""


@dataclass
class ReportData:
    """Everything a report shows."""

    title: str
    period: Period | None
    start: datetime
    end: datetime
    generated_at: datetime
    totals: list[Row] = field(default_factory=list)
    by_channel: list[Row] = field(default_factory=list)
    by_category: list[Row] = field(default_factory=list)
    by_department: list[Row] = field(default_factory=list)
    daily: list[tuple[str, int, int]] = field(default_factory=list)
    """(day, this period's letters, the previous period's same day)."""
    on_time: list[DepartmentResult] = field(default_factory=list)
    overdue: list[TicketLine] = field(default_factory=list)
    extended: list[TicketLine] = field(default_factory=list)
    satisfaction: list[Row] = field(default_factory=list)
    ranking: list[DepartmentResult] = field(default_factory=list)
    ranking_month: str = ""
    letters: list[TicketLine] = field(default_factory=list)
    query: str = ""


def _grouped(
    session: Any, column: Any, start: datetime, end: datetime, prev: datetime, names: dict[str, str]
) -> list[Row]:
    def counts(a: datetime, b: datetime) -> Counter[str]:
        q = (
            select(column, func.count())
            .where(TicketRow.created_at >= a, TicketRow.created_at < b)
            .group_by(column)
        )
        return Counter({str(k) if k is not None else "": int(n) for k, n in session.execute(q)})

    now, before = counts(start, end), counts(prev, start)
    keys = sorted(set(now) | set(before), key=lambda k: (-now[k], -before[k], k))
    return [Row(names.get(k, k) or "（未分类）", now[k], before[k]) for k in keys]


def _count(session: Any, q: Any) -> int:
    return int(session.execute(q).scalar_one() or 0)


def _totals(session: Any, start: datetime, end: datetime, prev: datetime) -> list[Row]:
    def received(a: datetime, b: datetime) -> Any:
        return select(func.count(TicketRow.id)).where(
            TicketRow.created_at >= a, TicketRow.created_at < b
        )

    def events(kinds: tuple[str, ...], a: datetime, b: datetime) -> Any:
        return select(func.count(EventRow.id)).where(
            EventRow.kind.in_(kinds), EventRow.at >= a, EventRow.at < b
        )

    out = [
        Row(
            "收到来信",
            _count(session, received(start, end)),
            _count(session, received(prev, start)),
        )
    ]
    for label, kinds in (
        ("转办", ("dispatched",)),
        ("改派", ("transferred",)),
        ("答复来信人", ("answered",)),
        ("同意延期", ("extension_approved",)),
    ):
        out.append(
            Row(
                label,
                _count(session, events(kinds, start, end)),
                _count(session, events(kinds, prev, start)),
            )
        )
    return out


def _daily(
    session: Any, start: datetime, end: datetime, prev: datetime, tz: Any
) -> list[tuple[str, int, int]]:
    days = (end - start).days
    rows = session.execute(
        select(TicketRow.created_at).where(TicketRow.created_at >= prev, TicketRow.created_at < end)
    ).scalars()
    c: Counter[int] = Counter()
    for at in rows:
        offset = (at.astimezone(tz).date() - prev.astimezone(tz).date()).days
        c[offset] += 1
    first = start.astimezone(tz).date()
    return [((first + timedelta(days=i)).strftime("%m-%d"), c[days + i], c[i]) for i in range(days)]


def period_report(ctx: AppContext, period: Period, now: datetime) -> ReportData:
    """The figures of a weekly or monthly report."""
    tz = ctx.cfg.tz
    names = {d.code: d.name for d in ctx.cfg.departments}
    start, end, prev = period.start, period.end, period.previous_start
    data = ReportData(
        f"书记校长信箱{'周报' if period.kind == 'weekly' else '月报'}",
        period,
        start,
        end,
        now,
    )
    as_of = min(now, end)
    with ctx.db.unit_of_work() as s:
        data.totals = _totals(s, start, end, prev)
        data.by_channel = _grouped(s, TicketRow.channel, start, end, prev, {})
        data.by_category = _grouped(s, TicketRow.category, start, end, prev, {})
        data.by_department = _grouped(s, TicketRow.department_code, start, end, prev, names)
        data.daily = _daily(s, start, end, prev, tz)
        tallies = month_tallies(s, start, end, max(now, end))
        data.on_time = [
            x
            for x in rank_month(
                tallies, assessed_departments(ctx.cfg), policy_of(ctx.cfg), provisional=now < end
            )
            if x.tally.counted
        ]
        ext = s.execute(
            select(TicketRow.number, TicketRow.department_code, EventRow.data, EventRow.at)
            .join(TicketRow, TicketRow.id == EventRow.ticket_id)
            .where(EventRow.kind == "extension_approved", EventRow.at >= start, EventRow.at < end)
            .order_by(EventRow.at)
        ).all()
        data.extended = [
            TicketLine(
                n,
                names.get(d or "", d or ""),
                "延期至 " + str((ev or {}).get("formal_due", ""))[:16].replace("T", " "),
                at,
            )
            for n, d, ev, at in ext
        ]
        rated = Counter(
            {
                int(k or 0): int(n)
                for k, n in s.execute(
                    select(TicketRow.rating, func.count())
                    .where(
                        TicketRow.rated_at >= start,
                        TicketRow.rated_at < end,
                        TicketRow.rating.is_not(None),
                    )
                    .group_by(TicketRow.rating)
                )
            }
        )
        unrated = _count(
            s,
            select(func.count(TicketRow.id)).where(
                TicketRow.revisit_state == "unrated",
                TicketRow.settled_at >= start,
                TicketRow.settled_at < end,
            ),
        )
    data.satisfaction = [Row(LEVEL_NAMES[k], rated[k]) for k in (5, 4, 3, 2, 1)]
    data.satisfaction.append(Row("未评价", unrated))
    data.overdue = [
        TicketLine(
            i.number,
            names.get(i.department or "", i.department or ""),
            deadline_label(i.deadline),
            i.due,
        )
        for i in list_overdue(ctx, as_of)
    ]
    month = start.astimezone(tz).date().replace(day=1)
    data.ranking = assess_month(ctx, month, now)
    data.ranking_month = month_label(month)
    return data


def topic_report(
    ctx: AppContext, query: str, start: datetime, end: datetime, now: datetime
) -> ReportData:
    """情况专报: the letters of [start, end) whose subject or text holds every word of `query`."""
    words = [w for w in query.split() if w]
    if not words:
        raise ValueError("请给出检索词（--query）")
    names = {d.code: d.name for d in ctx.cfg.departments}
    data = ReportData("书记校长信箱情况专报", None, start, end, now, query=" ".join(words))
    cond = [
        or_(
            TicketRow.subject.contains(w, autoescape=True),
            LetterRow.body.contains(w, autoescape=True),
        )
        for w in words
    ]
    with ctx.db.unit_of_work() as s:
        rows = (
            s.execute(
                select(TicketRow)
                .join(LetterRow, LetterRow.id == TicketRow.letter_id)
                .where(TicketRow.created_at >= start, TicketRow.created_at < end, *cond)
                .order_by(TicketRow.created_at)
            )
            .scalars()
            .all()
        )
    labels = {str(s.value): STATUS_LABELS[s] for s in TicketStatus}
    data.letters = [
        TicketLine(
            t.number,
            names.get(t.department_code or "", "（待分办）"),
            t.category or "",
            t.created_at,
            t.subject,
            labels.get(t.status, t.status),
        )
        for t in rows
    ]
    for attr, values in (
        ("by_department", [x.department for x in data.letters]),
        ("by_category", [x.what or "（未分类）" for x in data.letters]),
        ("by_channel", [t.channel for t in rows]),
    ):
        setattr(data, attr, [Row(k, n) for k, n in Counter(values).most_common()])
    data.totals = [
        Row("相关来信", len(rows)),
        Row("已答复", sum(t.status in ("answered", "closed") for t in rows)),
    ]
    return data
