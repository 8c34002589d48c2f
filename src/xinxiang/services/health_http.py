"""The worker's `/healthz` and `/metrics` (运行状态接口), on loopback only.

`/healthz` answers with each component's state as JSON: 200 while the database answers (a
failing mailbox is reported, not fatal), 503 when it does not. `/metrics` is Prometheus text
(prometheus-client): letters, tickets by state, overdue deadlines, outbox depth, shunt size,
notification queue, per-component health and last success. Both are read from the database at
each request, so several workers report the same figures. `health.listen` must be a loopback
address (checked in `config`): these figures are not for the public.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from xinxiang.services.health import states
from xinxiang.services.office import list_overdue
from xinxiang.store.models import LetterRow, OutboxRow, TicketRow
from xinxiang.store.models_health import NotificationRow
from xinxiang.store.models_shunt import ShuntRow

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext

log = logging.getLogger(__name__)


class XinxiangCollector(Collector):
    """Gauges read from the database at each scrape."""

    def __init__(self, ctx: AppContext, clock: Callable[[], datetime]) -> None:
        self.ctx = ctx
        self.clock = clock

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """One family per figure."""
        with self.ctx.db.session() as session:
            letters = session.scalar(select(func.count()).select_from(LetterRow)) or 0
            by_state = session.execute(
                select(TicketRow.status, func.count()).group_by(TicketRow.status)
            ).all()
            outbox = session.execute(
                select(OutboxRow.state, func.count())
                .where(OutboxRow.state.in_(("pending", "sending", "failed")))
                .group_by(OutboxRow.state)
            ).all()
            shunted = session.scalar(
                select(func.count())
                .select_from(ShuntRow)
                .where(ShuntRow.state.in_(("open", "retried")))
            )
            notes = session.execute(
                select(NotificationRow.state, func.count()).group_by(NotificationRow.state)
            ).all()
            health = states(session)
        overdue = len(list_overdue(self.ctx, self.clock()))
        yield GaugeMetricFamily("xinxiang_letters", "Letters recorded", value=letters)
        tickets = GaugeMetricFamily("xinxiang_tickets", "Tickets by state", labels=["state"])
        for state, n in by_state:
            tickets.add_metric([state], n)
        yield tickets
        yield GaugeMetricFamily("xinxiang_overdue", "Open deadlines past due", value=overdue)
        depth = GaugeMetricFamily("xinxiang_outbox", "Outbox mails not sent", labels=["state"])
        for state, n in outbox:
            depth.add_metric([state], n)
        yield depth
        yield GaugeMetricFamily("xinxiang_shunt", "Items set aside", value=shunted or 0)
        queue = GaugeMetricFamily("xinxiang_notifications", "Notifications", labels=["state"])
        for state, n in notes:
            queue.add_metric([state], n)
        yield queue
        up = GaugeMetricFamily("xinxiang_component_up", "Component healthy", labels=["component"])
        last = GaugeMetricFamily(
            "xinxiang_component_last_success_seconds",
            "Unix time of the component's last success (per mailbox: last poll)",
            labels=["component"],
        )
        for s in health:
            up.add_metric([s.component], 1.0 if s.ok else 0.0)
            if s.last_ok_at is not None:
                last.add_metric([s.component], s.last_ok_at.timestamp())
        yield up
        yield last


def healthz(ctx: AppContext) -> tuple[int, bytes]:
    """Status and JSON body of `/healthz`."""
    try:
        with ctx.db.session() as session:
            current = states(session)
    except SQLAlchemyError as exc:
        body = {"database": "unreachable", "error": type(exc).__name__}
        return 503, json.dumps(body).encode()
    body_ok = {
        "database": "ok",
        "components": {
            s.component: {
                "ok": s.ok,
                "failing_since": s.failing_since.isoformat() if s.failing_since else None,
                "last_ok_at": s.last_ok_at.isoformat() if s.last_ok_at else None,
            }
            for s in current
        },
    }
    return 200, json.dumps(body_ok, ensure_ascii=False).encode()


def make_server(
    ctx: AppContext, host: str, port: int, clock: Callable[[], datetime]
) -> ThreadingHTTPServer:
    """A small HTTP server for `/healthz` and `/metrics` (call `serve_forever` in a thread)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(XinxiangCollector(ctx, clock))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/healthz":
                status, body = healthz(ctx)
                ctype = "application/json"
            elif path == "/metrics":
                try:
                    status, body = 200, generate_latest(registry)
                except SQLAlchemyError:
                    status, body = 503, b"database unreachable\n"
                ctype = "text/plain; version=0.0.4; charset=utf-8"
            else:
                status, body, ctype = 404, b"not found\n", "text/plain"
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            log.debug("health http: " + format, *args)

    return ThreadingHTTPServer((host, port), Handler)


def start_server(
    ctx: AppContext, listen: str, clock: Callable[[], datetime]
) -> ThreadingHTTPServer:
    """Serve `/healthz` and `/metrics` on `listen` (host:port) in a daemon thread."""
    host, _, port = listen.rpartition(":")
    server = make_server(ctx, host.strip("[]"), int(port), clock)
    threading.Thread(target=server.serve_forever, name="xinxiang-health", daemon=True).start()
    return server
