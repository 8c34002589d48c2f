"""Tickets in every state, commands and the real 2026 calendar for the workflow's table tests.

All times are school-local (Asia/Shanghai). The reference ticket arrived on Tuesday
2026-03-10 08:00 and, once dispatched, was dispatched (受理) at 09:00 to 教务处 (`jwc`) on track 1:
day 1 is 03-10, the response and the formal reply are due at 24:00 that day (03-11 00:00).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from xinxiang.dispatch.calendar import ChineseWorkingCalendar
from xinxiang.domain.states import TicketStatus
from xinxiang.domain.workflow import (
    Accept,
    AddCohandlers,
    Approve,
    Calendar,
    Change,
    Close,
    Command,
    DecideExtension,
    DepartmentRef,
    ExpireRevisit,
    FollowUp,
    FormalAnswer,
    HoldForTriage,
    Outcome,
    PendingReply,
    PreliminaryAnswer,
    RateRevisit,
    RecordCohandlerResult,
    RecordInstruction,
    Refusal,
    Reject,
    RemindRevisit,
    Reopen,
    RequestExtension,
    ReturnToOffice,
    Route,
    SendRevisit,
    Settle,
    SkipRevisit,
    TicketSnapshot,
    WorkflowPolicy,
    decide,
)

TZ = ZoneInfo("Asia/Shanghai")
CALENDAR: Calendar = ChineseWorkingCalendar()  # the real calendar satisfies the protocol
POLICY = WorkflowPolicy(tz=TZ)
S = TicketStatus

DEPT = "jwc@example.edu.cn"  # 教务处, the lead department
CO = "cwc@example.edu.cn"  # 财务处, a co-handler
OFFICE = "dzb@example.edu.cn"  # 党政办公室
JWC = DepartmentRef("jwc", "教务处")
CWC = DepartmentRef("cwc", "财务处")
ZWC = DepartmentRef("zwc", "总务处")


def at(text: str) -> datetime:
    """A school-local instant written without offset."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


RECEIVED_AT = at("2026-03-10T08:00")
DISPATCHED_AT = at("2026-03-10T09:00")
NOW = at("2026-03-10T09:30")
"""Inside the 1-hour return window (seed 004 第八条(四))."""
END_OF_DAY_1 = at("2026-03-11T00:00")

_NEW = TicketSnapshot(
    number="2026-000123",
    status=S.RECEIVED,
    received_at=RECEIVED_AT,
    dispatch_due=RECEIVED_AT + timedelta(days=1),
)
_DISPATCHED = replace(
    _NEW,
    status=S.DISPATCHED,
    track=1,
    department="jwc",
    dispatched_at=DISPATCHED_AT,
    accepted_at=DISPATCHED_AT,
    first_day=date(2026, 3, 10),
    response_due=END_OF_DAY_1,
    formal_due=END_OF_DAY_1,
)
FORMAL_PENDING = PendingReply(7, "formal", "jwc", DEPT, "正式答复：已调整考试安排。")
PRELIMINARY_PENDING = PendingReply(
    8, "preliminary", "jwc", DEPT, "初步答复：正在研究。", planned_formal_date=date(2026, 3, 20)
)
EXTENSION_PENDING = PendingReply(
    9, "extension", "jwc", DEPT, "延期：至2026-03-13", extension_until=at("2026-03-13T00:00")
)

STATES: dict[TicketStatus, TicketSnapshot] = {
    S.RECEIVED: _NEW,
    S.TRIAGE: replace(_NEW, status=S.TRIAGE),
    S.DISPATCHED: _DISPATCHED,
    S.ACCEPTED: replace(_DISPATCHED, status=S.ACCEPTED),
    S.PRELIMINARY: replace(
        _DISPATCHED, status=S.PRELIMINARY, preliminary_given=True, preliminary_sent=True
    ),
    S.PENDING_APPROVAL: replace(
        _DISPATCHED, status=S.PENDING_APPROVAL, public_consent=True, pending=(FORMAL_PENDING,)
    ),
    S.ANSWERED: replace(
        _DISPATCHED,
        status=S.ANSWERED,
        revisit_due=at("2026-03-12T09:00"),
        disposition="answered",
    ),
    S.CLOSED: replace(_NEW, status=S.CLOSED, closed_at=at("2026-03-10T08:01")),
    S.REWORK: replace(
        _DISPATCHED,
        status=S.REWORK,
        revisit_due=at("2026-03-12T09:00"),
        disposition="answered",
        rounds=1,
        rework_count=1,
        rating=2,
        revisit_state="rated",
    ),
    S.SUPERVISED: replace(
        _DISPATCHED,
        status=S.SUPERVISED,
        disposition="answered",
        rounds=2,
        rework_count=1,
        rating=1,
        revisit_state="rated",
    ),
}
"""The reference ticket in each state (a fresh triage, not a returned one)."""


def ticket(status: TicketStatus, **changes: Any) -> TicketSnapshot:
    """The reference ticket in `status`, with `changes`."""
    return replace(STATES[status], **changes)


COMMANDS: dict[str, Command] = {
    "accept": Accept(DEPT, "受理"),
    "preliminary": PreliminaryAnswer(DEPT, "正在研究。", date(2026, 3, 20)),
    "formal": FormalAnswer(DEPT, "已调整考试安排。"),
    "return": ReturnToOffice(DEPT, "不属于本部门职责"),
    "extension": RequestExtension(DEPT, date(2026, 3, 13), "需校外单位配合"),
    "cohandler_result": RecordCohandlerResult(CO, "cwc", "经费已落实。"),
    "follow_up": FollowUp("zhangsan@stu.example.edu.cn", "补充：照片见附件。", "<f1@qq.com>"),
    "route": Route(OFFICE, ZWC, "职责调整"),
    "triage": HoldForTriage("system", "无把握的分类"),
    "cohandlers": AddCohandlers(OFFICE, (CWC,)),
    "extension_decision": DecideExtension(OFFICE, True, "同意", date(2026, 3, 13)),
    "approve": Approve(OFFICE),
    "reject": Reject(OFFICE, "请补充处理依据"),
    "close": Close("system", "legal_channel"),
    "settle": Close(OFFICE, "settled"),
    "reopen": Reopen(OFFICE, "来信人不满意，需重新办理"),
    "revisit": SendRevisit("system", "n1"),
    "revisit_skip": SkipRevisit("system", "no_contact", "n1"),
    "revisit_remind": RemindRevisit("system"),
    "revisit_expire": ExpireRevisit("system"),
    "rate": RateRevisit(OFFICE, 4, "phone"),
    "instruction": RecordInstruction(OFFICE, "请教务处三日内办结并回复来信人。"),
    "office_settle": Settle(OFFICE, "督办后已答复，来信人诉求已依规办理"),
}
"""One ordinary command of each action."""


def run(s: TicketSnapshot, command: Command, now: datetime = NOW, **policy: Any) -> Outcome:
    """The outcome of `command` on `s` at `now` under the school's policy (or `policy`)."""
    return decide(s, command, now, replace(POLICY, **policy), CALENDAR)


def change(s: TicketSnapshot, command: Command, now: datetime = NOW, **policy: Any) -> Change:
    """The change `command` makes (the test fails on a refusal, showing its reason)."""
    outcome = run(s, command, now, **policy)
    assert isinstance(outcome, Change), outcome
    return outcome


def refusal(s: TicketSnapshot, command: Command, now: datetime = NOW, **policy: Any) -> Refusal:
    """The refusal of `command` (the test fails on a change)."""
    outcome = run(s, command, now, **policy)
    assert isinstance(outcome, Refusal), outcome
    return outcome


def kinds(c: Change) -> list[str]:
    """The notice kinds of a change, in order."""
    return [n.kind for n in c.notices]


def event_kinds(c: Change) -> list[str]:
    """The event kinds of a change, in order."""
    return [e.kind for e in c.events]
