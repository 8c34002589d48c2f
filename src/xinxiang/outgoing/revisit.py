"""The mail of the revisit loop's notices: the rating request, 发回重办, 督办 and 批示.

Called by `handlers.notices` for the kinds in `KINDS`. The rating request carries one signed
link per level when the console has a public address (`[school] public_url`), and always the
way to rate by reply. The 督办 mail is the same item type as the sweep's escalation of overdue
tickets (mail kind `escalation`), with its reason and the ticket's whole history; the leader's
answer goes to the office (Reply-To), which records the 批示.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinxiang.domain.workflow import Notice
from xinxiang.domain.workflow.revisit import CHANNEL_LABELS, RATING_LABELS
from xinxiang.replies.mailer import MailSpec
from xinxiang.replies.rating_links import link_url
from xinxiang.replies.render import format_cn_datetime
from xinxiang.store.models import LetterRow, TicketRow
from xinxiang.store.models_replies import TicketReplyRow
from xinxiang.store.models_revisit import RevisitRow

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext

KINDS = frozenset({"revisit", "rework", "supervision", "instruction"})
"""Notice kinds this module turns into mail."""


def _body(session: Session, ticket: TicketRow) -> str:
    letter = session.get(LetterRow, ticket.letter_id)
    return letter.body if letter is not None else ""


def history(ctx: AppContext, session: Session, ticket: TicketRow) -> list[str]:
    """The ticket's story for the leader: receipt, every answer sent, every rating."""
    tz = ctx.cfg.settings.school.timezone
    lines = [f"{format_cn_datetime(ticket.created_at, tz)} 收到来信"]
    answers = session.execute(
        select(TicketReplyRow)
        .where(
            TicketReplyRow.ticket_id == ticket.id,
            TicketReplyRow.kind == "formal",
            TicketReplyRow.state.in_(("sent", "approved")),
        )
        .order_by(TicketReplyRow.id)
    ).scalars()
    entries: list[tuple[datetime, str]] = []
    for a in answers:
        dept = ctx.cfg.department(a.department_code) if a.department_code else None
        when = a.sent_at or a.created_at
        text = (a.final_text or a.text).strip().replace("\n", " ")
        entries.append((when, f"{dept.name if dept else a.author} 正式答复：{text[:300]}"))
    for r in session.execute(
        select(RevisitRow).where(RevisitRow.ticket_id == ticket.id).order_by(RevisitRow.round)
    ).scalars():
        if r.rating is not None and r.rated_at is not None:
            how = CHANNEL_LABELS.get(r.channel or "", r.channel or "")
            note = f"，意见：{r.comment}" if r.comment else ""
            entries.append(
                (r.rated_at, f"第{r.round}轮回访（{how}）：{RATING_LABELS[r.rating]}{note}")
            )
    for when, text in sorted(entries, key=lambda e: e[0]):
        lines.append(f"{format_cn_datetime(when, tz)} {text}")
    return lines


def revisit_spec(
    ctx: AppContext,
    session: Session,
    ticket: TicketRow,
    n: Notice,
    d: dict[str, Any],
    to: list[str],
) -> MailSpec:
    """The mail of a revisit notice (`n.kind` in `KINDS`)."""
    head = f"{ticket.number} {ticket.subject}"
    dept = ctx.cfg.department(ticket.department_code) if ticket.department_code else None
    if n.kind == "revisit":
        public = ctx.cfg.settings.school.public_url
        links = (
            [
                (lvl, RATING_LABELS[lvl], link_url(public, str(d["nonce"]), lvl, ctx.token_key))
                for lvl in sorted(RATING_LABELS, reverse=True)
            ]
            if public
            else []
        )
        return MailSpec(
            kind="revisit",
            to=to,
            subject=f"【{'评价提醒' if d.get('reminder') else '回访'}】{head}",
            template="revisit",
            key=n.key,
            context={
                "links": links,
                "levels": sorted(RATING_LABELS.items(), reverse=True),
                "due": d["due_at"],
                "reminder": bool(d.get("reminder")),
            },
        )
    if n.kind == "rework":
        supervised = bool(d.get("supervised"))
        return MailSpec(
            kind="rework",
            to=to,
            subject=f"【{'督办' if supervised else '发回重办'}】{head}",
            template="rework",
            key=n.key,
            context={**d, "supervised": supervised, "department": dept},
        )
    if n.kind == "supervision":
        return MailSpec(
            kind="escalation",  # 督办: one item type with the sweep's escalation
            to=to,
            subject=f"【督办】{head}（再次不满意）",
            template="supervision",
            key=f"revisit-{n.key}",
            context={
                **d,
                "department": dept,
                "history": history(ctx, session, ticket),
                "body": _body(session, ticket),
            },
            reply_to=ctx.cfg.office.emails[0],
        )
    return MailSpec(
        kind="instruction",
        to=to,
        subject=f"【督办批示】{head}",
        template="instruction",
        key=n.key,
        context={**d, "department": dept, "body": _body(session, ticket)},
    )
