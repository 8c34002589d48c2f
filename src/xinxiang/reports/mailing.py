"""Reports mailed on schedule to the office and the leaders, each once, through the outbox.

* 周报: from Monday 08:00 (school time), last week's report (PDF and XLSX attached);
* 月报: once the month has frozen (7 days after its end: late ratings count), its report;
* 每日零报告 (seed 002 第三条, switched on by the office for sensitive periods): from 08:00,
  yesterday's figures — also, and especially, when nothing happened.

Each report's notice key (`report:weekly:2026-W49`, `report:monthly:2026-11`,
`report:daily:2026-12-06`) is unique in `notices`, so workers and restarts send it once; the
key is checked before the PDF is made, and written in the transaction that queues the mail.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from xinxiang.domain.assessment import is_frozen, shift_month
from xinxiang.outgoing.office import post_mail
from xinxiang.replies.mailer import text_to_html
from xinxiang.reports.data import Period, month_period, period_report, week_period
from xinxiang.reports.render import render_report_pdf, render_report_xlsx
from xinxiang.services.assessment import policy_of
from xinxiang.services.office import list_overdue
from xinxiang.store.models import EventRow, NoticeRow, TicketRow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from xinxiang.services.context import AppContext

SEND_AT = time(8, 0)
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class DueReport:
    """A report whose time has come: its notice key, kind and period."""

    key: str
    kind: str
    period: Period | None
    day: str = ""


def recipients(ctx: AppContext) -> list[str]:
    """The office, the departments' supervising leaders and the configured extra leaders."""
    cfg = ctx.cfg
    leaders = {d.leader for d in cfg.departments if not d.office}
    return sorted(set(cfg.office.emails) | leaders | set(cfg.settings.reports.leaders))


def due_reports(ctx: AppContext, now: datetime) -> list[DueReport]:
    """The reports due at `now` (whether already sent is checked by the caller)."""
    settings = ctx.cfg.settings.reports
    tz = ctx.cfg.tz
    local = now.astimezone(tz)
    after_eight = local.time() >= SEND_AT
    out: list[DueReport] = []
    if settings.weekly and (local.weekday() > 0 or after_eight):
        week = week_period(None, now, tz)
        out.append(DueReport(f"report:weekly:{week.label}", "weekly", week))
    last_month = shift_month(local.date().replace(day=1), -1)
    if settings.monthly and is_frozen(last_month, now, tz, policy_of(ctx.cfg)):
        month = month_period(None, now, tz)
        out.append(DueReport(f"report:monthly:{month.label}", "monthly", month))
    if settings.daily_zero_report and after_eight:
        day = (local.date() - timedelta(days=1)).isoformat()
        out.append(DueReport(f"report:daily:{day}", "daily", None, day))
    return out


def _sent(session: Session, key: str) -> bool:
    return session.execute(select(NoticeRow.id).where(NoticeRow.key == key)).first() is not None


def _daily_text(ctx: AppContext, day: str, now: datetime) -> tuple[str, str]:
    tz = ctx.cfg.tz
    start = datetime.combine(datetime.fromisoformat(day).date(), time(), tz)
    end = start + timedelta(days=1)
    with ctx.db.unit_of_work() as s:
        received = int(
            s.execute(
                select(func.count(TicketRow.id)).where(
                    TicketRow.created_at >= start, TicketRow.created_at < end
                )
            ).scalar_one()
        )
        counts = dict(
            s.execute(
                select(EventRow.kind, func.count())
                .where(EventRow.at >= start, EventRow.at < end)
                .where(EventRow.kind.in_(("dispatched", "answered")))
                .group_by(EventRow.kind)
            ).all()
        )
    overdue = len(list_overdue(ctx, now))
    school = ctx.cfg.settings.school.name
    lines = [
        f"{school}书记校长信箱每日情况（{day}）",
        "",
        f"新收来信：{received} 件",
        f"转办：{int(counts.get('dispatched', 0))} 件",
        f"答复来信人：{int(counts.get('answered', 0))} 次",
        f"当前逾期时限：{overdue} 项",
        "",
        "今日零报告：无新增来信。" if received == 0 else "详情请见管理后台。",
    ]
    return f"【每日零报告】书记校长信箱 {day}", "\n".join(lines)


Attachment = tuple[str, str, bytes]


def _compose(ctx: AppContext, due: DueReport, now: datetime) -> tuple[str, str, list[Attachment]]:
    """The subject, text and attachments of the report `due`."""
    settings = ctx.cfg.settings
    if due.period is None:
        subject, text = _daily_text(ctx, due.day, now)
        return subject, text, []
    data = period_report(ctx, due.period, now)
    name = "周报" if due.kind == "weekly" else "月报"
    subject = f"【{name}】书记校长信箱 {due.period.title}"
    text = (
        f"{settings.school.name}书记校长信箱{name}（{due.period.title}）见附件："
        "来信分类、按时办理、逾期与延期、满意度和三率考评排名，并与上期比较。"
    )
    tz = settings.school.timezone
    base = f"xinxiang-{due.kind}-{due.period.label}"
    attachments = [
        (f"{base}.pdf", PDF, render_report_pdf(data, settings.school.name, tz)),
        (f"{base}.xlsx", XLSX, render_report_xlsx(data, tz)),
    ]
    return subject, text, attachments


def queue_due_reports(ctx: AppContext, now: datetime) -> list[str]:
    """Queue every report due at `now` and not sent yet; the keys queued."""
    queued: list[str] = []
    for due in due_reports(ctx, now):
        with ctx.db.unit_of_work() as session:
            if _sent(session, due.key):
                continue
        subject, text, attachments = _compose(ctx, due, now)
        kind = f"report_{due.kind}"
        if queue_once(ctx, due.key, kind, recipients(ctx), subject, text, now, attachments):
            queued.append(due.key)
    return queued


def queue_once(
    ctx: AppContext,
    key: str,
    kind: str,
    to: Sequence[str],
    subject: str,
    text: str,
    now: datetime,
    attachments: Sequence[Attachment] = (),
) -> bool:
    """Post a mail to staff `to` through the door under notice key `key`, in one transaction;
    False if it was queued before (by this or another worker)."""
    try:
        with ctx.db.unit_of_work() as session:
            session.add(NoticeRow(key=key, ticket_id=0, at=now))
            session.flush()
            post_mail(
                ctx,
                session,
                key=key,
                kind=kind,
                to=to,
                subject=subject,
                text=text,
                html=text_to_html(text, subject),
                now=now,
                attachments=attachments,
            )
    except IntegrityError:
        return False  # another worker queued it first
    return True
