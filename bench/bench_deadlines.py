"""Benchmark: deadline computations per second (mixed tracks and urgencies, times across 2026).

Run: `.venv/bin/python bench/bench_deadlines.py [N]`; prints a markdown table row for
bench/RESULTS.md. The sweep benchmark over 1,000,000 tickets lives with the store.
"""

from __future__ import annotations

import platform
import random
import sys
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from xinxiang.dispatch.calendar import ChineseWorkingCalendar
from xinxiang.domain.deadlines import DEFAULT_POLICY, compute_deadlines

TZ = ZoneInfo("Asia/Shanghai")


def workload(n: int, seed: int = 4) -> list[tuple[datetime, int | None, str]]:
    """`n` acceptances spread over 2026 with a realistic mix of tracks and urgencies."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=TZ)
    seconds = 365 * 24 * 3600
    out: list[tuple[datetime, int | None, str]] = []
    for _ in range(n):
        t = start + timedelta(seconds=rng.randrange(seconds))
        urgency = rng.choices(["normal", "priority", "emergency"], weights=[90, 8, 2])[0]
        track = rng.choices([1, 2, 3, None], weights=[60, 25, 10, 5])[0]
        out.append((t, track, urgency))
    return out


def main(argv: list[str]) -> int:
    """Time `compute_deadlines` over a warm calendar; print one markdown row."""
    n = int(argv[0]) if argv else 200_000
    cases = workload(n)
    cal = ChineseWorkingCalendar()
    for t, track, urgency in cases[:1000]:  # warm the calendar's per-date cache
        compute_deadlines(t, track, urgency, DEFAULT_POLICY, cal, TZ)
    began = time.perf_counter()
    for t, track, urgency in cases:
        compute_deadlines(t, track, urgency, DEFAULT_POLICY, cal, TZ)
    elapsed = time.perf_counter() - began
    rate = n / elapsed
    print(
        f"| deadline computations (mixed tracks, 2026, warm calendar) | {n:,} | "
        f"{elapsed:.2f} s | **{rate:,.0f}/s** ({1e6 / rate:.1f} µs each) | "
        f"Python {platform.python_version()}, {platform.machine()} |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
