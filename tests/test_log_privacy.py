"""Logs: one key=value line per business event, with ticket numbers and ids only — a small
flow's log carries no sender address, no name and no subject text."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest

from inbound_helpers import context, letter
from replies_helpers import HQC, qq_reply
from xinxiang.handlers import Actor, ApproveReply, handle
from xinxiang.logs import QUIET_LOGGERS, event_line, setup_logging
from xinxiang.replies.transport import transport_for
from xinxiang.services.outbox import send_due
from xinxiang.services.poll import PollResult, poll_source
from xinxiang.services.replies import process_pending_replies

PETITIONER = "lisi.private@stu.example.edu.cn"
NAME = "李四"
SUBJECT = "【公开】十二号楼宿舍热水问题"
PHONE = "13812345678"


@pytest.mark.parametrize(
    ("fields", "line"),
    [
        ({}, "event=approved"),
        ({"ticket": "2026-000123", "reply": 7}, "event=approved ticket=2026-000123 reply=7"),
        ({"ticket": None, "kind": "receipt"}, "event=approved kind=receipt"),
        ({"permanent": False}, "event=approved permanent=False"),
        ({"note": 'two words "x"'}, "event=approved note=\"two words 'x'\""),
    ],
)
def test_event_lines_are_key_value(fields: dict[str, Any], line: str) -> None:
    assert event_line("approved", **fields) == line


def test_statuses_are_not_dataclass_reprs() -> None:
    text = str(PollResult("shuji", created=2, quarantined=1))
    assert text == "source=shuji created=2 recorded=0 duplicates=0 quarantined=1"


def test_third_party_chatter_is_kept_at_warning() -> None:
    setup_logging()
    for name in ("weasyprint", "fontTools", "httpx", "huey"):
        assert name in QUIET_LOGGERS
        assert not logging.getLogger(name).isEnabledFor(logging.INFO)
        assert logging.getLogger(f"{name}.sub").getEffectiveLevel() == logging.WARNING


def deliver(maildir: Path, raw: bytes, name: str) -> None:
    for sub in ("new", "cur", "tmp"):
        (maildir / sub).mkdir(parents=True, exist_ok=True)
    (maildir / "new" / name).write_bytes(raw)


def test_a_flow_logs_its_events_without_personal_data(
    tmp_config: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    maildir = tmp_path / "maildir"
    ctx = context(tmp_config(maildir=maildir))
    now = datetime.now(UTC)
    caplog.set_level(logging.DEBUG)
    body = f"老师您好，十二号楼宿舍热水已经三天没有了，我是{NAME}，电话{PHONE}。我同意公开。"
    deliver(maildir, letter(subject=SUBJECT, body=body, sender=PETITIONER, name=NAME), "1.eml")
    poll_source(ctx, "maildir", lambda: now)
    send_due(ctx, transport_for(ctx.cfg), now)

    outgoing = ctx.cfg.data_dir / "outgoing"
    sent = [
        message_from_bytes(p.read_bytes(), policy=policy.default) for p in outgoing.rglob("*.eml")
    ]
    dispatch = next(m for m in sent if "【转办】" in str(m["Subject"]))
    answer = "正式回复：经核查，热水循环泵故障，已于今日更换，热水已恢复正常供应。"
    raw = qq_reply(HQC, dispatch["Reply-To"], dispatch["Subject"], answer, dispatch)
    deliver(maildir, raw, "2.eml")
    poll_source(ctx, "maildir", lambda: now)
    outcomes = process_pending_replies(ctx, now)
    assert [o.status for o in outcomes] == ["recorded"]
    number = outcomes[0].ticket_number
    assert number is not None
    office = Actor(role="office", name="office-cli", channel="cli")
    handle(ApproveReply(office, number), ctx, now)
    send_due(ctx, transport_for(ctx.cfg), now + timedelta(seconds=1))

    lines = [r.getMessage() for r in caplog.records]
    events = [
        line for r, line in zip(caplog.records, lines, strict=True) if r.name == "xinxiang.events"
    ]
    names = {line.split()[0] for line in events}
    for expected in (
        "letter_recorded",
        "ticket_routed",
        "answer_recorded",
        "approved",
        "mail_sent",
    ):
        assert f"event={expected}" in names, names
    assert any(f"ticket={number}" in line for line in events)
    text = "\n".join(lines)
    for personal in (PETITIONER, "lisi.private", NAME, PHONE, "宿舍热水", "热水", HQC, answer[:8]):
        assert personal not in text, f"{personal!r} in the log"
