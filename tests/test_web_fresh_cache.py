"""The console's summary cache (hot topics, 三率 tiles): fresh values reused, stale hot topics
shown while one background thread recomputes them, so no page waits on a clustering twice."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from inbound_helpers import context
from xinxiang.services.context import AppContext
from xinxiang.web.policy_data import FreshCache

T0 = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


@pytest.fixture
def ctx(tmp_config: Any, tmp_path: Path) -> AppContext:
    return context(tmp_config(database_url=f"sqlite:///{tmp_path / 'x.db'}"))


def test_a_fresh_value_is_reused_and_a_stale_one_recomputed(ctx: AppContext) -> None:
    cache = FreshCache(timedelta(minutes=10))
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert cache.get(ctx, "k", T0, compute) == 1
    assert cache.get(ctx, "k", T0 + timedelta(minutes=9), compute) == 1
    assert cache.get(ctx, "k", T0 + timedelta(minutes=10), compute) == 2
    assert cache.get(ctx, "k", T0 - timedelta(minutes=1), compute) == 3, "clock went back: stale"


def test_stale_hot_topics_are_shown_while_one_thread_recomputes(ctx: AppContext) -> None:
    cache = FreshCache(timedelta(minutes=10))
    release = threading.Event()
    started: list[datetime] = []

    def slow(value: str, at: datetime) -> Any:
        def compute() -> str:
            started.append(at)
            release.wait(30)
            return value

        return compute

    release.set()
    assert cache.get(ctx, "t", T0, slow("old", T0), stale_ok=True) == "old"
    release.clear()
    later = T0 + timedelta(minutes=11)
    # Stale: the old value at once, every time, and a single recomputation in the background.
    for _ in range(5):
        assert cache.get(ctx, "t", later, slow("new", later), stale_ok=True) == "old"
    assert started.count(later) == 1
    release.set()
    deadline = time.monotonic() + 30
    while cache.get(ctx, "t", later, slow("newer", later), stale_ok=True) != "new":
        assert time.monotonic() < deadline, "the background value never arrived"
        time.sleep(0.05)


def test_a_failing_recomputation_keeps_the_stale_value(ctx: AppContext) -> None:
    cache = FreshCache(timedelta(minutes=10))
    assert cache.get(ctx, "t", T0, lambda: "old", stale_ok=True) == "old"
    later = T0 + timedelta(minutes=11)

    def broken() -> str:
        raise RuntimeError("clustering failed")

    assert cache.get(ctx, "t", later, broken, stale_ok=True) == "old"
    deadline = time.monotonic() + 30
    while cache._refreshing:  # the failed thread finishes and lets a later read try again
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert cache.get(ctx, "t", later, lambda: "new", stale_ok=True) == "old"
