"""Specification of the periodic sweep: the right notices, to the right people, exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from inbound_helpers import context
from servers import SmtpSink
from sweep_helpers import LIBRARY, local, new_ticket, outbox, text_of, ticket, update_ticket
from xinxiang.replies.transport import transport_for
from xinxiang.services.outbox import send_due
from xinxiang.services.sweep import sweep

T0 = local(2026, 12, 1, 9, 30)  # Tuesday, a working day; track 1 is due 12-02 00:00


def test_a_letter_reaches_the_department_with_its_deadlines(
    smtp_sink: SmtpSink, tmp_config, db_url: str
) -> None:
    ctx = context(tmp_config(smtp=smtp_sink, database_url=db_url))
    number = new_ticket(ctx, T0)
    t = ticket(ctx, number)
    assert (t.status, t.department_code, t.track) == ("dispatched", "hqc", 1)
    assert t.formal_due == local(2026, 12, 2, 0, 0)

    send_due(ctx, transport_for(ctx.cfg), T0)
    smtp_sink.wait_for(2)
    got = [m for m in smtp_sink.messages() if m.rcpt_tos == ("hqc@example.edu.cn",)]
    assert len(got) == 1
    parsed = got[0].parsed()
    assert number in parsed["Subject"] and "转办" in parsed["Subject"]
    body = parsed.get_body(("plain",)).get_content()
    # A due at 00:00 of the 2nd is the end of the 1st: "24:00", never "00:00" (issue #18).
    assert "正式回复时限：2026年12月1日（星期二）24:00 前" in body
    assert "响应时限（当天响应）：2026年12月1日（星期二）24:00 前" in body
    assert "00:00 前" not in body
    # Examples are dated from this ticket's own deadline, never a fixed date (issue #18).
    assert "“延期：至2026-12-04，原因：……”" in body and "预计12月8日前正式回复" in body
    assert "初步回复" in body and "退回" in body


# (sweep time, notices sent then as (level, recipients)); each row follows the previous one.
SCHEDULE = [
    (local(2026, 12, 1, 12, 0), set()),
    (local(2026, 12, 1, 17, 0), {("reminder", ("hqc@example.edu.cn",))}),  # half-way 16:45
    (local(2026, 12, 1, 20, 0), set()),
    (local(2026, 12, 1, 22, 30), {("reminder", ("hqc@example.edu.cn",))}),  # 2 h before
    (
        local(2026, 12, 2, 0, 5),
        {("overdue", ("hqc@example.edu.cn", "dzb@example.edu.cn"))},
    ),
    (local(2026, 12, 2, 23, 59), set()),  # overdue by less than one working day
    (local(2026, 12, 3, 0, 1), {("escalation", ("leader-hqc@example.edu.cn",))}),
    (local(2026, 12, 10, 9, 0), set()),
]


def test_the_sweep_sends_exactly_the_notices_due_once(tmp_config, db_url: str) -> None:
    cfg_dir = tmp_config(database_url=db_url)
    ctx = context(cfg_dir)
    number = new_ticket(ctx, T0)
    for at, expected in SCHEDULE:
        result = sweep(ctx, at)
        got = {(s.level, s.to) for s in result.sent}
        assert got == expected, at
        assert {s.ticket for s in result.sent} <= {number}
        # The response and the formal reply share their due: both recorded, one mail.
        assert len(result.sent) == 2 * len(expected)
        assert sweep(ctx, at).sent == []
        other = context(cfg_dir)  # a new process: the notice keys are in the database
        assert sweep(other, at).sent == []
        other.close()
    mails = outbox(ctx, ("reminder", "overdue", "escalation"))
    # The overdue notice goes to the department and the office: one mail per address, each
    # with its own reply token (issue #12).
    assert [m.kind for m in mails] == ["reminder", "reminder", "overdue", "overdue", "escalation"]
    assert sorted(tuple(m.recipients) for m in mails[2:4]) == [
        ("dzb@example.edu.cn",),
        ("hqc@example.edu.cn",),
    ]
    overdue = text_of(mails[2])
    assert number in overdue and "2026年12月1日（星期二）24:00" in overdue
    assert "正式回复" in overdue and "逾期" in overdue
    assert "督办" in mails[4].raw.decode("utf-8", "replace") or "督办" in text_of(mails[4])


def test_a_late_first_sweep_sends_only_the_latest_notices(tmp_config, db_url: str) -> None:
    ctx = context(tmp_config(database_url=db_url))
    new_ticket(ctx, T0)
    result = sweep(ctx, local(2026, 12, 3, 9, 0))
    assert sorted({s.level for s in result.sent}) == ["escalation", "overdue"]


def test_escalation_counts_working_days_only(tmp_config, db_url: str) -> None:
    ctx = context(tmp_config(database_url=db_url))
    new_ticket(ctx, local(2026, 12, 4, 9, 0))  # Friday: due Saturday 00:00
    assert {s.level for s in sweep(ctx, local(2026, 12, 5, 1, 0)).sent} == {"overdue"}
    assert sweep(ctx, local(2026, 12, 7, 23, 0)).sent == []  # Monday: one working day not over
    esc = sweep(ctx, local(2026, 12, 8, 0, 1)).sent
    assert {(s.level, s.to) for s in esc} == {("escalation", ("leader-hqc@example.edu.cn",))}


def test_the_office_is_reminded_of_its_dispatch_deadline(tmp_config, db_url: str) -> None:
    cfg = tmp_config(
        database_url=db_url, overrides={"dispatch": {"require_office_confirmation": True}}
    )
    ctx = context(cfg)
    number = new_ticket(ctx, T0)
    assert ticket(ctx, number).status == "triage"
    office = ("dzb@example.edu.cn",)
    assert {(s.level, s.deadline, s.to) for s in sweep(ctx, T0 + timedelta(hours=13)).sent} == {
        ("reminder", "dispatch", office)
    }
    late = sweep(ctx, T0 + timedelta(days=1, minutes=1)).sent
    assert {(s.level, s.deadline, s.to) for s in late} == {("overdue", "dispatch", office)}


def test_tracks_2_and_3_get_a_progress_reminder_every_seven_days(tmp_config, db_url: str) -> None:
    ctx = context(tmp_config(database_url=db_url))
    number = new_ticket(ctx, T0, LIBRARY)
    accepted = ticket(ctx, number).accepted_at
    assert accepted is not None
    update_ticket(
        ctx,
        number,
        track=2,
        status="preliminary",
        preliminary_due=None,
        response_due=None,
        formal_due=None,
        planned_formal_date="2026-12-20",
    )
    sweep(ctx, accepted + timedelta(days=6))
    week1 = sweep(ctx, accepted + timedelta(days=7, minutes=1)).sent
    assert [(s.level, s.to) for s in week1] == [("progress", ("tsg@example.edu.cn",))]
    assert sweep(ctx, accepted + timedelta(days=8)).sent == []
    week2 = sweep(ctx, accepted + timedelta(days=14, minutes=1)).sent
    assert [s.level for s in week2] == ["progress"]
    # The third stage (12-22) would fall after the announced formal date: no reminder.
    assert sweep(ctx, accepted + timedelta(days=21, minutes=1)).sent == []
    mail = outbox(ctx, ("progress",))[0]
    assert "2026-12-20" in text_of(mail) and "阶段性反馈" in text_of(mail)


def test_the_first_sweep_after_the_due_sends_the_overdue_notice(tmp_config) -> None:
    ctx = context(tmp_config())
    new_ticket(ctx, T0)
    sweep(ctx, local(2026, 12, 2, 0, 5))
    # One mail to each of the department and the office.
    assert [m.kind for m in outbox(ctx, ("overdue",))] == ["overdue", "overdue"]


@pytest.mark.parametrize("minutes", [1, 7, 60])
def test_frequent_or_sparse_sweeps_send_the_same_overdue_notice_once(
    tmp_config, minutes: int
) -> None:
    ctx = context(tmp_config())
    new_ticket(ctx, T0)
    at = local(2026, 12, 1, 23, 0)
    while at < local(2026, 12, 2, 3, 0):
        sweep(ctx, at)
        at += timedelta(minutes=minutes)
    # Once: one mail to each of the department and the office.
    assert len(outbox(ctx, ("overdue",))) == 2
