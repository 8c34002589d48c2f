"""Specification of the command layer for the office's actions: commands through the bus.

Each action gives the rows, events and outbox mails the office's services gave; a refusal
changes nothing and says why in Chinese; inside a batch's unit of work each command runs in a
savepoint, so one refused command leaves the others in place. SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from handler_helpers import columns, counts, log, mails
from inbound_helpers import context
from office_helpers import office
from sweep_helpers import local, new_ticket, outbox, ticket
from xinxiang.cli import main
from xinxiang.handlers import (
    AddCohandlers,
    ApproveReply,
    DecideExtension,
    Message,
    Refused,
    RejectReply,
    RouteTicket,
    handle,
)
from xinxiang.services.context import AppContext
from xinxiang.store.models import CohandlerRow, TicketRow
from xinxiang.store.models_replies import TicketReplyRow

T0 = local(2026, 12, 1, 9, 30)  # Tuesday; the letter is dispatched to hqc at T0, formal due 12-02
OFFICE = office("dzb@example.edu.cn")
HQC = "hqc@example.edu.cn"
PETITIONER = "zhangsan@stu.example.edu.cn"
OFFICE_BOX = "dzb@example.edu.cn"


def pending(ctx: AppContext, number: str, kind: str = "formal", **values: Any) -> int:
    """A reply of hqc waiting for the office, as the reply loop records it; its id."""
    with ctx.db.unit_of_work() as s:
        t = s.execute(select(TicketRow).where(TicketRow.number == number)).scalar_one()
        if kind == "formal":
            t.status = "pending_approval"
        row = TicketReplyRow(
            ticket_id=t.id,
            kind=kind,
            department_code="hqc",
            author=HQC,
            text="热水已恢复供应。",
            state="pending_approval",
            created_at=T0 + timedelta(minutes=30),
            **values,
        )
        s.add(row)
        s.flush()
        return row.id


def reply(ctx: AppContext, reply_id: int) -> TicketReplyRow:
    with ctx.db.unit_of_work() as s:
        row = s.get(TicketReplyRow, reply_id)
        assert row is not None
        return row


Build = Callable[[AppContext, str], Message]

# (case, command, when, events, mails, ticket fields afterwards)
ACTIONS: list[tuple[str, Build, datetime, list[str], list[tuple[str, list[str], str]], dict]] = [
    (
        "transfer",
        lambda ctx, n: RouteTicket(OFFICE, n, "xsc", "涉及学生宿舍管理"),
        local(2026, 12, 1, 23, 0),
        ["transferred"],
        [("dispatch", ["xsc@example.edu.cn"], "【转办】")],
        {"status": "dispatched", "department_code": "xsc", "formal_due": local(2026, 12, 2, 10)},
    ),
    (
        "cohandlers",
        lambda ctx, n: AddCohandlers(OFFICE, n, ("xsc", "保卫处")),
        T0,
        ["cohandlers_added"],
        [
            ("cohandler", ["xsc@example.edu.cn"], "【协办】"),
            ("cohandler", ["bwc@example.edu.cn"], "【协办】"),
        ],
        {"status": "dispatched", "department_code": "hqc"},
    ),
    (
        "extension approved",
        lambda ctx, n: DecideExtension(OFFICE, n, True, "需协调维修单位", date(2026, 12, 3)),
        T0,
        ["extension_approved"],
        [("extension_decision", [HQC], "【延期已同意】")],
        {"formal_due": local(2026, 12, 4, 0, 0)},
    ),
    (
        "extension refused",
        lambda ctx, n: DecideExtension(OFFICE, n, False, "理由不充分", date(2026, 12, 3)),
        T0,
        ["extension_refused"],
        [("extension_decision", [HQC], "【延期未同意】")],
        {"formal_due": local(2026, 12, 2, 0, 0)},
    ),
    (
        "approve",
        lambda ctx, n: (pending(ctx, n), ApproveReply(OFFICE, n))[1],
        T0 + timedelta(hours=1),
        ["approved", "answered", "record_generated", "answer_letter_generated"],
        [
            ("answer", [PETITIONER], "【正式答复】"),
            ("answer_copy", [OFFICE_BOX], "【双反馈】【正式答复】"),
            ("confirm", [HQC], "【已记录】"),
        ],
        {"status": "answered", "disposition": "dispatch"},
    ),
    (
        "reject",
        lambda ctx, n: (pending(ctx, n), RejectReply(OFFICE, n, "请写明处理措施"))[1],
        T0 + timedelta(hours=1),
        ["rejected"],
        [("refuse", [HQC], "【未采纳】")],
        {"status": "accepted", "formal_due": local(2026, 12, 2, 0, 0)},
    ),
]


@pytest.mark.parametrize(
    ("case", "build", "when", "events", "expected_mails", "fields"),
    ACTIONS,
    ids=[a[0] for a in ACTIONS],
)
def test_each_office_action_gives_its_rows_events_and_mails(
    tmp_config: Any,
    db_url: str,
    case: str,
    build: Build,
    when: datetime,
    events: list[str],
    expected_mails: list[tuple[str, list[str], str]],
    fields: dict[str, Any],
) -> None:
    ctx = context(tmp_config(database_url=db_url))
    number = new_ticket(ctx, T0)
    before_events, before_mails = len(log(ctx, number)), len(outbox(ctx))
    done = handle(build(ctx, number), ctx, when)
    assert done.number == number and done.summary
    new = log(ctx, number)[before_events:]
    queued = [e for e in new if e[0] == "mail_queued"]
    assert [k for k, _ in new if k != "mail_queued"] == events
    assert len(queued) == len(expected_mails)
    assert all(a in (OFFICE.name, "system") for _, a in new)
    assert new[0][1] == OFFICE.name
    assert sorted(mails(ctx, number, before_mails)) == sorted(expected_mails)
    after = columns(ctx, number)
    assert {k: after[k] for k in fields} == fields


def test_approval_and_rejection_settle_the_reply(tmp_config: Any, db_url: str) -> None:
    ctx = context(tmp_config(database_url=db_url))
    a, b = new_ticket(ctx, T0), new_ticket(ctx, T0, sender="lisi@stu.example.edu.cn")
    ra, rb = pending(ctx, a), pending(ctx, b)
    at = T0 + timedelta(hours=1)
    handle(ApproveReply(OFFICE, a, "热水已恢复（经核实）。"), ctx, at)
    handle(RejectReply(OFFICE, b, "  请写明处理措施 "), ctx, at)
    sent, back = reply(ctx, ra), reply(ctx, rb)
    assert (sent.state, sent.final_text, sent.decided_by, sent.sent_at) == (
        "sent",
        "热水已恢复（经核实）。",
        OFFICE.name,
        at,
    )
    assert (back.state, back.reject_reason, back.decided_at) == ("rejected", "请写明处理措施", at)


def test_the_cli_extension_decision_settles_the_pending_request(
    tmp_config: Any, db_url: str
) -> None:
    cfg_dir = tmp_config(database_url=db_url)
    ctx = context(cfg_dir)
    number = new_ticket(ctx, T0)
    rid = pending(ctx, number, "extension", extension_until=local(2026, 12, 4, 0, 0))
    args = ["tickets", "extend", number, "--until", "2026-12-03", "--reason", "可以"]
    assert main([*args, "--now", "2026-12-01T12:00+08:00", "--config", str(cfg_dir)]) == 0
    settled = reply(ctx, rid)
    assert (settled.state, settled.decided_by) == ("approved", "cli:党政办公室")
    assert ticket(ctx, number).formal_due == local(2026, 12, 4, 0, 0)


REFUSALS: list[tuple[str, Build, datetime, str]] = [
    ("same department", lambda c, n: RouteTicket(OFFICE, n, "hqc", "x"), T0, "无需改派"),
    ("no reason", lambda c, n: RouteTicket(OFFICE, n, "xsc"), T0, "改派须写明原因（--reason）"),
    ("lead", lambda c, n: AddCohandlers(OFFICE, n, ("hqc",)), T0, "是主办单位"),
    (
        "too long",
        lambda c, n: DecideExtension(OFFICE, n, True, "x", date(2026, 12, 20)),
        T0,
        "最多延长5个自然日",
    ),
    (
        "in the past",
        lambda c, n: DecideExtension(OFFICE, n, True, "x", date(2026, 12, 3)),
        local(2026, 12, 5, 9, 0),
        "已过",
    ),
    ("nothing pending", lambda c, n: ApproveReply(OFFICE, n), T0, "没有待审核的答复"),
    (
        "no reason to reject",
        lambda c, n: (pending(c, n), RejectReply(OFFICE, n, " "))[1],
        T0,
        "驳回须写明理由",
    ),
    (
        "extension already late",
        lambda c, n: (
            pending(c, n, "extension", extension_until=local(2026, 12, 3, 0, 0)),
            ApproveReply(OFFICE, n),
        )[1],
        local(2026, 12, 3, 8, 0),
        "已过，不能同意",
    ),
]


@pytest.mark.parametrize(
    ("case", "build", "when", "reason"), REFUSALS, ids=[r[0] for r in REFUSALS]
)
def test_a_refusal_changes_nothing_and_says_why(
    tmp_config: Any, db_url: str, case: str, build: Build, when: datetime, reason: str
) -> None:
    ctx = context(tmp_config(database_url=db_url))
    number = new_ticket(ctx, T0)
    command = build(ctx, number)
    rows, row = counts(ctx), columns(ctx, number)
    with pytest.raises(Refused, match=reason) as refused:
        handle(command, ctx, when)
    assert refused.value.refusal.reason == str(refused.value)
    assert counts(ctx) == rows and columns(ctx, number) == row


def test_in_a_batch_each_command_is_a_savepoint(tmp_config: Any, db_url: str) -> None:
    ctx = context(tmp_config(database_url=db_url))
    a, b = new_ticket(ctx, T0), new_ticket(ctx, T0, sender="lisi@stu.example.edu.cn")
    commands: list[Message] = [
        RouteTicket(OFFICE, a, "xsc", "涉及学生宿舍管理"),
        RouteTicket(OFFICE, b, "hqc", "x"),  # refused: already hqc's
        AddCohandlers(OFFICE, b, ("nosuch",)),  # refused: no such department
        AddCohandlers(OFFICE, b, ("xsc",)),
    ]
    refused = []
    with ctx.db.unit_of_work() as s:
        for c in commands:
            try:
                handle(c, ctx, T0 + timedelta(minutes=10), session=s)
            except Exception as exc:
                refused.append(str(exc))
    assert len(refused) == 2 and "无需改派" in refused[0] and "未知单位" in refused[1]
    assert ticket(ctx, a).department_code == "xsc"
    assert "cohandlers_added" in [k for k, _ in log(ctx, b)]
    with ctx.db.unit_of_work() as s:
        assert s.execute(select(CohandlerRow.department_code)).scalars().all() == ["xsc"]
