"""Routing in a process of its own, beside ingest (issue #17).

Ingest commits letters a batch at a time; routing (classification, duplicates, dispatch mail)
costs more CPU per letter than ingest does. Run one after the other in one process, a pass of
N letters takes ingest's time plus routing's. The worker instead starts a routing process
(`RoutingProcess`): ingest nudges it after each committed batch, and it routes what is
committed while ingest fetches and commits the next batches, on the other core.

Nothing is lost or done twice: routing takes only committed tickets still in state `received`
and claims each batch before writing it (`services.routing._claim`), so it may run beside a
poll's own routing, the every-minute job, or another host's routing process. A nudge that is
missed only delays routing until the next nudge or the idle timeout.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.synchronize
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from xinxiang.services.shunt import TRANSIENT

log = logging.getLogger(__name__)

IDLE_SECONDS = 30.0
"""How long the routing process waits without a nudge before it looks for tickets anyway."""


def routing_loop(
    config_dir: str,
    wake: multiprocessing.synchronize.Event,
    stop: multiprocessing.synchronize.Event,
    ready: multiprocessing.synchronize.Event,
    nudges: Any,
    done: Any,
    routed: Any,
    idle_seconds: float = IDLE_SECONDS,
    log_level: int | None = None,
) -> None:
    """The routing process's body: fit the models, then route whenever nudged until `stop`.

    `nudges` counts the nudges (`RoutingProcess.nudge`); after a pass that found nothing left,
    `done` is set to the count read before that pass began, so every nudge up to `done` has
    had its letters routed (`RoutingProcess.drain`). `routed` counts the tickets routed, so
    that the parent sends the mails they queued at once. With `log_level`, log as the parent
    does (`logs.setup_logging`): the routing events (`ticket_routed`) are logged here.
    """
    from xinxiang.classify.batch import fit_models
    from xinxiang.classify.reader import shipped_reader
    from xinxiang.config import load_config
    from xinxiang.logs import setup_logging
    from xinxiang.services.context import AppContext
    from xinxiang.services.routing import route_received

    if log_level is not None:
        setup_logging(verbose=log_level <= logging.DEBUG)
    ctx = AppContext(load_config(config_dir))
    try:
        # Every model routing may ask, fitted (or loaded from the reader cache) before the
        # first nudge: a start-up cost, not the first letters'.
        fit_models(ctx.rules)
        s = ctx.rules.settings
        if s.reader_office > 0:
            shipped_reader().office_disposition  # noqa: B018
        if max(s.reader_emergency_department, s.reader_emergency_department_over_rules) > 0:
            shipped_reader().emergency_department  # noqa: B018
        ready.set()
        while not stop.is_set():
            wake.wait(idle_seconds)
            wake.clear()
            if stop.is_set():
                break
            seen = nudges.value
            try:
                while n := route_received(ctx, datetime.now(UTC)):
                    with routed.get_lock():
                        routed.value += n
            except TRANSIENT as exc:  # the database away or locked: the next nudge retries
                log.warning("routing process: %s (will retry)", exc)
                time.sleep(1)
                wake.set()
                continue
            except Exception:  # a bug: logged, and the process goes on with the next nudge
                log.exception("routing process: pass failed")
                continue
            with done.get_lock():
                done.value = max(done.value, seen)
    finally:
        ctx.close()


class RoutingProcess:
    """A routing process for the deployment configured in `config_dir` (spawned, so it shares
    nothing with its parent but the database)."""

    def __init__(self, config_dir: Path | str, idle_seconds: float = IDLE_SECONDS) -> None:
        """Prepare the process and its signals; nothing starts until `start`."""
        mp = multiprocessing.get_context("spawn")
        self.wake = mp.Event()
        self.stop_event = mp.Event()
        self.ready = mp.Event()
        self.nudges = mp.Value("q", 0)
        self.done = mp.Value("q", 0)
        self.routed = mp.Value("q", 0)
        root = logging.getLogger()
        # A spawned process starts with no logging: it logs as this one does, if this one does.
        log_level = root.getEffectiveLevel() if root.handlers else None
        self.process = mp.Process(
            target=routing_loop,
            args=(
                str(config_dir),
                self.wake,
                self.stop_event,
                self.ready,
                self.nudges,
                self.done,
                self.routed,
                idle_seconds,
                log_level,
            ),
            name="xinxiang-routing",
            daemon=True,
        )

    def start(self, *, wait_ready: float | None = None) -> None:
        """Start the process; with `wait_ready`, wait up to that many seconds until its models
        are fitted (a start-up cost of seconds)."""
        self.process.start()
        if wait_ready is not None:
            self.ready.wait(wait_ready)

    def nudge(self) -> int:
        """Tell the process that letters were committed; the nudge's number."""
        with self.nudges.get_lock():
            self.nudges.value += 1
            n = int(self.nudges.value)
        self.wake.set()
        return n

    def drain(self, timeout: float | None = None) -> bool:
        """Nudge, then wait until every letter committed before this call is routed (or set
        aside); False when `timeout` seconds passed first or the process died."""
        n = self.nudge()
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.done.value < n:
            if not self.process.is_alive():
                return False
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the process to stop after its current pass, and wait for it."""
        self.stop_event.set()
        self.wake.set()
        if self.process.pid is not None:
            self.process.join(timeout)
            if self.process.is_alive():
                self.process.terminate()
                self.process.join(5)
