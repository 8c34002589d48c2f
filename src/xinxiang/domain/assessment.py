"""The monthly assessment of departments (月度考评, seed 001 五4–5) as a pure core (stdlib only).

Per department and month: 响应率 (the department's first action — 受理 or any answer — before
the response deadline), 办结率 (the formal answer within its deadline, approved extensions
honoured) and 满意率 (five rating levels on tiers: 非常满意/满意 100, 基本满意 80, 不满意/非常
不满意 0; 未评价 left out), each 0–100; the score weighs them 10 % / 50 % / 40 %. Weights and
tiers are settings (`AssessmentPolicy`).

Attribution: a ticket counts in the month it was first dispatched. Each deadline counts for the
department that held the ticket when it fell due (a `Stint` is one department's hold); a stint
the department ended by returning the ticket inside the return window counts for nobody. A
deadline not yet passed counts only once it is met (an early answer) or missed (the deadline
passed). Excluded tickets (涉法涉诉, 表扬, no usable contact, office-excluded) count for nobody.

A month freezes `freeze_days` after it ends (late ratings still count until then); before, its
results are provisional (预估). Departments are ranked by score (ties share a rank); a department
with nothing counted has no score and no rank. The 约谈 flag marks a department among the last
`interview_bottom` places in `interview_months` frozen months in a row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, tzinfo

RATING_LEVELS = (5, 4, 3, 2, 1)
"""非常满意, 满意, 基本满意, 不满意, 非常不满意."""

EXCLUSION_REASONS = {
    "legal_channel": "涉法涉诉",
    "praise": "表扬",
    "illegal": "违法或不当内容",
    "no_contact": "无有效联系方式",
    "office": "经研判不纳入考评",
}
"""Why a ticket is left out of the assessment (seed 001 五4), by code."""


@dataclass(frozen=True)
class AssessmentPolicy:
    """The settings of the assessment (other schools weigh and tier differently)."""

    response_weight: float = 0.10
    completion_weight: float = 0.50
    satisfaction_weight: float = 0.40
    tiers: Mapping[int, float] = field(
        default_factory=lambda: {5: 100.0, 4: 100.0, 3: 80.0, 2: 0.0, 1: 0.0}
    )
    freeze_days: int = 7
    interview_months: int = 3
    interview_bottom: int = 1


@dataclass(frozen=True)
class Stint:
    """One department's hold of a ticket, from a dispatch to a transfer/return (or for good).

    `formal_due` is the last one in force during the stint (approved extensions included);
    `first_action` / `formal_answer` are the department's own, inside the stint.
    """

    department: str
    start: datetime
    response_due: datetime | None
    formal_due: datetime | None
    first_action: datetime | None = None
    formal_answer: datetime | None = None
    end: datetime | None = None
    returned_in_window: bool = False


@dataclass(frozen=True)
class TicketFacts:
    """What the assessment needs of one ticket of the month."""

    ticket_id: int
    stints: tuple[Stint, ...]
    excluded: str | None = None
    """A key of `EXCLUSION_REASONS`, or None: the ticket counts."""
    rating: int | None = None
    """The latest round's rating (1–5); None: 未评价 or not rated yet."""
    rated_department: str | None = None
    """The department whose answer was rated (default: the last stint's)."""

    @property
    def holder(self) -> str | None:
        """The department holding the ticket now (the last stint's)."""
        return self.stints[-1].department if self.stints else None


@dataclass(frozen=True)
class Tally:
    """A department's counts for one month; adding two tallies adds every count."""

    counted: int = 0
    excluded: int = 0
    response_total: int = 0
    response_ok: int = 0
    completion_total: int = 0
    completion_ok: int = 0
    ratings: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)
    """How many ratings of each level, in the order of `RATING_LEVELS` (5 … 1)."""

    def __add__(self, other: Tally) -> Tally:
        r = tuple(a + b for a, b in zip(self.ratings, other.ratings, strict=True))
        return Tally(
            self.counted + other.counted,
            self.excluded + other.excluded,
            self.response_total + other.response_total,
            self.response_ok + other.response_ok,
            self.completion_total + other.completion_total,
            self.completion_ok + other.completion_ok,
            (r[0], r[1], r[2], r[3], r[4]),
        )

    @property
    def rated(self) -> int:
        """How many ratings count in the 满意率 (未评价 is not one)."""
        return sum(self.ratings)


def rating_tally(level: int) -> tuple[int, int, int, int, int]:
    """The `Tally.ratings` of one rating of `level` (1–5)."""
    counts = [0, 0, 0, 0, 0]
    counts[RATING_LEVELS.index(level)] = 1
    return (counts[0], counts[1], counts[2], counts[3], counts[4])


def _measure(done: datetime | None, due: datetime | None, stint: Stint, now: datetime) -> int:
    """1 met, 0 missed, -1 not counted for this stint's department (yet or at all)."""
    if due is None:
        return -1
    held_at_due = stint.end is None or stint.end > due
    if done is not None and done <= due and (stint.end is None or done <= stint.end):
        return 1
    if held_at_due and due <= now:
        return 0
    return -1


_COUNTS = 9
"""A department's counts while adding up, as a plain list (no object per addition):
response_total, response_ok, completion_total, completion_ok, then the five rating levels."""


def _counts(facts: TicketFacts, now: datetime) -> dict[str, list[int]]:
    """`tally_ticket` as plain counters, by department code (the ticket is not excluded)."""
    out: dict[str, list[int]] = {}
    for stint in facts.stints:
        if stint.returned_in_window:
            continue
        r = _measure(stint.first_action, stint.response_due, stint, now)
        c = _measure(stint.formal_answer, stint.formal_due, stint, now)
        if r < 0 and c < 0:
            continue
        v = out.get(stint.department)
        if v is None:
            v = out[stint.department] = [0] * _COUNTS
        v[0] += r >= 0
        v[1] += r == 1
        v[2] += c >= 0
        v[3] += c == 1
    holder = facts.holder
    if facts.rating in RATING_LEVELS:
        rated = facts.rated_department or holder
        if rated:
            v = out.get(rated)
            if v is None:
                v = out[rated] = [0] * _COUNTS
            v[4 + RATING_LEVELS.index(facts.rating)] += 1
    if holder and holder not in out:
        out[holder] = [0] * _COUNTS
    return out


def _tally(counted: int, excluded: int, v: list[int]) -> Tally:
    return Tally(counted, excluded, v[0], v[1], v[2], v[3], (v[4], v[5], v[6], v[7], v[8]))


def tally_ticket(facts: TicketFacts, now: datetime) -> dict[str, Tally]:
    """The counts one ticket contributes, by department code, as of `now`."""
    holder = facts.holder
    if facts.excluded is not None:
        return {holder: Tally(excluded=1)} if holder else {}
    return {code: _tally(1, 0, v) for code, v in _counts(facts, now).items()}


def tally_month(tickets: Iterable[TicketFacts], now: datetime) -> dict[str, Tally]:
    """The counts of a month's tickets by department (`tally_ticket` of each, added up)."""
    totals: dict[str, list[int]] = {}
    seen: dict[str, list[int]] = {}  # code → [counted, excluded]
    for facts in tickets:
        if facts.excluded is not None:
            if holder := facts.holder:
                totals.setdefault(holder, [0] * _COUNTS)
                seen.setdefault(holder, [0, 0])[1] += 1
            continue
        for code, v in _counts(facts, now).items():
            total = totals.get(code)
            if total is None:
                totals[code] = v
            else:
                for i in range(_COUNTS):
                    total[i] += v[i]
            seen.setdefault(code, [0, 0])[0] += 1
    return {code: _tally(seen[code][0], seen[code][1], v) for code, v in totals.items()}


@dataclass(frozen=True)
class DepartmentResult:
    """A department's line of the month: rates 0–100 (None: nothing to rate), score, rank."""

    department: str
    name: str
    tally: Tally
    response_rate: float | None
    completion_rate: float | None
    satisfaction_rate: float | None
    score: float | None
    rank: int | None = None
    last_place: bool = False
    flag_interview: bool = False
    provisional: bool = False

    def as_json(self) -> dict[str, object]:
        """The line as the `assess --json` output shows it."""
        return {
            "department": self.department,
            "name": self.name,
            "counted": self.tally.counted,
            "excluded": self.tally.excluded,
            "response_rate": self.response_rate,
            "completion_rate": self.completion_rate,
            "satisfaction_rate": self.satisfaction_rate,
            "score": self.score,
            "rank": self.rank,
            "flag_interview": self.flag_interview,
            "provisional": self.provisional,
        }


def _rate(ok: float, total: int, digits: int | None) -> float | None:
    if not total:
        return None
    value = 100.0 * ok / total
    return round(value, digits) if digits is not None else value


def rates(
    t: Tally, policy: AssessmentPolicy, digits: int | None = 2
) -> tuple[float | None, float | None, float | None]:
    """响应率, 办结率, 满意率 of a tally (each 0–100, None without a denominator), rounded to
    `digits` (None: unrounded, as the score uses them)."""
    points = sum(
        n * policy.tiers.get(level, 0.0) for level, n in zip(RATING_LEVELS, t.ratings, strict=True)
    )
    return (
        _rate(t.response_ok, t.response_total, digits),
        _rate(t.completion_ok, t.completion_total, digits),
        _rate(points / 100.0, t.rated, digits),
    )


def score(
    response: float | None,
    completion: float | None,
    satisfaction: float | None,
    policy: AssessmentPolicy,
) -> float | None:
    """The weighted score; a rate with nothing to rate gives its weight to the others."""
    parts = [
        (rate, weight)
        for rate, weight in (
            (response, policy.response_weight),
            (completion, policy.completion_weight),
            (satisfaction, policy.satisfaction_weight),
        )
        if rate is not None and weight > 0
    ]
    total = sum(w for _, w in parts)
    if not parts or total <= 0:
        return None
    return round(sum(r * w for r, w in parts) / total, 2)


def rank_month(
    tallies: Mapping[str, Tally],
    departments: Sequence[tuple[str, str]],
    policy: AssessmentPolicy,
    *,
    provisional: bool,
) -> list[DepartmentResult]:
    """Every department of `departments` ((code, name), in order), ranked by score.

    Ties share a rank (1, 1, 3); departments without a score come last, with no rank. The last
    `interview_bottom` places (with ties) are marked `last_place` when two or more are ranked.
    """
    lines: list[DepartmentResult] = []
    known = {code for code, _ in departments}
    names = dict(departments)
    extra = sorted(code for code in tallies if code not in known)
    for code in [c for c, _ in departments] + extra:
        t = tallies.get(code, Tally())
        r, c, s = rates(t, policy) if t.counted else (None, None, None)
        exact = score(*rates(t, policy, None), policy) if t.counted else None
        lines.append(
            DepartmentResult(
                code, names.get(code, code), t, r, c, s, exact, provisional=provisional
            )
        )
    scored = sorted((x for x in lines if x.score is not None), key=lambda x: -(x.score or 0.0))
    ranks: dict[str, int] = {}
    for i, x in enumerate(scored):
        prev = scored[i - 1] if i else None
        ranks[x.department] = ranks[prev.department] if prev and prev.score == x.score else i + 1
    bottom: set[str] = set()
    if len(scored) >= 2:
        worst = sorted(set(ranks.values()), reverse=True)[: max(policy.interview_bottom, 0)]
        threshold = min(worst) if worst else None
        bottom = {c for c, rk in ranks.items() if threshold is not None and rk >= threshold}
        if len(bottom) == len(scored):  # everyone tied: nobody is behind
            bottom = set()
    ranked = [
        replace(x, rank=ranks[x.department], last_place=x.department in bottom) for x in scored
    ]
    return ranked + [x for x in lines if x.score is None]


def with_interview_flags(
    current: list[DepartmentResult], previous: Sequence[Iterable[DepartmentResult]]
) -> list[DepartmentResult]:
    """`current` with 约谈 flags: last place now and in every month of `previous`.

    `previous` holds the frozen months right before, newest first (`interview_months - 1` of
    them). A provisional month flags nobody; so does a history shorter than required.
    """
    behind = [{x.department for x in month if x.last_place} for month in previous]
    return [
        replace(
            x,
            flag_interview=x.last_place
            and not x.provisional
            and all(x.department in b for b in behind),
        )
        for x in current
    ]


# -- months -----------------------------------------------------------------------------------


def parse_month(text: str) -> date:
    """`YYYY-MM` → the first day of the month; ValueError otherwise."""
    try:
        year, month = (int(p) for p in text.strip().split("-"))
        return date(year, month, 1)
    except (ValueError, TypeError):
        raise ValueError(f"月份格式应为 YYYY-MM：{text!r}") from None


def shift_month(first: date, months: int) -> date:
    """The first day of the month `months` after (negative: before) `first`."""
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_bounds(first: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """[start, end) of the month in the school's zone, as aware datetimes."""
    nxt = shift_month(first, 1)
    return (datetime.combine(first, time(), tz), datetime.combine(nxt, time(), tz))


def frozen_at(first: date, tz: tzinfo, policy: AssessmentPolicy) -> datetime:
    """When the month's results freeze: `freeze_days` after its end."""
    return month_bounds(first, tz)[1] + timedelta(days=policy.freeze_days)


def is_frozen(first: date, now: datetime, tz: tzinfo, policy: AssessmentPolicy) -> bool:
    """Whether the month of `first` is frozen at `now`."""
    return now >= frozen_at(first, tz, policy)


def month_label(first: date) -> str:
    """`YYYY-MM`."""
    return f"{first.year:04d}-{first.month:02d}"
