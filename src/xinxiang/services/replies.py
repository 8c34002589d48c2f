"""Handling replies to our mail (答复处理): match the ticket, authorise, act, confirm or hold.

`process_pending_replies` runs after each polling pass: every `LetterRow(kind='reply')` not yet in
`reply_log` is handled in its own transaction, so the reply letter is committed first and a crash
merely handles it again (idempotent: the log row and mail keys are unique per letter).

The ticket is matched by `services.reply_matching`; whatever may not act goes to the holding pen
(`services.holding`) and the office is told, the ticket unchanged. What may act becomes a command
of the command layer: a department's answer or a follow-up (`services.reply_actions`), an
office's mail command (`services.office_mail`).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinxiang.domain.letter import Letter
from xinxiang.logs import log_event
from xinxiang.mailbox.parse import parse_message
from xinxiang.replies.authz import authorize, normalize_address
from xinxiang.replies.autoreply import out_of_office_phrase
from xinxiang.replies.confirm import find_confirmation, is_confirmation_answer
from xinxiang.replies.identity import sole_sender
from xinxiang.replies.intent import parse_intent, resolve_default_intent
from xinxiang.replies.office_commands import parse_office_mail_command
from xinxiang.replies.publishing import republish
from xinxiang.replies.quotes import strip_quoted
from xinxiang.services.confirmations import AWAITING, challenge, take_confirmation
from xinxiang.services.holding import hold as _hold
from xinxiang.services.office_mail import office_command, office_ticket_command
from xinxiang.services.reply_actions import ReplyOutcome, department_action, follow_up, refuse
from xinxiang.services.reply_matching import (
    CONFIRMED,
    by_number,
    mail_proof,
    match_ticket,
    participants,
    recipients,
)
from xinxiang.services.revisit import rating_from_reply
from xinxiang.services.shunt import Item, handle_each, set_aside
from xinxiang.store.models import LetterRow, TicketRow
from xinxiang.store.models_replies import HoldingRow, ReplyLogRow, TicketReplyRow
from xinxiang.store.repo import add_event

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext

log = logging.getLogger(__name__)

__all__ = ["REPLIES_STAGE", "ReplyOutcome", "handle_reply", "process_pending_replies"]


REPLIES_STAGE = "replies"


def process_pending_replies(ctx: AppContext, now: datetime, limit: int = 200) -> list[ReplyOutcome]:
    """Handle every stored reply letter not handled yet, one transaction each.

    A reply whose handling raises is shunted (`services.shunt`): left unhandled, out of this
    stage until `xinxiang shunt retry`, while the later replies are handled all the same.
    """
    with ctx.db.unit_of_work() as session:
        rows = session.execute(
            select(LetterRow.id, LetterRow.from_addr, LetterRow.subject)
            .outerjoin(ReplyLogRow, ReplyLogRow.letter_id == LetterRow.id)
            .where(
                LetterRow.kind == "reply",
                ReplyLogRow.letter_id.is_(None),
                LetterRow.id.notin_(set_aside(session, REPLIES_STAGE)),
            )
            .order_by(LetterRow.id)
            .limit(limit)
        ).all()
    items = [Item(str(r.id), f"{r.from_addr}「{r.subject[:40]}」") for r in rows]
    handled = handle_each(
        ctx, REPLIES_STAGE, "letter", items, lambda s, key: _pending_reply(ctx, s, key, now), now
    )
    outcomes = [o for o in handled if o is not None]
    for o in outcomes:
        name = "answer_recorded" if o.status == "recorded" else f"reply_{o.status}"
        log_event(name, ticket=o.ticket_number, action=o.action)
    if any(o.action == "office_command" for o in outcomes):
        republish(ctx, now)
    return outcomes


def _pending_reply(
    ctx: AppContext, session: Session, key: str, now: datetime
) -> ReplyOutcome | None:
    """Handle the stored reply letter `key` (None: gone, or handled meanwhile)."""
    row = session.get(LetterRow, int(key))
    if row is None or session.get(ReplyLogRow, row.id) is not None:
        return None
    letter = parse_message(ctx.blobs.get(row.raw_sha256, ".eml"))
    return handle_reply(ctx, session, row, letter, now)


def handle_reply(
    ctx: AppContext, session: Session, letter_row: LetterRow, letter: Letter, now: datetime
) -> ReplyOutcome:
    """Handle one reply letter inside the caller's transaction (idempotent per letter)."""
    if session.get(ReplyLogRow, letter_row.id) is not None:
        return ReplyOutcome("skipped")
    outcome = _handle(ctx, session, letter_row, letter, now)
    ticket = by_number(session, outcome.ticket_number) if outcome.ticket_number else None
    session.add(
        ReplyLogRow(
            letter_id=letter_row.id,
            ticket_id=ticket.id if ticket else None,
            outcome=outcome.status,
            action=outcome.action,
            note=outcome.reason,
            handled_at=now,
        )
    )
    return outcome


def _reply_text(letter: Letter) -> str:
    return strip_quoted(letter.body, letter.html if not letter.body.strip() else None)


def _handle(
    ctx: AppContext,
    session: Session,
    row: LetterRow,
    letter: Letter,
    now: datetime,
    confirmed: bool = False,
) -> ReplyOutcome:
    """Decide and apply one reply; ``confirmed`` replays a held mail its sender confirmed."""
    identity = sole_sender(letter.headers)
    if identity.address is None or identity.address != normalize_address(letter.from_addr):
        # One sender beyond doubt, read from From alone, or the mail may act on nothing.
        doubt = identity.problem or "发件人取自 Sender 等其他头，而非 From"
        return _hold(ctx, session, row, None, "ambiguous-sender", f"发件人身份不明确：{doubt}", now)
    if not confirmed:
        answer = find_confirmation(
            recipients(letter),
            ctx.cfg.settings.smtp.from_address,
            normalize_address(letter.from_addr),
            ctx.token_key,
            letter.subject,
        )
        if answer.status == "valid" and answer.hold_id is not None:
            return _confirmation(ctx, session, row, letter, answer.hold_id, now)
        if answer.status == "forged":
            return _hold(
                ctx,
                session,
                row,
                None,
                "forged-confirmation",
                "确认地址中的令牌无效：不是系统签发的，或不是发给该发件人的确认请求",
                now,
            )
    match, why = match_ticket(ctx, session, letter, now)
    if match is None:
        return _hold(ctx, session, row, None, "unmatched", why or "无法对应工单", now)
    ticket = match.ticket
    people = participants(ctx, session, ticket)
    roles = people.roles_of(letter.from_addr)
    text = _reply_text(letter)
    away = out_of_office_phrase(text)
    if away is not None:
        # An out-of-office note is neither an answer nor worth a refusal (which would draw
        # another note): recorded on the ticket, nothing sent.
        add_event(
            session, ticket.id, now, normalize_address(letter.from_addr), "auto_reply", phrase=away
        )
        return ReplyOutcome("skipped", ticket.number, "auto_reply", f"自动回复（{away}）")
    today = now.astimezone(ctx.cfg.tz).date()
    parsed = parse_intent(text, today=today)
    mail_command = parse_office_mail_command(text, today=today)
    if mail_command is not None:
        # 转办 / 协办 / 延期审批 are the office's alone: from anyone else the mail is held.
        action = "office_command"
    elif "department" in roles:
        has_prelim = (
            session.execute(
                select(TicketReplyRow.id).where(
                    TicketReplyRow.ticket_id == ticket.id, TicketReplyRow.kind == "preliminary"
                )
            ).first()
            is not None
        )
        action = resolve_default_intent(parsed.intent, ticket.track or 1, has_prelim)
    elif "cohandler" in roles:
        action = "cohandler_result"
    elif "office" in roles:
        action = "office_command"
    elif "petitioner" in roles:
        action = "follow_up"
    else:
        action = "formal"  # a stranger: authorize() names the unknown sender
    proof = CONFIRMED if confirmed else mail_proof(ctx, letter, match)
    decision = authorize(letter.from_addr, people, action, proof)
    if not decision.allowed:
        reason = decision.reason
        if decision.rule == "no-token" and match.conflict:
            reason = f"{reason}；{match.conflict}"
        # A registered address that could not prove itself: ask that address to confirm.
        unproven = (
            decision.rule in {"no-token", "not-authenticated", "token-role-mismatch"}
            and not confirmed
        )
        if unproven and challenge(ctx, session, row, letter, ticket, reason, now) is not None:
            log.info("reply %s awaits confirmation: %s", row.id, decision.rule)
            return ReplyOutcome("confirming", ticket.number, action, reason)
        return _hold(ctx, session, row, ticket, decision.rule, reason, now)
    row.ticket_id = ticket.id
    sender = normalize_address(letter.from_addr)
    if action == "follow_up":
        # A rating (or 不需要回访) proven by the petitioner's token is recorded as one.
        if match.by_token and match.role == "petitioner":
            rated = rating_from_reply(ctx, session, ticket, sender, text, now)
            if rated is not None:
                return ReplyOutcome("recorded", ticket.number, "rating", rated)
        return follow_up(ctx, session, ticket, letter, text, now)
    if action == "office_command":
        if mail_command is not None:
            return office_ticket_command(ctx, session, ticket, sender, mail_command, now)
        return office_command(ctx, session, ticket, sender, text, now)
    return department_action(ctx, session, ticket, row, sender, action, parsed, text, now)


def _confirmation(
    ctx: AppContext, session: Session, row: LetterRow, letter: Letter, hold_id: int, now: datetime
) -> ReplyOutcome:
    """An answer to a challenge: replay the held mail once, as its sender confirmed it."""
    sender = normalize_address(letter.from_addr)
    if not is_confirmation_answer(_reply_text(letter)):
        return ReplyOutcome("skipped", None, "confirmation", "回复中没有“确认”，未执行")
    taken = take_confirmation(ctx, session, hold_id, sender, now)
    if taken.hold is None:
        hold = session.get(HoldingRow, hold_id)
        ticket = session.get(TicketRow, hold.ticket_id) if hold and hold.ticket_id else None
        if ticket is not None:
            return refuse(ctx, session, ticket, sender, "confirmation", taken.problem or "", now)
        return ReplyOutcome("skipped", None, "confirmation", taken.problem)
    held = session.get(LetterRow, taken.hold.letter_id)
    assert held is not None
    original = parse_message(ctx.blobs.get(held.raw_sha256, ".eml"))
    if normalize_address(original.from_addr) != sender:
        # The token binds the address the challenge went to, which is the held mail's From.
        taken.hold.state = AWAITING
        return ReplyOutcome("skipped", None, "confirmation", "确认人与原邮件发件人不一致")
    log.info("reply %s confirmed by its sender; replaying held mail %s", row.id, held.id)
    return _handle(ctx, session, held, original, now, confirmed=True)
