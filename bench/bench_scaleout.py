"""Benchmark skeleton: two worker processes on PostgreSQL + RedisHuey drain one mailbox.

One Dovecot, one counting SMTP server, one PostgreSQL database and one Redis queue shared by two
`xinxiang worker` processes. `--n` letters are APPENDed up front; worker 1 is SIGKILLed once a
third of the tickets exist and restarted. At the end it checks: one ticket per letter, one
receipt per petitioner, each mail (by Message-ID) received once, and that both workers did a
share of the work (from their logs).

With `--netns` the two workers are two hosts instead: network namespaces with hostnames of
their own, made by the bench, reaching a PostgreSQL, a Redis, a Dovecot and an SMTP server of
their own on a bridge address (`tests/scaleout_hosts.py`, the same scenario as
`tests/test_scaleout_two_hosts.py` at 2,000 letters); the host reading the mailbox is SIGKILLed
with its children at a third and comes back only after the other host has taken the mailbox
over. Needs root. Petitions are filed at an OA simulator meanwhile (`--oa-petitions`) and
reminders fall due (`--remind-after`, and each priority ticket's a minute after its dispatch):
each reminder and each OA update is counted where it arrives (`tests/scaleout_duties.py`).

    .venv/bin/python bench/bench_scaleout.py [--n 2000] [--no-kill]
    .venv/bin/python bench/bench_scaleout.py --netns --n 20000 [--timeout 3600]
        [--oa-petitions 1000] [--remind-after 90]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
XINXIANG = str(Path(sys.executable).with_name("xinxiang"))


class CountingSink:
    """aiosmtpd on loopback counting mails per recipient and per Message-ID."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        from servers import free_port  # type: ignore[import-not-found]

        self.by_rcpt: Counter[str] = Counter()
        self.by_id: Counter[bytes] = Counter()
        self.lock = threading.Lock()
        sink = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                head = bytes(envelope.original_content)[:4000]
                found = re.search(rb"(?im)^message-id:\s*(\S+)", head)
                with sink.lock:
                    sink.by_id[found.group(1) if found else b"?"] += 1
                    for rcpt in envelope.rcpt_tos:
                        sink.by_rcpt[str(rcpt).lower()] += 1
                return "250 2.0.0 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def close(self) -> None:
        self.controller.stop()


def write_config(
    cfg_dir: Path, data_dir: Path, db_url: str, queue_url: str, account: Any, smtp_port: int
) -> None:
    """A deployment for one worker (each worker has its own data directory)."""
    cfg_dir.mkdir(parents=True)
    for extra in (REPO / "config").glob("*.toml"):
        if extra.name not in ("xinxiang.toml", "oa.toml"):
            (cfg_dir / extra.name).write_bytes(extra.read_bytes())
    (cfg_dir / "xinxiang.toml").write_text(
        f'[storage]\ndata_dir = "{data_dir}"\ndatabase_url = "{db_url}"\n'
        f'[queue]\nurl = "{queue_url}"\nworkers = 2\npoll_interval_seconds = 5\n'
        f"outbox_interval_seconds = 2\nsource_lease_seconds = 10\n"
        f'[smtp]\ntransport = "smtp"\nhost = "127.0.0.1"\nport = {smtp_port}\n'
        f'security = "plain"\nallow_plaintext = true\nsend_lease_seconds = 10\n'
        f'from_address = "xinxiang@example.edu.cn"\n'
        f'[[source]]\nname = "shuji"\nchannel = "书记信箱"\nhost = "{account.host}"\n'
        f'port = {account.port}\nsecurity = "plain"\nallow_plaintext = true\n'
        f'username = "{account.user}"\npassword_env = "BENCH_IMAP_PASSWORD"\nidle = true\n',
        encoding="utf-8",
    )


def start(cfg: Path, log: Path) -> subprocess.Popen[bytes]:
    fh = log.open("ab")
    return subprocess.Popen(
        [XINXIANG, "worker", "--config", str(cfg)],
        stdout=fh,
        stderr=subprocess.STDOUT,
        env=os.environ.copy(),
        start_new_session=True,
    )


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def share(log: Path) -> tuple[int, int]:
    """(tickets created, mails sent) by one worker, from its log."""
    text = log.read_text(errors="replace") if log.exists() else ""
    created = sum(int(m) for m in re.findall(r"poll shuji: source=shuji created=(\d+)", text))
    return created, text.count("event=mail_sent")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--no-kill", action="store_true")
    ap.add_argument("--netns", action="store_true", help="two hosts in network namespaces")
    ap.add_argument("--oa-petitions", type=int, default=100, help="--netns: filed at the OA")
    ap.add_argument(
        "--remind-after", type=float, default=90, help="--netns: seconds to the reminders' T"
    )
    args = ap.parse_args()
    if args.netns:
        two_hosts(args.n, args.timeout, args.oa_petitions, args.remind_after)
        return

    from sqlalchemy import func, select

    from inbound_helpers import letter  # type: ignore[import-not-found]
    from servers import DovecotServer, postgres_url, redis_url  # type: ignore[import-not-found]
    from xinxiang.config import load_config
    from xinxiang.services.context import AppContext
    from xinxiang.store.migrate import upgrade
    from xinxiang.store.models import LetterRow, OutboxRow, TicketRow

    os.environ.setdefault("XINXIANG_TOKEN_KEY", secrets.token_hex(32))
    tmp = Path(tempfile.mkdtemp(prefix="xx-bench-scaleout-"))
    sink = CountingSink()
    with contextlib.ExitStack() as stack, DovecotServer() as server:
        server.start()
        account = server.new_account("scaleout")
        os.environ["BENCH_IMAP_PASSWORD"] = account.password
        db_url = stack.enter_context(postgres_url())
        queue_url = stack.enter_context(redis_url())
        if db_url is None or queue_url is None:
            raise SystemExit("needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379")
        cfgs = []
        for w in (1, 2):
            write_config(tmp / f"cfg{w}", tmp / f"data{w}", db_url, queue_url, account, sink.port)
            cfgs.append(tmp / f"cfg{w}")
        ctx = AppContext(load_config(cfgs[0]))
        upgrade(ctx.db)
        with account.client() as imap:
            for i in range(args.n):
                imap.append("INBOX", letter(subject=f"来信{i}", sender=f"p{i}@stu.example.edu.cn"))

        def count(model: Any, *where: Any) -> int:
            with ctx.db.unit_of_work() as s:
                q = select(func.count()).select_from(model).where(*where)
                return int(s.execute(q).scalar_one())

        logs = [tmp / "worker1.log", tmp / "worker2.log"]
        t0 = time.perf_counter()
        procs = [start(cfgs[0], logs[0]), start(cfgs[1], logs[1])]
        killed = args.no_kill
        try:
            deadline = time.monotonic() + args.timeout
            while time.monotonic() < deadline:
                tickets = count(TicketRow)
                if not killed and tickets >= args.n // 3:
                    procs[0].send_signal(signal.SIGKILL)
                    procs[0].wait()
                    procs[0] = start(cfgs[0], logs[0])
                    killed = True
                unsent = count(OutboxRow, OutboxRow.state.not_in(("sent", "skipped", "failed")))
                if tickets >= args.n and unsent == 0:
                    break
                time.sleep(1)
            elapsed = time.perf_counter() - t0
        finally:
            for p in procs:
                stop(p)
        letters, tickets = count(LetterRow), count(TicketRow)
        with ctx.db.unit_of_work() as s:
            duplicate_letters = s.execute(
                select(func.count()).select_from(
                    select(LetterRow.message_id)
                    .group_by(LetterRow.message_id)
                    .having(func.count() > 1)
                    .subquery()
                )
            ).scalar_one()
        ctx.close()
    sink.close()
    receipts = [sink.by_rcpt[f"p{i}@stu.example.edu.cn"] for i in range(args.n)]
    resent = sum(c - 1 for c in sink.by_id.values() if c > 1)
    shares = [share(log) for log in logs]
    print(f"\n## Two workers, PostgreSQL + RedisHuey, {args.n} letters (loopback, one host)\n")
    print(
        f"- drained in {elapsed:.0f} s ({args.n / elapsed:.0f} letters/s); worker 1 SIGKILLed "
        f"at a third: {'no' if args.no_kill else 'yes'}"
    )
    print(f"- letters {letters}, tickets {tickets}, letters stored twice {duplicate_letters}")
    print(
        f"- petitioners with no receipt {receipts.count(0)}, with more than one "
        f"{sum(1 for c in receipts if c > 1)}"
    )
    print(
        f"- mails received {sum(sink.by_id.values())}, distinct Message-IDs {len(sink.by_id)},"
        f" received again (same Message-ID) {resent}"
    )
    for w, (created, sent) in enumerate(shares, 1):
        print(f"- worker {w}: created {created} tickets, sent {sent} mails")
    print(f"\nLogs: {tmp}")


def two_hosts(n: int, timeout: float, oa_petitions: int, remind_after: float) -> None:
    """The two-host scenario (`tests/scaleout_hosts.py`) at `n` letters, as a table."""
    from netns_hosts import netns_unavailable  # type: ignore[import-not-found]
    from scaleout_hosts import run_two_hosts  # type: ignore[import-not-found]

    reason = netns_unavailable()
    if reason is not None:
        raise SystemExit(f"--netns: {reason}")
    os.environ.setdefault("XINXIANG_TOKEN_KEY", secrets.token_hex(32))
    tmp = Path(tempfile.mkdtemp(prefix="xx-bench-2hosts-"))
    t0 = time.monotonic()
    run = run_two_hosts(
        tmp,
        n,
        timeout=timeout,
        progress=lambda m: print(f"{time.monotonic() - t0:7.1f} s  {m}", flush=True),
        oa_petitions=oa_petitions,
        remind_after=remind_after,
    )
    d = run.duties
    print(f"\n## Two hosts (network namespaces), PostgreSQL + RedisHuey, {n} letters\n")
    print(
        "| letters | drained in | letters/s | killed at | taken over after | tickets | stored twice"
        " | two outbox rows per (ticket, kind) | receipts missing / twice | dispatch mails /"
        " dispatched | same Message-ID again | w1 / w2 tickets | w1 / w2 mails"
        " | reminders due / recorded / mailed (tickets) / twice | w1 / w2 reminder mails"
        " | OA events / updates at the OA / twice / key again | w1 / w2 OA pushes"
        " | load before / after |"
    )
    print("|" + "---|" * 18)
    print(
        f"| {n} | {run.elapsed:.0f} s{'' if run.drained else ' (NOT drained)'} |"
        f" {n / run.elapsed:.0f} | {run.killed_host} at {run.killed_at_tickets} |"
        f" {run.takeover_seconds:.0f} s{'' if run.taken_over_while_down else ' (after restart)'} |"
        f" {run.tickets} | {run.letters_stored_twice + run.letters_with_two_tickets} |"
        f" {run.outbox_rows_twice} | {run.receipts_missing} / {run.receipts_twice} |"
        f" {run.dispatch_mails} / {run.dispatched_tickets} | {run.redelivered} |"
        f" {run.created['w1']} / {run.created['w2']} | {run.sent['w1']} / {run.sent['w2']} |"
        f" {d.reminders_due} / {d.reminders_recorded} / {d.reminder_mails}"
        f" ({d.reminder_tickets_mailed}) / {d.reminders_twice} |"
        f" {d.reminders_sent_by.get('w1', 0)} / {d.reminders_sent_by.get('w2', 0)} |"
        f" {d.oa_rows} / {d.oa_updates} / {d.oa_updates_twice} / {d.oa_posted_again} |"
        f" {d.oa_pushed_by.get('w1', 0)} / {d.oa_pushed_by.get('w2', 0)} |"
        f" {run.load[0]:.1f} / {run.load[1]:.1f} |"
    )
    print("\n" + "\n".join(run.lines()))


if __name__ == "__main__":
    main()
