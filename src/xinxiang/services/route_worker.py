"""Routing in a process of its own, beside ingest (issue #17).

Ingest commits letters a batch at a time; routing (classification, duplicates, dispatch mail)
costs more CPU per letter than ingest does. Run one after the other in one process, a pass of
N letters takes ingest's time plus routing's. The worker instead starts a routing process
(`RoutingProcess`): ingest nudges it after each committed batch, and it routes what is
committed while ingest fetches and commits the next batches, on the other core.

Nothing is lost or done twice: routing takes only committed tickets still in state `received`
and claims each batch before writing it (`services.routing._claim`), so it may run beside a
poll's own routing, the every-minute job, or another host's routing process. A process killed
in the middle of a batch leaves it uncommitted, in `received`, for the next pass.

The two processes share only counters in shared memory, without locks or events: a lock or a
condition held by a process that was killed would block the other one for good.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from xinxiang.config import Config
from xinxiang.services.context import AppContext
from xinxiang.services.oa_hooks import install_oa_hooks
from xinxiang.services.shunt import TRANSIENT

log = logging.getLogger(__name__)

IDLE_SECONDS = 30.0
"""How long the routing process waits without a nudge before it looks for tickets anyway."""

TICK = 0.05
"""How often the routing process looks at its nudge counter (seconds)."""

# The shared counters (`multiprocessing.RawArray` of int64), each written by one side only.
NUDGES, DONE, ROUTED, READY, STOP = range(5)


def routing_loop(
    config_dir: str,
    shared: Any,
    parent: int,
    idle_seconds: float = IDLE_SECONDS,
    log_level: int | None = None,
) -> None:
    """The routing process's body: fit the models, then route whenever nudged until stopped.

    `shared[NUDGES]` counts the nudges (`RoutingProcess.nudge`); after a pass that found
    nothing left, `shared[DONE]` is set to the count read before that pass began, so every
    nudge up to it has had its letters routed (`RoutingProcess.drain`). `shared[ROUTED]`
    counts the tickets routed, so that the parent sends the mails they queued at once. The
    process ends when `shared[STOP]` is set or its parent (pid `parent`) is gone; the
    terminal's and the service manager's signals are the parent's to act on. With
    `log_level`, it logs as the parent does (the routing events, `ticket_routed`, are here).
    """
    from xinxiang.classify.batch import fit_models
    from xinxiang.classify.reader import shipped_reader
    from xinxiang.config import load_config
    from xinxiang.logs import setup_logging
    from xinxiang.services.routing import route_received

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if log_level is not None:
        setup_logging(verbose=log_level <= logging.DEBUG)
    ctx = worker_context(load_config(config_dir))
    try:
        # Every model routing may ask, fitted (or loaded from the reader cache) before the
        # first nudge: a start-up cost, not the first letters'.
        fit_models(ctx.rules)
        s = ctx.rules.settings
        if s.reader_office > 0:
            shipped_reader().office_disposition  # noqa: B018
        if max(s.reader_emergency_department, s.reader_emergency_department_over_rules) > 0:
            shipped_reader().emergency_department  # noqa: B018
        shared[READY] = 1
        seen, last_pass = -1, 0.0
        while not shared[STOP] and os.getppid() == parent:
            nudged = shared[NUDGES]
            if nudged == seen and time.monotonic() - last_pass < idle_seconds:
                time.sleep(TICK)
                continue
            seen, last_pass = nudged, time.monotonic()
            try:
                while n := route_received(ctx, datetime.now(UTC)):
                    shared[ROUTED] += n
            except TRANSIENT as exc:  # the database away or locked: try again in a second
                log.warning("routing process: %s (will retry)", exc)
                seen = -1
                time.sleep(1)
                continue
            except Exception:  # a bug: logged, and the process goes on with the next nudge
                log.exception("routing process: pass failed")
                continue
            shared[DONE] = max(shared[DONE], nudged)
    finally:
        ctx.close()


def worker_context(cfg: Config) -> AppContext:
    """The context of a worker's process (the worker, its routing process): every state change
    it writes reaches the OA outbox in the same transaction (`install_oa_hooks`), whichever
    process made it."""
    ctx = AppContext(cfg)
    install_oa_hooks(cfg, ctx.db)
    return ctx


class RoutingProcess:
    """A routing process for the deployment configured in `config_dir` (spawned, so it shares
    nothing with its parent but the database and its counters)."""

    def __init__(self, config_dir: Path | str, idle_seconds: float = IDLE_SECONDS) -> None:
        """Prepare the process and its counters; nothing starts until `start`."""
        mp = multiprocessing.get_context("spawn")
        self.shared: Any = mp.RawArray("q", 5)
        root = logging.getLogger()
        # A spawned process starts with no logging: it logs as this one does, if this one does.
        log_level = root.getEffectiveLevel() if root.handlers else None
        self.process = mp.Process(
            target=routing_loop,
            args=(str(config_dir), self.shared, os.getpid(), idle_seconds, log_level),
            name="xinxiang-routing",
            daemon=True,
        )

    @property
    def ready(self) -> bool:
        """Whether the process has fitted its models and waits for nudges."""
        return bool(self.shared[READY])

    @property
    def alive(self) -> bool:
        """Whether the process runs (started and not ended)."""
        return self.process.is_alive()

    @property
    def routed(self) -> int:
        """How many tickets the process has routed."""
        return int(self.shared[ROUTED])

    def start(self, *, wait_ready: float | None = None) -> None:
        """Start the process; with `wait_ready`, wait up to that many seconds until its models
        are fitted (a start-up cost of seconds)."""
        self.process.start()
        if wait_ready is not None:
            deadline = time.monotonic() + wait_ready
            while not self.ready and self.process.is_alive() and time.monotonic() < deadline:
                time.sleep(TICK)

    def nudge(self) -> int:
        """Tell the process that letters were committed; the nudge's number. (The counter is
        written by this process alone; a nudge lost between two threads is covered by the
        other's.)"""
        n = int(self.shared[NUDGES]) + 1
        self.shared[NUDGES] = n
        return n

    def drain(self, timeout: float | None = None) -> bool:
        """Nudge, then wait until every letter committed before this call is routed (or set
        aside); False when `timeout` seconds passed first or the process died."""
        n = self.nudge()
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.shared[DONE] < n:
            if not self.process.is_alive():
                return False
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the process to stop after its current pass, and wait for it (then kill it)."""
        self.shared[STOP] = 1
        if self.process.pid is not None:
            self.process.join(timeout)
            if self.process.is_alive():
                self.process.kill()
                self.process.join(5)
