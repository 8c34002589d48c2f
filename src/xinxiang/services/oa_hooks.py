"""Write every state change of an OA ticket to the OA outbox, in the transaction of the event.

An event reporter (`store.events`) of one `Database`, added by `install_oa_hooks(cfg, db)`: the
process that owns the database (CLI, worker, web, demo) decides, and no ORM listener watches
every session of the process. Every timeline event is written through `store.repo`, which hands
it to the reporter; for an event of a ticket whose source is `oa` and whose kind is listed in
`oa.toml [events]`, the reporter adds an `OaOutboxRow` with the payload of
`mapping.update_payload`. Both rows are in the same transaction, so they commit or roll back
together: no state change is reported that did not happen, and none that happened is lost.

Idempotency keys are deterministic, `<ticket number>:<event kind>:<event time, UTC ISO>`, with a
`#n` suffix only when the same ticket has two events of one kind at the same instant.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinxiang.config import Config
from xinxiang.oa_bridge.config import OaSettings, load_oa_for, oa_file
from xinxiang.oa_bridge.mapping import MappingError, OutboundEvent, update_payload
from xinxiang.store.db import Database
from xinxiang.store.events import NewEvent
from xinxiang.store.models import LetterRow, TicketRow
from xinxiang.store.models_oa import OaOutboxRow

log = logging.getLogger(__name__)

DEDUPE_PREFIX = "oa:"
#: Events whose report carries the department and the formal deadline.
_WITH_DEPARTMENT = frozenset({"dispatched", "transferred", "accepted"})
_CACHE_KEY = "xinxiang.oa_petition_of_ticket"


def oa_state_key(kind: str, data: dict[str, Any] | None) -> str:
    """The `[events]` key of an event: its kind, or `answered_<intent>` for answers."""
    if kind == "answered":
        return f"answered_{(data or {}).get('intent', '')}"
    return kind


class OaOutboxWriter:
    """The reporter: maps new events of OA tickets to outbox rows (state held per install)."""

    def __init__(self, settings: OaSettings, departments: dict[str, str], tz: tzinfo) -> None:
        self.settings = settings
        self.departments = departments
        self.tz = tz

    def __call__(self, session: Session, events: Sequence[NewEvent]) -> None:
        """Add one outbox row per reportable new event (same transaction)."""
        rows: list[OaOutboxRow] = []
        for ev in events:
            state = self.settings.state_for_event(oa_state_key(ev.kind, ev.data))
            if state is None:
                continue
            found = self._petition_of(session, ev.ticket_id)
            if found is None:
                continue
            ticket, petition_id = found
            rows.append(self._row(session, ev, ticket, petition_id, state))
        if rows:
            self._assign_keys(session, rows)
            session.add_all(rows)

    def _petition_of(self, session: Session, ticket_id: int) -> tuple[TicketRow, str] | None:
        cache: dict[int, str | None] = session.info.setdefault(_CACHE_KEY, {})
        ticket = session.get(TicketRow, ticket_id)
        if ticket is None or ticket.source != "oa":
            return None
        if ticket_id not in cache:
            # The dedupe key is set when the letter is created; `external_id` only afterwards.
            letter = session.get(LetterRow, ticket.letter_id)
            key = letter.dedupe_key if letter is not None else ""
            cache[ticket_id] = key[len(DEDUPE_PREFIX) :] if key.startswith(DEDUPE_PREFIX) else None
        pid = cache[ticket_id]
        return (ticket, pid) if pid else None

    def _row(
        self, session: Session, ev: NewEvent, ticket: TicketRow, petition_id: str, state: str
    ) -> OaOutboxRow:
        data = ev.data or {}
        kind = oa_state_key(ev.kind, data)
        at = ev.at.astimezone(self.tz)
        department = ""
        deadline = None
        reply_text, reply_public, note = "", False, ""
        if ev.kind in _WITH_DEPARTMENT and ticket.department_code:
            department = self.departments.get(ticket.department_code, ticket.department_code)
            deadline = ticket.formal_due
        if ev.kind == "transferred" or ev.kind == "returned" or ev.kind == "triage":
            note = str(data.get("reason") or "")
        elif ev.kind == "duplicate_linked":
            note = f"重复来信，已并入 {data.get('earlier', '')} 办理"
        elif ev.kind == "extension_granted" and data.get("until"):
            deadline = datetime.fromisoformat(str(data["until"]))
        elif ev.kind == "answered":
            reply_text, reply_public = self._reply(session, data.get("reply_id"))
            if ticket.department_code:
                department = self.departments.get(ticket.department_code, ticket.department_code)
        payload: dict[str, Any] = {}
        error: str | None = None
        try:
            payload = update_payload(
                OutboundEvent(
                    state=state,
                    occurred_at=at,
                    reply_text=reply_text,
                    reply_public=reply_public,
                    department=department,
                    deadline=deadline.astimezone(self.tz) if deadline is not None else None,
                    note=note,
                ),
                self.settings,
            )
        except MappingError as exc:
            # Kept (parked) rather than dropped, so the office sees it in `oa status`.
            error = f"无法生成 OA 更新: {exc}"
        return OaOutboxRow(
            petition_id=petition_id,
            ticket_id=ticket.id,
            event_kind=kind,
            idempotency_key=f"{ticket.number}:{kind}:{ev.at.astimezone(UTC).isoformat()}",
            payload=payload,
            state="parked" if error else "pending",
            attempts=0,
            last_error=error,
            created_at=ev.at,
        )

    @staticmethod
    def _reply(session: Session, reply_id: Any) -> tuple[str, bool]:
        if not isinstance(reply_id, int):
            return "", False
        from xinxiang.store.models_replies import TicketReplyRow

        reply = session.get(TicketReplyRow, reply_id)
        if reply is None:
            return "", False
        return reply.final_text or reply.text, bool(reply.public)

    @staticmethod
    def _assign_keys(session: Session, rows: list[OaOutboxRow]) -> None:
        """Make every key unique: suffix `#2`, `#3`… for same-instant repeats of a kind."""
        wanted = {r.idempotency_key for r in rows}
        taken = set(
            session.execute(
                select(OaOutboxRow.idempotency_key).where(OaOutboxRow.idempotency_key.in_(wanted))
            ).scalars()
        )
        taken |= {o.idempotency_key for o in session.new if isinstance(o, OaOutboxRow)}
        for r in rows:
            base, key, n = r.idempotency_key, r.idempotency_key, 1
            while key in taken or (n > 1 and _exists(session, key)):
                n += 1
                key = f"{base}#{n}"
            r.idempotency_key = key
            taken.add(key)


def _exists(session: Session, key: str) -> bool:
    return (
        session.execute(select(OaOutboxRow.id).where(OaOutboxRow.idempotency_key == key)).first()
        is not None
    )


def install_oa_hooks(cfg: Config, db: Database, settings: OaSettings | None = None) -> bool:
    """Report the state changes of OA tickets written through `db` to the OA outbox.

    Reads `oa.toml` (unless `settings` is given); without it the bridge is off and nothing is
    added (returns False). Installing again replaces this database's previous OA reporter.
    """
    uninstall_oa_hooks(db)
    if settings is None:
        if not oa_file(cfg).exists():
            return False
        settings = load_oa_for(cfg)
    db.event_reporters.append(
        OaOutboxWriter(settings, {d.code: d.name for d in cfg.departments}, cfg.tz)
    )
    return True


def hooks_installed(db: Database) -> bool:
    """Whether state changes written through `db` reach the OA outbox."""
    return any(isinstance(r, OaOutboxWriter) for r in db.event_reporters)


def uninstall_oa_hooks(db: Database) -> None:
    """Stop reporting to the OA outbox through `db` (no-op when not installed)."""
    db.event_reporters[:] = [r for r in db.event_reporters if not isinstance(r, OaOutboxWriter)]
