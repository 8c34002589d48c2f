"""Preparing raw messages for ingestion: keep the raw bytes, parse, judge the kind.

This is the CPU-heavy half of ingestion and it touches no database, so big batches are
prepared in a small pool of worker processes while the main process fetches, commits and
moves the previous batch (see `mailbox.imap.poll_once`). Everything here is picklable.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from xinxiang.classify.batch import (
    Ahead,
    LetterFields,
    fitted_models,
    install_models,
    models_fitted,
    read_ahead,
)
from xinxiang.domain.letter import Letter, MailKind
from xinxiang.errors import UnparseableMail
from xinxiang.mailbox.noise import mail_kind
from xinxiang.mailbox.oversize import OmittedPart
from xinxiang.mailbox.parse import parse_message
from xinxiang.store.blobs import BlobStore

log = logging.getLogger(__name__)

# Below this many messages a batch is prepared in-process: starting or feeding worker
# processes would cost more than it saves.
POOL_THRESHOLD = 24


@dataclass(frozen=True, slots=True)
class MessageOrigin:
    """Where a message came from, for the record and for the cursor; for one too large to fetch
    whole, its size at the source and the parts left there (see `mailbox.oversize`)."""

    source: str
    channel: str
    location: str
    uidvalidity: int | None = None
    uid: int | None = None
    omitted: tuple[OmittedPart, ...] = ()
    size_at_source: int | None = None


@dataclass(frozen=True, slots=True)
class StoredAttachment:
    """An attachment already written to the blob store (or left out for its size: then
    `stored` is false, and `sha256` None when it was never fetched)."""

    filename: str
    content_type: str
    size: int
    sha256: str | None
    stored: bool
    inline: bool
    content_id: str | None


@dataclass(frozen=True, slots=True)
class Prepared:
    """A message ready to be recorded: raw kept, parsed (or why not), kind decided."""

    raw: bytes
    origin: MessageOrigin
    sha: str
    letter: Letter | None
    kind: MailKind
    problem: str | None
    attachments: tuple[StoredAttachment, ...] = ()
    key: str | None = None
    external_id: str | None = None
    ahead: Ahead | None = None
    """The second reader's readings of the letter, made in the worker (`classify.batch`)."""


@dataclass(frozen=True, slots=True)
class PrepareSettings:
    """What preparing needs to know about the deployment (picklable, no connections)."""

    blob_root: str
    own_addresses: frozenset[str]
    msgid_domain: str
    reply_base: str
    registered_addresses: frozenset[str]
    max_attachment_bytes: int
    max_letter_attachment_bytes: int = 25 * 1024 * 1024
    read_ahead: tuple[bool, bool] = (False, False)
    """Whether worker processes read letters ahead with the danger and department models
    (the ones routing asks of every letter, `classify.batch.used_models`)."""


_stores: dict[str, BlobStore] = {}


def _blobs(root: str) -> BlobStore:
    store = _stores.get(root)
    if store is None:
        store = _stores[root] = BlobStore(Path(root))
    return store


def store_attachments(
    letter: Letter, blobs: BlobStore, cap: int, total_cap: int | None = None
) -> tuple[StoredAttachment, ...]:
    """Write a letter's attachments to the blob store: each within `cap`, and all of them
    together within `total_cap` (the first ones written, in order); the rest are left out."""
    out = []
    total = 0
    for att in letter.attachments:
        stored = att.size <= cap and (total_cap is None or total + att.size <= total_cap)
        if stored:
            total += att.size
        digest = (
            blobs.put(att.payload, durable=False)
            if stored
            else hashlib.sha256(att.payload).hexdigest()
        )
        out.append(
            StoredAttachment(
                att.filename,
                att.content_type,
                att.size,
                digest,
                stored,
                att.inline,
                att.content_id,
            )
        )
    return tuple(out)


def omitted_attachments(origin: MessageOrigin) -> tuple[StoredAttachment, ...]:
    """The parts of an oversized message left at the source, recorded as attachments not
    stored (未收取的附件), so the record and the petitioner's receipt can say so."""
    return tuple(
        StoredAttachment(
            part.filename or f"attachment-{part.section}",
            part.content_type,
            part.size,
            None,
            False,
            False,
            None,
        )
        for part in origin.omitted
    )


def prepare_one(settings: PrepareSettings, raw: bytes, origin: MessageOrigin) -> Prepared:
    """Keep the raw bytes, parse them and decide the kind. Never raises for bad mail."""
    blobs = _blobs(settings.blob_root)
    sha = blobs.put(raw, ".eml", durable=False)
    try:
        letter = parse_message(raw)
        kind = mail_kind(
            letter,
            own_addresses=settings.own_addresses,
            own_msgid_domain=settings.msgid_domain,
            reply_base=settings.reply_base,
            # A department or the office writing about a ticket without our token (a fresh
            # mail, or a client that ignored Reply-To) is a reply, not a new letter.
            staff_addresses=settings.registered_addresses,
        )
        stored = store_attachments(
            letter, blobs, settings.max_attachment_bytes, settings.max_letter_attachment_bytes
        ) + omitted_attachments(origin)
    except UnparseableMail as exc:
        return Prepared(raw, origin, sha, None, MailKind.MALFORMED, str(exc) or "unparseable")
    except Exception as exc:  # a parser bug must not stop the mailbox: keep the mail, say why
        log.exception("parser failed on a message from %s", origin.source)
        problem = f"internal parser error: {type(exc).__name__}: {exc}"
        return Prepared(raw, origin, sha, None, MailKind.MALFORMED, problem)
    # The payloads are in the blob store now; do not carry (or pickle) them any further.
    light = dataclasses.replace(
        letter,
        attachments=tuple(dataclasses.replace(a, payload=b"") for a in letter.attachments),
    )
    return Prepared(raw, origin, sha, light, kind, None, stored)


def prepare_many(
    settings: PrepareSettings, items: Sequence[tuple[bytes, MessageOrigin]]
) -> list[Prepared]:
    """`prepare_one` over a chunk (the unit of work sent to a pool process)."""
    return [prepare_one(settings, raw, origin) for raw, origin in items]


def prepare_chunk(
    settings: PrepareSettings, items: Sequence[tuple[bytes, MessageOrigin]]
) -> list[Prepared]:
    """`prepare_many` in a worker process, and the letters read ahead by the second reader
    there (`settings.read_ahead`): routing, in the main process, takes those readings."""
    prepared = prepare_many(settings, items)
    letters = [
        (i, p.letter)
        for i, p in enumerate(prepared)
        if p.letter is not None and p.kind is MailKind.LETTER
    ]
    found = read_ahead([LetterFields.of(x) for _, x in letters], *settings.read_ahead)
    for (i, _), ahead in zip(letters, found, strict=True):
        if ahead is not None:
            prepared[i] = dataclasses.replace(prepared[i], ahead=ahead)
    return prepared


class PreparePool:
    """A lazily started pool of worker processes (spawned: no inherited connections)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._with_models = False

    def submit(
        self, settings: PrepareSettings, items: Sequence[tuple[bytes, MessageOrigin]]
    ) -> list[Future[list[Prepared]]]:
        """Split `items` over the workers; the futures come back in order.

        Where letters are read ahead (`settings.read_ahead`), the workers get the models this
        process has fitted; a pool started before they were fitted is started again once
        they are (once per process: the worker fits them at start, `worker.run_worker`)."""
        wants_models = any(settings.read_ahead) and not self._with_models
        if wants_models and self._pool is not None and models_fitted(settings.read_ahead):
            self._pool.shutdown(wait=True)  # the batch in hand is finished first
            self._pool = None
        if self._pool is None:
            blob = fitted_models(settings.read_ahead)
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=install_models,
                initargs=(blob,),
            )
            self._with_models = blob is not None
        size = -(-len(items) // self.workers)
        return [
            self._pool.submit(prepare_chunk, settings, list(items[i : i + size]))
            for i in range(0, len(items), size)
        ]

    def close(self) -> None:
        """Stop the workers."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
            self._with_models = False


def default_workers() -> int:
    """Worker processes for preparing: one per CPU, at most four; none on a single CPU."""
    cpus = os.cpu_count() or 1
    return 0 if cpus < 2 else min(4, cpus)


class PreparedBatch:
    """A batch being prepared (in the pool or in-process); `result()` waits for it."""

    def __init__(
        self,
        futures: list[Future[list[Prepared]]] | None = None,
        done: list[Prepared] | None = None,
    ) -> None:
        self._futures = futures or []
        self._done = done

    def result(self) -> list[Prepared]:
        """The prepared messages, in the order given."""
        if self._done is None:
            self._done = [p for f in self._futures for p in f.result()]
        return self._done


def begin(
    settings: PrepareSettings,
    items: Sequence[tuple[bytes, MessageOrigin]],
    pool: PreparePool | None,
) -> PreparedBatch:
    """Start preparing `items`: in the pool when the batch is big enough, else right here."""
    if pool is not None and pool.workers > 0 and len(items) >= POOL_THRESHOLD:
        try:
            return PreparedBatch(futures=pool.submit(settings, items))
        except (OSError, RuntimeError) as exc:  # e.g. cannot start processes: do it here
            log.warning("preparing in-process (worker pool unavailable: %s)", exc)
    return PreparedBatch(done=prepare_many(settings, items))
