"""Pull from and push to the OA with the main database: the worker's job and the CLI's.

`oa_pull` turns changed petitions into tickets (see `services.oa_store`); `oa_push` sends the OA
outbox in order per petition with back-off; the worker runs both only when `oa.toml` exists.
Failures of the OA are recorded for `xinxiang oa status` and never raised: the next run resumes.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from xinxiang.config import Config
from xinxiang.oa_bridge.adapters import make_adapter
from xinxiang.oa_bridge.client import OaUnavailable, backoff_delay
from xinxiang.oa_bridge.config import OaSettings, load_oa_for, oa_file, oa_secret
from xinxiang.oa_bridge.sync import Progress, PullResult, PushResult, pull, push_pending
from xinxiang.services.context import AppContext
from xinxiang.services.oa_hooks import hooks_installed, install_oa_hooks
from xinxiang.services.oa_materialize import materialize
from xinxiang.services.oa_store import OA_PUSH_STAGE, DbOaOutbox, DbPetitionStore, record_error
from xinxiang.services.routing import route_received
from xinxiang.services.shunt import Item, shunt

log = logging.getLogger(__name__)


def oa_enabled(cfg: Config) -> bool:
    """Whether the deployment has an `oa.toml` (the bridge is optional)."""
    return oa_file(cfg).exists()


def oa_pull(
    ctx: AppContext,
    now: datetime,
    *,
    full: bool = False,
    progress: Progress | None = None,
    settings: OaSettings | None = None,
    client_options: Mapping[str, Any] | None = None,
) -> PullResult:
    """Pull every petition changed since the cursor into tickets; OA failures end the run early
    (recorded, `completed` False) with everything before them kept."""
    settings = settings or load_oa_for(ctx.cfg)
    secret = oa_secret(ctx.cfg, settings)
    if not hooks_installed(ctx.db):
        # Tickets made by this pull change state at once (received, dispatched): the OA must
        # hear of it, even in a process whose start-up did not install the hooks.
        install_oa_hooks(ctx.cfg, ctx.db, settings)
    options = dict(client_options or {})
    adapter = make_adapter(settings, secret, **options)
    # Attachments are fetched while the next page is prefetched: a second client, because one
    # client is never used from two threads at once.
    files = make_adapter(settings, secret, **options)
    store = DbPetitionStore(ctx, settings, now, fetch_attachment=files.fetch_attachment)
    try:
        result = pull(
            adapter,
            store,
            store,
            full=full,
            progress=progress,
            page_size=settings.oa.page_size,
            overlap=timedelta(seconds=settings.oa.overlap_seconds),
        )
        store.commit()
        store.close()
        # Second stage, as for mail: staged petitions become tickets (attachments fetched now).
        try:
            materialize(ctx, settings, now, fetch_attachment=files.fetch_attachment)
        except OaUnavailable as exc:  # stays staged; the next pull takes it up again
            log.warning("OA attachments unavailable, petitions stay staged: %s", exc)
            record_error(ctx.db, "pull", f"attachments: {exc}", now)
    finally:
        store.close()
        adapter.close()
        files.close()
    # As after a mail poll: classification and dispatch of the new tickets (each in its own
    # transaction, so their `classified`/`dispatched` events reach the OA outbox too).
    route_received(ctx, now)
    if result.error:
        log.warning("OA pull stopped: %s", result.error)
        record_error(ctx.db, "pull", result.error, now)
    elif result.created or result.updated:
        log.info("OA pull: %d new, %d updated", result.created, result.updated)
    return result


def push_backoff(settings: OaSettings) -> Any:
    """The outbox retry delay after n failures, from `oa.toml`."""
    oa = settings.oa

    def delay(attempts: int) -> timedelta:
        return timedelta(
            seconds=backoff_delay(
                attempts, oa.push_backoff_base_seconds, oa.push_backoff_cap_seconds, 1.0
            )
        )

    return delay


def oa_push(
    ctx: AppContext,
    now: datetime,
    *,
    settings: OaSettings | None = None,
    client_options: Mapping[str, Any] | None = None,
) -> PushResult:
    """Push due OA outbox updates, in order per petition, at most `oa.push_batch` per run."""
    settings = settings or load_oa_for(ctx.cfg)
    adapter = make_adapter(settings, oa_secret(ctx.cfg, settings), **dict(client_options or {}))
    try:
        result = push_pending(
            adapter,
            DbOaOutbox(ctx.db),
            now,
            backoff=push_backoff(settings),
            limit=settings.oa.push_batch,
            shunt=lambda upd, exc: shunt(
                ctx,
                OA_PUSH_STAGE,
                "oa_update",
                Item(str(upd.id), f"{upd.petition_id}（{upd.idempotency_key}）"),
                exc,
                now,
            ),
        )
    finally:
        adapter.close()
    if result.sent or result.failed or result.parked or result.shunted:
        log.info(
            "OA push: %d sent, %d failed, %d parked, %d shunted",
            result.sent,
            result.failed,
            result.parked,
            result.shunted,
        )
    return result
