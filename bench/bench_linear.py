"""Benchmark: does routing, and the minute sweep, cost more per item as the history grows?

A fresh database per size is filled directly with SQL (multi-row INSERTs, no ORM) with a
history of H closed tickets — letter, ticket, `received` event and a sent receipt each, from
50,000 senders — plus the same 3,000 open tickets with deadlines spread over ±30 days around
`now` (the sweep's work) and three earlier letters of each sender of the new letters (one still
open: what duplicate detection compares). Then, at each size:

- routing: 500 new realistic letters are ingested (untimed, from a Maildir) and
  `route_received` routes them (timed: wall and CPU of this process);
- the minute sweep: `sweep(since=now − 1 min)` as the worker runs it, and a sweep over the last
  day, whose time divided by the notices it queued is the cost per due item.

Per-item figures should stay flat from 5k to 500k. The machine is shared: CPU seconds of this
process are given next to wall time.

    .venv/bin/python bench/bench_linear.py [--sizes 5000,50000,500000] [--no-sqlite] [--no-pg]
"""

from __future__ import annotations

import argparse
import contextlib
import email
import email.utils
import mailbox
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

NEW_LETTERS = 500
OPEN_TICKETS = 3000
SENDERS = 50_000
DEPTS = ["hqc", "xsc", "jwc", "tsg", "cwc", "rsc", "bwc", "wlzx"]
OPEN = ["dispatched", "accepted", "preliminary", "triage"]


def write_config(cfg_dir: Path, url: str, data: Path, maildir: Path) -> None:
    cfg_dir.mkdir(parents=True, exist_ok=True)
    for extra in (REPO / "config").glob("*.toml"):
        if extra.name != "xinxiang.toml":
            (cfg_dir / extra.name).write_bytes(extra.read_bytes())
    (cfg_dir / "xinxiang.toml").write_text(
        f'[storage]\ndata_dir = "{data}"\ndatabase_url = "{url}"\n'
        f'[smtp]\ntransport = "directory"\n'
        f'[[source]]\nname = "shuji"\nchannel = "书记信箱"\nkind = "maildir"\npath = "{maildir}"\n',
        encoding="utf-8",
    )


def history(
    h: int, now: datetime, new_senders: list[str], seed: int = 7
) -> Iterator[tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any]]]:
    """(letter, ticket, event, outbox) rows: h closed tickets, the open ones, the senders' own."""
    rnd = random.Random(seed)
    own = [(addr, k) for addr in new_senders for k in range(3)]
    total = h + OPEN_TICKETS + len(own)
    for i in range(1, total + 1):
        if i <= h:
            addr, status = f"p{i % SENDERS}@stu.example.edu.cn", "closed"
            created = now - timedelta(days=400) + timedelta(seconds=i * 30_000_000 // max(h, 1))
        elif i <= h + OPEN_TICKETS:
            addr, status = f"p{i % SENDERS}@stu.example.edu.cn", rnd.choice(OPEN)
            created = now - timedelta(seconds=rnd.uniform(3600, 40 * 86400))
        else:
            addr, k = own[i - h - OPEN_TICKETS - 1]
            status = "dispatched" if k == 0 else "closed"
            created = now - timedelta(days=10 + 30 * k)
        accepted = created + timedelta(hours=2)
        track = rnd.choice((1, 1, 1, 2, 3))
        is_open = status != "closed"
        due = (
            now + timedelta(seconds=rnd.uniform(-30 * 86400, 30 * 86400))
            if is_open
            else accepted + timedelta(days=10)
        )
        number = f"2019-{i:06d}"  # a past year: the counter of this year is untouched
        letter = {
            "id": i,
            "dedupe_key": f"<h{i}@bench.example.edu.cn>",
            "source": "bench",
            "channel": "书记信箱",
            "kind": "letter",
            "message_id": f"<h{i}@bench.example.edu.cn>",
            "raw_sha256": f"{i:064x}",
            "raw_size": 2000,
            "from_addr": addr,
            "from_name": "某",
            "subject": f"关于第{i % 977}号宿舍楼热水的问题",
            "received_at": created,
            "body": f"老师您好，宿舍楼{i % 977}号的热水供应不稳定，已经持续{i % 13}天。",
            "defects": [],
            "ticket_id": i,
        }
        ticket = {
            "id": i,
            "number": number,
            "query_code": "X",
            "letter_id": i,
            "source": "bench",
            "channel": "书记信箱",
            "status": status,
            "petitioner_addr": addr,
            "petitioner_name": "某",
            "subject": letter["subject"],
            "department_code": rnd.choice(DEPTS),
            "urgency": "normal",
            "track": track,
            "created_at": created,
            "accepted_at": accepted,
            "dispatched_at": accepted,
            "dispatch_due": accepted + timedelta(hours=22) if status == "triage" else None,
            "response_due": due - timedelta(days=5) if is_open else accepted + timedelta(hours=14),
            "preliminary_due": due - timedelta(days=3) if track > 1 else None,
            "formal_due": due,
            "calendar_verified": True,
            "flagged": False,
            "excluded_from_assessment": False,
            "closed_at": None if is_open else accepted + timedelta(days=1),
        }
        event = {"ticket_id": i, "at": created, "actor": addr, "kind": "received", "data": {}}
        outbox = {
            "dedupe_key": f"ack:{number}",
            "message_id": f"<ack.{number}@bench.example.edu.cn>",
            "ticket_id": i,
            "kind": "ack",
            "sender": "xinxiang@example.edu.cn",
            "recipients": [addr],
            "recipient_key": addr,
            "raw": None,
            "state": "sent",
            "attempts": 1,
            "created_at": created,
            "next_attempt_at": created,
            "sent_at": created,
        }
        yield letter, ticket, event, outbox


def fill(ctx: Any, h: int, now: datetime, new_senders: list[str], chunk: int = 5000) -> float:
    """Bulk-insert the history; seconds taken (ANALYZE included)."""
    from sqlalchemy import insert, text

    from xinxiang.store.models import EventRow, LetterRow, OutboxRow, TicketRow

    tables = [t.__table__ for t in (LetterRow, TicketRow, EventRow, OutboxRow)]
    t0 = time.perf_counter()
    batches: list[list[dict[str, Any]]] = [[], [], [], []]

    def flush(conn: Any) -> None:
        # tickets first (letters reference them and they reference letters: ids are given)
        for k in (1, 0, 2, 3):
            if batches[k]:
                conn.execute(insert(tables[k]), batches[k])
                batches[k].clear()

    with ctx.db.engine.begin() as conn:
        if ctx.db.engine.dialect.name == "postgresql":
            conn.execute(text("SET session_replication_role = replica"))  # FKs in either order
        for rows in history(h, now, new_senders):
            for k, row in enumerate(rows):
                batches[k].append(row)
            if len(batches[0]) >= chunk:
                flush(conn)
        flush(conn)
        if ctx.db.engine.dialect.name == "postgresql":
            conn.execute(text("SET session_replication_role = origin"))
            for table in ("letters", "tickets", "events", "outbox"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                        f" (SELECT max(id) FROM {table}))"
                    )
                )
    with ctx.db.engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    return time.perf_counter() - t0


def measure(label: str, url: str, h: int, tmp: Path, raws: list[bytes], senders: list[str]) -> str:
    from xinxiang.classify.reader import shipped_reader
    from xinxiang.config import load_config
    from xinxiang.services.context import AppContext
    from xinxiang.services.poll import import_source
    from xinxiang.services.routing import route_received
    from xinxiang.services.sweep import sweep
    from xinxiang.store.migrate import upgrade

    run = tmp / f"{label}-{h}"
    run.mkdir(parents=True)
    box = mailbox.Maildir(str(run / "mail"), create=True)
    for raw in raws:
        box.add(raw)
    write_config(run / "cfg", url, run / "data", run / "mail")
    ctx = AppContext(load_config(run / "cfg"))
    ctx.cfg.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(ctx.db)
    now = datetime.now(UTC)
    setup = fill(ctx, h, now, senders)
    print(f"{label} {h}: filled in {setup:.0f} s", file=sys.stderr)
    import_source(ctx, "shuji", lambda: datetime.now(UTC))
    ctx.rules  # noqa: B018 - loaded and fitted once per process, outside the timed runs
    shipped_reader().danger  # noqa: B018
    now = datetime.now(UTC)
    w0, c0 = time.perf_counter(), time.process_time()
    routed = route_received(ctx, now, limit=10**9)
    route_wall, route_cpu = time.perf_counter() - w0, time.process_time() - c0
    at = now + timedelta(minutes=1)
    w0 = time.perf_counter()
    minute = sweep(ctx, at, since=at - timedelta(minutes=1))
    minute_wall = time.perf_counter() - w0
    at = at + timedelta(minutes=1)
    w0, c0 = time.perf_counter(), time.process_time()
    day = sweep(ctx, at, since=at - timedelta(days=1))
    day_wall, day_cpu = time.perf_counter() - w0, time.process_time() - c0
    ctx.close()
    due = max(len(day.sent), 1)
    print(f"{label} {h}: routed {routed}, day sweep {len(day.sent)} notices", file=sys.stderr)
    return (
        f"| {label} | {h:,} | {setup:.0f} s | {routed} | {route_wall / routed * 1000:.1f} | "
        f"{route_cpu / routed * 1000:.1f} | {minute_wall * 1000:.0f} ms ({len(minute.sent)}) | "
        f"{len(day.sent)} | {day_wall / due * 1000:.1f} | {day_cpu / due * 1000:.1f} |"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", default="5000,50000,500000")
    ap.add_argument("--sqlite-sizes", default=None, help="sizes on SQLite (default --sizes)")
    ap.add_argument("--no-sqlite", action="store_true")
    ap.add_argument("--no-pg", action="store_true")
    args = ap.parse_args()
    os.environ.setdefault(
        "XINXIANG_TOKEN_KEY", "d4376c4cb4ace6801a8d77b2d68499a3f9c23632403cf2734166c5ae373d4f23"
    )
    from servers import postgres_url  # type: ignore[import-not-found]
    from xinxiang.samples import iter_sample_letters

    raws = list(iter_sample_letters(NEW_LETTERS, seed=11))
    senders = sorted(
        {
            email.utils.parseaddr(email.message_from_bytes(r).get("From", ""))[1].lower()
            for r in raws
        }
        - {""}
    )
    sizes = [int(x) for x in args.sizes.split(",")]
    sqlite_sizes = [int(x) for x in (args.sqlite_sizes or args.sizes).split(",")]
    lines = [
        "| database | history tickets | fill | routed | routing ms/ticket (wall) | (CPU) "
        "| minute sweep (notices) | day-window notices | sweep ms/notice (wall) | (CPU) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    tmp = Path(tempfile.mkdtemp(prefix="xx-linear-"))
    try:
        if not args.no_pg:
            for h in sizes:
                with contextlib.ExitStack() as stack:
                    url = stack.enter_context(postgres_url())
                    if url is None:
                        lines.append("| postgresql | not reachable |")
                        break
                    lines.append(measure("postgresql", url, h, tmp, raws, senders))
                    print(lines[-1], file=sys.stderr)
        if not args.no_sqlite:
            for h in sqlite_sizes:
                url = f"sqlite:///{tmp}/linear-{h}.db"
                lines.append(measure("sqlite", url, h, tmp, raws, senders))
                print(lines[-1], file=sys.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
