"""Benchmark of the parser over a fuzzed corpus: time and memory per input (issue #16).

Run: `python bench/bench_parse_fuzz.py [--mutants N] [--seed S] [--no-memory]`.

The corpus is hand-made seed messages (GBK, Big5, HTML, attachments, a DSN, a forwarded
message), N mutants of them (byte flips, inserted MIME and encoded-word tokens, splices,
duplicated runs, cuts; seeded, so every run sees the same bytes) and adversarial inputs aimed at
each bound (deep nesting, 100 × 1 MB headers, a million header fields, 100,000 nested <div>,
a 60 MB attachment, 10,000 sibling parts, one 50 MB line…). Every input is parsed once timed,
then once under tracemalloc (peak of Python allocations). Target: no input over 2 s or 500 MB.
Prints a markdown snippet for bench/RESULTS.md; nothing is written to disk.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import platform
import random
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from xinxiang.errors import UnparseableMail  # noqa: E402
from xinxiang.mailbox.parse import parse_message  # noqa: E402

HEAD = (
    b"From: zs@qq.com\r\nTo: xinxiang@example.edu.cn\r\nDate: Fri, 20 Nov 2026 10:03:12 +0800\r\n"
)
TEXT = "老师您好，宿舍的热水每天只供应两小时，希望学校能够延长供应时间。谢谢！\r\n" * 5


def seeds() -> list[bytes]:
    """Ordinary mail of the kinds the mailbox receives."""
    gbk = HEAD + b"Subject: =?gb2312?B?" + base64.b64encode("宿舍热水".encode("gbk")) + b"?=\r\n"
    alt = (
        HEAD + b"Subject: " + "关于食堂".encode() + b"\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/alternative; boundary="A"\r\n\r\n'
        b"--A\r\nContent-Type: text/plain; charset=gbk\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + TEXT.encode("gbk") + b"\r\n--A\r\nContent-Type: text/html; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\n<div><p>=E8=80=81=E5=B8=88</p></div>"
        b"\r\n--A--\r\n"
    )  # fmt: skip
    attach = (
        HEAD + b"Subject: =?utf-8?Q?=E7=94=B3=E8=AF=B7?=\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="M"\r\n\r\n'
        b"--M\r\nContent-Type: text/plain; charset=big5\r\n\r\n" + "關於宿舍".encode("big5")
        + b"\r\n--M\r\nContent-Type: application/pdf; name*=gbk''%D6%D0.pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(b"%PDF-1.4" * 200)
        + b"\r\n--M--\r\n"
    )  # fmt: skip
    dsn = (
        b"From: MAILER-DAEMON\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="D"\r\n\r\n'
        b"--D\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--D\r\n"
        b"Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
        b"Action: failed\r\n--D\r\nContent-Type: message/rfc822\r\n\r\n"
        + gbk
        + b"\r\nhi\r\n--D--\r\n"
    )
    return [gbk + b"\r\n" + TEXT.encode("gbk"), alt, attach, dsn]


TOKENS = [
    b"\r\n", b"\r\n\r\n", b"=?gb2312?Q?=D6", b"=?utf-8?B?5a6/", b"?=", b"\xff", b"\x00",
    b"\xd6\xd0",
    b"--A\r\n", b"--M--\r\n", b"Content-Type: multipart/mixed; boundary=M\r\n\r\n",
    b"Content-Type: message/rfc822\r\n\r\n", b"Content-Transfer-Encoding: base64\r\n",
    b"; charset=base64", b"; charset=utf-16", b"<div>", b"</div>", b"=", b"====", b"\t", b" ",
    b"Content-Type: text/html\r\n\r\n<table><tr><td>",
]  # fmt: skip


def mutate(rng: random.Random, data: bytes, pool: list[bytes]) -> bytes:
    """One to eight random edits of `data`."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.randrange(6)
        at = rng.randrange(len(buf) + 1)
        if op == 0 and buf:
            buf[min(at, len(buf) - 1)] = rng.randrange(256)
        elif op == 1:
            buf[at:at] = rng.choice(TOKENS)
        elif op == 2:
            other = rng.choice(pool)
            start = rng.randrange(len(other) + 1)
            buf[at:] = other[start:]
        elif op == 3 and buf:
            end = min(len(buf), at + rng.randint(1, 400))
            buf[at:at] = bytes(buf[at:end]) * rng.randint(2, 50)
        elif op == 4:
            del buf[at : at + rng.randint(1, 200)]
        else:
            buf[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 30)))
    return bytes(buf)


def nested(levels: int) -> bytes:
    opening = b"".join(
        b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (i, i)
        for i in range(levels)
    )
    return HEAD + b"Subject: deep\r\n" + opening + b"Content-Type: text/plain\r\n\r\nx\r\n"


def adversarial() -> list[tuple[str, Callable[[], bytes]]]:
    """Inputs aimed at each bound (built lazily: some are large)."""
    html = "<div>" * 100_000 + "正文" + "</div>" * 100_000
    return [
        ("multipart nested 1,000 deep", lambda: nested(1000)),
        ("multipart nested 20,000 deep", lambda: nested(20_000)),
        ("message/rfc822 nested 5,000 deep", lambda: HEAD + b"Subject: d\r\n" + (
            b"Content-Type: message/rfc822\r\n\r\nFrom: a@b.cn\r\n" * 5000) + b"\r\nx"),
        ("100 header fields of 1 MB", lambda: HEAD + b"".join(
            b"X-H%d: " % i + b"x" * 1_000_000 + b"\r\n" for i in range(100))
            + b"Subject: s\r\n\r\nx"),
        ("1,000,000 short header fields", lambda: HEAD + b"X-A: b\r\n" * 1_000_000 + b"\r\nx"),
        ("one 5 MB subject of encoded words", lambda: HEAD + b"Subject: "
            + b"=?gb2312?Q?=D6=D0?= " * 250_000 + b"\r\n\r\nx"),
        ("100,000 nested <div> (1.1 MB HTML)", lambda: HEAD + b"Subject: h\r\n"
            b"Content-Type: text/html; charset=utf-8\r\n\r\n" + html.encode()),
        ("60 MB base64 attachment", lambda: HEAD + b"Subject: a\r\nContent-Type: multipart/mixed;"
            b" boundary=Z\r\n\r\n--Z\r\nContent-Type: application/zip\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(
                random.Random(1).randbytes(44_000_000)) + b"\r\n--Z--\r\n"),
        ("80 MB message (past the 32 MiB bound)", lambda: HEAD + b"Subject: b\r\n\r\n"
            + b"a" * 80_000_000),
        ("10,000 sibling parts", lambda: HEAD + b"Subject: w\r\nContent-Type: multipart/mixed;"
            b" boundary=S\r\n\r\n" + b"--S\r\nContent-Type: text/plain\r\n\r\npart\r\n" * 10_000
            + b"--S--\r\n"),
        ("one 50 MB line", lambda: HEAD + b"Subject: l\r\n\r\n" + b"x" * 50_000_000),
        ("21 MB of undeclared GBK text", lambda: HEAD + b"Subject: g\r\n\r\n"
            + TEXT.encode("gbk") * 30_000),
        ("70 MB of undeclared GBK text (cut mid-character)", lambda: HEAD + b"Subject: g\r\n\r\n"
            + TEXT.encode("gbk") * 100_000),
        ("5 MB of flat HTML paragraphs", lambda: HEAD + b"Subject: p\r\n"
            b"Content-Type: text/html; charset=utf-8\r\n\r\n" + "<p>段落</p>".encode() * 400_000),
    ]  # fmt: skip


def run_one(raw: bytes) -> None:
    with contextlib.suppress(UnparseableMail):
        parse_message(raw)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mutants", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--no-memory", action="store_true")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    pool = seeds()
    corpus: list[tuple[str, Callable[[], bytes]]] = [
        (f"seed {i}", (lambda r=raw: r)) for i, raw in enumerate(pool)
    ]
    for i in range(args.mutants):
        raw = mutate(rng, rng.choice(pool), pool)
        corpus.append((f"mutant {i}", (lambda r=raw: r)))
    corpus += adversarial()

    times: list[tuple[float, str]] = []
    peaks: list[tuple[float, str]] = []
    total_bytes = 0
    for name, build in corpus:
        raw = build()
        total_bytes += len(raw)
        start = time.perf_counter()
        run_one(raw)
        times.append((time.perf_counter() - start, name))
        if not args.no_memory:
            tracemalloc.start()
            run_one(raw)
            peaks.append((tracemalloc.get_traced_memory()[1] / 1e6, name))
            tracemalloc.stop()
        del raw
    seconds = sorted(t for t, _ in times)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"### Parser over a fuzzed corpus — {time.strftime('%Y-%m-%d')}, "
          f"Python {platform.python_version()}, seed {args.seed}\n")  # fmt: skip
    print(f"- inputs: {len(corpus)} ({args.mutants} mutants, {len(adversarial())} adversarial), "
          f"{total_bytes / 1e6:.0f} MB in all")  # fmt: skip
    print(f"- time per input: p50 {statistics.median(seconds) * 1000:.2f} ms, "
          f"p99 {seconds[int(len(seconds) * 0.99)] * 1000:.1f} ms, max {seconds[-1]:.2f} s; "
          f"total {sum(seconds):.1f} s")  # fmt: skip
    print("- slowest: " + "; ".join(f"{n} {t:.2f} s" for t, n in sorted(times)[-6:][::-1]))
    if peaks:
        print("- peak Python allocations (tracemalloc) per input: max "
              f"{max(peaks)[0]:.0f} MB; largest: "
              + "; ".join(f"{n} {m:.0f} MB" for m, n in sorted(peaks)[-5:][::-1]))  # fmt: skip
    print(f"- peak RSS of the whole run: {rss:.0f} MB")
    over = [n for t, n in times if t > 2.0] + [n for m, n in peaks if m > 500]
    print(f"- over the target (2 s or 500 MB): {', '.join(over) if over else 'none'}")


if __name__ == "__main__":
    main()
