"""Sending the outbox: claim a row, send it, record the result; retry with back-off.

A row is claimed with a lease (`claimed_until`) by a conditional UPDATE, so two workers never
send the same row at once; a worker killed mid-send leaves a lease that expires and the row is
sent again with the same Message-ID — a recognisable resend, never a different mail.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, or_, select, update

from xinxiang.logs import log_event
from xinxiang.replies.transport import Transport, TransportError
from xinxiang.services.context import AppContext
from xinxiang.store.models import OutboxRow
from xinxiang.store.repo import add_event

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OutboxResult:
    """Counts of one sending pass."""

    sent: int = 0
    retried: int = 0
    failed: int = 0


def backoff(attempts: int, base: float, cap: float) -> timedelta:
    """Exponential back-off with ±20 % jitter, capped."""
    delay = min(cap, base * (2 ** max(0, attempts - 1)))
    return timedelta(seconds=delay * random.uniform(0.8, 1.2))


def _due_ids(ctx: AppContext, now: datetime, limit: int) -> list[int]:
    with ctx.db.unit_of_work() as session:
        return list(
            session.execute(
                select(OutboxRow.id)
                .where(
                    or_(
                        (OutboxRow.state == "pending") & (OutboxRow.next_attempt_at <= now),
                        (OutboxRow.state == "sending") & (OutboxRow.claimed_until < now),
                    )
                )
                .order_by(OutboxRow.next_attempt_at, OutboxRow.id)
                .limit(limit)
            ).scalars()
        )


def _claim(ctx: AppContext, row_id: int, now: datetime) -> OutboxRow | None:
    lease = timedelta(seconds=ctx.cfg.settings.smtp.send_lease_seconds)
    with ctx.db.unit_of_work() as session:
        result = session.execute(
            update(OutboxRow)
            .where(
                OutboxRow.id == row_id,
                or_(
                    OutboxRow.state == "pending",
                    (OutboxRow.state == "sending") & (OutboxRow.claimed_until < now),
                ),
            )
            .values(state="sending", claimed_until=now + lease, attempts=OutboxRow.attempts + 1)
        )
        if cast(CursorResult[Any], result).rowcount != 1:
            return None
        row = session.get(OutboxRow, row_id)
        assert row is not None
        session.expunge(row)
        return row


def _materialize(ctx: AppContext, row_id: int, now: datetime) -> bytes | None:
    """Render a row written unrendered (receipts) and store the bytes, so that any resend is
    byte-identical; a receipt that is no longer wanted is marked `skipped`."""
    from xinxiang.replies.ack import ACK_KIND, render_ack

    with ctx.db.unit_of_work() as session:
        row = session.get(OutboxRow, row_id)
        if row is None:
            return None
        if row.raw is not None:
            return row.raw
        raw = render_ack(ctx, session, row) if row.kind == ACK_KIND else None
        if raw is None:
            row.state = "skipped"
            row.claimed_until = None
            if row.ticket_id is not None:
                add_event(
                    session,
                    row.ticket_id,
                    now,
                    "system",
                    "mail_skipped",
                    mail_kind=row.kind,
                    reason="superseded by a template answer",
                )
            return None
        row.raw = raw
        return raw


def send_due(
    ctx: AppContext, transport: Transport, now: datetime, *, limit: int = 200
) -> OutboxResult:
    """Send every due outbox row once; failures are rescheduled or marked failed."""
    smtp = ctx.cfg.settings.smtp
    sent = retried = failed = 0
    for row_id in _due_ids(ctx, now, limit):
        row = _claim(ctx, row_id, now)
        if row is None:
            continue
        raw = row.raw if row.raw is not None else _materialize(ctx, row_id, now)
        if raw is None:
            continue
        row.raw = raw
        try:
            transport.send(row.sender, row.recipients, raw, row.message_id)
        except TransportError as exc:
            final = exc.permanent or row.attempts >= smtp.max_attempts
            with ctx.db.unit_of_work() as session:
                session.execute(
                    update(OutboxRow)
                    .where(OutboxRow.id == row_id)
                    .values(
                        state="failed" if final else "pending",
                        claimed_until=None,
                        last_error=str(exc)[:2000],
                        next_attempt_at=now
                        + backoff(row.attempts, smtp.retry_base_seconds, smtp.retry_max_seconds),
                    )
                )
                if final and row.ticket_id is not None:
                    add_event(
                        session,
                        row.ticket_id,
                        now,
                        "system",
                        "mail_failed",
                        message_id=row.message_id,
                        mail_kind=row.kind,
                        error=str(exc)[:500],
                    )
            if final:
                failed += 1
            else:
                retried += 1
            # The error text can quote recipients: it stays in outbox.last_error, not the log.
            log_event(
                "mail_failed" if final else "mail_retry",
                level=logging.WARNING,
                outbox=row_id,
                ticket_id=row.ticket_id,
                kind=row.kind,
                attempt=row.attempts,
                permanent=exc.permanent,
            )
            continue
        with ctx.db.unit_of_work() as session:
            session.execute(
                update(OutboxRow)
                .where(OutboxRow.id == row_id)
                .values(state="sent", sent_at=now, claimed_until=None, last_error=None)
            )
            if row.ticket_id is not None:
                add_event(
                    session,
                    row.ticket_id,
                    now,
                    "system",
                    "mail_sent",
                    message_id=row.message_id,
                    mail_kind=row.kind,
                    to=row.recipients,
                )
        sent += 1
        log_event(
            "mail_sent", outbox=row_id, ticket_id=row.ticket_id, kind=row.kind, attempt=row.attempts
        )
    return OutboxResult(sent, retried, failed)
