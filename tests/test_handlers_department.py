"""Specification of the command layer for a department's answers and the petitioner's mail.

受理, 初步回复, 正式回复, 退回, 延期申请, 协办结果 and 补充来信 are commands to the bus, as
the reply loop gives them: each gives its rows, events and mails (the confirmation to whoever
gave it); a refusal changes nothing and says why in Chinese. SQLite; one case also on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from handler_helpers import columns, counts, log, mails
from inbound_helpers import context
from office_helpers import office
from sweep_helpers import local, new_ticket, outbox, update_ticket
from xinxiang.handlers import (
    AcceptTicket,
    Actor,
    AddCohandlers,
    AddFollowUp,
    AnswerTicket,
    Handled,
    Message,
    Refused,
    ReportCohandlerResult,
    RequestExtension,
    ReturnTicket,
    handle,
)
from xinxiang.services.context import AppContext
from xinxiang.store.models import CohandlerRow
from xinxiang.store.models_replies import TicketReplyRow

T0 = local(2026, 12, 1, 9, 30)  # Tuesday: dispatched to hqc at T0 (track 1), formal due 12-02
HQC = "hqc@example.edu.cn"
XSC = "xsc@example.edu.cn"
PETITIONER = "zhangsan@stu.example.edu.cn"
OFFICE_BOX = "dzb@example.edu.cn"
DEPT = Actor(role="department", name=HQC, channel="mail")
CO = Actor(role="cohandler", name=XSC, channel="mail")
WRITER = Actor(role="petitioner", name=PETITIONER, channel="mail")
CONFIRM = ("confirm", [HQC], "【已记录】")


def public(ctx: AppContext, n: str) -> None:
    update_ticket(ctx, n, public_consent=True)


def with_cohandler(ctx: AppContext, n: str) -> None:
    handle(AddCohandlers(office(), n, ("xsc",)), ctx, T0)


def unrouted(ctx: AppContext, n: str) -> None:
    update_ticket(ctx, n, status="triage", department_code=None)


Prepare = Callable[[AppContext, str], None] | None
Build = Callable[[str], Message]

# (case, prepare the ticket, command, when, events, mails, ticket fields afterwards)
CHANGES: list[
    tuple[str, Prepare, Build, datetime, list[str], list[tuple[str, list[str], str]], dict]
] = [
    (
        "accept",
        None,
        lambda n: AcceptTicket(DEPT, n, "已受理，正在联系维修。"),
        T0 + timedelta(minutes=20),
        ["accepted"],
        [CONFIRM],
        {"status": "accepted", "track": 1},
    ),
    (
        "accept declaring track 2",
        None,
        lambda n: AcceptTicket(DEPT, n, "需本部门研究", 2),
        T0 + timedelta(minutes=20),
        ["accepted"],
        [CONFIRM],
        {"status": "accepted", "track": 2},
    ),
    (
        "preliminary naming a date: due at 24:00 of it",
        None,
        lambda n: AnswerTicket(DEPT, n, "preliminary", "正在研究。", date(2026, 12, 5)),
        T0 + timedelta(hours=1),
        ["preliminary", "answered"],
        [
            ("answer", [PETITIONER], "【初步答复】"),
            ("answer_copy", [OFFICE_BOX], "【双反馈】【初步答复】"),
            CONFIRM,
        ],
        {
            "status": "preliminary",
            "planned_formal_date": "2026-12-05",
            "formal_due": local(2026, 12, 6, 0, 0),
        },
    ),
    (
        "formal",
        None,
        lambda n: AnswerTicket(DEPT, n, "formal", "热水已恢复供应。"),
        T0 + timedelta(hours=2),
        ["formal", "answered", "record_generated", "answer_letter_generated"],
        [
            ("answer", [PETITIONER], "【正式答复】"),
            ("answer_copy", [OFFICE_BOX], "【双反馈】【正式答复】"),
            CONFIRM,
        ],
        {"status": "answered", "revisit_due": T0 + timedelta(hours=50)},
    ),
    (
        "formal on a public letter waits for the office",
        public,
        lambda n: AnswerTicket(DEPT, n, "formal", "热水已恢复供应。"),
        T0 + timedelta(hours=2),
        ["formal", "approval_requested", "record_generated"],
        [("approval_request", [OFFICE_BOX], "【待审核】"), CONFIRM],
        {"status": "pending_approval", "revisit_due": None},
    ),
    (
        "return within the hour",
        None,
        lambda n: ReturnTicket(DEPT, n, "不属于本部门职责"),
        T0 + timedelta(minutes=30),
        ["returned"],
        [CONFIRM, ("return_notice", [OFFICE_BOX], "【退回】")],
        {"status": "triage", "department_code": "hqc"},
    ),
    (
        "extension request",
        None,
        lambda n: RequestExtension(DEPT, n, date(2026, 12, 4), "需协调维修单位", "延期：至12月4日"),
        T0 + timedelta(hours=1),
        ["extension_requested", "approval_requested", "record_generated"],
        [("approval_request", [OFFICE_BOX], "【待审核】"), CONFIRM],
        {"status": "dispatched", "formal_due": local(2026, 12, 2, 0, 0)},
    ),
    (
        "co-handler's result",
        with_cohandler,
        lambda n: ReportCohandlerResult(CO, n, "宿舍管理方面已配合。"),
        T0 + timedelta(hours=3),
        ["cohandler_result"],
        [("followup_forward", [HQC], "【协办结果】"), ("confirm", [XSC], "【已记录】")],
        {"status": "dispatched"},
    ),
    (
        "follow-up to the department",
        None,
        lambda n: AddFollowUp(WRITER, n, "补充：5楼也没有热水。", "<f1@stu.example.edu.cn>"),
        T0 + timedelta(hours=3),
        ["follow_up"],
        [("followup_forward", [HQC], "【补充来信】")],
        {"status": "dispatched"},
    ),
    (
        "follow-up before any 转办 goes to the office",
        unrouted,
        lambda n: AddFollowUp(WRITER, n, "补充：5楼也没有热水。", "<f2@stu.example.edu.cn>"),
        T0 + timedelta(hours=3),
        ["follow_up"],
        [("followup_forward", [OFFICE_BOX], "【补充来信】")],
        {"status": "triage"},
    ),
]


@pytest.fixture
def ctx(tmp_config: Any, tmp_path: Path) -> AppContext:
    return context(tmp_config(database_url=f"sqlite:///{tmp_path / 'xinxiang.db'}"))


def run(ctx: AppContext, command: Message, when: datetime) -> Handled:
    """`command` as the reply loop gives it: in a savepoint of the reply's unit of work."""
    with ctx.db.unit_of_work() as s:
        return handle(command, ctx, when, session=s)


def prepared(ctx: AppContext, prepare: Prepare) -> str:
    """A fresh ticket (dispatched to hqc at T0), made ready by `prepare`; its number."""
    number = new_ticket(ctx, T0)
    if prepare is not None:
        prepare(ctx, number)
    return number


@pytest.mark.parametrize(
    ("case", "prepare", "build", "when", "events", "expected_mails", "fields"),
    CHANGES,
    ids=[c[0] for c in CHANGES],
)
def test_each_reply_action_gives_its_rows_events_and_mails(
    ctx: AppContext,
    case: str,
    prepare: Prepare,
    build: Build,
    when: datetime,
    events: list[str],
    expected_mails: list[tuple[str, list[str], str]],
    fields: dict[str, Any],
) -> None:
    number = prepared(ctx, prepare)
    command = build(number)
    before_events, before_mails = len(log(ctx, number)), len(outbox(ctx))
    done = run(ctx, command, when)
    new = [e for e in log(ctx, number)[before_events:] if e[0] != "mail_queued"]
    queued = mails(ctx, number, before_mails)
    assert done.number == number and done.summary
    assert [k for k, _ in new] == events
    assert {a for _, a in new} <= {command.actor.name, "system"}
    assert new[0][1] == command.actor.name
    assert sorted(queued) == sorted(expected_mails)
    after = columns(ctx, number)
    assert {k: after[k] for k in fields} == fields


def test_the_recorded_reply_and_the_co_handlers_report(ctx: AppContext) -> None:
    number = new_ticket(ctx, T0)
    with_cohandler(ctx, number)
    at = T0 + timedelta(hours=1)
    run(ctx, RequestExtension(DEPT, number, date(2026, 12, 4), "需协调", "延期：至12月4日"), at)
    run(ctx, ReportCohandlerResult(CO, number, "已配合。"), at)
    with ctx.db.unit_of_work() as s:
        replies = s.execute(select(TicketReplyRow).order_by(TicketReplyRow.id)).scalars().all()
        assert [(r.kind, r.state, r.department_code, r.author) for r in replies] == [
            ("extension", "pending_approval", "hqc", HQC),
            ("cohandler_result", "recorded", "xsc", XSC),
        ]
        # The requested instant keeps the time of day of the current formal due (00:00).
        assert replies[0].extension_until == local(2026, 12, 4, 0, 0)
        co = s.execute(select(CohandlerRow)).scalar_one()
        assert (co.department_code, co.reported_at) == ("xsc", at)


def closed(ctx: AppContext, n: str) -> None:
    update_ticket(ctx, n, status="closed")


def accepted(ctx: AppContext, n: str) -> None:
    run(ctx, AcceptTicket(DEPT, n, "受理"), T0 + timedelta(minutes=5))


REFUSALS: list[tuple[str, Prepare, Build, datetime, str]] = [
    ("empty answer", None, lambda n: AnswerTicket(DEPT, n, "formal", " "), T0, "答复正文为空"),
    (
        "answer on a returned ticket",
        unrouted,
        lambda n: AnswerTicket(DEPT, n, "formal", "已处理"),
        T0,
        "已退回党政办公室",
    ),
    (
        "planned date already past",
        None,
        lambda n: AnswerTicket(DEPT, n, "preliminary", "研究中", date(2026, 11, 30)),
        T0,
        "已过",
    ),
    ("closed", closed, lambda n: AcceptTicket(DEPT, n, "受理"), T0, "该工单已办结"),
    (
        "return after the hour",
        None,
        lambda n: ReturnTicket(DEPT, n, "不属于本部门"),
        T0 + timedelta(hours=2),
        "已超过退回时限（转办后1小时内）",
    ),
    ("return after 受理", accepted, lambda n: ReturnTicket(DEPT, n, "x"), T0, "工单已受理"),
    ("return without reason", None, lambda n: ReturnTicket(DEPT, n, None), T0, "须写明原因"),
    ("extension without date", None, lambda n: RequestExtension(DEPT, n, None), T0, "须写明日期"),
    (
        "extension too long",
        None,
        lambda n: RequestExtension(DEPT, n, date(2026, 12, 20), "x"),
        T0,
        "延期最长为",
    ),
]


@pytest.mark.parametrize(
    ("case", "prepare", "build", "when", "reason"), REFUSALS, ids=[r[0] for r in REFUSALS]
)
def test_a_refused_reply_action_changes_nothing_and_says_why(
    ctx: AppContext, case: str, prepare: Prepare, build: Build, when: datetime, reason: str
) -> None:
    number = prepared(ctx, prepare)
    rows, row = counts(ctx), columns(ctx, number)
    with pytest.raises(Refused, match=reason) as refused:
        run(ctx, build(number), when)
    assert refused.value.refusal.reason == str(refused.value)
    assert counts(ctx) == rows and columns(ctx, number) == row


def test_on_postgresql_an_answer_in_a_batch_is_a_savepoint(tmp_config: Any, pg_url: str) -> None:
    ctx = context(tmp_config(database_url=pg_url))
    number = new_ticket(ctx, T0)
    at = T0 + timedelta(minutes=20)
    refused = []
    with ctx.db.unit_of_work() as s:
        for command in (
            AcceptTicket(DEPT, number, "受理"),
            ReturnTicket(DEPT, number, "不属于本部门"),  # refused: already accepted
            AnswerTicket(DEPT, number, "formal", "热水已恢复供应。"),
        ):
            try:
                handle(command, ctx, at, session=s)
            except Refused as exc:
                refused.append(exc.refusal.code)
    assert refused == ["already_accepted"]
    assert columns(ctx, number)["status"] == "answered"
    assert [k for k, _ in log(ctx, number) if k in ("accepted", "returned", "formal")] == [
        "accepted",
        "formal",
    ]
