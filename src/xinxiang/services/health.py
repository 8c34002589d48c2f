"""Health of every component (运行状态) and the office's alerts about it (运行告警).

Components are observed where they work — a mailbox poll, an SMTP send, an OA pull — and
recorded (`observe`); the outbox, the shunt and the queue are read by the periodic check
(`check_health`). A component failing longer than its configured time is an incident: the
office is alerted once (by mail and by the notifiers), and once more when it recovers. The
decision is the pure `assess`; the keys of both notices are derived from when the incident
began, so a check run twice, or by two workers, tells the office once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from xinxiang.notify.message import Notice
from xinxiang.notify.queue import enqueue_notice
from xinxiang.outgoing.office import post_office
from xinxiang.replies.mailer import base_context
from xinxiang.replies.render import render
from xinxiang.store.db import Database
from xinxiang.store.models import OutboxRow
from xinxiang.store.models_health import ComponentHealthRow
from xinxiang.store.models_shunt import ShuntRow

if TYPE_CHECKING:
    from xinxiang.config import Config
    from xinxiang.services.context import AppContext

log = logging.getLogger(__name__)

Decision = Literal["alert", "recover"] | None


@dataclass(frozen=True, slots=True)
class State:
    """What is known of one component (a plain copy of its row)."""

    component: str
    ok: bool
    observed_at: datetime
    last_ok_at: datetime | None
    failing_since: datetime | None
    detail: str
    alerted_since: datetime | None


def component_label(component: str) -> str:
    """The component's Chinese name (邮箱 xxx、发信服务器、发件队列、搁置区、OA 接口、任务队列)."""
    kind, _, name = component.partition(":")
    labels = {
        "source": f"邮箱 {name}",
        "smtp": "发信服务器（SMTP）",
        "outbox": "发件队列",
        "shunt": "搁置区",
        "oa": "OA 接口",
        "queue": "任务队列",
    }
    return labels.get(kind, component)


INFORMATIONAL = frozenset({"outbox", "queue"})
"""Shown and measured, never alerted on: an outbox that cannot send is the SMTP server's
incident (alerted as `smtp`), and a queue that does not run cannot run this check either."""


def threshold(cfg: Config, component: str) -> timedelta | None:
    """How long `component` may fail before the office is alerted (None: never)."""
    if component in INFORMATIONAL:
        return None
    health = cfg.settings.health
    kind = component.partition(":")[0]
    minutes = {
        "source": health.mailbox_alert_minutes,
        "smtp": health.smtp_alert_minutes,
        "outbox": health.smtp_alert_minutes,
        "oa": health.oa_alert_minutes,
    }.get(kind, 0.0)
    return timedelta(minutes=minutes)


def assess(state: State, limit: timedelta | None, now: datetime) -> Decision:
    """Alert when failing for `limit` and not yet alerted for this incident; recover when
    an alerted component works again; else nothing."""
    if state.ok:
        return "recover" if state.alerted_since is not None else None
    since = state.failing_since
    if since is None or limit is None or state.alerted_since == since:
        return None
    return "alert" if now - since >= limit else None


def _apply(session: Session, component: str, ok: bool, now: datetime, detail: str) -> None:
    row = session.get(ComponentHealthRow, component)
    if row is None:
        row = ComponentHealthRow(component=component, alerted_since=None, last_ok_at=None)
        session.add(row)
        row.failing_since = None
    row.ok = ok
    row.observed_at = now
    row.detail = detail[:2000]
    if ok:
        row.last_ok_at = now
        row.failing_since = None
    elif row.failing_since is None:
        row.failing_since = now


def observe(db: Database, component: str, ok: bool, now: datetime, detail: str = "") -> None:
    """Record one observation in a transaction of its own; never raises (a database that is
    down must not turn a failed poll into a crash of the poller)."""
    try:
        with db.unit_of_work() as session:
            _apply(session, component, ok, now, detail)
    except SQLAlchemyError as exc:
        log.warning("health %s not recorded: %s", component, exc)


def _state(row: ComponentHealthRow) -> State:
    return State(
        row.component,
        row.ok,
        row.observed_at,
        row.last_ok_at,
        row.failing_since,
        row.detail,
        row.alerted_since,
    )


def states(session: Session) -> list[State]:
    """Every component's state, by name."""
    rows = session.scalars(select(ComponentHealthRow).order_by(ComponentHealthRow.component))
    return [_state(r) for r in rows]


def _observe_derived(session: Session, now: datetime) -> None:
    """The outbox (mail tried and not yet sent), the shunt (items set aside), the queue (this
    check itself ran)."""
    stuck = session.scalar(
        select(func.count())
        .select_from(OutboxRow)
        .where(OutboxRow.state == "pending", OutboxRow.attempts > 0)
    )
    failed = session.scalar(
        select(func.count()).select_from(OutboxRow).where(OutboxRow.state == "failed")
    )
    _apply(session, "outbox", not stuck, now, f"待重发 {stuck} 封，发送失败 {failed} 封")
    shunted = session.scalar(
        select(func.count()).select_from(ShuntRow).where(ShuntRow.state.in_(("open", "retried")))
    )
    _apply(session, "shunt", not shunted, now, f"搁置中 {shunted} 项")
    _apply(session, "queue", True, now, "定时任务运行正常")


def check_health(ctx: AppContext, now: datetime) -> list[tuple[str, str]]:
    """Observe the derived components, then alert or announce recovery where due; the
    (component, decision) pairs acted upon."""
    with ctx.db.unit_of_work() as session:
        _observe_derived(session, now)
    done: list[tuple[str, str]] = []
    with ctx.db.session() as session:
        current = states(session)
    for state in current:
        decision = assess(state, threshold(ctx.cfg, state.component), now)
        if decision is None:
            continue
        with ctx.db.unit_of_work() as session:
            row = session.get(ComponentHealthRow, state.component, with_for_update=True)
            if row is None or assess(_state(row), threshold(ctx.cfg, row.component), now) != (
                decision
            ):
                continue  # another worker acted first
            since = row.failing_since if decision == "alert" else row.alerted_since
            assert since is not None
            _tell_office(ctx, session, row, decision, since, now)
            row.alerted_since = row.failing_since if decision == "alert" else None
        log.warning("health %s component=%s", decision, state.component)
        done.append((state.component, decision))
    return done


def _tell_office(
    ctx: AppContext,
    session: Session,
    row: ComponentHealthRow,
    decision: str,
    since: datetime,
    now: datetime,
) -> None:
    label = component_label(row.component)
    key = f"health:{row.component}:{since.isoformat()}:{decision}"
    kind = "health_alert" if decision == "alert" else "health_recovered"
    text = render(
        "mail/health_alert.txt.j2",
        **base_context(ctx),
        label=label,
        row=row,
        recovered=decision == "recover",
        since=since,
    )
    title = "【系统告警】" if decision == "alert" else "【系统恢复】"
    post_office(ctx, session, key=key, kind=kind, subject=f"{title}{label}", text=text, now=now)
    notice = Notice(
        kind=kind,
        subject=f"{label}{'异常' if decision == 'alert' else '已恢复'}",
        link=ctx.cfg.settings.school.public_url,
    )
    enqueue_notice(session, ctx.cfg, key=key, notice=notice, to=[ctx.cfg.office], now=now)
