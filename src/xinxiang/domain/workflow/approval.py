"""The office's decision on a reply waiting for it (党政办公室审核): 同意, 修改, 驳回.

The decision is about the oldest reply waiting (`TicketSnapshot.oldest_pending`). 同意 carries
the reply out — an answer goes to the petitioner, an extension moves the formal due — and
tells its department; 驳回 sends it back with the reason and the deadlines keep running.
Seed 002 第四条 (书记校长信箱: the office reviews public answers), 004 第六条(三) (extensions).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from xinxiang.domain.workflow.commands import Approve, Reject
from xinxiang.domain.workflow.common import (
    REPLY_TITLES,
    Effects,
    S,
    confirm,
    move,
    refuse,
    reply_department,
    reply_key,
    send_answer,
)
from xinxiang.domain.workflow.effects import Change, Event, Outcome, Refusal, ReplyUpdate
from xinxiang.domain.workflow.policy import Calendar, WorkflowPolicy, minute_text
from xinxiang.domain.workflow.snapshot import PendingReply, TicketSnapshot


def _nothing_pending(s: TicketSnapshot, action: str) -> Refusal:
    return refuse(action, "nothing_pending", f"工单 {s.number} 没有待审核的答复")


def _without(s: TicketSnapshot, reply: PendingReply) -> TicketSnapshot:
    return replace(s, pending=tuple(p for p in s.pending if p is not reply))


def approve(
    s: TicketSnapshot, cmd: Approve, now: datetime, policy: WorkflowPolicy, calendar: Calendar
) -> Outcome:
    """同意 (修改 with `edited_text`): carry out the oldest pending reply, tell its department.

    An extension (延期) moves the formal due to the instant requested; an answer is sent as
    approved (or as edited). A public formal answer is marked public (for the board).
    """
    reply = s.oldest_pending()
    if reply is None:
        return _nothing_pending(s, "approve")
    edited = cmd.edited_text or None
    key = reply_key(reply.reply_id, "approved")
    decided = Event(
        "approved",
        cmd.actor,
        {
            "intent": reply.kind,
            "reply_id": reply.reply_id,
            "edited": edited is not None,
            "by": cmd.actor,
        },
    )
    if reply.kind == "extension":
        assert reply.extension_until is not None
        until = reply.extension_until
        if until <= now:
            return refuse(
                "approve",
                "past",
                f"延期申请的时限（{minute_text(until, policy.tz)}）已过，不能同意",
            )
        message = f"党政办公室已同意延期，正式回复时限调整为{minute_text(until, policy.tz)}。"
        return Change(
            action="approve",
            before=s,
            after=replace(_without(s, reply), formal_due=until),
            events=(
                decided,
                Event("extension_granted", cmd.actor, {"until": until.isoformat()}),
            ),
            notices=(confirm(reply_department(reply), key, message),),
            replies=(
                ReplyUpdate(
                    reply.reply_id,
                    reply.kind,
                    "approved",
                    final_text=edited,
                    decided_by=cmd.actor,
                    decided_at=now,
                ),
            ),
            summary=message,
        )
    sent = send_answer(
        Effects(_without(s, reply), events=(decided,)),
        "approve",
        reply,
        edited or reply.text,
        now,
        policy,
    )
    if isinstance(sent, Refusal):
        return sent
    message = (
        f"党政办公室已审核通过贵单位的{REPLY_TITLES.get(reply.kind, '')}"
        + ("（经修改）" if edited else "")
        + "，已发送来信人。"
    )
    return Change(
        action="approve",
        before=s,
        after=sent.after,
        events=sent.events,
        notices=(*sent.notices, confirm(reply_department(reply), key, message)),
        replies=(
            ReplyUpdate(
                reply.reply_id,
                reply.kind,
                "sent",
                final_text=edited,
                public=s.public_consent and reply.kind == "formal",
                sent_at=now,
                decided_by=cmd.actor,
                decided_at=now,
            ),
        ),
        summary=message,
    )


def reject(
    s: TicketSnapshot, cmd: Reject, now: datetime, policy: WorkflowPolicy, calendar: Calendar
) -> Outcome:
    """驳回: the oldest pending reply goes back with the reason; the deadlines do not move.

    A ticket waiting for approval falls back to `preliminary` when a 初步回复 reached the
    petitioner, else to `accepted`.
    """
    reason = cmd.reason.strip()
    if not reason:
        return refuse("reject", "reason_required", "驳回须写明理由")
    reply = s.oldest_pending()
    if reply is None:
        return _nothing_pending(s, "reject")
    after = _without(s, reply)
    if s.status is S.PENDING_APPROVAL:
        back = S.PRELIMINARY if s.preliminary_sent else S.ACCEPTED
        after = replace(after, status=move(s.status, back))
    due = s.formal_due or s.preliminary_due
    tail = f"原办理时限（{minute_text(due, policy.tz)}）不变。" if due else ""
    message = (
        f"党政办公室驳回了贵单位的{REPLY_TITLES.get(reply.kind, '答复')}，"
        f"理由：{reason}。请修改后直接回复本邮件重新提交，{tail}"
    )
    return Change(
        action="reject",
        before=s,
        after=after,
        events=(
            Event(
                "rejected",
                cmd.actor,
                {"intent": reply.kind, "reply_id": reply.reply_id, "reason": reason},
            ),
        ),
        notices=(
            confirm(
                reply_department(reply),
                reply_key(reply.reply_id, "rejected"),
                message,
                refused=True,
            ),
        ),
        replies=(
            ReplyUpdate(
                reply.reply_id,
                reply.kind,
                "rejected",
                decided_by=cmd.actor,
                decided_at=now,
                reject_reason=reason,
            ),
        ),
        summary=f"已驳回工单 {s.number} 的{REPLY_TITLES.get(reply.kind, '答复')}。",
    )
