"""The Huey queue: one instance per process, created from config at run time, with thin tasks.

Tasks take identifiers (a source name) and call services; every service is idempotent, so a task
that runs twice or is interrupted by a crash does no harm. Nothing here connects at import time.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from huey import Huey, RedisHuey, SqliteHuey, crontab

from xinxiang.config import Config
from xinxiang.mailbox.imap import SourceUnavailable, idle_watch
from xinxiang.replies.transport import Transport, transport_for
from xinxiang.services.context import AppContext
from xinxiang.services.outbox import OutboxResult, send_due
from xinxiang.services.poll import PollResult, poll_source
from xinxiang.services.records import refresh_records
from xinxiang.services.replies import process_pending_replies
from xinxiang.services.routing import route_received

log = logging.getLogger(__name__)


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

    def __init__(self, ctx: AppContext, clock: Callable[[], datetime] = utcnow) -> None:
        self.ctx = ctx
        self.clock = clock
        self._transport: Transport | None = None
        self._lock = threading.Lock()
        self._running: set[str] = set()
        self._again: set[str] = set()
        self._outbox_lock = threading.Lock()
        self.extra_periodic: list[Callable[[Runtime], None]] = []

    @property
    def transport(self) -> Transport:
        """The configured mail transport (created on first use)."""
        if self._transport is None:
            self._transport = transport_for(self.ctx.cfg)
        return self._transport

    def poll(self, name: str) -> PollResult | None:
        """Poll `name`; if a pass is already running here, ask it to run once more instead."""
        with self._lock:
            if name in self._running:
                self._again.add(name)
                return None
            self._running.add(name)
        result: PollResult | None = None
        try:
            while True:
                with self._lock:
                    self._again.discard(name)
                try:
                    result = poll_source(self.ctx, name, self.clock)
                except SourceUnavailable as exc:
                    log.warning("poll %s: %s (will retry)", name, exc)
                    return None
                if result.created or result.quarantined:
                    log.info("poll %s: %s", name, result)
                # Replies are committed as letters first, then acted upon: crash-safe.
                process_pending_replies(self.ctx, self.clock())
                with self._lock:
                    if name not in self._again:
                        break
        finally:
            with self._lock:
                self._running.discard(name)
        return result

    def send_outbox(self) -> OutboxResult | None:
        """Send what is due; concurrent calls in this process coalesce."""
        if not self._outbox_lock.acquire(blocking=False):
            return None
        try:
            return send_due(self.ctx, self.transport, self.clock())
        finally:
            self._outbox_lock.release()


class Tasks:
    """The tasks registered on one Huey instance."""

    def __init__(self, huey: Huey, runtime: Runtime) -> None:
        self.huey = huey
        self.runtime = runtime

        @huey.task(name="xinxiang.poll_source")
        def poll_source_task(name: str) -> None:
            runtime.poll(name)
            send_outbox_task()

        @huey.task(name="xinxiang.send_outbox")
        def send_outbox_task() -> None:
            runtime.send_outbox()

        @huey.periodic_task(crontab(minute="*"), name="xinxiang.every_minute")
        def every_minute() -> None:
            for src in runtime.ctx.cfg.settings.sources:
                poll_source_task(src.name)
            route_received(runtime.ctx, runtime.clock())
            send_outbox_task()
            for job in runtime.extra_periodic:
                job(runtime)

        self.poll_source: Any = poll_source_task
        self.send_outbox: Any = send_outbox_task
        self.every_minute: Any = every_minute


def run_worker(cfg: Config, *, stop: threading.Event | None = None) -> None:
    """Run the consumer with periodic tasks, a fast ticker and IMAP IDLE watchers until stopped."""
    from xinxiang.services import sweep

    ctx = AppContext(cfg)
    runtime = Runtime(ctx)
    sweep.register_periodic(runtime)

    def archive_records(rt: Runtime) -> None:
        refresh_records(rt.ctx, rt.clock())

    runtime.extra_periodic.append(archive_records)
    from xinxiang.services import oa_tasks
    from xinxiang.services.oa_hooks import install_oa_hooks

    install_oa_hooks(cfg)
    oa_tasks.register_periodic(runtime)
    huey = make_huey(cfg)
    tasks = Tasks(huey, runtime)
    stop = stop or threading.Event()
    settings = cfg.settings

    def ticker() -> None:
        next_poll = next_outbox = 0.0
        while not stop.is_set():
            now = time.monotonic()
            if now >= next_poll:
                for src in settings.sources:
                    tasks.poll_source(src.name)
                next_poll = now + settings.queue.poll_interval_seconds
            if now >= next_outbox:
                tasks.send_outbox()
                next_outbox = now + settings.queue.outbox_interval_seconds
            stop.wait(1)

    threads = [threading.Thread(target=ticker, name="xinxiang-ticker", daemon=True)]
    for src in settings.sources:
        if src.kind == "imap" and src.idle:
            password = cfg.source_password(src)
            name = src.name
            threads.append(
                threading.Thread(
                    target=idle_watch,
                    args=(src, password, lambda n=name: tasks.poll_source(n), stop),
                    name=f"xinxiang-idle-{name}",
                    daemon=True,
                )
            )
    for t in threads:
        t.start()
    consumer = huey.create_consumer(
        workers=settings.queue.workers,
        worker_type="thread",
        periodic=True,
        check_worker_health=True,
    )
    try:
        consumer.run()
    finally:
        stop.set()
        ctx.close()
