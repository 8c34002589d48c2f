"""The tickets of the command layer (工单仓储): a `TicketSnapshot` from the rows, a `Change` back.

`TicketRepository.snapshot` reads what the workflow decides on — the ticket's row, its
co-handlers (协办单位) and its replies waiting for the office (待审核) — and `apply` writes
what a `Change` says: the ticket's columns (its status among them: for the actions that go
through the handlers this is the only place outside `domain/` that writes it), co-handler
rows, reply rows and the events of the log. Mail is not written here (`handlers.notices`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinxiang.domain.states import TicketStatus
from xinxiang.domain.workflow import (
    Change,
    CohandlerState,
    PendingReply,
    ReplyUpdate,
    RevisitRound,
    TicketSnapshot,
)
from xinxiang.errors import XinxiangError
from xinxiang.store.models import CohandlerRow, TicketRow
from xinxiang.store.models_replies import TicketReplyRow
from xinxiang.store.models_revisit import RevisitRow
from xinxiang.store.repo import add_event
from xinxiang.store.write_batch import active as active_batch
from xinxiang.store.write_batch import unflushed

_COLUMNS = {"department": "department_code"}
"""Snapshot fields stored under another column name."""
_ROUND_COLUMNS = (
    "state",
    "skip_reason",
    "sent_at",
    "due_at",
    "reminded_at",
    "rating",
    "channel",
    "comment",
    "rated_at",
    "rated_by",
)
"""Revisit round fields written back to their row (`RevisitRow`)."""
_REPLY_COLUMNS = (
    "final_text",
    "public",
    "extension_until",
    "sent_at",
    "decided_by",
    "decided_at",
    "reject_reason",
)
"""Reply fields a `ReplyUpdate` sets when they are given."""


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _day_text(value: object) -> str | None:
    return value.isoformat() if isinstance(value, date) else None


_PRELOADED = "xinxiang.snapshot_relations"
"""Key in `Session.info` of what `TicketRepository.preload` read."""


@dataclass(frozen=True)
class _Relations:
    """What a snapshot reads besides the ticket's row."""

    cohandlers: tuple[CohandlerState, ...]
    pending: tuple[PendingReply, ...]
    prelim_states: frozenset[str]
    duplicate_of: int | None
    earlier: str | None
    revisit: RevisitRound | None
    rounds: int


def _pending(r: TicketReplyRow) -> PendingReply:
    return PendingReply(
        reply_id=r.id,
        kind=r.kind,  # type: ignore[arg-type]  # the column holds a ReplyKind
        department=r.department_code,
        author=r.author,
        text=r.final_text or r.text,
        planned_formal_date=_day(r.planned_formal_date),
        extension_until=r.extension_until,
    )


def _round(row: RevisitRow) -> RevisitRound:
    return RevisitRound(
        round=row.round,
        state=row.state,
        nonce=row.nonce,
        created_at=row.created_at,
        department=row.department_code,
        revisit_id=row.id,
        **{name: getattr(row, name) for name in _ROUND_COLUMNS if name != "state"},
    )


class TicketRepository:
    """Tickets as the workflow sees them, inside the caller's session (unit of work)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, ref: str, *, by_id: bool = False) -> TicketRow:
        """The ticket numbered `ref` (with `by_id`, also its database id), or a Chinese error."""
        ref = ref.strip()
        # a ticket's number never changes: the batch's changed tickets need no flush first
        with unflushed(self.session, TicketRow, changed=False):
            row = self.session.execute(
                select(TicketRow).where(TicketRow.number == ref)
            ).scalar_one_or_none()
        if row is None and by_id and ref.isdigit():
            row = self.session.get(TicketRow, int(ref))
        if row is None:
            raise XinxiangError(f"没有编号为 {ref} 的工单")
        return row

    def pending_rows(self, ticket: TicketRow) -> list[TicketReplyRow]:
        """The replies of `ticket` waiting for the office, oldest first."""
        return list(
            self.session.execute(
                select(TicketReplyRow)
                .where(
                    TicketReplyRow.ticket_id == ticket.id,
                    TicketReplyRow.state == "pending_approval",
                )
                .order_by(TicketReplyRow.id)
            ).scalars()
        )

    def preload(self, tickets: list[TicketRow]) -> None:
        """Read the relations of `tickets`' snapshots (co-handlers, replies, revisit rounds)
        for all of them at once; each ticket's next `snapshot` uses them, once.

        For a batch that takes a snapshot of each of its tickets before changing any of those
        relations (routing); `forget` drops what was not used.
        """
        ids = [t.id for t in tickets]
        if not ids:
            return
        s = self.session
        cohandlers: dict[int, list[CohandlerState]] = defaultdict(list)
        for c in s.execute(
            select(CohandlerRow).where(CohandlerRow.ticket_id.in_(ids)).order_by(CohandlerRow.id)
        ).scalars():
            cohandlers[c.ticket_id].append(
                CohandlerState(c.department_code, c.assigned_at, c.due, c.reported_at)
            )
        pending: dict[int, list[PendingReply]] = defaultdict(list)
        for r in s.execute(
            select(TicketReplyRow)
            .where(TicketReplyRow.ticket_id.in_(ids), TicketReplyRow.state == "pending_approval")
            .order_by(TicketReplyRow.id)
        ).scalars():
            pending[r.ticket_id].append(_pending(r))
        prelim: dict[int, set[str]] = defaultdict(set)
        for tid, state in s.execute(
            select(TicketReplyRow.ticket_id, TicketReplyRow.state).where(
                TicketReplyRow.ticket_id.in_(ids), TicketReplyRow.kind == "preliminary"
            )
        ):
            prelim[tid].add(state)
        dup_ids = {t.duplicate_of for t in tickets if t.duplicate_of is not None}
        numbers: dict[int, str] = {}
        if dup_ids:
            for tid, number in s.execute(
                select(TicketRow.id, TicketRow.number).where(TicketRow.id.in_(dup_ids))
            ):
                numbers[tid] = number
        latest: dict[int, RevisitRow] = {}
        rounds: dict[int, int] = defaultdict(int)
        for v in s.execute(select(RevisitRow).where(RevisitRow.ticket_id.in_(ids))).scalars():
            rounds[v.ticket_id] += 1
            if v.ticket_id not in latest or v.round > latest[v.ticket_id].round:
                latest[v.ticket_id] = v
        cache: dict[int, _Relations] = s.info.setdefault(_PRELOADED, {})
        for t in tickets:
            cache[t.id] = _Relations(
                cohandlers=tuple(cohandlers.get(t.id, ())),
                pending=tuple(pending.get(t.id, ())),
                prelim_states=frozenset(prelim.get(t.id, ())),
                duplicate_of=t.duplicate_of,
                earlier=numbers.get(t.duplicate_of) if t.duplicate_of is not None else None,
                revisit=_round(latest[t.id]) if t.id in latest else None,
                rounds=rounds.get(t.id, 0),
            )

    def forget(self) -> None:
        """Drop what `preload` read and no `snapshot` used."""
        self.session.info.pop(_PRELOADED, None)

    def _relations(self, t: TicketRow) -> _Relations:
        preloaded: dict[int, _Relations] = self.session.info.get(_PRELOADED, {})
        found = preloaded.pop(t.id, None)
        if found is not None and found.duplicate_of == t.duplicate_of:
            return found
        s = self.session
        cohandlers = tuple(
            CohandlerState(c.department_code, c.assigned_at, c.due, c.reported_at)
            for c in s.execute(
                select(CohandlerRow).where(CohandlerRow.ticket_id == t.id).order_by(CohandlerRow.id)
            ).scalars()
        )
        pending = tuple(_pending(r) for r in self.pending_rows(t))
        prelim_states = frozenset(
            s.execute(
                select(TicketReplyRow.state).where(
                    TicketReplyRow.ticket_id == t.id, TicketReplyRow.kind == "preliminary"
                )
            ).scalars()
        )
        earlier = (
            s.execute(select(TicketRow.number).where(TicketRow.id == t.duplicate_of)).scalar()
            if t.duplicate_of is not None
            else None
        )
        return _Relations(
            cohandlers=cohandlers,
            pending=pending,
            prelim_states=prelim_states,
            duplicate_of=t.duplicate_of,
            earlier=earlier,
            revisit=self._latest_round(t),
            rounds=s.execute(
                select(func.count()).select_from(RevisitRow).where(RevisitRow.ticket_id == t.id)
            ).scalar_one(),
        )

    def snapshot(self, t: TicketRow) -> TicketSnapshot:
        """The ticket's state as the workflow sees it (row, co-handlers, pending replies)."""
        rel = self._relations(t)
        return TicketSnapshot(
            number=t.number,
            status=TicketStatus(t.status),
            received_at=t.created_at,
            track=t.track,
            urgency=t.urgency or "normal",
            public_consent=bool(t.public_consent),
            department=t.department_code,
            dispatched_at=t.dispatched_at,
            accepted_at=t.accepted_at,
            first_day=_day(t.first_day),
            response_due=t.response_due,
            preliminary_due=t.preliminary_due,
            formal_due=t.formal_due,
            dispatch_due=t.dispatch_due,
            revisit_due=t.revisit_due,
            calendar_verified=bool(t.calendar_verified),
            planned_formal_date=_day(t.planned_formal_date),
            disposition=t.disposition,
            closed_at=t.closed_at,
            excluded_from_assessment=bool(t.excluded_from_assessment),
            flagged=bool(t.flagged),
            duplicate_of=rel.earlier,
            cohandlers=rel.cohandlers,
            pending=rel.pending,
            preliminary_given=bool(rel.prelim_states),
            preliminary_sent="sent" in rel.prelim_states,
            rating=t.rating,
            rated_at=t.rated_at,
            revisit_state=t.revisit_state,
            rework_count=t.rework_count or 0,
            settled_at=t.settled_at,
            settled_reason=t.settled_reason,
            revisit=rel.revisit,
            rounds=rel.rounds,
        )

    def _latest_round(self, t: TicketRow) -> RevisitRound | None:
        row = self.session.execute(
            select(RevisitRow)
            .where(RevisitRow.ticket_id == t.id)
            .order_by(RevisitRow.round.desc())
            .limit(1)
        ).scalar_one_or_none()
        return None if row is None else _round(row)

    def _write_round(self, t: TicketRow, r: RevisitRound) -> None:
        row = self.session.get(RevisitRow, r.revisit_id) if r.revisit_id is not None else None
        if row is None:
            row = RevisitRow(
                ticket_id=t.id,
                round=r.round,
                nonce=r.nonce,
                created_at=r.created_at,
                department_code=r.department,
            )
            self.session.add(row)
        for name in _ROUND_COLUMNS:
            setattr(row, name, getattr(r, name))

    def apply(self, t: TicketRow, change: Change, now: datetime) -> Change:
        """Write `change` to the rows of `t`; returns it with a recorded reply's id bound.

        Order: the reply rows (a new one gets its id), then the ticket's columns and the
        co-handlers, then the events; flushed, so what follows (the 处理单, the mail) reads it —
        but in a write batch (routing, `store.write_batch`), where the mail reads the rows it
        was handed and any query flushes first (autoflush), the batch's changes are flushed
        together.
        """
        for update in change.replies:
            row = self._reply(t, update, now)
            if update.reply_id is None:
                self.session.flush()
                change = change.bind_reply(row.id)
        for name, value in change.ticket_changes().items():
            setattr(t, _COLUMNS.get(name, name), self._column_value(name, value))
        self._cohandlers(t, change)
        if (rnd := change.revisit_change()) is not None:
            self._write_round(t, rnd)
        for e in change.events:
            target = t.id if e.ticket is None else self.get(e.ticket).id
            add_event(self.session, target, now, e.actor, e.kind, **dict(e.fields))
        if active_batch(self.session) is None:
            self.session.flush()
        return change

    def _column_value(self, name: str, value: object) -> Any:
        if name == "status":
            assert isinstance(value, TicketStatus)
            return value.value
        if name in ("first_day", "planned_formal_date"):
            return _day_text(value)
        if name == "duplicate_of":
            return self.get(str(value)).id if value is not None else None
        return value

    def _cohandlers(self, t: TicketRow, change: Change) -> None:
        for c in change.cohandler_changes():
            row = self.session.execute(
                select(CohandlerRow).where(
                    CohandlerRow.ticket_id == t.id, CohandlerRow.department_code == c.department
                )
            ).scalar_one_or_none()
            if row is None:
                self.session.add(
                    CohandlerRow(
                        ticket_id=t.id,
                        department_code=c.department,
                        assigned_at=c.assigned_at,
                        due=c.due,
                        reported_at=c.reported_at,
                    )
                )
            else:
                row.due, row.reported_at = c.due, c.reported_at

    def _reply(self, t: TicketRow, u: ReplyUpdate, now: datetime) -> TicketReplyRow:
        if u.reply_id is None:
            row = TicketReplyRow(
                ticket_id=t.id,
                kind=u.kind,
                department_code=u.department,
                author=u.author or "",
                text=u.text or "",
                state=u.state,
                created_at=now,
                public=bool(u.public),
            )
            self.session.add(row)
        else:
            found = self.session.get(TicketReplyRow, u.reply_id)
            if found is None or found.ticket_id != t.id:
                raise XinxiangError(f"工单 {t.number} 没有编号为 {u.reply_id} 的答复")
            row = found
            row.state = u.state
        for name in _REPLY_COLUMNS:
            value = getattr(u, name)
            if value is not None:
                setattr(row, name, value)
        if u.planned_formal_date is not None:
            row.planned_formal_date = u.planned_formal_date.isoformat()
        return row
