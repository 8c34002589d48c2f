"""The door: a notice or a templated mail in, one outbox row out (发信入口).

`post` renders a `MailSpec` about a ticket, derives its Message-ID from the outbox key (a resend
is recognisably the same mail), applies the per-address caps of `outgoing.caps` and writes the
row (a dispatch mail as its rendered parts, flattened when sent: `DEFERRED_KINDS`);
`post_office` does the same for a mail to the office about no ticket. `send` turns one of the
workflow's notices into mail, choosing the family module by the notice's kind (the command
layer's `handlers.notices.send_notices` calls it for each notice, after making the answer's
documents). Everything happens inside the caller's transaction.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from xinxiang.domain.workflow import Notice
from xinxiang.outgoing import ack, caps
from xinxiang.outgoing.dispatch import dispatch_spec, load_letter
from xinxiang.outgoing.office import post_office
from xinxiang.outgoing.revisit import KINDS as REVISIT_KINDS
from xinxiang.outgoing.revisit import revisit_spec
from xinxiang.outgoing.routing import ROUTING_KINDS, routing_spec
from xinxiang.outgoing.tickets import addresses, department_of, ticket_spec
from xinxiang.replies.compose import deliverable, outbox_message_id
from xinxiang.replies.mailer import (
    AUTO_REPLY_KINDS,
    MailSpec,
    flatten_parts,
    mail_key,
    render_body,
    render_spec,
    spec_parts,
)
from xinxiang.store.models import OutboxRow, TicketRow
from xinxiang.store.repo import add_event, count_recent_mail, enqueue_mail, outbox_key_taken

__all__ = ["DEFERRED_KINDS", "post", "post_office", "render_deferred", "send"]

DEFERRED_KINDS = frozenset({"dispatch"})
"""Mails queued as their rendered parts (`outbox.parts`) and flattened to bytes only when sent:
the ones routing queues for nearly every ticket (issue #17). A mail held over a cap is kept
whole."""

if TYPE_CHECKING:
    from xinxiang.classify.engine import Classification
    from xinxiang.domain.letter import Letter
    from xinxiang.services.context import AppContext


def post(
    ctx: AppContext, session: Session, ticket: TicketRow, spec: MailSpec, now: datetime
) -> bool:
    """Render and enqueue `spec` for `ticket` (idempotent on `spec.key`). True if queued.

    Past an outside address's hourly cap the mail is held (kept, not sent; the office is told
    once); past a staff address's threshold it goes into that address's hourly digest.
    """
    recipients = sorted({a.lower() for a in spec.to if a and deliverable(a)})
    if not recipients:
        add_event(
            session,
            ticket.id,
            now,
            "system",
            "mail_skipped",
            mail_kind=spec.kind,
            reason="no valid recipient address",
        )
        return False
    settings = ctx.cfg.settings
    if spec.auto_submitted == "auto-replied":
        # Automatic answers to petitioners share one hourly cap per address, so nobody can
        # make us flood an address (or a forged sender's address) by writing many letters.
        since = now - timedelta(hours=1)
        recent = count_recent_mail(session, AUTO_REPLY_KINDS, recipients[0], since)
        if recent >= settings.ack.max_per_sender_per_hour:
            add_event(
                session,
                ticket.id,
                now,
                "system",
                "mail_rate_limited",
                mail_kind=spec.kind,
                reason=f"already {recent} automatic mails this hour",
            )
            return False
    dedupe_key = mail_key(spec.kind, ticket.number, spec.key)
    if outbox_key_taken(session, dedupe_key):
        return False  # queued, held or coalesced before: posting is idempotent on the key
    if spec.reply_to is not None or len(recipients) == 1:
        return _post_row(ctx, session, ticket, spec, recipients, dedupe_key, now)
    if spec.rendered is None:
        # The templates do not depend on the address: rendered once for all of them.
        spec = replace(spec, rendered=render_body(ctx, ticket, spec))
    # A mail carrying a reply token goes to one address at a time, each with a token bound to
    # that address (issue #12): a department's several addresses get one mail each.
    added = False
    for address in recipients:
        one = replace(spec, to=[address])
        added |= _post_row(ctx, session, ticket, one, [address], f"{dedupe_key}>{address}", now)
    return added


def _post_row(
    ctx: AppContext,
    session: Session,
    ticket: TicketRow,
    spec: MailSpec,
    recipients: list[str],
    dedupe_key: str,
    now: datetime,
) -> bool:
    """Render `spec` to `recipients` as the outbox row `dedupe_key`, within the caps."""
    if outbox_key_taken(session, dedupe_key):
        return False
    settings = ctx.cfg.settings
    message_id = outbox_message_id(dedupe_key, ctx.msgid_domain)
    row: dict[str, Any] = {
        "dedupe_key": dedupe_key,
        "message_id": message_id,
        "kind": spec.kind,
        "sender": settings.smtp.from_address,
        "now": now,
        "ticket_id": ticket.id,
    }
    over = caps.outside_over_cap(ctx, session, recipients, now)
    if spec.kind in DEFERRED_KINDS and not spec.attachments and not over:
        # Rendered now, flattened to bytes when sent (`render_deferred`)
        row |= {"raw": None, "parts": spec_parts(ctx, ticket, spec, message_id, now)}
    else:
        row["raw"] = render_spec(ctx, ticket, spec, message_id, now)
    if over:
        added = enqueue_mail(session, recipients=recipients, state="held", **row)
        if added:
            add_event(
                session,
                ticket.id,
                now,
                "system",
                "mail_held",
                mail_kind=spec.kind,
                to=recipients,
                message_id=message_id,
                reason=f"over {settings.outgoing.outside_per_hour} automatic mails an hour",
            )
            for address in over:
                caps.tell_office_of_hold(ctx, session, address, now)
        return False
    direct, coalesced = caps.split_staff(ctx, session, recipients, now)
    added = False
    if direct:
        added = enqueue_mail(session, recipients=direct, **row)
    coalesced = [a for a in coalesced if caps.coalesce(ctx, session, a, spec.subject, row)]
    if added or coalesced:
        add_event(
            session,
            ticket.id,
            now,
            "system",
            "mail_queued",
            mail_kind=spec.kind,
            to=direct,
            message_id=message_id,
            **({"coalesced": coalesced} if coalesced else {}),
        )
    return added


def send(
    ctx: AppContext,
    session: Session,
    ticket: TicketRow,
    n: Notice,
    now: datetime,
    letter: Letter | None = None,
    classification: Classification | None = None,
    actor: str | None = None,
) -> None:
    """Queue the mail of one notice: the template is chosen by `n.kind`."""
    d: dict[str, Any] = dict(n.data)
    if n.kind == "dispatch":
        dept = department_of(ctx, n.to[0].ref or "")
        spec = dispatch_spec(
            ctx,
            session,
            ticket,
            dept,
            now,
            transfer_reason=d.get("transfer_reason"),
            letter=letter,
            classification=classification,
        )
    elif n.kind in ROUTING_KINDS:
        spec = routing_spec(
            ctx, session, ticket, n, letter or load_letter(session, ticket), classification
        )
    elif n.kind in REVISIT_KINDS:
        spec = revisit_spec(ctx, session, ticket, n, d, addresses(ctx, ticket, n.to, actor))
    else:
        spec = ticket_spec(ctx, session, ticket, n, d, actor, now)
    post(ctx, session, ticket, spec, now)


def render_deferred(ctx: AppContext, session: Session, row: OutboxRow) -> bytes | None:
    """Render an outbox row written unrendered (a receipt, a staff digest, a mail kept as its
    parts) when it is sent; None when it must not be sent any more."""
    if row.parts is not None:
        return flatten_parts(ctx, row.parts)
    if row.kind == ack.ACK_KIND:
        return ack.render_ack(ctx, session, row)
    if row.kind == caps.STAFF_DIGEST_KIND:
        return caps.render_digest(ctx, session, row)
    return None
