"""Specification of the worker's routing process (issue #17): ingest nudges it after each
committed batch and it routes on the other core while ingest goes on. Every letter is routed
once, exactly as routing in the polling process routes it, on SQLite and PostgreSQL."""

from __future__ import annotations

import mailbox
import os
import signal
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from conftest import TmpConfig
from xinxiang.classify.engine import classify_letter
from xinxiang.config import load_config
from xinxiang.samples import iter_sample_letters
from xinxiang.services.context import AppContext
from xinxiang.services.poll import import_source, poll_source
from xinxiang.services.route_worker import RoutingProcess
from xinxiang.store.migrate import upgrade
from xinxiang.store.models import AttachmentRow, EventRow, LetterRow, TicketRow
from xinxiang.store.repo import letter_from_row

LETTERS = 60


def test_letters_ingested_in_batches_are_routed_by_the_routing_process_once(
    tmp_path: Path, tmp_config: TmpConfig, db_url: str
) -> None:
    box = mailbox.Maildir(str(tmp_path / "mail"), create=True)
    for raw in iter_sample_letters(LETTERS, seed=5):
        box.add(raw)
    cfg_dir = tmp_config(maildir=tmp_path / "mail", database_url=db_url)
    toml = cfg_dir / "xinxiang.toml"  # batches of ten: one nudge each
    text = toml.read_text(encoding="utf-8")
    assert text.count('kind = "maildir"') == 1
    toml.write_text(
        text.replace('kind = "maildir"', 'kind = "maildir"\nbatch_size = 10'), encoding="utf-8"
    )
    ctx = AppContext(load_config(cfg_dir))
    router = RoutingProcess(cfg_dir, idle_seconds=3600)  # only nudges wake it
    try:
        ctx.cfg.data_dir.mkdir(parents=True, exist_ok=True)
        upgrade(ctx.db)
        router.start(wait_ready=300)
        assert router.ready
        nudged: list[int] = []
        now = datetime.now(UTC)
        result = import_source(
            ctx, "maildir", lambda: now, committed=lambda: nudged.append(router.nudge())
        )
        assert result.created == LETTERS
        assert len(nudged) == LETTERS // 10  # one nudge per committed batch
        assert router.drain(timeout=300)
        assert router.routed == LETTERS
        with ctx.db.unit_of_work() as s:
            tickets = list(s.execute(select(TicketRow)).scalars())
            classified = Counter(
                s.execute(select(EventRow.ticket_id).where(EventRow.kind == "classified"))
                .scalars()
                .all()
            )
            assert [t.status for t in tickets if t.status == "received"] == []
            assert sorted(classified.values()) == [1] * LETTERS
            for ticket in tickets:  # the very classification routing here would make
                row = s.get_one(LetterRow, ticket.letter_id)
                files = select(AttachmentRow).where(AttachmentRow.letter_id == row.id)
                alone = classify_letter(
                    letter_from_row(row, list(s.execute(files).scalars())), ctx.rules
                )
                assert ticket.classification == alone.to_json()
    finally:
        router.stop()
        ctx.close()
    assert not router.process.is_alive()


def test_a_poll_with_a_routing_process_leaves_routing_to_it(
    tmp_path: Path, tmp_config: TmpConfig
) -> None:
    box = mailbox.Maildir(str(tmp_path / "mail"), create=True)
    for raw in iter_sample_letters(5, seed=6):
        box.add(raw)
    cfg_dir = tmp_config(maildir=tmp_path / "mail", database_url=f"sqlite:///{tmp_path}/x.db")
    ctx = AppContext(load_config(cfg_dir))
    try:
        ctx.cfg.data_dir.mkdir(parents=True, exist_ok=True)
        upgrade(ctx.db)
        nudges: list[str] = []
        now = datetime.now(UTC)
        result = poll_source(ctx, "maildir", lambda: now, router=lambda: nudges.append("nudge"))
        assert (result.created, nudges) == (5, ["nudge"])  # one batch, one nudge
        with ctx.db.unit_of_work() as s:
            assert set(s.execute(select(TicketRow.status)).scalars()) == {"received"}
        poll_source(ctx, "maildir", lambda: now)  # without: routed here, as before
        with ctx.db.unit_of_work() as s:
            assert "received" not in set(s.execute(select(TicketRow.status)).scalars())
    finally:
        ctx.close()


def test_the_routing_process_leaves_signals_to_its_parent_and_stops_when_asked(
    tmp_config: TmpConfig, tmp_path: Path
) -> None:
    # Ctrl-C or a service manager's SIGTERM reaches the whole process group: the routing
    # process leaves them to the worker, which stops it (a dead peer can block nothing).
    cfg_dir = tmp_config(database_url=f"sqlite:///{tmp_path}/x.db")
    ctx = AppContext(load_config(cfg_dir))
    upgrade(ctx.db)
    ctx.close()
    router = RoutingProcess(cfg_dir, idle_seconds=3600)
    router.start(wait_ready=300)
    try:
        assert router.ready
        pid = router.process.pid
        assert pid is not None
        for sig in (signal.SIGINT, signal.SIGTERM):
            os.kill(pid, sig)
        assert router.drain(timeout=60)  # still alive, still answering
        started = time.monotonic()
    finally:
        router.stop()
    assert not router.process.is_alive()
    assert time.monotonic() - started < 10


def test_when_the_routing_process_has_died_the_worker_routes_itself(
    tmp_path: Path, tmp_config: TmpConfig
) -> None:
    # A routing process killed (OOM killer, a bug) must not leave letters in `received`
    # for good: the every-minute routing job and polls route in the worker again.
    from xinxiang.tasks import Runtime, Tasks, make_huey

    box = mailbox.Maildir(str(tmp_path / "mail"), create=True)
    for raw in iter_sample_letters(3, seed=7):
        box.add(raw)
    cfg_dir = tmp_config(maildir=tmp_path / "mail", database_url=f"sqlite:///{tmp_path}/x.db")
    ctx = AppContext(load_config(cfg_dir))
    ctx.cfg.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(ctx.db)
    router = RoutingProcess(cfg_dir, idle_seconds=3600)
    router.start()
    try:
        pid = router.process.pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        router.process.join(30)
        assert not router.alive
        now = datetime.now(UTC)
        runtime = Runtime(ctx, clock=lambda: now, router=router)
        tasks = Tasks(make_huey(ctx.cfg, immediate=True), runtime)

        def statuses() -> set[str]:
            with ctx.db.unit_of_work() as s:
                return set(s.execute(select(TicketRow.status)).scalars())

        # letters committed with a nudge the dead process never took
        assert import_source(ctx, "maildir", lambda: now, committed=router.nudge).created == 3
        assert statuses() == {"received"}
        tasks.jobs["routing"]()
        assert "received" not in statuses()
        for raw in iter_sample_letters(2, seed=8):
            box.add(raw)
        result = runtime.poll("maildir")  # the poll does not count on the dead process
        assert result is not None and result.created == 2
        assert "received" not in statuses()
    finally:
        router.stop()
        ctx.close()
