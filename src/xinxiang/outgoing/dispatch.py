"""The dispatch of a ticket to a department (转办单): its mail, deadlines and letter context.

The decision to dispatch (or re-dispatch) is the workflow's (`domain.workflow.route`, through
`handlers`); this module composes what the department receives: the letter (without the
petitioner's identity when it is confidential), the deadlines on the row, the commands it
answers with, and the files within the size budget. Routing's other mail uses `letter_context`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinxiang.classify.engine import Classification
from xinxiang.config import Department
from xinxiang.domain.deadlines import Deadlines, compute_deadlines, return_window_end
from xinxiang.domain.letter import Letter
from xinxiang.replies.mailer import MailSpec
from xinxiang.replies.privacy import confidential_of, for_department
from xinxiang.replies.render import quote_excerpt
from xinxiang.store.models import AttachmentRow, LetterRow, TicketRow
from xinxiang.store.repo import letter_from_row
from xinxiang.store.write_batch import active as active_batch

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext


def intent_help(
    formal_due: datetime | None, now: datetime, tz: tzinfo
) -> tuple[tuple[str, str], ...]:
    """The reply keywords and their help, with example dates taken from this ticket's own
    formal deadline (never a fixed date that goes by): an extension three days past it, a
    planned formal answer a week after it."""
    base = (formal_due if formal_due is not None and formal_due > now else now).astimezone(tz)
    day = base.date() - timedelta(days=1) if base.time() == time(0, 0) else base.date()
    extend, plan = day + timedelta(days=3), day + timedelta(days=7)
    return (
        ("受理", "确认承办；如需研究可写明“受理：需本部门研究”或“受理：需学校研究”"),
        ("初步回复", f"需研究的事项先行答复，可写明“预计{plan.month}月{plan.day}日前正式回复”"),
        ("正式回复", "办理结果，经审核后发给来信人"),
        ("退回", "“退回：原因……”，仅限转办后1小时内，非本部门职责时使用"),
        ("延期", f"“延期：至{extend.isoformat()}，原因：……”，最长5个自然日，须经党政办公室同意"),
        ("协办结果", "协办单位向主办单位报告办理情况"),
    )


DEADLINE_LABELS = {
    "response_due": "响应时限（当天响应）",
    "preliminary_due": "初步回复时限",
    "formal_due": "正式回复时限",
    "dispatch_due": "转办时限",
}


def letter_context(
    ctx: AppContext, ticket: TicketRow, letter: Letter, c: Classification | None
) -> dict[str, Any]:
    """What every mail about a new letter shows of it (letter, excerpt, classification)."""
    return {
        "letter": letter,
        "excerpt": quote_excerpt(letter.body, ctx.cfg.settings.ack.quote_chars),
        "classification": c,
        "received_at": ticket.created_at,
    }


def deadlines_for(ctx: AppContext, ticket: TicketRow, accepted_at: datetime) -> Deadlines:
    """The staged deadlines of `ticket` if accepted at `accepted_at`."""
    return compute_deadlines(
        accepted_at, ticket.track, ticket.urgency or "normal", ctx.policy, ctx.calendar, ctx.cfg.tz
    )


def load_letter(session: Session, ticket: TicketRow) -> Letter:
    """The ticket's letter as recorded (works for mail and for OA petitions alike)."""
    row = session.get(LetterRow, ticket.letter_id)
    assert row is not None
    return letter_from_row(row, [])


def dispatch_spec(
    ctx: AppContext,
    session: Session,
    ticket: TicketRow,
    dept: Department,
    now: datetime,
    *,
    transfer_reason: str | None,
    letter: Letter | None = None,
    classification: Classification | None = None,
) -> MailSpec:
    """The dispatch mail (转办单) of `ticket`, already dispatched to `dept` at `now`.

    Everything the department needs to answer by replying: the letter (without the
    petitioner's identity when it is confidential), the deadlines on the row, the commands.
    """
    if letter is None:
        letter = load_letter(session, ticket)
    files = _files_for_mail(ctx, session, ticket)
    confidential = confidential_of(ctx.cfg, letter.subject, letter.body).value
    if confidential:
        # No name, address or contact of the petitioner reaches the department (seed 004).
        letter = for_department(ctx.cfg, letter, ticket.petitioner_name)
        files = []
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
    return MailSpec(
        kind="dispatch",
        to=dept.emails,
        key=f"{dept.code}:{now.isoformat()}",
        subject=f"【转办】{ticket.number} {letter.subject if confidential else ticket.subject}"
        + ("【紧急】" if ticket.urgency == "emergency" else ""),
        template="dispatch",
        context={
            **letter_context(ctx, ticket, letter, classification),
            "department": dept,
            "hits": c_json.get("hits", []),
            "category": ticket.category,
            "urgency": ticket.urgency,
            "track": ticket.track,
            "due_lines": due_lines,
            "calendar_verified": ticket.calendar_verified,
            "return_until": return_window_end(now, ctx.policy),
            "intent_help": intent_help(ticket.formal_due, now, ctx.cfg.tz),
            "attachment_names": [a[0] for a in files],
            "transfer_reason": transfer_reason,
            "confidential": confidential,
        },
        stored_files=files,
    )


def _files_for_mail(
    ctx: AppContext, session: Session, ticket: TicketRow
) -> list[tuple[str, str, str]]:
    """The letter's stored files within the size budget: (name, content type, sha256), read
    from the blob store when the mail is flattened."""
    budget = ctx.cfg.settings.dispatch.attach_files_up_to_bytes
    out: list[tuple[str, str, str]] = []
    batch = active_batch(session)
    if batch is not None and ticket.letter_id in batch.attachments:  # read with the batch
        rows: Iterable[AttachmentRow] = [a for a in batch.attachments[ticket.letter_id] if a.stored]
    else:
        rows = session.execute(
            select(AttachmentRow).where(
                AttachmentRow.letter_id == ticket.letter_id, AttachmentRow.stored.is_(True)
            )
        ).scalars()
    for att in rows:
        if att.sha256 is None or att.size > budget:
            continue
        budget -= att.size
        # Missing now is an error now (the ticket is shunted), not a failure when it is sent.
        ctx.blobs.require(att.sha256)
        out.append((att.filename, att.content_type, att.sha256))
    return out
