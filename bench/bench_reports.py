"""Benchmark: the monthly assessment (三率) over N tickets on PostgreSQL, against a floor.

All N tickets are dispatched in the assessed month (the worst case: the whole table is the
month), each with a 受理 and a formal answer (some late), a rating on two thirds of them,
1 % 表扬 (excluded), 0.5 % without contact, and `--moved` of them transferred once (the rare
path, loaded ticket by ticket). Rows are generated inside PostgreSQL (generate_series).

* ours: `store.assessment.month_tallies` (the aggregate query counting tickets by department
  and outcome, and beside it, in the same exported snapshot, the moved tickets' facts), and the
  whole `services.assessment.assess_month` (ranking included);
* floor: ONE hand-written SQL aggregate of the same counts (each ticket counted for its current
  department, replies reduced per ticket), measured in the same run on the same database.

    PYTHONPATH=src .venv/bin/python bench/bench_reports.py [--n 1000000] [--moved 0.01]

Prints markdown for bench/RESULTS.md. Needs PostgreSQL on 127.0.0.1:5432 (tests/servers.py).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, "tests")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_sweep import make_context
from sqlalchemy import text

from xinxiang.domain.assessment import month_bounds
from xinxiang.services.assessment import assess_month
from xinxiang.services.context import AppContext
from xinxiang.store.assessment import month_tallies
from xinxiang.store.migrate import upgrade

REPO = Path(__file__).resolve().parent.parent
MONTH = date(2026, 11, 1)
NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)  # inside the freeze window: computed, not stored
DEPTS = ["hqc", "xsc", "jwc", "tsg", "cwc", "rsc", "bwc", "wlzx", "zcc", "yjsc", "gh", "zsjy"]

FLOOR = """
SELECT t.department_code,
  SUM(CASE WHEN NOT x THEN 1 ELSE 0 END),
  SUM(CASE WHEN x THEN 1 ELSE 0 END),
  SUM(CASE WHEN NOT x AND (r.first_action <= t.response_due OR t.response_due <= :now)
      THEN 1 ELSE 0 END),
  SUM(CASE WHEN NOT x AND r.first_action <= t.response_due THEN 1 ELSE 0 END),
  SUM(CASE WHEN NOT x AND (r.formal_at <= t.formal_due OR t.formal_due <= :now)
      THEN 1 ELSE 0 END),
  SUM(CASE WHEN NOT x AND r.formal_at <= t.formal_due THEN 1 ELSE 0 END),
  SUM(CASE WHEN NOT x AND t.rating = 5 THEN 1 ELSE 0 END),
  SUM(CASE WHEN NOT x AND t.rating = 4 THEN 1 ELSE 0 END),
  SUM(CASE WHEN NOT x AND t.rating = 3 THEN 1 ELSE 0 END),
  SUM(CASE WHEN NOT x AND t.rating = 2 THEN 1 ELSE 0 END),
  SUM(CASE WHEN NOT x AND t.rating = 1 THEN 1 ELSE 0 END)
FROM (
  SELECT tk.*, (tk.excluded_from_assessment OR tk.disposition IN ('legal_channel', 'praise',
      'illegal') OR tk.petitioner_addr = '') AS x
  FROM tickets tk
  WHERE tk.dispatched_at >= :start AND tk.dispatched_at < :end
) t
LEFT JOIN (
  SELECT ticket_id,
    MIN(CASE WHEN kind IN ('accept', 'preliminary', 'formal') THEN created_at END) AS first_action,
    MIN(CASE WHEN kind = 'formal' AND state <> 'rejected' THEN created_at END) AS formal_at
  FROM ticket_replies WHERE created_at >= :start GROUP BY ticket_id
) r ON r.ticket_id = t.id
GROUP BY t.department_code
"""


def load(ctx: AppContext, n: int, moved: float) -> float:
    """Generate the month inside PostgreSQL; seconds taken."""
    t0 = time.perf_counter()
    upgrade(ctx.db)
    start, _end = month_bounds(MONTH, ctx.cfg.tz)
    depts = "ARRAY[" + ",".join(f"'{d}'" for d in DEPTS) + "]"
    every = max(int(1 / moved), 1) if moved > 0 else 0
    next_dept = f"({depts})[1 + (CAST(t.id AS bigint) * 7919 + 1) % {len(DEPTS)}]"
    params = {"n": n, "start": start, "every": every}
    with ctx.db.engine.begin() as conn:
        conn.execute(
            text(f"""
            INSERT INTO tickets (id, number, query_code, letter_id, source, channel, status,
              petitioner_addr, petitioner_name, subject, department_code, category, urgency,
              disposition, track, created_at, accepted_at, dispatched_at, response_due,
              formal_due, calendar_verified, flagged, excluded_from_assessment, rating,
              rated_at, revisit_state, rework_count)
            SELECT g, 'B-' || g, 'X', g, 'bench', '书记信箱', 'answered',
              CASE WHEN g % 200 = 7 THEN '' ELSE 'p' || (g % 50000) || '@stu.example.edu.cn' END,
              '某', '测试', ({depts})[1 + (g * 7919) % {len(DEPTS)}], '后勤服务', 'normal',
              CASE WHEN g % 100 = 3 THEN 'praise' ELSE 'dispatch' END, 1,
              d - interval '2 hours', d, d, d + interval '1 day', d + interval '5 days',
              true, false, g % 100 = 3,
              CASE WHEN g % 3 = 0 THEN NULL ELSE 1 + (g * 31) % 5 END,
              CASE WHEN g % 3 = 0 THEN NULL ELSE d + interval '6 days' END,
              CASE WHEN g % 3 = 0 THEN 'unrated' ELSE 'rated' END, 0
            FROM (SELECT g, CAST(:start AS timestamptz)
                    + ((g * 104729) % (29 * 86400)) * interval '1 second' AS d
                  FROM generate_series(CAST(1 AS bigint), :n) g) s
            """),
            params,
        )
        for kind, offset in (
            ("accept", "((CAST(t.id AS bigint) * 13) % 30) * interval '1 hour'"),
            ("formal", "((CAST(t.id AS bigint) * 17) % 7) * interval '1 day'"),
        ):
            conn.execute(
                text(f"""
                INSERT INTO ticket_replies (ticket_id, kind, department_code, author, text,
                  state, created_at, public)
                SELECT t.id, '{kind}', t.department_code, 'd@example.edu.cn', '答复', 'sent',
                  t.dispatched_at + {offset}, false
                FROM tickets t
                """)
            )
        conn.execute(
            text("""
            INSERT INTO events (ticket_id, at, actor, kind, data)
            SELECT t.id, t.dispatched_at, 'system', 'dispatched',
              json_build_object('department', t.department_code,
                'response_due', to_char(t.response_due AT TIME ZONE 'UTC',
                  'YYYY-MM-DD"T"HH24:MI:SS+00:00'),
                'formal_due', to_char(t.formal_due AT TIME ZONE 'UTC',
                  'YYYY-MM-DD"T"HH24:MI:SS+00:00'))
            FROM tickets t
            """)
        )
        if every:
            # One ticket in `every` moved to the next department 3 hours after dispatch.
            conn.execute(
                text(f"""
                INSERT INTO events (ticket_id, at, actor, kind, data)
                SELECT t.id, t.dispatched_at + interval '3 hours', 'office', 'transferred',
                  json_build_object('department', {next_dept},
                    'response_due', to_char((t.dispatched_at + interval '27 hours')
                      AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS+00:00'),
                    'formal_due', to_char((t.dispatched_at + interval '5 days 3 hours')
                      AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS+00:00'))
                FROM tickets t WHERE t.id % :every = 0
                """),
                params,
            )
            conn.execute(
                text(f"""
                UPDATE tickets t SET
                  department_code = {next_dept},
                  dispatched_at = t.dispatched_at + interval '3 hours',
                  response_due = t.dispatched_at + interval '27 hours',
                  formal_due = t.dispatched_at + interval '5 days 3 hours'
                WHERE t.id % :every = 0
                """),
                params,
            )
        conn.execute(text("SELECT setval('tickets_id_seq', :n)"), params)
    with ctx.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    return time.perf_counter() - t0


def timed(fn: Callable[[], object], runs: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--moved", type=float, default=0.01)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    from servers import postgres_url

    with tempfile.TemporaryDirectory() as d, postgres_url() as pg:
        if pg is None:
            print("PostgreSQL is not reachable on 127.0.0.1:5432", file=sys.stderr)
            raise SystemExit(2)
        ctx = make_context(Path(d), pg)
        setup = load(ctx, args.n, args.moved)
        print(f"loaded {args.n:,} tickets in {setup:.0f} s", file=sys.stderr)
        start, end = month_bounds(MONTH, ctx.cfg.tz)

        def floor() -> object:
            with ctx.db.engine.connect() as conn:
                p = {"start": start, "end": end, "now": NOW}
                return conn.execute(text(FLOOR), p).all()

        def ours() -> object:
            with ctx.db.unit_of_work() as session:
                return month_tallies(session, start, end, NOW)

        def whole() -> object:
            return assess_month(ctx, MONTH, NOW)

        floor()
        ours()  # warm caches
        results = []
        for _ in range(args.runs):  # interleaved, so both see the same machine load
            results.append((timed(floor, 1)[0], timed(ours, 1)[0], timed(whole, 1)[0]))
        f = statistics.median(r[0] for r in results)
        o = statistics.median(r[1] for r in results)
        w = statistics.median(r[2] for r in results)
        tallies = ours()
        counted = sum(t.counted for t in tallies.values())  # type: ignore[attr-defined]
        ctx.close()
    print(
        "| tickets in the month | moved | setup | floor (one SQL) | month_tallies | ratio | "
        "assess_month | ratio | counted |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {args.n:,} | {args.moved:.1%} | {setup:.0f} s | {f:.2f} s | {o:.2f} s | "
        f"{o / f:.2f}× | {w:.2f} s | {w / f:.2f}× | {counted:,} |"
    )


if __name__ == "__main__":
    main()
