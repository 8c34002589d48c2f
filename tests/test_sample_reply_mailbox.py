"""The sample deployment's own [[source]] tables receive a department's answer: the reply
mailbox (smtp.from_address, plus-addressed) is read, so answers do not sit unread."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from inbound_helpers import context, letter
from replies_helpers import HQC, qq_reply
from servers import DovecotServer, SmtpSink
from xinxiang.replies.transport import transport_for
from xinxiang.services.context import AppContext
from xinxiang.services.outbox import send_due
from xinxiang.services.poll import poll_source
from xinxiang.services.replies import process_pending_replies
from xinxiang.store.models import TicketRow

SAMPLE = Path(__file__).resolve().parents[1] / "config" / "xinxiang.toml"


def run(ctx: AppContext) -> list[Any]:
    """One worker pass: every configured mailbox, the replies, the outbox."""
    now = datetime.now(UTC)
    for src in ctx.cfg.settings.sources:
        poll_source(ctx, src.name, lambda: now)
    outcomes = process_pending_replies(ctx, now)
    send_due(ctx, transport_for(ctx.cfg), now + timedelta(seconds=1))
    return outcomes


def test_the_sample_sources_receive_a_departments_answer(
    dovecot: DovecotServer,
    smtp_sink: SmtpSink,
    tmp_config: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sample = tomllib.loads(SAMPLE.read_text(encoding="utf-8"))
    from_address = sample["smtp"]["from_address"]
    readers = [s["name"] for s in sample["source"] if s.get("username") == from_address]
    assert readers == ["replies"], "the sample must read the smtp.from_address mailbox"

    # The sample's own source tables, pointed at the test server (one account per mailbox).
    accounts = {}
    sources = []
    for i, src in enumerate(sample["source"]):
        account = dovecot.new_account(src["name"])
        env = f"XINXIANG_TEST_SAMPLE_PASSWORD_{i}"
        monkeypatch.setenv(env, account.password)
        accounts[src["name"]] = account
        server = {"host": account.host, "port": account.port, "username": account.user}
        plain = {"security": "plain", "allow_plaintext": True, "password_env": env}
        sources.append({**src, **server, **plain})
    ctx = context(tmp_config(smtp=smtp_sink, overrides={"source": sources}))

    petitioner = "zhangsan@stu.example.edu.cn"
    dovecot.deliver(
        letter(
            subject="【公开】宿舍热水问题",
            body="老师您好，12号楼宿舍热水已经三天没有了，请尽快处理。我同意公开。",
            sender=petitioner,
        ),
        accounts["shuji"].user,
        sender=petitioner,
    )
    run(ctx)
    dispatch = [m.parsed() for m in smtp_sink.messages(HQC) if "【转办】" in m.parsed()["Subject"]]
    assert dispatch, "no dispatch mail to the department"
    reply_to = dispatch[-1]["Reply-To"]
    assert reply_to.startswith("xinxiang+") and reply_to.endswith("@example.edu.cn")

    # The mail server strips +TOKEN and delivers to the from_address mailbox (plus-addressing).
    answer = "正式回复：经核查，12号楼热水系统循环泵故障，已于今日更换，热水已恢复正常供应。"
    raw = qq_reply(HQC, reply_to, dispatch[-1]["Subject"], answer, dispatch[-1])
    dovecot.deliver(raw, accounts["replies"].user, sender=HQC)
    outcomes = run(ctx)
    assert [o.action for o in outcomes] == ["formal"]
    with ctx.db.unit_of_work() as s:
        assert s.execute(select(TicketRow.status)).scalar_one() == "pending_approval"
