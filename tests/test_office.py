"""Specification of the office's actions: route/transfer, co-handlers, extensions, overdue list."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from inbound_helpers import context
from office_helpers import add_cohandlers, decide_extension, route, transferred
from sweep_helpers import local, new_ticket, outbox, text_of, ticket
from xinxiang.cli import main
from xinxiang.errors import XinxiangError
from xinxiang.services.sweep import sweep
from xinxiang.store.models import CohandlerRow, EventRow

T0 = local(2026, 12, 1, 9, 30)  # Tuesday; track 1 due 12-02 00:00


def events(ctx, number: str, kind: str) -> list[dict]:  # type: ignore[no-untyped-def]
    t = ticket(ctx, number)
    with ctx.db.unit_of_work() as s:
        q = select(EventRow.data).where(EventRow.ticket_id == t.id, EventRow.kind == kind)
        return list(s.execute(q).scalars())


def test_a_transfer_restarts_the_clock_and_is_logged(tmp_config, db_url: str) -> None:
    ctx = context(tmp_config(database_url=db_url))
    number = new_ticket(ctx, T0)
    later = local(2026, 12, 1, 23, 0)  # after the 22:00 cutoff: due 10:00 next working day
    r = route(ctx, number, "xsc", "涉及学生宿舍管理", "dzb@example.edu.cn", later)
    assert (r.change.before.department, r.change.after.department) == ("hqc", "xsc")
    assert transferred(r) and r.number == number
    t = ticket(ctx, number)
    assert t.accepted_at == later and t.formal_due == local(2026, 12, 2, 10, 0)
    [ev] = events(ctx, number, "transferred")
    assert ev["reason"] == "涉及学生宿舍管理" and ev["previous"] == "hqc"
    mail = outbox(ctx, ("dispatch",))[-1]
    assert mail.recipients == ["xsc@example.edu.cn"] and "涉及学生宿舍管理" in text_of(mail)
    # The old deadline (12-02 00:00) no longer produces notices; the new one does.
    assert sweep(ctx, local(2026, 12, 2, 0, 30)).sent == []
    late = sweep(ctx, local(2026, 12, 2, 10, 30)).sent
    assert {(s.level, s.to) for s in late} == {
        ("overdue", ("xsc@example.edu.cn", "dzb@example.edu.cn"))
    }


def test_the_office_dispatches_from_triage(tmp_config, db_url: str) -> None:
    cfg = tmp_config(
        database_url=db_url, overrides={"dispatch": {"require_office_confirmation": True}}
    )
    ctx = context(cfg)
    number = new_ticket(ctx, T0)
    r = route(ctx, number, "后勤管理处", None, "dzb@example.edu.cn", T0 + timedelta(hours=1))
    assert (r.change.after.department, transferred(r)) == ("hqc", False)
    assert ticket(ctx, number).status == "dispatched"
    assert events(ctx, number, "dispatched")


@pytest.mark.parametrize(
    ("number", "department", "reason", "message"),
    [
        ("2026-999999", "xsc", "x", "没有编号为 2026-999999 的工单"),
        (None, "nosuch", "x", "未知单位"),
        (None, "hqc", "x", "已由 后勤管理处 承办"),
        (None, "xsc", None, "改派须写明原因"),
    ],
)
def test_bad_routes_are_refused_with_one_line(
    tmp_config, number: str | None, department: str, reason: str | None, message: str
) -> None:
    ctx = context(tmp_config())
    real = new_ticket(ctx, T0)
    with pytest.raises(XinxiangError, match=message):
        route(ctx, number or real, department, reason, "dzb@example.edu.cn", T0)


def test_cohandlers_get_the_letter_and_report_within_a_working_day(tmp_config, db_url: str) -> None:
    ctx = context(tmp_config(database_url=db_url))
    number = new_ticket(ctx, T0)
    added = add_cohandlers(ctx, number, ["xsc", "bwc"], "dzb@example.edu.cn", T0).change
    added = added.cohandler_changes()
    assert [a.department for a in added] == ["xsc", "bwc"]
    assert {a.due for a in added} == {local(2026, 12, 2, 0, 0)}
    mails = outbox(ctx, ("cohandler",))
    assert sorted(m.recipients[0] for m in mails) == ["bwc@example.edu.cn", "xsc@example.edu.cn"]
    body = text_of(mails[0])
    assert "协办结果" in body and "热水" in body and "后勤管理处" in body
    with pytest.raises(XinxiangError, match="已是工单"):
        add_cohandlers(ctx, number, ["xsc"], "dzb@example.edu.cn", T0)
    with pytest.raises(XinxiangError, match="主办单位"):
        add_cohandlers(ctx, number, ["hqc"], "dzb@example.edu.cn", T0)
    late = sweep(ctx, local(2026, 12, 2, 0, 30)).sent
    co = {(s.deadline, s.to) for s in late if s.deadline.startswith("cohandler")}
    assert co == {
        ("cohandler-xsc", ("xsc@example.edu.cn", "dzb@example.edu.cn")),
        ("cohandler-bwc", ("bwc@example.edu.cn", "dzb@example.edu.cn")),
    }
    with ctx.db.unit_of_work() as s:
        assert len(s.execute(select(CohandlerRow)).all()) == 2


# Current formal due: 2026-12-02 00:00 (end of 12-01); at most 5 natural days more.
EXTENSIONS = [
    (date(2026, 12, 2), True),
    (date(2026, 12, 6), True),  # ends 12-07 00:00: exactly 5 days
    (date(2026, 12, 7), False),
    (date(2026, 12, 20), False),
    (date(2026, 11, 30), False),  # not later than the current deadline
]


@pytest.mark.parametrize(("until", "allowed"), EXTENSIONS)
def test_an_extension_is_at_most_five_days(tmp_config, until: date, allowed: bool) -> None:
    ctx = context(tmp_config())
    number = new_ticket(ctx, T0)
    if allowed:
        r = decide_extension(ctx, number, until, True, "需协调维修单位", "dzb@x.cn", T0)
        assert r.change.events[0].kind == "extension_approved"
        assert ticket(ctx, number).formal_due == local(
            until.year, until.month, until.day, 0, 0
        ) + timedelta(days=1)
        [mail] = outbox(ctx, ("extension_decision",))
        assert "同意延期" in text_of(mail) and mail.recipients == ["hqc@example.edu.cn"]
    else:
        with pytest.raises(XinxiangError, match="最多延长5个自然日"):
            decide_extension(ctx, number, until, True, "需协调维修单位", "dzb@x.cn", T0)
        assert ticket(ctx, number).formal_due == local(2026, 12, 2, 0, 0)


def test_a_refused_extension_keeps_the_deadline_and_tells_the_department(
    tmp_config, db_url: str
) -> None:
    ctx = context(tmp_config(database_url=db_url))
    number = new_ticket(ctx, T0)
    r = decide_extension(ctx, number, date(2026, 12, 3), False, "理由不充分", "dzb@x.cn", T0)
    assert r.change.events[0].kind == "extension_refused"
    assert ticket(ctx, number).formal_due == local(2026, 12, 2, 0, 0)
    assert events(ctx, number, "extension_refused")[0]["reason"] == "理由不充分"
    assert "不同意延期" in text_of(outbox(ctx, ("extension_decision",))[0])


def test_tickets_overdue_json(tmp_config, capsys: pytest.CaptureFixture[str]) -> None:
    cfg_dir = tmp_config()
    ctx = context(cfg_dir)
    number = new_ticket(ctx, T0)
    args = ["tickets", "overdue", "--json", "--config", str(cfg_dir)]
    assert main([*args, "--now", "2026-12-01T12:00+08:00"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main([*args, "--now", "2026-12-02T03:00+08:00"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["number"], r["department"], r["deadline"]) for r in rows] == [
        (number, "hqc", "formal"),
        (number, "hqc", "response"),
    ]
    assert rows[0]["due"] == "2026-12-02T00:00:00+08:00"
    assert rows[0]["overdue_seconds"] == 3 * 3600 and rows[0]["overdue_by"] == "3小时0分钟"


def test_cli_route_extend_and_sweep(tmp_config, capsys: pytest.CaptureFixture[str]) -> None:
    cfg_dir = tmp_config()
    ctx = context(cfg_dir)
    number = new_ticket(ctx, T0)
    c = ["--config", str(cfg_dir), "--now", "2026-12-01T10:00"]
    assert main(["tickets", "route", number, "xsc", "--reason", "改派", *c]) == 0
    assert "已改派至 学生处" in capsys.readouterr().out
    assert main(["tickets", "extend", number, "--until", "2027-01-30", "--reason", "x", *c]) == 1
    assert "最多延长5个自然日" in capsys.readouterr().err
    assert main(["tickets", "cohandle", number, "bwc", *c]) == 0
    assert "保卫处" in capsys.readouterr().out
    assert main(["sweep", "--config", str(cfg_dir), "--now", "2026-12-02T00:30+08:00"]) == 0
    assert "逾期" in capsys.readouterr().out
