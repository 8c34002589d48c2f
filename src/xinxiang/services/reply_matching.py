"""Which ticket a reply is about, and what the mail proves of its sender (答复匹配).

Matching, in order: our signed token in To/Cc, else (when the mail answers or forwards, by its
Subject prefix or thread headers) a ``[XX-…]`` token tag in its Subject, then In-Reply-To/
References to our Message-IDs, then the ticket number in the subject — the last only for a
registered participant. A forged token (or two different ones in one Subject) is never matched.
A token proves its mail only when it is bound to the very address the mail is from.
`participants` are the ticket's registered addresses by role; `mail_proof` is what the mail
proves beyond its From header (the token and the receiving server's Authentication-Results).
Nothing here changes a ticket.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinxiang.domain.letter import Letter
from xinxiang.domain.tickets import is_reply_subject
from xinxiang.replies.authres import AuthVerdict, authenticate
from xinxiang.replies.authz import MailProof, Participants, normalize_address
from xinxiang.replies.tokens import (
    find_ticket_in_addresses,
    find_ticket_in_subject,
    ticket_number_in_subject,
)
from xinxiang.store.models import CohandlerRow, OutboxRow, TicketRow

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext


@dataclass(frozen=True, slots=True)
class TicketMatch:
    """How a reply was tied to its ticket: ``via`` is token | thread | subject.

    Only ``token`` (a valid signed token of this very ticket, bound to the sender's own address,
    with no thread reference naming another ticket) can authorise a change; the others only
    identify the ticket. ``address`` is the recipient the token was bound to (None: a token from
    before address binding).
    """

    ticket: TicketRow
    via: str
    conflict: str | None = None
    role: str | None = None
    address: str | None = None

    @property
    def by_token(self) -> bool:
        """True when the ticket was named by a valid token and nothing contradicts it."""
        return self.via == "token" and self.conflict is None


def match_ticket(
    ctx: AppContext, session: Session, letter: Letter, now: datetime | None = None
) -> tuple[TicketMatch | None, str | None]:
    """The ticket a reply is about, or (None, why-not) — a forged token is never matched.

    A legacy ticket-only token identifies its ticket only during the transition period
    (`authentication.legacy_token_days` after our last mail about it, counted at `now`);
    after that the reply is matched as if it had no token (thread, then subject).
    """
    base = ctx.cfg.settings.smtp.from_address
    sender = normalize_address(letter.from_addr)

    def candidates(number: str, role: str) -> list[str]:
        # The sender first: a token bound to them is theirs; then whom else it may have gone to.
        ticket = by_number(session, number)
        return [sender, *(_role_addresses(ctx, session, ticket, role) if ticket else [])]

    token = find_ticket_in_addresses(recipients(letter), base, ctx.token_key, candidates)
    if token.status == "none" and _answers(letter):
        token = find_ticket_in_subject(letter.subject, ctx.token_key, candidates)
    if token.status == "ambiguous":
        return None, f"主题中有多个不同的回复令牌（{token.token}），无法确定工单"
    if token.status == "forged":
        return (
            None,
            f"回复地址中的令牌无效（可能伪造），声称的工单：{token.claimed_ticket or '未知'}",
        )
    threaded = thread_ticket(session, letter)
    if token.status == "valid" and token.ticket:
        ticket = by_number(session, token.ticket)
        staff_unbound = token.address is None and token.role not in (None, "petitioner")
        if (
            ticket is not None
            and (token.role is None or staff_unbound)
            and not _legacy_still_valid(ctx, session, ticket, now)
        ):
            ticket = None
        if ticket is not None:
            conflict = None
            if threaded is not None and threaded.id != ticket.id:
                conflict = f"回复令牌属于工单 {ticket.number}，但邮件引用的是工单 {threaded.number}"
            if token.role is None:
                # A legacy ticket-only token (mails from before role tokens) identifies its
                # ticket but proves nothing: an action through it takes the round trip.
                conflict = conflict or "回复地址是旧式令牌（未绑定收件角色）"
            elif staff_unbound:
                # A ticket+role token from before address binding: it identifies, no more.
                conflict = conflict or "回复令牌是旧式令牌（未绑定收件地址）"
            elif token.address is not None and token.address != sender:
                holder = "该工单来信人" if token.role == "petitioner" else "其他收件人"
                conflict = conflict or f"回复令牌是发给{holder}的，不是发件人本人的"
            return TicketMatch(ticket, "token", conflict, token.role, token.address), None
    if threaded is not None:
        return TicketMatch(threaded, "thread"), None
    number = ticket_number_in_subject(letter.subject)
    if number:
        ticket = by_number(session, number)
        if ticket is not None and participants(ctx, session, ticket).roles_of(letter.from_addr):
            return TicketMatch(ticket, "subject"), None
        return None, f"主题中的工单号 {number} 与发件人不匹配"
    return None, "无法对应到任何工单（无有效令牌、引用或工单号）"


def _answers(letter: Letter) -> bool:
    """Whether a mail answers or forwards another (by Subject prefix or thread headers): only
    then is a token tag in its Subject read, so a new mail cannot borrow one."""
    return is_reply_subject(letter.subject) or bool(letter.in_reply_to or letter.references)


def _role_addresses(ctx: AppContext, session: Session, ticket: TicketRow, role: str) -> list[str]:
    """The registered addresses of `role` on `ticket` (whom its tokens of that role went to)."""
    people = participants(ctx, session, ticket)
    held = {
        "department": people.department,
        "cohandler": people.cohandlers,
        "office": people.office,
        "petitioner": frozenset({people.petitioner} if people.petitioner else ()),
    }
    return sorted(held.get(role, frozenset()))


def _legacy_still_valid(
    ctx: AppContext, session: Session, ticket: TicketRow, now: datetime | None
) -> bool:
    """Whether a ticket-only token of `ticket` is inside its transition period at `now`."""
    days = ctx.cfg.settings.authentication.legacy_token_days
    if now is None:
        return days > 0
    last = session.execute(
        select(func.max(OutboxRow.created_at)).where(OutboxRow.ticket_id == ticket.id)
    ).scalar_one_or_none()
    since = last if last is not None else ticket.created_at
    return days > 0 and now - since <= timedelta(days=days)


def recipients(letter: Letter) -> list[str]:
    """Every address the mail was sent to, where our plus-address tokens may stand."""
    addresses = [*letter.to_addrs, *letter.cc_addrs]
    for name in ("Delivered-To", "X-Original-To"):
        value = letter.header(name)
        if value:
            addresses.append(value)
    return addresses


def thread_ticket(session: Session, letter: Letter) -> TicketRow | None:
    """The ticket of the newest of our mails that In-Reply-To/References name, if any."""
    ids = [
        i
        for i in ([letter.in_reply_to] if letter.in_reply_to else []) + list(letter.references)
        if i
    ]
    if not ids:
        return None
    ticket_id = session.execute(
        select(OutboxRow.ticket_id)
        .where(OutboxRow.message_id.in_(ids), OutboxRow.ticket_id.is_not(None))
        .order_by(OutboxRow.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return session.get(TicketRow, ticket_id) if ticket_id is not None else None


# A held mail whose registered sender answered the challenge: the round trip is the proof.
CONFIRMED = MailProof(True, AuthVerdict(True, "发件人已通过确认邮件证实", "confirmation"))


def mail_proof(ctx: AppContext, letter: Letter, match: TicketMatch) -> MailProof:
    """What this mail proves beyond its From header: the token and the server's verdict."""
    auth = ctx.cfg.settings.authentication
    values = [v for k, v in letter.headers if k.lower() == "authentication-results"]
    verdict = authenticate(
        normalize_address(letter.from_addr),
        values,
        auth.trusted_authserv_ids,
        accept_spf=auth.accept_spf,
    )
    return MailProof(match.by_token, verdict, match.role)


def by_number(session: Session, number: str) -> TicketRow | None:
    """The ticket numbered `number`, if any."""
    return session.execute(select(TicketRow).where(TicketRow.number == number)).scalar_one_or_none()


def participants(ctx: AppContext, session: Session, ticket: TicketRow) -> Participants:
    """The registered participants of `ticket`."""
    dept = ctx.cfg.department(ticket.department_code) if ticket.department_code else None
    co_codes = session.execute(
        select(CohandlerRow.department_code).where(CohandlerRow.ticket_id == ticket.id)
    ).scalars()
    co_emails = [e for c in co_codes if (d := ctx.cfg.department(c)) for e in d.emails]
    return Participants.of(
        department=dept.emails if dept else (),
        cohandlers=co_emails,
        petitioner=ticket.petitioner_addr,
        office=ctx.cfg.office.emails,
    )
