"""Health and alerts: a wrong IMAP password (real Dovecot), a dead SMTP server and an OA outage
each raise exactly one alert and one recovery notice, by mail and by the notifiers; the clock
is injected (no sleeps)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from inbound_helpers import context
from notify_sims import Clock, Sim, SimServer, webhook_route
from servers import ImapAccount, SmtpSink
from xinxiang.config import load_config
from xinxiang.oa_bridge.client import OaUnavailable
from xinxiang.services.context import AppContext
from xinxiang.services.health import State, assess, check_health, observe
from xinxiang.store.models import OutboxRow
from xinxiang.store.models_health import NotificationRow
from xinxiang.store.models_shunt import ShuntRow
from xinxiang.tasks import Runtime

T0 = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
OFFICE_PHONE = "13800000000"


@pytest.fixture
def hook(tmp_path: Path) -> Iterator[tuple[Sim, SimServer]]:
    sim = Sim(Clock(T0), secret="hook-secret")
    server = SimServer(sim, webhook_route)
    try:
        yield sim, server
    finally:
        server.close()


def deploy(
    tmp_config: Callable[..., Path],
    hook: tuple[Sim, SimServer],
    monkeypatch: pytest.MonkeyPatch,
    **kwargs: object,
) -> Path:
    """A deployment whose office is reached by the webhook too."""
    cfg_dir = tmp_config(**kwargs)
    with (cfg_dir / "xinxiang.toml").open("a", encoding="utf-8") as fh:
        fh.write(
            '\n[notify]\nchannels = ["webhook"]\n[notify.webhook]\n'
            f'url = "{hook[1].url}/hook"\nsecret_env = "XINXIANG_TEST_HOOK"\n'
        )
    deps = cfg_dir / "departments.toml"
    deps.write_text(
        deps.read_text("utf-8").replace(
            "office = true", f'office = true\nwebhook_recipient = ["{OFFICE_PHONE}"]', 1
        ),
        "utf-8",
    )
    monkeypatch.setenv("XINXIANG_TEST_HOOK", "hook-secret")
    return cfg_dir


def notices(ctx: AppContext, component: str) -> list[str]:
    """The kinds of the office mails about `component`, in order."""
    with ctx.db.session() as s:
        rows = s.scalars(
            select(OutboxRow.kind)
            .where(OutboxRow.dedupe_key.like(f"health:{component}:%"))
            .order_by(OutboxRow.id)
        )
        return list(rows)


def notified(ctx: AppContext) -> list[tuple[str, str, str]]:
    with ctx.db.session() as s:
        rows = s.execute(
            select(NotificationRow.kind, NotificationRow.recipient, NotificationRow.text).order_by(
                NotificationRow.id
            )
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def run_checks(rt: Runtime, clock: Clock, minutes: int) -> None:
    """The health job once a minute for `minutes` (time injected)."""
    for _ in range(minutes):
        clock.advance(minutes=1)
        rt.health()


def test_wrong_imap_password_alerts_once_and_recovers_once(
    imap_account: ImapAccount,
    tmp_config: Callable[..., Path],
    hook: tuple[Sim, SimServer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cfg_dir = deploy(tmp_config, hook, monkeypatch, imap=imap_account)
    monkeypatch.setenv("XINXIANG_TEST_IMAP_PASSWORD_0", "wrong-password")
    ctx = context(cfg_dir)
    clock = Clock(T0)
    rt = Runtime(ctx, clock)
    for _ in range(45):  # a poll and a check each minute, 45 minutes long
        assert rt.poll("shuji") is None
        run_checks(rt, clock, 1)
    assert notices(ctx, "source:shuji") == ["health_alert"]
    assert [k for k, _r, _t in notified(ctx)] == ["health_alert"]
    sim = hook[0]
    assert len(sim.sent) == 1 and sim.sent[0]["recipient"] == OFFICE_PHONE
    assert "邮箱 shuji" in sim.sent[0]["text"]
    # The password is fixed: one recovery notice, then quiet.
    monkeypatch.setenv("XINXIANG_TEST_IMAP_PASSWORD_0", imap_account.password)
    rt2 = Runtime(AppContext(load_config(cfg_dir)), clock)
    assert rt2.poll("shuji") is not None
    run_checks(rt2, clock, 5)
    assert notices(ctx, "source:shuji") == ["health_alert", "health_recovered"]
    assert [k for k, _r, _t in notified(ctx)] == ["health_alert", "health_recovered"]
    assert len(sim.sent) == 2


def test_dead_smtp_server_alerts_once_and_recovers_once(
    smtp_sink: SmtpSink,
    tmp_config: Callable[..., Path],
    hook: tuple[Sim, SimServer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cfg_dir = deploy(
        tmp_config,
        hook,
        monkeypatch,
        smtp=smtp_sink,
        overrides={"smtp": {"retry_base_seconds": 30, "retry_max_seconds": 60}},
    )
    ctx = context(cfg_dir)
    clock = Clock(T0)
    rt = Runtime(ctx, clock)
    from xinxiang.outgoing.office import post_office as queue_office_mail

    with ctx.db.unit_of_work() as s:
        queue_office_mail(ctx, s, key="probe", kind="probe", subject="测试", text="x", now=T0)
    smtp_sink.stop()
    for _ in range(40):
        rt.send_outbox()
        run_checks(rt, clock, 1)
    assert notices(ctx, "smtp") == ["health_alert"]
    assert notices(ctx, "outbox") == []  # the same incident is not told twice
    assert [k for k, _r, _t in notified(ctx)] == ["health_alert"]
    smtp_sink.start()
    for _ in range(3):
        clock.advance(minutes=2)
        rt.send_outbox()
        run_checks(rt, clock, 1)
    assert notices(ctx, "smtp") == ["health_alert", "health_recovered"]
    assert [k for k, _r, _t in notified(ctx)] == ["health_alert", "health_recovered"]
    with ctx.db.session() as s:  # the alert waited for the server, then went with the rest
        states = s.scalars(select(OutboxRow.state).where(OutboxRow.dedupe_key.like("health:%")))
        assert set(states) == {"sent"}


def test_oa_outage_alerts_once_and_recovers_once(
    tmp_config: Callable[..., Path],
    hook: tuple[Sim, SimServer],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from xinxiang.oa_bridge.sim_faults import Faults
    from xinxiang.oa_bridge.simulator import OaSimulator

    cfg_dir = deploy(tmp_config, hook, monkeypatch)
    oa_toml = cfg_dir / "oa.toml"
    text = oa_toml.read_text("utf-8").replace("max_attempts = 8", "max_attempts = 1")
    oa_toml.write_text(text.replace("http://127.0.0.1:8711", "http://127.0.0.1:9"), "utf-8")
    monkeypatch.setenv("XINXIANG_OA_SECRET", "simulator-secret")
    ctx = context(cfg_dir)
    clock = Clock(T0)
    rt = Runtime(ctx, clock)
    sim = OaSimulator(tmp_path / "oa.db", secret="simulator-secret", faults=Faults()).start()
    try:
        for _ in range(20):
            with contextlib.suppress(OaUnavailable):  # the job logs it; health records it
                rt.oa_pull()
            run_checks(rt, clock, 1)
        assert notices(ctx, "oa") == ["health_alert"]
        oa_toml.write_text(text.replace("http://127.0.0.1:8711", sim.url), "utf-8")
        rt.oa_pull()
        run_checks(rt, clock, 3)
        assert notices(ctx, "oa") == ["health_alert", "health_recovered"]
        assert [k for k, _r, _t in notified(ctx)] == ["health_alert", "health_recovered"]
    finally:
        sim.stop()


def test_a_check_run_twice_alerts_once(tmp_config: Callable[..., Path]) -> None:
    ctx = context(tmp_config())
    observe(ctx.db, "source:shuji", False, T0, "login failed")
    later = T0 + timedelta(hours=1)
    assert ("source:shuji", "alert") in check_health(ctx, later)
    assert check_health(ctx, later) == []
    assert check_health(ctx, later + timedelta(minutes=5)) == []
    assert notices(ctx, "source:shuji") == ["health_alert"]


LIMIT = timedelta(minutes=30)


@pytest.mark.parametrize(
    ("ok", "failing_for", "alerted", "expected"),
    [
        (True, None, False, None),  # fine, nothing to say
        (True, None, True, "recover"),  # was alerted, works again
        (False, timedelta(minutes=10), False, None),  # failing, not long enough yet
        (False, timedelta(minutes=30), False, "alert"),  # long enough: alert
        (False, timedelta(hours=5), True, None),  # already alerted for this incident
    ],
)
def test_assess(
    ok: bool, failing_for: timedelta | None, alerted: bool, expected: str | None
) -> None:
    now = T0 + timedelta(days=1)
    since = now - failing_for if failing_for is not None else None
    state = State("smtp", ok, now, None, since, "", (since or T0) if alerted else None)
    assert assess(state, LIMIT, now) == expected
    assert assess(state, None, now) == (expected if expected == "recover" else None)


def test_a_shunted_item_is_an_incident_until_the_shunt_is_empty(
    tmp_config: Callable[..., Path],
) -> None:
    from xinxiang.services.shunt import Item, discard_shunt, shunt

    ctx = context(tmp_config())
    shunt_id = shunt(ctx, "routing", "ticket", Item("1", "2026-000001"), ValueError("x"), T0)
    shunt(ctx, "routing", "ticket", Item("2", "2026-000002"), ValueError("y"), T0)
    assert check_health(ctx, T0) == [("shunt", "alert")]
    assert check_health(ctx, T0 + timedelta(minutes=1)) == []
    discard_shunt(ctx, shunt_id, "cli", T0)
    assert check_health(ctx, T0 + timedelta(minutes=2)) == []  # one still set aside
    with ctx.db.session() as s:
        other = s.scalar(select(ShuntRow.id).where(ShuntRow.id != shunt_id))
    assert other is not None
    discard_shunt(ctx, other, "cli", T0)
    assert check_health(ctx, T0 + timedelta(minutes=3)) == [("shunt", "recover")]
    assert notices(ctx, "shunt") == ["health_alert", "health_recovered"]
