"""回访 and what follows it: the rating round, 发回重办, 督办, 批示 and 销账 (pure).

After the formal answer the petitioner is asked for a rating on five levels (seeds 001
第四条5, 002 第十条: within 48 hours); no revisit where seed 004 第十条 allows none (the
reason is kept). No rating after the window: one reminder, then 未评价 and 销账 (not
counted as satisfied). 5 非常满意, 4 满意, 3 基本满意 settle the account (销账).
2 不满意, 1 非常不满意 send the ticket back (发回重办, seed 000: "由接诉即办工作办公室转办
处理"): it waits in the office's queue, and the office's re-dispatch (`route`) counts
the same track's deadlines anew. Dissatisfied in the last round (`policy.revisit_rounds`)
→ 督办: the supervising leader gets the whole history; the leader's 批示 re-dispatches
the ticket to its department, and after the department's answer the office closes the
matter with its reason (no further automatic round).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from xinxiang.domain.workflow.common import (
    SYSTEM,
    S,
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
    Recipient,
    Role,
)
from xinxiang.domain.workflow.policy import Calendar, WorkflowPolicy, minute_text
from xinxiang.domain.workflow.snapshot import RevisitRound, TicketSnapshot

RATING_LABELS: dict[int, str] = {
    5: "非常满意",
    4: "满意",
    3: "基本满意",
    2: "不满意",
    1: "非常不满意",
}
"""The five levels (seed 001 五4), best first."""
SATISFIED_MIN = 3
"""基本满意 and better settle the account; 不满意 and 非常不满意 send the ticket back."""

SkipReason = Literal["no_contact", "refused", "illegal", "not_handled", "office"]
SKIP_LABELS: dict[str, str] = {
    "no_contact": "无可用联系方式",
    "refused": "来信人拒绝回访",
    "illegal": "违法或违背公序良俗的来信",
    "not_handled": "未作办理的来信（依法依规渠道、表扬等）",
    "office": "党政办公室决定",
}
"""Why a round was skipped (seed 004 第十条), in Chinese."""
RatingChannel = Literal["link", "mail", "phone", "web"]
CHANNEL_LABELS = {"link": "评价链接", "mail": "邮件回复", "phone": "电话回访", "web": "网页"}


@dataclass(frozen=True)
class SendRevisit:
    """回访: ask the petitioner for a rating; `nonce` binds the links and is used once.

    `by_phone`: the petitioner left a phone number only (seed 002 第十条 "通过预留的联系方式"):
    no mail; the round waits on the office's phone list (电话回访) for the rating it takes.
    """

    actor: str
    nonce: str
    by_phone: bool = False


@dataclass(frozen=True)
class SkipRevisit:
    """不予回访 (seed 004 第十条) with the reason; the account is settled (销账)."""

    actor: str
    reason: SkipReason
    nonce: str
    note: str = ""


@dataclass(frozen=True)
class RemindRevisit:
    """The one reminder when the window passed without a rating."""

    actor: str


@dataclass(frozen=True)
class ExpireRevisit:
    """未评价: no rating after the reminder; the account is settled as unrated."""

    actor: str


@dataclass(frozen=True)
class RateRevisit:
    """A rating (1–5) by link or mail (`nonce`: the round's), or taken by phone by the office."""

    actor: str
    level: int
    channel: RatingChannel
    comment: str | None = None
    nonce: str | None = None
    taken_at: datetime | None = None
    """When the office took the rating by phone (default: now)."""


@dataclass(frozen=True)
class Settle:
    """销账 by the office's decision, with its reason (after 督办, or instead of a revisit)."""

    actor: str
    reason: str


def _no_round(s: TicketSnapshot, action: str) -> Outcome:
    return refuse(action, "no_round", f"工单 {s.number} 当前没有待评价的回访")


def _settled(s: TicketSnapshot, action: str) -> Outcome | None:
    if s.settled_at is None:
        return None
    return refuse(action, "settled", f"工单 {s.number} 已销账")


def _opening(s: TicketSnapshot, action: str, policy: WorkflowPolicy) -> Outcome | None:
    """Why no new round may open now (None: it may)."""
    if (settled := _settled(s, action)) is not None:
        return settled
    if s.status is not S.ANSWERED:
        return status_refusal(action, s, "回访")
    if s.revisit is not None and s.revisit.waiting:
        return refuse(action, "already_sent", f"工单 {s.number} 已发出回访，等待评价")
    if s.rounds != s.rework_count or s.rounds >= policy.revisit_rounds:
        return refuse(
            action,
            "no_more_rounds",
            f"工单 {s.number} 已督办，办理结果答复后由党政办公室销账，不再自动回访",
        )
    return None


def _settle(s: TicketSnapshot, now: datetime, reason: str) -> TicketSnapshot:
    return replace(
        s,
        status=move(s.status, S.CLOSED),
        closed_at=now,
        settled_at=now,
        settled_reason=reason,
    )


def send_revisit(
    s: TicketSnapshot, cmd: SendRevisit, now: datetime, policy: WorkflowPolicy, calendar: Calendar
) -> Outcome:
    """回访: a new round, the rating mail to the petitioner, due after the window."""
    if (refusal := _opening(s, "revisit", policy)) is not None:
        return refusal
    number = s.rounds + 1
    due = now + policy.revisit_window
    rnd = RevisitRound(
        round=number,
        state="sent",
        nonce=cmd.nonce,
        created_at=now,
        department=s.department,
        sent_at=now,
        due_at=due,
        channel="phone" if cmd.by_phone else None,
    )
    after = replace(s, revisit=rnd, rounds=number, revisit_state="sent", rating=None, rated_at=None)
    facts: dict[str, object] = {"round": number, "due_at": due.isoformat()}
    data = {"round": number, "due_at": due, "nonce": cmd.nonce, "reminder": False}
    mail = (Notice("revisit", (PETITIONER,), f"round{number}", data=data),)
    return Change(
        action="revisit",
        before=s,
        after=after,
        events=(
            Event("revisit_sent", cmd.actor, {**facts, "by": "phone"} if cmd.by_phone else facts),
        ),
        notices=() if cmd.by_phone else mail,
        summary=f"来信人未留电子邮箱，第{number}轮回访已列入电话回访清单，请于 "
        f"{minute_text(due, policy.tz)} 前电话回访并录入评价。"
        if cmd.by_phone
        else f"已向来信人发出第{number}轮回访，请于 {minute_text(due, policy.tz)} 前评价。",
    )


def skip_revisit(
    s: TicketSnapshot, cmd: SkipRevisit, now: datetime, policy: WorkflowPolicy, calendar: Calendar
) -> Outcome:
    """不予回访 (seed 004 第十条): the case is recorded and the account settled (销账).

    A petitioner who answers the revisit mail with 不需要回访 (`refused`) ends the round
    waiting for them; every other reason is decided before a round opens.
    """
    waiting = s.revisit is not None and s.revisit.waiting
    if waiting and cmd.reason == "refused" and s.status is S.ANSWERED:
        assert s.revisit is not None
        number = s.revisit.round
        rnd = replace(s.revisit, state="skipped", skip_reason="refused")
    else:
        if (refusal := _opening(s, "revisit_skip", policy)) is not None:
            return refusal
        number = s.rounds + 1
        rnd = RevisitRound(
            round=number,
            state="skipped",
            nonce=cmd.nonce,
            created_at=now,
            department=s.department,
            skip_reason=cmd.reason,
        )
    after = replace(_settle(s, now, "skipped"), revisit=rnd, rounds=number, revisit_state="skipped")
    label = SKIP_LABELS[cmd.reason]
    return Change(
        action="revisit_skip",
        before=s,
        after=after,
        events=(
            Event(
                "revisit_skipped",
                cmd.actor,
                {"round": number, "reason": cmd.reason, "note": cmd.note[:500]},
            ),
            Event("settled", cmd.actor, {"reason": "skipped"}),
        ),
        summary=f"工单 {s.number} 不予回访（{label}），已销账。",
    )


def remind_revisit(
    s: TicketSnapshot,
    cmd: RemindRevisit,
    now: datetime,
    policy: WorkflowPolicy,
    calendar: Calendar,
) -> Outcome:
    """The one reminder (提醒评价) once the window passed; 未评价 follows after the grace."""
    r = s.revisit
    if r is None or not r.waiting:
        return _no_round(s, "revisit_remind")
    if r.state == "reminded":
        return refuse("revisit_remind", "already_reminded", f"工单 {s.number} 已提醒过评价")
    if r.due_at is not None and now < r.due_at:
        return refuse("revisit_remind", "not_due", f"工单 {s.number} 的评价期限尚未届满")
    due = now + policy.revisit_grace
    rnd = replace(r, state="reminded", reminded_at=now, due_at=due)
    phone = r.channel == "phone"  # no mail: the round stays on the phone list, overdue
    facts = {"round": r.round, "due_at": due.isoformat(), **({"by": "phone"} if phone else {})}
    data = {"round": r.round, "due_at": due, "nonce": r.nonce, "reminder": True}
    mail = (Notice("revisit", (PETITIONER,), f"round{r.round}-reminder", data=data),)
    return Change(
        action="revisit_remind",
        before=s,
        after=replace(s, revisit=rnd, revisit_state="reminded"),
        events=(Event("revisit_reminded", cmd.actor, facts),),
        notices=() if phone else mail,
        summary=f"电话回访（第{r.round}轮）已逾期，期限延至 {minute_text(due, policy.tz)}。"
        if phone
        else f"已提醒来信人评价（第{r.round}轮），期限 {minute_text(due, policy.tz)}。",
    )


def expire_revisit(
    s: TicketSnapshot,
    cmd: ExpireRevisit,
    now: datetime,
    policy: WorkflowPolicy,
    calendar: Calendar,
) -> Outcome:
    """未评价: no rating after the reminder; not satisfied, not counted; 销账 as unrated."""
    r = s.revisit
    if r is None or not r.waiting:
        return _no_round(s, "revisit_expire")
    if r.state != "reminded" or (r.due_at is not None and now < r.due_at):
        return refuse("revisit_expire", "not_due", f"工单 {s.number} 的评价期限尚未届满")
    if s.status is not S.ANSWERED:
        return status_refusal("revisit_expire", s, "销账")
    rnd = replace(r, state="unrated")
    after = replace(_settle(s, now, "unrated"), revisit=rnd, revisit_state="unrated")
    return Change(
        action="revisit_expire",
        before=s,
        after=after,
        events=(
            Event("revisit_unrated", cmd.actor, {"round": r.round}),
            Event("settled", cmd.actor, {"reason": "unrated"}),
        ),
        summary=f"工单 {s.number} 未评价，已销账。",
    )


def rate_revisit(
    s: TicketSnapshot, cmd: RateRevisit, now: datetime, policy: WorkflowPolicy, calendar: Calendar
) -> Outcome:
    """评价: satisfied → 销账; dissatisfied → 发回重办, or 督办 in the last round."""
    if cmd.level not in RATING_LABELS:
        return refuse("rate", "level", "评价须为 1–5：5 非常满意 … 1 非常不满意")
    r = s.revisit
    if r is None or not r.waiting:
        return _no_round(s, "rate")
    if cmd.channel in ("link", "mail"):
        if cmd.nonce != r.nonce:
            return refuse("rate", "nonce", "该评价链接已失效（已使用或已被新一轮回访取代）")
        if r.due_at is not None and now > r.due_at:
            return refuse("rate", "expired", "该评价链接已过期")
    if s.status is not S.ANSWERED:
        return status_refusal("rate", s, "评价")
    taken = cmd.taken_at or now
    if cmd.taken_at is not None:
        if cmd.channel != "phone":
            return refuse("rate", "taken_at", "只有电话回访可以录入通话时间")
        if taken > now or (r.sent_at is not None and taken < r.sent_at):
            return refuse("rate", "taken_at", "通话时间须在本轮回访开始之后、当前时间之前")
    comment = (cmd.comment or "").strip()[:2000] or None
    rnd = replace(
        r,
        state="rated",
        rating=cmd.level,
        channel=cmd.channel,
        comment=comment,
        rated_at=taken,
        rated_by=cmd.actor,
    )
    after = replace(s, revisit=rnd, revisit_state="rated", rating=cmd.level, rated_at=taken)
    label = RATING_LABELS[cmd.level]
    facts: dict[str, object] = {
        "round": r.round,
        "rating": cmd.level,
        "channel": cmd.channel,
        "comment": comment,
    }
    if cmd.taken_at is not None:
        facts["taken_at"] = taken.isoformat()
    rated = Event("revisit_rated", cmd.actor, facts)
    data = {"round": r.round, "rating": cmd.level, "label": label, "comment": comment}
    if cmd.level >= SATISFIED_MIN:
        return Change(
            action="rate",
            before=s,
            after=_settle(after, now, "satisfied"),
            events=(rated, Event("settled", SYSTEM, {"reason": "satisfied"})),
            summary=f"已记录评价“{label}”，工单 {s.number} 已销账。",
        )
    if r.round < policy.revisit_rounds:
        after = replace(
            after,
            status=move(s.status, S.REWORK),
            rework_count=s.rework_count + 1,
            dispatch_due=now + policy.deadlines.dispatch_window,
        )
        return Change(
            action="rate",
            before=s,
            after=after,
            events=(rated, Event("rework_requested", SYSTEM, data)),
            notices=(Notice("rework", (OFFICE,), f"round{r.round}", data=data),),
            summary=f"已记录评价“{label}”，工单 {s.number} 发回重办，待党政办公室重新转办。",
        )
    leader = Recipient(Role.LEADER, r.department or s.department)
    return Change(
        action="rate",
        before=s,
        after=replace(after, status=move(s.status, S.SUPERVISED)),
        events=(
            rated,
            Event("supervised", SYSTEM, data),
            Event(
                "notice_escalation",
                SYSTEM,
                {"deadline": "revisit", "reason": "dissatisfied_again", **data},
            ),
        ),
        notices=(
            Notice("supervision", (leader,), f"round{r.round}", data=data),
            Notice("rework", (OFFICE,), f"round{r.round}", data={**data, "supervised": True}),
        ),
        summary=f"已记录评价“{label}”，工单 {s.number} 再次不满意，已报分管校领导督办。",
    )


def settle(
    s: TicketSnapshot, cmd: Settle, now: datetime, policy: WorkflowPolicy, calendar: Calendar
) -> Outcome:
    """销账 by the office's decision with its reason; a round still waiting is skipped."""
    if (settled := _settled(s, "settle")) is not None:
        return settled
    if s.status not in (S.ANSWERED, S.REWORK, S.SUPERVISED):
        return status_refusal("settle", s, "销账")
    reason = cmd.reason.strip()
    if not reason:
        return refuse("settle", "reason_required", "销账须写明原因（--reason）")
    after = _settle(s, now, "office")
    if s.revisit is not None and s.revisit.waiting:
        after = replace(
            after,
            revisit=replace(s.revisit, state="skipped", skip_reason="office"),
            revisit_state="skipped",
        )
    return Change(
        action="settle",
        before=s,
        after=after,
        events=(Event("settled", cmd.actor, {"reason": "office", "note": reason[:500]}),),
        summary=f"工单 {s.number} 已销账（{reason}）。",
    )


__all__ = [
    "CHANNEL_LABELS",
    "RATING_LABELS",
    "SKIP_LABELS",
    "ExpireRevisit",
    "RateRevisit",
    "RemindRevisit",
    "SendRevisit",
    "Settle",
    "SkipRevisit",
    "expire_revisit",
    "rate_revisit",
    "remind_revisit",
    "send_revisit",
    "settle",
    "skip_revisit",
]
