"""ORM tables of health (运行状态) and of the notification queue (通知队列).

`component_health` holds one row per component (a mailbox source, the SMTP server, the outbox,
the shunt, the OA link, the queue): its last observation, since when it fails, and the incident
the office was told about. `notifications` is the durable queue of messages to the notifiers
(企业微信, 钉钉, webhook), written in the deciding transaction and sent later with a lease,
retry and back-off, idempotent by key. Kept apart from `store.models` (same `Base`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinxiang.store.models import Base


class ComponentHealthRow(Base):
    """The state of one component, as last observed where it works."""

    __tablename__ = "component_health"

    component: Mapped[str] = mapped_column(String(80), primary_key=True)
    ok: Mapped[bool]
    observed_at: Mapped[datetime]
    last_ok_at: Mapped[datetime | None]
    failing_since: Mapped[datetime | None]
    detail: Mapped[str] = mapped_column(Text, default="")
    alerted_since: Mapped[datetime | None]
    """The `failing_since` of the incident the office was alerted about (None: none open)."""


NOTIFICATION_STATES = ("pending", "sending", "sent", "failed")


class NotificationRow(Base):
    """One message to one recipient on one channel (idempotent by `key`)."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    channel: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
