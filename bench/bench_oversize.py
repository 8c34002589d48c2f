"""Benchmark: peak RSS of an IMAP import with a 30 MB letter in the mailbox (limits before work).

Three imports from a real Dovecot, each in its own process into a fresh SQLite database:
small letters only; the same plus one letter with a 30 MB attachment under the default
`storage.max_message_bytes` (25 MB: fetched by part, the attachment left on the server); and the
same mailbox with the limit raised to 64 MB, so the 30 MB letter is fetched and parsed whole (the
behaviour before the limit). Peak RSS is the process's own high-water mark (VmHWM) minus its
RSS just before the import started.

    .venv/bin/python bench/bench_oversize.py [--n 100]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
MB = 1024 * 1024


def status_mb(field: str) -> float:
    """A memory figure of this process from /proc/self/status (VmRSS, VmHWM), in MiB.

    VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a child started by a parent
    that once held the 30 MB letter would report the parent's peak.
    """
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def phase(args: argparse.Namespace) -> dict[str, Any]:
    from datetime import UTC, datetime

    from xinxiang.config import load_config
    from xinxiang.services.context import AppContext
    from xinxiang.services.poll import import_source
    from xinxiang.store.migrate import upgrade

    ctx = AppContext(load_config(args.config))
    ctx.cfg.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(ctx.db)
    before = status_mb("VmRSS")
    t0 = time.perf_counter()
    result = import_source(ctx, "shuji", lambda: datetime.now(UTC))
    seconds = time.perf_counter() - t0
    peak = status_mb("VmHWM")
    return {
        "created": result.created,
        "seconds": seconds,
        "before_mb": before,
        "peak_mb": peak,
        "growth_mb": peak - before,
    }


def big_letter(size: int) -> bytes:
    m = EmailMessage()
    m["From"] = "张三 <zhangsan@stu.example.edu.cn>"
    m["To"] = "xinxiang@example.edu.cn"
    m["Subject"] = "宿舍漏水（附视频）"
    m["Message-ID"] = make_msgid(domain="stu.example.edu.cn")
    m.set_content("老师您好，宿舍天花板漏水，视频见附件。")
    m.add_attachment(os.urandom(size), maintype="video", subtype="mp4", filename="漏水.mp4")
    return bytes(m)


def run(config: Path) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--phase", "--config", str(config)],
        check=False,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        raise SystemExit(out.stderr[-3000:])
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--phase", action="store_true")
    ap.add_argument("--config")
    args = ap.parse_args()
    if args.phase:
        print(json.dumps(phase(args)))
        return

    from servers import DovecotServer  # type: ignore[import-not-found]
    from xinxiang.samples import iter_sample_letters

    os.environ.setdefault(
        "XINXIANG_TOKEN_KEY", "d4376c4cb4ace6801a8d77b2d68499a3f9c23632403cf2734166c5ae373d4f23"
    )
    os.environ["BENCH_IMAP_PASSWORD"] = "secret"
    tmp = Path(tempfile.mkdtemp(prefix="xx-bench-oversize-"))
    rows: list[tuple[str, dict[str, Any]]] = []
    with DovecotServer() as server:
        server.start()

        def deploy(label: str, account: Any, limit: int | None) -> Path:
            cfg = tmp / f"cfg-{label}"
            cfg.mkdir()
            for extra in (REPO / "config").glob("*.toml"):
                if extra.name != "xinxiang.toml":
                    (cfg / extra.name).write_bytes(extra.read_bytes())
            storage = f"max_message_bytes = {limit}\n" if limit else ""
            (cfg / "xinxiang.toml").write_text(
                f'[storage]\ndata_dir = "{tmp}/data-{label}"\n{storage}'
                f'[smtp]\ntransport = "directory"\n'
                f'[[source]]\nname = "shuji"\nchannel = "书记信箱"\nhost = "{server.host}"\n'
                f'port = {server.imap_port}\nsecurity = "plain"\nallow_plaintext = true\n'
                f'username = "{account.user}"\npassword_env = "BENCH_IMAP_PASSWORD"\n',
                encoding="utf-8",
            )
            return cfg

        small = list(iter_sample_letters(args.n, seed=1))
        plain = server.new_account("small")
        server.append_many(small, user=plain.user)
        rows.append((f"{args.n} letters", run(deploy("small", plain, None))))
        for label, limit in (
            ("by part (limit 25 MB, default)", None),
            ("whole (limit 64 MB)", 64 * MB),
        ):
            account = server.new_account("big")
            server.append_many([*small, big_letter(30 * MB)], user=account.user)
            rows.append(
                (
                    f"{args.n} letters + one of 30 MB, {label}",
                    run(deploy(label[:5], account, limit)),
                )
            )
        for label, limit in (
            ("chunks of at most 25 MB", None),
            ("one chunk (limit 1 GB)", 1024 * MB),
        ):
            account = server.new_account("medium")
            server.append_many(
                [*small, *(big_letter(12 * MB) for _ in range(6))], user=account.user
            )
            name = f"{args.n} letters + six of 16 MB, {label}"
            rows.append((name, run(deploy(f"medium-{limit}", account, limit))))
    print(f"\n## Oversized letter: peak RSS of the import ({args.n} small letters)\n")
    print("| mailbox | tickets | seconds | RSS before MB | peak RSS MB | growth MB |")
    print("|---|---|---|---|---|---|")
    for label, r in rows:
        print(
            f"| {label} | {r['created']} | {r['seconds']:.1f} | {r['before_mb']:.0f} | "
            f"{r['peak_mb']:.0f} | **{r['growth_mb']:.0f}** |"
        )


if __name__ == "__main__":
    main()
