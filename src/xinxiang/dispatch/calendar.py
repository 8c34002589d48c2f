"""The official Chinese working calendar plus the office's overrides (`calendar.toml`).

Working days come from `chinese_calendar` (the State Council schedule, including 调休 make-up
working days). `calendar.toml` adds per-year overrides — extra holidays and extra working days,
which win over the package — and, for a year the package has no data for yet, the whole
schedule once the State Council publishes it (`verified = true`). Until then such a year falls
back to weekends-only, a warning is logged once per process, and its dates are not `verified`,
so every deadline computed over them says `calendar_verified = false`.

The same file carries the `[policy]` table: every number of the deadline rules.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import chinese_calendar
from chinese_calendar.constants import Holiday
from pydantic import Field, field_validator

from xinxiang.config import Config, Strict, read_toml, validate_model
from xinxiang.domain.deadlines import DeadlinePolicy
from xinxiang.errors import ConfigError

log = logging.getLogger(__name__)

CALENDAR_FILE = "calendar.toml"

# Years already warned about in this process: the warning is for the operator's log, once.
_warned_years: set[int] = set()

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_CHINESE_HOLIDAY_NAMES: dict[str, str] = {
    h.value: str(getattr(h, "chinese", h.value)) for h in Holiday
}
_WEEKDAYS = "一二三四五六日"


def _hhmm(value: str) -> str:
    if not _HHMM.match(value):
        raise ValueError(f"expected a time as HH:MM (00:00-23:59), got {value!r}")
    return value


class PolicySection(Strict):
    """`[policy]`: the numbers of the deadline rules (all optional; defaults = school policy)."""

    cutoff: str = "22:00"
    late_due_time: str = "10:00"
    response_days: int = Field(default=1, ge=1, le=30)
    track1_days: int = Field(default=1, ge=1, le=30)
    track2_days: int = Field(default=2, ge=1, le=30)
    track3_days: int = Field(default=3, ge=1, le=30)
    emergency_response_minutes: int = Field(default=60, ge=1)
    emergency_resolution_minutes: int = Field(default=120, ge=1)
    priority_hours: int = Field(default=24, ge=1)
    dispatch_hours: int = Field(default=24, ge=1)
    return_window_minutes: int = Field(default=60, ge=1)
    cohandler_days: int = Field(default=1, ge=1, le=30)
    extension_max_days: int = Field(default=5, ge=0, le=60)
    revisit_hours: int = Field(default=48, ge=1)
    staged_reminder_days: int = Field(default=7, ge=1)
    reminder_halfway: bool = True
    reminder_lead_minutes: list[int] = Field(default_factory=lambda: [120])
    escalation_working_days: int = Field(default=1, ge=0, le=30)

    @field_validator("cutoff", "late_due_time")
    @classmethod
    def _time(cls, value: str) -> str:
        return _hhmm(value)

    @field_validator("reminder_lead_minutes")
    @classmethod
    def _leads(cls, value: list[int]) -> list[int]:
        if any(v < 1 for v in value):
            raise ValueError("every lead time must be at least 1 minute")
        return value

    def to_policy(self) -> DeadlinePolicy:
        """The pure-domain policy object."""
        ch, cm = (int(x) for x in self.cutoff.split(":"))
        lh, lm = (int(x) for x in self.late_due_time.split(":"))
        return DeadlinePolicy(
            cutoff=time(ch, cm),
            late_due_time=time(lh, lm),
            response_days=self.response_days,
            track1_days=self.track1_days,
            track2_days=self.track2_days,
            track3_days=self.track3_days,
            emergency_response=timedelta(minutes=self.emergency_response_minutes),
            emergency_resolution=timedelta(minutes=self.emergency_resolution_minutes),
            priority_formal=timedelta(hours=self.priority_hours),
            dispatch_window=timedelta(hours=self.dispatch_hours),
            return_window=timedelta(minutes=self.return_window_minutes),
            cohandler_days=self.cohandler_days,
            extension_max=timedelta(days=self.extension_max_days),
            revisit_after=timedelta(hours=self.revisit_hours),
            staged_interval=timedelta(days=self.staged_reminder_days),
            reminder_halfway=self.reminder_halfway,
            reminder_leads=tuple(
                sorted({timedelta(minutes=m) for m in self.reminder_lead_minutes})
            ),
            escalation_working_days=self.escalation_working_days,
        )


class YearSection(Strict):
    """`[[year]]`: overrides for one year; `verified = true` declares the year fully covered."""

    year: int = Field(ge=2000, le=2100)
    verified: bool = False
    source: str = ""
    holidays: list[date] = Field(default_factory=list)
    workdays: list[date] = Field(default_factory=list)


class CalendarFile(Strict):
    """The whole `calendar.toml`."""

    policy: PolicySection = PolicySection()
    years: list[YearSection] = Field(default_factory=list, alias="year")


@dataclass(frozen=True)
class YearOverrides:
    """The office's overrides for one year."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    verified: bool = False
    source: str = ""


def package_covers(year: int) -> bool:
    """True when chinese_calendar ships the State Council schedule for `year`."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


class ChineseWorkingCalendar:
    """`WorkingCalendar` on chinese_calendar, with per-year overrides that win over it."""

    def __init__(self, overrides: dict[int, YearOverrides] | None = None) -> None:
        self._overrides: dict[int, YearOverrides] = dict(overrides or {})
        self._covered: dict[int, bool] = {}
        self._cache: dict[date, bool] = {}

    def _package_covers(self, year: int) -> bool:
        known = self._covered.get(year)
        if known is None:
            known = self._covered[year] = package_covers(year)
        return known

    def covered(self, year: int) -> bool:
        """True when `year` rests on official data: the package's, or the office's (verified)."""
        if self._package_covers(year):
            return True
        ov = self._overrides.get(year)
        return ov is not None and ov.verified

    def verified(self, d: date) -> bool:
        """True when the answer for `d` is official rather than a weekends-only guess."""
        return self.covered(d.year)

    def is_workday(self, d: date) -> bool:
        """True on working days, including 调休 make-up days; overrides win."""
        hit = self._cache.get(d)
        if hit is None:
            hit = self._cache[d] = self._compute(d)
        return hit

    def _compute(self, d: date) -> bool:
        ov = self._overrides.get(d.year)
        if ov is not None:
            if d in ov.holidays:
                return False
            if d in ov.workdays:
                return True
        if self._package_covers(d.year):
            return bool(chinese_calendar.is_workday(d))
        if not self.covered(d.year) and d.year not in _warned_years:
            _warned_years.add(d.year)
            log.warning(
                "no official working calendar for %d: using weekends only; deadlines are marked "
                "calendar_verified=false until the year is added to %s",
                d.year,
                CALENDAR_FILE,
            )
        return d.weekday() < 5

    def holidays(self, year: int) -> list[date]:
        """Days off in `year` that would otherwise be working days, plus named holiday days."""
        ov = self._overrides.get(year, YearOverrides())
        return [
            d
            for d in _year_dates(year)
            if not self.is_workday(d)
            and (d.weekday() < 5 or d in ov.holidays or bool(self.holiday_name(d)))
        ]

    def makeup_workdays(self, year: int) -> list[date]:
        """调休: working days that fall on a Saturday or Sunday."""
        return [d for d in _year_dates(year) if d.weekday() >= 5 and self.is_workday(d)]

    def holiday_name(self, d: date) -> str:
        """The Chinese name of the holiday `d` belongs to (or is made up for), else ''."""
        ov = self._overrides.get(d.year)
        if ov is not None and (d in ov.holidays or d in ov.workdays):
            return "学校调整" if self._package_covers(d.year) else ""
        if not self._package_covers(d.year):
            return ""
        _, name = chinese_calendar.get_holiday_detail(d)
        return _CHINESE_HOLIDAY_NAMES.get(name, name) if name else ""

    def source(self, year: int) -> str:
        """Where the schedule of `year` comes from, in Chinese, for the office."""
        if self._package_covers(year):
            extra = "（含本校调整）" if year in self._overrides else ""
            return f"国务院办公厅放假安排（chinese_calendar 数据）{extra}"
        ov = self._overrides.get(year)
        if ov is not None and ov.verified:
            return f"本校 {CALENDAR_FILE} 录入" + (f"：{ov.source}" if ov.source else "")
        return "无官方数据：仅按周六、周日休息推算"


def _year_dates(year: int) -> Iterable[date]:
    d = date(year, 1, 1)
    while d.year == year:
        yield d
        d += timedelta(days=1)


def format_day(d: date) -> str:
    """`2026-10-08（周四）`."""
    return f"{d.isoformat()}（周{_WEEKDAYS[d.weekday()]}）"


def _check(path: Path, data: CalendarFile) -> dict[int, YearOverrides]:
    out: dict[int, YearOverrides] = {}
    for i, ys in enumerate(data.years):
        key = f"year[{i}]"
        if ys.year in out:
            raise ConfigError(str(path), f"{key}.year", f"year {ys.year} is listed twice")
        for field_name, days in (("holidays", ys.holidays), ("workdays", ys.workdays)):
            seen: set[date] = set()
            for j, d in enumerate(days):
                if d.year != ys.year:
                    raise ConfigError(
                        str(path),
                        f"{key}.{field_name}[{j}]",
                        f"{d.isoformat()} is not in {ys.year}",
                    )
                if d in seen:
                    raise ConfigError(
                        str(path), f"{key}.{field_name}[{j}]", f"{d.isoformat()} is listed twice"
                    )
                seen.add(d)
        both = set(ys.holidays) & set(ys.workdays)
        if both:
            first = min(both)
            j = ys.workdays.index(first)
            raise ConfigError(
                str(path),
                f"{key}.workdays[{j}]",
                f"{first.isoformat()} is listed both as a holiday and as a working day",
            )
        out[ys.year] = YearOverrides(
            holidays=frozenset(ys.holidays),
            workdays=frozenset(ys.workdays),
            verified=ys.verified,
            source=ys.source,
        )
    return out


def _load_file(path: Path) -> tuple[CalendarFile, dict[int, YearOverrides]]:
    raw: dict[str, Any] = read_toml(path)
    data = validate_model(path, CalendarFile, raw)
    return data, _check(path, data)


def load_calendar(path: Path | None) -> ChineseWorkingCalendar:
    """The working calendar with the overrides of `path` (None: the package's data only)."""
    if path is None:
        return ChineseWorkingCalendar()
    _, overrides = _load_file(path)
    return ChineseWorkingCalendar(overrides)


def load_policy(path: Path | None) -> DeadlinePolicy:
    """The deadline policy from the `[policy]` table of `path` (None: the defaults)."""
    if path is None:
        return DeadlinePolicy()
    data, _ = _load_file(path)
    try:
        return data.policy.to_policy()
    except ValueError as exc:
        raise ConfigError(str(path), "policy", str(exc)) from None


def calendar_path_for(cfg: Config) -> Path | None:
    """`calendar.toml` next to xinxiang.toml, or None when the deployment has none."""
    path = cfg.directory / CALENDAR_FILE
    return path if path.exists() else None


def load_calendar_for(cfg: Config) -> ChineseWorkingCalendar:
    """The deployment's working calendar (validates `calendar.toml`; `config check` calls it)."""
    return load_calendar(calendar_path_for(cfg))


def load_policy_for(cfg: Config) -> DeadlinePolicy:
    """The deployment's deadline policy (`[policy]` of calendar.toml, defaults when absent)."""
    return load_policy(calendar_path_for(cfg))
