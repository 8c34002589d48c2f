"""Handling replies to our mail (答复处理): match the ticket, authorise, act, confirm or hold.

`process_pending_replies` runs after each polling pass: every `LetterRow(kind='reply')` not yet in
`reply_log` is handled in its own transaction, so the reply letter is committed first and a crash
merely handles it again (idempotent: the log row and mail keys are unique per letter).

Matching, in order: our signed token in To/Cc, then In-Reply-To/References to our Message-IDs,
then the ticket number in the subject — the last only for a registered participant. Whatever may
not act goes to the holding pen (待甄别) and the office is told; the ticket stays unchanged.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, time
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinxiang.domain.deadlines import (
    compute_deadlines,
    end_of_working_day,
    extension_allowed,
    return_window_end,
)
from xinxiang.domain.letter import Letter
from xinxiang.domain.states import OPEN_STATUSES, TicketStatus
from xinxiang.errors import XinxiangError
from xinxiang.handlers import (
    Actor,
    AddCohandlers,
    ApproveReply,
    DecideExtension,
    Message,
    Refused,
    RejectReply,
    RouteTicket,
    handle,
)
from xinxiang.handlers.repository import TicketRepository
from xinxiang.logs import log_event
from xinxiang.mailbox.parse import parse_message
from xinxiang.replies.authres import AuthVerdict, authenticate
from xinxiang.replies.authz import MailProof, Participants, authorize, normalize_address
from xinxiang.replies.autoreply import out_of_office_phrase
from xinxiang.replies.compose import Outgoing, build_message, outbox_message_id, to_bytes
from xinxiang.replies.confirm import find_confirmation, is_confirmation_answer
from xinxiang.replies.identity import sole_sender
from xinxiang.replies.intent import parse_intent, parse_office_command, resolve_default_intent
from xinxiang.replies.mailer import MailSpec, base_context, queue_ticket_mail
from xinxiang.replies.office_commands import (
    OFFICE_MAIL_HELP,
    OfficeMailCommand,
    parse_office_mail_command,
)
from xinxiang.replies.quotes import strip_quoted
from xinxiang.replies.render import render
from xinxiang.replies.tokens import find_ticket_in_addresses, ticket_number_in_subject
from xinxiang.services import approval
from xinxiang.services.answers import send_answer
from xinxiang.services.confirmations import AWAITING, challenge, take_confirmation
from xinxiang.services.shunt import Item, handle_each, set_aside
from xinxiang.store.models import AttachmentRow, CohandlerRow, LetterRow, OutboxRow, TicketRow
from xinxiang.store.models_replies import HoldingRow, ReplyLogRow, TicketReplyRow
from xinxiang.store.repo import add_event, enqueue_mail

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext

log = logging.getLogger(__name__)

RECORDED_TEXT = {
    "accept": "已记录为受理",
    "preliminary": "已记录为初步回复",
    "formal": "已记录为正式回复",
    "cohandler_result": "已记录为协办结果，并已转交承办部门",
}


@dataclass(frozen=True, slots=True)
class ReplyOutcome:
    """What handling one reply did: recorded | refused | held | follow_up | office | skipped."""

    status: str
    ticket_number: str | None = None
    action: str | None = None
    reason: str | None = None


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True, slots=True)
class TicketMatch:
    """How a reply was tied to its ticket: ``via`` is token | thread | subject.

    Only ``token`` (a valid signed reply address of this very ticket, with no thread reference
    naming another ticket) can authorise a change; the others only identify the ticket.
    """

    ticket: TicketRow
    via: str
    conflict: str | None = None
    role: str | None = None

    @property
    def by_token(self) -> bool:
        """True when the ticket was named by a valid token and nothing contradicts it."""
        return self.via == "token" and self.conflict is None


def match_ticket(
    ctx: AppContext, session: Session, letter: Letter
) -> tuple[TicketMatch | None, str | None]:
    """The ticket a reply is about, or (None, why-not) — a forged token is never matched."""
    base = ctx.cfg.settings.smtp.from_address
    token = find_ticket_in_addresses(_recipients(letter), base, ctx.token_key)
    if token.status == "forged":
        return (
            None,
            f"回复地址中的令牌无效（可能伪造），声称的工单：{token.claimed_ticket or '未知'}",
        )
    threaded = _thread_ticket(session, letter)
    if token.status == "valid" and token.ticket:
        ticket = _by_number(session, token.ticket)
        if ticket is not None:
            conflict = None
            if threaded is not None and threaded.id != ticket.id:
                conflict = f"回复令牌属于工单 {ticket.number}，但邮件引用的是工单 {threaded.number}"
            if token.role is None:
                # A legacy ticket-only token (mails from before role tokens) identifies its
                # ticket but proves nothing: an action through it takes the round trip.
                conflict = conflict or "回复地址是旧式令牌（未绑定收件角色）"
            return TicketMatch(ticket, "token", conflict, token.role), None
    if threaded is not None:
        return TicketMatch(threaded, "thread"), None
    number = ticket_number_in_subject(letter.subject)
    if number:
        ticket = _by_number(session, number)
        if ticket is not None and participants(ctx, session, ticket).roles_of(letter.from_addr):
            return TicketMatch(ticket, "subject"), None
        return None, f"主题中的工单号 {number} 与发件人不匹配"
    return None, "无法对应到任何工单（无有效令牌、引用或工单号）"


def _recipients(letter: Letter) -> list[str]:
    """Every address the mail was sent to, where our plus-address tokens may stand."""
    addresses = [*letter.to_addrs, *letter.cc_addrs]
    for name in ("Delivered-To", "X-Original-To"):
        value = letter.header(name)
        if value:
            addresses.append(value)
    return addresses


def _thread_ticket(session: Session, letter: Letter) -> TicketRow | None:
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


def _by_number(session: Session, number: str) -> TicketRow | None:
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


# --------------------------------------------------------------------------- entry points


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
        from xinxiang.replies.publishing import republish

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
    ticket = _by_number(session, outcome.ticket_number) if outcome.ticket_number else None
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
            _recipients(letter),
            ctx.cfg.settings.smtp.from_address,
            normalize_address(letter.from_addr),
            ctx.token_key,
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
    match, why = match_ticket(ctx, session, letter)
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
        return _follow_up(ctx, session, ticket, letter, text, now)
    if action == "office_command":
        if mail_command is not None:
            return _office_ticket_command(ctx, session, ticket, sender, mail_command, now)
        return _office_command(ctx, session, ticket, sender, text, now)
    if ticket.status not in {s.value for s in OPEN_STATUSES}:
        return _refuse(ctx, session, ticket, sender, action, "该工单已办结，不再接受答复。", now)
    _evidence(session, ticket, row, sender, now)
    if action == "return":
        return _return(ctx, session, ticket, sender, parsed.reason, now)
    if action == "extension":
        return _extension(
            ctx, session, ticket, row, sender, parsed.extension_until, parsed.reason, text, now
        )
    return _record_reply(
        ctx,
        session,
        ticket,
        row,
        sender,
        action,
        parsed.text,
        parsed.track_declared,
        parsed.planned_formal_date,
        now,
    )


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
            return _refuse(ctx, session, ticket, sender, "confirmation", taken.problem or "", now)
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


# --------------------------------------------------------------------------- outcomes


def _office_mail(
    ctx: AppContext,
    session: Session,
    kind: str,
    key: str,
    subject: str,
    template: str,
    context: dict[str, object],
    now: datetime,
) -> None:
    """A mail to the office about no particular ticket (holding pen notices)."""
    settings = ctx.cfg.settings
    dedupe_key = f"{kind}:{key}"
    message_id = outbox_message_id(dedupe_key, ctx.msgid_domain)
    text = render(f"mail/{template}.txt.j2", **{**base_context(ctx), **context})
    recipients = sorted({a.lower() for a in ctx.cfg.office.emails})
    out = Outgoing(
        sender=settings.smtp.from_address,
        sender_name=settings.smtp.from_name,
        to=recipients,
        subject=subject,
        text=text,
        html=None,
        message_id=message_id,
        date=now.astimezone(ctx.cfg.tz),
        auto_submitted="auto-generated",
    )
    enqueue_mail(
        session,
        dedupe_key=dedupe_key,
        message_id=message_id,
        kind=kind,
        sender=settings.smtp.from_address,
        recipients=recipients,
        raw=to_bytes(build_message(out)),
        now=now,
        ticket_id=None,
    )


def _hold(
    ctx: AppContext,
    session: Session,
    row: LetterRow,
    ticket: TicketRow | None,
    rule: str,
    reason: str,
    now: datetime,
) -> ReplyOutcome:
    hold = session.execute(
        select(HoldingRow).where(HoldingRow.letter_id == row.id)
    ).scalar_one_or_none()
    if hold is None:
        hold = HoldingRow(letter_id=row.id, created_at=now)
        session.add(hold)
    # A confirmed mail that still cannot act is held again, in its one holding-pen row.
    hold.ticket_id, hold.rule, hold.reason, hold.state = (
        ticket.id if ticket else None,
        rule,
        reason,
        "open",
    )
    session.flush()
    _office_mail(
        ctx,
        session,
        "holding_notice",
        f"letter{row.id}",
        f"【待甄别】来自 {row.from_addr} 的邮件未处理" + (f"（{ticket.number}）" if ticket else ""),
        "holding_notice",
        {
            "hold": hold,
            "row": row,
            "ticket": ticket,
            "reason": reason,
            "excerpt": " ".join(row.body.split())[:300],
        },
        now,
    )
    log.info("reply %s held: %s", row.id, rule)
    return ReplyOutcome("held", None, rule, reason)


def _confirm(
    ctx: AppContext,
    session: Session,
    ticket: TicketRow,
    to: str,
    template: str,
    message: str,
    key: str,
    now: datetime,
) -> None:
    queue_ticket_mail(
        ctx,
        session,
        ticket,
        MailSpec(
            kind=template,
            to=[to],
            subject=f"【{'已记录' if template == 'confirm' else '未采纳'}】{ticket.number} "
            f"{ticket.subject}",
            template=template,
            context={"message": message, "department": None},
            key=key,
        ),
        now,
    )


def _refuse(
    ctx: AppContext,
    session: Session,
    ticket: TicketRow,
    sender: str,
    action: str,
    reason: str,
    now: datetime,
) -> ReplyOutcome:
    add_event(session, ticket.id, now, sender, "reply_refused", intent=action, reason=reason)
    # One refusal mail per ticket, sender, action and reason a day: an autoresponder answering
    # each refusal gets one more, then silence, so no loop runs without end.
    day = now.astimezone(ctx.cfg.tz).date().isoformat()
    digest = hashlib.sha256(reason.encode()).hexdigest()[:16]
    key = f"{action}:{sender}:{digest}:{day}"
    _confirm(ctx, session, ticket, sender, "refuse", reason, key, now)
    return ReplyOutcome("refused", ticket.number, action, reason)


def _evidence(
    session: Session, ticket: TicketRow, row: LetterRow, sender: str, now: datetime
) -> None:
    for att in session.execute(
        select(AttachmentRow).where(AttachmentRow.letter_id == row.id)
    ).scalars():
        if att.inline or not att.sha256:
            continue
        add_event(
            session,
            ticket.id,
            now,
            sender,
            "evidence_added",
            filename=att.filename,
            content_type=att.content_type,
            size=att.size,
            sha256=att.sha256,
            letter_id=row.id,
            stored=att.stored,
        )


def _follow_up(
    ctx: AppContext,
    session: Session,
    ticket: TicketRow,
    letter: Letter,
    text: str,
    now: datetime,
) -> ReplyOutcome:
    add_event(session, ticket.id, now, letter.from_addr, "follow_up", text=text[:2000])
    dept = ctx.cfg.department(ticket.department_code) if ticket.department_code else None
    target = dept or ctx.cfg.office
    queue_ticket_mail(
        ctx,
        session,
        ticket,
        MailSpec(
            kind="followup_forward",
            to=target.emails,
            subject=f"【补充来信】{ticket.number} {ticket.subject}",
            template="followup_forward",
            context={"department": target, "text": text, "received": now},
            key=f"{letter.message_id or now.isoformat()}",
        ),
        now,
    )
    return ReplyOutcome("follow_up", ticket.number, "follow_up")


def _office_command(
    ctx: AppContext, session: Session, ticket: TicketRow, sender: str, text: str, now: datetime
) -> ReplyOutcome:
    if not TicketRepository(session).pending_rows(ticket):
        return _refuse(
            ctx,
            session,
            ticket,
            sender,
            "office_command",
            f"该工单当前没有待审核的答复，指令未执行。{OFFICE_MAIL_HELP}。",
            now,
        )
    command = parse_office_command(text)
    if command.command is None or command.problem:
        return _refuse(
            ctx,
            session,
            ticket,
            sender,
            "office_command",
            (command.problem or "未识别到指令。")
            + (f"另：{OFFICE_MAIL_HELP}。" if command.command is None else ""),
            now,
        )
    actor = Actor(role="office", name=sender, channel="mail")
    order: Message = (
        RejectReply(actor, ticket.number, command.reason or "")
        if command.command == "reject"
        else ApproveReply(actor, ticket.number, command.text if command.command == "edit" else None)
    )
    try:
        handle(order, ctx, now, session=session)
    except Refused as exc:
        return _refuse(ctx, session, ticket, sender, "office_command", str(exc), now)
    return ReplyOutcome("office", ticket.number, "office_command", command.command)


def _office_ticket_command(
    ctx: AppContext,
    session: Session,
    ticket: TicketRow,
    sender: str,
    command: OfficeMailCommand,
    now: datetime,
) -> ReplyOutcome:
    """转办 / 协办 / 同意延期 / 不同意延期 by mail, through the same services as the CLI."""
    action = f"office_{command.action}"
    if command.problem:
        return _refuse(ctx, session, ticket, sender, action, command.problem, now)
    actor = Actor(role="office", name=sender, channel="mail")
    order: Message
    if command.action == "route":
        order = RouteTicket(
            actor,
            ticket.number,
            command.departments[0],
            command.reason,
            reason_hint="，例如“转办：教务处，原因：……”",
        )
    elif command.action == "cohandlers":
        order = AddCohandlers(actor, ticket.number, tuple(command.departments))
    else:
        approve = command.action == "extension_approve"
        order = DecideExtension(actor, ticket.number, approve, command.reason or "", command.until)
    try:
        # A savepoint of its own: a refusal or a bad name leaves nothing half done.
        message = handle(order, ctx, now, session=session).summary
    except XinxiangError as exc:
        return _refuse(ctx, session, ticket, sender, action, str(exc), now)
    _confirm(ctx, session, ticket, sender, "confirm", message, f"{action}:{now.isoformat()}", now)
    return ReplyOutcome("office", ticket.number, "office_command", command.action)


def _return(
    ctx: AppContext,
    session: Session,
    ticket: TicketRow,
    sender: str,
    reason: str | None,
    now: datetime,
) -> ReplyOutcome:
    if ticket.dispatched_at is None or now > return_window_end(ticket.dispatched_at, ctx.policy):
        return _refuse(
            ctx,
            session,
            ticket,
            sender,
            "return",
            "已超过退回时限（转办后1小时内），按首接负责制请贵单位牵头办理，"
            "如需其他部门配合可申请协办。",
            now,
        )
    if ticket.status != TicketStatus.DISPATCHED.value:
        return _refuse(ctx, session, ticket, sender, "return", "工单已受理，不能退回。", now)
    if not reason:
        return _refuse(
            ctx, session, ticket, sender, "return", "退回须写明原因（“退回：原因……”）。", now
        )
    previous = ticket.department_code
    ticket.status = TicketStatus.TRIAGE.value
    add_event(session, ticket.id, now, sender, "returned", department=previous, reason=reason)
    _confirm(
        ctx,
        session,
        ticket,
        sender,
        "confirm",
        "已记录为退回，党政办公室将重新分办。",
        f"return:{now.isoformat()}",
        now,
    )
    # A ticket mail, so the office's answer to it carries the ticket's signed reply token.
    queue_ticket_mail(
        ctx,
        session,
        ticket,
        MailSpec(
            kind="return_notice",
            to=ctx.cfg.office.emails,
            subject=f"【退回】{ticket.number} {ticket.subject}",
            template="holding_notice",
            context={
                "hold": None,
                "row": None,
                "reason": f"{previous} 退回，原因：{reason}。请重新分办。",
                "excerpt": "",
            },
            key=now.isoformat(),
        ),
        now,
    )
    return ReplyOutcome("recorded", ticket.number, "return", reason)


def _extension(
    ctx: AppContext,
    session: Session,
    ticket: TicketRow,
    row: LetterRow,
    sender: str,
    until: object,
    reason: str | None,
    text: str,
    now: datetime,
) -> ReplyOutcome:
    from datetime import date

    if not isinstance(until, date):
        return _refuse(
            ctx,
            session,
            ticket,
            sender,
            "extension",
            "延期须写明日期，例如“延期：至2026-12-05，原因：……”。",
            now,
        )
    if ticket.formal_due is None:
        return _refuse(
            ctx,
            session,
            ticket,
            sender,
            "extension",
            "该工单尚无正式回复时限，无需延期；请先报初步回复并写明正式回复时间。",
            now,
        )
    due_local = ticket.formal_due.astimezone(ctx.cfg.tz)
    requested = datetime.combine(until, due_local.timetz())
    if not extension_allowed(ticket.formal_due, requested, ctx.policy):
        days = ctx.policy.extension_max.days
        return _refuse(
            ctx,
            session,
            ticket,
            sender,
            "extension",
            f"延期申请未获受理：延期最长为现正式回复时限（{due_local:%Y-%m-%d %H:%M}）"
            f"后{days}个自然日，且须晚于现时限。",
            now,
        )
    reply = TicketReplyRow(
        ticket_id=ticket.id,
        letter_id=row.id,
        kind="extension",
        department_code=ticket.department_code,
        author=sender,
        text=text,
        state="pending_approval",
        created_at=now,
        extension_until=requested,
        public=False,
    )
    session.add(reply)
    session.flush()
    add_event(
        session,
        ticket.id,
        now,
        sender,
        "extension_requested",
        until=requested.isoformat(),
        reason=reason,
    )
    approval.request_approval(ctx, session, ticket, reply, now)
    _confirm(
        ctx,
        session,
        ticket,
        sender,
        "confirm",
        f"已记录延期申请（至{until.isoformat()}），待党政办公室审核；审核前原时限不变。",
        f"reply{reply.id}",
        now,
    )
    return ReplyOutcome("recorded", ticket.number, "extension")


def _record_reply(
    ctx: AppContext,
    session: Session,
    ticket: TicketRow,
    row: LetterRow,
    sender: str,
    action: str,
    text: str,
    track_declared: int | None,
    planned: object,
    now: datetime,
) -> ReplyOutcome:
    from datetime import date

    planned_iso = planned.isoformat() if isinstance(planned, date) else None
    if action in ("formal", "preliminary") and not text.strip():
        return _refuse(ctx, session, ticket, sender, action, "答复正文为空，未记录。", now)
    reply = TicketReplyRow(
        ticket_id=ticket.id,
        letter_id=row.id,
        kind=action,
        department_code=ticket.department_code,
        author=sender,
        text=text,
        state="recorded",
        created_at=now,
        planned_formal_date=planned_iso,
        public=False,
    )
    if action == "cohandler_result":
        dept = next(
            (d for d in ctx.cfg.departments if sender in {e.lower() for e in d.emails}), None
        )
        reply.department_code = dept.code if dept else None
        session.add(reply)
        session.flush()
        if dept is not None:
            co = session.execute(
                select(CohandlerRow).where(
                    CohandlerRow.ticket_id == ticket.id, CohandlerRow.department_code == dept.code
                )
            ).scalar_one_or_none()
            if co is not None and co.reported_at is None:
                co.reported_at = now
        add_event(session, ticket.id, now, sender, "cohandler_result", text=text[:2000])
        lead = ctx.cfg.department(ticket.department_code) if ticket.department_code else None
        if lead is not None:
            queue_ticket_mail(
                ctx,
                session,
                ticket,
                MailSpec(
                    kind="followup_forward",
                    to=lead.emails,
                    subject=f"【协办结果】{ticket.number} {ticket.subject}",
                    template="followup_forward",
                    context={"department": lead, "text": text, "received": now, "cohandler": dept},
                    key=f"co{reply.id}",
                ),
                now,
            )
        _confirm(
            ctx, session, ticket, sender, "confirm", RECORDED_TEXT[action], f"reply{reply.id}", now
        )
        return ReplyOutcome("recorded", ticket.number, action)

    session.add(reply)
    session.flush()
    if action == "accept":
        if track_declared in (2, 3) and track_declared != ticket.track:
            ticket.track = track_declared
            accepted_at = ticket.accepted_at or now
            d = compute_deadlines(
                accepted_at,
                ticket.track,
                ticket.urgency or "normal",
                ctx.policy,
                ctx.calendar,
                ctx.cfg.tz,
            )
            ticket.preliminary_due = d.preliminary_due
            ticket.formal_due = d.formal_due
        if ticket.status == TicketStatus.DISPATCHED.value:
            ticket.status = TicketStatus.ACCEPTED.value
        add_event(session, ticket.id, now, sender, "accepted", track=ticket.track, text=text[:500])
        message = RECORDED_TEXT[action] + (
            f"（办理类别：{'需本部门研究' if ticket.track == 2 else '需学校研究'}，初步回复时限"
            f"{ticket.preliminary_due.astimezone(ctx.cfg.tz):%Y-%m-%d %H:%M}）"
            if ticket.track in (2, 3) and ticket.preliminary_due
            else ""
        )
        _confirm(ctx, session, ticket, sender, "confirm", message, f"reply{reply.id}", now)
        return ReplyOutcome("recorded", ticket.number, action)

    if action == "preliminary":
        if planned_iso:
            ticket.planned_formal_date = planned_iso
            assert isinstance(planned, date)
            ticket.formal_due = (
                end_of_working_day(planned, 1, ctx.calendar, ctx.cfg.tz)
                if ctx.calendar.is_workday(planned)
                else datetime.combine(planned, time(23, 59, 59), tzinfo=ctx.cfg.tz)
            )
        if ticket.status in (TicketStatus.DISPATCHED.value, TicketStatus.ACCEPTED.value):
            ticket.status = TicketStatus.PRELIMINARY.value
    add_event(
        session, ticket.id, now, sender, action, text=text[:500], planned_formal_date=planned_iso
    )
    if approval.needs_approval(
        ticket, action, approve_all=ctx.cfg.settings.replies.approve_all_answers
    ):
        approval.request_approval(ctx, session, ticket, reply, now)
        note = "，待党政办公室审核"
    else:
        reply.final_text = text
        send_answer(ctx, session, ticket, reply, now)
        note = "，已发送来信人"
    _confirm(
        ctx,
        session,
        ticket,
        sender,
        "confirm",
        RECORDED_TEXT[action] + note,
        f"reply{reply.id}",
        now,
    )
    return ReplyOutcome("recorded", ticket.number, action)


# --------------------------------------------------------------------------- holding pen


def list_holding(session: Session, state: str = "open") -> list[tuple[HoldingRow, LetterRow]]:
    """Mails in the holding pen (with their letters), oldest first."""
    rows = session.execute(
        select(HoldingRow, LetterRow)
        .join(LetterRow, LetterRow.id == HoldingRow.letter_id)
        .where(HoldingRow.state == state)
        .order_by(HoldingRow.id)
    ).all()
    return [(h, lr) for h, lr in rows]


def discard_held(ctx: AppContext, hold_id: int, actor: str, now: datetime) -> None:
    """Close a held mail without acting on it."""
    with ctx.db.unit_of_work() as session:
        hold = session.get(HoldingRow, hold_id)
        if hold is None or hold.state != "open":
            raise approval.ApprovalError(f"待甄别区没有未处理的记录 {hold_id}")
        hold.state, hold.resolved_at, hold.resolved_by = "discarded", now, actor


def assign_held(ctx: AppContext, hold_id: int, ticket_ref: str, actor: str, now: datetime) -> str:
    """Attach a held mail to a ticket as a note (the office vouched for it); returns the number.

    The mail does not act on the ticket: the office forwards it or acts by CLI.
    """
    with ctx.db.unit_of_work() as session:
        hold = session.get(HoldingRow, hold_id)
        if hold is None or hold.state != "open":
            raise approval.ApprovalError(f"待甄别区没有未处理的记录 {hold_id}")
        ticket = approval.find_ticket(session, ticket_ref)
        letter = session.get(LetterRow, hold.letter_id)
        assert letter is not None
        hold.state, hold.resolved_at, hold.resolved_by = "assigned", now, actor
        hold.ticket_id = ticket.id
        add_event(
            session,
            ticket.id,
            now,
            actor,
            "follow_up",
            text=f"（待甄别邮件，来自 {letter.from_addr}）{letter.body[:2000]}",
        )
        return ticket.number
