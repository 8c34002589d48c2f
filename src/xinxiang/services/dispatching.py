"""Routing a new ticket: classify, link duplicates, then dispatch, triage or answer by template.

Also the single place where a ticket is (re-)dispatched to a department (`dispatch_ticket`): the
acceptance time restarts the SLA clock, deadlines are computed by the pure deadline engine, and
the department gets the dispatch mail with everything it needs to answer by replying.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from xinxiang.classify.duplicates import PriorLetter, find_duplicate
from xinxiang.classify.engine import Classification, classify_letter
from xinxiang.config import Department
from xinxiang.domain.deadlines import Deadlines, compute_deadlines, return_window_end
from xinxiang.domain.letter import Letter
from xinxiang.domain.states import OPEN_STATUSES, STATUS_LABELS, TicketStatus
from xinxiang.notify.tickets import notify_ticket
from xinxiang.replies.ack import supersede_receipt
from xinxiang.replies.mailer import MailSpec, queue_ticket_mail
from xinxiang.replies.render import quote_excerpt
from xinxiang.services.privacy import confidential_of, for_department
from xinxiang.store.models import AttachmentRow, LetterRow, TicketRow
from xinxiang.store.repo import add_event, letter_from_row

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext

INTENT_HELP = (
    ("受理", "确认承办；如需研究可写明“受理：需本部门研究”或“受理：需学校研究”"),
    ("初步回复", "需研究的事项先行答复，可写明“预计12月20日前正式回复”"),
    ("正式回复", "办理结果，经审核后发给来信人"),
    ("退回", "“退回：原因……”，仅限转办后1小时内，非本部门职责时使用"),
    ("延期", "“延期：至2026-12-05，原因：……”，最长5个自然日，须经党政办公室同意"),
    ("协办结果", "协办单位向主办单位报告办理情况"),
)

DEADLINE_LABELS = {
    "response_due": "响应时限（当天响应）",
    "preliminary_due": "初步回复时限",
    "formal_due": "正式回复时限",
    "dispatch_due": "转办时限",
}


def route_new_ticket(
    ctx: AppContext, session: Session, ticket: TicketRow, letter: Letter, now: datetime
) -> Classification:
    """Classify a fresh ticket and act on the decision (inside the ingest transaction)."""
    c = classify_letter(letter, ctx.rules)
    ticket.category = c.category
    ticket.urgency = c.urgency
    ticket.disposition = c.disposition
    ticket.track = c.track
    ticket.confidence = c.confidence
    ticket.classification = c.to_json()
    ticket.rules_version = ctx.rules.version
    add_event(session, ticket.id, now, "system", "classified", **c.to_json())
    confidential = confidential_of(ctx.cfg, letter.subject, letter.body)
    if confidential.value:
        # Identity also hides in content (导师唯一的博士生): the office reads it before anyone.
        add_event(session, ticket.id, now, "system", "confidential", phrase=confidential.phrase)

    settings = ctx.cfg.settings.dispatch
    if c.is_emergency or c.is_suspected_emergency:
        _emergency_alert(ctx, session, ticket, letter, c, now)
    if not c.is_emergency and _flooding(ctx, session, ticket, letter, c, now):
        return c
    earlier = _find_earlier(ctx, session, ticket, letter, now)
    if earlier is not None and not c.is_emergency:
        _link_duplicate(ctx, session, ticket, letter, earlier, now)
        return c
    if c.disposition == "legal_channel":
        _close_with_template(ctx, session, ticket, letter, "legal_channel", "依法依规渠道告知", now)
    elif c.disposition == "illegal":
        ticket.flagged = True
        _close_with_template(ctx, session, ticket, letter, "illegal", "来信回复", now)
        office = ctx.cfg.office
        queue_ticket_mail(
            ctx,
            session,
            ticket,
            MailSpec(
                kind="office_flag",
                to=office.emails,
                key="illegal",
                subject=f"【需关注】{ticket.number} 来信涉及违法或违背公序良俗",
                template="office_flag",
                context=_letter_context(ctx, ticket, letter, c),
            ),
            now,
        )
    elif c.disposition == "praise":
        _forward_praise(ctx, session, ticket, letter, c, now)
    elif (
        c.disposition == "dispatch"
        and c.department_code
        and (
            c.is_emergency
            or (
                settings.auto
                and not settings.require_office_confirmation
                and not confidential.value
            )
        )
    ):
        dispatch_ticket(
            ctx,
            session,
            ticket,
            c.department_code,
            now,
            actor="system",
            letter=letter,
            classification=c,
        )
    else:
        ticket.status = TicketStatus.TRIAGE.value
        add_event(
            session,
            ticket.id,
            now,
            "system",
            "triage",
            reason=f"来信人要求身份保密（“{confidential.phrase}”），须经党政办公室人工分办"
            if confidential.value and c.disposition == "dispatch"
            else "无把握的分类，等待党政办公室人工分办"
            if c.disposition == "triage"
            else "按配置须经党政办公室确认后转办",
        )
    return c


def _flooding(
    ctx: AppContext,
    session: Session,
    ticket: TicketRow,
    letter: Letter,
    c: Classification,
    now: datetime,
) -> bool:
    """Past the hourly cap of letters from one sender: triage, no mail to departments (刷屏).

    The letter still becomes a ticket; the office reviews it. The office is told once, when
    the cap is first passed. Emergencies never come here: their alert and dispatch go out.
    """
    address = (ticket.petitioner_addr or "").lower()
    cap = ctx.cfg.settings.dispatch.flood_letters_per_hour
    if not address:
        return False
    earlier = session.execute(
        select(func.count(TicketRow.id)).where(
            func.lower(TicketRow.petitioner_addr) == address,
            TicketRow.id < ticket.id,
            TicketRow.created_at >= ticket.created_at - timedelta(hours=1),
        )
    ).scalar_one()
    if earlier < cap:
        return False
    ticket.status = TicketStatus.TRIAGE.value
    ticket.flagged = True
    add_event(
        session,
        ticket.id,
        now,
        "system",
        "triage",
        reason=f"同一来信人一小时内第 {earlier + 1} 封来信，超过 {cap} 封，转党政办公室人工分办",
        flood=True,
    )
    if earlier == cap:
        queue_ticket_mail(
            ctx,
            session,
            ticket,
            MailSpec(
                kind="office_flag",
                to=ctx.cfg.office.emails,
                key="flood",
                subject=f"【需关注】{ticket.number} 同一来信人短时间内大量来信",
                template="office_flag",
                context={
                    **_letter_context(ctx, ticket, letter, c),
                    "flood": {"address": address, "count": earlier + 1, "cap": cap},
                },
            ),
            now,
        )
    return True


def _letter_context(
    ctx: AppContext, ticket: TicketRow, letter: Letter, c: Classification | None
) -> dict[str, Any]:
    return {
        "letter": letter,
        "excerpt": quote_excerpt(letter.body, ctx.cfg.settings.ack.quote_chars),
        "classification": c,
        "received_at": ticket.created_at,
    }


def _emergency_alert(
    ctx: AppContext,
    session: Session,
    ticket: TicketRow,
    letter: Letter,
    c: Classification,
    now: datetime,
) -> None:
    """紧急: office and department at once; 疑似紧急: the office alone, to look at once."""
    if c.is_suspected_emergency:
        kind, title, dept = "suspected_emergency_alert", "疑似紧急", None
        extra: dict[str, Any] = {}
    else:
        kind, title = "emergency_alert", "紧急"
        dept = ctx.cfg.department(c.department_code or "") if c.department_code else None
        extra = {
            "department": dept,
            "respond_by": now + ctx.policy.emergency_response,
            "resolve_by": now + ctx.policy.emergency_resolution,
        }
    to = list(ctx.cfg.office.emails) + (list(dept.emails) if dept else [])
    queue_ticket_mail(
        ctx,
        session,
        ticket,
        MailSpec(
            kind=kind,
            to=to,
            key="alert",
            subject=f"【{title}】{ticket.number} {letter.subject}",
            template=kind,
            context={**_letter_context(ctx, ticket, letter, c), **extra},
            auto_submitted="auto-generated",
        ),
        now,
    )
    add_event(session, ticket.id, now, "system", kind, to=to, rules=[h.rule for h in c.hits])
    notify_ticket(
        session,
        ctx.cfg,
        number=ticket.number,
        kind=kind.removesuffix("_alert"),
        key=f"{kind}:{ticket.id}",
        to=[ctx.cfg.office, dept],
        deadline=extra.get("respond_by"),
        now=now,
    )


def _find_earlier(
    ctx: AppContext, session: Session, ticket: TicketRow, letter: Letter, now: datetime
) -> TicketRow | None:
    settings = ctx.cfg.settings.dispatch
    window = timedelta(days=settings.duplicate_window_days)
    rows = session.execute(
        select(TicketRow, LetterRow.body)
        .join(LetterRow, LetterRow.id == TicketRow.letter_id)
        .where(
            TicketRow.petitioner_addr == ticket.petitioner_addr,
            TicketRow.id < ticket.id,  # only earlier letters; later ones are not "earlier"
            TicketRow.duplicate_of.is_(None),
            or_(
                TicketRow.status.in_([s.value for s in OPEN_STATUSES]),
                TicketRow.closed_at >= now - window,
            ),
        )
        .order_by(TicketRow.id.desc())
        .limit(20)
    ).all()
    if not rows:
        return None
    by_number = {t.number: t for t, _ in rows}
    priors = [
        PriorLetter(
            ticket_number=t.number,
            sender=t.petitioner_addr,
            text=f"{t.subject}\n{body}",
            created_at=t.created_at,
            is_open=t.status in {s.value for s in OPEN_STATUSES},
            answered_at=t.closed_at,
        )
        for t, body in rows
    ]
    match = find_duplicate(
        ticket.petitioner_addr,
        f"{letter.subject}\n{letter.body}",
        priors,
        now,
        window,
        settings.duplicate_threshold,
    )
    return by_number[match.ticket_number] if match else None


def _link_duplicate(
    ctx: AppContext,
    session: Session,
    ticket: TicketRow,
    letter: Letter,
    earlier: TicketRow,
    now: datetime,
) -> None:
    ticket.duplicate_of = earlier.id
    supersede_receipt(session, ticket)
    ticket.status = TicketStatus.CLOSED.value
    ticket.closed_at = now
    ticket.excluded_from_assessment = True
    add_event(session, ticket.id, now, "system", "duplicate_linked", earlier=earlier.number)
    add_event(session, earlier.id, now, "system", "duplicate_received", later=ticket.number)
    dept = ctx.cfg.department(earlier.department_code or "")
    queue_ticket_mail(
        ctx,
        session,
        ticket,
        MailSpec(
            kind="duplicate_notice",
            to=[ticket.petitioner_addr],
            key="notice",
            subject=f"【办理进度】{earlier.number} {earlier.subject}",
            template="duplicate_notice",
            context={
                **_letter_context(ctx, ticket, letter, None),
                "earlier": earlier,
                "earlier_status": STATUS_LABELS[TicketStatus(earlier.status)],
                "department": dept,
            },
            in_reply_to=letter.message_id,
            references=[letter.message_id] if letter.message_id else [],
            auto_submitted="auto-replied",
        ),
        now,
    )


def _close_with_template(
    ctx: AppContext,
    session: Session,
    ticket: TicketRow,
    letter: Letter,
    template: str,
    title: str,
    now: datetime,
) -> None:
    supersede_receipt(session, ticket)
    ticket.status = TicketStatus.CLOSED.value
    ticket.closed_at = now
    ticket.excluded_from_assessment = True
    queue_ticket_mail(
        ctx,
        session,
        ticket,
        MailSpec(
            kind=template,
            to=[ticket.petitioner_addr],
            key="reply",
            subject=f"【{title}】{ticket.number} {letter.subject}",
            template=template,
            context=_letter_context(ctx, ticket, letter, None),
            in_reply_to=letter.message_id,
            references=[letter.message_id] if letter.message_id else [],
            auto_submitted="auto-replied",
        ),
        now,
    )
    add_event(session, ticket.id, now, "system", "closed_by_template", template=template)


def _forward_praise(
    ctx: AppContext,
    session: Session,
    ticket: TicketRow,
    letter: Letter,
    c: Classification,
    now: datetime,
) -> None:
    dept = ctx.cfg.department(c.department_code or "") if c.department_code else None
    target = dept or ctx.cfg.office
    ticket.department_code = target.code
    ticket.status = TicketStatus.CLOSED.value
    ticket.closed_at = now
    ticket.excluded_from_assessment = True
    queue_ticket_mail(
        ctx,
        session,
        ticket,
        MailSpec(
            kind="praise_forward",
            to=target.emails,
            key="forward",
            subject=f"【表扬转达】{ticket.number} {letter.subject}",
            template="praise_forward",
            context={**_letter_context(ctx, ticket, letter, c), "department": target},
        ),
        now,
    )
    add_event(session, ticket.id, now, "system", "praise_forwarded", department=target.code)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def deadlines_for(ctx: AppContext, ticket: TicketRow, accepted_at: datetime) -> Deadlines:
    """The staged deadlines of `ticket` if accepted at `accepted_at`."""
    return compute_deadlines(
        accepted_at, ticket.track, ticket.urgency or "normal", ctx.policy, ctx.calendar, ctx.cfg.tz
    )


def _load_letter(session: Session, ticket: TicketRow) -> Letter:
    """The ticket's letter as recorded (works for mail and for OA petitions alike)."""
    row = session.get(LetterRow, ticket.letter_id)
    assert row is not None
    return letter_from_row(row, [])


def dispatch_ticket(
    ctx: AppContext,
    session: Session,
    ticket: TicketRow,
    department_code: str,
    now: datetime,
    *,
    actor: str,
    reason: str | None = None,
    letter: Letter | None = None,
    classification: Classification | None = None,
) -> Department:
    """(Re-)dispatch `ticket` to a department: acceptance now, deadlines, the dispatch mail.

    A transfer (re-dispatch) restarts the clock from the new acceptance time.
    """
    dept = ctx.cfg.department(department_code)
    if dept is None:
        raise LookupError(f"unknown department {department_code!r}")
    previous = ticket.department_code if ticket.dispatched_at else None
    if ticket.track is None:
        ticket.track = 1
    deadlines = deadlines_for(ctx, ticket, now)
    ticket.department_code = dept.code
    ticket.status = TicketStatus.DISPATCHED.value
    ticket.accepted_at = now
    ticket.dispatched_at = now
    ticket.first_day = deadlines.first_day.isoformat()
    ticket.response_due = deadlines.response_due
    ticket.preliminary_due = deadlines.preliminary_due
    ticket.formal_due = deadlines.formal_due
    ticket.calendar_verified = deadlines.calendar_verified
    ticket.closed_at = None
    kind = "transferred" if previous else "dispatched"
    add_event(
        session,
        ticket.id,
        now,
        actor,
        kind,
        department=dept.code,
        previous=previous,
        reason=reason,
        first_day=deadlines.first_day.isoformat(),
        response_due=deadlines.response_due.isoformat(),
        preliminary_due=_iso(deadlines.preliminary_due),
        formal_due=_iso(deadlines.formal_due),
        calendar_verified=deadlines.calendar_verified,
    )
    queue_dispatch_mail(
        ctx,
        session,
        ticket,
        dept,
        now,
        transfer_reason=reason if previous else None,
        letter=letter,
        classification=classification,
    )
    return dept


def queue_dispatch_mail(
    ctx: AppContext,
    session: Session,
    ticket: TicketRow,
    dept: Department,
    now: datetime,
    *,
    transfer_reason: str | None,
    letter: Letter | None = None,
    classification: Classification | None = None,
) -> None:
    """The dispatch mail (转办单) of `ticket`, already dispatched to `dept` at `now`.

    Everything the department needs to answer by replying: the letter (without the
    petitioner's identity when it is confidential), the deadlines on the row, the commands.
    """
    if letter is None:
        letter = _load_letter(session, ticket)
    attachments = _attachments_for_mail(ctx, session, ticket)
    confidential = confidential_of(ctx.cfg, letter.subject, letter.body).value
    if confidential:
        # No name, address or contact of the petitioner reaches the department (seed 004).
        letter = for_department(ctx.cfg, letter, ticket.petitioner_name)
        attachments = []
    due_lines = [
        (DEADLINE_LABELS[name], value)
        for name, value in (
            ("response_due", ticket.response_due),
            ("preliminary_due", ticket.preliminary_due),
            ("formal_due", ticket.formal_due),
        )
        if value is not None
    ]
    c_json = ticket.classification or {}
    queue_ticket_mail(
        ctx,
        session,
        ticket,
        MailSpec(
            kind="dispatch",
            to=dept.emails,
            key=f"{dept.code}:{now.isoformat()}",
            subject=f"【转办】{ticket.number} {letter.subject if confidential else ticket.subject}"
            + ("【紧急】" if ticket.urgency == "emergency" else ""),
            template="dispatch",
            context={
                **_letter_context(ctx, ticket, letter, classification),
                "department": dept,
                "hits": c_json.get("hits", []),
                "category": ticket.category,
                "urgency": ticket.urgency,
                "track": ticket.track,
                "due_lines": due_lines,
                "calendar_verified": ticket.calendar_verified,
                "return_until": return_window_end(now, ctx.policy),
                "intent_help": INTENT_HELP,
                "attachment_names": [a[0] for a in attachments],
                "transfer_reason": transfer_reason,
                "confidential": confidential,
            },
            attachments=attachments,
        ),
        now,
    )


def _attachments_for_mail(
    ctx: AppContext, session: Session, ticket: TicketRow
) -> list[tuple[str, str, bytes]]:
    budget = ctx.cfg.settings.dispatch.attach_files_up_to_bytes
    out: list[tuple[str, str, bytes]] = []
    rows = session.execute(
        select(AttachmentRow).where(
            AttachmentRow.letter_id == ticket.letter_id, AttachmentRow.stored.is_(True)
        )
    ).scalars()
    for att in rows:
        if att.sha256 is None or att.size > budget:
            continue
        budget -= att.size
        out.append((att.filename, att.content_type, ctx.blobs.get(att.sha256)))
    return out
