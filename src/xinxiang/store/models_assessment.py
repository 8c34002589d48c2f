"""ORM tables of the monthly assessment (月度考评): the frozen months and their counts.

A month's counts are stored once it freezes (7 days after its end by default), so that later
changes — a rating entered afterwards, an exclusion decided later — do not rewrite a published
ranking. Rates, scores and ranks are derived from the counts with the current settings.
Kept apart from `store.models` (same `Base`); `store.models` imports it for `Base.metadata`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from xinxiang.store.models import Base


class AssessmentMonthRow(Base):
    """A frozen month (`YYYY-MM`): its results are stored and no longer recomputed."""

    __tablename__ = "assessment_months"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    frozen_at: Mapped[datetime]
    computed_at: Mapped[datetime]


class AssessmentResultRow(Base):
    """One department's counts of a frozen month (`domain.assessment.Tally`)."""

    __tablename__ = "assessment_results"
    __table_args__ = (UniqueConstraint("month", "department_code", name="uq_assessment_result"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(ForeignKey("assessment_months.month"), index=True)
    department_code: Mapped[str] = mapped_column(String(40))
    counted: Mapped[int] = mapped_column(Integer)
    excluded: Mapped[int] = mapped_column(Integer)
    response_total: Mapped[int] = mapped_column(Integer)
    response_ok: Mapped[int] = mapped_column(Integer)
    completion_total: Mapped[int] = mapped_column(Integer)
    completion_ok: Mapped[int] = mapped_column(Integer)
    ratings: Mapped[list[Any]] = mapped_column(JSON)
    """Counts of ratings 5 … 1 (非常满意 … 非常不满意)."""
