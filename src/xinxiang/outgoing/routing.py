"""The mail of routing's notices (分办通知): template answers, praise, duplicates, office flags.

`routing_spec` turns a notice of a routing decision (`workflow.Close`, a flood's
`HoldForTriage`) into the `MailSpec` routing always sent: the template answer threaded to the
petitioner's letter (依法依规渠道告知, 来信回复), the duplicate notice (办理进度), the praise
forwarded to its department (表扬转达) and the office's flag (需关注: illegal, flood).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinxiang.domain.states import STATUS_LABELS, TicketStatus
from xinxiang.domain.workflow import Notice
from xinxiang.errors import XinxiangError
from xinxiang.outgoing.dispatch import letter_context
from xinxiang.replies.mailer import MailSpec
from xinxiang.store.models import TicketRow
from xinxiang.store.write_batch import unflushed

if TYPE_CHECKING:
    from xinxiang.classify.engine import Classification
    from xinxiang.domain.letter import Letter
    from xinxiang.services.context import AppContext

ROUTING_KINDS = frozenset(
    {"legal_channel", "illegal", "praise_forward", "duplicate_notice", "office_flag"}
)
"""The notice kinds whose mail is composed here."""


def _threaded(letter: Letter) -> dict[str, Any]:
    """An automatic answer to the petitioner, in the thread of the letter."""
    return {
        "in_reply_to": letter.message_id,
        "references": [letter.message_id] if letter.message_id else [],
        "auto_submitted": "auto-replied",
    }


def routing_spec(
    ctx: AppContext,
    session: Session,
    ticket: TicketRow,
    n: Notice,
    letter: Letter,
    c: Classification | None,
) -> MailSpec:
    """The mail of routing's notice `n` on `ticket` (its letter `letter`, classified as `c`)."""
    d: dict[str, Any] = dict(n.data)
    if n.kind in ("legal_channel", "illegal"):
        return MailSpec(
            kind=n.kind,
            to=[ticket.petitioner_addr],
            key=n.key,
            subject=f"【{d['title']}】{ticket.number} {letter.subject}",
            template=n.kind,
            context=letter_context(ctx, ticket, letter, None),
            **_threaded(letter),
        )
    if n.kind == "praise_forward":
        target = ctx.cfg.department(n.to[0].ref or "")
        if target is None:
            raise XinxiangError(f"未知单位 {n.to[0].ref!r}")
        return MailSpec(
            kind="praise_forward",
            to=target.emails,
            key=n.key,
            subject=f"【表扬转达】{ticket.number} {letter.subject}",
            template="praise_forward",
            context={**letter_context(ctx, ticket, letter, c), "department": target},
        )
    if n.kind == "duplicate_notice":
        with unflushed(session, TicketRow, changed=False):  # numbers never change
            earlier = session.execute(
                select(TicketRow).where(TicketRow.number == str(d["earlier"]))
            ).scalar_one()
        return MailSpec(
            kind="duplicate_notice",
            to=[ticket.petitioner_addr],
            key=n.key,
            subject=f"【办理进度】{earlier.number} {earlier.subject}",
            template="duplicate_notice",
            context={
                **letter_context(ctx, ticket, letter, None),
                "earlier": earlier,
                "earlier_status": STATUS_LABELS[TicketStatus(earlier.status)],
                "department": ctx.cfg.department(earlier.department_code or ""),
            },
            **_threaded(letter),
        )
    if n.kind == "office_flag":
        flood = d.get("flood")
        subject = (
            f"【需关注】{ticket.number} 同一来信人短时间内大量来信"
            if flood is not None
            else f"【需关注】{ticket.number} 来信涉及违法或违背公序良俗"
        )
        context = letter_context(ctx, ticket, letter, c)
        return MailSpec(
            kind="office_flag",
            to=ctx.cfg.office.emails,
            key=n.key,
            subject=subject,
            template="office_flag",
            context={**context, "flood": flood} if flood is not None else context,
        )
    raise NotImplementedError(f"notice {n.kind!r} is not one of routing's")


def alert_spec(
    ctx: AppContext,
    ticket: TicketRow,
    letter: Letter,
    c: Classification,
    kind: str,
    title: str,
    to: list[str],
    extra: dict[str, Any],
) -> MailSpec:
    """The 紧急 / 疑似紧急 alert (`kind`) of a new ticket to `to` (office, and the department)."""
    return MailSpec(
        kind=kind,
        to=to,
        key="alert",
        subject=f"【{title}】{ticket.number} {letter.subject}",
        template=kind,
        context={**letter_context(ctx, ticket, letter, c), **extra},
        auto_submitted="auto-generated",
    )
