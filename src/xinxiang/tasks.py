"""The Huey queue: one instance per process, created from config at run time, with thin tasks.

Tasks take identifiers (a source name) and call services; every service is idempotent, so a task
that runs twice or is interrupted by a crash does no harm. Nothing here connects at import time.

The schedule, every minute, one periodic task per job (`Tasks`): poll the sources, route, handle
replies, sweep (reminders, overdue, 督办), 回访 (revisit), the weekly digest, archive records,
OA pull, OA push, send the outbox, check health (alerts) and send notifications; every ten
minutes, hot topics (热点问题). The worker process (`worker.run_worker`) adds a ticker that
polls and sends sooner, IMAP IDLE watchers that poll on new mail, and a routing process.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.exceptions import TaskLockedException

from xinxiang.config import Config
from xinxiang.errors import XinxiangError
from xinxiang.mailbox.imap import SourceUnavailable
from xinxiang.notify.base import Notifier
from xinxiang.notify.queue import build_notifiers, send_due_notifications
from xinxiang.replies.transport import Transport, transport_for
from xinxiang.reports.assessment_mail import queue_assessment_mails
from xinxiang.reports.mailing import queue_due_reports
from xinxiang.services.context import AppContext
from xinxiang.services.digest import maybe_queue_weekly_digest
from xinxiang.services.health import check_health, observe
from xinxiang.services.learning import retrain
from xinxiang.services.leases import SourceLease, holder_id, renew
from xinxiang.services.oa_tasks import oa_enabled, oa_pull, oa_push
from xinxiang.services.outbox import OutboxResult, send_due
from xinxiang.services.poll import PollResult, poll_source
from xinxiang.services.records import refresh_records
from xinxiang.services.replies import process_pending_replies
from xinxiang.services.revisit import revisit_pass
from xinxiang.services.route_worker import RoutingProcess
from xinxiang.services.routing import route_received
from xinxiang.services.sweep import sweep as run_sweep
from xinxiang.services.topics import alert_hot_topics

log = logging.getLogger(__name__)

JOBS = (
    "poll",
    "routing",
    "replies",
    "sweep",
    "digest",
    "archive",
    "oa_pull",
    "oa_push",
    "outbox",
    "health",
    "learn",
    "revisit",
    "reports",
    "topics",
)
"""The worker's jobs, one periodic task each (see `Tasks`)."""


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def make_huey(cfg: Config, *, immediate: bool = False) -> Huey:
    """SqliteHuey for `sqlite://` queue URLs (the default), RedisHuey for `redis://`."""
    url = cfg.queue_url
    if url.startswith(("redis://", "rediss://")):
        huey: Huey = RedisHuey("xinxiang", url=url, immediate=immediate)
    else:
        path = Path(url[len("sqlite:///") :])
        path.parent.mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey("xinxiang", filename=str(path), immediate=immediate)
    return huey


class Runtime:
    """Process-wide services for tasks: context, transport, and per-source pass coalescing."""

    def __init__(
        self,
        ctx: AppContext,
        clock: Callable[[], datetime] = utcnow,
        router: RoutingProcess | None = None,
    ) -> None:
        self.ctx = ctx
        self.clock = clock
        self.router = router
        """The worker's routing process, nudged by polls (`services.route_worker`)."""
        self._transport: Transport | None = None
        self._lock = threading.Lock()
        self._running: set[str] = set()
        self._again: set[str] = set()
        self._outbox_lock = threading.Lock()
        self._outbox_again = threading.Event()
        self._notifiers: dict[str, Notifier] | None = None
        self._http: httpx.Client | None = None
        self.holder = holder_id()
        """This worker's name on source and job leases."""
        self._jobs_here: dict[str, threading.Lock] = {}
        self._job_leases: dict[str, SourceLease] = {}

    @property
    def transport(self) -> Transport:
        """The configured mail transport (created on first use)."""
        if self._transport is None:
            self._transport = transport_for(self.ctx.cfg)
        return self._transport

    def poll(
        self, name: str, guard: AbstractContextManager[object] | None = None
    ) -> PollResult | None:
        """Poll `name`; if a pass is already running here, ask it to run once more instead.

        The source's lease in the database (`SourceLease`, renewed while held, taken over when
        its holder died) is held around the passes, so two workers never poll one source at
        once; when another worker holds it, this call does nothing. (No Huey lock: a lock in
        Redis has no expiry, so a host that died holding it would stop the source for every
        other host until some consumer restarted and flushed it.) `guard` is an extra lock
        for callers that want one.
        """
        with self._lock:
            if name in self._running:
                self._again.add(name)
                return None
            self._running.add(name)
        result: PollResult | None = None
        lease = SourceLease(
            self.ctx.db,
            name,
            holder=self.holder,
            seconds=self.ctx.cfg.settings.queue.source_lease_seconds,
            clock=self.clock,
        )
        try:
            with guard or nullcontext(), lease as held:
                if not held:
                    log.debug("poll %s: another worker holds its lease", name)
                    return None
                while True:
                    with self._lock:
                        self._again.discard(name)
                    try:
                        # A routing process that died routes nothing: the poll routes, as
                        # without one.
                        alive = self.router is not None and self.router.alive
                        nudge = self.router.nudge if self.router is not None and alive else None
                        result = poll_source(self.ctx, name, self.clock, router=nudge)
                    except SourceUnavailable as exc:
                        log.warning("poll %s: %s (will retry)", name, exc)
                        observe(self.ctx.db, f"source:{name}", False, self.clock(), str(exc))
                        return None
                    observe(self.ctx.db, f"source:{name}", True, self.clock())
                    if result.created or result.quarantined:
                        log.info("poll %s: %s", name, result)
                    with self._lock:
                        if name not in self._again:
                            break
        except TaskLockedException:
            log.debug("poll %s: another worker is polling it", name)
            return None
        finally:
            with self._lock:
                self._running.discard(name)
        return result

    def run_job(self, job: str, work: Callable[[], object]) -> bool:
        """Run `work` unless job `job` is running already, in this process or on any host.

        Across hosts the job's lease (`job:<name>` in the lease table, renewed while it runs)
        decides, so a host that died in the middle of a job holds it up only until its lease
        expires; in this process a thread lock does (both threads share one lease holder).
        False when skipped.
        """
        with self._lock:
            here = self._jobs_here.setdefault(job, threading.Lock())
        if not here.acquire(blocking=False):
            log.info("%s: still running here, skipped", job)
            return False
        try:
            lease = SourceLease(
                self.ctx.db,
                f"job:{job}",
                holder=self.holder,
                seconds=self.ctx.cfg.settings.queue.source_lease_seconds,
                clock=self.clock,
            )
            with lease as held:
                if not held:
                    log.info("%s: running in another worker, skipped", job)
                    return False
                self._job_leases[job] = lease
                try:
                    work()
                finally:
                    self._job_leases.pop(job, None)
                return True
        finally:
            here.release()

    def keep_job(self, job: str) -> bool:
        """Renew the lease of running job `job` now (a long job asks between its steps); False
        when another worker took it over, and the job should stop where it is."""
        lease = self._job_leases.get(job)
        if lease is None or lease.lost:
            return False
        try:
            held = renew(self.ctx.db, lease.source, lease.holder, self.clock(), lease.ttl)
        except Exception:  # the database briefly away: the renewal thread tries again
            log.warning("%s: lease renewal failed", job, exc_info=True)
            return True
        if not held:
            lease.lost = True
            log.warning("%s: lease taken over by another worker, stopping", job)
        return held

    @property
    def notifiers(self) -> dict[str, Notifier]:
        """The enabled notifiers (created on first use, sharing one HTTP client)."""
        if self._notifiers is None:
            self._http = httpx.Client(timeout=15)
            self._notifiers = build_notifiers(self.ctx.cfg, self._http, self.clock)
        return self._notifiers

    def oa_pull(self) -> None:
        """Pull from the OA and record whether the OA answered."""
        now = self.clock()
        try:
            result = oa_pull(self.ctx, now)
        except XinxiangError as exc:  # the OA down or refusing us (OaError), or misconfigured
            observe(self.ctx.db, "oa", False, now, f"{type(exc).__name__}: {exc}")
            raise
        observe(self.ctx.db, "oa", result.error is None, now, result.error or "")

    def health(self) -> None:
        """Check every component (alerts once per incident), then send due notifications."""
        now = self.clock()
        check_health(self.ctx, now)
        send_due_notifications(self.ctx.cfg, self.ctx.db, self.notifiers, now)

    def learn(self) -> None:
        """Retrain the suggestion model from the office's corrections (nightly; advisory only)."""
        result = retrain(self.ctx, self.clock())
        if result.path is not None:
            log.info("event=model_trained examples=%d path=%s", result.examples, result.path.name)
        else:
            log.info("event=model_not_trained examples=%d", result.examples)

    def want_send(self) -> None:
        """Note that mail was queued: a pass running now makes one more pass (with a fresh
        clock) instead of the new request being skipped while it runs."""
        self._outbox_again.set()

    def topics(self) -> None:
        """Alert the office to hot topics (clusters that reached a new tier)."""
        for key in alert_hot_topics(self.ctx, self.clock()):
            log.info("event=hot_topic_alert key=%s", key)

    def send_outbox(self) -> OutboxResult | None:
        """Send what is due; concurrent calls in this process coalesce into the running one."""
        if not self._outbox_lock.acquire(blocking=False):
            return None
        try:
            while True:
                self._outbox_again.clear()
                result = send_due(self.ctx, self.transport, self.clock())
                if result.sent or result.retried:  # nothing tried: nothing learnt of the server
                    detail = f"已发 {result.sent} 封，待重发 {result.retried} 封"
                    observe(self.ctx.db, "smtp", result.sent > 0, self.clock(), detail)
                if not self._outbox_again.is_set():
                    return result
        finally:
            self._outbox_lock.release()


EVERY_MINUTE = crontab(minute="*")


class Tasks:
    """The tasks registered on one Huey instance: one periodic task per job, each under its
    own lease (`Runtime.run_job`), so a job that fails never skips another and two workers
    never run the same job at once (a job still running when its next minute comes is skipped,
    not queued); a host that died in a job holds it up only until the lease expires."""

    def __init__(self, huey: Huey, runtime: Runtime) -> None:
        self.huey = huey
        self.runtime = runtime
        rt = runtime

        # Each job runs under a lease in the database (`Runtime.run_job`), polling under the
        # source's lease (`Runtime.poll`), not under Huey locks: those never expire, so a host
        # that died holding one would stop that job on every other host.
        def locked(job: str, work: Callable[[], object]) -> None:
            rt.run_job(job, work)

        @huey.task(name="xinxiang.poll_source")
        def poll_source_task(name: str) -> None:
            rt.poll(name)
            # Replies are committed as letters first, then acted upon: crash-safe.
            replies_task()
            send_outbox_task()

        # Sending is not locked across workers: each row is claimed with a lease, so the
        # workers of every host send side by side (passes in one process coalesce).
        @huey.task(name="xinxiang.send_outbox")
        def send_outbox_task() -> None:
            rt.want_send()
            rt.send_outbox()

        @huey.task(name="xinxiang.process_replies")
        def replies_task() -> None:
            locked("replies", lambda: process_pending_replies(rt.ctx, rt.clock()))

        # ---- the schedule: every job, every minute ------------------------------------------

        @huey.periodic_task(EVERY_MINUTE, name="xinxiang.poll")
        def poll() -> None:
            for src in rt.ctx.cfg.settings.sources:
                poll_source_task(src.name)

        # With a routing process, the job only nudges it (a ticket a nudge missed, or one put
        # back from the shunt); without one, or when it has died, it routes here under the
        # job's lease, so that no letter waits for a process that is gone.
        @huey.periodic_task(EVERY_MINUTE, name="xinxiang.routing")
        def routing() -> None:
            if rt.router is not None and rt.router.alive:
                rt.router.nudge()
                return
            if rt.router is not None:
                log.error("routing process is gone: routing in the worker itself")
            locked("routing", lambda: route_received(rt.ctx, rt.clock()))

        @huey.periodic_task(EVERY_MINUTE, name="xinxiang.replies")
        def replies() -> None:
            locked("replies", lambda: process_pending_replies(rt.ctx, rt.clock()))

        @huey.periodic_task(EVERY_MINUTE, name="xinxiang.sweep")
        def sweep() -> None:
            locked(
                "sweep",
                lambda: run_sweep(rt.ctx, rt.clock(), keep_going=lambda: rt.keep_job("sweep")),
            )

        @huey.periodic_task(EVERY_MINUTE, name="xinxiang.digest")
        def digest() -> None:
            locked("digest", lambda: maybe_queue_weekly_digest(rt.ctx, rt.clock()))

        @huey.periodic_task(EVERY_MINUTE, name="xinxiang.archive")
        def archive() -> None:
            locked("archive", lambda: refresh_records(rt.ctx, rt.clock()))

        @huey.periodic_task(EVERY_MINUTE, name="xinxiang.oa_pull")
        def oa_pull_job() -> None:
            if oa_enabled(rt.ctx.cfg):
                locked("oa_pull", rt.oa_pull)

        @huey.periodic_task(EVERY_MINUTE, name="xinxiang.oa_push")
        def oa_push_job() -> None:
            if oa_enabled(rt.ctx.cfg):
                locked("oa_push", lambda: oa_push(rt.ctx, rt.clock()))

        @huey.periodic_task(EVERY_MINUTE, name="xinxiang.outbox")
        def outbox() -> None:
            rt.want_send()
            rt.send_outbox()

        @huey.periodic_task(EVERY_MINUTE, name="xinxiang.health")
        def health() -> None:
            locked("health", rt.health)

        # 03:00 in Beijing (huey's crontab is in UTC), when nobody is correcting tickets.
        @huey.periodic_task(crontab(minute="0", hour="19"), name="xinxiang.learn")
        def learn() -> None:
            locked("learn", rt.learn)

        @huey.periodic_task(EVERY_MINUTE, name="xinxiang.revisit")
        def revisit() -> None:
            locked("revisit", lambda: revisit_pass(rt.ctx, rt.clock()))

        # 周报 (Monday 08:00), 月报 and each department's 三率 result (when the month freezes),
        # 每日零报告 (if switched on): each once (notice keys); checked every minute, the PDF
        # made only when due and unsent.
        @huey.periodic_task(EVERY_MINUTE, name="xinxiang.reports")
        def reports() -> None:
            def both() -> None:
                queue_due_reports(rt.ctx, rt.clock())
                queue_assessment_mails(rt.ctx, rt.clock())

            locked("reports", both)

        # Hot topics (未诉先办): every ten minutes; each cluster is alerted once per tier.
        @huey.periodic_task(crontab(minute="*/10"), name="xinxiang.topics")
        def topics() -> None:
            locked("topics", rt.topics)

        self.poll_source: Any = poll_source_task
        self.send_outbox: Any = send_outbox_task
        self.process_replies: Any = replies_task
        self.jobs: dict[str, Any] = {
            "poll": poll,
            "routing": routing,
            "replies": replies,
            "sweep": sweep,
            "digest": digest,
            "archive": archive,
            "oa_pull": oa_pull_job,
            "oa_push": oa_push_job,
            "outbox": outbox,
            "health": health,
            "learn": learn,
            "revisit": revisit,
            "reports": reports,
            "topics": topics,
        }
