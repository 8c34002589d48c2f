"""The office's actions as workflow actions: 转办/改派, 待分办, 协办, 延期审批, 审核, 办结.

Each table row names the seed rule it follows (shared/seeds: 000 山东农业工程学院, 001 北京农学院,
002 中国劳动关系学院, 004 北京教育学院). Times are school-local (see workflow_helpers).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from workflow_helpers import (
    CWC,
    DEPT,
    END_OF_DAY_1,
    EXTENSION_PENDING,
    FORMAL_PENDING,
    JWC,
    NOW,
    OFFICE,
    PRELIMINARY_PENDING,
    ZWC,
    S,
    at,
    change,
    event_kinds,
    kinds,
    refusal,
    ticket,
)
from xinxiang.domain.workflow import (
    AddCohandlers,
    Approve,
    Close,
    CohandlerState,
    DecideExtension,
    DepartmentRef,
    HoldForTriage,
    PendingReply,
    Reject,
    Role,
    Route,
)

# -- 转办 / 改派 ---------------------------------------------------------------------------

# (case, seed, ticket changes, now, first day, response due, preliminary due, formal due)
# fmt: off
DISPATCHES = [
    ("weekday morning, track 1: due at the end of the day", "002 第九条1; 004 第六条 当天响应",
     {}, "2026-03-10T09:30", "2026-03-10", "2026-03-11T00:00", None, "2026-03-11T00:00"),
    ("after 22:00: next working day 10:00", "002 第九条1: 22:00 以后 … 次日 10:00 前回复",
     {}, "2026-03-10T22:30", "2026-03-11", "2026-03-11T10:00", None, "2026-03-11T10:00"),
    ("Saturday: day 1 is Monday", "002 第九条: 工作日", {}, "2026-03-14T10:00", "2026-03-16",
     "2026-03-17T00:00", None, "2026-03-17T00:00"),
    ("track 2: preliminary at the end of working day 2", "002 第九条2",
     {"track": 2}, "2026-03-10T09:30", "2026-03-10", "2026-03-11T00:00", "2026-03-12T00:00",
     None),
    ("track 3: preliminary at the end of working day 3", "002 第九条3",
     {"track": 3}, "2026-03-10T09:30", "2026-03-10", "2026-03-11T00:00", "2026-03-13T00:00",
     None),
    ("emergency: 1 hour response, 2 hours resolution", "004 第六条(一); 001 五.2 两小时",
     {"urgency": "emergency"}, "2026-03-10T09:30", "2026-03-10", "2026-03-10T10:30", None,
     "2026-03-10T11:30"),
    ("priority (水电气热): formal within 24 hours", "001 五.2: 24小时内办理解决",
     {"urgency": "priority"}, "2026-03-10T09:30", "2026-03-10", "2026-03-11T00:00", None,
     "2026-03-11T09:30"),
    ("no track yet: track 1", "002 第九条1", {"track": None}, "2026-03-10T09:30", "2026-03-10",
     "2026-03-11T00:00", None, "2026-03-11T00:00"),
]
# fmt: on


def _opt(text: str | None) -> datetime | None:
    return at(text) if text else None


@pytest.mark.parametrize(
    ("case", "seed", "changes", "now", "day1", "response", "prelim", "formal"),
    DISPATCHES,
    ids=[row[0] for row in DISPATCHES],
)
def test_dispatch_from_triage_starts_the_clock(
    case: str,
    seed: str,
    changes: dict[str, Any],
    now: str,
    day1: str,
    response: str,
    prelim: str | None,
    formal: str | None,
) -> None:
    c = change(ticket(S.TRIAGE, **changes), Route(OFFICE, JWC), at(now))
    a = c.after
    assert a.status is S.DISPATCHED
    assert (a.department, a.accepted_at, a.dispatched_at) == ("jwc", at(now), at(now))
    assert a.first_day == date.fromisoformat(day1)
    assert (a.response_due, a.preliminary_due, a.formal_due) == (
        at(response),
        _opt(prelim),
        _opt(formal),
    )
    assert a.track == (changes.get("track") or 1)
    assert a.calendar_verified
    assert event_kinds(c) == ["dispatched"]
    assert c.events[0].fields["previous"] is None
    (notice,) = c.notices
    assert (notice.kind, notice.to[0].ref) == ("dispatch", "jwc")
    assert notice.key == f"jwc:{at(now).isoformat()}"
    # 退回 is possible for one hour (seed 004 第八条(四)); the mail says until when.
    assert notice.data["return_until"] == at(now) + timedelta(hours=1)
    assert c.summary.startswith("已转办至教务处，办理时限自本次受理起重新计算，")


def test_transfer_restarts_the_clock_from_now() -> None:
    # Seed 004 第六条: 转办 within one natural day; a transfer is a new 受理 for the new unit.
    s = ticket(S.ACCEPTED, cohandlers=(CohandlerState("cwc", NOW, END_OF_DAY_1),))
    c = change(s, Route(OFFICE, ZWC, "职责调整"), at("2026-03-11T15:00"))
    assert c.after.status is S.DISPATCHED
    assert c.after.department == "zwc"
    assert c.after.accepted_at == at("2026-03-11T15:00")
    assert c.after.formal_due == at("2026-03-12T00:00")
    assert c.after.cohandlers == s.cohandlers  # co-handlers stay with the ticket
    assert event_kinds(c) == ["transferred"]
    assert c.events[0].fields["previous"] == "jwc"
    assert c.events[0].fields["reason"] == "职责调整"
    assert c.notices[0].data["transfer_reason"] == "职责调整"
    assert (
        c.summary == "已改派至总务处，办理时限自本次受理起重新计算，正式回复时限 2026-03-11 24:00。"
    )


def test_dispatch_after_a_return_names_the_previous_department() -> None:
    returned = ticket(S.DISPATCHED)
    returned = replace(returned, status=S.TRIAGE)
    c = change(returned, Route(OFFICE, ZWC))  # no reason needed: the office dispatches anew
    assert event_kinds(c) == ["transferred"]
    assert c.events[0].fields["previous"] == "jwc"
    assert c.summary.startswith("已改派至总务处")


# (case, seed, state, command, reason)
# fmt: off
ROUTE_REFUSALS = [
    ("transfer to the same unit", "004 第七条 首接负责", S.ACCEPTED, Route(OFFICE, JWC, "x"),
     "工单 2026-000123 已由 教务处 承办，无需改派"),
    ("transfer without a reason (CLI)", "—", S.DISPATCHED, Route(OFFICE, ZWC, " "),
     "改派须写明原因（--reason）"),
    ("transfer without a reason (mail)", "—", S.DISPATCHED,
     Route(OFFICE, ZWC, None, "，例如“转办：教务处，原因：……”"),
     "改派须写明原因，例如“转办：教务处，原因：……”"),
    ("an answered ticket", "002 第十条", S.ANSWERED, Route(OFFICE, ZWC, "x"),
     "工单 2026-000123 当前状态为“已答复”，不能转办"),
    ("a closed ticket", "—", S.CLOSED, Route(OFFICE, ZWC, "x"),
     "工单 2026-000123 当前状态为“已办结”，不能转办"),
]
# fmt: on


@pytest.mark.parametrize(
    ("case", "seed", "status", "command", "reason"),
    ROUTE_REFUSALS,
    ids=[row[0] for row in ROUTE_REFUSALS],
)
def test_route_refusals(case: str, seed: str, status: S, command: Route, reason: str) -> None:
    assert refusal(ticket(status), command).reason == reason


def test_triage_holds_a_new_ticket_for_the_office() -> None:
    # Seed 004 第五条: the office dispatches by hand what it cannot place at once.
    c = change(ticket(S.RECEIVED), HoldForTriage("system", "无把握的分类"))
    assert c.after.status is S.TRIAGE
    assert c.events[0].fields == {"reason": "无把握的分类"}
    assert c.after.dispatch_due == c.before.dispatch_due  # still one natural day (004 第六条)


# -- 协办 --------------------------------------------------------------------------------

# (case, seed, now, due)
# fmt: off
COHANDLER_DUES = [
    ("weekday: end of the working day", "002 第八条4: 一个工作日内报送首接单位",
     "2026-03-10T09:30", "2026-03-11T00:00"),
    ("Friday after 22:00: Monday 10:00", "002 第九条1: 22:00 规则", "2026-03-13T22:30",
     "2026-03-16T10:00"),
    ("Saturday: end of Monday", "002 第八条4", "2026-03-14T11:00", "2026-03-17T00:00"),
]
# fmt: on


@pytest.mark.parametrize(
    ("case", "seed", "now", "due"), COHANDLER_DUES, ids=[row[0] for row in COHANDLER_DUES]
)
def test_add_cohandlers(case: str, seed: str, now: str, due: str) -> None:
    bwc = DepartmentRef("bwc", "保卫处")
    c = change(ticket(S.ACCEPTED), AddCohandlers(OFFICE, (CWC, bwc, CWC)), at(now))
    assert c.after.cohandlers == (
        CohandlerState("cwc", at(now), at(due)),
        CohandlerState("bwc", at(now), at(due)),
    )
    assert c.after.status is S.ACCEPTED
    assert c.events[0].fields == {"departments": ["cwc", "bwc"], "due": at(due).isoformat()}
    assert [(n.kind, n.to[0].ref) for n in c.notices] == [
        ("cohandler", "cwc"),
        ("cohandler", "bwc"),
    ]
    assert c.summary.startswith("已增加协办单位：财务处、保卫处，须于 ")


# fmt: off
COHANDLER_REFUSALS = [
    ("none named", S.ACCEPTED, (), {}, "请至少指定一个协办单位"),
    ("the lead itself", S.ACCEPTED, (JWC,), {}, "教务处 是主办单位，不能同时作为协办单位"),
    ("already one", S.ACCEPTED, (CWC,),
     {"cohandlers": (CohandlerState("cwc", NOW, END_OF_DAY_1),)},
     "财务处 已是工单 2026-000123 的协办单位"),
    ("not with a department", S.TRIAGE, (CWC,), {},
     "工单 2026-000123 当前状态为“待分办”，不能增加协办单位"),
]
# fmt: on


@pytest.mark.parametrize(
    ("case", "status", "depts", "changes", "reason"),
    COHANDLER_REFUSALS,
    ids=[row[0] for row in COHANDLER_REFUSALS],
)
def test_cohandler_refusals(
    case: str, status: S, depts: tuple[DepartmentRef, ...], changes: dict[str, Any], reason: str
) -> None:
    assert refusal(ticket(status, **changes), AddCohandlers(OFFICE, depts)).reason == reason


# -- 延期审批 ------------------------------------------------------------------------------

# (case, seed, pending, command, formal due after, pending state, summary)
# fmt: off
DECISIONS = [
    ("approve to a date: its end (24:00)", "004 第六条(三)", (),
     DecideExtension(OFFICE, True, "情况复杂", date(2026, 3, 14)), "2026-03-15T00:00", None,
     "已同意延期，正式回复时限调整为 2026-03-14 24:00，并已通知承办部门。"),
    ("approve the request as asked", "004 第六条(三)", (EXTENSION_PENDING,),
     DecideExtension(OFFICE, True, ""), "2026-03-13T00:00", "approved",
     "已同意延期，正式回复时限调整为 2026-03-12 24:00，并已通知承办部门。"),
    ("refuse the request", "004 第六条(三)", (EXTENSION_PENDING,),
     DecideExtension(OFFICE, False, "请按原时限办结"), "2026-03-11T00:00", "rejected",
     "已不同意延期，正式回复时限仍为 2026-03-10 24:00，并已通知承办部门。"),
]
# fmt: on


@pytest.mark.parametrize(
    ("case", "seed", "pending", "command", "formal", "state", "summary"),
    DECISIONS,
    ids=[row[0] for row in DECISIONS],
)
def test_decide_extension(
    case: str,
    seed: str,
    pending: tuple[PendingReply, ...],
    command: DecideExtension,
    formal: str,
    state: str | None,
    summary: str,
) -> None:
    c = change(ticket(S.ACCEPTED, pending=pending), command)
    assert c.after.formal_due == at(formal)
    assert c.after.pending == ()
    assert c.summary == summary
    assert [r.state for r in c.replies] == ([state] if state else [])
    kind = "extension_approved" if command.approve else "extension_refused"
    assert event_kinds(c) == [kind]
    fields = c.events[0].fields
    assert fields["previous_due"] == END_OF_DAY_1.isoformat()
    assert fields["formal_due"] == at(formal).isoformat()
    assert fields["reason"] == (command.reason or "同意承办部门的延期申请")
    (notice,) = c.notices
    assert (notice.kind, notice.to[0].ref) == ("extension_decision", "jwc")


# fmt: off
DECISION_REFUSALS = [
    ("six natural days", "004 第六条(三): 一般不超过5个自然日", S.ACCEPTED, {},
     DecideExtension(OFFICE, True, "x", date(2026, 3, 16)),
     "不能延期至 2026-03-16：延期须晚于当前正式回复时限（2026年3月10日（星期二）24:00），"
     "且最多延长5个自然日（最晚至 2026年3月15日（星期日）24:00）"),
    ("no date and nothing pending", "—", S.ACCEPTED, {}, DecideExtension(OFFICE, True, "x"),
     "该工单没有待审核的延期申请；如需直接延期，请写明日期，例如“同意延期至2026-03-13”。"),
    ("no formal due yet", "002 第九条2", S.ACCEPTED, {"formal_due": None},
     DecideExtension(OFFICE, True, "x", date(2026, 3, 12)),
     "工单 2026-000123 尚无正式回复时限，无需延期"),
    ("answered", "—", S.ANSWERED, {}, DecideExtension(OFFICE, True, "x", date(2026, 3, 12)),
     "工单 2026-000123 当前状态为“已答复”，不能办理延期"),
]
# fmt: on


@pytest.mark.parametrize(
    ("case", "seed", "status", "changes", "command", "reason"),
    DECISION_REFUSALS,
    ids=[row[0] for row in DECISION_REFUSALS],
)
def test_decide_extension_refusals(
    case: str,
    seed: str,
    status: S,
    changes: dict[str, Any],
    command: DecideExtension,
    reason: str,
) -> None:
    assert refusal(ticket(status, **changes), command).reason == reason


def test_an_extension_to_a_time_already_past_is_refused() -> None:
    s = ticket(S.ACCEPTED, formal_due=at("2026-03-09T00:00"))
    r = refusal(s, DecideExtension(OFFICE, True, "x", date(2026, 3, 9)))
    assert r.code == "past"


# -- 审核: 同意 / 修改 / 驳回 ---------------------------------------------------------------

# (case, seed, pending, edited, status after, reply state, public, notices, confirmation)
# fmt: off
APPROVALS = [
    ("同意 a public formal answer", "002 第四条2: 书记校长信箱 公开答复", (FORMAL_PENDING,),
     None, S.ANSWERED, "sent", True, ["answer", "answer_copy", "confirm"],
     "党政办公室已审核通过贵单位的正式回复，已发送来信人。"),
    ("修改 a public formal answer", "002 第四条2", (FORMAL_PENDING,), "修改后的答复",
     S.ANSWERED, "sent", True, ["answer", "answer_copy", "confirm"],
     "党政办公室已审核通过贵单位的正式回复（经修改），已发送来信人。"),
    ("同意 a preliminary answer", "002 第九条2", (PRELIMINARY_PENDING, FORMAL_PENDING),
     None, S.PRELIMINARY, "sent", False, ["answer", "answer_copy", "confirm"],
     "党政办公室已审核通过贵单位的初步回复，已发送来信人。"),
    ("同意 an extension", "004 第六条(三)", (EXTENSION_PENDING,), None, S.PENDING_APPROVAL,
     "approved", None, ["confirm"], "党政办公室已同意延期，正式回复时限调整为2026-03-12 24:00。"),
]
# fmt: on


@pytest.mark.parametrize(
    ("case", "seed", "pending", "edited", "status", "state", "public", "notices", "message"),
    APPROVALS,
    ids=[row[0] for row in APPROVALS],
)
def test_approve(
    case: str,
    seed: str,
    pending: tuple[PendingReply, ...],
    edited: str | None,
    status: S,
    state: str,
    public: bool | None,
    notices: list[str],
    message: str,
) -> None:
    s = ticket(S.PENDING_APPROVAL, pending=pending)
    c = change(s, Approve(OFFICE, edited))
    first = pending[0]
    assert c.after.status is status
    assert c.after.pending == pending[1:]
    (reply,) = c.replies
    assert (reply.reply_id, reply.state, reply.public) == (first.reply_id, state, public)
    assert (reply.decided_by, reply.final_text) == (OFFICE, edited)
    assert kinds(c) == notices
    confirm = c.notices[-1]
    assert (confirm.to[0].role, confirm.to[0].ref) == (Role.DEPARTMENT, "jwc")
    assert confirm.key == f"approved{first.reply_id}"
    assert confirm.message == message
    assert c.events[0].kind == "approved"
    assert c.events[0].fields["edited"] is (edited is not None)
    if first.kind == "extension":
        assert c.after.formal_due == first.extension_until
        assert event_kinds(c) == ["approved", "extension_granted"]
    else:
        assert c.notices[0].data["answer"] == (edited or first.text)
        assert event_kinds(c) == ["approved", "answered"]


def test_approve_a_reply_of_an_unknown_department_tells_its_author() -> None:
    orphan = replace(FORMAL_PENDING, department=None)
    c = change(ticket(S.PENDING_APPROVAL, pending=(orphan,)), Approve(OFFICE))
    assert (c.notices[-1].to[0].role, c.notices[-1].to[0].ref) == (Role.ADDRESS, DEPT)


# (case, seed, preliminary sent, pending, status after)
# fmt: off
REJECTIONS = [
    ("a formal answer, no preliminary sent: back to accepted", "002 第四条2: 督促各部门答复",
     False, (FORMAL_PENDING,), S.ACCEPTED),
    ("a formal answer after a preliminary: back to preliminary", "002 第九条2",
     True, (FORMAL_PENDING,), S.PRELIMINARY),
]
# fmt: on


@pytest.mark.parametrize(
    ("case", "seed", "sent", "pending", "status"), REJECTIONS, ids=[row[0] for row in REJECTIONS]
)
def test_reject(
    case: str, seed: str, sent: bool, pending: tuple[PendingReply, ...], status: S
) -> None:
    s = ticket(S.PENDING_APPROVAL, preliminary_sent=sent, pending=pending)
    c = change(s, Reject(OFFICE, " 请补充处理依据 "))
    assert c.after.status is status
    assert c.after.formal_due == s.formal_due  # the deadline keeps running
    (reply,) = c.replies
    assert (reply.state, reply.reject_reason) == ("rejected", "请补充处理依据")
    (notice,) = c.notices
    assert (notice.kind, notice.key) == ("refuse", "rejected7")
    assert notice.message == (
        "党政办公室驳回了贵单位的正式回复，理由：请补充处理依据。请修改后直接回复本邮件重新提交，"
        "原办理时限（2026-03-10 24:00）不变。"
    )


def test_reject_needs_a_reason_and_a_pending_reply() -> None:
    s = ticket(S.PENDING_APPROVAL)
    assert refusal(s, Reject(OFFICE, "  ")).reason == "驳回须写明理由"
    assert refusal(ticket(S.ACCEPTED), Reject(OFFICE, "x")).reason == (
        "工单 2026-000123 没有待审核的答复"
    )
    assert refusal(ticket(S.ACCEPTED), Approve(OFFICE)).reason == (
        "工单 2026-000123 没有待审核的答复"
    )


def test_approving_a_second_formal_answer_after_the_first_is_refused() -> None:
    # Two formal answers were waiting; the first is sent, the second can no longer go.
    second = replace(FORMAL_PENDING, reply_id=8)
    s = ticket(S.ANSWERED, pending=(second,))
    assert refusal(s, Approve(OFFICE)).reason == (
        "工单 2026-000123 当前状态为“已答复”，不能发送正式回复"
    )


# -- 办结 --------------------------------------------------------------------------------

# (case, seed, command, events, notices, supersedes the receipt)
# fmt: off
CLOSINGS = [
    ("legal channel", "000 二(一); 004 第八条(一): 告知法定渠道",
     Close("system", "legal_channel"), ["closed_by_template"], ["legal_channel"], True),
    ("illegal: 劝导, flagged for the office", "000 二(二); 004 第八条(五)",
     Close("system", "illegal"), ["closed_by_template"], ["illegal", "office_flag"], True),
    ("praise: forwarded", "001 五.4: 表扬类不计入考评", Close("system", "praise", "jwc"),
     ["praise_forwarded"], ["praise_forward"], False),
    ("duplicate: told where the earlier one stands", "002 第九条4; 004 第八条(二)",
     Close("system", "duplicate", earlier="2026-000100"),
     ["duplicate_linked", "duplicate_received"], ["duplicate_notice"], True),
]
# fmt: on


@pytest.mark.parametrize(
    ("case", "seed", "command", "events", "notices", "supersede"),
    CLOSINGS,
    ids=[row[0] for row in CLOSINGS],
)
def test_close_by_disposition(
    case: str,
    seed: str,
    command: Close,
    events: list[str],
    notices: list[str],
    supersede: bool,
) -> None:
    c = change(ticket(S.RECEIVED), command)
    assert c.after.status is S.CLOSED
    assert c.after.closed_at == NOW
    # Seed 001 五.4: 涉法涉诉类、表扬类 … 不计入考评; duplicates count once.
    assert c.after.excluded_from_assessment
    assert event_kinds(c) == events
    assert kinds(c) == notices
    assert c.supersede_receipt is supersede
    assert c.after.flagged is (command.kind == "illegal")
    if command.kind == "duplicate":
        assert c.after.duplicate_of == "2026-000100"
        assert c.events[1].ticket == "2026-000100"
    if command.kind == "praise":
        assert c.after.department == "jwc"


def test_settle_closes_an_answered_ticket_only() -> None:
    # Seed 002 第十条: 销账 after the answer.
    c = change(ticket(S.ANSWERED), Close(OFFICE, "settled"))
    assert (c.after.status, c.after.closed_at) == (S.CLOSED, NOW)
    assert refusal(ticket(S.PRELIMINARY), Close(OFFICE, "settled")).reason == (
        "工单 2026-000123 当前状态为“已初步答复”，不能办结"
    )


def test_a_dispatched_ticket_is_not_closed_by_a_disposition() -> None:
    r = refusal(ticket(S.DISPATCHED), Close("system", "legal_channel"))
    assert r.reason == "工单 2026-000123 当前状态为“已转办”，不能办结"


def test_pending_snapshot_helpers() -> None:
    s = ticket(S.PENDING_APPROVAL, pending=(EXTENSION_PENDING, FORMAL_PENDING))
    assert s.oldest_pending() == EXTENSION_PENDING
    assert s.pending_extension() == EXTENSION_PENDING
    assert ticket(S.ACCEPTED).pending_extension() is None
    assert s.deadlines()["formal"] == END_OF_DAY_1


def test_approving_an_extension_whose_time_has_passed_is_refused() -> None:
    # The office answered too late: moving the due into the past would help no one.
    s = ticket(S.ACCEPTED, pending=(EXTENSION_PENDING,))
    r = refusal(s, Approve(OFFICE), at("2026-03-13T08:00"))
    assert r.reason == "延期申请的时限（2026-03-12 24:00）已过，不能同意"


def test_a_change_lists_the_fields_and_cohandlers_it_sets() -> None:
    c = change(ticket(S.ACCEPTED), AddCohandlers(OFFICE, (CWC,)))
    assert c.ticket_changes() == {}
    assert c.cohandler_changes() == (CohandlerState("cwc", NOW, END_OF_DAY_1),)
    c = change(ticket(S.TRIAGE), Route(OFFICE, JWC))
    assert set(c.ticket_changes()) == {
        "status",
        "track",
        "department",
        "dispatched_at",
        "accepted_at",
        "first_day",
        "response_due",
        "formal_due",
    }
