"""The two-host scale-out scenario, shared by `tests/test_scaleout_two_hosts.py` (2,000 letters)
and `bench/bench_scaleout.py --netns` (20,000).

The server host (this process's namespace) runs one Dovecot, one counting SMTP server and a
PostgreSQL and a Redis of their own, all on the test bridge's address. Two worker hosts, each a
network namespace with a hostname of its own (`netns_hosts.HostNetwork`), run one `xinxiang
worker` process each, with the same configuration but for nothing: PostgreSQL for the data,
RedisHuey for the queue, one shared data directory (the blobs, as an NFS mount would be in a
real deployment). `n` letters from distinct petitioners are APPENDed first; then both workers
start. Once a third of the tickets exist, the worker holding the mailbox's lease is SIGKILLed
with its children (its host dies mid-read) and started again; the other host takes the mailbox
over when the lease expires. When every letter has a ticket, no ticket waits for routing and
the outbox is empty, `TwoHostRun` tells what happened: in the database, at the SMTP server, and
per host from the workers' logs.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from inbound_helpers import letter  # type: ignore[import-not-found]
from netns_hosts import (  # type: ignore[import-not-found]
    HostNetwork,
    PostgresServer,
    RedisServer,
    kill_host,
    stop_process,
)
from scaleout_duties import (  # type: ignore[import-not-found]
    OA_SECRET,
    CountingOa,
    DutyFacts,
    duty_facts,
    reminder_lead,
    write_oa_toml,
    write_policy,
)
from servers import DovecotServer, free_port  # type: ignore[import-not-found]

REPO = Path(__file__).resolve().parents[1]
HOSTS = ("w1", "w2")
PETITIONERS = "stu.example.edu.cn"
# Each letter names another building and matter, so that routing sees distinct letters; a
# sixth (没有热水) are priority tickets (24 h), whose reminders fall due during the run.
OA_PETITIONS = 100  # petitions filed at the OA: pulled, dispatched and pushed back
OA_BATCHES, OA_EVERY = 5, 30.0  # filed in 5 batches, one every 30 s from the start
REMIND_AFTER = 90.0  # seconds into the run at which the reminders fall due (T)
MATTERS = ("宿舍没有热水", "食堂价格", "图书馆座位", "校园网速度", "教室空调", "快递点排队")


class CountingSink:
    """aiosmtpd on `host` counting mails per Message-ID and, per recipient, the Message-IDs."""

    def __init__(self, host: str) -> None:
        from aiosmtpd.controller import Controller

        self.by_id: Counter[str] = Counter()
        self.ids_by_rcpt: dict[str, set[str]] = {}
        self.lock = threading.Lock()
        sink = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                head = bytes(envelope.original_content)[:4000]
                found = re.search(rb"(?im)^message-id:\s*(\S+)", head)
                mid = found.group(1).decode("ascii", "replace").strip("<>") if found else "?"
                with sink.lock:
                    sink.by_id[mid] += 1
                    for rcpt in envelope.rcpt_tos:
                        sink.ids_by_rcpt.setdefault(str(rcpt).lower(), set()).add(mid)
                return "250 2.0.0 OK"

        self.host, self.port = host, free_port()
        self.controller = Controller(Handler(), hostname=host, port=self.port, ready_timeout=10)
        self.controller.start()

    def close(self) -> None:
        self.controller.stop()


@dataclass
class TwoHostRun:
    """What a two-host run did (database facts, SMTP facts, per-host shares)."""

    n: int
    elapsed: float = 0.0
    drained: bool = False
    killed_host: str = ""
    killed_at_tickets: int = 0
    takeover_seconds: float = 0.0  # from the kill to the next ticket made by the other host
    taken_over_while_down: bool = False
    restarted: bool = False
    letters: int = 0
    tickets: int = 0
    letters_stored_twice: int = 0
    letters_with_two_tickets: int = 0
    still_received: int = 0
    outbox_by_kind: dict[str, int] = field(default_factory=dict)
    outbox_rows_twice: int = 0  # (ticket, kind) pairs with more than one outbox row
    outbox_unsent: int = 0
    receipts_missing: int = 0  # petitioners with no receipt
    receipts_twice: int = 0  # petitioners with two different receipts
    dispatched_tickets: int = 0
    dispatch_mails: int = 0  # distinct dispatch Message-IDs received
    mails_received: int = 0
    distinct_received: int = 0
    sent_rows_not_received: int = 0
    received_not_in_outbox: int = 0
    redelivered: int = 0  # the same Message-ID received again (sent, then killed before recorded)
    created: dict[str, int] = field(default_factory=dict)  # tickets created per host
    sent: dict[str, int] = field(default_factory=dict)  # mails sent per host
    logs: Path | None = None
    load: tuple[float, float] = (0.0, 0.0)
    duties: DutyFacts = field(default_factory=DutyFacts)  # reminders and OA pushes

    def lines(self) -> list[str]:
        """A readable summary (for assertion messages and the bench)."""
        out = [f"{k}={v}" for k, v in self.__dict__.items() if k != "duties"]
        return out + [f"duties.{k}={v}" for k, v in self.duties.__dict__.items()]


def write_config(
    cfg_dir: Path, data_dir: Path, db_url: str, queue_url: str, account: Any, smtp: CountingSink
) -> None:
    """One host's configuration: the same on both hosts (they share the data directory)."""
    cfg_dir.mkdir(parents=True)
    for extra in (REPO / "config").glob("*.toml"):
        if extra.name not in ("xinxiang.toml", "oa.toml", "calendar.toml"):
            (cfg_dir / extra.name).write_bytes(extra.read_bytes())
    (cfg_dir / "xinxiang.toml").write_text(
        f'[storage]\ndata_dir = "{data_dir}"\ndatabase_url = "{db_url}"\n'
        f'[queue]\nurl = "{queue_url}"\nworkers = 4\npoll_interval_seconds = 2\n'
        # Each host routes in a routing process of its own (off by default): the scenario
        # holds it to "nothing done twice" and to the OA pushes of what it routes.
        "routing_process = true\n"
        "outbox_interval_seconds = 1\nsource_lease_seconds = 6\n"
        f'[smtp]\ntransport = "smtp"\nhost = "{smtp.host}"\nport = {smtp.port}\n'
        'security = "plain"\nallow_plaintext = true\ninsecure_remote_plaintext = true\n'
        'send_lease_seconds = 10\nfrom_address = "xinxiang@example.edu.cn"\n'
        # One dispatch mail per ticket (not the hourly digest past 200 a department): countable.
        "[outgoing]\nstaff_per_hour = 1000000\n"
        f'[[source]]\nname = "shuji"\nchannel = "书记信箱"\nhost = "{account.host}"\n'
        f'port = {account.port}\nsecurity = "plain"\nallow_plaintext = true\n'
        "insecure_remote_plaintext = true\n"
        f'username = "{account.user}"\npassword_env = "SCALEOUT_IMAP_PASSWORD"\nidle = true\n',
        encoding="utf-8",
    )


def _letters(n: int) -> Any:
    for i in range(n):
        matter = MATTERS[i % len(MATTERS)]
        yield letter(
            subject=f"{matter}问题（{i}）",
            body=f"老师您好，{i % 40 + 1}号楼的{matter}问题已经持续一周了，请尽快处理。编号{i}。",
            sender=f"p{i}@{PETITIONERS}",
            name="李同学",
        )


def _append(account: Any, n: int, connections: int = 4) -> None:
    """APPEND the `n` letters over a few connections at once (their order does not matter)."""
    from concurrent.futures import ThreadPoolExecutor

    raws = list(_letters(n))

    def part(k: int) -> None:
        with account.client() as imap:
            for raw in raws[k::connections]:
                imap.append("INBOX", raw)

    with ThreadPoolExecutor(connections) as pool:
        list(pool.map(part, range(connections)))


def _share(log: Path) -> tuple[int, int]:
    text = log.read_text(errors="replace") if log.exists() else ""
    return len(re.findall(r"event=letter_recorded\b", text)), len(
        re.findall(r"event=mail_sent\b", text)
    )


def run_two_hosts(
    tmp: Path,
    n: int,
    *,
    timeout: float = 600,
    progress: Callable[[str], None] | None = None,
    oa_petitions: int = OA_PETITIONS,
    remind_after: float = REMIND_AFTER,
    oa_every: float = OA_EVERY,
    report_every: float = 60,
) -> TwoHostRun:
    """Run the scenario in `tmp` (logs stay there); everything started is stopped again.

    Besides the `n` letters, `oa_petitions` petitions wait in the OA, and the reminders of the
    tickets dispatched in the first `remind_after` seconds fall due then (`scaleout_duties`).
    The petitions are filed in `OA_BATCHES` batches, one every `oa_every` seconds.
    """
    from sqlalchemy import func, select

    from xinxiang.config import load_config
    from xinxiang.services.context import AppContext
    from xinxiang.services.sweep_due import read_watermark
    from xinxiang.store.migrate import upgrade
    from xinxiang.store.models import LetterRow, OutboxRow, TicketRow
    from xinxiang.store.models_leases import SourceLeaseRow
    from xinxiang.store.models_oa import OaOutboxRow

    say = progress or (lambda _msg: None)
    run = TwoHostRun(n=n, logs=tmp)
    xinxiang = str(Path(sys.executable).with_name("xinxiang"))
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.setdefault("XINXIANG_TOKEN_KEY", secrets.token_hex(32))
    env["XINXIANG_OA_SECRET"] = OA_SECRET
    src = str(REPO / "src")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH", "")) if p)
    with contextlib.ExitStack() as stack:
        net = stack.enter_context(HostNetwork(HOSTS))
        addr = net.server_address
        pg = stack.enter_context(PostgresServer(addr, str(net.subnet)))
        redis = stack.enter_context(RedisServer(addr))
        # The letters are put in the mailbox before the clock starts: no fsync per APPEND.
        dovecot = stack.enter_context(DovecotServer(host=addr, extra_config="mail_fsync = never"))
        sink = CountingSink(addr)
        stack.callback(sink.close)
        oa = stack.enter_context(CountingOa(tmp / "oa-sim.db", addr))
        assert oa.store is not None
        oa_filed = oa.store.seed(max(1, oa_petitions // OA_BATCHES))
        account = dovecot.new_account("shuji")
        env["SCALEOUT_IMAP_PASSWORD"] = account.password
        os.environ["SCALEOUT_IMAP_PASSWORD"] = account.password
        data = tmp / "shared-data"
        cfg = tmp / "cfg"
        write_config(cfg, data, pg.url, redis.url, account, sink)
        write_oa_toml(cfg, oa)
        write_policy(cfg, 120)  # the lead is set again just before the hosts start
        ctx = AppContext(load_config(cfg))
        stack.callback(ctx.close)
        data.mkdir(parents=True, exist_ok=True)
        upgrade(ctx.db)
        _append(account, n)
        say(f"{n} letters in the mailbox, {oa_petitions} petitions in the OA; servers on {addr}")

        def count(model: Any, *where: Any) -> int:
            with ctx.db.unit_of_work() as s:
                return int(
                    s.execute(select(func.count()).select_from(model).where(*where)).scalar_one()
                )

        logs = {h: tmp / f"{h}.log" for h in HOSTS}
        procs: dict[str, subprocess.Popen[bytes]] = {}

        def start(host: str) -> None:
            with logs[host].open("ab") as fh:
                procs[host] = net.popen(
                    host,
                    [xinxiang, "worker", "--config", str(cfg)],
                    stdout=fh,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    env=env,
                )

        def stop_all() -> None:
            for p in procs.values():
                stop_process(p, timeout=10)

        stack.callback(stop_all)
        lead, remind_at = reminder_lead(datetime.now(UTC), remind_after, ctx.cfg)
        write_policy(cfg, lead)
        say(f"reminders fall due at {remind_at.astimezone(UTC):%H:%M:%S} UTC (lead {lead} min)")
        run.load = (os.getloadavg()[0], 0.0)
        t0 = time.monotonic()
        for host in HOSTS:
            start(host)
        host_of = {net.hostname[h]: h for h in HOSTS}
        killed_at = 0.0
        deadline = t0 + timeout
        told = t0
        routed_by: datetime | None = None  # when every ticket was first seen routed
        while time.monotonic() < deadline:
            if time.monotonic() - told >= report_every:  # how far it got, for a long run's log
                told = time.monotonic()
                routing = count(TicketRow, TicketRow.status == "received")
                to_send = count(OutboxRow, OutboxRow.state.in_(("pending", "sending")))
                say(
                    f"{count(TicketRow)} tickets, {routing} waiting for routing,"
                    f" {count(OutboxRow, OutboxRow.state == 'sent')} mails sent, {to_send} to send"
                )
            if oa_filed < oa_petitions and time.monotonic() - t0 >= oa_every * (
                oa_filed * OA_BATCHES // oa_petitions
            ):
                batch = min(oa_petitions, oa_filed + max(1, oa_petitions // OA_BATCHES))
                oa_filed += oa.store.seed(batch, rng_seed=oa_filed + 1)
            tickets = count(TicketRow, TicketRow.source == "shuji")
            if not run.killed_host and tickets >= n // 3:
                with ctx.db.unit_of_work() as s:
                    lease = s.get(SourceLeaseRow, "shuji")
                    holder = host_of.get(lease.holder.split(":")[0]) if lease else None
                if holder is not None:  # between two passes nobody holds it: look again
                    kill_host(procs[holder])
                    run.killed_host, run.killed_at_tickets = holder, tickets
                    killed_at = time.monotonic()
                    say(f"SIGKILLed {holder} (reading the mailbox) at {tickets} tickets")
            elif run.killed_host and not run.restarted:
                # The dead host stays down until the other host has taken the mailbox over
                # (its lease expired), or for a minute at most; then it comes back.
                if tickets > run.killed_at_tickets:
                    run.takeover_seconds = time.monotonic() - killed_at
                    run.taken_over_while_down = True
                if run.taken_over_while_down or time.monotonic() - killed_at > 60:
                    start(run.killed_host)
                    run.restarted = True
                    say(f"restarted {run.killed_host} ({tickets} tickets)")
            if run.killed_host and tickets >= n:
                # Drained: every letter and petition has a ticket, none waits for routing, a
                # sweep ran after the reminders fell due, the OA heard every event, no mail waits.
                with ctx.db.unit_of_work() as s:
                    swept = read_watermark(s)
                waiting = count(TicketRow, TicketRow.status == "received")
                from_oa = count(TicketRow, TicketRow.source == "oa")
                oa_unsent = count(OaOutboxRow, OaOutboxRow.state != "sent")
                unsent = count(OutboxRow, OutboxRow.state.in_(("pending", "sending")))
                if routed_by is None and waiting == 0 and from_oa >= oa_petitions:
                    routed_by = datetime.now(UTC)
                    say(f"every ticket routed after {time.monotonic() - t0:.0f} s")
                # The last sweep began once every ticket was routed (committed) and after T: it
                # saw every reminder due by its `now`.
                if (
                    routed_by is not None
                    and oa_unsent == 0
                    and swept is not None
                    and swept >= max(remind_at, routed_by)
                    and unsent == 0
                ):
                    run.drained = True
                    break
            time.sleep(0.2 if not run.killed_host else 0.5)
        run.elapsed = time.monotonic() - t0
        stop_all()
        run.load = (run.load[0], os.getloadavg()[0])
        say(f"stopped after {run.elapsed:.0f} s (drained: {run.drained})")
        _facts(run, ctx, sink, LetterRow, TicketRow, OutboxRow)
        for host in HOSTS:
            run.created[host], run.sent[host] = _share(logs[host])
        with sink.lock:
            by_id = Counter(sink.by_id)
        run.duties = duty_facts(ctx, oa, by_id, lead, remind_at, logs)
    return run


def _facts(run: TwoHostRun, ctx: Any, sink: CountingSink, *models: Any) -> None:
    from sqlalchemy import func, select

    letter_row, ticket_row, outbox_row = models

    def groups_over_one(*cols: Any, where: Any = True) -> int:
        with ctx.db.unit_of_work() as s:
            sub = select(*cols).where(where).group_by(*cols).having(func.count() > 1).subquery()
            return int(s.execute(select(func.count()).select_from(sub)).scalar_one())

    with ctx.db.unit_of_work() as s:
        run.letters = int(s.execute(select(func.count()).select_from(letter_row)).scalar_one())
        run.tickets = int(s.execute(select(func.count()).select_from(ticket_row)).scalar_one())
        run.still_received = int(
            s.execute(
                select(func.count()).select_from(ticket_row).where(ticket_row.status == "received")
            ).scalar_one()
        )
        rows = [
            (r.kind, r.state, r.message_id.strip("<>"), r.ticket_id)
            for r in s.execute(
                select(
                    outbox_row.kind, outbox_row.state, outbox_row.message_id, outbox_row.ticket_id
                )
            )
        ]
    run.letters_stored_twice = groups_over_one(letter_row.message_id)
    run.letters_with_two_tickets = groups_over_one(ticket_row.letter_id)
    # Reminders are counted per deadline and recipient apart (`scaleout_duties`).
    run.outbox_rows_twice = groups_over_one(
        outbox_row.ticket_id,
        outbox_row.kind,
        where=outbox_row.ticket_id.is_not(None) & (outbox_row.kind != "reminder"),
    )
    run.outbox_by_kind = dict(Counter(kind for kind, *_ in rows))
    run.outbox_unsent = sum(1 for _, state, _, _ in rows if state in ("pending", "sending"))
    run.dispatched_tickets = len({t for kind, _, _, t in rows if kind == "dispatch"})
    sent_ids = {mid for _, state, mid, _ in rows if state == "sent"}
    dispatch_ids = {mid for kind, _, mid, _ in rows if kind == "dispatch"}
    with sink.lock:
        by_id = Counter(sink.by_id)
        by_rcpt = {k: set(v) for k, v in sink.ids_by_rcpt.items()}
    received = set(by_id)
    run.mails_received = sum(by_id.values())
    run.distinct_received = len(received)
    run.redelivered = sum(c - 1 for c in by_id.values() if c > 1)
    run.sent_rows_not_received = len(sent_ids - received)
    run.received_not_in_outbox = len(received - {mid for _, _, mid, _ in rows})
    run.dispatch_mails = len(received & dispatch_ids)
    receipts = [len(by_rcpt.get(f"p{i}@{PETITIONERS}", ())) for i in range(run.n)]
    run.receipts_missing = receipts.count(0)
    run.receipts_twice = sum(1 for c in receipts if c > 1)
