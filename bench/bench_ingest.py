"""Benchmark: ingest N realistic letters from a real Dovecot, on SQLite and on PostgreSQL.

Floor, measured in the same run on the same messages: raw IMAP fetch (BODY.PEEK[] in the same
batch size) plus a mail-parser parse of each message, nothing stored. Each phase runs in its own
process so peak RSS is per phase; RSS is also sampled as the mailbox drains, to show it is flat.

End to end, as the worker runs by default (`[queue] routing_process = false`): routing after
ingest in the ingesting process. `--routing-process` measures a worker with `routing_process =
true`: routing runs in its own process (`services.route_worker`), nudged by ingest after each
committed batch, and the clock stops when every letter is routed and its mails queued
(`--sequential`, the default, is kept for older command lines).

    .venv/bin/python bench/bench_ingest.py [--n 5000] [--no-pg] [--read-ahead] [--routing-process]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))


def rss_mb() -> float:
    """RSS of this process plus its worker processes (the parse pool), in MiB."""
    import psutil

    me = psutil.Process()
    total = me.memory_info().rss
    for child in me.children(recursive=True):
        with contextlib.suppress(psutil.Error):  # a worker may exit meanwhile
            total += child.memory_info().rss
    return float(total) / 2**20


class RssSampler:
    """Samples RSS every 0.2 s; `at(fraction)` gives the peak seen up to that point of the run."""

    def __init__(self, progress: Any) -> None:
        self.samples: list[tuple[int, float]] = []
        self.progress = progress
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        while not self.stop.is_set():
            self.samples.append((self.progress(), rss_mb()))
            self.stop.wait(0.2)

    def __enter__(self) -> RssSampler:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()
        self.samples.append((self.progress(), rss_mb()))

    def peak_until(self, done: int) -> float:
        return max((r for n, r in self.samples if n <= done), default=0.0)


def phase_floor(args: argparse.Namespace) -> dict[str, Any]:
    import mailparser
    from imapclient import IMAPClient

    count = 0
    t0 = time.perf_counter()
    with RssSampler(lambda: count) as sampler:
        client = IMAPClient(args.host, port=args.port, ssl=False)
        client.login(args.user, args.password)
        client.select_folder("INBOX", readonly=True)
        uids = sorted(client.search(["ALL"]))
        for i in range(0, len(uids), 50):
            batch = uids[i : i + 50]
            for _uid, item in client.fetch(batch, ["BODY.PEEK[]"]).items():
                mailparser.parse_from_bytes(item[b"BODY[]"])
                count += 1
        client.logout()
    elapsed = time.perf_counter() - t0
    return {
        "count": count,
        "seconds": elapsed,
        "peak_rss_mb": sampler.peak_until(count),
        "rss_quartiles": [sampler.peak_until(count * q // 4) for q in (1, 2, 3, 4)],
    }


def phase_ingest(args: argparse.Namespace) -> dict[str, Any]:
    from datetime import UTC, datetime

    from sqlalchemy import func, select

    from xinxiang.config import load_config
    from xinxiang.services.context import AppContext
    from xinxiang.services.poll import import_source
    from xinxiang.services.routing import route_received
    from xinxiang.store.migrate import upgrade
    from xinxiang.store.models import LetterRow

    ctx = AppContext(load_config(args.config))
    ctx.cfg.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(ctx.db)
    # The rules and the second reader are loaded and fitted once per process (seconds), at
    # start: a start-up cost, not a per-letter one, outside the timing. With reading ahead
    # (issue #17) before ingest in every round, as the worker does at start
    # (`worker.run_worker`), so that ingest's worker processes get the models (peak RSS then
    # includes them); without it after ingest, before routing, as before. (All four models:
    # the last two were fitted inside the timed routing before #17's 3rd step.)
    from xinxiang.classify.reader import shipped_reader

    def fit() -> None:
        ctx.rules  # noqa: B018
        reader = shipped_reader()
        for model in ("danger", "department", "emergency_department", "office_disposition"):
            getattr(reader, model)

    if not args.no_read_ahead:
        fit()
    router = None
    if not args.sequential and not args.no_route:
        from xinxiang.services.route_worker import RoutingProcess

        # Started and its models fitted before the clock starts, as the worker starts it.
        router = RoutingProcess(args.config)
        router.start(wait_ready=600)
    counter = {"n": 0}

    def progress() -> int:
        return counter["n"]

    def poller() -> None:
        while not sampler.stop.is_set():
            with ctx.db.unit_of_work() as s:
                counter["n"] = int(
                    s.execute(select(func.count()).select_from(LetterRow)).scalar_one()
                )
            sampler.stop.wait(0.5)

    t0 = time.perf_counter()
    with RssSampler(progress) as sampler:
        watcher = threading.Thread(target=poller, daemon=True)
        watcher.start()
        result = import_source(
            ctx,
            "shuji",
            lambda: datetime.now(UTC),
            committed=None if router is None else router.nudge,
        )
        elapsed = time.perf_counter() - t0
        if router is not None:
            assert router.drain(timeout=3600), "the routing process died"
            end_to_end = time.perf_counter() - t0
    if router is not None:
        routed, routing = router.routed, end_to_end - elapsed
        router.stop()
    elif args.no_route:
        routed, routing = 0, 0.0
    else:
        fit()  # (done already with reading ahead)
        t1 = time.perf_counter()
        routed = route_received(ctx, datetime.now(UTC), limit=10**9)
        routing = time.perf_counter() - t1
    total = result.created + result.recorded + result.duplicates + result.quarantined
    return {
        "count": total,
        "created": result.created,
        "seconds": elapsed,
        "routed": routed,
        "routing_seconds": routing,
        "concurrent": router is not None,
        "peak_rss_mb": sampler.peak_until(10**9),
        "rss_quartiles": [sampler.peak_until(total * q // 4) for q in (1, 2, 3, 4)],
    }


def median_run(rs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median throughput; routing figures come from the run that routed (with
    routing beside ingest every run routes, and the median is of end-to-end throughput)."""
    if all(r.get("concurrent") for r in rs):
        ordered = sorted(rs, key=lambda r: r["count"] / (r["seconds"] + r["routing_seconds"]))
        mid = dict(ordered[len(ordered) // 2])
        mid["rates"] = [r["count"] / r["seconds"] for r in rs]
        return mid
    ordered = sorted(rs, key=lambda r: r["count"] / r["seconds"])
    mid = dict(ordered[len(ordered) // 2])
    mid["rates"] = [r["count"] / r["seconds"] for r in rs]
    routed = [r for r in rs if r.get("routed")]
    if routed:
        mid["routed"], mid["routing_seconds"] = routed[0]["routed"], routed[0]["routing_seconds"]
    return mid


def run_phase(name: str, extra: list[str]) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--phase", name, *extra],
        check=False,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )
    if out.returncode != 0:
        raise SystemExit(f"phase {name} failed:\n{out.stderr[-3000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def move_back(account: Any) -> None:
    with account.client() as c:
        c.select_folder("Processed")
        uids = c.search(["ALL"])
        if uids:
            c.move(uids, "INBOX")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument("--phase")
    ap.add_argument("--host")
    ap.add_argument("--port", type=int)
    ap.add_argument("--user")
    ap.add_argument("--password")
    ap.add_argument("--config")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-route", action="store_true")
    ap.add_argument(
        "--sequential",
        action="store_true",
        help="route after ingest in the ingesting process ([queue] routing_process = false), "
        "the default",
    )
    ap.add_argument(
        "--routing-process",
        action="store_true",
        help="route in a routing process beside ingest ([queue] routing_process = true)",
    )
    ap.add_argument(
        "--read-ahead",
        action="store_true",
        help="[queue] read_ahead = true: the parse workers read letters ahead (off by default)",
    )
    # What a phase's process is told when reading ahead is off (the default, as in the product).
    ap.add_argument("--no-read-ahead", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if not args.read_ahead:
        args.no_read_ahead = True
    # Routing after ingest in the ingesting process is the product's default.
    args.sequential = args.sequential or not args.routing_process
    if args.phase == "floor":
        print(json.dumps(phase_floor(args)))
        return
    if args.phase == "ingest":
        print(json.dumps(phase_ingest(args)))
        return

    from servers import DovecotServer, postgres_url  # type: ignore[import-not-found]
    from xinxiang.samples import iter_sample_letters

    os.environ.setdefault(
        "XINXIANG_TOKEN_KEY", "d4376c4cb4ace6801a8d77b2d68499a3f9c23632403cf2734166c5ae373d4f23"
    )
    os.environ["BENCH_IMAP_PASSWORD"] = "secret"
    with DovecotServer() as server:
        server.start()
        account = server.new_account("bench")
        t0 = time.perf_counter()
        with account.client() as c:
            for raw in iter_sample_letters(args.n, seed=1):
                c.append("INBOX", raw)
        print(f"appended {args.n} letters in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        imap = [
            "--host",
            server.host,
            "--port",
            str(server.imap_port),
            "--user",
            account.user,
            "--password",
            account.password,
        ]
        tmp = Path(tempfile.mkdtemp(prefix="xx-bench-"))
        stack = contextlib.ExitStack()
        # Rounds interleave the floor and each database, so that a slow moment of this shared
        # machine hits both sides; each round ingests into a fresh, empty database.
        runs: dict[str, list[dict[str, Any]]] = {"floor": [], "sqlite": []}
        if not args.no_pg:
            runs["postgresql"] = []
        for rnd in range(args.rounds):
            runs["floor"].append(run_phase("floor", imap))
            for label in [k for k in runs if k != "floor"]:
                if label == "sqlite":
                    url = f"sqlite:///{tmp}/bench-{rnd}.db"
                else:
                    url = stack.enter_context(postgres_url())
                    if url is None:
                        runs.pop(label)
                        continue
                cfg_dir = tmp / f"cfg-{label}-{rnd}"
                cfg_dir.mkdir()
                for extra in (REPO / "config").glob("*.toml"):
                    if extra.name != "xinxiang.toml":
                        (cfg_dir / extra.name).write_bytes(extra.read_bytes())
                (cfg_dir / "xinxiang.toml").write_text(
                    f'[storage]\ndata_dir = "{tmp}/data-{label}-{rnd}"\ndatabase_url = "{url}"\n'
                    f'[smtp]\ntransport = "directory"\n'
                    f"[queue]\nread_ahead = {'false' if args.no_read_ahead else 'true'}\n"
                    f"routing_process = {'false' if args.sequential else 'true'}\n"
                    f'[[source]]\nname = "shuji"\nchannel = "书记信箱"\nhost = "{server.host}"\n'
                    f'port = {server.imap_port}\nsecurity = "plain"\nallow_plaintext = true\n'
                    f'username = "{account.user}"\npassword_env = "BENCH_IMAP_PASSWORD"\n',
                    encoding="utf-8",
                )
                # Routing beside ingest changes ingest's own pace: every round routes then.
                routes = rnd == 0 or not args.sequential
                extra_args = ["--config", str(cfg_dir)] + ([] if routes else ["--no-route"])
                extra_args += ["--no-read-ahead"] if args.no_read_ahead else []
                extra_args += ["--sequential"] if args.sequential else ["--routing-process"]
                runs[label].append(run_phase("ingest", extra_args))
                move_back(account)
        stack.close()
    results = {label: median_run(rs) for label, rs in runs.items()}
    floor_rate = results["floor"]["count"] / results["floor"]["seconds"]
    print(f"\n## Ingest from Dovecot ({args.n} realistic letters)\n")
    print("Ingest = IMAP fetch (BODY.PEEK[]) + parse + noise kind + commit of letter, attachments,")
    print("ticket, event and receipt (one transaction per batch of 200) + MOVE to Processed.")
    print(f"Median of {args.rounds} interleaved rounds (each side's rates listed).")
    if args.sequential:
        print("Routing (classification, duplicates, deadlines, dispatch mail) runs right after,")
        print("from the committed tickets, in the same process; it is timed separately.\n")
    else:
        print("Routing (classification, duplicates, deadlines, dispatch mail) runs in its own")
        print("process while ingest goes on (the worker's routing process, nudged after each")
        print("committed batch); the ingest figures are ingest's, with routing running beside it.")
        print("End to end: from the start of ingest until every letter is routed.\n")
    print(
        "| phase | letters | seconds | letters/s (median) | vs floor | all rounds"
        " | peak RSS MB (incl. workers) | RSS at 25/50/75/100 % |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for label, r in results.items():
        rate = r["count"] / r["seconds"]
        quart = " / ".join(f"{q:.0f}" for q in r["rss_quartiles"])
        print(
            f"| {label} | {r['count']} | {r['seconds']:.1f} | {rate:.0f} | "
            f"{rate / floor_rate:.2f} | {' / '.join(f'{x:.0f}' for x in r['rates'])} | "
            f"{r['peak_rss_mb']:.0f} | {quart} |"
        )
    what = "routing after ingest" if args.sequential else "routing (seconds after ingest)"
    print(
        f"\n| {what} | tickets | seconds | tickets/s | end-to-end letters/s | end-to-end vs floor |"
    )
    print("|---|---|---|---|---|---|")
    for label, r in results.items():
        if r.get("routed"):
            both = r["seconds"] + r["routing_seconds"]
            # Beside ingest, routing's rate is over the whole run (it started with ingest).
            span = both if r.get("concurrent") else r["routing_seconds"]
            print(
                f"| {label} | {r['routed']} | {r['routing_seconds']:.1f} | "
                f"{r['routed'] / max(span, 1e-9):.0f} | {r['count'] / both:.0f} | "
                f"{r['count'] / both / floor_rate:.2f} |"
            )


if __name__ == "__main__":
    main()
