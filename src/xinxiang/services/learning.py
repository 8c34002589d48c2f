"""Retraining the suggestion model from the store (从人工改派中学习，夜间重训).

`retrain` is the job the worker schedules nightly (and `xinxiang rules learn` runs now): it reads
the office's corrections from the event log, trains when there are enough of them, and writes a
new model version under the data directory. `suggestion_for` is what notices and `tickets show`
call to show the newest model's advice on one letter; it never changes a ticket.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinxiang.classify import model_files
from xinxiang.classify.engine import Classification
from xinxiang.classify.learn import (
    CORRECTION_KINDS,
    SYSTEM_ACTOR,
    Example,
    LetterText,
    Model,
    TrainingPolicy,
    examples_from,
    suggest,
    suggest_on,
    train,
    why_not_trainable,
)
from xinxiang.services.context import AppContext
from xinxiang.store.models import EventRow, LetterRow, TicketRow

log = logging.getLogger(__name__)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LearnResult:
    """What one training run did: the new model file, or why none was trained."""

    examples: int
    path: Path | None
    model: Model | None
    reason: str | None


def corrections(session: Session) -> list[Example]:
    """Every ticket the office routed or corrected by hand, as a labelled example."""
    events = (
        session.execute(
            select(EventRow)
            .where(EventRow.kind.in_(sorted(CORRECTION_KINDS)), EventRow.actor != SYSTEM_ACTOR)
            .order_by(EventRow.id)
        )
        .scalars()
        .all()
    )
    ids = sorted({e.ticket_id for e in events})
    letters: dict[int, LetterText] = {}
    # Chunks keep the IN list within every database's parameter limit.
    for i in range(0, len(ids), 500):
        rows = session.execute(
            select(
                TicketRow.id,
                LetterRow.subject,
                LetterRow.body,
                TicketRow.department_code,
                TicketRow.category,
            )
            .join(LetterRow, LetterRow.id == TicketRow.letter_id)
            .where(TicketRow.id.in_(ids[i : i + 500]))
        ).all()
        for tid, subject, body, dept, category in rows:
            letters[tid] = LetterText(subject or "", body or "", dept, category)
    return examples_from(events, letters)


def retrain(ctx: AppContext, now: datetime, policy: TrainingPolicy | None = None) -> LearnResult:
    """Train a new model version from the corrections, if there are enough (nightly job)."""
    policy = policy or TrainingPolicy()
    with ctx.db.unit_of_work() as session:
        examples = corrections(session)
    reason = why_not_trainable([e.department for e in examples], policy)
    if reason is not None:
        return LearnResult(len(examples), None, None, reason)
    directory = model_files.models_dir(ctx.cfg.data_dir)
    model = train(examples, now, model_files.new_version(directory, now), policy)
    assert model is not None  # trainability was checked above
    path = model_files.save(directory, model, policy.keep)
    return LearnResult(len(examples), path, model, None)


def suggestion_for(
    ctx: AppContext, ticket: TicketRow, subject: str, body: str
) -> dict[str, Any] | None:
    """The newest model's advice on a ticket's letter, when the rules were weak or disagree."""
    model = _usable_model(ctx.cfg.data_dir)
    if model is None:
        return None
    return suggest(
        model,
        subject,
        body,
        rules_department=ticket.department_code,
        disposition=ticket.disposition or "triage",
        confidence=ticket.confidence if ticket.confidence is not None else 0.0,
    )


def advice(data_dir: Path, subject: str, body: str, c: Classification) -> dict[str, Any] | None:
    """The newest model's advice on a letter the rules just classified as `c`, or None."""
    model = _usable_model(data_dir)
    return suggest_on(model, subject, body, c) if model is not None else None


def _usable_model(data_dir: Path) -> Model | None:
    """The newest model; None without one or if it cannot be loaded.

    Advice is optional: a damaged model file must never stop a letter from being taken in,
    so a load error is logged and the letter goes on without a suggestion.
    """
    try:
        return model_files.load_latest(model_files.models_dir(data_dir))
    except Exception:  # any unpickling error: the rules alone still decide
        log.exception("the suggestion model could not be loaded")
        return None
