"""The public board from the database: approved public answers → `PublicItem`s → `publish_board`.

Only formal answers the office approved for publication (`TicketReplyRow.public`) appear; the
petitioner's name, address and other identifying strings are handed over for redaction.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinxiang.replies.board import BoardResult, PublicItem, publish_board
from xinxiang.replies.privacy import deployment_redactor
from xinxiang.replies.redact_names import display_name_terms
from xinxiang.store.models import LetterRow, TicketRow
from xinxiang.store.models_replies import TicketReplyRow

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext


def private_terms(ticket: TicketRow, letter: LetterRow) -> tuple[str, ...]:
    """What identifies the petitioner and is hidden wherever it occurs: the addresses, and the
    display name only where it is a name (家长 or 匿名举报 would vanish everywhere)."""
    shown = display_name_terms(letter.from_name)
    return tuple(t for t in (ticket.petitioner_addr, letter.from_addr, *shown) if t)


def public_items(ctx: AppContext, session: Session) -> list[PublicItem]:
    """Every approved public letter with its answer (one per ticket: the latest)."""
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
    latest: dict[int, PublicItem] = {}
    for reply, ticket, letter in rows:
        dept = ctx.cfg.department(ticket.department_code) if ticket.department_code else None
        terms = private_terms(ticket, letter)
        latest[ticket.id] = PublicItem(
            number=ticket.number,
            category=ticket.category or "其他",
            department=dept.name if dept else "",
            subject=ticket.subject,
            letter_text=letter.body,
            answer_text=reply.final_text or reply.text,
            received_at=ticket.created_at,
            answered_at=reply.sent_at or reply.decided_at or reply.created_at,
            petitioner_name=ticket.petitioner_name,
            private_terms=terms,
        )
    return list(latest.values())


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
