"""The revisit loop through the command bus and the worker's job, on the rows and the outbox.

An answered ticket (hot water → 后勤管理处 hqc) gets its revisit mail from the `revisit` job
an hour after the answer; the seed 004 第十条 cases get none and are settled with the reason;
ratings come by link (web page: GET confirms, POST records), by reply, or by phone; 不满意
goes back to the office (发回重办), again 不满意 goes to hqc's leader (督办) with the history,
the 批示 goes to hqc, and the office settles. SQLite, and PostgreSQL for the whole loop.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from inbound_helpers import context
from office_helpers import office
from sweep_helpers import HOT_WATER, local, new_ticket, outbox, text_of, ticket, update_ticket
from web_helpers import Clock, csrf
from xinxiang.handlers import Refused, handle
from xinxiang.handlers.messages import RateTicket, RecordInstruction, RouteTicket, SettleTicket
from xinxiang.services.context import AppContext
from xinxiang.services.revisit import rating_from_reply, revisit_pass
from xinxiang.store.models import EventRow, TicketRow
from xinxiang.store.models_revisit import RevisitRow

T0 = local(2026, 12, 1, 9, 30)  # Tuesday: the letter comes in and is dispatched to hqc
ANSWERED_AT = local(2026, 12, 1, 15, 0)
OFFICE = office("dzb@example.edu.cn")
PUBLIC = "https://xinxiang.example.edu.cn"
PETITIONER = "zhangsan@stu.example.edu.cn"


def deployment(tmp_config: Any, db_url: str | None = None) -> AppContext:
    overrides = {"school": {"public_url": PUBLIC}}
    if db_url is None:
        return context(tmp_config(overrides=overrides))
    return context(tmp_config(database_url=db_url, overrides=overrides))


def answered(ctx: AppContext, number: str, at: datetime = ANSWERED_AT) -> None:
    """The formal answer went out at `at` (what the reply loop's answer leaves on the row)."""
    update_ticket(ctx, number, status="answered", revisit_due=at + timedelta(hours=48))


def rounds(ctx: AppContext, number: str) -> list[RevisitRow]:
    with ctx.db.unit_of_work() as s:
        t = s.execute(select(TicketRow).where(TicketRow.number == number)).scalar_one()
        q = select(RevisitRow).where(RevisitRow.ticket_id == t.id).order_by(RevisitRow.round)
        return list(s.execute(q).scalars())


def events(ctx: AppContext, number: str) -> list[str]:
    t = ticket(ctx, number)
    with ctx.db.unit_of_work() as s:
        q = select(EventRow.kind).where(EventRow.ticket_id == t.id).order_by(EventRow.id)
        return list(s.execute(q).scalars())


LETTERS = [
    # (case, subject/body, sender, flagged, expected: "sent" or the skip reason)
    ("an ordinary letter", HOT_WATER, PETITIONER, False, "sent"),
    (
        "identity-confidential: revisited all the same",
        (HOT_WATER[0], HOT_WATER[1] + "\n请为我保密，不要透露我的身份。"),
        "lisi@stu.example.edu.cn",
        False,
        "sent",
    ),
    (
        "no usable contact (an OA petition without e-mail)",
        HOT_WATER,
        "13800000000@oa.invalid",
        False,
        "no_contact",
    ),
    (
        "the petitioner refused revisits",
        (HOT_WATER[0], HOT_WATER[1] + "\n处理好即可，不需要回访。"),
        "wangwu@stu.example.edu.cn",
        False,
        "refused",
    ),
    ("flagged as illegal or abusive", HOT_WATER, "zhaoliu@stu.example.edu.cn", True, "illegal"),
]


def test_the_job_revisits_an_hour_after_the_answer_or_records_why_not(tmp_config: Any) -> None:
    ctx = deployment(tmp_config)
    numbers = []
    for _case, letter, sender, flagged, _expected in LETTERS:
        number = new_ticket(ctx, T0, letter, sender=sender)
        answered(ctx, number)
        update_ticket(ctx, number, flagged=flagged, petitioner_addr=sender)
        numbers.append(number)
    assert revisit_pass(ctx, ANSWERED_AT + timedelta(minutes=59)).sent == []  # not yet
    result = revisit_pass(ctx, ANSWERED_AT + timedelta(minutes=60))
    mails = {m.recipients[0]: m for m in outbox(ctx, ("revisit",))}
    for number, (case, _letter, sender, _flagged, expected) in zip(numbers, LETTERS, strict=True):
        [r] = rounds(ctx, number)
        t = ticket(ctx, number)
        if expected == "sent":
            assert number in result.sent and r.state == "sent" == t.revisit_state, case
            body = text_of(mails[sender])
            links = re.findall(re.escape(PUBLIC) + r"/revisit/\S+", body)
            assert len(links) == 5 and len(set(links)) == 5, case
            for label in ("5 非常满意", "4 满意", "3 基本满意", "2 不满意", "1 非常不满意"):
                assert label in body, case
            assert "不需要回访" in body and "回复本邮件" in body, case
        else:
            assert (number, expected) in result.skipped and sender not in mails, case
            assert (r.state, r.skip_reason) == ("skipped", expected), case
            assert (t.status, t.settled_reason) == ("closed", "skipped"), case
    assert len(mails) == 2
    assert revisit_pass(ctx, ANSWERED_AT + timedelta(hours=2)).sent == []  # once


def test_no_rating_one_reminder_then_unrated_and_settled(tmp_config: Any) -> None:
    ctx = deployment(tmp_config)
    number = new_ticket(ctx, T0)
    answered(ctx, number)
    sent = ANSWERED_AT + timedelta(hours=1)
    revisit_pass(ctx, sent)
    assert revisit_pass(ctx, sent + timedelta(days=7) - timedelta(minutes=1)).reminded == []
    assert revisit_pass(ctx, sent + timedelta(days=7)).reminded == [number]
    assert len(outbox(ctx, ("revisit",))) == 2
    assert "提醒" in text_of(outbox(ctx, ("revisit",))[1])
    assert revisit_pass(ctx, sent + timedelta(days=10)).unrated == [number]
    t = ticket(ctx, number)
    assert (t.status, t.revisit_state, t.rating, t.settled_reason) == (
        "closed",
        "unrated",
        None,
        "unrated",
    )


def test_rating_by_link_get_confirms_and_post_records(tmp_config: Any) -> None:
    from starlette.testclient import TestClient

    from xinxiang.web.app import create_app

    ctx = deployment(tmp_config)
    number = new_ticket(ctx, T0)
    answered(ctx, number)
    now = ANSWERED_AT + timedelta(hours=1)
    revisit_pass(ctx, now)
    body = text_of(outbox(ctx, ("revisit",))[0])
    link = next(u for u in re.findall(re.escape(PUBLIC) + r"(/revisit/\S+)", body) if u)
    four = re.search(r"4 满意：" + re.escape(PUBLIC) + r"(/revisit/\S+)", body)
    assert four is not None and link
    client = TestClient(create_app(ctx, clock=Clock(now)), follow_redirects=False)
    page = client.get(four.group(1))  # a link scanner: nothing changes
    assert page.status_code == 200 and "确认提交" in page.text and "4 满意" in page.text
    assert ticket(ctx, number).rating is None
    token = csrf(client, four.group(1))
    assert client.post(four.group(1), data={"comment": "x"}).status_code == 403  # no CSRF
    done = client.post(four.group(1), data={"comment": "修得很快", "csrf_token": token})
    assert done.status_code == 200 and "已记录" in done.text
    t = ticket(ctx, number)
    assert (t.rating, t.status, t.settled_reason) == (4, "closed", "satisfied")
    [r] = rounds(ctx, number)
    assert (r.channel, r.comment) == ("link", "修得很快")
    again = client.get(four.group(1))  # used
    assert again.status_code == 410 and "已使用或已失效" in again.text
    forged = client.get(four.group(1)[:-3] + "abc")
    assert forged.status_code == 404 and "评价链接无效" in forged.text


def test_a_reply_is_a_rating_when_it_reads_as_one(tmp_config: Any) -> None:
    ctx = deployment(tmp_config)
    number = new_ticket(ctx, T0)
    answered(ctx, number)
    revisit_pass(ctx, ANSWERED_AT + timedelta(hours=1))
    now = ANSWERED_AT + timedelta(hours=3)
    with ctx.db.unit_of_work() as s:
        t = s.execute(select(TicketRow).where(TicketRow.number == number)).scalar_one()
        assert rating_from_reply(ctx, s, t, PETITIONER, "我还想问一下宿舍的事", now) is None
        assert rating_from_reply(ctx, s, t, PETITIONER, "满意，谢谢\n师傅很负责", now)
    t = ticket(ctx, number)
    assert (t.rating, t.settled_reason) == (4, "satisfied")
    [r] = rounds(ctx, number)
    assert (r.channel, r.comment, r.rated_by) == ("mail", "谢谢\n师傅很负责", PETITIONER)


def test_dissatisfied_rework_dissatisfied_supervision_instruction_settled(
    tmp_config: Any, db_url: str
) -> None:
    ctx = deployment(tmp_config, db_url)
    number = new_ticket(ctx, T0)
    answered(ctx, number)
    revisit_pass(ctx, ANSWERED_AT + timedelta(hours=1))
    day2 = local(2026, 12, 2, 10, 0)
    handle(RateTicket(OFFICE, number, 2, "phone", "热水还是时有时无"), ctx, day2)
    t = ticket(ctx, number)
    assert (t.status, t.rework_count, t.rating, t.revisit_state) == ("rework", 1, 2, "rated")
    [rework] = outbox(ctx, ("rework",))
    assert rework.recipients == ["dzb@example.edu.cn"] and "热水还是时有时无" in text_of(rework)
    # The office re-dispatches to the same department: the deadlines count from now.
    day3 = local(2026, 12, 3, 9, 0)
    handle(RouteTicket(OFFICE, number, "hqc"), ctx, day3)
    t = ticket(ctx, number)
    assert (t.status, t.dispatched_at, t.formal_due) == (
        "dispatched",
        day3,
        local(2026, 12, 4, 0, 0),
    )
    answered(ctx, number, local(2026, 12, 3, 16, 0))
    assert revisit_pass(ctx, local(2026, 12, 3, 17, 0)).sent == [number]  # round 2
    handle(RateTicket(OFFICE, number, 1, "phone", "依旧没人管"), ctx, local(2026, 12, 4, 9, 0))
    t = ticket(ctx, number)
    assert (t.status, t.rating) == ("supervised", 1)
    [supervision] = outbox(ctx, ("escalation",))
    assert supervision.recipients == ["leader-hqc@example.edu.cn"]
    history = text_of(supervision)
    for line in (
        "第1轮回访（电话回访）：不满意",
        "第2轮回访（电话回访）：非常不满意",
        "依旧没人管",
    ):
        assert line in history
    assert "notice_escalation" in events(ctx, number)
    handle(RecordInstruction(OFFICE, number, "请后勤处本周内彻底解决"), ctx, local(2026, 12, 4, 10))
    [instruction] = outbox(ctx, ("instruction",))
    assert instruction.recipients == ["hqc@example.edu.cn"]
    assert "请后勤处本周内彻底解决" in text_of(instruction)
    assert ticket(ctx, number).status == "dispatched"
    answered(ctx, number, local(2026, 12, 4, 15, 0))
    assert revisit_pass(ctx, local(2026, 12, 4, 17, 0)).sent == []  # no third round
    with pytest.raises(Refused, match="须写明原因"):
        handle(SettleTicket(OFFICE, number, ""), ctx, local(2026, 12, 5, 9, 0))
    handle(SettleTicket(OFFICE, number, "已按批示办结"), ctx, local(2026, 12, 5, 9, 0))
    t = ticket(ctx, number)
    assert (t.status, t.settled_reason) == ("closed", "office")
    assert [r.state for r in rounds(ctx, number)] == ["rated", "rated"]


def test_the_office_enters_a_phone_rating_and_lists_the_rounds_by_cli(
    tmp_config: Any, capsys: Any
) -> None:
    import json

    from xinxiang.cli import main

    ctx = deployment(tmp_config)
    cfg = str(ctx.cfg.directory)
    number = new_ticket(ctx, T0)
    answered(ctx, number, local(2026, 12, 1, 9, 0) + timedelta(hours=1))
    when = ["--now", "2026-12-01T12:00"]
    assert main(["revisit", "run", "-c", cfg, *when]) in (0, None)
    assert f"{number} 已发出回访" in capsys.readouterr().out
    assert main(["revisit", "rate", number, "7", "--by", "王老师", "-c", cfg, *when]) != 0
    err = capsys.readouterr().err.strip()
    assert "1–5" in err and len(err.splitlines()) == 1 and "Traceback" not in err
    args = ["revisit", "rate", number, "3", "--by", "王老师", "--comment", "基本解决", "-c", cfg]
    assert main([*args, *when]) in (0, None)
    assert "基本满意" in capsys.readouterr().out
    assert main(["revisit", "list", "--json", "-c", cfg]) in (0, None)
    [row] = json.loads(capsys.readouterr().out)
    assert (row["number"], row["rating"], row["channel"], row["rated_by"]) == (
        number,
        3,
        "phone",
        "王老师",
    )
    assert main(["revisit", "settle", number, "--reason", "重复", "-c", cfg]) != 0
    assert "已销账" in capsys.readouterr().err
