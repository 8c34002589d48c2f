"""Routing committed tickets: classification, duplicates, dispatch or triage, in batches.

Ingestion only records (letter, ticket in state `received`, receipt); this stage decides. It
runs right after every poll and from the every-minute task, so a ticket is routed seconds after
it arrives, and a crash between the two stages only delays routing — `received` *is* the queue.
A ticket whose routing raises is shunted (`services.shunt`); the others are routed all the same.

One ticket (`route_new_ticket`): classify the letter and record it on the ticket, raise the
emergency alert, gather the facts routing decides on (the sender's letters this hour, an
earlier letter this one repeats, the petitioner's wish to stay anonymous, the settings) and let
`workflow.after_classification` pick the command — dispatch (转办), hold for the office
(待分办), or close with a template, as praise or as a duplicate — which `handlers.bus.execute`
decides and applies in the batch's session, in the ticket's own savepoint.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from xinxiang.classify.batch import LetterFields, classify_batch
from xinxiang.classify.duplicates import PriorLetter, find_duplicate
from xinxiang.classify.engine import Classification, classify_letter
from xinxiang.domain import workflow as wf
from xinxiang.domain.letter import Letter
from xinxiang.domain.states import OPEN_STATUSES, TicketStatus
from xinxiang.handlers.bus import execute
from xinxiang.handlers.repository import TicketRepository
from xinxiang.logs import log_event
from xinxiang.notify.tickets import notify_ticket
from xinxiang.outgoing import caps
from xinxiang.outgoing.door import post
from xinxiang.outgoing.routing import alert_spec
from xinxiang.replies.privacy import confidential_of
from xinxiang.services.context import AppContext
from xinxiang.services.learning import advice
from xinxiang.services.letter_confirm import awaiting_confirmation
from xinxiang.services.routing_facts import BatchFacts, batch_facts
from xinxiang.services.shunt import Item, handle_batch, set_aside
from xinxiang.store.models import AttachmentRow, LetterRow, TicketRow
from xinxiang.store.repo import add_event, letter_from_row
from xinxiang.store.write_batch import write_batch

log = logging.getLogger(__name__)


STAGE = "routing"


def route_received(ctx: AppContext, now: datetime, *, batch: int = 50, limit: int = 5000) -> int:
    """Route up to `limit` tickets still in state `received`; returns how many were routed.

    A batch is routed in one transaction; when it raises, its tickets are routed again one
    transaction each and the one that raises is shunted (left in `received`, out of this stage
    until `xinxiang shunt retry`), so one bad ticket never stops routing for the others.
    """
    routed = 0
    after = 0
    link_asked_after = now - timedelta(hours=ctx.cfg.settings.web.confirm_hours)
    while routed < limit:
        with ctx.db.unit_of_work() as session:
            rows = session.execute(
                select(TicketRow.id, TicketRow.number)
                .where(
                    TicketRow.status == TicketStatus.RECEIVED.value,
                    TicketRow.id > after,
                    TicketRow.id.notin_(set_aside(session, STAGE)),
                    # a web letter's address not confirmed yet (until its link expires)
                    ~awaiting_confirmation(link_asked_after),
                )
                .order_by(TicketRow.id)
                .limit(min(batch, limit - routed))
            ).all()
        if not rows:
            break
        after = rows[-1].id
        routed += sum(
            handle_batch(
                ctx,
                STAGE,
                "ticket",
                [Item(str(r.id), r.number) for r in rows],
                lambda session, keys: _route(ctx, session, [int(k) for k in keys], now),
                now,
            )
        )
    if routed:
        log.info("routed %d tickets", routed)
    return routed


def _route(ctx: AppContext, session: Session, ids: list[int], now: datetime) -> int:
    """Route the tickets `ids` that are still `received` (another worker may hold some);
    how many were routed."""
    tickets = list(
        session.execute(
            select(TicketRow)
            .where(TicketRow.id.in_(ids), TicketRow.status == TicketStatus.RECEIVED.value)
            .order_by(TicketRow.id)
            .with_for_update(skip_locked=True)
        ).scalars()
    )
    if not tickets:
        return 0
    letter_ids = [t.letter_id for t in tickets]
    letters = {
        r.id: r
        for r in session.execute(select(LetterRow).where(LetterRow.id.in_(letter_ids))).scalars()
    }
    files: dict[int, list[AttachmentRow]] = defaultdict(list)
    for a in session.execute(
        select(AttachmentRow).where(AttachmentRow.letter_id.in_(letter_ids))
    ).scalars():
        files[a.letter_id].append(a)
    facts = batch_facts(
        session,
        tickets,
        now,
        timedelta(days=ctx.cfg.settings.dispatch.duplicate_window_days),
    )
    repository = TicketRepository(session)
    repository.preload(tickets)
    # No savepoint per ticket: an error ends the batch's transaction, and the shunt routes its
    # tickets again one transaction each (`services.shunt.handle_batch`). Events and outbox
    # rows are inserted a table at a time, the outbox's keys and counts read once
    # (`store.write_batch`).
    try:
        staff = caps.staff_addresses(ctx)
        stored = {i: files[i] for i in letter_ids}
        batch_letters = [letter_from_row(letters[t.letter_id], files[t.letter_id]) for t in tickets]
        # The whole batch classified at once (the second reader predicts once per batch); a
        # letter whose classification raised raises when its ticket is routed, as before.
        # Readings made ahead by ingest's workers are taken for the texts they were made of.
        readings = classify_batch(
            [LetterFields.of(x) for x in batch_letters], ctx.rules, ahead=ctx.read_ahead
        )
        # Claimed only now, so that reading the letters holds up no writer (ingest commits).
        claimed = _claim(session, [t.id for t in tickets])
        kept = [
            (t, x, c)
            for t, x, c in zip(tickets, batch_letters, readings, strict=True)
            if t.id in claimed
        ]
        tickets = [t for t, _, _ in kept]
        with write_batch(session, tickets, prefetch=staff, attachments=stored):
            for ticket, letter, c in kept:
                if isinstance(c, Exception):
                    raise c
                route_new_ticket(ctx, session, ticket, letter, now, facts, classification=c)
                log_event(
                    "ticket_routed",
                    ticket=ticket.number,
                    status=ticket.status,
                    department=ticket.department_code,
                    disposition=ticket.disposition,
                    urgency=ticket.urgency,
                )
    finally:
        repository.forget()
    return len(tickets)


def _claim(session: Session, ids: list[int]) -> set[int]:
    """The tickets among `ids` still `received`, now this session's to route.

    On PostgreSQL the rows were locked when read (`FOR UPDATE SKIP LOCKED`), so this only
    reads them again. SQLite has no row locks, and pysqlite opens a transaction only at the
    first write: two routers could both read a ticket as `received` and both route it. So
    the database's single write lock is taken first (a write that changes nothing) and the
    states are read again under it: a router that comes second sees the ticket routed, and
    leaves it.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            update(TicketRow)
            .where(TicketRow.id == -1)
            .values(status=TicketRow.status)
            .execution_options(synchronize_session=False)
        )
    return set(
        session.execute(
            select(TicketRow.id).where(
                TicketRow.id.in_(ids), TicketRow.status == TicketStatus.RECEIVED.value
            )
        ).scalars()
    )


# -- one new ticket ------------------------------------------------------------------------

ACTOR = "system"


def route_new_ticket(
    ctx: AppContext,
    session: Session,
    ticket: TicketRow,
    letter: Letter,
    now: datetime,
    facts: BatchFacts | None = None,
    *,
    classification: Classification | None = None,
) -> Classification:
    """Classify a fresh ticket and act on the decision, in the routing batch's `session`.

    `facts` is what the batch read for all its tickets at once (`routing_facts`); without it
    (a ticket routed alone) it is read for this ticket. `classification` is the letter's, made
    with the batch's (`classify.batch`); without it the letter is classified here.
    """
    if facts is None:
        window = timedelta(days=ctx.cfg.settings.dispatch.duplicate_window_days)
        facts = batch_facts(session, [ticket], now, window)
    c = classification if classification is not None else classify_letter(letter, ctx.rules)
    ticket.category = c.category
    ticket.urgency = c.urgency
    ticket.disposition = c.disposition
    ticket.track = c.track
    ticket.confidence = c.confidence
    ticket.classification = c.to_json()
    ticket.rules_version = ctx.rules.version
    add_event(session, ticket.id, now, ACTOR, "classified", **c.to_json())
    confidential = confidential_of(ctx.cfg, letter.subject, letter.body)
    if confidential.value:
        # Identity also hides in content (导师唯一的博士生): the office reads it before anyone.
        add_event(session, ticket.id, now, ACTOR, "confidential", phrase=confidential.phrase)

    settings = ctx.cfg.settings.dispatch
    if c.is_emergency or c.is_suspected_emergency:
        _emergency_alert(ctx, session, ticket, letter, c, now)
    flood = None if c.is_emergency else _flood(ctx, ticket, facts)
    over_cap = flood is not None and flood.over_cap
    earlier = None if c.is_emergency or over_cap else _find_earlier(ctx, facts, ticket, letter, now)
    code = c.department_code or None
    known = ctx.cfg.department(code) if code else None
    classified = wf.Classified(
        actor=ACTOR,
        disposition=c.disposition,
        office=ctx.cfg.office.code,
        department=(
            wf.DepartmentRef(code, known.name if known else code)
            if code and (known or c.disposition != "praise")
            else None
        ),
        emergency=c.is_emergency,
        auto_dispatch=settings.auto and not settings.require_office_confirmation,
        confidential=confidential.phrase if confidential.value else None,
        earlier=earlier.number if earlier is not None else None,
        flood=flood,
        unconfirmed_contact=ticket.id in facts.unconfirmed,
    )
    command = wf.after_classification(classified)
    if isinstance(command, wf.Route) and known is None:
        raise LookupError(f"unknown department {code!r}")
    if isinstance(command, wf.HoldForTriage) and command.flood is None:
        # The learned model's advice for the office (建议，仅供参考); it routes nothing.
        command = replace(command, details=_suggestion(ctx, letter, c))
    execute(ctx, session, ticket, command, now, letter=letter, classification=c)
    return c


def _suggestion(ctx: AppContext, letter: Letter, c: Classification) -> dict[str, Any]:
    found = advice(ctx.cfg.data_dir, letter.subject, letter.body, c)
    return {"suggestion": found} if found is not None else {}


def _flood(ctx: AppContext, ticket: TicketRow, facts: BatchFacts) -> wf.Flood | None:
    """The sender's letters within the hour before this one (刷屏), if the sender is known."""
    address = (ticket.petitioner_addr or "").lower()
    if not address:
        return None
    earlier = facts.flood_count(ticket)
    return wf.Flood(address, earlier, ctx.cfg.settings.dispatch.flood_letters_per_hour)


def _emergency_alert(
    ctx: AppContext,
    session: Session,
    ticket: TicketRow,
    letter: Letter,
    c: Classification,
    now: datetime,
) -> None:
    """紧急: office and department at once; 疑似紧急: the office alone, to look at once."""
    if c.is_suspected_emergency:
        kind, title, dept = "suspected_emergency_alert", "疑似紧急", None
        extra: dict[str, Any] = {}
    else:
        kind, title = "emergency_alert", "紧急"
        dept = ctx.cfg.department(c.department_code or "") if c.department_code else None
        extra = {
            "department": dept,
            "respond_by": now + ctx.policy.emergency_response,
            "resolve_by": now + ctx.policy.emergency_resolution,
        }
    to = list(ctx.cfg.office.emails) + (list(dept.emails) if dept else [])
    post(ctx, session, ticket, alert_spec(ctx, ticket, letter, c, kind, title, to, extra), now)
    add_event(session, ticket.id, now, ACTOR, kind, to=to, rules=[h.rule for h in c.hits])
    notify_ticket(
        session,
        ctx.cfg,
        number=ticket.number,
        kind=kind.removesuffix("_alert"),
        key=f"{kind}:{ticket.id}",
        to=[ctx.cfg.office, dept],
        deadline=extra.get("respond_by"),
        now=now,
    )


def _find_earlier(
    ctx: AppContext, facts: BatchFacts, ticket: TicketRow, letter: Letter, now: datetime
) -> TicketRow | None:
    """An earlier letter of the same sender this one repeats (同一诉求), if any."""
    settings = ctx.cfg.settings.dispatch
    window = timedelta(days=settings.duplicate_window_days)
    open_values = [s.value for s in OPEN_STATUSES]
    rows = facts.earlier_candidates(ticket, now, window)
    if not rows:
        return None
    by_number = {t.number: t for t, _ in rows}
    priors = [
        PriorLetter(
            ticket_number=t.number,
            sender=t.petitioner_addr,
            text=f"{t.subject}\n{body}",
            created_at=t.created_at,
            is_open=t.status in open_values,
            answered_at=t.closed_at,
        )
        for t, body in rows
    ]
    match = find_duplicate(
        ticket.petitioner_addr,
        f"{letter.subject}\n{letter.body}",
        priors,
        now,
        window,
        settings.duplicate_threshold,
    )
    return by_number[match.ticket_number] if match else None
