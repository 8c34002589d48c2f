"""The notification queue (通知队列): rows written in the deciding transaction, sent later.

`enqueue_notice` adds one row per enabled channel and recipient inside the caller's transaction
(idempotent by key: a notice decided twice is queued once), so sending never blocks or breaks
the decision. `send_due_notifications` claims due rows with a lease, sends each outside any
transaction and records sent, retry with back-off, or failed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from xinxiang.config import Config, Department
from xinxiang.notify.base import Notifier, NotifyError
from xinxiang.notify.dingtalk import DingtalkNotifier
from xinxiang.notify.message import Notice, compose
from xinxiang.notify.webhook import WebhookNotifier
from xinxiang.notify.wecom import WecomNotifier
from xinxiang.store.db import Database
from xinxiang.store.models_health import NotificationRow

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)


@dataclass
class NotifyResult:
    """Counts of one sending pass."""

    sent: int = 0
    retried: int = 0
    failed: int = 0


def recipients(department: Department, channel: str, *, leader: bool = False) -> list[str]:
    """The department's (or its leader's) ids on `channel` (from `departments.toml`)."""
    prefix = "leader_" if leader else ""
    field = {"wecom": "wecom_userid", "dingtalk": "dingtalk_userid", "webhook": "webhook_recipient"}
    name = field.get(channel)
    return list(getattr(department, prefix + name)) if name else []


def enqueue_notice(
    session: Session,
    cfg: Config,
    *,
    key: str,
    notice: Notice,
    to: Iterable[Department],
    now: datetime,
    leaders_of: Iterable[Department] = (),
) -> int:
    """Queue `notice` for each enabled channel and recipient of `to` (and of the leaders of
    `leaders_of`); the rows added."""
    text = compose(notice, cfg.tz)
    to, leaders_of = list(to), list(leaders_of)
    added = 0
    targets = {
        (channel, rid)
        for channel in cfg.settings.notify.channels
        for dep in to
        for rid in recipients(dep, channel)
    } | {
        (channel, rid)
        for channel in cfg.settings.notify.channels
        for dep in leaders_of
        for rid in recipients(dep, channel, leader=True)
    }
    for channel, rid in sorted(targets):
        row_key = f"{key}:{channel}:{rid}"
        exists = session.scalar(select(NotificationRow.id).where(NotificationRow.key == row_key))
        if exists is not None:
            continue
        session.add(
            NotificationRow(
                key=row_key,
                channel=channel,
                recipient=rid,
                kind=notice.kind,
                text=text,
                state="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
                last_error="",
            )
        )
        added += 1
    session.flush()
    return added


def build_notifiers(
    cfg: Config, client: httpx.Client, clock: Callable[[], datetime]
) -> dict[str, Notifier]:
    """The enabled channels' notifiers (secrets read from their `*_env` variables)."""
    notify = cfg.settings.notify
    out: dict[str, Notifier] = {}
    for channel in notify.channels:
        if channel == "wecom" and notify.wecom is not None:
            secret = cfg.secret("notify.wecom.secret_env", notify.wecom.secret_env)
            out[channel] = WecomNotifier(notify.wecom, secret, client, clock)
        elif channel == "dingtalk" and notify.dingtalk is not None:
            secret = cfg.secret("notify.dingtalk.app_secret_env", notify.dingtalk.app_secret_env)
            out[channel] = DingtalkNotifier(notify.dingtalk, secret, client, clock)
        elif channel == "webhook" and notify.webhook is not None:
            secret = cfg.secret(
                "notify.webhook.secret_env", notify.webhook.secret_env, required=False
            )
            out[channel] = WebhookNotifier(notify.webhook, secret, client, clock)
    return out


def _claim(db: Database, now: datetime, limit: int) -> list[NotificationRow]:
    with db.unit_of_work() as session:
        rows = list(
            session.scalars(
                select(NotificationRow)
                .where(
                    or_(
                        NotificationRow.state == "pending",
                        (NotificationRow.state == "sending") & (NotificationRow.lease_until < now),
                    ),
                    NotificationRow.next_attempt_at <= now,
                )
                .order_by(NotificationRow.id)
                .limit(limit)
            )
        )
        claimed = []
        for row in rows:
            # A conditional update: another worker that claimed it first wins.
            done = session.execute(
                update(NotificationRow)
                .where(NotificationRow.id == row.id, NotificationRow.state == row.state)
                .values(state="sending", lease_until=now + LEASE)
            )
            if getattr(done, "rowcount", 0) == 1:
                claimed.append(row)
        session.flush()
        session.expunge_all()
    return claimed


def send_due_notifications(
    cfg: Config,
    db: Database,
    notifiers: Mapping[str, Notifier],
    now: datetime,
    *,
    limit: int = 100,
) -> NotifyResult:
    """Send what is due; a retryable failure waits (back-off, or the platform's delay)."""
    notify = cfg.settings.notify
    result = NotifyResult()
    for row in _claim(db, now, limit):
        notifier = notifiers.get(row.channel)
        error: NotifyError | None = None
        if notifier is None:
            error = NotifyError(f"channel {row.channel} is not enabled", retryable=False)
        else:
            try:
                notifier.send(row.recipient, row.text)
            except NotifyError as exc:
                error = exc
        attempts = row.attempts + 1
        values: dict[str, object] = {"attempts": attempts, "lease_until": None}
        if error is None:
            values |= {"state": "sent", "sent_at": now, "last_error": ""}
            result.sent += 1
            log.info("notification sent id=%d channel=%s kind=%s", row.id, row.channel, row.kind)
        elif error.retryable and attempts < notify.max_attempts:
            delay = min(notify.retry_max_seconds, notify.retry_base_seconds * 2 ** (attempts - 1))
            delay = max(delay, error.retry_after or 0)
            values |= {
                "state": "pending",
                "next_attempt_at": now + timedelta(seconds=delay),
                "last_error": str(error),
            }
            result.retried += 1
            log.warning("notification retry id=%d in %.0fs: %s", row.id, delay, error)
        else:
            values |= {"state": "failed", "last_error": str(error)}
            result.failed += 1
            log.error("notification failed id=%d: %s", row.id, error)
        with db.unit_of_work() as session:
            session.execute(
                update(NotificationRow).where(NotificationRow.id == row.id).values(**values)
            )
    return result
