"""The worker's schedule as written in `tasks.py`: one periodic task per job, each under its own
lease, so a job that is still running (here or in another worker) is skipped while the others
run, a job whose host died is taken over when its lease expires, and a job that fails skips
nothing else."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from inbound_helpers import context, letter
from xinxiang.services.ingest import MessageOrigin, ingest_batch
from xinxiang.services.leases import SourceLease, acquire
from xinxiang.store.models import EventRow, TicketRow
from xinxiang.tasks import JOBS, Runtime, Tasks, make_huey

NOW = datetime(2026, 11, 24, 2, 30, tzinfo=UTC)  # a Tuesday, 10:30 in Beijing


def statuses(ctx: Any) -> list[str]:
    with ctx.db.unit_of_work() as s:
        return list(s.execute(select(TicketRow.status).order_by(TicketRow.id)).scalars())


def archived(ctx: Any) -> int:
    with ctx.db.unit_of_work() as s:
        return len(s.execute(select(EventRow.id).where(EventRow.kind == "record_generated")).all())


def one_letter_waiting(ctx: Any) -> tuple[Any, Tasks]:
    """A letter recorded and waiting to be routed; an immediate Huey with the worker's tasks."""
    raw = letter(subject="宿舍热水问题", body="12号楼宿舍热水三天没有了。")
    ingest_batch(ctx, [(raw, MessageOrigin("m", "书记信箱", "t"))], NOW)
    huey = make_huey(ctx.cfg, immediate=True)
    return huey, Tasks(huey, Runtime(ctx, clock=lambda: NOW))


def test_every_job_is_its_own_periodic_task(tmp_config: Any) -> None:
    ctx = context(tmp_config())
    huey = make_huey(ctx.cfg, immediate=True)
    tasks = Tasks(huey, Runtime(ctx, clock=lambda: NOW))
    periodic = {t.name: t for t in huey._registry.periodic_tasks}
    assert sorted(periodic) == sorted(f"xinxiang.{job}" for job in JOBS)
    assert set(tasks.jobs) == set(JOBS)
    minute = datetime(2026, 11, 24, 2, 31)
    slower = {"xinxiang.learn", "xinxiang.topics"}
    every_minute = {name: t for name, t in periodic.items() if name not in slower}
    assert all(t.validate_datetime(minute) for t in every_minute.values())
    # The suggestion model is retrained once a night, at 03:00 in Beijing (19:00 UTC).
    learn = periodic["xinxiang.learn"]
    assert learn.validate_datetime(datetime(2026, 11, 24, 19, 0))
    assert not learn.validate_datetime(minute)
    # Hot topics are looked for every ten minutes.
    topics = periodic["xinxiang.topics"]
    assert topics.validate_datetime(datetime(2026, 11, 24, 2, 30))
    assert not topics.validate_datetime(minute)


def test_a_job_still_running_is_skipped_and_the_others_run(tmp_config: Any) -> None:
    ctx = context(tmp_config())
    _huey, tasks = one_letter_waiting(ctx)
    # another worker (another host) is routing right now: it holds the job's lease
    with SourceLease(ctx.db, "job:routing", holder="other-host:1:0000", clock=lambda: NOW):
        tasks.jobs["routing"]()
        assert statuses(ctx) == ["received"]
        for job in ("replies", "sweep", "digest", "outbox", "oa_pull", "oa_push"):
            tasks.jobs[job]()
    tasks.jobs["routing"]()
    assert statuses(ctx) == ["dispatched"]
    tasks.jobs["archive"]()
    assert archived(ctx) == 1


def test_a_job_whose_host_died_is_taken_over_when_its_lease_expires(tmp_config: Any) -> None:
    """A host killed in the middle of routing leaves its lease behind (no release): the job
    is skipped while the lease runs, and taken over by another host once it has expired."""
    ctx = context(tmp_config())
    lease = timedelta(seconds=ctx.cfg.settings.queue.source_lease_seconds)
    assert acquire(ctx.db, "job:routing", "dead-host:4242:0000", NOW - lease / 2, lease)
    _huey, tasks = one_letter_waiting(ctx)
    tasks.jobs["routing"]()
    assert statuses(ctx) == ["received"]  # its lease still runs
    later = Runtime(ctx, clock=lambda: NOW + lease)
    Tasks(make_huey(ctx.cfg, immediate=True), later).jobs["routing"]()
    assert statuses(ctx) == ["dispatched"]


def test_a_job_that_fails_skips_no_other(tmp_config: Any, caplog: pytest.LogCaptureFixture) -> None:
    cfg_dir = tmp_config()
    (cfg_dir / "oa.toml").write_text("[oa\nbroken", encoding="utf-8")  # the OA pull fails
    ctx = context(cfg_dir)
    _huey, tasks = one_letter_waiting(ctx)
    with caplog.at_level(logging.ERROR, logger="huey"):
        tasks.jobs["oa_pull"]()
    assert "oa.toml: invalid TOML" in caplog.text
    tasks.jobs["routing"]()
    tasks.jobs["archive"]()
    assert statuses(ctx) == ["dispatched"] and archived(ctx) == 1
