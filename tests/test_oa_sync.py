"""The OA bridge against the reference simulator: pull and push over real HTTP and real SQLite.

Every test runs a simulator on loopback with its own database file; back-off sleeps are
injected as no-ops, so fault injection costs no wall-clock time.
"""

from __future__ import annotations

import hashlib
import threading
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from scale import scaled
from xinxiang.oa_bridge.adapters import GenericRestAdapter, OaAdapter, make_adapter
from xinxiang.oa_bridge.client import OaClient
from xinxiang.oa_bridge.config import OaSettings
from xinxiang.oa_bridge.localstore import LocalOaStore
from xinxiang.oa_bridge.mapping import petition_from_json
from xinxiang.oa_bridge.sim_faults import Faults
from xinxiang.oa_bridge.sim_store import SimulatorStore
from xinxiang.oa_bridge.simulator import OaSimulator
from xinxiang.oa_bridge.sync import pull, push_pending

REPO = Path(__file__).resolve().parents[1]
SECRET = "simulator-secret"
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def settings_for(url: str, **oa: Any) -> OaSettings:
    """The sample `config/oa.toml`, pointed at the simulator."""
    with (REPO / "config" / "oa.toml").open("rb") as fh:
        raw = tomllib.load(fh)
    raw["oa"].update(base_url=url, **oa)
    return OaSettings.model_validate(raw)


def adapter_for(sim: OaSimulator, *, max_attempts: int = 12, **oa: Any) -> OaAdapter:
    """A generic-rest adapter with zero back-off and a short request timeout."""
    return make_adapter(
        settings_for(sim.url, **oa),
        SECRET,
        sleep=lambda _s: None,
        max_attempts=max_attempts,
        timeout=2.0,
    )


def sim_store(sim: OaSimulator) -> SimulatorStore:
    """The running simulator's database."""
    assert sim.store is not None
    return sim.store


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[OaSimulator]:
    """A simulator with no faults (tests switch them on)."""
    s = OaSimulator(tmp_path / "oa.db", faults=Faults(seed=7)).start()
    yield s
    s.stop()


@pytest.fixture
def local(tmp_path: Path) -> Iterator[LocalOaStore]:
    """The bridge's own SQLite store."""
    st = LocalOaStore(tmp_path / "bridge.db")
    yield st
    st.close()


def assert_mirrors(sim: OaSimulator, local: LocalOaStore) -> None:
    """Every OA petition is stored exactly once, at its latest version."""
    store = sim_store(sim)
    n = store.count()
    items, _total, _prev = store.page(0, None, 1, n + 1)
    assert local.petition_ids() == sorted(i["petition_id"] for i in items)
    settings = settings_for(sim.url)
    for item in items[:: max(1, n // 200)]:
        ours = local.petition(item["petition_id"])
        assert ours is not None
        theirs = petition_from_json(item, settings)
        assert (ours.updated_at, ours.description, ours.title) == (
            theirs.updated_at,
            theirs.description,
            theirs.title,
        )


def test_10k_petitions_with_faults_restart_and_edits(sim: OaSimulator, local: LocalOaStore) -> None:
    """10,000 petitions under 5xx, drops, duplicates and token expiry, with the OA going down
    mid-sync and petitions edited while paging: each petition ends up exactly once, latest."""
    sim_store(sim).seed(10_000)
    sim.set_faults(
        Faults(error_rate=0.05, drop_rate=0.02, duplicate_rate=0.3, expire_every=9, seed=11)
    )
    adapter = adapter_for(sim, max_attempts=4)
    edited: list[str] = []
    pages = 0

    def progress(done: int, total: int | None) -> None:
        nonlocal pages
        pages += 1
        if pages == 6:
            # Edit one petition already pulled and one not yet reached: the page boundaries shift.
            for pid in ("XF00000010", "XF00009000"):
                sim_store(sim).edit(pid, description=f"修改后的内容 {pid}")
                edited.append(pid)
        if pages == 10:
            sim.stop()  # the OA goes down; retries run out and the pull stops cleanly

    first = pull(adapter, local, local, full=False, progress=progress, page_size=500)
    assert not first.completed and first.error
    # Ten pages were stored when the OA stopped, and up to three more were already fetched
    # (the feed runs up to two pages ahead of the store, plus one in flight).
    assert 4000 < first.created <= 6500
    assert local.get_cursor() == first.cursor
    assert len(local.petition_ids()) == first.created

    sim.start()  # same port, same database file
    second = pull(adapter, local, local, full=False, page_size=500)
    adapter.close()
    assert second.completed, second.error
    assert first.created + second.created == 10_000
    assert second.updated == 1  # XF00000010 came round again with its new content
    assert edited == ["XF00000010", "XF00009000"]
    for pid in edited:
        stored = local.petition(pid)
        assert stored is not None and stored.description == f"修改后的内容 {pid}"
    assert [a for a, _ in local.log_for("XF00000010")] == ["updated"]
    assert local.log_for("XF00009000") == []
    assert_mirrors(sim, local)


def test_oa_down_for_a_while_inside_one_pull(sim: OaSimulator, local: LocalOaStore) -> None:
    """While the client backs off, the OA restarts; the same pull finishes without losing pages."""
    # Eight pages: when the OA stops after the second, the feed (at most three pages ahead of
    # the store) still has pages to ask for.
    sim_store(sim).seed(4000)
    sleeps: list[float] = []
    stopped = threading.Event()
    restarted = threading.Lock()
    state = {"up": True}

    def sleep(seconds: float) -> None:
        # Back-off sleeps may come from the page prefetch thread while the main thread is
        # still stopping the server: restart only once the stop has completed.
        sleeps.append(seconds)
        if len(sleeps) >= 3 and stopped.wait(10):
            with restarted:
                if not state["up"]:
                    sim.start()
                    state["up"] = True

    adapter = make_adapter(settings_for(sim.url), SECRET, sleep=sleep, timeout=2.0)

    def progress(done: int, total: int | None) -> None:
        if done == 1000 and state["up"] and not stopped.is_set():
            with restarted:
                sim.stop()
                state["up"] = False
            stopped.set()

    result = pull(adapter, local, local, full=False, progress=progress, page_size=500)
    adapter.close()
    assert result.completed, result.error
    assert result.created == 4000
    assert len(sleeps) >= 3
    assert_mirrors(sim, local)


@pytest.mark.parametrize("paging", ["keyset", "requery"])
@pytest.mark.parametrize("page_size", [7, 50])
def test_pages_that_shift_are_neither_skipped_nor_duplicated(
    sim: OaSimulator, local: LocalOaStore, paging: str, page_size: int
) -> None:
    """Both paging modes, pages smaller than the simulator's tie groups, edits during paging."""
    sim_store(sim).seed(400)
    sim.set_faults(Faults(duplicate_rate=0.5, seed=3))
    adapter = adapter_for(sim, paging=paging)
    pages = 0

    def progress(done: int, total: int | None) -> None:
        nonlocal pages
        pages += 1
        if pages % 5 == 0:
            sim_store(sim).edit(f"XF{pages:08d}")  # behind the cursor
            sim_store(sim).edit(f"XF{399 - pages:08d}")  # ahead of it

    result = pull(adapter, local, local, full=False, progress=progress, page_size=page_size)
    assert result.completed, result.error
    assert result.created == 400
    # An edit made after the feed's end was read (the feed runs ahead of the store) moved its
    # petition behind what this pull asked for: the next pull takes it, and nothing else.
    after = pull(adapter, local, local, full=False, page_size=page_size)
    adapter.close()
    assert after.completed, after.error
    assert after.created == 0 and after.updated <= 2 * (result.pages // 5)
    assert_mirrors(sim, local)


def test_incremental_pull_after_edit_updates_the_record(
    sim: OaSimulator, local: LocalOaStore
) -> None:
    """A petition edited in the OA updates the stored letter on the next incremental pull."""
    sim_store(sim).seed(50)
    adapter = adapter_for(sim)
    assert pull(adapter, local, local, full=False).created == 50
    sim_store(sim).edit("XF00000020", title="关于路灯问题的补充反映")
    again = pull(adapter, local, local, full=False)
    assert (again.created, again.updated, again.unchanged) == (0, 1, 0)
    stored = local.petition("XF00000020")
    assert stored is not None and stored.title == "关于路灯问题的补充反映"
    full = pull(adapter, local, local, full=True)
    adapter.close()
    assert (full.created, full.updated, full.unchanged) == (0, 0, 50)


def test_expired_token_is_refreshed(sim: OaSimulator, local: LocalOaStore) -> None:
    """A revoked token gets one 401, a new token, and the same request again."""
    sim_store(sim).seed(30)
    settings = settings_for(sim.url)
    client = OaClient(sim.url, "xinxiang", SECRET, sleep=lambda _s: None)
    adapter = GenericRestAdapter(client, settings)
    assert pull(adapter, local, local, full=False, page_size=10).created == 30
    assert client.token_refreshes == 1
    sim_store(sim).expire_tokens()
    sim_store(sim).edit("XF00000001")
    assert pull(adapter, local, local, full=False, page_size=10).updated == 1
    assert client.token_refreshes == 2
    adapter.close()


def test_wrong_secret_is_a_clear_error(sim: OaSimulator, local: LocalOaStore) -> None:
    """Bad credentials are a 4xx: no retries, a one-line reason, the cursor untouched."""
    sim_store(sim).seed(5)
    adapter = make_adapter(settings_for(sim.url), "wrong", sleep=lambda _s: None)
    result = pull(adapter, local, local, full=False)
    adapter.close()
    assert not result.completed
    assert result.error is not None and "invalid_client" in result.error
    assert local.get_cursor() is None


# 10,000 petitions under bench/bench_long_scenarios.py, 1,500 in the suite.
N_PUSH = scaled(10_000, 1_500)


@pytest.mark.slow
def test_every_push_acknowledged_exactly_once_in_order(
    sim: OaSimulator, local: LocalOaStore
) -> None:
    """N_PUSH + N_PUSH/10 updates under 5xx (before and after the OA recorded them) and dropped
    connections, with the OA restarted between runs: each key recorded once, each petition's
    updates in order. (11,000 updates in bench/bench_long_scenarios.py, 1,650 here.)"""
    n, second = N_PUSH, N_PUSH // 10
    store = sim_store(sim)
    store.seed(n)
    for i in range(1, n + 1):
        local.enqueue(f"XF{i:08d}", {"status": "accepted", "occurred_at": T0.isoformat()}, now=T0)
    for i in range(1, second + 1):
        body = {"status": "dispatched", "department": "后勤处", "occurred_at": T0.isoformat()}
        local.enqueue(f"XF{i:08d}", body, now=T0)
    sim.set_faults(
        Faults(
            error_rate=0.03,
            error_after_commit_rate=0.05,
            drop_rate=0.01,
            expire_every=n // 20,
            seed=5,
        )
    )
    adapter = adapter_for(sim, max_attempts=3)
    now = T0
    runs = 0
    while local.pending():
        runs += 1
        result = push_pending(adapter, local, now, backoff=lambda n: timedelta(seconds=1))
        assert result.parked == 0, result.errors
        if runs == 2:
            sim.restart()
        now += timedelta(seconds=2)
        assert runs < 500
    adapter.close()
    recorded = sim_store(sim).updates()
    keys = [k for _seq, k, _pid, _body in recorded]
    assert len(keys) == len(set(keys)) == n + second
    assert set(keys) == set(local.sent_keys())
    by_petition: dict[str, list[str]] = {}
    for _seq, _key, pid, body in recorded:
        by_petition.setdefault(pid, []).append(body["status"])
    for i in range(1, second + 1):
        assert by_petition[f"XF{i:08d}"] == ["accepted", "dispatched"]
    assert local.status()["outbox_sent"] == n + second


def test_refused_update_is_parked_and_blocks_its_petition_only(
    sim: OaSimulator, local: LocalOaStore
) -> None:
    """A 4xx parks the update; later updates of that petition wait, other petitions go on."""
    sim_store(sim).seed(3)
    bad = local.enqueue("XF00000001", {"status": "no-such-status"}, now=T0)
    local.enqueue("XF00000001", {"status": "closed"}, now=T0)
    local.enqueue("XF99999999", {"status": "accepted"}, now=T0)
    local.enqueue("XF00000002", {"status": "accepted"}, now=T0)
    adapter = adapter_for(sim)
    result = push_pending(adapter, local, T0)
    assert (result.sent, result.parked, result.blocked) == (1, 2, 1)
    assert any("invalid_status" in e for e in result.errors)
    assert any("not_found" in e for e in result.errors)
    again = push_pending(adapter, local, T0)
    assert (again.sent, again.parked, again.blocked) == (0, 0, 3)
    status = local.status()
    assert (status["outbox_parked"], status["outbox_pending"], status["outbox_sent"]) == (2, 1, 1)
    assert status["last_errors"]
    # Once the office fixes the cause, the parked update and the one behind it go out in order.
    local.unpark(bad)
    local._db.execute("UPDATE outbox SET payload = ? WHERE id = ?", ('{"status": "accepted"}', bad))
    fixed = push_pending(adapter, local, T0)
    adapter.close()
    assert (fixed.sent, fixed.parked) == (2, 0)
    statuses = [b["status"] for _s, _k, pid, b in sim_store(sim).updates() if pid == "XF00000001"]
    assert statuses == ["accepted", "closed"]


def test_oa_down_stops_the_push_run_and_backs_off(sim: OaSimulator, local: LocalOaStore) -> None:
    """With the OA unreachable the run stops at the first update, which waits for its back-off."""
    sim_store(sim).seed(2)
    local.enqueue("XF00000001", {"status": "accepted"}, now=T0)
    local.enqueue("XF00000002", {"status": "accepted"}, now=T0)
    adapter = adapter_for(sim, max_attempts=2)
    sim.stop()
    down = push_pending(adapter, local, T0, backoff=lambda n: timedelta(minutes=5 * (n + 1)))
    assert (down.sent, down.failed, down.stopped) == (0, 1, True)
    sim.start()
    early = push_pending(adapter, local, T0 + timedelta(minutes=1))
    assert (early.sent, early.blocked) == (1, 1)
    later = push_pending(adapter, local, T0 + timedelta(minutes=6))
    adapter.close()
    assert later.sent == 1
    assert not local.pending()


def test_attachments_are_fetched_and_verified(sim: OaSimulator, local: LocalOaStore) -> None:
    """Attachment bytes come from the OA with the bearer token and match their sha256."""
    sim_store(sim).seed(200)
    adapter = adapter_for(sim)
    pull(adapter, local, local, full=False)
    with_atts = [p for pid in local.petition_ids() if (p := local.petition(pid)) and p.attachments]
    assert with_atts
    att = with_atts[0].attachments[0]
    data = adapter.fetch_attachment(att)
    adapter.close()
    assert hashlib.sha256(data).hexdigest() == att.sha256
