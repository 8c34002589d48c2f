"""The worker as a real process: crash safety under SIGKILL, server restarts, PG + Redis."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from inbound_helpers import context, letter
from scale import scaled
from servers import DovecotServer, ImapAccount, SmtpSink
from xinxiang.samples import iter_sample_letters
from xinxiang.services.context import AppContext
from xinxiang.store.models import LetterRow, OutboxRow, TicketRow

XINXIANG = str(Path(sys.executable).with_name("xinxiang"))
FAST = {
    "queue": {"poll_interval_seconds": 2, "outbox_interval_seconds": 1},
    "smtp": {"retry_base_seconds": 1, "retry_max_seconds": 2, "send_lease_seconds": 3},
}


def start_worker(cfg_dir: Path, log: Path) -> subprocess.Popen[bytes]:
    fh = log.open("ab")
    return subprocess.Popen(
        [XINXIANG, "worker", "--config", str(cfg_dir)],
        stdout=fh,
        stderr=subprocess.STDOUT,
        env=os.environ.copy(),
        start_new_session=True,
    )


def stop_worker(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_until(cond: Callable[[], bool], timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.5)
    tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
    raise AssertionError(f"timed out waiting for {what}\n--- worker log ---\n{tail}")


def outbox_drained(ctx: AppContext) -> bool:
    with ctx.db.unit_of_work() as s:
        return not s.execute(
            select(func.count())
            .select_from(OutboxRow)
            .where(OutboxRow.state.not_in(("sent", "skipped")))
        ).scalar_one()


def ticket_count(ctx: AppContext) -> int:
    with ctx.db.unit_of_work() as s:
        return int(s.execute(select(func.count()).select_from(TicketRow)).scalar_one())


# Letters in the mailbox while the worker is killed 4 times (still mid-work at each kill).
N_KILLED = scaled(500, 200)


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_nothing_and_duplicates_nothing(
    imap_account: ImapAccount, smtp_sink: SmtpSink, tmp_config, tmp_path: Path
) -> None:
    n = N_KILLED  # 500 under bench/bench_long_scenarios.py
    cfg_dir = tmp_config(imap=imap_account, smtp=smtp_sink, overrides=FAST)
    ctx = context(cfg_dir)
    with imap_account.client() as c:
        for raw in iter_sample_letters(n, seed=7):
            c.append("INBOX", raw)
    log = tmp_path / "worker.log"
    rng = random.Random(20261202)
    for _ in range(4):
        proc = start_worker(cfg_dir, log)
        time.sleep(rng.uniform(1.5, 4.0))
        proc.kill()  # SIGKILL: no cleanup of any kind
        proc.wait()
    proc = start_worker(cfg_dir, log)
    try:
        wait_until(
            lambda: (
                imap_account.folder_count("INBOX") == 0
                and outbox_drained(ctx)
                and ticket_count(ctx) > 0
            ),
            240,
            "all letters processed and acknowledged",
            log,
        )
    finally:
        stop_worker(proc)

    with ctx.db.unit_of_work() as s:
        letters = s.execute(select(LetterRow.message_id, LetterRow.kind)).all()
        tickets = s.execute(select(TicketRow.number, TicketRow.id)).all()
        acks = s.execute(
            select(OutboxRow.ticket_id, OutboxRow.message_id).where(
                OutboxRow.kind == "ack", OutboxRow.state == "sent"
            )
        ).all()
        all_mail = set(
            s.execute(select(OutboxRow.message_id).where(OutboxRow.state == "sent")).scalars()
        )
    message_ids = [m for m, _ in letters]
    assert len(message_ids) == len(set(message_ids)) == n, "every message imported once"
    expected_tickets = sum(1 for _, k in letters if k == "letter")
    assert len(tickets) == expected_tickets
    assert expected_tickets >= n * 0.9
    per_ticket: dict[int, list[str]] = defaultdict(list)
    for ticket_id, mid in acks:
        per_ticket[ticket_id].append(mid)
    # Every ticket has its receipt queued exactly once (the rate limit may hold some back, and
    # those tickets carry a `mail_rate_limited` event instead).
    assert all(len(v) == 1 for v in per_ticket.values())
    sink_ids: dict[str, int] = defaultdict(int)
    for m in smtp_sink.messages():
        sink_ids[m.parsed()["Message-ID"]] += 1
    queued = {mid for mids in per_ticket.values() for mid in mids}
    assert queued <= set(sink_ids) == all_mail, "every queued mail arrived, and nothing else"
    resends = {k: v for k, v in sink_ids.items() if v > 1}
    assert sum(resends.values()) - len(resends) <= 8, "only the few in flight at a kill resent"
    assert imap_account.folder_count("Processed") + imap_account.folder_count("Quarantine") == n


@pytest.mark.slow
def test_worker_recovers_by_itself_when_dovecot_restarts(
    dovecot: DovecotServer, smtp_sink: SmtpSink, tmp_config, tmp_path: Path
) -> None:
    account = dovecot.new_account("restart")
    cfg_dir = tmp_config(imap=account, smtp=smtp_sink, overrides=FAST)
    ctx = context(cfg_dir)
    log = tmp_path / "worker.log"
    proc = start_worker(cfg_dir, log)
    try:
        for i in range(5):
            account.append(letter(subject=f"重启前{i}", sender=f"a{i}@stu.example.edu.cn"))
        wait_until(lambda: ticket_count(ctx) == 5, 60, "first letters", log)
        dovecot.restart()
        for i in range(5):
            account.append(letter(subject=f"重启后{i}", sender=f"b{i}@stu.example.edu.cn"))
        wait_until(lambda: ticket_count(ctx) == 10, 90, "letters after the restart", log)
        wait_until(lambda: outbox_drained(ctx), 30, "receipts", log)
        assert proc.poll() is None, "the worker must not crash"
    finally:
        stop_worker(proc)
    assert len([m for m in smtp_sink.messages() if "stu." in m.rcpt_tos[0]]) == 10


@pytest.mark.slow
def test_worker_on_postgresql_and_redis(
    imap_account: ImapAccount,
    smtp_sink: SmtpSink,
    tmp_config,
    tmp_path: Path,
    pg_url: str,
    redis_url: str,
) -> None:
    cfg_dir = tmp_config(
        imap=imap_account, smtp=smtp_sink, database_url=pg_url, queue_url=redis_url, overrides=FAST
    )
    ctx = context(cfg_dir)
    for i in range(20):
        imap_account.append(letter(subject=f"来信{i}", sender=f"p{i}@stu.example.edu.cn"))
    log = tmp_path / "worker.log"
    proc = start_worker(cfg_dir, log)
    try:
        wait_until(lambda: ticket_count(ctx) == 20 and outbox_drained(ctx), 90, "20 tickets", log)
    finally:
        stop_worker(proc)
    smtp_sink.wait_for(20)
    assert len([m for m in smtp_sink.messages() if "stu." in m.rcpt_tos[0]]) == 20
