"""Sizes of the long scenarios: short in the suite, full size under bench/bench_long_scenarios.py.

The suite must stay fast on 2 cores, so the long end-to-end scenarios run with a smaller N and
the same assertions; `XINXIANG_FULL_SCALE=1` (set by the bench) restores the full sizes.
"""

from __future__ import annotations

import os

FULL_SCALE = os.environ.get("XINXIANG_FULL_SCALE") == "1"


def scaled(full: int, short: int) -> int:
    """`full` under XINXIANG_FULL_SCALE=1, `short` otherwise."""
    return full if FULL_SCALE else short
