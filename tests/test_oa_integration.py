"""The OA bridge on the main store: petitions become tickets like mail, state changes go back.

A real simulator on loopback, the real database (SQLite, and PostgreSQL when reachable), the
real classification and dispatch; client back-off sleeps are no-ops so faults cost no time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

import xinxiang.store.models_oa  # its tables join Base.metadata before upgrade()
import xinxiang.store.models_replies  # noqa: F401
from scale import scaled
from xinxiang.config import load_config
from xinxiang.handlers import Actor, RouteTicket, handle
from xinxiang.oa_bridge.config import OaSettings, load_oa_for
from xinxiang.oa_bridge.sim_faults import Faults
from xinxiang.oa_bridge.sim_store import SimulatorStore
from xinxiang.oa_bridge.simulator import OaSimulator
from xinxiang.services.context import AppContext
from xinxiang.services.oa_hooks import install_oa_hooks, uninstall_oa_hooks
from xinxiang.services.oa_store import oa_status
from xinxiang.services.oa_tasks import oa_pull, oa_push
from xinxiang.store.migrate import upgrade
from xinxiang.store.models import Base, EventRow, LetterRow, OutboxRow, TicketRow
from xinxiang.store.models_oa import OaOutboxRow, OaPetitionRow

OFFICE = Actor("office", "office@example.edu.cn", "cli")
SECRET = "simulator-secret"
T0 = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)  # Monday 09:00 in Beijing, a working day
FAST: dict[str, Any] = {"sleep": lambda _s: None, "timeout": 2.0, "max_attempts": 6}


@dataclass
class Env:
    """A deployment wired to a running simulator."""

    ctx: AppContext
    sim: OaSimulator
    settings: OaSettings

    @property
    def oa(self) -> SimulatorStore:
        assert self.sim.store is not None
        return self.sim.store

    def pull(self, now: datetime = T0, **kw: Any) -> Any:
        return oa_pull(self.ctx, now, settings=self.settings, client_options=FAST, **kw)

    def push(self, now: datetime = T0, **opts: Any) -> Any:
        return oa_push(self.ctx, now, settings=self.settings, client_options={**FAST, **opts})

    def scalar(self, stmt: Any) -> Any:
        with self.ctx.db.unit_of_work() as s:
            return s.execute(stmt).scalar_one()

    def rows(self, stmt: Any) -> list[Any]:
        with self.ctx.db.unit_of_work() as s:
            return list(s.execute(stmt).all())


@pytest.fixture
def env(
    tmp_config: Callable[..., Path],
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Env]:
    sim = OaSimulator(tmp_path / "oa-sim.db", secret=SECRET, faults=Faults(seed=7)).start()
    cfg_dir = tmp_config(database_url=db_url)
    oa_toml = cfg_dir / "oa.toml"
    oa_toml.write_text(
        oa_toml.read_text("utf-8").replace("http://127.0.0.1:8711", sim.url), "utf-8"
    )
    monkeypatch.setenv("XINXIANG_OA_SECRET", SECRET)
    cfg = load_config(cfg_dir)
    ctx = AppContext(cfg)
    upgrade(ctx.db)
    assert install_oa_hooks(cfg, ctx.db)
    try:
        yield Env(ctx, sim, load_oa_for(cfg))
    finally:
        uninstall_oa_hooks(ctx.db)
        sim.stop()
        ctx.close()


def oa_tickets(env: Env) -> int:
    return int(
        env.scalar(select(func.count()).select_from(TicketRow).where(TicketRow.source == "oa"))
    )


def recorded_updates(env: Env) -> list[tuple[str, str, dict[str, Any]]]:
    return [(key, pid, body) for _seq, key, pid, body in env.oa.updates()]


def test_migrations_match_the_models(env: Env) -> None:
    """After `upgrade`, the OA tables in the database are exactly what the models declare."""
    with env.ctx.db.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    ours = [d for d in diffs if "oa_" in repr(d)]
    assert ours == []


def test_each_petition_becomes_one_ticket_classified_and_dispatched_like_mail(env: Env) -> None:
    """300 petitions → 300 tickets (source oa, OA id kept), dispatch mail queued for the
    department; pulling again, incrementally or in full, creates nothing."""
    env.oa.seed(300)
    first = env.pull()
    assert first.completed, first.error
    assert (first.created, first.updated) == (300, 0)
    assert oa_tickets(env) == 300
    ids = env.rows(select(LetterRow.external_id).where(LetterRow.source == "oa"))
    assert sorted(i for (i,) in ids) == [f"XF{i:08d}" for i in range(1, 301)]
    dispatched = env.rows(
        select(TicketRow.id, TicketRow.department_code).where(
            TicketRow.source == "oa", TicketRow.status == "dispatched"
        )
    )
    assert len(dispatched) > 100  # most petitions are routed automatically
    mails = {
        t for (t,) in env.rows(select(OutboxRow.ticket_id).where(OutboxRow.kind == "dispatch"))
    }
    assert {t for t, _ in dispatched} <= mails
    classified = env.scalar(
        select(func.count())
        .select_from(TicketRow)
        .where(TicketRow.source == "oa", TicketRow.category.is_not(None))
    )
    assert classified == 300

    again = env.pull(T0 + timedelta(minutes=1))
    assert (again.created, again.updated, again.received) == (0, 0, 0)
    full = env.pull(T0 + timedelta(minutes=2), full=True)
    assert (full.created, full.updated, full.unchanged) == (0, 0, 300)
    assert oa_tickets(env) == 300
    assert oa_status(env.ctx.db)["petitions"] == 300


def test_every_state_change_is_in_the_oa_outbox_and_pushed_once_in_order(env: Env) -> None:
    """received, dispatched (or triage) for every petition, then a transfer made by hand: each
    lands in the OA outbox with its event and reaches the OA once per key, in event order."""
    env.oa.seed(40)
    assert env.pull().created == 40
    events = env.scalar(
        select(func.count())
        .select_from(EventRow)
        .join(TicketRow, TicketRow.id == EventRow.ticket_id)
        .where(
            TicketRow.source == "oa",
            EventRow.kind.in_(list(env.settings.events)),
        )
    )
    assert env.scalar(select(func.count()).select_from(OaOutboxRow)) == events >= 80

    later = T0 + timedelta(hours=1)
    with env.ctx.db.unit_of_work() as s:
        ticket = s.execute(
            select(TicketRow)
            .where(TicketRow.source == "oa", TicketRow.status == "dispatched")
            .order_by(TicketRow.id)
            .limit(1)
        ).scalar_one()
        target = "tsg" if ticket.department_code != "tsg" else "hqc"
        number = ticket.number
        handle(RouteTicket(OFFICE, number, target, "职责调整"), env.ctx, later, session=s)
    (row,) = env.rows(select(OaOutboxRow).where(OaOutboxRow.event_kind == "transferred"))
    transfer = row[0]
    assert transfer.idempotency_key == f"{number}:transferred:{later.isoformat()}"
    assert transfer.payload["status"] == "dispatched"
    assert transfer.payload["note"] == "职责调整"
    assert transfer.payload["department"]

    # A state change that rolls back leaves no trace in the OA outbox either.
    with pytest.raises(RuntimeError), env.ctx.db.unit_of_work() as s:
        handle(
            RouteTicket(OFFICE, number, "jwc", "职责调整"),
            env.ctx,
            later + timedelta(minutes=5),
            session=s,
        )
        s.flush()
        raise RuntimeError("rolled back")
    assert env.scalar(select(func.count()).select_from(OaOutboxRow)) == events + 1

    result = env.push(later)
    assert (result.sent, result.failed, result.parked) == (events + 1, 0, 0), result.errors
    assert env.push(later).sent == 0
    recorded = recorded_updates(env)
    keys = [k for k, _, _ in recorded]
    assert len(keys) == len(set(keys)) == events + 1
    outbox = env.rows(
        select(OaOutboxRow.petition_id, OaOutboxRow.idempotency_key).order_by(OaOutboxRow.id)
    )
    for pid in {p for p, _ in outbox}:
        ours = [k for p, k in outbox if p == pid]
        theirs = [k for k, p, _ in recorded if p == pid]
        assert theirs == ours
        assert theirs[0].split(":")[1] == "received"
    assert env.oa.petition(transfer.petition_id)["status"] == "dispatched"  # type: ignore[index]


def test_an_edit_in_the_oa_updates_the_letter_and_is_logged(env: Env) -> None:
    """The petitioner edits the petition in the OA: same ticket, new text, `letter_edited`."""
    env.oa.seed(20)
    assert env.pull().created == 20
    env.oa.edit("XF00000007", title="食堂价格问题（补充）", description="补充：晚餐也涨价了。")
    result = env.pull(T0 + timedelta(hours=1))
    assert (result.created, result.updated) == (0, 1)
    assert oa_tickets(env) == 20
    ((subject, body, ticket_id),) = env.rows(
        select(LetterRow.subject, LetterRow.body, LetterRow.ticket_id).where(
            LetterRow.external_id == "XF00000007"
        )
    )
    assert (subject, body) == ("食堂价格问题（补充）", "补充：晚餐也涨价了。")
    kinds = [k for (k,) in env.rows(select(EventRow.kind).where(EventRow.ticket_id == ticket_id))]
    assert kinds.count("letter_edited") == 1
    assert (
        env.scalar(select(OaPetitionRow.versions).where(OaPetitionRow.petition_id == "XF00000007"))
        == 2
    )
    # The edit is not a state change: nothing new for the OA.
    assert (
        env.scalar(
            select(func.count())
            .select_from(OaOutboxRow)
            .where(OaOutboxRow.event_kind == "letter_edited")
        )
        == 0
    )


def test_oa_down_mid_push_loses_nothing(env: Env) -> None:
    """The OA goes down during a push: the run stops, the update waits for its back-off, and
    after the OA is back every update is recorded exactly once."""
    env.oa.seed(30)
    env.pull()
    total = env.scalar(select(func.count()).select_from(OaOutboxRow))
    env.sim.set_faults(Faults(error_after_commit_rate=0.3, seed=4))
    first = env.push(T0, max_attempts=1)
    assert first.stopped or first.sent == total
    env.sim.stop()
    down = env.push(T0 + timedelta(seconds=1), max_attempts=1)
    if first.sent < total:
        assert down.stopped and down.sent == 0
    env.sim.start()
    env.sim.set_faults(Faults(seed=4))
    now = T0 + timedelta(seconds=2)
    for _ in range(50):
        if oa_status(env.ctx.db)["outbox_pending"] == 0:
            break
        now += timedelta(hours=2)  # past any back-off
        env.push(now)
    st = oa_status(env.ctx.db)
    assert (st["outbox_pending"], st["outbox_parked"], st["outbox_sent"]) == (0, 0, total)
    keys = [k for k, _, _ in recorded_updates(env)]
    assert len(keys) == len(set(keys)) == total


# 10,000 petitions (about two minutes) under bench/bench_long_scenarios.py; 500 in the suite.
N_LONG = scaled(10_000, 500)


@pytest.mark.slow
def test_many_petitions_with_faults_and_an_outage(env: Env, db_url: str) -> None:
    """N_LONG petitions under 5xx, duplicates and token expiry, with the OA down mid-sync (after
    2 of 10 pages): every petition exactly one ticket, every update recorded exactly once.
    (SQLite only; the full 10,000 run in bench/bench_long_scenarios.py.)"""
    if not db_url.startswith("sqlite"):
        pytest.skip("the long variant runs on SQLite only")
    env.oa.seed(N_LONG)
    env.sim.set_faults(Faults(error_rate=0.05, duplicate_rate=0.3, expire_every=9, seed=11))
    pages = 0

    def progress(done: int, total: int | None) -> None:
        nonlocal pages
        pages += 1
        if pages == 2:
            env.sim.stop()

    settings = env.settings.model_copy(
        update={"oa": env.settings.oa.model_copy(update={"page_size": N_LONG // 10})}
    )
    first = oa_pull(env.ctx, T0, settings=settings, client_options=FAST, progress=progress)
    assert not first.completed and first.error
    assert oa_status(env.ctx.db)["last_errors"][0]["source"] == "pull"
    env.sim.start()
    second = oa_pull(env.ctx, T0 + timedelta(minutes=5), settings=settings, client_options=FAST)
    assert second.completed, second.error
    assert first.created + second.created == N_LONG
    assert oa_tickets(env) == N_LONG
    total = env.scalar(select(func.count()).select_from(OaOutboxRow))
    env.sim.set_faults(Faults(error_rate=0.03, error_after_commit_rate=0.05, seed=5))
    now = T0 + timedelta(minutes=10)
    for _ in range(100):
        if oa_status(env.ctx.db)["outbox_pending"] == 0:
            break
        env.push(now)
        now += timedelta(hours=2)
    keys = [k for k, _, _ in recorded_updates(env)]
    assert len(keys) == len(set(keys)) == total
