"""Specification of the weekly digest (周汇总): the week's figures, sent once per ISO week."""

from __future__ import annotations

import pytest

from inbound_helpers import context
from office_helpers import route
from sweep_helpers import HOT_WATER, LIBRARY, SCHOLARSHIP, local, new_ticket, outbox, text_of
from xinxiang.cli import main
from xinxiang.services.digest import (
    digest_due,
    maybe_queue_weekly_digest,
    queue_weekly_digest,
    weekly_digest,
)

MONDAY = local(2026, 12, 7, 8, 30)


def test_the_digest_counts_the_last_seven_days_by_department(tmp_config, db_url: str) -> None:
    ctx = context(tmp_config(database_url=db_url))
    new_ticket(ctx, local(2026, 11, 20, 10, 0), HOT_WATER, "old@stu.example.edu.cn")  # too old
    a = new_ticket(ctx, local(2026, 12, 1, 9, 30), HOT_WATER, "a@stu.example.edu.cn")
    new_ticket(ctx, local(2026, 12, 2, 9, 30), LIBRARY, "b@stu.example.edu.cn")
    new_ticket(ctx, local(2026, 12, 3, 9, 30), SCHOLARSHIP, "c@stu.example.edu.cn")
    route(ctx, a, "xsc", "改派", "dzb@example.edu.cn", local(2026, 12, 1, 11, 0))
    d = weekly_digest(ctx, MONDAY)
    assert (d.received, d.dispatched, d.answered) == (3, 4, 0)
    assert d.overdue == 4 and d.open == 4  # nobody answered anything
    by = {row.code: (row.dispatched, row.open, row.overdue) for row in d.by_department}
    assert by == {"hqc": (1, 1, 1), "tsg": (1, 1, 1), "xsc": (2, 2, 2)}


@pytest.mark.parametrize(
    ("at", "due"),
    [
        (local(2026, 12, 7, 7, 59), False),
        (local(2026, 12, 7, 8, 0), True),
        (local(2026, 12, 9, 3, 0), True),  # the worker was down on Monday
        (local(2026, 12, 6, 23, 0), True),  # Sunday: still the week whose Monday passed
    ],
)
def test_the_digest_is_due_from_monday_eight_oclock(tmp_config, at, due: bool) -> None:
    assert digest_due(context(tmp_config()), at) is due


def test_the_digest_goes_to_the_office_once_per_iso_week(tmp_config, db_url: str) -> None:
    cfg_dir = tmp_config(database_url=db_url)
    ctx = context(cfg_dir)
    new_ticket(ctx, local(2026, 12, 1, 9, 30))
    assert maybe_queue_weekly_digest(ctx, local(2026, 12, 7, 7, 0)) is False
    assert maybe_queue_weekly_digest(ctx, MONDAY) is True
    assert maybe_queue_weekly_digest(ctx, local(2026, 12, 7, 8, 31)) is False
    assert queue_weekly_digest(context(cfg_dir), local(2026, 12, 8, 9, 0)) is False
    assert maybe_queue_weekly_digest(ctx, local(2026, 12, 14, 8, 1)) is True
    mails = outbox(ctx, ("weekly_digest",))
    assert [m.recipients for m in mails] == [["dzb@example.edu.cn"]] * 2
    text = text_of(mails[0])
    assert "周汇总" in text and "本周收到来信：1 件" in text and "后勤管理处" in text


def test_cli_digest_prints_and_sends(tmp_config, capsys: pytest.CaptureFixture[str]) -> None:
    cfg_dir = tmp_config()
    ctx = context(cfg_dir)
    new_ticket(ctx, local(2026, 12, 1, 9, 30))
    c = ["--config", str(cfg_dir), "--now", "2026-12-07T09:00+08:00"]
    assert main(["digest", *c]) == 0
    assert "本周收到来信：1 件" in capsys.readouterr().out
    assert main(["digest", "--send", *c]) == 0
    assert "已加入发送队列" in capsys.readouterr().out
    assert main(["digest", "--send", *c]) == 0
    assert "已经发送过" in capsys.readouterr().out
