"""Ticket notices as mail (通知): confirmations, refusals, 协办, 延期 decisions, 退回, forwards.

The recipients of a workflow notice are roles; `addresses` resolves them from the
configuration. `ticket_spec` chooses the template by the notice's kind and raises for a kind
with no mail, so none is dropped silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from xinxiang.domain.tickets import subject_tag
from xinxiang.domain.workflow import Notice, Recipient, Role
from xinxiang.errors import XinxiangError
from xinxiang.replies.confirm import confirm_address, confirm_token
from xinxiang.replies.mailer import MailSpec
from xinxiang.replies.render import quote_excerpt
from xinxiang.store.models import LetterRow, TicketRow
from xinxiang.store.models_replies import HoldingRow

if TYPE_CHECKING:
    from xinxiang.config import Department
    from xinxiang.services.context import AppContext


def department_of(ctx: AppContext, code: str) -> Department:
    """The configured department `code`; an unknown one is an error (never a silent drop)."""
    dept = ctx.cfg.department(code)
    if dept is None:
        raise XinxiangError(f"未知单位 {code!r}")
    return dept


def addresses(
    ctx: AppContext, ticket: TicketRow, to: Sequence[Recipient], actor: str | None = None
) -> list[str]:
    """The addresses of the recipients `to` of a notice on `ticket` (`actor`: the command's)."""
    out: list[str] = []
    for r in to:
        if r.role is Role.ACTOR:
            out.extend([actor] if actor else [])
        elif r.role is Role.OFFICE:
            out.extend(ctx.cfg.office.emails)
        elif r.role is Role.PETITIONER:
            out.append(ticket.petitioner_addr)
        elif r.role is Role.DEPARTMENT:
            out.extend(department_of(ctx, r.ref or "").emails)
        elif r.role is Role.LEADER:
            dept = ctx.cfg.department(r.ref) if r.ref else None
            out.append(dept.leader if dept is not None else ctx.cfg.office.leader)
        elif r.ref:
            out.append(r.ref)
    return out


def _forward(
    ctx: AppContext, ticket: TicketRow, n: Notice, d: dict[str, Any], now: datetime
) -> MailSpec:
    """补充来信 / 协办结果 forwarded to the lead department (the office when it has none)."""
    r = n.to[0]
    target = ctx.cfg.department(r.ref) if r.role is Role.DEPARTMENT and r.ref else None
    target = target or ctx.cfg.office
    context: dict[str, Any] = {"department": target, "text": d["text"], "received": now}
    if "cohandler" in d:
        code = d["cohandler"]
        context["cohandler"] = ctx.cfg.department(str(code)) if code else None
    return MailSpec(
        kind="followup_forward",
        to=target.emails,
        subject=f"【{d['title']}】{ticket.number} {ticket.subject}",
        template="followup_forward",
        context=context,
        key=n.key,
    )


def ticket_spec(
    ctx: AppContext,
    session: Session,
    ticket: TicketRow,
    n: Notice,
    d: dict[str, Any],
    actor: str | None,
    now: datetime,
) -> MailSpec:
    """The mail of a ticket notice `n` (data `d`); `actor`: the commanding address."""
    if n.kind == "followup_forward":
        return _forward(ctx, ticket, n, d, now)
    to = addresses(ctx, ticket, n.to, actor)
    head = f"{ticket.number} {ticket.subject}"
    if n.kind in ("confirm", "refuse"):
        r = n.to[0]
        dept = department_of(ctx, r.ref or "") if r.role is Role.DEPARTMENT else None
        return MailSpec(
            kind=n.kind,
            to=to,
            subject=f"【{'已记录' if n.kind == 'confirm' else '未采纳'}】{head}",
            template=n.kind,
            context={"message": n.message, "department": dept},
            key=n.key,
        )
    if n.kind == "cohandler":
        letter = session.get(LetterRow, ticket.letter_id)
        body = letter.body if letter is not None else ""
        return MailSpec(
            kind="cohandler",
            to=to,
            subject=f"【协办】{head}",
            template="cohandler",
            key=n.key,
            context={
                "department": department_of(ctx, n.to[0].ref or ""),
                "lead_department": department_of(ctx, str(d["lead_department"])),
                "due": d["due"],
                "body": body,
                "excerpt": quote_excerpt(body, ctx.cfg.settings.ack.quote_chars),
                "received_at": ticket.created_at,
            },
        )
    if n.kind == "extension_decision":
        approved = bool(d["approved"])
        return MailSpec(
            kind="extension_decision",
            to=to,
            subject=f"【延期{'已同意' if approved else '未同意'}】{head}",
            template="extension_decision",
            key=n.key,
            context={"department": department_of(ctx, n.to[0].ref or ""), **d},
        )
    if n.kind == "return_notice":
        # A ticket mail, so the office's answer to it carries the ticket's signed reply token.
        return MailSpec(
            kind="return_notice",
            to=to,
            subject=f"【退回】{head}",
            template="holding_notice",
            context={"hold": None, "row": None, "reason": n.message, "excerpt": ""},
            key=n.key,
        )
    raise NotImplementedError(f"notice {n.kind!r} has no mail in the command layer yet")


def challenge_spec(
    ctx: AppContext,
    ticket: TicketRow,
    row: LetterRow,
    hold: HoldingRow,
    address: str,
    reason: str,
    now: datetime,
) -> MailSpec:
    """The confirmation challenge (请确认) of the held mail `row` to its registered `address`;
    answers go to the challenge's own signed address, not the ticket's."""
    settings = ctx.cfg.settings.authentication
    base = ctx.cfg.settings.smtp.from_address
    subject = f"【请确认】{ticket.number} 以您名义发出的邮件待确认"
    reply_to = confirm_address(base, hold.id, address, ctx.token_key)
    where = ctx.cfg.settings.replies.token_in
    if where in ("subject", "both"):
        # Servers without plus-addressing: the confirmation token rides in the Subject too.
        subject += " " + subject_tag(confirm_token(hold.id, address, ctx.token_key))
        reply_to = base if where == "subject" else reply_to
    return MailSpec(
        kind="confirm_request",
        to=[address],
        subject=subject,
        template="confirm_request",
        context={
            "address": address,
            "reason": reason,
            "subject": row.subject,
            "excerpt": " ".join(row.body.split())[:300],
            "expires": (now + timedelta(hours=settings.confirm_hours)).astimezone(ctx.cfg.tz),
        },
        key=f"hold{hold.id}",
        reply_to=reply_to,
    )
