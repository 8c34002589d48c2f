"""Each department's own 三率 result and the ranking, mailed once when a month freezes.

Seed 001 "月度考评结果在一定范围公开": when last month has frozen (the same moment the 月报 goes
out, `reports.mailing`), every assessed department gets one mail with its line and the whole
ranking, from `services.assessment.assess_month` (the lines `xinxiang assess` shows). The notice
key `assessment:YYYY-MM:<department>` is unique in `notices` and is written in the transaction
that queues the mail, so workers and restarts send it once per department and month.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from xinxiang.domain.assessment import DepartmentResult, is_frozen, month_label, shift_month
from xinxiang.replies.render import render
from xinxiang.reports.mailing import queue_once
from xinxiang.services.assessment import assess_month, policy_of
from xinxiang.store.models import NoticeRow

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext

TEMPLATE = "mail/assessment_department.txt.j2"
KIND = "assessment_department"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def notice_key(month: str, department: str) -> str:
    """The once-only key of a department's mail for a month."""
    return f"assessment:{month}:{department}"


def compose(
    ctx: AppContext, own: DepartmentResult, lines: list[DepartmentResult], month: str
) -> tuple[list[str], str, str]:
    """The department's mail — recipients, subject, text: its own line and the ranking."""
    cfg = ctx.cfg
    settings = cfg.settings
    dept = next(d for d in cfg.departments if d.code == own.department)
    policy = policy_of(cfg)
    year, mon = month.split("-")
    title = f"{year}年{int(mon)}月"
    text = render(
        TEMPLATE,
        department=dept.name,
        school=settings.school.name,
        month_title=title,
        own=own,
        ranked=sum(1 for x in lines if x.rank is not None),
        lines=lines,
        pct=_pct,
        weights=tuple(
            f"{w * 100:g}"
            for w in (policy.response_weight, policy.completion_weight, policy.satisfaction_weight)
        ),
        office=cfg.office.name,
    )
    return list(dept.emails), f"【月度考评】{title} 本单位三率考评结果", text


def queue_assessment_mails(ctx: AppContext, now: datetime) -> list[str]:
    """Once last month has frozen, queue each assessed department's mail not sent yet; the keys."""
    cfg = ctx.cfg
    first = shift_month(now.astimezone(cfg.tz).date().replace(day=1), -1)
    if not is_frozen(first, now, cfg.tz, policy_of(cfg)):
        return []
    month = month_label(first)
    keys = {d.code: notice_key(month, d.code) for d in cfg.departments if not d.office}
    with ctx.db.unit_of_work() as session:
        sent = set(
            session.execute(select(NoticeRow.key).where(NoticeRow.key.in_(keys.values())))
            .scalars()
            .all()
        )
    if sent >= set(keys.values()):
        return []
    lines = assess_month(ctx, first, now)
    queued: list[str] = []
    for own in lines:
        key = keys.get(own.department)
        if key is None or key in sent:
            continue
        to, subject, text = compose(ctx, own, lines, month)
        if queue_once(ctx, key, KIND, to, subject, text, now):
            queued.append(key)
    return queued
