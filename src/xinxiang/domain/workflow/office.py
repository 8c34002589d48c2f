"""The office's actions on a ticket (党政办公室): 转办/改派, 待分办, 协办, 延期审批, 办结, 重新打开.

Each checks everything before it changes anything, in the order the office's services always
have, and refuses with the one-line Chinese wording the CLI and the office's mail show.
Seeds: 004 第六条 (转办 within one natural day; extension ≤ 5 natural days), 002 第八条
(co-handlers report in one working day), 000/004 第八条 and 002 第九条 (dispositions: legal
channel, illegal, duplicate), 001 (首接负责, exclusions from assessment).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from xinxiang.domain.deadlines import (
    cohandler_due,
    dispatch_due,
    end_of_date,
    extension_allowed,
    return_window_end,
)
from xinxiang.domain.states import (
    DISPATCH_STATUSES,
    OPEN_STATUSES,
    OPEN_WORK_STATUSES,
    REOPENABLE,
)
from xinxiang.domain.workflow.commands import (
    AddCohandlers,
    Close,
    DecideExtension,
    HoldForTriage,
    Reopen,
    Route,
)
from xinxiang.domain.workflow.common import (
    S,
    dispatch_anew,
    example_date,
    move,
    refuse,
    status_refusal,
)
from xinxiang.domain.workflow.effects import (
    OFFICE,
    PETITIONER,
    Change,
    Event,
    Notice,
    Outcome,
    ReplyUpdate,
    department,
)
from xinxiang.domain.workflow.policy import (
    Calendar,
    WorkflowPolicy,
    cn_datetime_text,
    minute_text,
)
from xinxiang.domain.workflow.snapshot import CohandlerState, TicketSnapshot


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def route(
    s: TicketSnapshot, cmd: Route, now: datetime, policy: WorkflowPolicy, calendar: Calendar
) -> Outcome:
    """转办 (dispatch) from triage, or 改派 (transfer) of a dispatched ticket: the clock restarts.

    Acceptance (受理) is now; the staged deadlines follow the track (none yet: track 1) and
    urgency (seeds 002 第九条, 004 第六条, 001 三级响应). A transfer needs a reason and another
    department.
    """
    if s.status not in OPEN_STATUSES:
        return status_refusal("route", s, "转办")
    dept = cmd.department
    transfer = s.dispatched_at is not None and s.status not in DISPATCH_STATUSES
    if transfer and s.department == dept.code:
        return refuse(
            "route", "same_department", f"工单 {s.number} 已由 {dept.name} 承办，无需改派"
        )
    if transfer and not (cmd.reason and cmd.reason.strip()):
        return refuse("route", "reason_required", f"改派须写明原因{cmd.reason_hint}")
    previous = s.department if s.dispatched_at else None
    after, d = dispatch_anew(s, dept.code, now, policy, calendar)
    rework = s.status is S.REWORK
    kind = "rework_dispatched" if rework else ("transferred" if previous else "dispatched")
    event = Event(
        kind,
        cmd.actor,
        {
            "department": dept.code,
            "previous": previous,
            "reason": cmd.reason,
            "first_day": d.first_day.isoformat(),
            "response_due": d.response_due.isoformat(),
            "preliminary_due": _iso(d.preliminary_due),
            "formal_due": _iso(d.formal_due),
            "calendar_verified": d.calendar_verified,
        },
    )
    notice = Notice(
        "dispatch",
        (department(dept.code),),
        f"{dept.code}:{now.isoformat()}",
        data={
            "return_until": return_window_end(now, policy.deadlines),
            "transfer_reason": cmd.reason if previous else None,
            "rework": rework,
            "calendar_verified": d.calendar_verified,
        },
    )
    label, due = next(
        (
            (name, value)
            for name, value in (
                ("正式回复时限", d.formal_due),
                ("初步回复时限", d.preliminary_due),
                ("响应时限", d.response_due),
            )
            if value is not None
        ),
        ("", None),
    )
    tail = f"，{label} {minute_text(due, policy.tz)}" if due else ""
    verb = "重新转办（发回重办）" if rework else ("改派" if previous else "转办")
    return Change(
        action="route",
        before=s,
        after=after,
        events=(event,),
        notices=(notice,),
        summary=f"已{verb}至{dept.name}，办理时限自本次受理起重新计算{tail}。",
    )


def hold_for_triage(
    s: TicketSnapshot,
    cmd: HoldForTriage,
    now: datetime,
    policy: WorkflowPolicy,
    calendar: Calendar,
) -> Outcome:
    """待分办: a new ticket waits for the office to route it by hand (within one natural day)."""
    if s.status is not S.RECEIVED:
        return status_refusal("triage", s, "转入待分办")
    fields: dict[str, object] = {"reason": cmd.reason, **cmd.details}
    after = replace(s, status=move(s.status, S.TRIAGE))
    notices: tuple[Notice, ...] = ()
    flood = cmd.flood
    if flood is not None:
        # 刷屏: flagged for the office, which is told once, when the cap is first passed.
        fields["flood"] = True
        after = replace(after, flagged=True)
        if flood.first_over:
            data = {"address": flood.address, "count": flood.earlier + 1, "cap": flood.cap}
            notices = (Notice("office_flag", (OFFICE,), "flood", data={"flood": data}),)
    return Change(
        action="triage",
        before=s,
        after=after,
        events=(Event("triage", cmd.actor, fields),),
        notices=notices,
        summary=cmd.reason,
    )


def add_cohandlers(
    s: TicketSnapshot,
    cmd: AddCohandlers,
    now: datetime,
    policy: WorkflowPolicy,
    calendar: Calendar,
) -> Outcome:
    """协办: co-handling departments, each to report to the lead within one working day.

    Seed 002 第八条 4 (一个工作日内 … 报送至首接单位), with the 22:00 rule of the track 1 clock.
    """
    depts = tuple({d.code: d for d in cmd.departments}.values())
    if not depts:
        return refuse("cohandlers", "no_departments", "请至少指定一个协办单位")
    if s.status not in OPEN_WORK_STATUSES or not s.department:
        return status_refusal("cohandlers", s, "增加协办单位")
    for d in depts:
        if d.code == s.department:
            return refuse("cohandlers", "lead", f"{d.name} 是主办单位，不能同时作为协办单位")
        if s.cohandler(d.code) is not None:
            return refuse(
                "cohandlers", "already_cohandler", f"{d.name} 已是工单 {s.number} 的协办单位"
            )
    due = cohandler_due(now, calendar, policy.tz, policy.deadlines)
    names = "、".join(d.name for d in depts)
    return Change(
        action="cohandlers",
        before=s,
        after=replace(
            s, cohandlers=(*s.cohandlers, *(CohandlerState(d.code, now, due) for d in depts))
        ),
        events=(
            Event(
                "cohandlers_added",
                cmd.actor,
                {"departments": [d.code for d in depts], "due": due.isoformat()},
            ),
        ),
        notices=tuple(
            Notice(
                "cohandler",
                (department(d.code),),
                f"{d.code}:{now.isoformat()}",
                data={"due": due, "lead_department": s.department},
            )
            for d in depts
        ),
        summary=f"已增加协办单位：{names}，须于 {minute_text(due, policy.tz)} 前向主办单位报告。",
    )


def decide_extension(
    s: TicketSnapshot,
    cmd: DecideExtension,
    now: datetime,
    policy: WorkflowPolicy,
    calendar: Calendar,
) -> Outcome:
    """同意延期 / 不同意延期 (seed 004 第六条(三): at most 5 natural days beyond the formal due).

    To the end of `until` (24:00 in the school's zone), or without a date to exactly what the
    pending request asked. The pending request, if any, is settled by the decision.
    """
    pending = s.pending_extension()
    if cmd.until is not None:
        until = cmd.until
        requested = end_of_date(until, policy.tz)
    elif pending is not None and pending.extension_until is not None:
        requested = pending.extension_until
        until = requested.astimezone(policy.tz).date()
    else:
        return refuse(
            "extension_decision",
            "nothing_pending",
            "该工单没有待审核的延期申请；如需直接延期，请写明日期，"
            f"例如“同意延期至{example_date(s, now, policy.tz)}”。",
        )
    if s.status not in OPEN_WORK_STATUSES or not s.department:
        return status_refusal("extension_decision", s, "办理延期")
    current = s.formal_due
    if current is None:
        return refuse(
            "extension_decision", "no_formal_due", f"工单 {s.number} 尚无正式回复时限，无需延期"
        )
    if cmd.approve and not extension_allowed(current, requested, policy.deadlines):
        latest = current + policy.deadlines.extension_max
        return refuse(
            "extension_decision",
            "too_long",
            f"不能延期至 {until.isoformat()}：延期须晚于当前正式回复时限"
            f"（{cn_datetime_text(current, policy.tz)}），且最多延长"
            f"{policy.deadlines.extension_max.days}个自然日"
            f"（最晚至 {cn_datetime_text(latest, policy.tz)}）",
        )
    if cmd.approve and requested <= now:
        return refuse(
            "extension_decision",
            "past",
            f"不能延期至 {until.isoformat()}：该时限（{cn_datetime_text(requested, policy.tz)}）"
            "已过",
        )
    reason = cmd.reason or ("同意承办部门的延期申请" if cmd.approve else "")
    formal = requested if cmd.approve else current
    after = replace(s, formal_due=formal)
    replies: tuple[ReplyUpdate, ...] = ()
    if pending is not None:
        after = replace(after, pending=tuple(p for p in s.pending if p is not pending))
        replies = (
            ReplyUpdate(
                pending.reply_id,
                "extension",
                "approved" if cmd.approve else "rejected",
                decided_by=cmd.actor,
                decided_at=now,
                reject_reason=None if cmd.approve else reason,
            ),
        )
    shown = minute_text(formal, policy.tz)
    summary = (
        f"已同意延期，正式回复时限调整为 {shown}，并已通知承办部门。"
        if cmd.approve
        else f"已不同意延期，正式回复时限仍为 {shown}，并已通知承办部门。"
    )
    return Change(
        action="extension_decision",
        before=s,
        after=after,
        events=(
            Event(
                "extension_approved" if cmd.approve else "extension_refused",
                cmd.actor,
                {
                    "requested_until": until.isoformat(),
                    "previous_due": current.isoformat(),
                    "formal_due": formal.isoformat(),
                    "reason": reason,
                },
            ),
        ),
        notices=(
            Notice(
                "extension_decision",
                (department(s.department),),
                f"{until.isoformat()}:{now.isoformat()}",
                data={
                    "approved": cmd.approve,
                    "requested_until": until,
                    "previous_due": current,
                    "formal_due": formal,
                    "reason": reason,
                },
            ),
        ),
        replies=replies,
        summary=summary,
    )


_TEMPLATE_TITLES = {"legal_channel": "依法依规渠道告知", "illegal": "来信回复"}


def close(
    s: TicketSnapshot, cmd: Close, now: datetime, policy: WorkflowPolicy, calendar: Calendar
) -> Outcome:
    """办结: a disposition of routing closes a new ticket, or (`settled`) an answered one.

    Routing's dispositions close a ticket not yet dispatched and keep it out of the monthly
    assessment (seed 001 五.4): `legal_channel` (告知法定渠道, seeds 000/004), `illegal` (劝导,
    flagged for the office), `praise` (表扬, forwarded), `duplicate` (同一诉求, seeds 002/004:
    the petitioner is told where the earlier one stands). `settled` closes an answered ticket.
    """
    if cmd.kind == "settled":
        if s.status is not S.ANSWERED:
            return status_refusal("close", s, "办结")
        return Change(
            action="close",
            before=s,
            after=replace(
                s,
                status=move(s.status, S.CLOSED),
                closed_at=now,
                settled_at=s.settled_at or now,
                settled_reason=s.settled_reason or "office",
            ),
            events=(Event("closed", cmd.actor, {}),),
            summary=f"工单 {s.number} 已办结。",
        )
    if s.status not in (S.RECEIVED, S.TRIAGE):
        return status_refusal("close", s, "办结")
    if cmd.kind == "praise" and not cmd.department:
        return refuse("close", "department_required", "表扬转达须指明单位")
    if cmd.kind == "duplicate" and not cmd.earlier:
        return refuse("close", "earlier_required", "重复来信须指明原工单编号")
    after = replace(
        s,
        status=move(s.status, S.CLOSED),
        closed_at=now,
        excluded_from_assessment=True,
    )
    events: tuple[Event, ...]
    notices: tuple[Notice, ...]
    if cmd.kind == "praise":
        assert cmd.department is not None
        after = replace(after, department=cmd.department)
        events = (Event("praise_forwarded", cmd.actor, {"department": cmd.department}),)
        notices = (Notice("praise_forward", (department(cmd.department),), "forward"),)
    elif cmd.kind == "duplicate":
        assert cmd.earlier is not None
        after = replace(after, duplicate_of=cmd.earlier)
        events = (
            Event("duplicate_linked", cmd.actor, {"earlier": cmd.earlier}),
            Event("duplicate_received", cmd.actor, {"later": s.number}, ticket=cmd.earlier),
        )
        notices = (
            Notice(
                "duplicate_notice",
                (PETITIONER,),
                "notice",
                data={"earlier": cmd.earlier, "threaded": True},
            ),
        )
    else:
        title = _TEMPLATE_TITLES[cmd.kind]
        events = (Event("closed_by_template", cmd.actor, {"template": cmd.kind}),)
        notices = (
            Notice(cmd.kind, (PETITIONER,), "reply", data={"title": title, "threaded": True}),
        )
        if cmd.kind == "illegal":
            after = replace(after, flagged=True)
            notices += (Notice("office_flag", (OFFICE,), "illegal"),)
    return Change(
        action="close",
        before=s,
        after=after,
        events=events,
        notices=notices,
        summary=f"工单 {s.number} 已办结。",
        supersede_receipt=cmd.kind != "praise",
    )


def reopen(
    s: TicketSnapshot, cmd: Reopen, now: datetime, policy: WorkflowPolicy, calendar: Calendar
) -> Outcome:
    """重新打开: an answered or closed ticket goes back to the office's triage (待分办).

    For a matter answered or closed too early (the petitioner is not satisfied, seed 002 第十条
    回访; a disposition that was wrong). The office routes it again (转办, the clock restarts);
    until then the dispatch deadline runs afresh from now (seed 004 第六条: 1个自然日内转办).
    The reason is required and kept in the log.
    """
    if s.status not in REOPENABLE:
        return status_refusal("reopen", s, "重新打开")
    reason = cmd.reason.strip()
    if not reason:
        return refuse("reopen", "reason_required", "重新打开须写明原因")
    after = replace(
        s,
        status=move(s.status, S.TRIAGE),
        closed_at=None,
        revisit_due=None,
        dispatch_due=dispatch_due(now, policy.deadlines),
    )
    return Change(
        action="reopen",
        before=s,
        after=after,
        events=(
            Event(
                "reopened",
                cmd.actor,
                {"reason": reason, "previous_status": s.status.value},
            ),
        ),
        summary=f"工单 {s.number} 已重新打开，转入待分办，请重新转办。",
    )
