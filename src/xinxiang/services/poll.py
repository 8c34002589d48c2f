"""One polling pass over a configured mail source (IMAP or Maildir) into the database."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from xinxiang.config import SourceSection
from xinxiang.logs import log_event
from xinxiang.mailbox import imap, maildir
from xinxiang.services.context import AppContext
from xinxiang.services.ingest import (
    IngestOutcome,
    MessageOrigin,
    begin_batch,
    finish_batch,
    ingest_batch,
)
from xinxiang.services.prepare import PreparedBatch
from xinxiang.services.routing import route_received
from xinxiang.store.repo import get_cursor

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class PollResult:
    """What one pass did."""

    source: str
    created: int = 0
    recorded: int = 0
    duplicates: int = 0
    quarantined: int = 0

    def __str__(self) -> str:
        """`source=shuji created=2 ...` for log lines (not the dataclass repr)."""
        return " ".join(f"{k}={v}" for k, v in dataclasses.asdict(self).items())


# The event name of each ingest outcome (`xinxiang.logs`); the rest are `mail_<status>`.
_INGEST_EVENTS = {"created": "letter_recorded", "recorded": "mail_recorded"}


def find_source(ctx: AppContext, name: str) -> SourceSection:
    """The configured source called `name` (KeyError when unknown)."""
    for src in ctx.cfg.settings.sources:
        if src.name == name:
            return src
    raise KeyError(name)


def poll_source(
    ctx: AppContext,
    name: str,
    clock: Clock,
    progress: Callable[[int], None] | None = None,
    router: Callable[[], object] | None = None,
) -> PollResult:
    """Import everything new from source `name`, then route the new tickets; with `router`,
    call it after each committed batch instead (it nudges the worker's routing process,
    `services.route_worker`, which routes while the next batches come in).

    Raises `SourceUnavailable` when the server cannot be reached.
    """
    result = import_source(ctx, name, clock, progress, committed=router)
    if router is None:
        route_received(ctx, clock())
    return result


def import_source(
    ctx: AppContext,
    name: str,
    clock: Clock,
    progress: Callable[[int], None] | None = None,
    committed: Callable[[], object] | None = None,
) -> PollResult:
    """Import everything new from source `name` (letters, tickets, receipts), without routing.

    `committed` is called after each batch is committed (the worker nudges its routing
    process with it, `services.route_worker`).
    """
    src = find_source(ctx, name)
    counts = {"created": 0, "recorded": 0, "duplicate": 0, "quarantined": 0}

    def record(outcomes: list[IngestOutcome]) -> list[str]:
        for outcome in outcomes:
            counts[outcome.status] += 1
            log_event(
                _INGEST_EVENTS.get(outcome.status, f"mail_{outcome.status}"),
                source=src.name,
                letter=outcome.letter_id,
                ticket=outcome.ticket_number,
                kind=outcome.kind,
            )
        if progress is not None:
            progress(len(outcomes))
        if committed is not None and outcomes:
            committed()
        return ["quarantined" if o.status == "quarantined" else "processed" for o in outcomes]

    if src.kind == "maildir":
        root = Path(ctx.cfg.expand(src.path))
        if not root.is_absolute():
            root = ctx.cfg.directory / root
        maildir.poll_once(
            src,
            root,
            lambda batch: record(
                ingest_batch(
                    ctx,
                    [
                        (m.raw, MessageOrigin(src.name, src.channel, f"maildir:{m.name}"))
                        for m in batch
                    ],
                    clock(),
                )
            ),
            batch_size=src.batch_size,
        )
    else:
        password = ctx.cfg.source_password(src)

        def committed_upto(uidvalidity: int) -> int:
            with ctx.db.unit_of_work() as session:
                cur = get_cursor(session, src.name)
                if cur is None:
                    return 0
                if cur.uidvalidity != uidvalidity:
                    log.warning(
                        "%s: UIDVALIDITY changed %s → %s; re-reading the folder (duplicates are "
                        "recognised by Message-ID)",
                        src.name,
                        cur.uidvalidity,
                        uidvalidity,
                    )
                    return 0
                return cur.last_uid

        class Pipeline:
            """Prepare a batch (worker processes) while the previous one is committed."""

            def begin(self, batch: list[imap.FetchedMessage]) -> PreparedBatch:
                return begin_batch(
                    ctx,
                    [
                        (
                            m.raw,
                            MessageOrigin(
                                src.name,
                                src.channel,
                                f"imap:{src.folder}:{m.uidvalidity}:{m.uid}",
                                m.uidvalidity,
                                m.uid,
                                m.omitted,
                                m.size,
                            ),
                        )
                        for m in batch
                    ],
                )

            def finish(self, token: PreparedBatch) -> list[str]:
                return record(finish_batch(ctx, token, clock()))

        storage = ctx.cfg.settings.storage
        limits = imap.FetchLimits(storage.max_message_bytes, storage.max_attachment_bytes)
        imap.poll_once(src, password, Pipeline(), committed_upto, limits=limits)
    return PollResult(
        src.name, counts["created"], counts["recorded"], counts["duplicate"], counts["quarantined"]
    )
