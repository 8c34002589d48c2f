"""Benchmark: how long one sweep takes to FIND what is due among 1,000,000 tickets.

90 % of the tickets are closed, 10 % open with deadlines spread over ±30 days around `now`.
The sweep runs in steady state (previous sweep one minute earlier, as the worker does). The
time measured is `services.sweep_due.find_due`: candidate queries, loading the candidates and
their sent keys, and the pure decisions — everything but rendering mails.

    .venv/bin/python bench/bench_sweep.py [--n 1000000] [--open-share 0.1] [--sqlite-n N]

Prints markdown for bench/RESULTS.md. PostgreSQL is used when reachable (a fresh temporary
database via tests/servers.py).
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, "tests")

from sqlalchemy import insert, text

from xinxiang.config import load_config
from xinxiang.services.context import AppContext
from xinxiang.services.sweep_due import find_due
from xinxiang.store.migrate import upgrade
from xinxiang.store.models import TicketRow

REPO = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 12, 9, 10, 0, tzinfo=UTC)
OPEN = ["dispatched", "accepted", "preliminary", "pending_approval", "triage"]
DEPTS = ["hqc", "xsc", "jwc", "tsg", "cwc", "rsc", "bwc", "wlzx"]


def make_context(tmp: Path, url: str) -> AppContext:
    cfg_dir = tmp / "config"
    cfg_dir.mkdir(parents=True, exist_ok=True)
    for f in (REPO / "config").glob("*.toml"):
        shutil.copy(f, cfg_dir / f.name)
    main = (cfg_dir / "xinxiang.toml").read_text(encoding="utf-8")
    main = re.sub(r"(?m)^database_url = .*$", f'database_url = "{url}"', main)
    main = re.sub(r"(?m)^data_dir = .*$", f'data_dir = "{tmp / "var"}"', main)
    (cfg_dir / "xinxiang.toml").write_text(main, encoding="utf-8")
    return AppContext(load_config(cfg_dir))


def rows(n: int, open_share: float, seed: int = 7):  # type: ignore[no-untyped-def]
    rnd = random.Random(seed)
    for i in range(1, n + 1):
        is_open = rnd.random() < open_share
        accepted = (
            NOW - timedelta(seconds=rnd.uniform(0, 60 * 86400))
            if is_open
            else (NOW - timedelta(days=400) + timedelta(seconds=i))
        )
        status = rnd.choice(OPEN) if is_open else "closed"
        track = rnd.choice((1, 1, 1, 2, 3))
        due = accepted + timedelta(seconds=rnd.uniform(3600, 30 * 86400))
        yield {
            "number": f"B-{i:08d}",
            "query_code": "X",
            "letter_id": i,
            "source": "bench",
            "channel": "书记信箱",
            "status": status,
            "petitioner_addr": f"p{i % 50000}@stu.example.edu.cn",
            "petitioner_name": "某",
            "subject": "测试",
            "department_code": rnd.choice(DEPTS),
            "urgency": "normal",
            "track": track,
            "created_at": accepted - timedelta(hours=2),
            "accepted_at": accepted,
            "dispatched_at": accepted,
            "dispatch_due": accepted + timedelta(hours=22) if status == "triage" else None,
            "response_due": accepted + timedelta(hours=14),
            "preliminary_due": accepted + timedelta(days=2) if track > 1 else None,
            "formal_due": due if track == 1 or rnd.random() < 0.5 else None,
            "calendar_verified": True,
            "flagged": False,
            "excluded_from_assessment": False,
            "closed_at": None if is_open else accepted + timedelta(days=1),
        }


def load(ctx: AppContext, n: int, open_share: float, chunk: int = 20_000) -> float:
    start = time.perf_counter()
    upgrade(ctx.db)
    table = TicketRow.__table__
    batch = []
    with ctx.db.engine.begin() as conn:
        for r in rows(n, open_share):
            batch.append(r)
            if len(batch) >= chunk:
                conn.execute(insert(table), batch)
                batch = []
        if batch:
            conn.execute(insert(table), batch)
    with ctx.db.engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    return time.perf_counter() - start


def measure(ctx: AppContext, runs: int = 7) -> tuple[float, float, int]:
    times, found = [], 0
    for k in range(runs):
        now = NOW + timedelta(minutes=k)
        with ctx.db.unit_of_work() as session:
            t = time.perf_counter()
            _window, items = find_due(ctx, session, now, since=now - timedelta(minutes=1))
            times.append(time.perf_counter() - t)
            session.rollback()
        found = max(found, len(items))
    return statistics.median(times) * 1000, max(times) * 1000, found


def run(name: str, url: str, n: int, open_share: float, tmp: Path) -> str:
    ctx = make_context(tmp / name, url)
    setup = load(ctx, n, open_share)
    measure(ctx, 2)  # warm caches and the calendar
    median, worst, found = measure(ctx)
    ctx.close()
    return (
        f"| {name} | {n:,} | {int(n * open_share):,} | {setup:.0f} s | "
        f"{median:.1f} ms | {worst:.1f} ms | {found} |"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--sqlite-n", type=int, default=None, help="Tickets on SQLite (default --n).")
    ap.add_argument("--open-share", type=float, default=0.1)
    args = ap.parse_args()
    lines = [
        "### Sweep: finding what is due (steady state, 1-minute window)",
        "",
        "| database | tickets | open | setup | find (median) | find (worst) | tickets due |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        from servers import postgres_url

        with postgres_url() as pg:
            if pg is None:
                lines.append("| postgresql | — | — | — | not reachable | | |")
            else:
                lines.append(run("postgresql", pg, args.n, args.open_share, tmp))
                print(lines[-1], file=sys.stderr)
        sn = args.sqlite_n or args.n
        lines.append(run("sqlite", f"sqlite:///{tmp / 'bench.db'}", sn, args.open_share, tmp))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
