"""The revisit loop's services (回访): the periodic pass, ratings by reply, the office's list.

`revisit_pass(ctx, now)` (the worker's `revisit` job, every minute) opens a round for every
answered ticket whose answer is `[revisit] delay_minutes` old — or skips it with the reason
of seed 004 第十条 — and reminds or closes (未评价) the rounds whose time is up. Each ticket
goes through the command bus in its own savepoint, so one that fails does not stop the others.
`rating_from_reply` is the petitioner's reply path's hook: a reply that is a rating (or
不需要回访) is recorded instead of being forwarded as a follow-up.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from xinxiang.domain.states import TicketStatus
from xinxiang.errors import XinxiangError
from xinxiang.handlers import bus
from xinxiang.handlers.messages import (
    Actor,
    ExpireRevisit,
    Message,
    RateTicket,
    RemindRevisit,
    SendRevisit,
    SkipRevisit,
)
from xinxiang.replies.compose import deliverable
from xinxiang.replies.rating import read_rating
from xinxiang.services.contact import petitioner_phone
from xinxiang.store.models import EventRow, LetterRow, TicketRow
from xinxiang.store.models_revisit import RevisitRow
from xinxiang.store.repo import add_event

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext

log = logging.getLogger(__name__)

SYSTEM = Actor("system", "system", "system")
_REFUSAL = re.compile(r"(?:不需要|无需|不用|不必|不要|拒绝|谢绝)(?:再)?(?:电话)?回访")
_NOT_HANDLED = frozenset({"legal_channel", "praise", "duplicate"})


@dataclass
class RevisitResult:
    """What one pass did, by ticket number."""

    sent: list[str] = field(default_factory=list)
    """Rounds opened: mailed, or put on the office's phone list (`by_phone`)."""
    by_phone: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    reminded: list[str] = field(default_factory=list)
    unrated: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def refuses_revisit(text: str) -> bool:
    """Whether a letter says 不需要回访 (seed 004 第十条（二）)."""
    return bool(_REFUSAL.search(re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))))


def mail_contact(ticket: TicketRow, own: frozenset[str]) -> bool:
    """Whether the revisit can go to the petitioner by mail (a deliverable address not ours)."""
    addr = (ticket.petitioner_addr or "").strip().lower()
    return deliverable(addr) and addr not in own


def skip_reason(
    ticket: TicketRow,
    letter_text: str,
    refused_before: bool,
    own: frozenset[str],
    phone: str | None = None,
) -> str | None:
    """Why `ticket` gets no revisit (seed 004 第十条), or None: it does.

    An identity-confidential letter *is* revisited: the system knows the contact, only the
    department does not. A petitioner who left a phone number (`phone`) and no e-mail is
    revisited by phone (seed 002 第十条 "通过预留的联系方式"): only no contact at all is
    "no_contact".
    """
    if ticket.disposition in _NOT_HANDLED:
        return "not_handled"
    if ticket.flagged or ticket.disposition == "illegal":
        return "illegal"
    if not mail_contact(ticket, own) and not phone:
        return "no_contact"
    if refused_before or refuses_revisit(letter_text):
        return "refused"
    return None


def _run(ctx: AppContext, session: Session, command: Message, now: datetime) -> str | None:
    """Handle `command` in a savepoint; the reason when it was refused or failed."""
    try:
        bus.handle(command, ctx, now, session=session)
    except XinxiangError as exc:
        return str(exc)
    return None


def _due_to_open(ctx: AppContext, session: Session, now: datetime) -> list[TicketRow]:
    settings = ctx.cfg.settings.revisit
    rounds = (
        select(func.count())
        .select_from(RevisitRow)
        .where(RevisitRow.ticket_id == TicketRow.id)
        .scalar_subquery()
    )
    delay = timedelta(minutes=settings.delay_minutes)
    # revisit_due = answered + revisit_after: the answer is `delay` old when
    # revisit_due <= now + revisit_after - delay.
    latest = now + ctx.policy.revisit_after - delay
    return list(
        session.execute(
            select(TicketRow)
            .where(
                TicketRow.status == TicketStatus.ANSWERED.value,
                TicketRow.settled_at.is_(None),
                or_(TicketRow.revisit_due.is_(None), TicketRow.revisit_due <= latest),
                rounds == TicketRow.rework_count,
                rounds < settings.rounds,
            )
            .order_by(TicketRow.id)
        ).scalars()
    )


def _refused_before(session: Session, ticket: TicketRow) -> bool:
    return (
        session.execute(
            select(EventRow.id)
            .where(EventRow.ticket_id == ticket.id, EventRow.kind == "revisit_refused")
            .limit(1)
        ).first()
        is not None
    )


def revisit_pass(ctx: AppContext, now: datetime) -> RevisitResult:
    """Open, skip, remind and close (未评价) the rounds that are due at `now`."""
    result = RevisitResult()
    if not ctx.cfg.settings.revisit.enabled:
        return result
    own = frozenset(a.lower() for a in ctx.own_addresses)
    with ctx.db.unit_of_work() as session:
        for t in _due_to_open(ctx, session, now):
            letter = session.get(LetterRow, t.letter_id)
            text = f"{letter.subject}\n{letter.body}" if letter is not None else ""
            by_mail = mail_contact(t, own)
            phone = None if by_mail else petitioner_phone(ctx, session, t)
            reason = skip_reason(t, text, _refused_before(session, t), own, phone)
            command: Message = (
                SkipRevisit(SYSTEM, t.number, reason)
                if reason
                else SendRevisit(SYSTEM, t.number, by_phone=not by_mail)
            )
            if (problem := _run(ctx, session, command, now)) is not None:
                result.failed.append((t.number, problem))
            elif reason:
                result.skipped.append((t.number, reason))
            else:
                result.sent.append(t.number)
                if not by_mail:
                    result.by_phone.append(t.number)
        waiting = session.execute(
            select(TicketRow.number, RevisitRow.state)
            .join(RevisitRow, RevisitRow.ticket_id == TicketRow.id)
            .where(
                and_(RevisitRow.state.in_(("sent", "reminded")), RevisitRow.due_at <= now),
                TicketRow.status == TicketStatus.ANSWERED.value,
            )
            .order_by(TicketRow.id)
        ).all()
        for number, state in waiting:
            reminder = state == "sent"
            late: Message = (
                RemindRevisit(SYSTEM, number) if reminder else ExpireRevisit(SYSTEM, number)
            )
            if (problem := _run(ctx, session, late, now)) is not None:
                result.failed.append((number, problem))
            else:
                (result.reminded if reminder else result.unrated).append(number)
    for number, problem in result.failed:
        log.warning("revisit %s: %s", number, problem)
    return result


@dataclass(frozen=True)
class PhoneCall:
    """A round on the office's phone list (电话回访): whom to call, about what, by when."""

    number: str
    round: int
    state: str
    due_at: datetime | None
    overdue: bool
    phone: str | None
    name: str
    subject: str
    department: str | None


def phone_list(ctx: AppContext, session: Session, now: datetime) -> list[PhoneCall]:
    """The rounds waiting for a rating the office takes by phone, the most urgent first."""
    rows = session.execute(
        select(RevisitRow, TicketRow)
        .join(TicketRow, TicketRow.id == RevisitRow.ticket_id)
        .where(RevisitRow.state.in_(("sent", "reminded")), RevisitRow.channel == "phone")
        .order_by(RevisitRow.due_at, TicketRow.id)
    ).all()
    return [
        PhoneCall(
            number=t.number,
            round=r.round,
            state=r.state,
            due_at=r.due_at,
            overdue=r.state == "reminded" or (r.due_at is not None and r.due_at <= now),
            phone=petitioner_phone(ctx, session, t),
            name=t.petitioner_name,
            subject=t.subject,
            department=r.department_code or t.department_code,
        )
        for r, t in rows
    ]


def waiting_round(session: Session, ticket: TicketRow) -> RevisitRow | None:
    """The ticket's round waiting for a rating, if any."""
    return session.execute(
        select(RevisitRow).where(
            RevisitRow.ticket_id == ticket.id, RevisitRow.state.in_(("sent", "reminded"))
        )
    ).scalar_one_or_none()


def rating_from_reply(
    ctx: AppContext, session: Session, ticket: TicketRow, sender: str, text: str, now: datetime
) -> str | None:
    """Record the petitioner's reply as a rating or a refusal of revisits when it is one.

    Called for a petitioner's reply proven by the ticket's token (the revisit mail carries it
    as its Reply-To). Returns one line of what was recorded, or None: not a rating (or no
    round to rate), so the reply is a follow-up as before.
    """
    reading = read_rating(text)
    if reading is None:
        return None
    actor = Actor("petitioner", sender, "mail")
    rnd = waiting_round(session, ticket)
    if reading.kind == "refuse":
        if rnd is not None:
            problem = _run(ctx, session, SkipRevisit(actor, ticket.number, "refused"), now)
            return None if problem else "来信人表示不需要回访，已记录并销账"
        if ticket.status == TicketStatus.ANSWERED.value or ticket.revisit_state is None:
            add_event(session, ticket.id, now, sender, "revisit_refused")
            return "来信人表示不需要回访，已记录"
        return None
    if rnd is None or reading.level is None:
        return None
    command = RateTicket(
        actor, ticket.number, reading.level, "mail", reading.comment or None, rnd.nonce
    )
    try:
        done = bus.handle(command, ctx, now, session=session)
    except XinxiangError as exc:
        log.info("rating by mail for %s not recorded: %s", ticket.number, exc)
        return None
    return done.summary
