"""The long end-to-end scenarios at full size (the suite runs them with a smaller N).

Runs the tests marked `slow` with `XINXIANG_FULL_SCALE=1` (see tests/scale.py): 10,000 OA
petitions with faults and an outage, 11,000 OA pushes under faults, 500 letters through a
worker killed at random moments, and the rest of the `slow` set. Same assertions as in the
suite; prints each test's time as markdown rows for bench/RESULTS.md.

    .venv/bin/python bench/bench_long_scenarios.py [-k EXPR]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    """Run the `slow` tests at full scale; print their durations; exit with pytest's status."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("-k", default="", help="pytest -k expression to pick some scenarios")
    args = ap.parse_args()
    env = {**os.environ, "XINXIANG_FULL_SCALE": "1", "XINXIANG_REQUIRE_SERVERS": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "durations.txt"
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "slow"]
        cmd += ["-o", "timeout=1800", "--durations=0", "--durations-min=1"]
        if args.k:
            cmd += ["-k", args.k]
        with report.open("w") as out:
            rc = subprocess.call(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
        text = report.read_text()
    print("| scenario (full scale) | phase | seconds |\n|---|---|---|")
    for m in re.finditer(r"^([\d.]+)s (setup|call|teardown)\s+(\S+)$", text, re.M):
        print(f"| `{m.group(3)}` | {m.group(2)} | {float(m.group(1)):.1f} |")
    print(text.strip().splitlines()[-1] if text.strip() else "(no output)")
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
