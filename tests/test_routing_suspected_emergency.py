"""疑似紧急 (suspected_emergency): the office alone is alerted at once; deadlines stay normal."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes
from email.policy import default
from zoneinfo import ZoneInfo

from sqlalchemy import select

from inbound_helpers import context, letter
from xinxiang.config import load_config
from xinxiang.dispatch.calendar import load_calendar_for
from xinxiang.domain.deadlines import DEFAULT_POLICY, compute_deadlines
from xinxiang.services.ingest import MessageOrigin, ingest_raw
from xinxiang.store.models import EventRow, OutboxRow, TicketRow

NOW = datetime(2026, 11, 24, 2, 30, tzinfo=UTC)  # a Tuesday, 10:30 in Beijing


def test_a_suspected_emergency_alerts_the_office_only_and_is_timed_as_normal(tmp_config) -> None:  # type: ignore[no-untyped-def]
    config = tmp_config()
    # The office-only path itself: the second reader may not confirm this 疑似紧急 as an
    # emergency (it reads this smell at 0.97; `reader_confirm` is specified in
    # test_classify_reader.py).
    rules = config / "rules.toml"
    rules.write_text(
        rules.read_text("utf-8").replace("reader_confirm = 0.9", "reader_confirm = 0.0"), "utf-8"
    )
    ctx = context(config)
    outcome = ingest_raw(
        ctx,
        letter(subject="楼道有烟味", body="东区7号楼三楼楼道里有一股焦糊味，不知道哪里来的。"),
        MessageOrigin("m", "书记信箱", "t"),
        NOW,
    )
    with ctx.db.unit_of_work() as s:
        t = s.execute(
            select(TicketRow).where(TicketRow.number == outcome.ticket_number)
        ).scalar_one()
        mails = {
            (m.kind, tuple(m.recipients))
            for m in s.execute(select(OutboxRow).where(OutboxRow.ticket_id == t.id)).scalars()
        }
        alert = next(
            m.raw
            for m in s.execute(select(OutboxRow).where(OutboxRow.ticket_id == t.id)).scalars()
            if m.kind == "suspected_emergency_alert"
        )
        events = [
            e.kind for e in s.execute(select(EventRow).where(EventRow.ticket_id == t.id)).scalars()
        ]
        urgency, response_due = t.urgency, t.response_due
    assert urgency == "suspected_emergency"
    assert ("suspected_emergency_alert", ("dzb@example.edu.cn",)) in mails
    assert not any(kind == "emergency_alert" for kind, _ in mails)
    assert "suspected_emergency_alert" in events
    assert alert is not None
    msg = message_from_bytes(alert, policy=default)
    body = msg.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "【疑似紧急】" in str(msg["Subject"])
    assert "未通知承办单位" in text and "焦糊味" in text  # why, in the office's words
    if response_due is not None:  # dispatched: a normal (working-day) deadline, not one hour
        assert (response_due - NOW).total_seconds() > 3600


def test_suspected_emergency_deadlines_are_the_normal_ones(tmp_config) -> None:  # type: ignore[no-untyped-def]
    cfg = load_config(tmp_config())
    tz = ZoneInfo("Asia/Shanghai")
    calendar = load_calendar_for(cfg)
    for track in (None, 1, 2, 3):
        assert compute_deadlines(
            NOW, track, "suspected_emergency", DEFAULT_POLICY, calendar, tz
        ) == compute_deadlines(NOW, track, "normal", DEFAULT_POLICY, calendar, tz)
