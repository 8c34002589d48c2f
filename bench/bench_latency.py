"""Benchmark: letter → receipt latency with IMAP IDLE, while letters arrive at a steady rate.

A real Dovecot, a real worker process (`xinxiang worker`, IDLE on, the periodic poll at its
default minute so that IDLE is what wakes it) and a local aiosmtpd that timestamps each
receipt. Letters from distinct senders are APPENDed at `--rate` per second for `--seconds`;
the latency of a letter is from the moment its APPEND was issued to the moment its receipt
arrived at the SMTP server. Reports p50/p95/p99/max and receipts missing.

    .venv/bin/python bench/bench_latency.py [--seconds 300] [--rate 20] [--pg]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
XINXIANG = str(Path(sys.executable).with_name("xinxiang"))


class ArrivalSink:
    """aiosmtpd on loopback recording when the first mail to each recipient arrived."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        from servers import free_port  # type: ignore[import-not-found]

        self.arrived: dict[str, float] = {}
        self.total = 0
        self.lock = threading.Lock()
        sink = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                now = time.time()
                with sink.lock:
                    sink.total += 1
                    for rcpt in envelope.rcpt_tos:
                        sink.arrived.setdefault(str(rcpt).lower(), now)
                return "250 2.0.0 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def close(self) -> None:
        self.controller.stop()


def write_config(cfg_dir: Path, data_dir: Path, url: str, account: Any, smtp_port: int) -> None:
    """A deployment reading the bench mailbox with IDLE and sending to the arrival sink."""
    cfg_dir.mkdir(parents=True)
    for extra in (REPO / "config").glob("*.toml"):
        if extra.name not in ("xinxiang.toml", "oa.toml"):  # the OA link stays off
            (cfg_dir / extra.name).write_bytes(extra.read_bytes())
    (cfg_dir / "xinxiang.toml").write_text(
        f'[storage]\ndata_dir = "{data_dir}"\ndatabase_url = "{url}"\n'
        f'[queue]\nurl = "sqlite:///{data_dir}/queue.db"\n'
        f'[smtp]\ntransport = "smtp"\nhost = "127.0.0.1"\nport = {smtp_port}\n'
        f'security = "plain"\nallow_plaintext = true\n'
        f'from_address = "xinxiang@example.edu.cn"\n'
        f"[ack]\nmax_per_sender_per_hour = 3\n"
        f'[[source]]\nname = "shuji"\nchannel = "书记信箱"\nhost = "{account.host}"\n'
        f'port = {account.port}\nsecurity = "plain"\nallow_plaintext = true\n'
        f'username = "{account.user}"\npassword_env = "BENCH_IMAP_PASSWORD"\nidle = true\n',
        encoding="utf-8",
    )
    os.environ["BENCH_IMAP_PASSWORD"] = account.password


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=300)
    ap.add_argument("--rate", type=float, default=20)
    ap.add_argument("--pg", action="store_true", help="PostgreSQL instead of SQLite")
    ap.add_argument("--drain", type=float, default=60, help="seconds to wait for late receipts")
    args = ap.parse_args()

    import psutil

    from inbound_helpers import letter  # type: ignore[import-not-found]
    from servers import DovecotServer, postgres_url  # type: ignore[import-not-found]
    from xinxiang.config import load_config
    from xinxiang.services.context import AppContext
    from xinxiang.store.migrate import upgrade

    os.environ.setdefault("XINXIANG_TOKEN_KEY", secrets.token_hex(32))
    load_before = os.getloadavg()[0]
    tmp = Path(tempfile.mkdtemp(prefix="xx-bench-latency-"))
    sink = ArrivalSink()
    appended: dict[str, float] = {}
    with contextlib.ExitStack() as stack, DovecotServer() as server:
        server.start()
        account = server.new_account("latency")
        url = f"sqlite:///{tmp}/xinxiang.db"
        if args.pg:
            url = stack.enter_context(postgres_url()) or url
        write_config(tmp / "cfg", tmp / "data", url, account, sink.port)
        ctx = AppContext(load_config(tmp / "cfg"))
        ctx.cfg.data_dir.mkdir(parents=True, exist_ok=True)
        upgrade(ctx.db)
        ctx.close()
        log = (tmp / "worker.log").open("ab")
        worker = subprocess.Popen(
            [XINXIANG, "worker", "--config", str(tmp / "cfg")],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=os.environ.copy(),
            start_new_session=True,
        )
        try:
            time.sleep(5)  # the worker is up and idling
            n = int(args.seconds * args.rate)
            with account.client() as imap:
                t0 = time.time()
                for i in range(n):
                    due = t0 + i / args.rate
                    time.sleep(max(0.0, due - time.time()))
                    sender = f"p{i}@stu.example.edu.cn"
                    raw = letter(subject=f"来信{i}：宿舍热水问题", sender=sender)
                    appended[sender] = time.time()
                    imap.append("INBOX", raw)
                late = max(0.0, time.time() - (t0 + n / args.rate))
            deadline = time.time() + args.drain
            while time.time() < deadline and len(sink.arrived) < n:
                time.sleep(0.5)
            cpu = psutil.Process(worker.pid).cpu_times()
            cpu_s = cpu.user + cpu.system
        finally:
            worker.send_signal(signal.SIGINT)
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
            log.close()
    sink.close()
    latencies = [sink.arrived[s] - t for s, t in appended.items() if s in sink.arrived]
    missing = len(appended) - len(latencies)
    db = "postgresql" if args.pg else "sqlite"
    print(f"\n## Letter → receipt latency, IDLE, {args.rate:g} letters/s for {args.seconds:g} s\n")
    print(
        "| database | letters | receipts | missing | p50 s | p95 s | p99 s | max s |"
        " worker CPU ms/letter | load avg before / after |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    load = f"{load_before:.1f} / {os.getloadavg()[0]:.1f}"
    per = 1000 * cpu_s / max(1, len(appended))
    if latencies:
        print(
            f"| {db} | {len(appended)} | {len(latencies)} | {missing} | "
            f"{percentile(latencies, 0.5):.2f} | {percentile(latencies, 0.95):.2f} | "
            f"{percentile(latencies, 0.99):.2f} | {max(latencies):.2f} | {per:.0f} | {load} |"
        )
    else:
        print(f"| {db} | {len(appended)} | 0 | {missing} | — | — | — | — | {per:.0f} | {load} |")
    print(f"\nAPPEND fell behind the schedule by {late:.1f} s.")
    print("\nTarget: p95 ≤ 2 s. Worker log:", tmp / "worker.log")


if __name__ == "__main__":
    main()
