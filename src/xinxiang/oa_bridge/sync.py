"""Two-way sync with the OA: pull petitions by change-feed cursor, push our updates in order.

Both directions are written against small Protocols (`PetitionSink`, `CursorStore`, `OaOutbox`)
so the main store can implement them; `localstore.LocalOaStore` is a self-contained SQLite one.

Pull is at-least-once and idempotent: the cursor is saved only after a page's petitions were
handed to the sink, and the sink turns a repeated (petition_id, updated_at) into 'unchanged'.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol, cast

from xinxiang.oa_bridge.adapters import OaAdapter, Page, entry_key, overlap_start
from xinxiang.oa_bridge.client import OaError, OaRequestError, OaUnavailable, backoff_delay
from xinxiang.oa_bridge.mapping import MappingError, Petition, PetitionKey, RejectedItem

UpsertOutcome = Literal["created", "updated", "unchanged"]


class PetitionSink(Protocol):
    """Where pulled petitions go (the main store: one ticket per petition_id)."""

    def upsert_petition(self, p: Petition) -> UpsertOutcome:
        """Create the ticket, update its letter (logged) if the content changed, or do nothing."""
        ...

    def park_petition(self, item: RejectedItem) -> None:
        """Keep an item that could not be mapped, with the reason, for the office to look at."""
        ...


class CursorStore(Protocol):
    """The pull cursor: the last (updated_at, petition_id) fully handed to the sink."""

    def get_cursor(self) -> PetitionKey | None:
        """The saved cursor, None before the first sync."""
        ...

    def set_cursor(self, key: PetitionKey) -> None:
        """Save the cursor durably, together with the petitions upserted before it."""
        ...


@dataclass(frozen=True, slots=True)
class PendingUpdate:
    """An unsent outbox entry, in the order it was written."""

    id: int
    petition_id: str
    idempotency_key: str
    payload: Mapping[str, Any]
    attempts: int
    next_attempt_at: datetime | None = None
    parked: bool = False


class OaOutbox(Protocol):
    """The OA outbox, written in the same transaction as the state change it reports."""

    def pending(self) -> Iterable[PendingUpdate]:
        """Every update not yet acknowledged (parked ones included, flagged), ascending by id."""
        ...

    def mark_sent(self, update_id: int, *, ack: Mapping[str, Any], now: datetime) -> None:
        """The OA acknowledged the update."""
        ...

    def mark_failed(
        self, update_id: int, *, error: str, next_attempt_at: datetime, now: datetime
    ) -> None:
        """A transient failure: count the attempt and retry no earlier than `next_attempt_at`."""
        ...

    def mark_parked(self, update_id: int, *, error: str, now: datetime) -> None:
        """The OA refused it (4xx): keep it, block later updates of the petition, needs a human."""
        ...


Progress = Callable[[int, int | None], None]


@dataclass(slots=True)
class PullResult:
    """What one pull did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    parked: int = 0
    pages: int = 0
    cursor: PetitionKey | None = None
    completed: bool = False
    error: str | None = None

    @property
    def received(self) -> int:
        """Petitions handed to the sink."""
        return self.created + self.updated + self.unchanged


def pull(
    adapter: OaAdapter,
    sink: PetitionSink,
    cursor_store: CursorStore,
    *,
    full: bool,
    progress: Progress | None = None,
    page_size: int = 500,
    overlap: timedelta = timedelta(0),
) -> PullResult:
    """Pull every petition changed after the stored cursor (or all of them when `full`).

    Stops at the end of the feed, or — keeping everything done so far — at the first OA failure
    (`completed` False, `error` set); the next call resumes from the saved cursor.
    """
    result = PullResult()
    stored = cursor_store.get_cursor()
    start = None if full else overlap_start(stored, overlap)
    cursor = start
    done = 0
    total: int | None = None
    feed = _PageFeed(adapter, start, page_size)
    try:
        for page in feed:
            result.pages += 1
            if total is None and page.total is not None:
                total = page.total
            advanced = False
            for entry in page.entries:
                key = entry_key(entry)
                if key is None or (cursor is not None and key <= cursor):
                    # A duplicate across pages, or a row the feed already delivered.
                    result.duplicates += 1
                    continue
                if isinstance(entry, Petition):
                    outcome = sink.upsert_petition(entry)
                    if outcome == "created":
                        result.created += 1
                    elif outcome == "updated":
                        result.updated += 1
                    else:
                        result.unchanged += 1
                else:
                    sink.park_petition(entry)
                    result.parked += 1
                cursor = key
                advanced = True
                done += 1
            if advanced and cursor is not None:
                cursor_store.set_cursor(cursor)
            if progress is not None:
                progress(done, total)
            if page.exhausted:
                result.completed = True
            elif not advanced:
                # A full page with nothing new would make us ask the same question forever
                # (the feed stops after such a page too).
                result.error = "OA 信访接口分页未前进（整页均为重复条目），已停止本次同步"
    except (OaError, MappingError) as exc:
        result.error = str(exc)
    finally:
        feed.close()
    result.cursor = cursor if cursor is not None else stored
    return result


_END = object()


class _PageFeed:
    """The change feed's pages, fetched ahead by one thread and handed over in order.

    The thread asks for the next page as soon as it knows where the current one ends, so the
    OA prepares pages while we store earlier ones; at most `depth` pages wait. Only this
    thread uses the adapter while the feed is open (one request in flight). A failure is
    handed over in its place, after the pages before it.
    """

    def __init__(
        self, adapter: OaAdapter, start: PetitionKey | None, page_size: int, depth: int = 2
    ) -> None:
        self._queue: queue.Queue[Page | BaseException | object] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(adapter, start, page_size), name="oa-prefetch", daemon=True
        )
        self._thread.start()

    def _run(self, adapter: OaAdapter, key: PetitionKey | None, page_size: int) -> None:
        try:
            while True:
                page = adapter.fetch_after(key, page_size)
                if not self._put(page):
                    return
                last = page.last_key
                if page.exhausted or last is None or (key is not None and last <= key):
                    break  # the end, or a page that does not advance (the reader reports it)
                key = last
        except BaseException as exc:  # handed to the reader, which raises it
            self._put(exc)
            return
        self._put(_END)

    def _put(self, item: Page | BaseException | object) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self) -> Iterator[Page]:
        while True:
            item = self._queue.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield cast(Page, item)

    def close(self) -> None:
        """Stop fetching; waits for a request in flight (its result is not needed)."""
        self._stop.set()
        self._thread.join()


@dataclass(slots=True)
class PushResult:
    """What one push run did."""

    sent: int = 0
    replayed: int = 0
    failed: int = 0
    parked: int = 0
    shunted: int = 0
    blocked: int = 0
    stopped: bool = False
    errors: list[str] = field(default_factory=list)


def default_push_backoff(attempts: int) -> timedelta:
    """Outbox retry delay after `attempts` failures: 30 s doubling, capped at one hour."""
    return timedelta(seconds=backoff_delay(attempts, 30.0, 3600.0, 1.0))


def push_pending(
    adapter: OaAdapter,
    outbox: OaOutbox,
    now: datetime,
    *,
    backoff: Callable[[int], timedelta] = default_push_backoff,
    limit: int | None = None,
    shunt: Callable[[PendingUpdate, Exception], object] | None = None,
) -> PushResult:
    """Push due outbox updates in order per petition.

    An update that is parked, failed, or not yet due blocks the later updates of its petition
    (the OA must see them in order). The run stops at the first `OaUnavailable`: the OA is down,
    so hammering it with the rest of the backlog would not help. Any other exception of one
    update goes to `shunt` (which sets it aside: `pending` then reports it parked) and the run
    goes on; without `shunt` it is raised.
    """
    result = PushResult()
    blocked: set[str] = set()
    for upd in outbox.pending():
        if (
            limit is not None
            and result.sent + result.failed + result.parked + result.shunted >= limit
        ):
            break
        if (
            upd.petition_id in blocked
            or upd.parked
            or (upd.next_attempt_at is not None and upd.next_attempt_at > now)
        ):
            blocked.add(upd.petition_id)
            result.blocked += 1
            continue
        try:
            ack = adapter.push_update(upd.petition_id, upd.idempotency_key, upd.payload)
        except OaRequestError as exc:
            outbox.mark_parked(upd.id, error=str(exc), now=now)
            blocked.add(upd.petition_id)
            result.parked += 1
            result.errors.append(f"{upd.petition_id}: {exc}")
            continue
        except OaUnavailable as exc:
            outbox.mark_failed(
                upd.id, error=str(exc), next_attempt_at=now + backoff(upd.attempts), now=now
            )
            result.failed += 1
            result.stopped = True
            result.errors.append(str(exc))
            break
        except Exception as exc:
            if shunt is None:
                raise
            shunt(upd, exc)
            blocked.add(upd.petition_id)
            result.shunted += 1
            result.errors.append(f"{upd.petition_id}: {exc}")
            continue
        outbox.mark_sent(upd.id, ack=dict(ack.raw), now=now)
        result.sent += 1
        result.replayed += ack.replayed
    return result
