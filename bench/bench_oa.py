"""Benchmark: full OA sync of N petitions (default 100,000) from the simulator vs a bare HTTP floor.

The simulator runs in its own process (so it does not share our GIL). The floor fetches the same
keyset pages with a bare httpx client and only decodes the JSON; the sync maps every item to a
`Petition` and upserts it into the bridge's SQLite store. Each side runs in a fresh child process
so peak RSS is its own. Prints markdown lines for bench/RESULTS.md.

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

    from xinxiang.oa_bridge.adapters import make_adapter
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


def _run(target: Any, *args: Any) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=target, args=(*args, q))
    p.start()
    res: dict[str, Any] = q.get()
    p.join()
    return res


def main() -> None:
    """Run the benchmark and print markdown lines."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--page-size", type=int, default=500)
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
    assert fl["items"] == sy["items"] == args.n, (fl, sy)
    ratio = fl["seconds"] / sy["seconds"]
    n = args.n
    for label, r in ((f"OA full sync, {n:,} petitions, page {args.page_size}", sy),
                     ("bare httpx floor, same pages", fl)):  # fmt: skip
        rate = n / r["seconds"]
        print(f"| {label} | {r['seconds']:.2f} s ({rate:,.0f}/s) | peak RSS {r['rss_mb']:.0f} MB |")
    print(f"| sync throughput / floor | {ratio:.0%} (target ≥ 50%) | |")


if __name__ == "__main__":
    main()
