"""Specification of the assessment read from the database (SQLite and PostgreSQL).

The aggregate query counts exactly what the pure rule (`tally_ticket`) counts on the same
tickets; transfers and returns are attributed by holder; a ticket counts in the month it was
first dispatched; a frozen month is stored and no longer changes; `assess --json` keeps its keys.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from assessment_helpers import add_reply, add_ticket, move
from conftest import TmpConfig
from inbound_helpers import context
from xinxiang.cli import command, main
from xinxiang.domain.assessment import Tally, month_bounds, tally_month
from xinxiang.services.assessment import assess_month
from xinxiang.services.context import AppContext
from xinxiang.store.assessment import load_facts, month_tallies
from xinxiang.store.models import TicketRow

D = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)
NOV = date(2026, 11, 1)
FROZEN = datetime(2026, 12, 20, tzinfo=UTC)
HOUR, DAY = timedelta(hours=1), timedelta(days=1)


def _november(ctx: AppContext) -> None:
    """The month of the expectations below (hours and days after D)."""
    with ctx.db.unit_of_work() as s:
        add_ticket(s, "hqc", D, replies=(("accept", 2 * HOUR), ("formal", 3 * DAY)), rating=5)
        add_ticket(
            s,
            "hqc",
            D,
            replies=(("preliminary", 30 * HOUR), ("formal", 6 * DAY)),
            extension_to=7 * DAY,
            rating=3,
        )
        add_ticket(s, "hqc", D, disposition="praise", rating=5)  # 表扬: excluded
        add_ticket(s, "hqc", D, replies=(("accept", HOUR),))  # never answered, 未评价
        add_ticket(s, "hqc", D, addr="")  # no usable contact: excluded
        add_ticket(s, "hqc", D, no_contact_revisit=True)  # likewise, found at the revisit
        add_ticket(s, "hqc", D, replies=(("formal:rejected", DAY),))  # acted; answer 驳回
        # 图书馆 returns it within the window; 教务处 does everything on time; 不满意.
        h = add_ticket(s, "tsg", D, rating=2)
        move(s, h, "returned", D + HOUR / 2)
        move(s, h, "transferred", D + 3 * HOUR, to="jwc")
        add_reply(s, h, "jwc", "accept", D + 4 * HOUR)
        add_reply(s, h, "jwc", "formal", D + 2 * DAY)
        # 学生处 lets the response deadline pass; the office moves it to 教务处, which responds.
        i = add_ticket(s, "xsc", D)
        move(s, i, "transferred", D + 30 * HOUR, to="jwc", formal_due=60 * DAY)
        add_reply(s, i, "jwc", "accept", D + 31 * HOUR)
        # Dispatched on 29 November to 学生处 (missed), moved on 2 December: counts in November.
        late = datetime(2026, 11, 29, 2, tzinfo=UTC)
        j = add_ticket(s, "xsc", late)
        move(s, j, "transferred", datetime(2026, 12, 2, 2, tzinfo=UTC), to="jwc")
        # October's tickets, one of them moved in November: not November's.
        add_ticket(s, "hqc", datetime(2026, 10, 20, 2, tzinfo=UTC))
        k = add_ticket(s, "hqc", datetime(2026, 10, 30, 2, tzinfo=UTC))
        move(s, k, "transferred", datetime(2026, 11, 2, 2, tzinfo=UTC), to="jwc")


EXPECTED = {
    "hqc": Tally(4, 3, 4, 3, 4, 2, (1, 0, 1, 0, 0)),
    "jwc": Tally(3, 0, 3, 2, 2, 1, (0, 0, 0, 1, 0)),
    "xsc": Tally(2, 0, 2, 0, 0, 0, (0, 0, 0, 0, 0)),
}


def test_the_aggregate_query_counts_what_the_rule_counts(
    tmp_config: TmpConfig, db_url: str
) -> None:
    ctx = context(tmp_config(database_url=db_url))
    _november(ctx)
    start, end = month_bounds(NOV, ctx.cfg.tz)
    with ctx.db.unit_of_work() as s:
        counted = month_tallies(s, start, end, FROZEN)
        every = [int(i) for i in s.execute(select(TicketRow.id)).scalars()]
        by_rule = tally_month(load_facts(s, every, start, end), FROZEN)
    assert counted == by_rule == EXPECTED


def test_a_frozen_month_is_stored_ranked_and_no_longer_changes(tmp_config: TmpConfig) -> None:
    ctx = context(tmp_config())
    _november(ctx)
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
