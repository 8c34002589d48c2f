"""A ticket's documents (处理单 and 答复函) from the database: build, render, archive.

Every reply, approval and answer regenerates the record; each PDF is stored content-addressed in
the blob store and its sha256 recorded as a `record_generated` event, so the archive keeps every
version the ticket went through (一单一文一支撑, seed 004). Part of the command layer: a handler
makes an answer's documents in the deciding transaction (`handlers.answers`); the worker's
archive stage (`services.records`) catches up on the rest.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import xinxiang.store.models_replies  # noqa: F401  (tables used below)
from xinxiang.domain.states import STATUS_LABELS, TicketStatus
from xinxiang.errors import XinxiangError
from xinxiang.replies.answer_letter import AnswerLetter, render_answer_letter_pdf
from xinxiang.replies.pdf import render_record_pdf
from xinxiang.replies.record_view import (
    ClassificationHit,
    Evidence,
    RecordDeadline,
    RecordEvent,
    RecordNote,
    RecordReply,
    TicketRecord,
)
from xinxiang.store.models import AttachmentRow, CohandlerRow, EventRow, LetterRow, TicketRow
from xinxiang.store.models_replies import TicketReplyRow
from xinxiang.store.repo import add_event

RECORD_EVENT = "record_generated"
ANSWER_LETTER_EVENT = "answer_letter_generated"

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext

EVENT_LABELS = {
    "received": "登记",
    "classified": "分类",
    "dispatched": "转办",
    "transferred": "协调转办",
    "triage": "待人工分办",
    "accepted": "受理",
    "preliminary": "初步回复",
    "formal": "正式回复",
    "returned": "退回",
    "extension_requested": "申请延期",
    "extension_granted": "同意延期",
    "cohandler_result": "协办结果",
    "follow_up": "补充来信",
    "approval_requested": "提请审核",
    "approved": "审核通过",
    "rejected": "审核驳回",
    "answered": "答复来信人",
    "evidence_added": "支撑材料",
    "emergency_alert": "紧急通知",
    "suspected_emergency_alert": "疑似紧急提醒",
    "duplicate_linked": "重复来信",
    "closed_by_template": "模板答复",
    "praise_forwarded": "表扬转达",
    "redaction_lifted": "公开文本：保留隐去处",
    "redaction_added": "公开文本：增加隐去",
    "taken_down": "撤下公开答复",
    "restored_to_board": "恢复公开答复",
    "reply_refused": "答复未采纳",
    "cohandlers_added": "增加协办单位",
    "extension_approved": "同意延期",
    "extension_refused": "不同意延期",
    "closed": "办结",
    "reopened": "重新打开",
    "confirmation_pending": "等待来信人确认邮箱（网上来信）",
    "contact_confirmed": "来信人已确认邮箱",
}
REPLY_LABELS = {
    "accept": "受理",
    "preliminary": "初步回复",
    "formal": "正式回复",
    "extension": "延期申请",
    "cohandler_result": "协办结果",
}
URGENCY_LABELS = {
    "emergency": "紧急",
    "suspected_emergency": "疑似紧急",
    "priority": "优先",
    "normal": "一般",
}
FIELD_LABELS = {"subject": "主题", "body": "正文", "attachments": "附件名"}


DISPOSITION_LABELS = {
    "dispatch": "转办承办单位",
    "legal_channel": "告知法定途径",
    "illegal": "劝导解释",
    "praise": "表扬转达",
    "triage": "人工分办",
    "out_of_scope": "不属于受理范围",
}
TRACK_WORDS = {1: "能够解决", 2: "需本部门研究", 3: "需学校层面研究"}
INSTRUCTION_KINDS = ("instruction", "leader_instruction", "instructed")
"""Events that record a school leader's 批示 (督办)."""
PROPOSAL_KINDS = ("proposal", "office_proposal")
"""Events that record the office's 拟办意见."""


def actor_label(actor: str, people: dict[str, str] | None = None) -> str:
    """Who acted, as a reader of the 处理单 names them: never a raw channel prefix.

    `people` names known addresses: a department's registered address is its Chinese name,
    the petitioner's address is 来信人.
    """
    if actor in ("system", ""):
        return "系统"
    if people and actor.lower() in people:
        return people[actor.lower()]
    channel, sep, name = actor.partition(":")
    if sep and channel in ("cli", "web", "mail", "oa"):
        where = {"cli": "命令行", "web": "网上办公", "mail": "邮件", "oa": "OA"}[channel]
        return f"{name}（{where}）"
    return actor


def _content_label(content_type: str) -> str:
    main, _, sub = content_type.partition("/")
    if sub == "pdf":
        return "PDF文档"
    return {"image": "图片", "audio": "录音", "video": "视频", "text": "文本"}.get(main, "文件")


def _detail(ctx: AppContext, kind: str, data: dict[str, Any]) -> str:
    parts: list[str] = []
    for key in (
        "department",
        "departments",
        "reason",
        "track",
        "intent",
        "filename",
        "text",
        "by",
        "until",
    ):
        value = data.get(key)
        if value in (None, "", []):
            continue
        if key == "department":
            value = _dept_name(ctx, str(value))
        elif key == "departments" and isinstance(value, list):
            value = "、".join(_dept_name(ctx, str(v)) or str(v) for v in value)
        elif key == "track":
            value = TRACK_WORDS.get(value, f"第{value}类") if isinstance(value, int) else value
        elif key == "intent":
            value = REPLY_LABELS.get(str(value), "答复")
        elif key == "by":
            value = actor_label(str(value))
        parts.append(f"{value}")
    return "；".join(str(p)[:120] for p in parts)


def _rule_label(ctx: AppContext, name: str) -> str:
    """A classification rule as the office reads it: its Chinese description, never its id."""
    try:
        described = {r.name: r.description for r in ctx.rules.rules}
    except (XinxiangError, OSError):  # a rules file that no longer loads must not stop it
        described = {}
    if described.get(name):
        return described[name]
    return "紧急情形识别" if name.startswith("emergency") else "分类规则"


def _dept_name(ctx: AppContext, code: str | None) -> str | None:
    if not code:
        return None
    dept = ctx.cfg.department(code)
    return dept.name if dept else code


def build_record(
    ctx: AppContext, session: Session, ticket: TicketRow, now: datetime
) -> TicketRecord:
    """Everything the 处理单 shows about `ticket`, read from the database as of `now`."""
    letter = session.get(LetterRow, ticket.letter_id)
    events = list(
        session.execute(
            select(EventRow).where(EventRow.ticket_id == ticket.id).order_by(EventRow.id)
        ).scalars()
    )
    replies = list(
        session.execute(
            select(TicketReplyRow)
            .where(TicketReplyRow.ticket_id == ticket.id)
            .order_by(TicketReplyRow.id)
        ).scalars()
    )
    cohandlers = list(
        session.execute(select(CohandlerRow).where(CohandlerRow.ticket_id == ticket.id)).scalars()
    )
    c_json = ticket.classification or {}
    hits = tuple(
        ClassificationHit(
            _rule_label(ctx, str(h.get("rule", ""))),
            str(h.get("keyword", "")),
            FIELD_LABELS.get(str(h.get("field", "")), str(h.get("field", ""))),
        )
        for h in c_json.get("hits", [])
        if isinstance(h, dict)
    )
    people = {a.lower(): d.name for d in ctx.cfg.departments for a in d.emails}
    people[ticket.petitioner_addr.lower()] = "来信人"
    record_events = tuple(
        RecordEvent(
            e.at, actor_label(e.actor, people), EVENT_LABELS[e.kind], _detail(ctx, e.kind, e.data)
        )
        for e in events
        if e.kind in EVENT_LABELS and e.kind != "classified"
    )

    def first_reply_at(*kinds: str) -> datetime | None:
        times = [r.created_at for r in replies if r.kind in kinds]
        return min(times) if times else None

    deadlines: list[RecordDeadline] = []
    if ticket.dispatch_due is not None:
        deadlines.append(
            RecordDeadline("转办（1个自然日）", ticket.dispatch_due, ticket.dispatched_at)
        )
    if ticket.response_due is not None:
        deadlines.append(
            RecordDeadline(
                "承办部门响应（当天）",
                ticket.response_due,
                first_reply_at("accept", "preliminary", "formal", "extension"),
                ticket.calendar_verified,
            )
        )
    if ticket.preliminary_due is not None:
        deadlines.append(
            RecordDeadline(
                "初步回复",
                ticket.preliminary_due,
                first_reply_at("preliminary", "formal"),
                ticket.calendar_verified,
            )
        )
    for co in cohandlers:
        deadlines.append(
            RecordDeadline(
                f"协办结果（{_dept_name(ctx, co.department_code)}）", co.due, co.reported_at
            )
        )
    if ticket.formal_due is not None:
        deadlines.append(
            RecordDeadline(
                "正式回复", ticket.formal_due, first_reply_at("formal"), ticket.calendar_verified
            )
        )
    if ticket.revisit_due is not None:
        deadlines.append(RecordDeadline("回访（48小时）", ticket.revisit_due, None))

    record_replies = tuple(
        RecordReply(
            REPLY_LABELS.get(r.kind, r.kind),
            _dept_name(ctx, r.department_code) or r.author,
            r.final_text or r.text,
            r.created_at,
            actor_label(r.decided_by) if r.state in ("approved", "sent") and r.decided_by else None,
            r.decided_at if r.state in ("approved", "sent") and r.decided_by else None,
        )
        for r in replies
    )
    evidence: list[Evidence] = []
    if letter is not None:
        for att in session.execute(
            select(AttachmentRow).where(AttachmentRow.letter_id == letter.id)
        ).scalars():
            if att.sha256:
                evidence.append(
                    Evidence(att.filename, _content_label(att.content_type), att.size, att.sha256)
                )
    for e in events:
        if e.kind == "evidence_added":
            evidence.append(
                Evidence(
                    str(e.data.get("filename", "")),
                    _content_label(str(e.data.get("content_type", ""))),
                    int(e.data.get("size", 0)),
                    str(e.data.get("sha256", "")),
                )
            )
    public = any(r.public for r in replies)
    return TicketRecord(
        school=ctx.cfg.settings.school.name,
        number=ticket.number,
        query_code=ticket.query_code,
        channel=ticket.channel,
        status=STATUS_LABELS.get(TicketStatus(ticket.status), ticket.status),
        petitioner_name=ticket.petitioner_name,
        petitioner_address=ticket.petitioner_addr,
        subject=ticket.subject,
        body=letter.body if letter is not None else "",
        received_at=ticket.created_at,
        generated_at=now,
        public_consent=bool(ticket.public_consent),
        is_public=public,
        category=ticket.category,
        department=_dept_name(ctx, ticket.department_code),
        co_departments=tuple(_dept_name(ctx, c.department_code) or "" for c in cohandlers),
        urgency=URGENCY_LABELS.get(ticket.urgency, ticket.urgency),
        track=ticket.track or 1,
        disposition=DISPOSITION_LABELS.get(ticket.disposition or ""),
        proposals=tuple(
            RecordNote(e.at, actor_label(e.actor), str(e.data.get("text", "")))
            for e in events
            if e.kind in PROPOSAL_KINDS
        ),
        instructions=tuple(
            RecordNote(e.at, actor_label(e.actor), str(e.data.get("text", "")))
            for e in events
            if e.kind in INSTRUCTION_KINDS
        ),
        classification=hits,
        events=record_events,
        deadlines=tuple(deadlines),
        replies=record_replies,
        evidence=tuple(evidence),
        tz=ctx.cfg.settings.school.timezone,
    )


def regenerate_record(
    ctx: AppContext, session: Session, ticket: TicketRow, now: datetime
) -> tuple[bytes, str]:
    """Render the 处理单 of `ticket`, archive it as a blob, record the event; (pdf, sha256)."""
    session.flush()
    pdf = render_record_pdf(build_record(ctx, session, ticket, now))
    sha = ctx.blobs.put(pdf, ".pdf")
    add_event(session, ticket.id, now, "system", RECORD_EVENT, sha256=sha, size=len(pdf))
    return pdf, sha


def build_answer_letter(
    ctx: AppContext,
    ticket: TicketRow,
    letter: LetterRow | None,
    answer: str,
    department_code: str | None,
    answered_at: datetime,
) -> AnswerLetter:
    """The petitioner's 答复函 of `ticket` for `answer`: nothing internal is read into it."""
    school = ctx.cfg.settings.school
    dept = ctx.cfg.department(department_code) if department_code else None
    return AnswerLetter(
        school=school.name,
        office_name=school.office_name,
        number=ticket.number,
        petitioner_name=ticket.petitioner_name,
        subject=ticket.subject,
        body=letter.body if letter is not None else "",
        received_at=ticket.created_at,
        answer=answer,
        answered_at=answered_at,
        department=dept.name if dept is not None else school.office_name,
        department_phone=dept.phone if dept is not None else "",
        office_phone=school.office_phone,
        office_hours=school.office_hours,
        lookup_url=school.public_url,
        tz=school.timezone,
    )


def answer_letter_pdf(
    ctx: AppContext,
    session: Session,
    ticket: TicketRow,
    answer: str,
    department_code: str | None,
    now: datetime,
) -> bytes:
    """Render the 答复函 and archive it as a blob with an `answer_letter_generated` event."""
    letter = session.get(LetterRow, ticket.letter_id)
    pdf = render_answer_letter_pdf(
        build_answer_letter(ctx, ticket, letter, answer, department_code, now)
    )
    sha = ctx.blobs.put(pdf, ".pdf")
    add_event(session, ticket.id, now, "system", ANSWER_LETTER_EVENT, sha256=sha, size=len(pdf))
    return pdf


def record_filename(ticket: TicketRow) -> str:
    """The attachment name of a ticket's 阅批处理单 (internal)."""
    return f"阅批处理单-{ticket.number}.pdf"
