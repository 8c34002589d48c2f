"""Pages of the policy's second half: the monthly 三率 ranking and the hot topics.

`/assessment?month=YYYY-MM` shows `services.assessment.assess_month` — the same lines as
`xinxiang assess` — to every staff account (seed 001 "月度考评结果在一定范围公开"); a department's
or leader's own rows are highlighted, 约谈 flags are for the office and leaders only. `/topics`
shows `services.topics.hot_topics` to the office, leaders and auditors. Charts come from
`reports.charts` (see `policy_data`).
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from xinxiang.domain.assessment import parse_month
from xinxiang.services.assessment import assess_month
from xinxiang.web.permissions import allowed
from xinxiang.web.policy_data import recent_hot_topics, score_chart, this_month
from xinxiang.web.render import page
from xinxiang.web.views_staff import require

RISING_LABELS = {"previous": "较上一周期", "last_year": "较去年同期"}


async def assessment(request: Request) -> Response:
    """`/assessment?month=YYYY-MM`: the month's 三率 ranking (预估 while not frozen)."""
    state = request.app.state
    now = state.clock()
    with state.ctx.db.session() as session:
        actor = require(request, session, "view-assessment")
    text = request.query_params.get("month", "")
    try:
        first = parse_month(text) if text else this_month(now, state.ctx)
    except ValueError:
        raise HTTPException(400, "月份格式应为 YYYY-MM") from None
    lines = assess_month(state.ctx, first, now)
    label = f"{first.year}-{first.month:02d}"
    return page(
        request,
        "assessment.html",
        title=f"{first.year}年{first.month}月 三率考评",
        month=first,
        label=label,
        lines=lines,
        provisional=any(x.provisional for x in lines),
        mine=actor.departments,
        show_flags=allowed(actor, "view-interview-flags"),
        chart=score_chart(lines, f"{first.year}年{first.month}月 三率得分"),
    )


async def topics(request: Request) -> Response:
    """`/topics`: clusters of similar letters, rising categories, recurring matters."""
    state = request.app.state
    now = state.clock()
    with state.ctx.db.session() as session:
        require(request, session, "view-topics")
    report = await run_in_threadpool(recent_hot_topics, state.ctx, now)
    return page(
        request,
        "topics.html",
        title="热点问题",
        r=report,
        rising_labels=RISING_LABELS,
    )
