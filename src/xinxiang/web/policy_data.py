"""Data of the policy pages and the dashboard's tiles: the 三率 chart and the month's extremes.

Charts come from `reports.charts` and are embedded as `data:` images, so the console's strict
CSP (no inline style or script) holds and the SVG's own stylesheet still applies.
"""

from __future__ import annotations

import base64
import logging
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar, cast

from markupsafe import Markup

from xinxiang.domain.assessment import DepartmentResult
from xinxiang.reports.charts import bar_chart
from xinxiang.services.assessment import assess_month
from xinxiang.services.context import AppContext
from xinxiang.services.topics import TopicReport, hot_topics

T = TypeVar("T")
log = logging.getLogger(__name__)

TOPICS_FRESH = timedelta(minutes=10)
"""Hot topics are clustered at most this often per deployment (the worker's own pass runs every
ten minutes): the clustering costs seconds on a busy window, the dashboard must not."""
TILES_FRESH = timedelta(minutes=10)
"""The dashboard's 三率 tiles are assessed at most this often per deployment and month: the
month's aggregate runs over every ticket that moved in it, so it would be most of a dashboard
load at 100,000 tickets. The `/assessment` page itself always assesses anew."""


class FreshCache:
    """Values computed per deployment context and key, reused while younger than `fresh`.

    Time-bounded, not invalidated by writes: the figures it holds (hot topics, the month's
    ranking tiles) are summaries whose page says when they were computed. A clock going back
    (or a value from the future) counts as stale. The weak reference tells a live context from
    a new one that reuses a freed id.
    """

    def __init__(self, fresh: timedelta, size: int = 64) -> None:
        self.fresh = fresh
        self.size = size
        self._values: dict[tuple[int, object], tuple[weakref.ref[AppContext], datetime, Any]] = {}
        self._lock = threading.Lock()
        self._refreshing: set[tuple[int, object]] = set()

    def get(
        self,
        ctx: AppContext,
        key: object,
        now: datetime,
        compute: Callable[[], T],
        *,
        stale_ok: bool = False,
    ) -> T:
        """The value of `key` for `ctx`: cached if fresh at `now`, else `compute()` (outside the
        lock, so a slow computation blocks no other deployment's reader).

        `stale_ok`: a stale value is returned at once while one background thread computes the
        new one (a slow clustering then delays no page but the very first)."""
        slot = (id(ctx), key)
        with self._lock:
            cached = self._values.get(slot)
            if cached is not None and cached[0]() is ctx:
                _ref, at, value = cached
                if timedelta(0) <= now - at < self.fresh:
                    return cast(T, value)
                if stale_ok:
                    if slot not in self._refreshing:
                        self._refreshing.add(slot)
                        threading.Thread(
                            target=self._refresh, args=(ctx, slot, now, compute), daemon=True
                        ).start()
                    return cast(T, value)
        value = compute()
        self._store(ctx, slot, now, value)
        return value

    def _refresh(
        self, ctx: AppContext, slot: tuple[int, object], now: datetime, compute: Callable[[], T]
    ) -> None:
        try:
            self._store(ctx, slot, now, compute())
        except Exception:  # the stale value stays; the next stale read tries again
            log.exception("refreshing a cached summary failed")
        finally:
            with self._lock:
                self._refreshing.discard(slot)

    def _store(self, ctx: AppContext, slot: tuple[int, object], now: datetime, value: Any) -> None:
        with self._lock:
            if len(self._values) >= self.size:  # dead contexts go first, then everything
                live = {k: v for k, v in self._values.items() if v[0]() is not None}
                self._values = live if len(live) < self.size else {}
            self._values[slot] = (weakref.ref(ctx), now, value)

    def clear(self) -> None:
        """Forget every value (the next `get` computes anew): for benchmarks and operators."""
        with self._lock:
            self._values.clear()


_topics = FreshCache(TOPICS_FRESH)
_tiles = FreshCache(TILES_FRESH)


def forget_tiles() -> None:
    """Drop the cached 三率 tiles of every deployment (hot topics stay cached)."""
    _tiles.clear()


def recent_hot_topics(ctx: AppContext, now: datetime) -> TopicReport:
    """`services.topics.hot_topics`, reused for `TOPICS_FRESH` (per deployment context); once
    stale, the old report is shown while a background thread clusters anew."""
    return _topics.get(ctx, "topics", now, lambda: hot_topics(ctx, now), stale_ok=True)


def svg_image(svg: str, alt: str) -> Markup:
    """An `<img>` carrying the SVG as a data URL (allowed by `img-src 'self' data:`)."""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return Markup('<img class="chart" alt="{}" src="data:image/svg+xml;base64,{}">').format(
        alt, Markup(data)
    )


def this_month(now: datetime, ctx: AppContext) -> date:
    """The first day of the school's current month."""
    return now.astimezone(ctx.cfg.tz).date().replace(day=1)


def score_chart(lines: list[DepartmentResult], title: str) -> Markup | None:
    """The ranking's scores as horizontal bars; None when no department has a score."""
    scored = [x for x in lines if x.score is not None]
    if not scored:
        return None
    svg = bar_chart(
        title,
        [x.name for x in scored],
        [("得分", [round(x.score or 0.0, 1) for x in scored])],
        horizontal=True,
        height=max(160, 40 + 32 * len(scored)),
        max_value=100,
    )
    return svg_image(svg, title)


@dataclass(frozen=True)
class RankTiles:
    """This month's best and worst department in the 三率 ranking, and when it was assessed."""

    top: DepartmentResult | None
    bottom: DepartmentResult | None
    at: datetime


def _rank_tiles(ctx: AppContext, first: date, now: datetime) -> RankTiles:
    ranked = [x for x in assess_month(ctx, first, now) if x.rank is not None]
    return RankTiles(ranked[0] if ranked else None, ranked[-1] if len(ranked) > 1 else None, now)


def dashboard_tiles(ctx: AppContext, now: datetime) -> dict[str, object]:
    """The dashboard's tiles: this month's 三率 top and bottom (assessed at most every
    `TILES_FRESH`), and the hot-topic cluster count (clustered at most every `TOPICS_FRESH`)."""
    first = this_month(now, ctx)
    rank = _tiles.get(ctx, ("rank", first), now, lambda: _rank_tiles(ctx, first, now))
    return {
        "top": rank.top,
        "bottom": rank.bottom,
        "assessed_at": rank.at,
        "clusters": len(recent_hot_topics(ctx, now).clusters),
    }
