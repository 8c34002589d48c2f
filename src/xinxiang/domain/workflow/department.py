"""A department's answers to a dispatched ticket (承办部门答复), as pure workflow actions.

受理 (accept, maybe declaring track 2/3), 初步回复, 正式回复, 退回 (return to the office inside
its window), 延期 (ask for an extension) and 协办结果 (a co-handler's report). Each one first
refuses a ticket that is answered or closed, then checks its own rules in the order the mail
handling always has, and records the reply it is about (`ReplyUpdate` with no id yet).

Seeds: 002 第八条/第九条 (staged replies, first responsible), 004 第六条/第八条 (same-day
response, extension ≤ 5 natural days, out-of-scope returned within one hour), 001 (首接负责).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from xinxiang.domain.deadlines import (
    compute_deadlines,
    extension_allowed,
    planned_formal_due,
    return_window_end,
)
from xinxiang.domain.states import DISPATCH_STATUSES
from xinxiang.domain.workflow.commands import (
    Accept,
    FormalAnswer,
    PreliminaryAnswer,
    RecordCohandlerResult,
    RequestExtension,
    ReturnToOffice,
)
from xinxiang.domain.workflow.common import (
    Effects,
    S,
    confirm,
    example_date,
    move,
    needs_approval,
    refuse,
    reply_key,
    request_approval,
    send_answer,
)
from xinxiang.domain.workflow.effects import (
    ACTOR,
    OFFICE,
    Change,
    Event,
    Notice,
    Outcome,
    Refusal,
    ReplyUpdate,
    department,
)
from xinxiang.domain.workflow.policy import Calendar, WorkflowPolicy, duration_text, minute_text
from xinxiang.domain.workflow.snapshot import PendingReply, TicketSnapshot

RECORDED_TEXT = {
    "accept": "已记录为受理",
    "preliminary": "已记录为初步回复",
    "formal": "已记录为正式回复",
    "cohandler_result": "已记录为协办结果，并已转交承办部门",
}
TRACK_NAMES = {2: "需本部门研究", 3: "需学校研究"}


def _closed(s: TicketSnapshot, action: str) -> Refusal | None:
    if s.status in (S.REWORK, S.SUPERVISED):
        # 发回重办 / 督办: the office (or the leader's 批示) dispatches it again first.
        return refuse(
            action,
            "not_dispatched",
            "该工单已发回党政办公室重办（或督办中），待重新转办，暂不能答复。",
        )
    if s.is_open:
        return None
    return refuse(action, "closed", "该工单已办结，不再接受答复。")


def accept(
    s: TicketSnapshot, cmd: Accept, now: datetime, policy: WorkflowPolicy, calendar: Calendar
) -> Outcome:
    """受理: `dispatched` → `accepted`; a declared track 2/3 restages the deadlines.

    The clock keeps the acceptance time of the 转办 (seed 002 第九条: 2/3 working days from
    受理), so the new preliminary/formal dues count from it, not from now.
    """
    if (closed := _closed(s, "accept")) is not None:
        return closed
    after = s
    if cmd.track_declared in (2, 3) and cmd.track_declared != s.track:
        d = compute_deadlines(
            s.accepted_at or now,
            cmd.track_declared,
            s.urgency or "normal",
            policy.deadlines,
            calendar,
            policy.tz,
        )
        after = replace(
            after,
            track=cmd.track_declared,
            preliminary_due=d.preliminary_due,
            formal_due=d.formal_due,
        )
    if s.status is S.DISPATCHED:
        after = replace(after, status=move(s.status, S.ACCEPTED))
    message = RECORDED_TEXT["accept"]
    if after.track in (2, 3) and after.preliminary_due is not None:
        message += (
            f"（办理类别：{TRACK_NAMES[after.track]}，初步回复时限"
            f"{minute_text(after.preliminary_due, policy.tz)}）"
        )
    return Change(
        action="accept",
        before=s,
        after=after,
        events=(Event("accepted", cmd.actor, {"track": after.track, "text": cmd.text[:500]}),),
        notices=(confirm(ACTOR, reply_key(None), message),),
        replies=(ReplyUpdate(None, "accept", "recorded", s.department, cmd.actor, text=cmd.text),),
        summary=message,
    )


def _answer(
    s: TicketSnapshot,
    cmd: PreliminaryAnswer | FormalAnswer,
    kind: str,
    now: datetime,
    policy: WorkflowPolicy,
) -> Outcome:
    """初步回复 / 正式回复: recorded, then sent to the petitioner or held for the office."""
    assert kind in ("preliminary", "formal")
    if (closed := _closed(s, kind)) is not None:
        return closed
    if not cmd.text.strip():
        return refuse(kind, "empty", "答复正文为空，未记录。")
    if s.status in DISPATCH_STATUSES:
        # Not in the mail handling of old: there it failed deep inside (InvalidTransition).
        return refuse(kind, "not_dispatched", "该工单已退回党政办公室，待重新分办，暂不能答复。")
    planned = cmd.planned_formal_date
    after = s
    if kind == "preliminary":
        if planned is not None:
            due = planned_formal_due(planned, policy.tz)
            if due <= now:
                return refuse(
                    kind,
                    "planned_past",
                    f"预计正式回复日期（{planned.isoformat()}）已过，请写明今后的日期。",
                )
            after = replace(after, planned_formal_date=planned, formal_due=due)
        if s.status in (S.DISPATCHED, S.ACCEPTED):
            after = replace(after, status=move(s.status, S.PRELIMINARY))
        after = replace(after, preliminary_given=True)
    reply = PendingReply(
        None,
        "preliminary" if kind == "preliminary" else "formal",
        s.department,
        cmd.actor,
        cmd.text,
        planned_formal_date=planned,
    )
    so_far = Effects(
        after,
        events=(
            Event(
                kind,
                cmd.actor,
                {
                    "text": cmd.text[:500],
                    "planned_formal_date": planned.isoformat() if planned else None,
                },
            ),
        ),
    )
    held = needs_approval(s, reply.kind, policy)
    outcome = (
        request_approval(so_far, kind, reply)
        if held
        else send_answer(so_far, kind, reply, cmd.text, now, policy)
    )
    if isinstance(outcome, Refusal):
        return outcome
    message = RECORDED_TEXT[kind] + ("，待党政办公室审核" if held else "，已发送来信人")
    update = ReplyUpdate(
        None,
        reply.kind,
        "pending_approval" if held else "sent",
        s.department,
        cmd.actor,
        text=cmd.text,
        final_text=None if held else cmd.text,
        public=False,
        planned_formal_date=planned,
        sent_at=None if held else now,
    )
    return Change(
        action=kind,
        before=s,
        after=outcome.after,
        events=outcome.events,
        notices=(*outcome.notices, confirm(ACTOR, reply_key(None), message)),
        replies=(update,),
        summary=message,
    )


def answer_preliminary(
    s: TicketSnapshot,
    cmd: PreliminaryAnswer,
    now: datetime,
    policy: WorkflowPolicy,
    calendar: Calendar,
) -> Outcome:
    """初步回复 (tracks 2/3, seed 002 第九条): `preliminary`; a named date sets the formal due.

    The formal due is the end of that date (24:00 in the school's zone), whatever the day.
    A public letter's reply waits for the office (seed 002 第四条: 书记校长信箱 公开答复).
    """
    return _answer(s, cmd, "preliminary", now, policy)


def answer_formal(
    s: TicketSnapshot,
    cmd: FormalAnswer,
    now: datetime,
    policy: WorkflowPolicy,
    calendar: Calendar,
) -> Outcome:
    """正式回复: `answered` (and the 48 h revisit due, seed 001/002), or `pending_approval`."""
    return _answer(s, cmd, "formal", now, policy)


def return_to_office(
    s: TicketSnapshot,
    cmd: ReturnToOffice,
    now: datetime,
    policy: WorkflowPolicy,
    calendar: Calendar,
) -> Outcome:
    """退回 (seed 004 第八条(四)): out of scope, back to the office's triage within the window.

    After it, 首接负责 (seeds 001/002/004): the department leads and may ask for co-handlers.
    """
    if (closed := _closed(s, "return")) is not None:
        return closed
    if s.dispatched_at is None or now > return_window_end(s.dispatched_at, policy.deadlines):
        window = duration_text(policy.deadlines.return_window)
        return refuse(
            "return",
            "return_window",
            f"已超过退回时限（转办后{window}内），按首接负责制请贵单位牵头办理，"
            "如需其他部门配合可申请协办。",
        )
    if s.status is not S.DISPATCHED:
        return refuse("return", "already_accepted", "工单已受理，不能退回。")
    if not cmd.reason:
        return refuse("return", "reason_required", "退回须写明原因（“退回：原因……”）。")
    previous = s.department
    stamp = now.isoformat()
    return Change(
        action="return",
        before=s,
        after=replace(s, status=move(s.status, S.TRIAGE)),
        events=(Event("returned", cmd.actor, {"department": previous, "reason": cmd.reason}),),
        notices=(
            confirm(ACTOR, f"return:{stamp}", "已记录为退回，党政办公室将重新分办。"),
            Notice(
                "return_notice",
                (OFFICE,),
                stamp,
                message=f"{previous} 退回，原因：{cmd.reason}。请重新分办。",
            ),
        ),
        summary="已记录为退回，党政办公室将重新分办。",
    )


def request_extension(
    s: TicketSnapshot,
    cmd: RequestExtension,
    now: datetime,
    policy: WorkflowPolicy,
    calendar: Calendar,
) -> Outcome:
    """延期 (seed 004 第六条(三)): ask to move the formal due to `until`, ≤ 5 natural days later.

    The requested instant keeps the time of day of the current formal due; the office decides
    (`approve`/`decide_extension`), and until then the deadline stands.
    """
    if (closed := _closed(s, "extension")) is not None:
        return closed
    if cmd.until is None:
        return refuse(
            "extension",
            "date_required",
            f"延期须写明日期，例如“延期：至{example_date(s, now, policy.tz)}，原因：……”。",
        )
    if s.formal_due is None:
        return refuse(
            "extension",
            "no_formal_due",
            "该工单尚无正式回复时限，无需延期；请先报初步回复并写明正式回复时间。",
        )
    due_local = s.formal_due.astimezone(policy.tz)
    requested = datetime.combine(cmd.until, due_local.timetz())
    if not extension_allowed(s.formal_due, requested, policy.deadlines):
        return refuse(
            "extension",
            "too_long",
            f"延期申请未获受理：延期最长为现正式回复时限（{minute_text(s.formal_due, policy.tz)}）"
            f"后{policy.deadlines.extension_max.days}个自然日，且须晚于现时限。",
        )
    if requested <= now:
        return refuse(
            "extension",
            "past",
            f"延期申请未获受理：申请的时限（{minute_text(requested, policy.tz)}）已过。",
        )
    reply = PendingReply(
        None, "extension", s.department, cmd.actor, cmd.text, extension_until=requested
    )
    so_far = Effects(
        s,
        events=(
            Event(
                "extension_requested",
                cmd.actor,
                {"until": requested.isoformat(), "reason": cmd.reason},
            ),
        ),
    )
    outcome = request_approval(so_far, "extension", reply)
    if isinstance(outcome, Refusal):
        return outcome
    message = f"已记录延期申请（至{cmd.until.isoformat()}），待党政办公室审核；审核前原时限不变。"
    return Change(
        action="extension",
        before=s,
        after=outcome.after,
        events=outcome.events,
        notices=(*outcome.notices, confirm(ACTOR, reply_key(None), message)),
        replies=(
            ReplyUpdate(
                None,
                "extension",
                "pending_approval",
                s.department,
                cmd.actor,
                text=cmd.text,
                public=False,
                extension_until=requested,
            ),
        ),
        summary=message,
    )


def record_cohandler_result(
    s: TicketSnapshot,
    cmd: RecordCohandlerResult,
    now: datetime,
    policy: WorkflowPolicy,
    calendar: Calendar,
) -> Outcome:
    """协办结果 (seed 002 第八条: co-handlers report to the lead in one working day).

    The report is recorded and forwarded to the lead department; the co-handler's deadline
    is met. The ticket's status does not move.
    """
    if (closed := _closed(s, "cohandler_result")) is not None:
        return closed
    cohandlers = tuple(
        replace(c, reported_at=now)
        if c.department == cmd.department and c.reported_at is None
        else c
        for c in s.cohandlers
    )
    forward: tuple[Notice, ...] = ()
    if s.department:
        forward = (
            Notice(
                "followup_forward",
                (department(s.department),),
                reply_key(None, "co"),
                data={"text": cmd.text, "cohandler": cmd.department, "title": "协办结果"},
            ),
        )
    message = RECORDED_TEXT["cohandler_result"]
    return Change(
        action="cohandler_result",
        before=s,
        after=replace(s, cohandlers=cohandlers),
        events=(Event("cohandler_result", cmd.actor, {"text": cmd.text[:2000]}),),
        notices=(*forward, confirm(ACTOR, reply_key(None), message)),
        replies=(
            ReplyUpdate(
                None, "cohandler_result", "recorded", cmd.department, cmd.actor, text=cmd.text
            ),
        ),
        summary=message,
    )


__all__ = [
    "RECORDED_TEXT",
    "accept",
    "answer_formal",
    "answer_preliminary",
    "record_cohandler_result",
    "request_extension",
    "return_to_office",
]
