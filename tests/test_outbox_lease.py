"""Specification of the send lease (issue #17, "nothing done twice"): a worker hands a row to
SMTP only while it holds the row's lease with a safe margin, however long its own database
round trips took; a worker that lost its rows neither sends nor records them.

Seen in a two-host run under load: a worker's extension of its batch's lease waited in the
database for longer than the lease, so it committed a lease that had already run out; the
worker then sent the rows while the other host claimed and sent them too (7 reminders received
twice, with the same Message-IDs, no host killed).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select, text, update

from inbound_helpers import context
from servers import free_port
from xinxiang.replies.transport import SmtpTransport
from xinxiang.services.context import AppContext
from xinxiang.services.outbox import send_due
from xinxiang.store.models import OutboxRow

SENDER = "xinxiang@example.edu.cn"
LEASE = 1.0  # smtp.send_lease_seconds (its minimum)


def raw_mail(i: int) -> bytes:
    return (
        f"From: {SENDER}\r\nTo: dept{i}@example.edu.cn\r\nSubject: t{i}\r\n"
        f"Message-ID: <m{i}@x>\r\n\r\nbody {i}\r\n"
    ).encode()


class SlowServer:
    """A real aiosmtpd that keeps every Message-ID it receives and, on a message's first
    arrival, runs an optional coroutine before answering 250 (the message already counts as
    received: a client waiting for the answer has handed it over)."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.on_first: dict[str, Callable[[], Any]] = {}
        server = self

        class Handler:
            async def handle_DATA(self, srv: Any, session: Any, envelope: Any) -> str:
                for line in bytes(envelope.original_content).split(b"\r\n"):
                    if line.startswith(b"Message-ID:"):
                        mid = line[11:].strip().decode()
                        server.ids.append(mid)
                        if (hook := server.on_first.pop(mid, None)) is not None:
                            await hook()
                return "250 OK"

        self.handler = Handler()
        self.port = free_port()
        self.controller: Any = None

    def __enter__(self) -> SlowServer:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


@pytest.fixture
def server() -> Iterator[SlowServer]:
    with SlowServer() as s:
        yield s


def fill(ctx: AppContext, n: int, due: datetime) -> None:
    with ctx.db.unit_of_work() as s:
        s.execute(
            insert(OutboxRow),
            [
                {
                    "dedupe_key": f"t:{i}",
                    "message_id": f"<m{i}@x>",
                    "ticket_id": None,
                    "kind": "reminder",
                    "sender": SENDER,
                    "recipients": [f"dept{i}@example.edu.cn"],
                    "recipient_key": f"dept{i}@example.edu.cn",
                    "raw": raw_mail(i),
                    "state": "pending",
                    "attempts": 0,
                    "created_at": due,
                    "next_attempt_at": due,
                }
                for i in range(n)
            ],
        )


def three_due(server: SlowServer, tmp_config: Any, db_url: str) -> tuple[AppContext, SmtpTransport]:
    """A deployment with a one-second send lease and three mails due, and a transport to
    `server`."""
    ctx = context(
        tmp_config(
            database_url=db_url,
            overrides={"smtp": {"send_lease_seconds": LEASE, "send_workers": 1}},
        )
    )
    fill(ctx, 3, datetime.now(UTC) - timedelta(minutes=1))
    return ctx, SmtpTransport("127.0.0.1", server.port, "plain", timeout=10)


def hold_rows(ctx: AppContext, ids: list[str], seconds: float, holding: threading.Event) -> None:
    """Another transaction writes the rows and keeps them locked for `seconds` (as a long
    transaction of another job would): PostgreSQL row locks, SQLite's database write lock."""
    with ctx.db.unit_of_work() as s:
        s.execute(
            update(OutboxRow)
            .where(OutboxRow.message_id.in_(ids))
            .values(last_error=OutboxRow.last_error),
            execution_options={"synchronize_session": False},
        )
        holding.set()
        time.sleep(seconds)


def test_a_worker_whose_lease_ran_out_while_it_waited_on_the_database_sends_nothing_twice(
    server: SlowServer, tmp_config: Any, db_url: str
) -> None:
    """Worker A claims three mails and sends the first; the server's answer to it comes only
    once another transaction has locked the other two rows, so A's next record (extending
    their lease) waits 1.5 leases for that lock. Meanwhile host B keeps sending what is due.
    The second mail takes the server 0.4 s to acknowledge: long enough for B to claim and send
    it too if A sent it on a lease that had run out. Each mail must arrive exactly once."""
    ctx, transport = three_due(server, tmp_config, db_url)
    holding = threading.Event()
    locker = threading.Thread(
        target=hold_rows, args=(ctx, ["<m1@x>", "<m2@x>"], 1.5 * LEASE, holding)
    )

    async def lock_the_rest_of_the_batch() -> None:
        locker.start()
        await asyncio.get_running_loop().run_in_executor(None, holding.wait, 10)
        await asyncio.sleep(0.1)  # past RECORD_SECONDS: A records before its next mail

    async def acknowledge_slowly() -> None:
        await asyncio.sleep(0.4)

    server.on_first["<m0@x>"] = lock_the_rest_of_the_batch
    server.on_first["<m1@x>"] = acknowledge_slowly

    stop = threading.Event()
    b_sent: list[int] = []

    def host_b() -> None:
        while not stop.is_set():
            b_sent.append(send_due(ctx, transport, datetime.now(UTC), workers=1).sent)
            stop.wait(0.02)

    a_results = []
    a = threading.Thread(
        target=lambda: a_results.append(
            send_due(ctx, transport, datetime.now(UTC), workers=1, batch=3)
        )
    )
    b = threading.Thread(target=host_b)
    a.start()
    assert holding.wait(10)
    b.start()  # B starts once A is under way: A has claimed all three
    a.join(15)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with ctx.db.unit_of_work() as s:
            states = list(s.execute(select(OutboxRow.state)).scalars())
        if states == ["sent"] * 3:
            break
        time.sleep(0.05)
    stop.set()
    b.join()
    locker.join()

    received = Counter(server.ids)
    if db_url.startswith("sqlite"):
        # SQLite's lock is the whole database's: it also holds up A's record of the first
        # mail (acknowledged in time) for 1.5 leases, so whichever of A and B gets the lock
        # first decides whether B sends that one again. That is the case of the next test
        # (an acknowledgement that outlasts the lease): at most once more, with the same
        # Message-ID; the two rows A still had to send arrive exactly once.
        assert received["<m0@x>"] in (1, 2)
        assert received["<m1@x>"] == received["<m2@x>"] == 1
        assert set(received) == {"<m0@x>", "<m1@x>", "<m2@x>"}
    else:
        assert received == {"<m0@x>": 1, "<m1@x>": 1, "<m2@x>": 1}
        assert a_results[0].sent + sum(b_sent) == 3
    assert states == ["sent"] * 3


def test_a_mail_whose_acknowledgement_outlasts_the_lease_is_the_only_one_sent_again(
    server: SlowServer, tmp_config: Any, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """What no lease can prevent: A hands its first mail to the server, which acknowledges it
    only after 1.5 leases; B claims the batch meanwhile and sends all three. That one mail
    arrives twice with the same Message-ID (a recognisable resend) and A says so in its log;
    A sends nothing else and does not overwrite B's record of the rows."""
    ctx, transport = three_due(server, tmp_config, db_url)
    arrived = threading.Event()

    async def acknowledge_late() -> None:
        arrived.set()
        await asyncio.sleep(1.5 * LEASE)

    server.on_first["<m0@x>"] = acknowledge_late
    a_results = []
    a = threading.Thread(
        target=lambda: a_results.append(
            send_due(ctx, transport, datetime.now(UTC), workers=1, batch=3)
        )
    )
    a.start()
    assert arrived.wait(10)
    b_sent = 0
    deadline = time.monotonic() + 10
    while b_sent < 3 and time.monotonic() < deadline:  # host B, until it has sent the batch
        b_sent += send_due(ctx, transport, datetime.now(UTC), workers=1).sent
        time.sleep(0.02)
    a.join(15)

    assert Counter(server.ids) == {"<m0@x>": 2, "<m1@x>": 1, "<m2@x>": 1}
    assert (a_results[0].sent, b_sent) == (1, 3)
    with ctx.db.unit_of_work() as s:
        rows = s.execute(select(OutboxRow.state, OutboxRow.attempts)).all()
    assert sorted(rows) == [("sent", 2)] * 3  # B's record stands
    unleased = [r.getMessage() for r in caplog.records if "mail_sent_unleased" in r.getMessage()]
    assert len(unleased) == 1 and "attempt=1" in unleased[0]


def lock_outbox(ctx: AppContext, seconds: float, holding: threading.Event) -> None:
    """Another transaction keeps every writer of the outbox waiting for `seconds`: a table
    lock on PostgreSQL, the database write lock on SQLite."""
    with ctx.db.unit_of_work() as s:
        if s.get_bind().dialect.name == "postgresql":
            s.execute(text("LOCK TABLE outbox IN SHARE ROW EXCLUSIVE MODE"))
        else:
            s.execute(update(OutboxRow).values(last_error=OutboxRow.last_error))
        holding.set()
        time.sleep(seconds)


def test_a_claim_that_waited_longer_than_the_lease_is_confirmed_before_anything_is_sent(
    server: SlowServer, tmp_config: Any, db_url: str
) -> None:
    """Two hosts' claims both wait 1.5 leases for a lock on the outbox; whichever claims first
    gets a lease counted from before it waited (already run out). The first mail is then
    acknowledged slowly: were it sent on that lease, the other host would claim and send it
    too. Each mail must arrive exactly once."""
    ctx, transport = three_due(server, tmp_config, db_url)

    async def acknowledge_slowly() -> None:
        await asyncio.sleep(0.4)

    for i in range(3):
        server.on_first[f"<m{i}@x>"] = acknowledge_slowly
    holding = threading.Event()
    locker = threading.Thread(target=lock_outbox, args=(ctx, 1.5 * LEASE, holding))
    locker.start()
    assert holding.wait(10)
    sent: list[int] = []
    stop = threading.Event()

    def host() -> None:
        while not stop.is_set():
            sent.append(send_due(ctx, transport, datetime.now(UTC), workers=1, batch=3).sent)
            stop.wait(0.02)

    hosts = [threading.Thread(target=host) for _ in range(2)]
    for h in hosts:
        h.start()
    locker.join()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with ctx.db.unit_of_work() as s:
            states = list(s.execute(select(OutboxRow.state)).scalars())
        if states == ["sent"] * 3:
            break
        time.sleep(0.05)
    stop.set()
    for h in hosts:
        h.join()

    assert Counter(server.ids) == {"<m0@x>": 1, "<m1@x>": 1, "<m2@x>": 1}
    assert sum(sent) == 3
