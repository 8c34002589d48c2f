"""Data of the policy pages and the dashboard's tiles: the 三率 chart and the month's extremes.

Charts come from `reports.charts` and are embedded as `data:` images, so the console's strict
CSP (no inline style or script) holds and the SVG's own stylesheet still applies.
"""

from __future__ import annotations

import base64
import threading
import weakref
from datetime import date, datetime, timedelta

from markupsafe import Markup

from xinxiang.domain.assessment import DepartmentResult
from xinxiang.reports.charts import bar_chart
from xinxiang.services.assessment import assess_month
from xinxiang.services.context import AppContext
from xinxiang.services.topics import TopicReport, hot_topics

TOPICS_FRESH = timedelta(minutes=10)
"""Hot topics are clustered at most this often per deployment (the worker's own pass runs every
ten minutes): the clustering costs seconds on a busy window, the dashboard must not."""
_topics: dict[int, tuple[weakref.ref[AppContext], datetime, TopicReport]] = {}
_topics_lock = threading.Lock()


def recent_hot_topics(ctx: AppContext, now: datetime) -> TopicReport:
    """`services.topics.hot_topics`, reused for `TOPICS_FRESH` (per deployment context)."""
    with _topics_lock:
        cached = _topics.get(id(ctx))
        # The weak reference tells a live context from a new one that reuses a freed id.
        if cached is not None and cached[0]() is ctx:
            _ref, at, report = cached
            if timedelta(0) <= now - at < TOPICS_FRESH:
                return report
    report = hot_topics(ctx, now)
    with _topics_lock:
        _topics[id(ctx)] = (weakref.ref(ctx), now, report)
    return report


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


def dashboard_tiles(ctx: AppContext, now: datetime) -> dict[str, object]:
    """The dashboard's tiles: this month's 三率 top and bottom, and the hot-topic cluster count."""
    ranked = [x for x in assess_month(ctx, this_month(now, ctx), now) if x.rank is not None]
    return {
        "top": ranked[0] if ranked else None,
        "bottom": ranked[-1] if len(ranked) > 1 else None,
        "clusters": len(recent_hot_topics(ctx, now).clusters),
    }
