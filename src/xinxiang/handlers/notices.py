"""The notices of a `Change` handed to the one door for outgoing mail (`outgoing.door`).

Nothing here composes a message: the door chooses each notice's template by kind. The answer
and the approval request carry PDF documents made in `handlers.documents`, so those two kinds go
through `handlers.answers`, which makes the documents and hands them to the door.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from xinxiang.domain.workflow import Notice
from xinxiang.errors import XinxiangError
from xinxiang.handlers.answers import queue_answer_mails, queue_approval_mail
from xinxiang.outgoing.door import send
from xinxiang.store.models import TicketRow
from xinxiang.store.models_replies import TicketReplyRow

if TYPE_CHECKING:
    from xinxiang.classify.engine import Classification
    from xinxiang.domain.letter import Letter
    from xinxiang.services.context import AppContext


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
    send(ctx, session, ticket, n, now, letter, classification, actor)


def _reply_of(session: Session, ticket: TicketRow, key: str) -> TicketReplyRow:
    """The reply a notice keyed `reply<id>` is about (the change has bound the id)."""
    ref = key.removeprefix("reply")
    row = session.get(TicketReplyRow, int(ref)) if ref.isdigit() else None
    if row is None or row.ticket_id != ticket.id:
        raise XinxiangError(f"工单 {ticket.number} 没有编号为 {ref} 的答复")
    return row
