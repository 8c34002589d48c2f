"""Staged OA petitions become tickets (`materialize`), the second stage of an OA pull.

`services.oa_store.DbPetitionStore` stages what the feed says (raw JSON, a page per
transaction); here a batch of staged petitions becomes letters and tickets in one transaction
through `record_external_letters`, exactly like mail, with their attachments fetched now. A
petition our code cannot read is parked (`oa_parked`); one whose recording raises otherwise is
shunted (`services.shunt`) and the batch is made again without it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinxiang.oa_bridge.client import OaRequestError, OaUnavailable
from xinxiang.oa_bridge.config import OaSettings
from xinxiang.oa_bridge.mapping import MappingError, letter_from_petition, petition_from_json
from xinxiang.services.context import AppContext
from xinxiang.services.ingest import MessageOrigin
from xinxiang.services.ingest_external import ExternalLetter, record_external_letters
from xinxiang.services.oa_store import (
    RECORDED,
    SOURCE,
    STAGED,
    FetchAttachment,
    canonical_settings,
    dedupe_key,
)
from xinxiang.services.shunt import Item, handle_batch
from xinxiang.store.models import TicketRow
from xinxiang.store.models_oa import OaParkedRow, OaPetitionRow
from xinxiang.store.shunts import set_aside_keys

log = logging.getLogger(__name__)


OA_PULL_STAGE = "oa_pull"


def materialize(
    ctx: AppContext,
    settings: OaSettings,
    now: datetime,
    *,
    fetch_attachment: FetchAttachment | None = None,
    batch: int = 500,
    limit: int | None = None,
) -> int:
    """Make tickets of staged petitions, a batch per transaction; returns how many.

    Attachments are fetched here; when the OA is unreachable the petitions stay staged and the
    next run takes them again (`OaUnavailable` propagates to the caller after a commit of
    everything done so far). A petition our code cannot turn into a letter is parked; one whose
    recording raises otherwise is shunted (`services.shunt`) and the batch is made without it.
    """
    canonical = canonical_settings(settings)
    done = 0
    while limit is None or done < limit:
        with ctx.db.unit_of_work() as session:
            ids = list(
                session.execute(
                    select(OaPetitionRow.petition_id)
                    .where(
                        OaPetitionRow.state == STAGED,
                        OaPetitionRow.petition_id.notin_(set_aside_keys(session, OA_PULL_STAGE)),
                    )
                    .order_by(OaPetitionRow.updated_at, OaPetitionRow.petition_id)
                    .limit(batch)
                ).scalars()
            )
        if not ids:
            break
        counts = handle_batch(
            ctx,
            OA_PULL_STAGE,
            "petition",
            [Item(i, i) for i in ids],
            lambda session, keys: _materialize_rows(
                ctx, session, keys, canonical, settings, now, fetch_attachment
            ),
            now,
            transient=(OaUnavailable,),
        )
        done += sum(made for made, _ in counts)
        if not sum(touched for _, touched in counts):
            break  # none left that is not set aside or being made by another worker
    return done


def _materialize_rows(
    ctx: AppContext,
    session: Session,
    ids: Sequence[str],
    canonical: OaSettings,
    settings: OaSettings,
    now: datetime,
    fetch_attachment: FetchAttachment | None,
) -> tuple[int, int]:
    """Make tickets of the staged petitions `ids` (those another worker holds are skipped);
    (tickets made, petitions made or parked)."""
    rows = list(
        session.execute(
            select(OaPetitionRow)
            .where(OaPetitionRow.petition_id.in_(ids), OaPetitionRow.state == STAGED)
            .order_by(OaPetitionRow.updated_at, OaPetitionRow.petition_id)
            .with_for_update(skip_locked=True)
        ).scalars()
    )
    items: list[tuple[OaPetitionRow, ExternalLetter]] = []
    for row in rows:
        try:
            raw = (row.raw_json or "").encode()
            doc = orjson.loads(raw)
            p = petition_from_json(doc, canonical)
            if row.content_hash is None:
                row.content_hash = p.content_hash()
            payloads: dict[str, bytes] = {}
            if fetch_attachment is not None:
                for a in p.attachments:
                    try:
                        payloads[a.sha256] = fetch_attachment(a)
                    except OaRequestError as exc:  # gone at the OA: a defect
                        log.warning("OA attachment %s of %s: %s", a.name, p.petition_id, exc)
            letter = letter_from_petition(p, payloads, channel=settings.oa.channel)
        except (OSError, ValueError, MappingError) as exc:
            row.state = "parked"
            session.add(
                OaParkedRow(
                    petition_id=row.petition_id,
                    updated_at=row.updated_at,
                    reason=f"记录失败: {type(exc).__name__}: {exc}",
                    raw="",
                    state="open",
                    created_at=now,
                )
            )
            continue
        items.append(
            (
                row,
                ExternalLetter(
                    letter=letter,
                    raw=raw,
                    raw_suffix=".json",
                    dedupe_key=dedupe_key(row.petition_id),
                    external_id=row.petition_id,
                    origin=MessageOrigin(SOURCE, settings.oa.channel, f"oa:{row.petition_id}"),
                ),
            )
        )
    outcomes = record_external_letters(ctx, session, [e for _, e in items], now)
    letter_ids = [o.letter_id for o in outcomes]
    tickets: dict[int, int] = dict(
        session.execute(
            select(TicketRow.letter_id, TicketRow.id).where(
                TicketRow.letter_id.in_([i for i in letter_ids if i is not None])
            )
        ).all()
    )
    for (row, _e), letter_id in zip(items, letter_ids, strict=True):
        row.letter_id = letter_id
        row.ticket_id = tickets.get(letter_id) if letter_id is not None else None
        row.state = RECORDED
        row.raw_json = None  # kept as the letter's raw blob from now on
    ctx.blobs.sync()
    return len(items), len(rows)
