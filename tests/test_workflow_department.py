"""A department's answers as workflow actions: 受理, 初步回复, 正式回复, 退回, 延期, 协办结果.

Each table row names the seed rule it follows (shared/seeds: 001 北京农学院, 002 中国劳动关系学院,
004 北京教育学院). Times are school-local; the reference ticket was dispatched on Tuesday
2026-03-10 09:00 on track 1 (see workflow_helpers).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from workflow_helpers import (
    CO,
    DEPT,
    END_OF_DAY_1,
    NOW,
    S,
    at,
    change,
    event_kinds,
    kinds,
    refusal,
    ticket,
)
from xinxiang.domain.deadlines import DeadlinePolicy
from xinxiang.domain.workflow import (
    THIS_REPLY,
    Accept,
    CohandlerState,
    FormalAnswer,
    PreliminaryAnswer,
    RecordCohandlerResult,
    RequestExtension,
    ReturnToOffice,
    Role,
)

# -- 受理 --------------------------------------------------------------------------------

# (case, seed, ticket changes, declared track, status after, track after,
#  preliminary due, formal due, confirmation)
# fmt: off
ACCEPT = [
    ("track 1 keeps its deadlines", "002 第九条1: 一个工作日内正式回复",
     {}, None, S.ACCEPTED, 1, None, "2026-03-11T00:00", "已记录为受理"),
    ("需本部门研究: preliminary at the end of working day 2", "002 第九条2: 两个工作日内初步回复",
     {}, 2, S.ACCEPTED, 2, "2026-03-12T00:00", None,
     "已记录为受理（办理类别：需本部门研究，初步回复时限2026-03-11 24:00）"),
    ("需学校研究: preliminary at the end of working day 3", "002 第九条3: 三个工作日内初步回复",
     {}, 3, S.ACCEPTED, 3, "2026-03-13T00:00", None,
     "已记录为受理（办理类别：需学校研究，初步回复时限2026-03-12 24:00）"),
    ("dispatched after 22:00: day 1 is the next working day", "002 第九条1: 22:00 以后接诉",
     {"dispatched_at": at("2026-03-10T22:30"), "accepted_at": at("2026-03-10T22:30")}, 3,
     S.ACCEPTED, 3, "2026-03-14T00:00", None,
     "已记录为受理（办理类别：需学校研究，初步回复时限2026-03-13 24:00）"),
    ("dispatched on a Friday: the weekend does not count", "002 第九条2: 工作日",
     {"dispatched_at": at("2026-03-13T16:00"), "accepted_at": at("2026-03-13T16:00")}, 2,
     S.ACCEPTED, 2, "2026-03-17T00:00", None,
     "已记录为受理（办理类别：需本部门研究，初步回复时限2026-03-16 24:00）"),
    ("the same track again restages nothing", "002 第九条",
     {"track": 2, "preliminary_due": at("2026-03-12T00:00"), "formal_due": None}, 2,
     S.ACCEPTED, 2, "2026-03-12T00:00", None,
     "已记录为受理（办理类别：需本部门研究，初步回复时限2026-03-11 24:00）"),
]
# fmt: on


def _opt(text: str | None) -> datetime | None:
    return at(text) if text else None


@pytest.mark.parametrize(
    ("case", "seed", "changes", "track", "status", "track_after", "prelim", "formal", "message"),
    ACCEPT,
    ids=[row[0] for row in ACCEPT],
)
def test_accept(
    case: str,
    seed: str,
    changes: dict[str, Any],
    track: int | None,
    status: S,
    track_after: int,
    prelim: str | None,
    formal: str | None,
    message: str,
) -> None:
    c = change(ticket(S.DISPATCHED, **changes), Accept(DEPT, "受理：需研究", track))
    assert c.after.status is status
    assert c.after.track == track_after
    assert c.after.preliminary_due == _opt(prelim)
    assert c.after.formal_due == _opt(formal)
    assert c.after.response_due == END_OF_DAY_1  # the same-day response is not restaged
    assert event_kinds(c) == ["accepted"]
    assert c.events[0].fields == {"track": track_after, "text": "受理：需研究"}
    (notice,) = c.notices
    assert (notice.kind, notice.to[0].role, notice.message) == ("confirm", Role.ACTOR, message)
    assert c.records_reply and c.replies[0].state == "recorded"


def test_accept_when_already_past_acceptance_keeps_the_status() -> None:
    c = change(ticket(S.PRELIMINARY), Accept(DEPT, "受理"))
    assert c.after.status is S.PRELIMINARY


# -- 初步回复 / 正式回复 -------------------------------------------------------------------

# (case, seed, planned date, formal due after)
# fmt: off
PLANNED = [
    ("a working day: its end", "002 第九条2: 待研究确定后正式回复", date(2026, 3, 20),
     "2026-03-21T00:00"),
    ("a Saturday: 24:00 all the same (was 23:59:59)", "issue #11: the end of a date",
     date(2026, 3, 21), "2026-03-22T00:00"),
    ("a public holiday: 24:00 all the same", "issue #11: the end of a date",
     date(2026, 10, 1), "2026-10-02T00:00"),
    ("today: its end is still ahead", "issue #11: the end of a date",
     date(2026, 3, 10), "2026-03-11T00:00"),
]
# fmt: on


@pytest.mark.parametrize(
    ("case", "seed", "planned", "due"), PLANNED, ids=[row[0] for row in PLANNED]
)
def test_preliminary_sets_the_formal_due_to_the_end_of_the_planned_date(
    case: str, seed: str, planned: date, due: str
) -> None:
    c = change(ticket(S.ACCEPTED, track=2), PreliminaryAnswer(DEPT, "正在研究。", planned))
    assert c.after.formal_due == at(due)
    assert c.after.planned_formal_date == planned
    assert c.after.status is S.PRELIMINARY
    assert c.events[0].fields["planned_formal_date"] == planned.isoformat()


def test_preliminary_with_a_planned_date_already_past_is_refused() -> None:
    r = refusal(ticket(S.ACCEPTED), PreliminaryAnswer(DEPT, "研究中", date(2026, 3, 9)))
    assert r.reason == "预计正式回复日期（2026-03-09）已过，请写明今后的日期。"


# (case, seed, action, public consent, approve all, status after, reply state, notices)
# fmt: off
ANSWERS = [
    ("preliminary, private letter: sent at once, 双反馈 copy to the office",
     "002 第九条2; 004 第九条(三) 双反馈", "preliminary", False, False, S.PRELIMINARY, "sent",
     ["answer", "answer_copy", "confirm"]),
    ("preliminary, public letter: waits for the office", "002 第四条2: 书记校长信箱 公开答复",
     "preliminary", True, False, S.PRELIMINARY, "pending_approval",
     ["approval_request", "confirm"]),
    ("formal, private letter: answered at once", "002 第九条1; 004 第九条(三) 双反馈",
     "formal", False, False, S.ANSWERED, "sent", ["answer", "answer_copy", "confirm"]),
    ("formal, public letter: waits for the office", "002 第四条2",
     "formal", True, False, S.PENDING_APPROVAL, "pending_approval",
     ["approval_request", "confirm"]),
    ("formal under approve_all_answers: waits for the office", "config [replies]",
     "formal", False, True, S.PENDING_APPROVAL, "pending_approval",
     ["approval_request", "confirm"]),
]
# fmt: on


@pytest.mark.parametrize(
    ("case", "seed", "kind", "public", "approve_all", "status", "state", "notices"),
    ANSWERS,
    ids=[row[0] for row in ANSWERS],
)
def test_answers(
    case: str,
    seed: str,
    kind: str,
    public: bool,
    approve_all: bool,
    status: S,
    state: str,
    notices: list[str],
) -> None:
    command = (PreliminaryAnswer if kind == "preliminary" else FormalAnswer)(DEPT, "答复内容")
    c = change(ticket(S.ACCEPTED, public_consent=public), command, approve_all_answers=approve_all)
    assert c.after.status is status
    assert kinds(c) == notices
    (reply,) = c.replies
    assert (reply.reply_id, reply.kind, reply.state, reply.text) == (None, kind, state, "答复内容")
    held = state == "pending_approval"
    assert event_kinds(c) == [kind, "approval_requested" if held else "answered"]
    assert [p.kind for p in c.after.pending] == ([kind] if held else [])
    confirm = c.notices[-1]
    assert confirm.to[0].role is Role.ACTOR
    title = "初步回复" if kind == "preliminary" else "正式回复"
    assert confirm.message == f"已记录为{title}" + (
        "，待党政办公室审核" if held else "，已发送来信人"
    )
    if not held:
        answer = c.notices[0]
        assert answer.to[0].role is Role.PETITIONER and answer.data["answer"] == "答复内容"
        assert answer.data["attach_record"] is (kind == "formal")
        assert c.notices[1].to[0].role is Role.OFFICE


def test_a_formal_answer_sets_the_revisit_48_hours_later() -> None:
    # Seeds 001 四.5 and 002 第十条: 回访 within 48 hours of the formal reply.
    c = change(ticket(S.PRELIMINARY), FormalAnswer(DEPT, "已办结。"))
    assert c.after.revisit_due == NOW + timedelta(hours=48)
    assert c.after.disposition == "answered"
    assert c.after.formal_due == END_OF_DAY_1  # the deadline is met, not moved


# (case, seed, state, command, reason)
# fmt: off
ANSWER_REFUSALS = [
    ("empty preliminary", "—", S.ACCEPTED, PreliminaryAnswer(DEPT, " \n"),
     "答复正文为空，未记录。"),
    ("empty formal", "—", S.ACCEPTED, FormalAnswer(DEPT, ""), "答复正文为空，未记录。"),
    ("formal on an answered ticket", "002 第十条: 正式回复后回访、销账", S.ANSWERED,
     FormalAnswer(DEPT, "再答复"), "该工单已办结，不再接受答复。"),
    ("formal on a ticket handed back", "004 第八条(四)", S.TRIAGE,
     FormalAnswer(DEPT, "答复"), "该工单已退回党政办公室，待重新分办，暂不能答复。"),
]
# fmt: on


@pytest.mark.parametrize(
    ("case", "seed", "status", "command", "reason"),
    ANSWER_REFUSALS,
    ids=[row[0] for row in ANSWER_REFUSALS],
)
def test_answer_refusals(case: str, seed: str, status: S, command: Any, reason: str) -> None:
    assert refusal(ticket(status), command).reason == reason


# -- 退回 --------------------------------------------------------------------------------

WINDOW_REFUSAL = (
    "已超过退回时限（转办后1小时内），按首接负责制请贵单位牵头办理，如需其他部门配合可申请协办。"
)

# (case, seed, state, now, reason given, policy window, refusal or None)
# fmt: off
RETURNS = [
    ("half an hour after 转办", "004 第八条(四): 接到派单后一小时内退回", S.DISPATCHED,
     "2026-03-10T09:30", "不属于本部门职责", None, None),
    ("exactly one hour after 转办", "004 第八条(四)", S.DISPATCHED,
     "2026-03-10T10:00", "不属于本部门职责", None, None),
    ("one second too late: 首接负责", "004 第七条/第八条(四); 001 五.3 首接负责", S.DISPATCHED,
     "2026-03-10T10:00:01", "不属于本部门职责", None, WINDOW_REFUSAL),
    ("a 30-minute window says so", "calendar.toml [policy] return_window_minutes", S.DISPATCHED,
     "2026-03-10T09:31", "不属于本部门职责", timedelta(minutes=30),
     "已超过退回时限（转办后30分钟内），按首接负责制请贵单位牵头办理，如需其他部门配合可申请协办。"),
    ("already accepted", "004 第七条: 接到派单的承办部门不得推诿", S.ACCEPTED,
     "2026-03-10T09:30", "不属于本部门职责", None, "工单已受理，不能退回。"),
    ("no reason", "004 第八条(四)", S.DISPATCHED, "2026-03-10T09:30", "", None,
     "退回须写明原因（“退回：原因……”）。"),
]
# fmt: on


@pytest.mark.parametrize(
    ("case", "seed", "status", "now", "reason", "window", "refused"),
    RETURNS,
    ids=[row[0] for row in RETURNS],
)
def test_return_to_office(
    case: str,
    seed: str,
    status: S,
    now: str,
    reason: str,
    window: timedelta | None,
    refused: str | None,
) -> None:
    policy = {"deadlines": DeadlinePolicy(return_window=window)} if window else {}
    command = ReturnToOffice(DEPT, reason)
    if refused is not None:
        assert refusal(ticket(status), command, at(now), **policy).reason == refused
        return
    c = change(ticket(status), command, at(now), **policy)
    assert c.after.status is S.TRIAGE
    assert c.after.department == "jwc"  # kept until the next 转办 (its event names it)
    assert c.after.formal_due == c.before.formal_due
    assert event_kinds(c) == ["returned"]
    assert c.events[0].fields == {"department": "jwc", "reason": reason}
    confirm, notice = c.notices
    assert confirm.message == "已记录为退回，党政办公室将重新分办。"
    assert confirm.key == f"return:{at(now).isoformat()}"
    assert notice.kind == "return_notice" and notice.to[0].role is Role.OFFICE
    assert notice.key == at(now).isoformat()  # a ticket mail: its key is per ticket
    assert notice.message == f"jwc 退回，原因：{reason}。请重新分办。"
    assert not c.replies


# -- 延期 --------------------------------------------------------------------------------

TOO_LONG = (
    "延期申请未获受理：延期最长为现正式回复时限（2026-03-10 24:00）后5个自然日，且须晚于现时限。"
)

# (case, seed, until, now, requested instant or refusal)
# fmt: off
EXTENSIONS = [
    ("two days later, same time of day", "004 第六条(三): 一般不超过5个自然日",
     date(2026, 3, 13), "2026-03-10T09:30", "2026-03-13T00:00"),
    ("exactly five natural days", "004 第六条(三)", date(2026, 3, 16), "2026-03-10T09:30",
     "2026-03-16T00:00"),
    ("six natural days", "004 第六条(三)", date(2026, 3, 17), "2026-03-10T09:30", TOO_LONG),
    ("not later than the current due", "004 第六条(三)", date(2026, 3, 11), "2026-03-10T09:30",
     TOO_LONG),
    ("no date", "004 第七条: 申请延期时应当说明理由", None, "2026-03-10T09:30",
     "延期须写明日期，例如“延期：至2026-03-13，原因：……”。"),
    ("asked when it has already passed", "—", date(2026, 3, 13), "2026-03-13T08:00",
     "延期申请未获受理：申请的时限（2026-03-12 24:00）已过。"),
]
# fmt: on


@pytest.mark.parametrize(
    ("case", "seed", "until", "now", "expected"), EXTENSIONS, ids=[row[0] for row in EXTENSIONS]
)
def test_request_extension(
    case: str, seed: str, until: date | None, now: str, expected: str
) -> None:
    command = RequestExtension(DEPT, until, "需校外单位配合", "延期：至……")
    if not expected[:1].isdigit():
        assert refusal(ticket(S.ACCEPTED), command, at(now)).reason == expected
        return
    c = change(ticket(S.ACCEPTED), command, at(now))
    assert c.after.status is S.ACCEPTED
    assert c.after.formal_due == END_OF_DAY_1  # until the office decides (审核前原时限不变)
    (pending,) = c.after.pending
    assert (pending.kind, pending.extension_until) == ("extension", at(expected))
    assert event_kinds(c) == ["extension_requested", "approval_requested"]
    assert c.events[0].fields == {"until": at(expected).isoformat(), "reason": "需校外单位配合"}
    assert kinds(c) == ["approval_request", "confirm"]
    assert c.notices[1].message == (
        f"已记录延期申请（至{until}），待党政办公室审核；审核前原时限不变。"
    )
    assert c.replies[0].state == "pending_approval"


def test_extension_without_a_formal_due_is_refused() -> None:
    # Track 2 before its 初步回复 has no formal date yet (seed 002 第九条2).
    r = refusal(
        ticket(S.ACCEPTED, track=2, formal_due=None),
        RequestExtension(DEPT, date(2026, 3, 13)),
    )
    assert r.reason == "该工单尚无正式回复时限，无需延期；请先报初步回复并写明正式回复时间。"


def test_extension_keeps_the_time_of_day_of_the_current_due() -> None:
    # A formal due at 10:00 (after the 22:00 rule) is extended to 10:00 of the date asked.
    s = ticket(S.ACCEPTED, formal_due=at("2026-03-11T10:00"))
    c = change(s, RequestExtension(DEPT, date(2026, 3, 12)))
    assert c.after.pending[0].extension_until == at("2026-03-12T10:00")


# -- 协办结果 ------------------------------------------------------------------------------


def test_cohandler_result_meets_its_deadline_and_goes_to_the_lead() -> None:
    # Seed 002 第八条4: co-handlers report to the first-responsible unit in one working day.
    co = CohandlerState("cwc", NOW - timedelta(hours=1), END_OF_DAY_1)
    other = CohandlerState("bwc", NOW - timedelta(hours=1), END_OF_DAY_1)
    c = change(
        ticket(S.ACCEPTED, cohandlers=(co, other)),
        RecordCohandlerResult(CO, "cwc", "经费已落实。"),
    )
    assert c.after.cohandlers == (CohandlerState("cwc", co.assigned_at, co.due, NOW), other)
    assert c.after.status is S.ACCEPTED
    forward, confirm = c.notices
    assert (forward.kind, forward.to[0].role, forward.to[0].ref) == (
        "followup_forward",
        Role.DEPARTMENT,
        "jwc",
    )
    assert forward.key == "co{reply}"
    assert confirm.message == "已记录为协办结果，并已转交承办部门"
    assert c.replies[0].department == "cwc"


def test_a_reported_cohandler_keeps_its_first_report_time() -> None:
    first = NOW - timedelta(minutes=5)
    co = CohandlerState("cwc", NOW - timedelta(hours=1), END_OF_DAY_1, first)
    c = change(ticket(S.ACCEPTED, cohandlers=(co,)), RecordCohandlerResult(CO, "cwc", "补充"))
    assert c.after.cohandlers == (co,)


# -- the recorded reply gets its id ----------------------------------------------------------


def test_bind_reply_fills_the_new_reply_id_into_keys_events_and_pending() -> None:
    c = change(ticket(S.ACCEPTED, public_consent=True), FormalAnswer(DEPT, "答复"))
    assert c.records_reply
    assert c.events[1].fields["reply_id"] is THIS_REPLY
    bound = c.bind_reply(42)
    assert not bound.records_reply
    assert [n.key for n in bound.notices] == ["reply42", "reply42"]
    assert bound.events[1].fields["reply_id"] == 42
    assert bound.after.pending[0].reply_id == 42
    assert bound.replies[0].reply_id == 42


def test_every_department_answer_is_refused_once_the_ticket_is_closed() -> None:
    for command in (
        Accept(DEPT),
        PreliminaryAnswer(DEPT, "x"),
        FormalAnswer(DEPT, "x"),
        ReturnToOffice(DEPT, "x"),
        RequestExtension(DEPT, date(2026, 3, 13)),
        RecordCohandlerResult(CO, "cwc", "x"),
    ):
        for status in (S.ANSWERED, S.CLOSED):
            assert refusal(ticket(status), command).reason == "该工单已办结，不再接受答复。"


def test_the_times_in_confirmations_are_school_local() -> None:
    # A UTC `now` must not shift the dates the department reads.
    c = change(ticket(S.DISPATCHED), Accept(DEPT, "受理", 2), NOW.astimezone(UTC))
    assert c.summary.endswith("初步回复时限2026-03-11 24:00）")
