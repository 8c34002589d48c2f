"""Specification of sending: sessions reused per worker, workers in parallel, each mail once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from inbound_helpers import context
from servers import SmtpSink, free_port
from xinxiang.replies.transport import SmtpTransport, transport_for
from xinxiang.services.context import AppContext
from xinxiang.services.outbox import send_due
from xinxiang.store.models import OutboxRow

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
SENDER = "xinxiang@example.edu.cn"


def raw_mail(i: int) -> bytes:
    return (
        f"From: {SENDER}\r\nTo: dept{i}@example.edu.cn\r\nSubject: t{i}\r\n"
        f"Message-ID: <m{i}@x>\r\n\r\nbody {i}\r\n"
    ).encode()


class CountingServer:
    """A real aiosmtpd that counts SMTP sessions (EHLOs) and Message-IDs received."""

    def __init__(self) -> None:
        self.sessions = 0
        self.ids: list[str] = []
        server = self

        class Handler:
            async def handle_EHLO(
                self, srv: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
            ) -> list[str]:
                server.sessions += 1
                session.host_name = hostname
                return responses

            async def handle_DATA(self, srv: Any, session: Any, envelope: Any) -> str:
                for line in bytes(envelope.original_content).split(b"\r\n"):
                    if line.startswith(b"Message-ID:"):
                        server.ids.append(line[11:].strip().decode())
                return "250 OK"

        self.handler = Handler()
        self.port = free_port()
        self.controller: Any = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def counting() -> Iterator[CountingServer]:
    server = CountingServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_one_session_carries_many_mails(counting: CountingServer) -> None:
    transport = SmtpTransport("127.0.0.1", counting.port, "plain", timeout=10)
    with transport.connection() as conn:
        for i in range(5):
            conn.send(SENDER, [f"dept{i}@example.edu.cn"], raw_mail(i), f"<m{i}@x>")
    assert counting.sessions == 1
    assert counting.ids == [f"<m{i}@x>" for i in range(5)]


def test_a_dropped_session_is_reopened_and_nothing_is_sent_twice(
    counting: CountingServer,
) -> None:
    transport = SmtpTransport("127.0.0.1", counting.port, "plain", timeout=10)
    with transport.connection() as conn:
        conn.send(SENDER, ["a@example.edu.cn"], raw_mail(1), "<m1@x>")
        counting.stop()  # the server goes away, closing the session…
        counting.start()  # …and comes back: the next mail opens a new session
        conn.send(SENDER, ["a@example.edu.cn"], raw_mail(2), "<m2@x>")
    assert counting.ids == ["<m1@x>", "<m2@x>"]
    assert counting.sessions == 2


def fill(ctx: AppContext, n: int) -> None:
    with ctx.db.unit_of_work() as s:
        s.execute(
            insert(OutboxRow),
            [
                {
                    "dedupe_key": f"t:{i}",
                    "message_id": f"<m{i}@x>",
                    "ticket_id": None,
                    "kind": "dispatch",
                    "sender": SENDER,
                    "recipients": [f"dept{i}@example.edu.cn"],
                    "recipient_key": f"dept{i}@example.edu.cn",
                    "raw": raw_mail(i),
                    "state": "pending",
                    "attempts": 0,
                    "created_at": NOW,
                    "next_attempt_at": NOW,
                }
                for i in range(n)
            ],
        )


def test_two_senders_with_parallel_workers_send_each_mail_once(
    smtp_sink: SmtpSink, tmp_config: Any, db_url: str
) -> None:
    """Two passes at once (as two worker processes would), each with three workers."""
    ctx = context(tmp_config(smtp=smtp_sink, database_url=db_url))
    fill(ctx, 120)
    results = []

    def one_pass() -> None:
        results.append(send_due(ctx, transport_for(ctx.cfg), NOW, workers=3))

    threads = [threading.Thread(target=one_pass) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    got = sorted(m.parsed()["Message-ID"] for m in smtp_sink.messages())
    assert got == sorted(f"<m{i}@x>" for i in range(120))
    assert sum(r.sent for r in results) == 120
    with ctx.db.unit_of_work() as s:
        states = dict(
            s.execute(select(OutboxRow.state, func.count()).group_by(OutboxRow.state)).all()
        )
    assert states == {"sent": 120}


def test_a_small_backlog_goes_out_in_order_and_a_limit_is_kept(
    smtp_sink: SmtpSink, tmp_config: Any
) -> None:
    ctx = context(tmp_config(smtp=smtp_sink))
    fill(ctx, 8)
    assert send_due(ctx, transport_for(ctx.cfg), NOW, limit=5).sent == 5
    assert send_due(ctx, transport_for(ctx.cfg), NOW).sent == 3
    got = [m.parsed()["Message-ID"] for m in smtp_sink.messages()]
    assert got == [f"<m{i}@x>" for i in range(8)]


def test_alerts_then_receipts_go_out_first_in_a_backlog(
    smtp_sink: SmtpSink, tmp_config: Any, db_url: str
) -> None:
    """Issue #17's latency: a receipt or an emergency alert due later than a backlog of staff
    mail is sent before it (alerts first, then receipts, then the rest in order)."""
    ctx = context(tmp_config(smtp=smtp_sink, database_url=db_url))
    fill(ctx, 6)  # dispatch mails, all due since NOW
    later = [("ack", 100), ("emergency_alert", 101), ("dispatch", 102), ("ack", 103)]
    with ctx.db.unit_of_work() as s:
        s.execute(
            insert(OutboxRow),
            [
                {
                    "dedupe_key": f"late:{i}",
                    "message_id": f"<m{i}@x>",
                    "ticket_id": None,
                    "kind": kind,
                    "sender": SENDER,
                    "recipients": [f"p{i}@example.com"],
                    "recipient_key": f"p{i}@example.com",
                    "raw": raw_mail(i),
                    "state": "pending",
                    "attempts": 0,
                    "created_at": NOW,
                    "next_attempt_at": NOW.replace(minute=5),
                }
                for kind, i in later
            ],
        )
    at = NOW.replace(minute=10)
    assert send_due(ctx, transport_for(ctx.cfg), at, limit=3, workers=1, batch=3).sent == 3
    first = {m.parsed()["Message-ID"] for m in smtp_sink.messages()}
    assert first == {"<m101@x>", "<m100@x>", "<m103@x>"}
    assert send_due(ctx, transport_for(ctx.cfg), at, workers=1).sent == 7
    rest = [m.parsed()["Message-ID"] for m in smtp_sink.messages()][3:]
    assert rest == [f"<m{i}@x>" for i in range(6)] + ["<m102@x>"]
