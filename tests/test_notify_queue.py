"""The notification queue: emergencies, 督办 and overdue notices queued in the deciding
transaction (idempotent by key), sent later with retry and back-off; no personal data leaves."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from inbound_helpers import context, letter
from notify_sims import Clock, Sim, SimServer, wecom_route
from sweep_helpers import local, new_ticket
from xinxiang.notify.message import Notice
from xinxiang.notify.queue import build_notifiers, enqueue_notice, send_due_notifications
from xinxiang.services.context import AppContext
from xinxiang.services.ingest import MessageOrigin, ingest_raw
from xinxiang.services.sweep import sweep
from xinxiang.store.models_health import NotificationRow

NIGHT = datetime(2026, 12, 1, 21, 10, tzinfo=UTC)  # 05:10 in Beijing


@pytest.fixture
def wecom() -> Iterator[tuple[Sim, SimServer]]:
    sim = Sim(Clock(NIGHT))
    server = SimServer(sim, wecom_route)
    try:
        yield sim, server
    finally:
        server.close()


@pytest.fixture
def deployment(
    tmp_config: Callable[..., Path],
    wecom: tuple[Sim, SimServer],
    monkeypatch: pytest.MonkeyPatch,
) -> AppContext:
    """Office and 保卫处 (bwc) on 企业微信; the school's 24-hour numbers configured."""
    cfg_dir = tmp_config(
        overrides={
            "school": {
                "public_url": "https://xinxiang.example.edu.cn",
                "emergency_phone": "010-12345678",
                "security_phone": "010-87654321",
            }
        }
    )
    with (cfg_dir / "xinxiang.toml").open("a", encoding="utf-8") as fh:
        fh.write(
            '\n[notify]\nchannels = ["wecom"]\n[notify.wecom]\ncorp_id = "ww-corp"\n'
            f'agent_id = 1000002\nsecret_env = "XINXIANG_TEST_WECOM"\nbase_url = "{wecom[1].url}"\n'
        )
    deps = cfg_dir / "departments.toml"
    text = deps.read_text("utf-8").replace(
        "office = true", 'office = true\nwecom_userid = ["DZB01"]'
    )
    text = text.replace('code = "bwc"', 'code = "bwc"\nwecom_userid = ["BWC01", "BWC02"]')
    text = text.replace(
        'code = "hqc"', 'code = "hqc"\nwecom_userid = ["HQC01"]\nleader_wecom_userid = ["LDR01"]'
    )
    deps.write_text(text, "utf-8")
    monkeypatch.setenv("XINXIANG_TEST_WECOM", "s3cret")
    return context(cfg_dir)


def rows(ctx: AppContext) -> list[NotificationRow]:
    with ctx.db.session() as s:
        return list(s.scalars(select(NotificationRow).order_by(NotificationRow.id)))


def test_an_emergency_reaches_office_and_department_on_wecom_with_the_24_hour_number(
    deployment: AppContext, wecom: tuple[Sim, SimServer]
) -> None:
    ctx = deployment
    ingest_raw(
        ctx,
        letter("紧急！宿舍楼道着火了", "东区7号楼三楼楼道着火，浓烟很大，请马上处理！"),
        MessageOrigin("m", "书记信箱", "t"),
        NIGHT,
    )
    queued = rows(ctx)
    assert {r.recipient for r in queued} == {"DZB01", "BWC01", "BWC02"}
    assert {r.kind for r in queued} == {"emergency"}
    with httpx.Client() as client:
        notifiers = build_notifiers(ctx.cfg, client, wecom[0].clock)
        result = send_due_notifications(ctx.cfg, ctx.db, notifiers, NIGHT)
        again = send_due_notifications(ctx.cfg, ctx.db, notifiers, NIGHT + timedelta(hours=1))
    assert (result.sent, again.sent) == (3, 0)
    texts = [m["text"]["content"] for m in wecom[0].sent]
    assert all("010-12345678" in t and "https://xinxiang.example.edu.cn" in t for t in texts)
    assert all("紧急来信" in t for t in texts)


def test_overdue_goes_to_department_and_office_and_escalation_to_the_leader_once(
    deployment: AppContext,
) -> None:
    ctx = deployment
    number = new_ticket(ctx, local(2026, 12, 1, 9, 30))  # track 1, due 12-02 00:00
    sweep(ctx, local(2026, 12, 2, 0, 5))
    sweep(ctx, local(2026, 12, 3, 0, 1))
    sweep(ctx, local(2026, 12, 3, 0, 1))  # again: nothing twice
    got = sorted((r.kind, r.recipient) for r in rows(ctx))
    assert got == [("escalation", "LDR01"), ("overdue", "DZB01"), ("overdue", "HQC01")]
    assert all(f"工单 {number}" in r.text and "期限：2026-12-01 24:00" in r.text for r in rows(ctx))


def test_queueing_twice_is_idempotent(deployment: AppContext) -> None:
    ctx = deployment
    notice = Notice(kind="overdue", subject="工单 X1")
    for _ in range(2):
        with ctx.db.unit_of_work() as s:
            enqueue_notice(s, ctx.cfg, key="k1", notice=notice, to=[ctx.cfg.office], now=NIGHT)
    assert len(rows(ctx)) == 1


def test_rate_limit_and_outage_are_retried_with_back_off_and_a_final_error_stops(
    deployment: AppContext, wecom: tuple[Sim, SimServer]
) -> None:
    ctx = deployment
    sim = wecom[0]
    with ctx.db.unit_of_work() as s:
        for i in range(3):
            enqueue_notice(
                s,
                ctx.cfg,
                key=f"n{i}",
                notice=Notice(kind="escalation", subject=f"工单 X{i}"),
                to=[ctx.cfg.office],
                now=NIGHT,
            )
    sim.force_errcode = [45033, 81013]  # rate limited, then an unknown user (final)
    with httpx.Client() as client:
        notifiers = build_notifiers(ctx.cfg, client, sim.clock)
        first = send_due_notifications(ctx.cfg, ctx.db, notifiers, NIGHT)
        assert (first.sent, first.retried, first.failed) == (1, 1, 1)
        retry_at = next(r.next_attempt_at for r in rows(ctx) if r.state == "pending")
        assert retry_at >= NIGHT + timedelta(seconds=60)  # the platform's minute, at least
        early = send_due_notifications(ctx.cfg, ctx.db, notifiers, NIGHT + timedelta(seconds=30))
        assert early.sent == 0
        later = send_due_notifications(ctx.cfg, ctx.db, notifiers, retry_at)
        assert later.sent == 1
    states = sorted(r.state for r in rows(ctx))
    assert states == ["failed", "sent", "sent"]
    assert "errcode 81013" in next(r.last_error for r in rows(ctx) if r.state == "failed")


def test_deciding_never_waits_for_the_platform(
    deployment: AppContext, wecom: tuple[Sim, SimServer]
) -> None:
    """With 企业微信 down the emergency is still recorded and dispatched; the rows wait."""
    wecom[1].close()
    ctx = deployment
    outcome = ingest_raw(
        ctx,
        letter("紧急！实验室着火了", "化学楼二楼实验室着火，有人受伤！"),
        MessageOrigin("m", "书记信箱", "t"),
        NIGHT,
    )
    assert outcome.ticket_number
    assert {r.state for r in rows(ctx)} == {"pending"}


names = st.text(alphabet="赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张", min_size=2, max_size=3)
words = st.text(alphabet="楼道宿舍食堂图书馆同学老师希望请问关于我们事情已经东南西北", min_size=4)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=names, box=st.from_regex(r"[a-z]{4,8}", fullmatch=True), extra=words)
def test_no_name_address_or_letter_text_leaves_through_a_notifier(
    deployment: AppContext, name: str, box: str, extra: str
) -> None:
    ctx = deployment
    body = f"{extra}。宿舍楼着火了，浓烟很大，{name}被困在三楼！住址：东区{len(extra)}号楼"
    ingest_raw(
        ctx,
        letter(f"紧急：{extra}", body, sender=f"{box}@stu.example.edu.cn", name=name),
        MessageOrigin("m", "书记信箱", "t"),
        NIGHT,
    )
    for row in rows(ctx):
        assert name not in row.text
        assert box not in row.text
        assert extra not in row.text
        assert "东区" not in row.text and "被困" not in row.text


def test_receipt_and_emergency_alert_name_the_24_hour_numbers(deployment: AppContext) -> None:
    from email import message_from_bytes
    from email.policy import default

    from xinxiang.replies.transport import transport_for
    from xinxiang.services.outbox import send_due
    from xinxiang.store.models import OutboxRow

    ctx = deployment
    ingest_raw(
        ctx,
        letter("紧急！宿舍楼道着火了", "东区7号楼三楼楼道着火，浓烟很大，请马上处理！"),
        MessageOrigin("m", "书记信箱", "t"),
        NIGHT,
    )
    send_due(ctx, transport_for(ctx.cfg), NIGHT)
    with ctx.db.session() as s:
        raws = {r.kind: r.raw for r in s.scalars(select(OutboxRow)) if r.raw is not None}

    def text(kind: str) -> str:
        body = message_from_bytes(raws[kind], policy=default).get_body(("plain",))
        assert body is not None
        return str(body.get_content())

    assert "校园报警电话（010-87654321，24小时）" in text("ack")
    assert "学校24小时值班电话（010-12345678）" in text("ack")
    assert "学校24小时值班电话：010-12345678；校园报警电话：010-87654321" in text("emergency_alert")


def test_the_migration_creates_the_tables_the_models_declare(deployment: AppContext) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from xinxiang.store.models import Base

    with deployment.db.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    ours = [d for d in diffs if "notifications" in repr(d) or "component_health" in repr(d)]
    assert ours == []
