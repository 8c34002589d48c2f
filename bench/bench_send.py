"""Benchmark: drain an outbox backlog to a local aiosmtpd, against a floor in the same run.

Floor: aiosmtplib sending the same pre-rendered bytes one after the other over one connection,
nothing read or written in a database. Product: `send_due` with its sending workers (each
reusing one SMTP session), claiming rows with a lease, marking each sent and writing its
`mail_sent` event, on SQLite and on PostgreSQL. The SMTP server runs in its own process and
counts the Message-IDs it received, so a mail sent twice would show. RSS of the sending process
is sampled as the backlog drains (it must stay flat).

    .venv/bin/python bench/bench_send.py [--n 10000] [--workers 4] [--no-pg]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "bench"))

SENDER = "xinxiang@example.edu.cn"
BODY = (
    "各位老师：\n\n现将来信转办贵单位，请于规定时限内办理并回复。来信摘要如下：\n"
    + "学生宿舍热水供应时间不稳定，晚上十点以后经常没有热水，希望学校尽快协调解决。\n" * 40
)


def message(i: int) -> tuple[str, bytes]:
    """The i-th pre-rendered dispatch-sized mail (~8 KB, UTF-8 base64) and its Message-ID."""
    from email.message import EmailMessage
    from email.policy import SMTP

    msg = EmailMessage(policy=SMTP)
    mid = f"<bench-{i}@xinxiang.example.edu.cn>"
    msg["From"] = f"示例大学书记校长信箱 <{SENDER}>"
    msg["To"] = f"dept{i % 40}@example.edu.cn"
    msg["Subject"] = f"【转办】2026-{i:06d} 学生宿舍热水供应问题"
    msg["Message-ID"] = mid
    msg.set_content(BODY + f"\n编号 2026-{i:06d}\n", cte="base64")
    return mid, msg.as_bytes()


def rss_mb() -> float:
    """RSS of this process, in MiB."""
    import psutil

    return float(psutil.Process().memory_info().rss) / 2**20


# ----------------------------------------------------------------------------- SMTP server


def phase_smtpd(args: argparse.Namespace) -> None:
    """A counting aiosmtpd: prints its port, then `{"total", "unique"}` for each stdin line."""
    from aiosmtpd.controller import Controller

    seen: set[bytes] = set()
    count = {"total": 0}

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            data = envelope.original_content or envelope.content
            head = bytes(data[:2000]) if isinstance(data, bytes) else str(data)[:2000].encode()
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"message-id:"):
                    seen.add(line[11:].strip())
            count["total"] += 1
            return "250 2.0.0 OK"

    ctl = Controller(Handler(), hostname="127.0.0.1", port=args.port, data_size_limit=0)
    ctl.start()
    print(json.dumps({"port": ctl.port}), flush=True)
    for line in sys.stdin:
        print(json.dumps({"total": count["total"], "unique": len(seen)}), flush=True)
        if line.strip() == "reset":
            seen.clear()
            count["total"] = 0
    ctl.stop()


class Smtpd:
    """The counting server process."""

    def __init__(self, port: int) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--phase", "smtpd", "--port", str(port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        json.loads(self.proc.stdout.readline())

    def ask(self, what: str = "count") -> dict[str, int]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(what + "\n")
        self.proc.stdin.flush()
        return dict(json.loads(self.proc.stdout.readline()))

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(10)


# ----------------------------------------------------------------------------- phases


def phase_floor(args: argparse.Namespace) -> dict[str, Any]:
    import asyncio

    import aiosmtplib

    mails = [message(i)[1] for i in range(args.n)]

    async def run() -> float:
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=args.port, start_tls=False)
        await client.connect()
        t0 = time.perf_counter()
        for i, raw in enumerate(mails):
            await client.sendmail(SENDER, [f"dept{i % 40}@example.edu.cn"], raw)
        elapsed = time.perf_counter() - t0
        await client.quit()
        return elapsed

    return {"count": args.n, "seconds": asyncio.run(run())}


def _fill(ctx: Any, n: int) -> None:
    """N pending outbox rows (pre-rendered), one ticket per two mails, inserted in chunks."""
    from datetime import UTC, datetime

    from sqlalchemy import insert

    from xinxiang.store.models import OutboxRow, TicketRow

    now = datetime.now(UTC)
    tickets = (n + 1) // 2
    with ctx.db.unit_of_work() as s:
        s.execute(
            insert(TicketRow),
            [
                {
                    "id": t + 1,
                    "number": f"2026-{t + 1:06d}",
                    "query_code": f"Q{t:08d}",
                    "letter_id": t + 1,
                    "source": "shuji",
                    "channel": "书记信箱",
                    "status": "dispatched",
                    "petitioner_addr": f"s{t}@example.edu.cn",
                    "petitioner_name": "学生",
                    "subject": "热水",
                    "created_at": now,
                }
                for t in range(tickets)
            ],
        )
    for start in range(0, n, 500):
        rows = []
        for i in range(start, min(n, start + 500)):
            mid, raw = message(i)
            rows.append(
                {
                    "dedupe_key": f"bench:{i}",
                    "message_id": mid,
                    "ticket_id": i // 2 + 1,
                    "kind": "dispatch",
                    "sender": SENDER,
                    "recipients": [f"dept{i % 40}@example.edu.cn"],
                    "recipient_key": f"dept{i % 40}@example.edu.cn",
                    "raw": raw,
                    "state": "pending",
                    "attempts": 0,
                    "created_at": now,
                    "next_attempt_at": now,
                }
            )
        with ctx.db.unit_of_work() as s:
            s.execute(insert(OutboxRow), rows)


def phase_send(args: argparse.Namespace) -> dict[str, Any]:
    from datetime import UTC, datetime

    from bench_ingest import RssSampler  # type: ignore[import-not-found]
    from sqlalchemy import func, select

    from xinxiang.config import load_config
    from xinxiang.replies.transport import transport_for
    from xinxiang.services.context import AppContext
    from xinxiang.services.outbox import send_due
    from xinxiang.store.migrate import upgrade
    from xinxiang.store.models import OutboxRow

    ctx = AppContext(load_config(args.config))
    ctx.cfg.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(ctx.db)
    _fill(ctx, args.n)
    sent = {"n": 0}

    def watch() -> None:
        while not sampler.stop.is_set():
            with ctx.db.unit_of_work() as s:
                q = select(func.count()).select_from(OutboxRow).where(OutboxRow.state == "sent")
                sent["n"] = int(s.execute(q).scalar_one())
            sampler.stop.wait(0.5)

    transport = transport_for(ctx.cfg)
    if os.environ.get("BENCH_PROFILE"):
        import cProfile

        cProfile.runctx(
            "send_due(ctx, transport, datetime.now(UTC), workers=args.workers)",
            globals(),
            locals(),
            os.environ["BENCH_PROFILE"],
        )
        return {}
    before = rss_mb()
    t0 = time.perf_counter()
    with RssSampler(lambda: sent["n"]) as sampler:
        threading.Thread(target=watch, daemon=True).start()
        result = send_due(ctx, transport, datetime.now(UTC), workers=args.workers)
    elapsed = time.perf_counter() - t0
    ctx.close()
    return {
        "count": result.sent,
        "retried": result.retried,
        "seconds": elapsed,
        "rss_before": before,
        "rss_quartiles": [sampler.peak_until(args.n * q // 4) for q in (1, 2, 3, 4)],
        "rss_after": rss_mb(),
    }


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


def write_config(cfg_dir: Path, data_dir: Path, url: str, port: int, workers: int) -> None:
    """A deployment that sends to the bench's SMTP server in plaintext on loopback."""
    cfg_dir.mkdir(parents=True)
    for extra in (REPO / "config").glob("*.toml"):
        if extra.name != "xinxiang.toml":
            (cfg_dir / extra.name).write_bytes(extra.read_bytes())
    (cfg_dir / "xinxiang.toml").write_text(
        f'[storage]\ndata_dir = "{data_dir}"\ndatabase_url = "{url}"\n'
        f'[smtp]\ntransport = "smtp"\nhost = "127.0.0.1"\nport = {port}\nsecurity = "plain"\n'
        f"allow_plaintext = true\nsend_workers = {workers}\n",
        encoding="utf-8",
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument("--phase")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--config")
    args = ap.parse_args()
    if args.phase == "smtpd":
        phase_smtpd(args)
        return
    if args.phase == "floor":
        print(json.dumps(phase_floor(args)))
        return
    if args.phase == "send":
        print(json.dumps(phase_send(args)))
        return

    from servers import free_port, postgres_url  # type: ignore[import-not-found]

    os.environ.setdefault("XINXIANG_TOKEN_KEY", secrets.token_hex(32))
    port = free_port()
    smtpd = Smtpd(port)
    tmp = Path(tempfile.mkdtemp(prefix="xx-bench-send-"))
    results: dict[str, dict[str, Any]] = {}
    with contextlib.ExitStack() as stack:
        common = ["--n", str(args.n), "--port", str(port)]
        results["floor"] = run_phase("floor", common)
        results["floor"]["server"] = smtpd.ask("reset")
        labels = ["sqlite"] + ([] if args.no_pg else ["postgresql"])
        for label in labels:
            url = (
                f"sqlite:///{tmp}/{label}.db"
                if label == "sqlite"
                else stack.enter_context(postgres_url())
            )
            if url is None:
                continue
            cfg = tmp / f"cfg-{label}"
            write_config(cfg, tmp / f"data-{label}", url, port, args.workers)
            extra = ["--config", str(cfg), "--workers", str(args.workers)]
            results[label] = run_phase("send", common + extra)
            results[label]["server"] = smtpd.ask("reset")
    smtpd.close()
    floor = results["floor"]["count"] / results["floor"]["seconds"]
    print(f"\n## Sending {args.n} mails (~8 KB each) to a local aiosmtpd\n")
    print("| phase | workers | mails | seconds | mails/s | vs floor | received (unique) |"
          " RSS MB before / 25 / 50 / 75 / 100 % / after |")
    print("|---|---|---|---|---|---|---|---|")
    for label, r in results.items():
        rate = r["count"] / r["seconds"]
        srv = r["server"]
        rss = "—"
        if "rss_quartiles" in r:
            q = " / ".join(f"{x:.0f}" for x in r["rss_quartiles"])
            rss = f"{r['rss_before']:.0f} / {q} / {r['rss_after']:.0f}"
        workers = "1 connection" if label == "floor" else str(args.workers)
        print(
            f"| {label} | {workers} | {r['count']} | {r['seconds']:.1f} | {rate:.0f} | "
            f"{rate / floor:.2f} | {srv['total']} ({srv['unique']}) | {rss} |"
        )
    print("\nTargets: ≥ 0.5 of the floor and ≥ 200 mails/s; RSS flat while the backlog drains.")


if __name__ == "__main__":
    main()
