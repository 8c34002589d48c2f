"""Benchmark: the console's ticket list (filters, word search) and office dashboard on PostgreSQL.

N tickets (default 100,000) with their letters are generated inside PostgreSQL
(generate_series): 12 departments, statuses mixed (a fifth open), registered over a year,
deadlines spread around now, 0.2 % emergencies; 1 letter in 50 mentions 食堂 in its text,
1 in 200 in its subject too. One office account is signed in.

* ours: the whole HTTP request through the real app (Starlette test client, signed session,
  permission scope, count + page queries, Jinja rendering): `GET /tickets?...` for each filter,
  `GET /office/` for the dashboard;
* floor: ONE hand-written SQL statement returning the same data (the page of 50 with the total
  as a scalar subquery; the dashboard's counts in one grouped pass plus its two short lists),
  measured in the same run on the same database, interleaved with ours.

The word search uses the bigram index (store/search.py, migration 0015; filled here by
`rebuild`, as the migration does for existing tickets) and LIKE on its candidates (none for a
two-character word without case, such as 食堂: holding its bigram is containing it); its floor
is the same plan in one SQL statement. `--scan` adds, for reference, the floor of the search as it
was before the index (LIKE over every subject and letter body). p95 over `--runs` requests each.

    PYTHONPATH=src:tests .venv/bin/python bench/bench_web.py [--n 100000] [--runs 40] [--scan]

Prints markdown for bench/RESULTS.md. Needs PostgreSQL on 127.0.0.1:5432 (tests/servers.py).
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, "tests")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_sweep import make_context
from sqlalchemy import text
from starlette.testclient import TestClient

from xinxiang.domain.states import DISPATCH_STATUSES, DUE_COLUMNS
from xinxiang.services.context import AppContext
from xinxiang.services.topics import hot_topics
from xinxiang.store.migrate import upgrade
from xinxiang.store.search import rebuild
from xinxiang.web.accounts import add_user
from xinxiang.web.app import create_app
from xinxiang.web.permissions import Actor
from xinxiang.web.policy_data import forget_tiles
from xinxiang.web.queries import TicketFilter, end_of_local_day, list_tickets
from xinxiang.web.queries import dashboard as dashboard_data
from xinxiang.web.views_staff import _day

NOW = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)
DEPTS = ["hqc", "xsc", "jwc", "tsg", "cwc", "rsc", "bwc", "wlzx", "zcc", "yjsc", "gh", "zsjy"]
PASSWORD = "bench password 123"
# (label, query string, SQL conditions on tickets t / letters l for the floor)
LISTS: list[tuple[str, dict[str, str], str]] = [
    ("no filter", {}, "true"),
    ("status = dispatched", {"status": "dispatched"}, "t.status = 'dispatched'"),
    ("department = hqc", {"department": "hqc"}, "t.department_code = 'hqc'"),
    (
        "date range (one week)",
        {"since": "2026-11-01", "until": "2026-11-07"},
        "t.created_at >= '2026-11-01 00:00+08' AND t.created_at < '2026-11-08 00:00+08'",
    ),
    (
        "word 食堂 (subject or letter)",
        {"q": "食堂"},
        # Two characters without case: holding the bigram is containing the word, no LIKE.
        "t.id IN (SELECT s.ticket_id FROM ticket_search s WHERE "
        "string_to_array(s.grams, ' ') @> ARRAY['食堂'])",
    ),
    (
        "食堂 + hqc + Nov 2026",
        {"q": "食堂", "department": "hqc", "since": "2026-11-01", "until": "2026-11-30"},
        "t.department_code = 'hqc' AND t.created_at >= '2026-11-01 00:00+08' "
        "AND t.created_at < '2026-12-01 00:00+08' AND t.id IN (SELECT s.ticket_id FROM "
        "ticket_search s WHERE string_to_array(s.grams, ' ') @> ARRAY['食堂'])",
    ),
    (
        "word 饭菜价格 (4 characters, 3 bigrams)",
        {"q": "饭菜价格"},
        "t.id IN (SELECT s.ticket_id FROM ticket_search s WHERE string_to_array(s.grams, ' ') "
        "@> ARRAY['饭菜','菜价','价格']) AND "
        "(t.subject LIKE '%饭菜价格%' OR EXISTS (SELECT 1 FROM letters l WHERE l.id = t.letter_id "
        "AND l.body LIKE '%饭菜价格%'))",
    ),
]
# `--scan`: the word search as it was before the bigram index, for reference (floor only): LIKE
# over every subject and letter body.
SCAN_COND = (
    "(t.subject LIKE '%食堂%' OR t.letter_id IN "
    "(SELECT l.id FROM letters l WHERE l.body LIKE '%食堂%'))"
)
LIST_FLOOR = """
SELECT t.*, (SELECT count(*) FROM tickets t WHERE {cond}) AS total
FROM tickets t WHERE {cond} ORDER BY t.id DESC LIMIT 50
"""


def _running_due_sql(before: str, after: str | None = None) -> str:
    """The dashboard's "a running deadline falls before" condition, written out by hand."""
    cols = [("dispatch_due", DISPATCH_STATUSES)] + [
        (f"{k}_due", statuses) for k, statuses in DUE_COLUMNS.items()
    ]
    parts = []
    for col, statuses in cols:
        names = ",".join(f"'{s.value}'" for s in statuses)
        extra = f" AND t.{col} > {after}" if after else ""
        parts.append(f"(t.status IN ({names}) AND t.{col} <= {before}{extra})")
    return "(" + " OR ".join(parts) + ")"


DASHBOARD_FLOOR = f"""
SELECT 'g' AS kind, t.status, t.department_code, count(*) AS n,
  count(*) FILTER (WHERE {_running_due_sql(":now")}) AS overdue,
  count(*) FILTER (WHERE {_running_due_sql(":eod", ":now")}) AS due_today, NULL AS id
FROM tickets t GROUP BY t.status, t.department_code
UNION ALL
(SELECT 'e', NULL, NULL, NULL, NULL, NULL, t.id FROM tickets t
 WHERE t.urgency = 'emergency' AND t.status NOT IN ('answered', 'closed') ORDER BY t.id LIMIT 20)
UNION ALL
(SELECT 't', NULL, NULL, NULL, NULL, NULL, t.id FROM tickets t
 WHERE t.status = 'triage' ORDER BY t.id LIMIT 20)
UNION ALL
SELECT 'h', NULL, NULL, count(*), NULL, NULL, NULL FROM holding_pen h WHERE h.state = 'open'
"""


def load(ctx: AppContext, n: int) -> float:
    """Generate letters and tickets inside PostgreSQL; seconds taken."""
    t0 = time.perf_counter()
    upgrade(ctx.db)
    depts = "ARRAY[" + ",".join(f"'{d}'" for d in DEPTS) + "]"
    statuses = (
        "ARRAY['closed','closed','closed','closed','closed','closed','closed','answered',"
        "'answered','answered','answered','answered','dispatched','accepted','preliminary',"
        "'pending_approval','triage','received','rework','closed']"
    )
    with ctx.db.engine.begin() as conn:
        conn.execute(
            text("""
            INSERT INTO letters (id, dedupe_key, source, channel, kind, raw_sha256, raw_size,
              from_addr, from_name, subject, received_at, body, defects, ticket_id)
            SELECT g, 'bench-' || g, 'bench', '书记信箱', 'letter', md5(g::text), 2000,
              'p' || (g % 50000) || '@stu.example.edu.cn', '某同学',
              CASE WHEN g % 200 = 0 THEN '关于食堂的建议' ELSE '关于校园生活的建议 ' || g END,
              :now - ((g * 7919) % (365 * 86400)) * interval '1 second',
              '老师您好：' || repeat('宿舍楼道灯坏了，晚上回来很不方便，希望尽快维修。', 4)
                || CASE WHEN g % 50 = 0 THEN '另外，第二食堂的饭菜价格上涨太快。' ELSE '' END
                || '谢谢！学生' || g,
              '[]', NULL
            FROM generate_series(1, :n) g
            """),
            {"n": n, "now": NOW},
        )
        conn.execute(
            text(f"""
            INSERT INTO tickets (id, number, query_code, letter_id, source, channel, status,
              petitioner_addr, petitioner_name, subject, department_code, category, urgency,
              disposition, track, created_at, accepted_at, dispatched_at, dispatch_due,
              response_due, preliminary_due, formal_due, calendar_verified, flagged,
              excluded_from_assessment, rework_count)
            SELECT l.id, '2026-' || lpad(l.id::text, 6, '0'), 'X', l.id, 'bench', '书记信箱',
              ({statuses})[1 + (l.id * 31) % 20], l.from_addr, '某', l.subject,
              ({depts})[1 + (l.id * 7919) % {len(DEPTS)}], '后勤服务',
              CASE WHEN l.id % 500 = 0 THEN 'emergency' ELSE 'normal' END, 'dispatch', 1,
              l.received_at, l.received_at, l.received_at + interval '2 hours',
              :now + ((l.id * 13) % 240 - 120) * interval '1 hour',
              :now + ((l.id * 17) % 240 - 120) * interval '1 hour',
              :now + ((l.id * 19) % 480 - 120) * interval '1 hour',
              :now + ((l.id * 23) % 960 - 120) * interval '1 hour',
              true, false, false, 0
            FROM letters l
            """),
            {"now": NOW},
        )
        conn.execute(text("UPDATE letters SET ticket_id = id"))
        conn.execute(text("SELECT setval('tickets_id_seq', :n)"), {"n": n})
        conn.execute(text("SELECT setval('letters_id_seq', :n)"), {"n": n})
    with ctx.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    return time.perf_counter() - t0


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20, method="inclusive")[18]


def measure(
    ours: Callable[[], object], floor: Callable[[], object], runs: int
) -> tuple[float, float]:
    """p95 seconds of ours and the floor, interleaved so both see the same machine load."""
    ours()
    floor()  # warm caches and plans
    t_ours, t_floor = [], []
    for _ in range(runs):
        t = time.perf_counter()
        floor()
        t_floor.append(time.perf_counter() - t)
        t = time.perf_counter()
        ours()
        t_ours.append(time.perf_counter() - t)
    return p95(t_ours), p95(t_floor)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--scan", action="store_true", help="also measure 食堂 by a LIKE scan")
    args = ap.parse_args()
    os.environ.setdefault("XINXIANG_TOKEN_KEY", secrets.token_hex(32))  # signs the session
    from servers import postgres_url
    from web_helpers import login

    rows: list[tuple[str, float, float, int, float, float]] = []
    topics_s, clusters = 0.0, 0
    office = Actor("office1", "office")
    with tempfile.TemporaryDirectory() as d, postgres_url() as pg:
        if pg is None:
            print("PostgreSQL is not reachable on 127.0.0.1:5432", file=sys.stderr)
            raise SystemExit(2)
        ctx = make_context(Path(d), pg)
        setup = load(ctx, args.n)
        print(f"loaded {args.n:,} tickets in {setup:.0f} s", file=sys.stderr)
        t0 = time.perf_counter()
        with ctx.db.engine.begin() as conn:
            rebuild(conn)  # what migration 0015 does for the tickets already there
        with ctx.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE ticket_search"))
        indexed = time.perf_counter() - t0
        print(f"bigram index built in {indexed:.0f} s", file=sys.stderr)
        with ctx.db.unit_of_work() as session:
            add_user(session, ctx.cfg, name="office1", role="office", password=PASSWORD, now=NOW)
        app = create_app(ctx, clock=lambda: NOW)
        client = TestClient(app, base_url="https://bench", follow_redirects=False)
        client.__enter__()  # one event loop for the whole run, as a real server has
        login(client, "office1", PASSWORD)

        for label, params, cond in LISTS:

            def ours(params: dict[str, str] = params) -> object:
                r = client.get("/tickets", params=params)
                assert r.status_code == 200, r.text[:300]
                return r

            def floor(cond: str = cond) -> object:
                with ctx.db.engine.connect() as conn:
                    return conn.execute(text(LIST_FLOOR.format(cond=cond))).all()

            flt = TicketFilter(
                status=params.get("status"),
                department=params.get("department"),
                text=params.get("q", ""),
                since=_day(params.get("since")),
                until=_day(params.get("until")),
            )

            def layer(flt: TicketFilter = flt) -> object:
                with ctx.db.read_session() as session:  # as the view does
                    return list_tickets(session, office, flt, NOW, ctx.cfg.tz)

            o, f = measure(ours, floor, args.runs)
            q, _f = measure(layer, floor, args.runs)
            found = floor()
            total = int(found[0].total) if found else 0  # type: ignore[index]
            rows.append((f"list: {label}", o, f, total, 0.200, q))

        if args.scan:

            def scan_floor() -> object:
                with ctx.db.engine.connect() as conn:
                    return conn.execute(text(LIST_FLOOR.format(cond=SCAN_COND))).all()

            f, _f = measure(scan_floor, scan_floor, args.runs)
            found = scan_floor()
            total = int(found[0].total) if found else 0  # type: ignore[index]
            rows.append(("reference: 食堂 by LIKE scan, no index (`--scan`)", f, f, total, 0.2, f))

        eod = end_of_local_day(NOW, ctx.cfg.tz)

        def dash() -> object:
            r = client.get("/office/")
            assert r.status_code == 200
            return r

        def dash_floor() -> object:
            with ctx.db.engine.connect() as conn:
                return conn.execute(text(DASHBOARD_FLOOR), {"now": NOW, "eod": eod}).all()

        def dash_layer() -> object:
            with ctx.db.session() as session:
                return dashboard_data(session, NOW, ctx.cfg.tz, ctx.cfg.office.code)

        o, f = measure(dash, dash_floor, args.runs)
        q, _f = measure(dash_layer, dash_floor, args.runs)
        rows.append(("dashboard", o, f, args.n, 0.300, q))

        # The same page with the month's 三率 tiles assessed anew on every load (their ten-minute
        # cache dropped before each; hot topics stay cached): the load once in ten minutes.
        def dash_tiles_anew() -> object:
            forget_tiles()
            return dash()

        o, f = measure(dash_tiles_anew, dash_floor, args.runs)
        rows.append(("dashboard, 三率 tiles assessed anew", o, f, args.n, 0.300, q))
        # Hot topics clustered anew (their cache expired): one call, not a p95.
        t0 = time.perf_counter()
        clusters = len(hot_topics(ctx, NOW).clusters)
        topics_s = time.perf_counter() - t0
        client.__exit__(None, None, None)
        ctx.close()

    print(
        f"{args.n:,} tickets on PostgreSQL, setup {setup:.0f} s, bigram index {indexed:.0f} s, "
        f"p95 of {args.runs} requests"
    )
    print(f"hot topics clustered anew, one call: {topics_s:.1f} s ({clusters} clusters)")
    print()
    print(
        "| request | total | floor p95 (one SQL) | query layer p95 | ratio | "
        "ours p95 (HTTP) | ratio | limit | verdict |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for label, o, f, total, limit, q in rows:
        ok = o <= 3 * f and o < limit
        print(
            f"| {label} | {total:,} | {f * 1000:.1f} ms | {q * 1000:.1f} ms | {q / f:.1f}× | "
            f"{o * 1000:.1f} ms | {o / f:.1f}× | {limit * 1000:.0f} ms | "
            f"{'ok' if ok else 'FAIL'} |"
        )


if __name__ == "__main__":
    main()
