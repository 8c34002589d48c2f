"""The office's decisions on what the public board shows (公开文本): 保留, 隐去 and 撤下.

Commands of the command layer like those of `handlers.messages`, but about the board rather
than the ticket's workflow: `LiftRedaction` keeps marks visible (保留 3), `AddRedaction` hides
more (隐去：张老师), `TakeDown` removes a published letter from the board (撤下) and
`RestoreToBoard` puts it back (恢复公开, the approved text as stored). Each is recorded
on the ticket's timeline (without the personal data itself). A decision made after the answer
was approved stores the public text again; the board is rebuilt after the commit when the
handler owns the unit of work (in a batch, the batch republishes).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinxiang.errors import XinxiangError
from xinxiang.handlers.messages import Actor
from xinxiang.handlers.repository import TicketRepository
from xinxiang.logs import log_event
from xinxiang.replies.board import PublicItem
from xinxiang.replies.public_review import Decisions, Review
from xinxiang.replies.publishing import decisions_of, freeze, item_of, republish, review_item
from xinxiang.store.dialect import savepoint
from xinxiang.store.models import LetterRow, TicketRow
from xinxiang.store.models_replies import PublicTextRow, TicketReplyRow
from xinxiang.store.repo import add_event

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext

REVIEWABLE = ("pending_approval", "approved", "sent")


@dataclass(frozen=True)
class LiftRedaction:
    """保留: the marks numbered `marks` stay visible on the board."""

    actor: Actor
    number: str
    marks: tuple[int, ...]


@dataclass(frozen=True)
class AddRedaction:
    """隐去: every occurrence of each of `terms` is hidden on the board."""

    actor: Actor
    number: str
    terms: tuple[str, ...]


@dataclass(frozen=True)
class TakeDown:
    """撤下: the published letter leaves the board, for `reason`."""

    actor: Actor
    number: str
    reason: str


@dataclass(frozen=True)
class RestoreToBoard:
    """恢复公开: a letter the office took down goes back on the board, with its approved text."""

    actor: Actor
    number: str
    reason: str = ""


PublicCommand = LiftRedaction | AddRedaction | TakeDown | RestoreToBoard


@dataclass(frozen=True)
class PublicText:
    """A ticket's public item (not redacted), its marks and the office's stored row."""

    ticket: TicketRow
    item: PublicItem
    review: Review
    row: PublicTextRow | None


def public_text(ctx: AppContext, session: Session, number: str) -> PublicText:
    """The public text of ticket `number` under review: its latest formal answer, with every
    mark. A Chinese error if the letter is not to be public or has no formal answer yet."""
    ticket = TicketRepository(session).get(number)
    if not ticket.public_consent:
        raise XinxiangError(f"{ticket.number} 的来信人未同意公开，该信不在公开答复栏目发布")
    reply = session.execute(
        select(TicketReplyRow)
        .where(
            TicketReplyRow.ticket_id == ticket.id,
            TicketReplyRow.kind == "formal",
            TicketReplyRow.state.in_(REVIEWABLE),
        )
        .order_by(TicketReplyRow.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if reply is None:
        raise XinxiangError(f"{ticket.number} 还没有正式答复，暂无待公开的文本")
    letter = session.get(LetterRow, ticket.letter_id)
    if letter is None:
        raise XinxiangError(f"{ticket.number} 的来信缺失")
    item = item_of(ctx, ticket, letter, reply)
    return PublicText(
        ticket, item, review_item(ctx, session, ticket, item), session.get(PublicTextRow, ticket.id)
    )


def _store(ctx: AppContext, session: Session, text: PublicText, decisions: Decisions) -> bool:
    """Keep `decisions`; re-store the approved text when there is one. True: it was published."""
    row = text.row
    if row is None:
        row = PublicTextRow(ticket_id=text.ticket.id, lifted=[], added=[])
        session.add(row)
    row.lifted, row.added = list(decisions.lifted), list(decisions.added)
    session.flush()
    if row.answer is None:
        return False
    freeze(
        session,
        text.ticket,
        review_item(ctx, session, text.ticket, text.item),
        row.approved_by,
        row.approved_at,
    )
    return row.taken_down_at is None


def lift_redaction(
    ctx: AppContext, session: Session, cmd: LiftRedaction, now: datetime
) -> tuple[str, bool]:
    """保留 the marks numbered `cmd.marks` (each must exist)."""
    text = public_text(ctx, session, cmd.number)
    marks = []
    for number in cmd.marks:
        mark = text.review.mark(number)
        if mark is None:
            total = len(text.review.marks)
            raise XinxiangError(
                f"{text.ticket.number} 没有编号为 {number} 的隐去标记（共 {total} 处）"
            )
        marks.append(mark)
    if not marks:
        raise XinxiangError("请写明要保留的标记编号，例如“保留 3”")
    published = _store(ctx, session, text, decisions_of(text.row).lift(m.original for m in marks))
    add_event(
        session,
        text.ticket.id,
        now,
        cmd.actor.name,
        "redaction_lifted",
        marks=[m.number for m in marks],
        kinds=[m.title for m in marks],
    )
    numbers = "、".join(str(m.number) for m in marks)
    return f"{text.ticket.number} 已保留第 {numbers} 处（公开时不再隐去）", published


def add_redaction(
    ctx: AppContext, session: Session, cmd: AddRedaction, now: datetime
) -> tuple[str, bool]:
    """隐去 every occurrence of `cmd.terms` (each must occur in the subject, letter or answer)."""
    text = public_text(ctx, session, cmd.number)
    terms = tuple(t.strip() for t in cmd.terms if t.strip())
    if not terms:
        raise XinxiangError("请写明要隐去的文字，例如“隐去：张老师”")
    for term in terms:
        if not any(term in t for t in text.review.texts.values()):
            raise XinxiangError(f"{text.ticket.number} 的主题、来信和答复中都没有“{term}”")
    published = _store(ctx, session, text, decisions_of(text.row).add(terms))
    add_event(session, text.ticket.id, now, cmd.actor.name, "redaction_added", count=len(terms))
    return f"{text.ticket.number} 已增加隐去 {len(terms)} 项", published


def take_down(ctx: AppContext, session: Session, cmd: TakeDown, now: datetime) -> tuple[str, bool]:
    """撤下 a published letter from the board (it must be published and not taken down)."""
    ticket = TicketRepository(session).get(cmd.number)
    reason = cmd.reason.strip()
    if not reason:
        raise XinxiangError("撤下须写明原因（--reason）")
    row = session.get(PublicTextRow, ticket.id)
    if row is None or row.answer is None:
        raise XinxiangError(f"{ticket.number} 未在公开答复栏目发布，无需撤下")
    if row.taken_down_at is not None:
        raise XinxiangError(f"{ticket.number} 已于此前撤下")
    row.taken_down_at, row.taken_down_by, row.takedown_reason = now, cmd.actor.name, reason
    add_event(session, ticket.id, now, cmd.actor.name, "taken_down", reason=reason)
    return f"{ticket.number} 已从公开答复栏目撤下", True


def restore_to_board(
    ctx: AppContext, session: Session, cmd: RestoreToBoard, now: datetime
) -> tuple[str, bool]:
    """恢复公开 a letter taken down (it must be taken down); the text published is the one
    stored when the answer was approved, as the office's later decisions left it."""
    ticket = TicketRepository(session).get(cmd.number)
    row = session.get(PublicTextRow, ticket.id)
    if row is None or row.answer is None or row.taken_down_at is None:
        raise XinxiangError(f"{ticket.number} 未被撤下，无需恢复公开")
    row.taken_down_at, row.taken_down_by, row.takedown_reason = None, None, None
    reason = cmd.reason.strip()
    fields = {"reason": reason} if reason else {}
    add_event(session, ticket.id, now, cmd.actor.name, "restored_to_board", **fields)
    return f"{ticket.number} 已恢复在公开答复栏目发布", True


@contextmanager
def _unit(ctx: AppContext, session: Session | None) -> Iterator[Session]:
    if session is None:
        with ctx.db.unit_of_work() as own:
            yield own
    else:
        with savepoint(session):
            yield session


def handle_public(
    command: PublicCommand, ctx: AppContext, now: datetime, *, session: Session | None = None
) -> str:
    """Carry out `command` in its own unit of work or in `session`'s (a savepoint); the
    summary in Chinese. Raises `XinxiangError` (nothing changed)."""
    with _unit(ctx, session) as s:
        if isinstance(command, LiftRedaction):
            summary, published = lift_redaction(ctx, s, command, now)
        elif isinstance(command, AddRedaction):
            summary, published = add_redaction(ctx, s, command, now)
        elif isinstance(command, TakeDown):
            summary, published = take_down(ctx, s, command, now)
        else:
            summary, published = restore_to_board(ctx, s, command, now)
    log_event("public_text_changed", ticket=command.number, action=type(command).__name__)
    if session is None and published:
        republish(ctx, now)
    return summary
