"""IMAP mail source (imapclient): UIDs only, BODY.PEEK[], UIDVALIDITY cursor, MOVE or flag, IDLE.

The order of operations is the "nothing is lost" contract: a message is moved out of the inbox
only after `handle` has committed it to the database (or to quarantine); nothing is deleted.

Limits before work: sizes (RFC822.SIZE) are read before any body, a batch is fetched in chunks
of at most `max_message_bytes` in all, and a message over that limit is fetched by part
(`mailbox.oversize`): its headers and text, and what else fits; the rest stays on the server.
"""

from __future__ import annotations

import contextlib
import logging
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from xinxiang.config import SourceSection
from xinxiang.errors import XinxiangError
from xinxiang.logs import log_event
from xinxiang.mailbox import oversize
from xinxiang.mailbox.oversize import OmittedPart

log = logging.getLogger(__name__)

PROCESSED_FLAG = "$XinxiangProcessed"


class SourceUnavailable(XinxiangError):
    """The mail server cannot be reached or refused us; the caller retries later."""


@dataclass(frozen=True, slots=True)
class FetchedMessage:
    """One message as fetched: where it is and its raw bytes; for an oversized message, the
    parts left on the server and its size there."""

    uidvalidity: int
    uid: int
    raw: bytes
    omitted: tuple[OmittedPart, ...] = ()
    size: int | None = None


# handle(batch) -> "processed" | "quarantined" per message, after committing the whole batch;
# it raises only for infrastructure failures (then nothing of the batch is moved).
Handler = Callable[[list[FetchedMessage]], list[str]]


class Pipeline(Protocol):
    """Two-step handling so the next batch is prepared while this one is committed:
    `begin(batch)` starts preparing (may return at once), `finish(token)` commits and returns
    "processed" | "quarantined" per message; only `finish` may raise (then nothing moves)."""

    def begin(self, batch: list[FetchedMessage]) -> Any:
        """Start preparing a batch."""
        ...

    def finish(self, token: Any) -> list[str]:
        """Commit a prepared batch."""
        ...


class _Immediate:
    def __init__(self, handle: Handler) -> None:
        self.handle = handle

    def begin(self, batch: list[FetchedMessage]) -> Any:
        return batch

    def finish(self, token: Any) -> list[str]:
        return self.handle(token)


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """How much of a message is fetched: whole up to `message_bytes` (also the most one chunk
    of a batch holds), else by part, keeping attachments of at most `attachment_bytes`."""

    message_bytes: int = 25 * 1024 * 1024
    attachment_bytes: int = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ImapPassResult:
    """Counts of one pass over the inbox."""

    processed: int = 0
    quarantined: int = 0
    moved_only: int = 0


def connect(src: SourceSection, password: str, timeout: float = 30) -> IMAPClient:
    """Connect and log in; TLS is verified unless the config explicitly allows plaintext."""
    try:
        if src.security == "tls":
            ctx = ssl.create_default_context(cafile=src.ca_file or None)
            client = IMAPClient(src.host, port=src.port, ssl=True, ssl_context=ctx, timeout=timeout)
        else:
            client = IMAPClient(src.host, port=src.port, ssl=False, timeout=timeout)
            if src.security == "starttls":
                client.starttls(ssl.create_default_context(cafile=src.ca_file or None))
        client.login(src.username, password)
    except (IMAPClientError, OSError, ssl.SSLError) as exc:
        raise SourceUnavailable(f"IMAP {src.host}:{src.port} ({src.name}): {exc}") from exc
    return client


@contextmanager
def session(src: SourceSection, password: str) -> Iterator[IMAPClient]:
    """A logged-in client that is always logged out (or dropped) afterwards."""
    client = connect(src, password)
    try:
        yield client
    finally:
        try:
            client.logout()
        except (IMAPClientError, OSError):
            with contextlib.suppress(IMAPClientError, OSError):
                client.shutdown()


def ensure_folders(client: IMAPClient, *names: str) -> None:
    """Create the Processed/Quarantine folders when missing."""
    for name in names:
        if not client.folder_exists(name):
            try:
                client.create_folder(name)
            except IMAPClientError:
                if not client.folder_exists(name):
                    raise


def move(client: IMAPClient, uids: list[int], folder: str) -> None:
    """MOVE when offered; otherwise COPY and flag the original as processed (never delete)."""
    if not uids:
        return
    if client.has_capability("MOVE"):
        client.move(uids, folder)
    else:
        client.copy(uids, folder)
        client.add_flags(uids, [PROCESSED_FLAG])


def poll_once(
    src: SourceSection,
    password: str,
    handle: Handler | Pipeline,
    committed_upto: Callable[[int], int],
    *,
    stop: threading.Event | None = None,
    limits: FetchLimits | None = None,
) -> ImapPassResult:
    """One pass: fetch new messages in batches, hand each to `handle`, then move the batch.

    `committed_upto(uidvalidity)` returns the highest UID already committed for that
    UIDVALIDITY (0 when the validity changed): such messages are only moved, not re-fetched.
    """
    processed = quarantined = moved_only = 0
    limits = limits or FetchLimits()
    try:
        with session(src, password) as client:
            ensure_folders(client, src.processed_folder, src.quarantine_folder)
            info = client.select_folder(src.folder)
            uidvalidity = int(info[b"UIDVALIDITY"])
            last = committed_upto(uidvalidity)
            uids = sorted(int(u) for u in client.search(["NOT", "KEYWORD", PROCESSED_FLAG]))
            done = [u for u in uids if u <= last]
            if done:
                move(client, done, src.processed_folder)
                moved_only += len(done)
            pending = [u for u in uids if u > last]
            pipeline: Pipeline = _Immediate(handle) if callable(handle) else handle
            in_flight: tuple[Any, list[FetchedMessage]] | None = None

            def settle(flight: tuple[Any, list[FetchedMessage]]) -> None:
                nonlocal processed, quarantined
                token, messages = flight
                results = pipeline.finish(token)
                ok = [m.uid for m, r in zip(messages, results, strict=True) if r != "quarantined"]
                bad = [m.uid for m, r in zip(messages, results, strict=True) if r == "quarantined"]
                move(client, ok, src.processed_folder)
                move(client, bad, src.quarantine_folder)
                processed += len(ok)
                quarantined += len(bad)

            for start in range(0, len(pending), src.batch_size):
                if stop is not None and stop.is_set():
                    break
                batch = pending[start : start + src.batch_size]
                sizes = _sizes(client, batch)
                for chunk in _chunks(batch, sizes, limits.message_bytes):
                    messages = _fetch_chunk(client, uidvalidity, chunk, sizes, limits)
                    # Prepare this chunk while the previous one is committed and moved; each
                    # is moved only after its own commit, as always.
                    current = (pipeline.begin(messages), messages)
                    if in_flight is not None:
                        settle(in_flight)
                    in_flight = current
            if in_flight is not None:
                settle(in_flight)
    except (TimeoutError, IMAPClientError, OSError, ssl.SSLError) as exc:
        raise SourceUnavailable(f"IMAP {src.host}:{src.port} ({src.name}): {exc}") from exc
    return ImapPassResult(processed, quarantined, moved_only)


def _sizes(client: IMAPClient, uids: list[int]) -> dict[int, int]:
    """RFC822.SIZE of each message still there (an expunged one is simply absent)."""
    fetched = client.fetch(uids, ["RFC822.SIZE"])
    return {uid: int(fetched[uid].get(b"RFC822.SIZE") or 0) for uid in uids if uid in fetched}


def _chunks(uids: list[int], sizes: dict[int, int], budget: int) -> Iterator[list[int]]:
    """`uids` in runs of at most `budget` bytes (an oversized message counts as `budget`: only
    that much of it is fetched), so a batch never holds all its messages' bytes at once."""
    chunk: list[int] = []
    total = 0
    for uid in uids:
        if uid not in sizes:
            continue
        size = min(sizes[uid], budget)
        if chunk and total + size > budget:
            yield chunk
            chunk, total = [], 0
        chunk.append(uid)
        total += size
    if chunk:
        yield chunk


def _fetch_chunk(
    client: IMAPClient,
    uidvalidity: int,
    uids: list[int],
    sizes: dict[int, int],
    limits: FetchLimits,
) -> list[FetchedMessage]:
    """Fetch a chunk in UID order: whole messages, and oversized ones by part."""
    whole = [u for u in uids if sizes[u] <= limits.message_bytes]
    fetched = client.fetch(whole, ["BODY.PEEK[]"]) if whole else {}
    messages: list[FetchedMessage] = []
    for uid in uids:
        if uid in whole:
            if uid in fetched:  # absent: expunged by someone else meanwhile
                messages.append(
                    FetchedMessage(uidvalidity, uid, bytes(fetched[uid].get(b"BODY[]") or b""))
                )
            continue
        partial = _fetch_by_part(client, uidvalidity, uid, sizes[uid], limits)
        if partial is not None:
            messages.append(partial)
    return messages


def _fetch_by_part(
    client: IMAPClient, uidvalidity: int, uid: int, size: int, limits: FetchLimits
) -> FetchedMessage | None:
    """An oversized message rebuilt from its header, text and what else fits the limit."""
    head = client.fetch([uid], ["BODYSTRUCTURE", "BODY.PEEK[HEADER]"]).get(uid)
    if head is None:
        return None
    header = bytes(head.get(b"BODY[HEADER]") or b"")
    try:
        plan = oversize.plan_parts(
            head.get(b"BODYSTRUCTURE"), limits.message_bytes, limits.attachment_bytes
        )
    except (TypeError, ValueError, IndexError, AttributeError) as exc:
        # A structure we cannot read must not stop the mailbox: the letter from its header.
        log.warning("UID %s: unreadable BODYSTRUCTURE (%s); taking its header only", uid, exc)
        raw, omitted = oversize.header_only(header, size)
        return FetchedMessage(uidvalidity, uid, raw, omitted, size)
    items = plan.fetch_items
    parts = client.fetch([uid], items).get(uid, {}) if items else {}
    raw = oversize.assemble(header, plan, parts, size)
    log.info(
        "UID %s: %s bytes, over the limit; fetched by part, %s part(s) left on the server",
        uid,
        size,
        len(plan.omitted),
    )
    return FetchedMessage(uidvalidity, uid, raw, plan.omitted, size)


def idle_watch(
    src: SourceSection,
    password: str,
    on_activity: Callable[[], None],
    stop: threading.Event,
    *,
    idle_seconds: int = 240,
    max_backoff: float = 60,
) -> None:
    """Wait in IDLE and call `on_activity` when the inbox changes; reconnect with back-off.

    Returns when `stop` is set. Servers without IDLE make this return at once (polling covers).
    """
    backoff = 1.0
    while not stop.is_set():
        try:
            with session(src, password) as client:
                if not client.has_capability("IDLE"):
                    log.info("%s: server has no IDLE; relying on polling", src.name)
                    return
                client.select_folder(src.folder, readonly=True)
                if backoff > 1.0:  # after a lost connection: say that it is back
                    log_event("reconnected", source=src.name)
                backoff = 1.0
                on_activity()
                while not stop.is_set():
                    client.idle()
                    try:
                        responses = client.idle_check(timeout=min(idle_seconds, 15))
                    finally:
                        client.idle_done()
                    if any(len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses):
                        on_activity()
        except (SourceUnavailable, IMAPClientError, OSError, ssl.SSLError) as exc:
            log.warning(
                "%s: IDLE connection lost (%s); reconnecting in %.0fs", src.name, exc, backoff
            )
            stop.wait(backoff)
            backoff = min(max_backoff, backoff * 2)
