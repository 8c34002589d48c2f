"""IMAP mail source (imapclient): UIDs only, BODY.PEEK[], UIDVALIDITY cursor, MOVE or flag, IDLE.

The order of operations is the "nothing is lost" contract: a message is moved out of the inbox
only after `handle` has committed it to the database (or to quarantine); nothing is deleted.
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

log = logging.getLogger(__name__)

PROCESSED_FLAG = "$XinxiangProcessed"


class SourceUnavailable(XinxiangError):
    """The mail server cannot be reached or refused us; the caller retries later."""


@dataclass(frozen=True, slots=True)
class FetchedMessage:
    """One message as fetched: where it is and its raw bytes."""

    uidvalidity: int
    uid: int
    raw: bytes


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
) -> ImapPassResult:
    """One pass: fetch new messages in batches, hand each to `handle`, then move the batch.

    `committed_upto(uidvalidity)` returns the highest UID already committed for that
    UIDVALIDITY (0 when the validity changed): such messages are only moved, not re-fetched.
    """
    processed = quarantined = moved_only = 0
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
                fetched = client.fetch(batch, ["BODY.PEEK[]"])
                messages = [
                    FetchedMessage(uidvalidity, uid, bytes(fetched[uid].get(b"BODY[]") or b""))
                    for uid in batch
                    if uid in fetched  # absent: expunged by someone else meanwhile
                ]
                del fetched
                # Prepare this batch while the previous one is committed and moved; each batch
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
