"""The notices of a `Change` as outgoing mail (通知), through the one existing mail path.

Each notice kind is rendered with today's template and queued by `replies.mailer`
(`queue_ticket_mail`: the deterministic Message-ID, the outbox row, idempotent on the key);
nothing here composes a message of its own. Recipients by role are resolved to addresses from
the configuration. Kinds of actions not yet handled here raise, so none is dropped silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from xinxiang.domain.workflow import Notice, Recipient, Role
from xinxiang.errors import XinxiangError
from xinxiang.handlers.dispatch_mail import load_letter, queue_dispatch_mail
from xinxiang.handlers.revisit_notices import KINDS as REVISIT_KINDS
from xinxiang.handlers.revisit_notices import revisit_spec
from xinxiang.handlers.routing_mail import ROUTING_KINDS, routing_spec
from xinxiang.replies.mailer import MailSpec, queue_ticket_mail
from xinxiang.replies.render import quote_excerpt
from xinxiang.services.answers import queue_answer_mails, queue_approval_mail
from xinxiang.store.models import LetterRow, TicketRow
from xinxiang.store.models_replies import TicketReplyRow

if TYPE_CHECKING:
    from xinxiang.classify.engine import Classification
    from xinxiang.config import Department
    from xinxiang.domain.letter import Letter
    from xinxiang.services.context import AppContext


def _department(ctx: AppContext, code: str) -> Department:
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
            out.extend(_department(ctx, r.ref or "").emails)
        elif r.role is Role.LEADER:
            dept = ctx.cfg.department(r.ref) if r.ref else None
            out.append(dept.leader if dept is not None else ctx.cfg.office.leader)
        elif r.ref:
            out.append(r.ref)
    return out


def send_notices(
    ctx: AppContext,
    session: Session,
    ticket: TicketRow,
    notices: Sequence[Notice],
    now: datetime,
    *,
    letter: Letter | None = None,
    classification: Classification | None = None,
    actor: str | None = None,
) -> None:
    """Queue the mail of every notice in `notices` (after the change is applied to the rows).

    `letter` and `classification`: what routing holds of a new ticket (else read again);
    `actor` is the address of whoever gave the command (its confirmation goes there).
    """
    for n in notices:
        _send(ctx, session, ticket, n, now, letter, classification, actor)


def _send(
    ctx: AppContext,
    session: Session,
    ticket: TicketRow,
    n: Notice,
    now: datetime,
    letter: Letter | None,
    classification: Classification | None,
    actor: str | None = None,
) -> None:
    d: dict[str, Any] = dict(n.data)
    if n.kind == "dispatch":
        dept = _department(ctx, n.to[0].ref or "")
        queue_dispatch_mail(
            ctx,
            session,
            ticket,
            dept,
            now,
            transfer_reason=d.get("transfer_reason"),
            letter=letter,
            classification=classification,
        )
        return
    if n.kind in ROUTING_KINDS:
        if letter is None:
            letter = load_letter(session, ticket)
        spec = routing_spec(ctx, session, ticket, n, letter, classification)
        queue_ticket_mail(ctx, session, ticket, spec, now)
        return
    if n.kind == "answer":
        queue_answer_mails(
            ctx,
            session,
            ticket,
            kind="formal" if d.get("formal") else "preliminary",
            department_code=d.get("department"),
            planned_formal_date=d.get("planned_formal_date"),
            text=str(d.get("answer", "")),
            key=n.key,
            now=now,
        )
        return
    if n.kind == "answer_copy":
        return  # queued with its answer ("answer"): one 处理单 for both mails
    if n.kind == "approval_request":
        queue_approval_mail(ctx, session, ticket, _reply_of(session, ticket, n.key), now)
        return
    spec = _spec(ctx, session, ticket, n, d, actor, now)
    queue_ticket_mail(ctx, session, ticket, spec, now)


def _reply_of(session: Session, ticket: TicketRow, key: str) -> TicketReplyRow:
    """The reply a notice keyed `reply<id>` is about (the change has bound the id)."""
    ref = key.removeprefix("reply")
    row = session.get(TicketReplyRow, int(ref)) if ref.isdigit() else None
    if row is None or row.ticket_id != ticket.id:
        raise XinxiangError(f"工单 {ticket.number} 没有编号为 {ref} 的答复")
    return row


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


def _spec(
    ctx: AppContext,
    session: Session,
    ticket: TicketRow,
    n: Notice,
    d: dict[str, Any],
    actor: str | None,
    now: datetime,
) -> MailSpec:
    if n.kind == "followup_forward":
        return _forward(ctx, ticket, n, d, now)
    to = addresses(ctx, ticket, n.to, actor)
    if n.kind in REVISIT_KINDS:
        return revisit_spec(ctx, session, ticket, n, d, to)
    head = f"{ticket.number} {ticket.subject}"
    if n.kind in ("confirm", "refuse"):
        r = n.to[0]
        dept = _department(ctx, r.ref or "") if r.role is Role.DEPARTMENT else None
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
                "department": _department(ctx, n.to[0].ref or ""),
                "lead_department": _department(ctx, str(d["lead_department"])),
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
            context={"department": _department(ctx, n.to[0].ref or ""), **d},
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
