"""Benchmark: full OA sync of N petitions (default 100,000) from the simulator vs a bare HTTP floor.

The simulator runs in its own process (so it does not share our GIL). The floor fetches the same
keyset pages with a bare httpx client and only decodes the JSON. Two syncs are measured against
it: the sync engine into the bridge's own SQLite store (`LocalOaStore`), and the product's path,
`xinxiang oa sync`'s pull into the main database (every petition validated, mapped and staged
with its JSON, a commit per page with the cursor). The second stage of that path (tickets, then
routing) is timed on a bounded share, as throughput. Each side runs in a fresh child process so
peak RSS is its own. Prints markdown lines for bench/RESULTS.md.

    .venv/bin/python bench/bench_oa.py [--n 100000] [--page-size 500]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from xinxiang.oa_bridge.adapters import make_adapter

SECRET = "simulator-secret"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def floor(url: str, page_size: int, out: Any) -> None:
    """Bare client: token, then keyset pages decoded as JSON, nothing else."""
    t0 = time.perf_counter()
    with httpx.Client(base_url=url, timeout=60) as http:
        token = http.post("/api/v1/token", json={"app_id": "xinxiang", "secret": SECRET}).json()
        headers = {"Authorization": f"Bearer {token['token']}"}
        params: dict[str, str | int] = {
            "updated_since": "1970-01-01T00:00:00+00:00",
            "page": 1,
            "page_size": page_size,
        }
        n = 0
        while True:
            items = http.get("/api/v1/petitions", params=params, headers=headers).json()["items"]
            n += len(items)
            if len(items) < page_size:
                break
            params["updated_since"] = items[-1]["updated_at"]
            params["after_id"] = items[-1]["petition_id"]
    out.put({"items": n, "seconds": time.perf_counter() - t0, "rss_mb": _peak_rss_mb()})


def sync(url: str, page_size: int, db: str, out: Any) -> None:
    """The bridge: adapter + mapping + pull into LocalOaStore."""
    import tomllib

    from xinxiang.oa_bridge.config import OaSettings
    from xinxiang.oa_bridge.localstore import LocalOaStore
    from xinxiang.oa_bridge.sync import pull

    repo = Path(__file__).resolve().parents[1]
    with (repo / "config" / "oa.toml").open("rb") as fh:
        raw = tomllib.load(fh)
    raw["oa"].update(base_url=url, page_size=page_size)
    settings = OaSettings.model_validate(raw)
    store = LocalOaStore(db)
    t0 = time.perf_counter()
    adapter = make_adapter(settings, SECRET)
    result = pull(adapter, store, store, full=True, page_size=page_size)
    adapter.close()
    seconds = time.perf_counter() - t0
    store.close()
    assert result.completed, result.error
    out.put({"items": result.created, "seconds": seconds, "rss_mb": _peak_rss_mb()})


def sync_main(url: str, page_size: int, tmp: str, tickets_n: int, out: Any) -> None:
    """The product's path: the same pull into the main database, one ticket per petition
    (letter, ticket, receipt, OA outbox rows), then routing timed on its own."""
    import os
    import re
    from datetime import UTC, datetime

    from xinxiang.config import load_config
    from xinxiang.deployment import create_embedded_deployment
    from xinxiang.oa_bridge.config import load_oa_for
    from xinxiang.oa_bridge.sync import pull
    from xinxiang.services.context import AppContext
    from xinxiang.services.oa_hooks import install_oa_hooks
    from xinxiang.services.oa_materialize import materialize
    from xinxiang.services.oa_store import DbPetitionStore
    from xinxiang.services.routing import route_received
    from xinxiang.store.migrate import upgrade

    os.environ.setdefault(
        "XINXIANG_TOKEN_KEY", "d4376c4cb4ace6801a8d77b2d68499a3f9c23632403cf2734166c5ae373d4f23"
    )
    os.environ["XINXIANG_OA_SECRET"] = SECRET
    directory = Path(tmp) / "deploy"
    create_embedded_deployment(directory, force=True)
    oa_file = directory / "oa.toml"
    text = re.sub(r'(?m)^base_url = "[^"]*"', f'base_url = "{url}"', oa_file.read_text("utf-8"))
    text = re.sub(r"(?m)^page_size = \d+", f"page_size = {page_size}", text)
    oa_file.write_text(text, encoding="utf-8")
    cfg = load_config(directory)
    ctx = AppContext(cfg)
    cfg.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(ctx.db)
    settings = load_oa_for(cfg)
    install_oa_hooks(cfg, settings)
    now = datetime.now(UTC)
    t0 = time.perf_counter()
    adapter = make_adapter(settings, SECRET)
    files = make_adapter(settings, SECRET)
    store = DbPetitionStore(ctx, settings, now, fetch_attachment=files.fetch_attachment)
    result = pull(adapter, store, store, full=True, page_size=page_size)
    store.commit()
    store.close()
    adapter.close()
    seconds = time.perf_counter() - t0
    assert result.completed, result.error
    tm = time.perf_counter()
    made = 0
    while made < tickets_n:  # a bounded share of the staged petitions, timed
        step = materialize(ctx, settings, now, fetch_attachment=files.fetch_attachment, limit=500)
        if not step:
            break
        made += step
    materialize_seconds = time.perf_counter() - tm
    files.close()
    t1 = time.perf_counter()
    routed = route_received(ctx, now, limit=10**9)
    routing = time.perf_counter() - t1
    ctx.close()
    out.put({"items": result.created, "seconds": seconds, "rss_mb": _peak_rss_mb(),
             "made": made, "materialize_seconds": materialize_seconds,
             "routed": routed, "routing_seconds": routing})  # fmt: skip


def _run(target: Any, *args: Any) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=target, args=(*args, q))
    p.start()
    res: dict[str, Any] = q.get()
    p.join()
    return res


def _main_store_run(n: int, page_size: int, tmp: str, tickets_n: int) -> dict[str, dict[str, Any]]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "xinxiang.cli", "oa", "simulate", "--port", str(port),
           "--db", f"{tmp}/oa-main.db", "--seed", str(n)]  # fmt: skip
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        t0 = time.perf_counter()
        while True:
            try:
                if httpx.get(f"{url}/admin/stats", timeout=1).json()["petitions"] >= n:
                    break
            except httpx.TransportError:
                pass
            if time.perf_counter() - t0 > 300:
                raise SystemExit("simulator did not start")
            time.sleep(0.1)
        return {
            "floor": _run(floor, url, page_size),
            "sync": _run(sync_main, url, page_size, tmp, tickets_n),
        }
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    """Run the benchmark and print markdown lines."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--page-size", type=int, default=500)
    ap.add_argument("--main-n", type=int, default=100_000, help="petitions for the main-DB run")
    ap.add_argument(
        "--tickets-n", type=int, default=10_000, help="of those, how many to make tickets of"
    )
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        cmd = [sys.executable, "-m", "xinxiang.cli", "oa", "simulate", "--port", str(port),
               "--db", f"{tmp}/oa.db", "--seed", str(args.n)]  # fmt: skip
        server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            t0 = time.perf_counter()
            while True:
                try:
                    if httpx.get(f"{url}/admin/stats", timeout=1).json()["petitions"] >= args.n:
                        break
                except httpx.TransportError:
                    pass
                if time.perf_counter() - t0 > 300:
                    raise SystemExit("simulator did not start")
                time.sleep(0.1)
            fl = _run(floor, url, args.page_size)
            sy = _run(sync, url, args.page_size, f"{tmp}/bridge.db")
        finally:
            server.terminate()
            server.wait()
        main = _main_store_run(args.main_n, args.page_size, tmp, args.tickets_n)
    assert fl["items"] == sy["items"] == args.n, (fl, sy)
    ratio = fl["seconds"] / sy["seconds"]
    n = args.n
    for label, r in ((f"OA full sync, {n:,} petitions, page {args.page_size}", sy),
                     ("bare httpx floor, same pages", fl)):  # fmt: skip
        rate = n / r["seconds"]
        print(f"| {label} | {r['seconds']:.2f} s ({rate:,.0f}/s) | peak RSS {r['rss_mb']:.0f} MB |")
    print(f"| sync throughput / floor | {ratio:.0%} (target ≥ 50%) | |")
    mn, mf = main["sync"], main["floor"]
    print(
        f"| sync into the main database, {args.main_n:,} petitions (page {args.page_size})"
        f" | {mn['seconds']:.2f} s ({args.main_n / mn['seconds']:,.0f}/s) vs floor "
        f"{mf['seconds']:.2f} s: {mf['seconds'] / mn['seconds']:.0%}"
        f" | peak RSS {mn['rss_mb']:.0f} MB |"
    )
    print(
        f"| then making {mn['made']:,} of them tickets (letter, ticket, receipt, OA outbox) | "
        f"{mn['materialize_seconds']:.1f} s ({mn['made'] / mn['materialize_seconds']:,.0f}/s) | |"
    )
    print(
        f"| then routing those {mn['routed']:,} tickets (classification, deadlines, dispatch mail)"
        " | "
        f"{mn['routing_seconds']:.1f} s ({mn['routed'] / mn['routing_seconds']:,.0f}/s) | |"
    )


if __name__ == "__main__":
    main()
