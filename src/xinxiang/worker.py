"""The worker process (工作进程): the Huey consumer with its periodic tasks (`tasks.Tasks`), a
ticker that polls and sends sooner, IMAP IDLE watchers, the health endpoint and, with
``[queue] routing_process``, a routing process beside ingest (`services.route_worker`).

`xinxiang worker` runs `run_worker` until it is stopped (SIGINT/SIGTERM end the consumer).
"""

from __future__ import annotations

import logging
import threading
import time

from xinxiang.config import Config
from xinxiang.mailbox.imap import idle_watch
from xinxiang.services.health_http import start_server
from xinxiang.services.route_worker import RoutingProcess, worker_context
from xinxiang.services.warmup import warm_reader, warm_redactor
from xinxiang.tasks import Runtime, Tasks, make_huey

log = logging.getLogger(__name__)


def run_worker(cfg: Config, *, stop: threading.Event | None = None) -> None:
    """Run the consumer with periodic tasks, a fast ticker and IMAP IDLE watchers until stopped."""
    ctx = worker_context(cfg)
    router = RoutingProcess(cfg.directory) if cfg.settings.queue.routing_process else None
    if router is not None:
        router.start()
    runtime = Runtime(ctx, router=router)
    huey = make_huey(cfg)
    tasks = Tasks(huey, runtime)
    stop = stop or threading.Event()
    settings = cfg.settings

    def ticker() -> None:
        next_poll = next_outbox = 0.0
        routed = 0
        while not stop.is_set():
            now = time.monotonic()
            if router is not None and router.routed != routed:
                # The routing process queued mails (dispatch, receipts): send them now.
                routed = router.routed
                next_outbox = now
            if now >= next_poll:
                for src in settings.sources:
                    tasks.poll_source(src.name)
                next_poll = now + settings.queue.poll_interval_seconds
            if now >= next_outbox:
                tasks.send_outbox()
                next_outbox = now + settings.queue.outbox_interval_seconds
            stop.wait(1)

    threads = [
        threading.Thread(target=ticker, name="xinxiang-ticker", daemon=True),
        threading.Thread(
            target=warm_redactor, args=(cfg,), name="xinxiang-redactor-warmup", daemon=True
        ),
        threading.Thread(
            target=warm_reader, args=(ctx,), name="xinxiang-reader-warmup", daemon=True
        ),
    ]
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
    health_server = None
    if settings.health.listen:
        try:
            health_server = start_server(ctx, settings.health.listen, runtime.clock)
        except OSError as exc:  # the port is taken (another deployment): mail goes on
            log.warning("health: cannot listen on %s: %s", settings.health.listen, exc)
    consumer = huey.create_consumer(
        workers=settings.queue.workers,
        worker_type="thread",
        periodic=True,
        check_worker_health=True,
        # An idle consumer checks the queue at least twice a second (Huey's default backs off
        # to 10 s), so that a letter announced by IDLE is taken up at once.
        max_delay=0.5,
        # Jobs use leases, not Huey locks; a lock a caller's `guard` left behind is cleared.
        flush_locks=True,
    )
    try:
        consumer.run()
    finally:
        stop.set()
        if health_server is not None:
            health_server.shutdown()
        if router is not None:
            router.stop()
        ctx.close()
