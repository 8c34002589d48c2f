"""The monthly assessment of a deployment (月度考评): counts, freezing, ranking, 约谈 flags.

`assess_month` reads a month's counts (stored ones for a frozen month, else the aggregate query
of `store.assessment`), stores them once the month has frozen, ranks the departments and sets
the 约谈 flag from the frozen months before it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError

from xinxiang.domain.assessment import (
    AssessmentPolicy,
    DepartmentResult,
    Tally,
    frozen_at,
    is_frozen,
    month_bounds,
    month_label,
    rank_month,
    shift_month,
    with_interview_flags,
)
from xinxiang.store.assessment import load_frozen, month_tallies, store_frozen

if TYPE_CHECKING:
    from xinxiang.config import Config
    from xinxiang.services.context import AppContext


def policy_of(cfg: Config) -> AssessmentPolicy:
    """The assessment settings of a deployment."""
    a = cfg.settings.assessment
    return AssessmentPolicy(
        response_weight=a.response_weight,
        completion_weight=a.completion_weight,
        satisfaction_weight=a.satisfaction_weight,
        tiers={int(k): float(v) for k, v in a.tiers.items()},
        freeze_days=a.freeze_days,
        interview_months=a.interview_months,
        interview_bottom=a.interview_bottom,
    )


def assessed_departments(cfg: Config) -> list[tuple[str, str]]:
    """(code, name) of the departments that handle tickets (the office is not assessed)."""
    return [(d.code, d.name) for d in cfg.departments if not d.office]


def month_counts(ctx: AppContext, first: date, now: datetime) -> tuple[dict[str, Tally], bool]:
    """The month's counts and whether they are provisional; a frozen month is stored once."""
    policy = policy_of(ctx.cfg)
    tz = ctx.cfg.tz
    label = month_label(first)
    frozen = is_frozen(first, now, tz, policy)
    with ctx.db.unit_of_work() as session:
        if frozen and (stored := load_frozen(session, label)) is not None:
            return stored, False
        start, end = month_bounds(first, tz)
        tallies = month_tallies(session, start, end, now)
    if frozen:
        try:
            with ctx.db.unit_of_work() as session:
                store_frozen(session, label, tallies, frozen_at(first, tz, policy), now)
        except IntegrityError:  # another process stored it first: read theirs
            with ctx.db.unit_of_work() as session:
                return load_frozen(session, label) or tallies, False
    return tallies, not frozen


def ranked_month(ctx: AppContext, first: date, now: datetime) -> list[DepartmentResult]:
    """The month's ranking without 约谈 flags."""
    tallies, provisional = month_counts(ctx, first, now)
    return rank_month(
        tallies, assessed_departments(ctx.cfg), policy_of(ctx.cfg), provisional=provisional
    )


def assess_month(ctx: AppContext, first: date, now: datetime) -> list[DepartmentResult]:
    """Every department's line of the month, ranked, with the 约谈 flags."""
    policy = policy_of(ctx.cfg)
    current = ranked_month(ctx, first, now)
    if any(x.provisional for x in current):
        return current
    previous = [
        ranked_month(ctx, shift_month(first, -k), now) for k in range(1, policy.interview_months)
    ]
    return with_interview_flags(current, previous)
