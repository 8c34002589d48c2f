"""Benchmark: one sweep over thousands of tickets that each owe a notice (issue #17).

`--n` tickets (default 5,000) are bulk-loaded in `triage` (waiting to be routed by the office)
with their dispatch deadline just passed, so one sweep queues an overdue notice for each, as
after a 20,000-letter intake. The sweep commits `BATCH` tickets per transaction: the measure is
the time to the first commit (the first notices can go out, the job lease is renewed) and the
total.

    .venv/bin/python bench/bench_sweep_batches.py [--n 5000] [--batch 200] [--no-pg]

Prints markdown for bench/RESULTS.md. PostgreSQL is used when reachable (tests/servers.py).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, "tests")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_sweep import make_context
from sqlalchemy import func, insert, select, text

from xinxiang.domain.tickets import format_ticket_number
from xinxiang.services.sweep import BATCH, sweep
from xinxiang.store.migrate import upgrade
from xinxiang.store.models import OutboxRow, TicketRow

NOW = datetime(2026, 12, 9, 10, 0, tzinfo=UTC)  # a Wednesday


def rows(n: int) -> Iterator[dict[str, Any]]:
    for i in range(1, n + 1):
        created = NOW - timedelta(hours=22, minutes=30) + timedelta(seconds=i % 600)
        yield {
            "number": format_ticket_number(2026, i),
            "query_code": "X",
            "letter_id": i,
            "source": "bench",
            "channel": "书记信箱",
            "status": "triage",
            "petitioner_addr": f"p{i}@stu.example.edu.cn",
            "petitioner_name": "某",
            "subject": "测试",
            "department_code": None,
            "urgency": "normal",
            "track": 1,
            "created_at": created,
            "dispatch_due": created + timedelta(hours=22),
            "calendar_verified": True,
            "flagged": False,
            "excluded_from_assessment": False,
        }


def run(name: str, url: str, n: int, batch: int, tmp: Path) -> str:
    ctx = make_context(tmp / name, url)
    upgrade(ctx.db)
    with ctx.db.engine.begin() as conn:
        conn.execute(insert(TicketRow.__table__), list(rows(n)))
        conn.execute(text("ANALYZE"))
    sweep(ctx, NOW - timedelta(hours=1))  # a watermark, as in steady state: nothing due yet
    firsts: list[float] = []
    start = time.perf_counter()

    def between_batches() -> bool:
        if not firsts:
            firsts.append(time.perf_counter() - start)
        return True

    result = sweep(ctx, NOW, batch=batch, keep_going=between_batches)
    total = time.perf_counter() - start
    with ctx.db.unit_of_work() as s:
        queued = s.execute(select(func.count()).select_from(OutboxRow)).scalar_one()
    ctx.close()
    first = firsts[0] if firsts else total
    return (
        f"| {name} | {n:,} | {batch} | {len(result.sent):,} | {queued:,} | "
        f"**{first:.2f} s** | {total:.1f} s | {total / max(len(result.sent), 1) * 1000:.1f} ms |"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--batch", type=int, default=BATCH)
    ap.add_argument("--no-pg", action="store_true")
    args = ap.parse_args()
    lines = [
        "| database | tickets due | batch | notices | mails queued | first commit | total "
        "| per notice |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        lines.append(run("sqlite", f"sqlite:///{tmp / 'bench.db'}", args.n, args.batch, tmp))
        print(lines[-1], file=sys.stderr)
        if not args.no_pg:
            from servers import postgres_url

            with postgres_url() as pg:
                if pg is not None:
                    lines.append(run("postgresql", pg, args.n, args.batch, tmp))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
