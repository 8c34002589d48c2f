"""The public board from the database: approved public answers → `PublicItem`s → `publish_board`.

Only formal answers the office approved for publication (`TicketReplyRow.public`) appear, and
not those the office took down (`PublicTextRow.taken_down_at`). The text is redacted once, with
the office's decisions (`replies.public_review`), in the transaction that approves the answer
(`store_approved`, called by the command layer for every 同意/修改 — web, CLI or mail), and
stored (`PublicTextRow`): every publication shows exactly that text, whatever the redaction
settings say by then. Only an answer approved before the text was stored at approval (none in
a database that started with this version) is redacted and stored when first published.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from xinxiang.replies.board import BoardResult, PublicItem, publish_board
from xinxiang.replies.privacy import deployment_redactor
from xinxiang.replies.public_review import Decisions, Review, review
from xinxiang.replies.redact_names import display_name_terms
from xinxiang.store.dialect import savepoint
from xinxiang.store.models import LetterRow, TicketRow
from xinxiang.store.models_replies import PublicTextRow, TicketReplyRow

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext


def private_terms(ticket: TicketRow, letter: LetterRow) -> tuple[str, ...]:
    """What identifies the petitioner and is hidden wherever it occurs: the addresses, and the
    display name only where it is a name (家长 or 匿名举报 would vanish everywhere)."""
    shown = display_name_terms(letter.from_name, letter.body)
    return tuple(t for t in (ticket.petitioner_addr, letter.from_addr, *shown) if t)


def item_of(
    ctx: AppContext, ticket: TicketRow, letter: LetterRow, reply: TicketReplyRow
) -> PublicItem:
    """The public item of `ticket` with the answer `reply` (not redacted yet)."""
    dept = ctx.cfg.department(ticket.department_code) if ticket.department_code else None
    return PublicItem(
        number=ticket.number,
        category=ticket.category or "其他",
        department=dept.name if dept else "",
        subject=ticket.subject,
        letter_text=letter.body,
        answer_text=reply.final_text or reply.text,
        received_at=ticket.created_at,
        answered_at=reply.sent_at or reply.decided_at or reply.created_at,
        petitioner_name=ticket.petitioner_name,
        private_terms=private_terms(ticket, letter),
    )


def decisions_of(row: PublicTextRow | None) -> Decisions:
    """The office's redaction decisions stored for a ticket (none yet: no row)."""
    if row is None:
        return Decisions()
    return Decisions(tuple(row.lifted or ()), tuple(row.added or ()))


def review_item(ctx: AppContext, session: Session, ticket: TicketRow, item: PublicItem) -> Review:
    """The marks on `item` with the office's decisions on `ticket` applied."""
    row = session.get(PublicTextRow, ticket.id)
    return review(deployment_redactor(ctx.cfg), item, decisions_of(row))


def freeze(
    session: Session, ticket: TicketRow, rev: Review, by: str | None, at: datetime | None
) -> None:
    """Store the public texts of `rev` as the approved ones of `ticket` (approved `at`, the
    answer's approval time: a newer answer approved later is stored anew)."""
    row = session.get(PublicTextRow, ticket.id)
    if row is None:
        row = PublicTextRow(ticket_id=ticket.id, lifted=[], added=[])
        session.add(row)
    row.subject, row.letter, row.answer = rev.final()
    row.approved_by = by
    row.approved_at = at


def store_approved(ctx: AppContext, session: Session, ticket: TicketRow, reply_id: int) -> None:
    """Store the public text of the formal answer `reply_id` as the office approved it (公开文本),
    in the approval's own transaction: redacted now, with the office's decisions so far."""
    reply = session.get(TicketReplyRow, reply_id)
    letter = session.get(LetterRow, ticket.letter_id)
    if reply is None or letter is None or not reply.public:
        return
    item = item_of(ctx, ticket, letter, reply)
    rev = review_item(ctx, session, ticket, item)
    freeze(session, ticket, rev, reply.decided_by, reply.decided_at or reply.created_at)
    session.flush()


def public_items(ctx: AppContext, session: Session) -> list[PublicItem]:
    """Every approved public letter with its answer (one per ticket: the latest), not taken
    down, with the text stored when it was approved (an answer approved before texts were
    stored at approval is stored now, once)."""
    rows = session.execute(
        select(TicketReplyRow, TicketRow, LetterRow)
        .join(TicketRow, TicketRow.id == TicketReplyRow.ticket_id)
        .join(LetterRow, LetterRow.id == TicketRow.letter_id)
        .where(
            TicketReplyRow.public.is_(True),
            TicketReplyRow.kind == "formal",
            TicketReplyRow.state == "sent",
        )
        .order_by(TicketReplyRow.id)
    ).all()
    latest: dict[int, tuple[TicketReplyRow, TicketRow, LetterRow]] = {}
    for reply, ticket, letter in rows:
        latest[ticket.id] = (reply, ticket, letter)
    stored = {
        r.ticket_id: r
        for r in session.execute(
            select(PublicTextRow).where(PublicTextRow.ticket_id.in_(list(latest)))
        ).scalars()
    }
    items = []
    for ticket_id, (reply, ticket, letter) in latest.items():
        row = stored.get(ticket_id)
        if row is not None and row.taken_down_at is not None:
            continue
        item = item_of(ctx, ticket, letter, reply)
        approved_at = reply.decided_at or reply.created_at
        if row is None or row.answer is None or row.approved_at != approved_at:
            rev = review(deployment_redactor(ctx.cfg), item, decisions_of(row))
            try:
                with savepoint(session):
                    freeze(session, ticket, rev, reply.decided_by, approved_at)
            except IntegrityError:
                pass  # another worker stored this text meanwhile: publish theirs
            row = session.get(PublicTextRow, ticket_id)
        assert row is not None and row.answer is not None
        approved = (row.subject or "", row.letter or "", row.answer)
        items.append(dataclasses.replace(item, approved=approved))
    return items


def default_board_dir(ctx: AppContext) -> Path:
    """Where the worker keeps the board: `{data_dir}/public`."""
    return ctx.cfg.data_dir / "public"


def publish(ctx: AppContext, out_dir: Path, now: datetime) -> BoardResult:
    """Write the board for every approved public answer to `out_dir`."""
    with ctx.db.unit_of_work() as session:
        items = public_items(ctx, session)
    school = ctx.cfg.settings.school
    return publish_board(
        items,
        out_dir,
        school=school.name,
        base_url=school.public_url or "/",
        now=now,
        tz=school.timezone,
        redactor=deployment_redactor(ctx.cfg),
    )


def republish(ctx: AppContext, now: datetime) -> BoardResult:
    """Rebuild `{data_dir}/public` (the worker calls this after each approval)."""
    return publish(ctx, default_board_dir(ctx), now)
