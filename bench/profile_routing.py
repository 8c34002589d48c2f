"""CPU cost of routing per ticket (issue #17), on a copy of one ingested SQLite database.

    python bench/profile_routing.py prepare /tmp/xx-route --n 1000
    python bench/profile_routing.py run /tmp/xx-route [--profile /tmp/route.prof] [--top 30]

`prepare` writes N realistic letters (`xinxiang.samples`, seed 11) to a maildir and ingests them
into a fresh SQLite database (untimed), kept as the template. Each `run` copies the template
(database and data directory), fits the rules and the second reader outside the timing, routes
every `received` ticket at the instant fixed by `prepare` and prints this process's CPU time
per ticket, the load average, and what routing left behind (tickets by status, outbox rows by
kind and state, events by count), so runs of two versions of the code can be compared. Run
`before` with another checkout's `src` first on PYTHONPATH; `run` migrates the copy first.

    python bench/profile_routing.py prepare-pg /tmp/xx-route
    python bench/profile_routing.py run /tmp/xx-route --pg [--keep-as xxroute_before]

`prepare-pg` ingests the letters of `prepare` again, at the same instant, into a PostgreSQL
database on 127.0.0.1:5432 (trust auth, user postgres) kept as the template; `run --pg` routes
a fresh `CREATE DATABASE … TEMPLATE` copy of it (`--keep-as` renames the routed copy, to
compare against: `compare --pg /tmp/xx-route xxroute_before`).

    python bench/profile_routing.py pipeline /tmp/xx-route

ingests the letters of `prepare` again into a fresh database and routes them, as a poll does
(ingest's worker processes and their CPU included, models fitted beforehand).

    python bench/profile_routing.py compare /tmp/xx-route /tmp/before.db

after `run` or `pipeline` checks that the last run left the same events, tickets, outbox rows
and mails (flattened, MIME boundaries aside) as the routed database kept from another run
(`work/route.db`, copied).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import mailbox
import os
import pstats
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def _config(cfg_dir: Path, db: Path, data: Path, maildir: Path, url: str | None = None) -> None:
    cfg_dir.mkdir(parents=True, exist_ok=True)
    url = url or f"sqlite:///{db}"
    for extra in (REPO / "config").glob("*.toml"):
        if extra.name != "xinxiang.toml":
            (cfg_dir / extra.name).write_bytes(extra.read_bytes())
    (cfg_dir / "xinxiang.toml").write_text(
        f'[storage]\ndata_dir = "{data}"\ndatabase_url = "{url}"\n'
        f'[smtp]\ntransport = "directory"\n'
        f'[[source]]\nname = "shuji"\nchannel = "书记信箱"\nkind = "maildir"\npath = "{maildir}"\n',
        encoding="utf-8",
    )


PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=5"


def _pg_url(name: str) -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def _pg_names(base: Path) -> tuple[str, str]:
    """(template, work) database names of `base`."""
    tag = "".join(c if c.isalnum() else "_" for c in base.name.lower())
    return f"xxroute_{tag}_tmpl", f"xxroute_{tag}_work"


def _pg_admin(*statements: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        for sql in statements:
            conn.execute(sql)  # type: ignore[arg-type]


def _ingest_copy(base: Path, work: Path, url: str | None) -> Any:
    """A fresh copy of the letters `prepare` ingested, ingested again at its instant into
    `url` (else SQLite `work/route.db`); returns the ImportResult."""
    from xinxiang.config import load_config
    from xinxiang.services.context import AppContext
    from xinxiang.services.poll import import_source
    from xinxiang.store.migrate import upgrade

    (work / "mail" / "new").mkdir(parents=True)
    for f in sorted((base / "mail" / ".Processed" / "cur").iterdir()):
        shutil.copy2(f, work / "mail" / "new" / f.name.split(":")[0])
    _config(work / "cfg", work / "route.db", work / "data", work / "mail", url)
    ctx = AppContext(load_config(work / "cfg"))
    ctx.cfg.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(ctx.db)
    now = datetime.fromisoformat((base / "now.txt").read_text().strip())
    result = import_source(ctx, "shuji", lambda: now)
    ctx.close()
    return result


def prepare_pg(base: Path) -> None:
    tmpl, _work = _pg_names(base)
    _pg_admin(f'DROP DATABASE IF EXISTS "{tmpl}" WITH (FORCE)', f'CREATE DATABASE "{tmpl}"')
    pg = base / "pg"
    shutil.rmtree(pg, ignore_errors=True)
    pg.mkdir()
    result = _ingest_copy(base, pg, _pg_url(tmpl))
    print(f"ingested {result.created} tickets into PostgreSQL {tmpl} (files in {pg / 'data'})")


def prepare(base: Path, n: int) -> None:
    from xinxiang.config import load_config
    from xinxiang.samples import iter_sample_letters
    from xinxiang.services.context import AppContext
    from xinxiang.services.poll import import_source
    from xinxiang.store.migrate import upgrade

    base.mkdir(parents=True, exist_ok=False)
    box = mailbox.Maildir(str(base / "mail"), create=True)
    for raw in iter_sample_letters(n, seed=11):
        box.add(raw)
    _config(base / "cfg", base / "template.db", base / "data", base / "mail")
    ctx = AppContext(load_config(base / "cfg"))
    ctx.cfg.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(ctx.db)
    now = datetime.now(UTC)
    result = import_source(ctx, "shuji", lambda: now)
    ctx.close()
    (base / "now.txt").write_text(now.isoformat())
    print(f"ingested {result.created} tickets into {base / 'template.db'} at {now.isoformat()}")


def _count_statements(engine: Any) -> dict[tuple[str, ...], list[float]]:
    """Statements sent to the database, by where in xinxiang they came from (the innermost
    three frames) and their first words: [statements, rows of executemany, wall ms] (COPY,
    sent on the DB-API cursor, is not seen)."""
    import traceback

    from sqlalchemy import event

    counts: dict[tuple[str, ...], list[float]] = {}
    started: list[float] = [0.0]

    @event.listens_for(engine, "before_cursor_execute")
    def _seen(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool):
        frames = [
            f"{Path(f.filename).stem}:{f.lineno}:{f.name}"
            for f in traceback.extract_stack()
            if "/xinxiang/" in f.filename and "/sqlalchemy/" not in f.filename
        ][-3:]
        key = (" ".join(statement.split()[:4])[:60], *frames)
        c = counts.setdefault(key, [0, 0, 0.0])
        c[0] += 1
        c[1] += len(params) if many else 1
        context._xx_key = key
        started[0] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _done(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool):
        counts[context._xx_key][2] += (time.perf_counter() - started[0]) * 1000

    return counts


def run(
    base: Path,
    profile: Path | None,
    top: int,
    pg: bool = False,
    keep_as: str | None = None,
    sql: bool = False,
) -> None:
    from sqlalchemy import func, select

    from xinxiang.classify.reader import shipped_reader
    from xinxiang.config import load_config
    from xinxiang.services.context import AppContext
    from xinxiang.services.routing import route_received
    from xinxiang.store.migrate import upgrade
    from xinxiang.store.models import EventRow, OutboxRow, TicketRow

    work = base / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    url = None
    if pg:
        tmpl, name = _pg_names(base)
        _pg_admin(
            f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
            f'CREATE DATABASE "{name}" TEMPLATE "{tmpl}"',
        )
        url = _pg_url(name)
        shutil.copytree(base / "pg" / "data", work / "data")
    else:
        shutil.copyfile(base / "template.db", work / "route.db")
        shutil.copytree(base / "data", work / "data")
    _config(work / "cfg", work / "route.db", work / "data", base / "mail", url)
    ctx = AppContext(load_config(work / "cfg"))
    upgrade(ctx.db)
    ctx.rules  # noqa: B018 - loaded and fitted once per process, outside the timing
    for model in ("danger", "department", "emergency_department", "office_disposition"):
        getattr(shipped_reader(), model)
    now = datetime.fromisoformat((base / "now.txt").read_text().strip())
    load = os.getloadavg()
    profiler = cProfile.Profile() if profile else None
    statements = _count_statements(ctx.db.engine) if sql else None
    w0, c0 = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    routed = route_received(ctx, now, limit=10**9)
    if profiler:
        profiler.disable()
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    with ctx.db.unit_of_work() as s:
        statuses = dict(
            s.execute(select(TicketRow.status, func.count()).group_by(TicketRow.status)).all()
        )
        outbox = {
            f"{k}/{st}": n
            for k, st, n in s.execute(
                select(OutboxRow.kind, OutboxRow.state, func.count()).group_by(
                    OutboxRow.kind, OutboxRow.state
                )
            ).all()
        }
        events = s.execute(select(func.count()).select_from(EventRow)).scalar_one()
    ctx.close()
    if pg and keep_as:
        _pg_admin(
            f'DROP DATABASE IF EXISTS "{keep_as}" WITH (FORCE)',
            f'ALTER DATABASE "{_pg_names(base)[1]}" RENAME TO "{keep_as}"',
        )
    per = cpu / max(routed, 1) * 1000
    print(
        json.dumps(
            {
                "routed": routed,
                "cpu_s": round(cpu, 2),
                "cpu_ms_per_ticket": round(per, 2),
                "engine": "postgresql" if pg else "sqlite",
                "wall_s": round(wall, 2),
                "loadavg_at_start": [round(x, 1) for x in load],
                "loadavg_at_end": [round(x, 1) for x in os.getloadavg()],
                "statuses": statuses,
                "outbox": dict(sorted(outbox.items())),
                "events": events,
            },
            ensure_ascii=False,
            indent=1,
        )
    )
    if statements is not None:
        print(f"{sum(c[0] for c in statements.values())} statements", file=sys.stderr)
        print("statements  rows  wall ms  where  [what]", file=sys.stderr)
        for key, (n_st, n_rows, ms) in sorted(statements.items(), key=lambda kv: -kv[1][2])[:top]:
            print(
                f"{n_st:6.0f} {n_rows:6.0f} {ms:8.1f}  "
                f"{' <- '.join(reversed(key[1:]))}  [{key[0]}]",
                file=sys.stderr,
            )
    if profiler and profile:
        profiler.dump_stats(profile)
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(top)


def pipeline(base: Path) -> None:
    """Ingest the maildir of `prepare` into a fresh database (worker processes as configured)
    then route, as `services.poll.poll_source` does, in one process: wall and CPU time of each
    stage, the CPU of the parse workers included (they are stopped after ingest to count it),
    and how many readings routing took from the ones made ahead in the workers."""
    import resource

    from xinxiang.classify.reader import shipped_reader
    from xinxiang.config import load_config
    from xinxiang.services.context import AppContext
    from xinxiang.services.poll import import_source
    from xinxiang.services.routing import route_received
    from xinxiang.store.migrate import upgrade

    work = base / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    # `prepare` left the letters in the maildir's Processed folder: a copy of them, new again
    (work / "mail" / "new").mkdir(parents=True)
    for f in sorted((base / "mail" / ".Processed" / "cur").iterdir()):
        shutil.copy2(f, work / "mail" / "new" / f.name.split(":")[0])
    _config(work / "cfg", work / "route.db", work / "data", work / "mail")
    ctx = AppContext(load_config(work / "cfg"))
    ctx.cfg.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(ctx.db)
    ctx.rules  # noqa: B018 - as in `run`: fitted outside the timing in this process
    for model in ("danger", "department", "emergency_department", "office_disposition"):
        getattr(shipped_reader(), model)
    now = datetime.fromisoformat((base / "now.txt").read_text().strip())
    load = os.getloadavg()

    def children() -> float:
        r = resource.getrusage(resource.RUSAGE_CHILDREN)
        return r.ru_utime + r.ru_stime

    w0, c0, k0 = time.perf_counter(), time.process_time(), children()
    result = import_source(ctx, "shuji", lambda: now)
    ingest_wall = time.perf_counter() - w0
    ctx.prepare_pool.close()
    ingest_cpu, workers_cpu = time.process_time() - c0, children() - k0
    held = len(ctx.read_ahead) if hasattr(ctx, "read_ahead") else 0
    w1, c1 = time.perf_counter(), time.process_time()
    routed = route_received(ctx, now, limit=10**9)
    route_wall, route_cpu = time.perf_counter() - w1, time.process_time() - c1
    ctx.close()
    n = max(result.created, 1)
    print(
        json.dumps(
            {
                "created": result.created,
                "routed": routed,
                "ingest_wall_s": round(ingest_wall, 2),
                "ingest_cpu_ms_per_letter": round(ingest_cpu / n * 1000, 2),
                "workers_cpu_ms_per_letter": round(workers_cpu / n * 1000, 2),
                "route_wall_s": round(route_wall, 2),
                "route_cpu_ms_per_ticket": round(route_cpu / max(routed, 1) * 1000, 2),
                "end_to_end_letters_per_s": round(n / (ingest_wall + route_wall), 1),
                "read_ahead_held_after_ingest": held,
                "loadavg_at_start": [round(x, 1) for x in load],
                "loadavg_at_end": [round(x, 1) for x in os.getloadavg()],
            },
            indent=1,
        )
    )


def compare(base: Path, before: Path, pg: bool = False) -> None:
    """Compare the routed copy in `base/work` with `before` (a routed copy kept from a run of
    other code): the same events in the same order, the same outbox rows, and every mail the
    same message once flattened (but for the random MIME boundaries)."""
    import re

    from sqlalchemy import create_engine, text

    from xinxiang.config import load_config
    from xinxiang.replies.mailer import flatten_parts
    from xinxiang.services.context import AppContext

    boundary = re.compile(rb"={15}\d+={2}")
    ctx = AppContext(load_config(base / "work" / "cfg"))
    if pg:  # `before`: a database kept by `run --pg --keep-as`
        old = create_engine(_pg_url(str(before)))
        new = create_engine(_pg_url(_pg_names(base)[1]))
    else:
        old = create_engine(f"sqlite:///{before}")
        new = create_engine(f"sqlite:///{base / 'work' / 'route.db'}")
    ev = "SELECT ticket_id, actor, kind, data FROM events ORDER BY id"
    ob = "SELECT dedupe_key, message_id, kind, recipients, state, raw{} FROM outbox ORDER BY id"
    with old.connect() as a, new.connect() as b:
        assert a.execute(text(ev)).all() == b.execute(text(ev)).all(), "events differ"
        # classification JSON included; not the query code, random at ingest (`pipeline`)
        tickets = "SELECT * FROM tickets ORDER BY id"
        ta, tb = a.execute(text(tickets)), b.execute(text(tickets))
        drop = list(ta.keys()).index("query_code")
        assert [r[:drop] + r[drop + 1 :] for r in ta.all()] == [
            r[:drop] + r[drop + 1 :] for r in tb.all()
        ], "tickets differ"
        rows_a = {r[0]: r for r in a.execute(text(ob.format(", parts"))).all()}
        rows_b = {r[0]: r for r in b.execute(text(ob.format(", parts"))).all()}
    assert list(rows_a) == list(rows_b), "outbox keys differ (or their order)"

    def flat(r: Any) -> bytes | None:
        # a dispatch mail kept as its parts is compared as the mail it is flattened to
        parts = json.loads(r[6]) if isinstance(r[6], str) else r[6]
        return r[5] if r[5] is not None or parts is None else flatten_parts(ctx, parts)

    same = 0
    for key, ra in rows_a.items():
        rb = rows_b[key]
        assert ra[1:5] == rb[1:5], key
        raw_a, raw_b = flat(ra), flat(rb)
        if raw_a is None:
            assert raw_b is None, key  # both rendered when sent (a digest)
            continue
        assert raw_b is not None, key
        assert boundary.sub(b"B", raw_a) == boundary.sub(b"B", raw_b), key
        same += 1
    print(
        f"same events and tickets; same {len(rows_a)} outbox rows; "
        f"{same} mails the same once flattened"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("base", type=Path)
    p.add_argument("--n", type=int, default=1000)
    r = sub.add_parser("run")
    r.add_argument("base", type=Path)
    r.add_argument("--profile", type=Path)
    r.add_argument("--top", type=int, default=30)
    r.add_argument("--pg", action="store_true", help="route the PostgreSQL copy")
    r.add_argument("--sql", action="store_true", help="count statements by where they come from")
    r.add_argument("--keep-as", help="with --pg: keep the routed database under this name")
    g = sub.add_parser("prepare-pg")
    g.add_argument("base", type=Path)
    q = sub.add_parser("pipeline")
    q.add_argument("base", type=Path)
    c = sub.add_parser("compare")
    c.add_argument("base", type=Path)
    c.add_argument("before", type=Path)
    c.add_argument("--pg", action="store_true", help="`before` is a PostgreSQL database name")
    args = ap.parse_args()
    os.environ.setdefault(
        "XINXIANG_TOKEN_KEY", "99c2628388697d22bc2f6ee028dda0a2acbf7d505cd7c8d2bb2cf48ac3ce3c49"
    )
    if args.cmd == "prepare":
        prepare(args.base, args.n)
    elif args.cmd == "pipeline":
        pipeline(args.base)
    elif args.cmd == "prepare-pg":
        prepare_pg(args.base)
    elif args.cmd == "compare":
        compare(args.base, args.before, args.pg)
    else:
        run(args.base, args.profile, args.top, args.pg, args.keep_as, args.sql)


if __name__ == "__main__":
    main()
