"""Specification of the assessment read from the database (SQLite and PostgreSQL).

The aggregate query counts exactly what the pure rule (`tally_ticket`) counts on the same
tickets; transfers and returns are attributed by holder; a ticket counts in the month it was
first dispatched; a frozen month is stored and no longer changes; `assess --json` keeps its keys.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from assessment_helpers import DAY, FROZEN, HOUR, NOV, add_ticket, november
from conftest import TmpConfig
from inbound_helpers import context
from replies_helpers import HQC, dispatched, make_loop, qq_reply
from servers import ImapAccount, SmtpSink
from xinxiang.cli import command, main
from xinxiang.domain.assessment import Tally, month_bounds, tally_month
from xinxiang.services.assessment import assess_month
from xinxiang.store.assessment import load_facts, month_tallies
from xinxiang.store.models import TicketRow

EXPECTED = {
    "hqc": Tally(4, 3, 4, 3, 4, 2, (1, 0, 1, 0, 0)),
    "jwc": Tally(3, 0, 3, 2, 2, 1, (0, 0, 0, 1, 0)),
    "xsc": Tally(2, 0, 2, 0, 0, 0, (0, 0, 0, 0, 0)),
}


def test_the_aggregate_query_counts_what_the_rule_counts(
    tmp_config: TmpConfig, db_url: str
) -> None:
    ctx = context(tmp_config(database_url=db_url))
    november(ctx)
    start, end = month_bounds(NOV, ctx.cfg.tz)
    with ctx.db.unit_of_work() as s:
        counted = month_tallies(s, start, end, FROZEN)
        every = [int(i) for i in s.execute(select(TicketRow.id)).scalars()]
        by_rule = tally_month(load_facts(s, start, end, every), FROZEN)
    assert counted == by_rule == EXPECTED


def test_a_frozen_month_is_stored_ranked_and_no_longer_changes(tmp_config: TmpConfig) -> None:
    ctx = context(tmp_config())
    november(ctx)
    early = {x.department: x for x in assess_month(ctx, NOV, datetime(2026, 12, 3, tzinfo=UTC))}
    assert early["hqc"].provisional
    lines = assess_month(ctx, NOV, FROZEN)
    top = [(x.department, x.score, x.rank, x.provisional) for x in lines[:3]]
    # hqc: 0.1·75 + 0.5·50 + 0.4·90 = 68.5; jwc: 0.1·66.67 + 0.5·50 + 0 = 31.67; xsc: 0
    assert top == [("hqc", 68.5, 1, False), ("jwc", 31.67, 2, False), ("xsc", 0.0, 3, False)]
    tsg = next(x for x in lines if x.department == "tsg")
    assert (tsg.score, tsg.rank, tsg.tally.counted) == (None, None, 0)
    with ctx.db.unit_of_work() as s:  # a late rating after the freeze changes nothing
        for t in s.execute(select(TicketRow).where(TicketRow.rating.is_(None))).scalars():
            t.rating = 1
    assert assess_month(ctx, NOV, FROZEN + DAY) == lines


def test_interview_after_three_frozen_months_in_the_last_place(tmp_config: TmpConfig) -> None:
    ctx = context(tmp_config())
    with ctx.db.unit_of_work() as s:
        for month in (9, 10, 11):
            at = datetime(2026, month, 10, 2, tzinfo=UTC)
            add_ticket(s, "hqc", at, replies=(("accept", HOUR), ("formal", DAY)), rating=5)
            add_ticket(s, "xsc", at, replies=(("accept", 2 * DAY),), rating=4)
    flagged = [x.department for x in assess_month(ctx, NOV, FROZEN) if x.flag_interview]
    assert flagged == ["xsc"]
    # October alone is not three months in a row (August had nothing to rank).
    assert not any(x.flag_interview for x in assess_month(ctx, date(2026, 10, 1), FROZEN))


def test_assess_json_lists_every_department_with_its_keys(
    tmp_config: TmpConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg_dir: Path = tmp_config()
    context(cfg_dir)
    runner = CliRunner()
    result = runner.invoke(
        command(), ["assess", "-c", str(cfg_dir), "--month", "2099-01", "--json"]
    )
    assert result.exit_code == 0, result.output
    lines = json.loads(result.output)
    assert {x["department"] for x in lines} >= {"hqc", "xsc", "tsg"}
    assert set(lines[0]) == {
        "department", "name", "counted", "excluded", "response_rate", "completion_rate",
        "satisfaction_rate", "score", "rank", "flag_interview", "provisional",
    }  # fmt: skip
    assert all(x["provisional"] and x["score"] is None and x["rank"] is None for x in lines)
    table = runner.invoke(command(), ["assess", "-c", str(cfg_dir), "--month", "2020-01"])
    assert table.exit_code == 0 and "月度考评" in table.output and "预估" not in table.output
    assert main(["assess", "-c", str(cfg_dir), "--month", "2020/01"]) != 0
    err = capsys.readouterr().err
    assert "YYYY-MM" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_ticket_through_the_real_flow_counts_for_its_department(
    imap_account: ImapAccount, smtp_sink: SmtpSink, tmp_config: TmpConfig
) -> None:
    """Letter by IMAP → routed to 后勤管理处 → its formal answer by mail (no approval needed for
    a private letter): on time for both deadlines, in this month's provisional counts."""
    loop = make_loop(imap_account, smtp_sink, tmp_config)
    dispatch = dispatched(loop, subject="宿舍热水问题", body="12号楼宿舍热水三天没有了。")
    answer = "正式回复：经核查，12号楼热水循环泵故障，已更换，热水已恢复。"
    loop.imap.append(qq_reply(HQC, dispatch["Reply-To"], dispatch["Subject"], answer, dispatch))
    assert [o.action for o in loop.run()] == ["formal"]
    now = datetime.now(UTC)
    first = now.astimezone(loop.ctx.cfg.tz).date().replace(day=1)
    lines = {x.department: x for x in assess_month(loop.ctx, first, now)}
    hqc = lines["hqc"]
    assert (hqc.tally.counted, hqc.response_rate, hqc.completion_rate) == (1, 100.0, 100.0)
    assert hqc.satisfaction_rate is None and hqc.provisional and hqc.rank == 1
