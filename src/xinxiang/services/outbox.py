"""Sending the outbox: claim rows, send them, record each result; retry with back-off.

Rows are claimed with a lease (`claimed_until`) by a conditional UPDATE … RETURNING, so two
workers (threads of one process, or processes on two hosts) never send the same row at once; a
worker killed mid-send leaves a lease that expires and the row is sent again with the same
Message-ID — a recognisable resend, never a different mail. Several workers send side by side,
each over one SMTP session it reuses for all its mails.

A worker hands a row to SMTP only while it holds the row's lease with at least `SAFE_MARGIN`
of it left, counted from the moment before the UPDATE that last set the lease (a claim or an
extension that waited for a connection or a lock has run down its lease while waiting). Rows
are recorded sent (or failed) only for the attempt this worker claimed, so a worker that lost a
row never overwrites what the worker that took it over recorded.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, case, func, or_, select, update

from xinxiang.logs import log_event
from xinxiang.outgoing.ack import ACK_KIND
from xinxiang.replies.mailer import URGENT_KINDS
from xinxiang.replies.transport import Transport, TransportError
from xinxiang.services.context import AppContext
from xinxiang.store.models import OutboxRow
from xinxiang.store.repo import add_event, add_events

log = logging.getLogger(__name__)

BATCH = 10
"""Rows a worker claims at a time (one UPDATE … RETURNING)."""
RECORD_SECONDS = 0.05
"""At most this long after a claim (or its last extension) a worker records what it sent and
extends the lease of the rest of its batch before sending more: a worker SIGKILLed mid-batch
leaves only its last few mails to be sent again, and a row whose lease ran out while it waited
in a batch is never sent by two workers."""
SAFE_MARGIN = 0.5
"""The share of `smtp.send_lease_seconds` that must be left of a row's lease when it is handed
to SMTP; with less, the lease is extended first (issue #17: under load a worker stalled in its
own record for longer than the lease, then sent rows another worker had already taken)."""
CONFIRM_TRIES = 3
"""Extensions tried in a row to get `SAFE_MARGIN` back; a worker that cannot (its database
round trips take about half a lease) leaves the rest of its batch to others."""


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


def _due(now: datetime) -> ColumnElement[bool]:
    return or_(
        (OutboxRow.state == "pending") & (OutboxRow.next_attempt_at <= now),
        (OutboxRow.state == "sending") & (OutboxRow.claimed_until < now),
    )


def _count_due(ctx: AppContext, now: datetime, cap: int) -> int:
    with ctx.db.unit_of_work() as session:
        due = select(OutboxRow.id).where(_due(now)).limit(cap).subquery()
        return int(session.execute(select(func.count()).select_from(due)).scalar_one())


_CLAIMED = (
    OutboxRow.id,
    OutboxRow.ticket_id,
    OutboxRow.kind,
    OutboxRow.sender,
    OutboxRow.recipients,
    OutboxRow.message_id,
    OutboxRow.raw,
    OutboxRow.attempts,
)


FIRST_OUT_KINDS = (*URGENT_KINDS, ACK_KIND)
"""Sent before anything else that is due: emergency alerts, then the petitioners' receipts
(issue #17's latency: in a backlog, a receipt must not wait behind the dispatch mails)."""
_first_out = case((OutboxRow.kind.in_(URGENT_KINDS), 0), (OutboxRow.kind == ACK_KIND, 1), else_=2)


def _claim_batch(ctx: AppContext, now: datetime, size: int) -> list[Claimed]:
    """Claim up to `size` due rows in one statement; only the rows this UPDATE changed are
    returned, so two workers (threads or hosts) never get the same row."""
    lease = timedelta(seconds=ctx.cfg.settings.smtp.send_lease_seconds)
    candidates = (
        select(OutboxRow.id)
        .where(_due(now))
        .order_by(_first_out, OutboxRow.next_attempt_at, OutboxRow.id)
        .limit(size)
        .with_for_update(skip_locked=True)  # PostgreSQL; SQLite serialises writers anyway
    )
    with ctx.db.unit_of_work() as session:
        rows = session.execute(
            update(OutboxRow)
            .where(OutboxRow.id.in_(candidates.scalar_subquery()), _due(now))
            .values(state="sending", claimed_until=now + lease, attempts=OutboxRow.attempts + 1)
            .returning(*_CLAIMED),
            execution_options={"synchronize_session": False},
        ).all()
    claimed = [Claimed(*row) for row in rows]
    claimed.sort(key=lambda c: c.id)
    return claimed


def _materialize(ctx: AppContext, row_id: int, now: datetime) -> bytes | None:
    """Render a row written unrendered (receipts, staff digests) and store the bytes, so that
    any resend is byte-identical; a receipt that is no longer wanted is marked `skipped`."""
    from xinxiang.outgoing.door import render_deferred

    with ctx.db.unit_of_work() as session:
        row = session.get(OutboxRow, row_id)
        if row is None:
            return None
        if row.raw is not None:
            return row.raw
        raw = render_deferred(ctx, session, row)
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


@dataclass(slots=True)
class Claimed:
    """The fields of a claimed row that sending needs."""

    id: int
    ticket_id: int | None
    kind: str
    sender: str
    recipients: list[str]
    message_id: str
    raw: bytes | None
    attempts: int


def _attempt_of(rows: Sequence[Claimed]) -> ColumnElement[bool]:
    """The rows as this worker claimed them (a row claimed again has more attempts)."""
    return or_(*[(OutboxRow.id == r.id) & (OutboxRow.attempts == r.attempts) for r in rows])


@dataclass(slots=True)
class _Tally:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def _record(
    ctx: AppContext,
    sent: list[Claimed],
    failures: list[tuple[Claimed, TransportError]],
    now: datetime,
    tally: _Tally,
    keep: Sequence[Claimed] = (),
    at: datetime | None = None,
) -> set[int]:
    """Record what a worker sent since the last call, in one transaction: rows sent (and their
    `mail_sent` events), failures rescheduled with back-off or marked failed; and extend the
    lease of the rows of its batch still to send (`keep`, from `at`), returning the ids of
    those it still holds (a row whose lease ran out and was claimed again is not sent).

    Each result is recorded only for the attempt this worker claimed (id and `attempts`): a row
    another worker took over meanwhile keeps that worker's record, and a mail this worker
    handed to SMTP after losing the row is logged as `mail_sent_unleased` (possibly received
    twice, with the same Message-ID)."""
    if not sent and not failures and not keep:
        return set()
    smtp = ctx.cfg.settings.smtp
    finals: list[bool | None] = []
    held: set[int] = set()
    recorded: set[int] = set()
    with ctx.db.unit_of_work() as session:
        if sent:
            recorded = set(
                session.execute(
                    update(OutboxRow)
                    .where(_attempt_of(sent))
                    .values(state="sent", sent_at=now, claimed_until=None, last_error=None)
                    .returning(OutboxRow.id),
                    execution_options={"synchronize_session": False},
                ).scalars()
            )
            add_events(
                session,
                [
                    {
                        "ticket_id": row.ticket_id,
                        "at": now,
                        "actor": "system",
                        "kind": "mail_sent",
                        "data": {
                            "message_id": row.message_id,
                            "mail_kind": row.kind,
                            "to": row.recipients,
                        },
                    }
                    for row in sent
                    if row.ticket_id is not None and row.id in recorded
                ],
            )
        for row, exc in failures:
            final = exc.permanent or row.attempts >= smtp.max_attempts
            done = session.execute(
                update(OutboxRow)
                .where(_attempt_of([row]))
                .values(
                    state="failed" if final else "pending",
                    claimed_until=None,
                    last_error=str(exc)[:2000],
                    next_attempt_at=now
                    + backoff(row.attempts, smtp.retry_base_seconds, smtp.retry_max_seconds),
                )
                .returning(OutboxRow.id),
                execution_options={"synchronize_session": False},
            ).first()
            finals.append(final if done is not None else None)
            if done is not None and final and row.ticket_id is not None:
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
        # Last: the rows sent and failed are written (and, on PostgreSQL, locked) first, so
        # that while this waits for a lock on the rest no other worker claims them.
        if keep:
            lease = timedelta(seconds=smtp.send_lease_seconds)
            held = set(
                session.execute(
                    update(OutboxRow)
                    .where(_attempt_of(keep), OutboxRow.state == "sending")
                    .values(claimed_until=(at or now) + lease)
                    .returning(OutboxRow.id),
                    execution_options={"synchronize_session": False},
                ).scalars()
            )
    for row in sent:
        leased = row.id in recorded  # else another worker held it when it was sent
        log_event(
            "mail_sent" if leased else "mail_sent_unleased",
            level=logging.INFO if leased else logging.WARNING,
            outbox=row.id,
            ticket_id=row.ticket_id,
            kind=row.kind,
            attempt=row.attempts,
        )
    tally.sent += len(sent)
    for (row, exc), outcome in zip(failures, finals, strict=True):
        if outcome is None:
            continue  # another worker took the row over: its result stands
        # The error text can quote recipients: it stays in outbox.last_error, not the log.
        log_event(
            "mail_failed" if outcome else "mail_retry",
            level=logging.WARNING,
            outbox=row.id,
            ticket_id=row.ticket_id,
            kind=row.kind,
            attempt=row.attempts,
            permanent=exc.permanent,
        )
        if outcome:
            tally.failed += 1
        else:
            tally.retried += 1
    return held


def _worker(
    ctx: AppContext,
    transport: Transport,
    now: datetime,
    started: float,
    budget: _Budget,
    batch: int,
) -> _Tally:
    """One sending worker: its own SMTP session, reused for every mail it claims. Each claimed
    batch is recorded as it goes (every `RECORD_SECONDS`, extending the lease of the rest of
    the batch and dropping rows no longer held) and when it ends. A row goes to SMTP only with
    `SAFE_MARGIN` of its lease left (`_Holding`)."""
    tally = _Tally()
    with transport.connection() as conn:
        while (size := budget.take(batch)) > 0:
            # The lease runs from this claim, not from the start of a pass that may be long.
            asked = time.monotonic()
            rows = _claim_batch(ctx, now + timedelta(seconds=asked - started), size)
            if not rows:
                break
            hold = _Holding(ctx, now, started, tally, rows, asked)
            try:
                for k, row in enumerate(rows):
                    if not hold.ready(k, row):
                        continue  # its lease ran out meanwhile and another worker has it
                    raw = row.raw if row.raw is not None else _materialize(ctx, row.id, now)
                    if raw is None or not hold.ready(k, row):  # rendering may have been slow
                        continue
                    try:
                        conn.send(row.sender, row.recipients, raw, row.message_id)
                    except TransportError as exc:
                        hold.failures.append((row, exc))
                    else:
                        hold.sent.append(row)
            finally:  # even when the database or rendering failed midway
                _record(ctx, hold.sent, hold.failures, now, tally)
    return tally


class _Holding:
    """What one worker holds of its claimed batch, and until when (by its monotonic clock).

    The lease of the rows last confirmed ends `send_lease_seconds` after the moment *before*
    the UPDATE that set it was issued (its `claimed_until` is counted from then), however long
    that UPDATE then waited for a connection, a lock or the CPU."""

    def __init__(
        self,
        ctx: AppContext,
        now: datetime,
        started: float,
        tally: _Tally,
        rows: list[Claimed],
        asked: float,
    ) -> None:
        self.ctx, self.now, self.started, self.tally, self.rows = ctx, now, started, tally, rows
        self.lease = ctx.cfg.settings.smtp.send_lease_seconds
        self.held = {row.id for row in rows}
        self.expires = asked + self.lease
        self.confirmed = time.monotonic()
        self.sent: list[Claimed] = []
        self.failures: list[tuple[Claimed, TransportError]] = []

    def ready(self, k: int, row: Claimed) -> bool:
        """Whether `row` (the k-th of the batch) may be handed to SMTP now: still held, with
        `SAFE_MARGIN` of its lease left; records and extends first when due or when less is
        left."""
        for _ in range(CONFIRM_TRIES):
            if row.id not in self.held:
                return False
            clock = time.monotonic()
            if (
                clock - self.confirmed < RECORD_SECONDS
                and self.expires - clock >= SAFE_MARGIN * self.lease
            ):
                return True
            at = self.now + timedelta(seconds=clock - self.started)
            self.held = _record(
                self.ctx, self.sent, self.failures, self.now, self.tally, self.rows[k:], at
            )
            self.sent, self.failures = [], []
            self.expires, self.confirmed = clock + self.lease, time.monotonic()
        if row.id in self.held and self.expires - time.monotonic() >= SAFE_MARGIN * self.lease:
            return True
        log_event(
            "send_lease_not_kept",
            level=logging.WARNING,
            outbox=row.id,
            left_ms=round(1000 * (self.expires - time.monotonic())),
        )
        self.held = set()  # the database is too slow to keep a lease: others send the rest
        return False


class _Budget:
    """How many more rows this pass may claim (shared by the workers)."""

    def __init__(self, limit: int | None) -> None:
        self.left = limit
        self._lock = threading.Lock()

    def take(self, want: int) -> int:
        if self.left is None:
            return want
        with self._lock:
            got = min(want, self.left)
            self.left -= got
            return got


def send_due(
    ctx: AppContext,
    transport: Transport,
    now: datetime,
    *,
    limit: int | None = None,
    workers: int | None = None,
    batch: int = BATCH,
) -> OutboxResult:
    """Send every row due at `now` (at most `limit`); failures are rescheduled or marked failed.

    Up to `workers` (default `smtp.send_workers`) threads send side by side, each over one
    SMTP session it reuses; a small backlog is sent by one worker, in order. Rows are claimed
    (a lease) `batch` at a time before they are sent, and marked sent every `RECORD_SECONDS`
    and at the end of the batch, so a crash leaves only the last few mails of each worker to
    be sent again (with the same Message-IDs) once the lease expires.
    """
    started = time.monotonic()
    want = workers or ctx.cfg.settings.smtp.send_workers
    budget = _Budget(limit)
    if want > 1:
        want = max(1, min(want, -(-_count_due(ctx, now, want * batch) // batch)))
    if want == 1:
        tallies = [_worker(ctx, transport, now, started, budget, batch)]
    else:
        with ThreadPoolExecutor(want, thread_name_prefix="xinxiang-send") as pool:
            futures = [
                pool.submit(_worker, ctx, transport, now, started, budget, batch)
                for _ in range(want)
            ]
            tallies = [f.result() for f in futures]
    return OutboxResult(
        sum(t.sent for t in tallies),
        sum(t.retried for t in tallies),
        sum(t.failed for t in tallies),
    )
