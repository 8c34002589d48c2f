"""Pluggable OA adapters: the sync logic talks to `OaAdapter`, never to HTTP or vendor JSON.

An adapter answers one question for pulls — "the next petitions strictly after this key, in
(updated_at, petition_id) order" — and one for pushes — "record this update under this
idempotency key". A vendor adapter (e.g. 泛微 e-cology's workflow API) registers a factory under
its name and is chosen by `oa.adapter` in `oa.toml`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import quote

from xinxiang.oa_bridge.client import OaClient, decode_json
from xinxiang.oa_bridge.config import OaSettings
from xinxiang.oa_bridge.mapping import (
    MappingError,
    Petition,
    PetitionAttachment,
    PetitionKey,
    RejectedItem,
    parse_time,
    petition_from_json,
    rejected_from_json,
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
PETITIONS = "/api/v1/petitions"


Entry = Petition | RejectedItem


def entry_key(entry: Entry) -> PetitionKey | None:
    """An entry's position in the feed (None for an item whose `updated_at` is unreadable)."""
    if isinstance(entry, Petition):
        return entry.key
    if entry.updated_at is None:
        return None
    return PetitionKey(entry.updated_at, entry.petition_id)


class Page:
    """One batch of the change feed: mapped petitions and rejected items, in feed order.

    `last_key`, `total` and `exhausted` are known when the page arrives; the entries of a
    *deferred* page are mapped on first access, in the accessing thread. The sync engine's
    prefetch thread receives pages ahead (it needs only where each page ends to ask for the
    next) while the storing thread maps and stores them: mapping in the prefetch thread would
    hold the GIL against the storing thread, whose database driver releases and re-takes it on
    every row and waits each time.
    """

    __slots__ = ("_decode", "_entries", "_last_key", "exhausted", "total")

    def __init__(self, entries: tuple[Entry, ...], total: int | None, exhausted: bool) -> None:
        self._entries: tuple[Entry, ...] | None = entries
        self._decode: Callable[[], tuple[Entry, ...]] | None = None
        self.total = total
        self.exhausted = exhausted
        keys = [k for k in map(entry_key, entries) if k is not None]
        self._last_key: PetitionKey | None = max(keys) if keys else None

    @classmethod
    def deferred(
        cls,
        decode: Callable[[], tuple[Entry, ...]],
        *,
        total: int | None,
        exhausted: bool,
        last_key: PetitionKey | None,
    ) -> Page:
        """A page whose entries `decode` produces on first access; `last_key` must be the
        highest key among them."""
        page = cls((), total, exhausted)
        page._entries, page._decode, page._last_key = None, decode, last_key
        return page

    @property
    def entries(self) -> tuple[Entry, ...]:
        """Mapped petitions and rejected items, in feed order."""
        if self._entries is None:
            assert self._decode is not None
            self._entries, self._decode = self._decode(), None
        return self._entries

    @property
    def last_key(self) -> PetitionKey | None:
        """The highest key on the page (None when no entry has one): where the next page starts."""
        return self._last_key


@dataclass(frozen=True, slots=True)
class PushAck:
    """The OA's acknowledgement of an update."""

    update_id: str
    replayed: bool
    raw: Mapping[str, Any]


class OaAdapter(Protocol):
    """What the sync logic needs from an OA."""

    name: str

    def fetch_after(self, after: PetitionKey | None, limit: int) -> Page:
        """Up to `limit` items with key > `after` (all when None), ascending by key.

        Duplicates and already-seen items are tolerated: the caller drops keys ≤ its cursor.
        """
        ...

    def push_update(
        self, petition_id: str, idempotency_key: str, payload: Mapping[str, Any]
    ) -> PushAck:
        """Record one update; repeating the same key must not record it twice."""
        ...

    def fetch_attachment(self, attachment: PetitionAttachment) -> bytes:
        """The bytes of one attachment."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


class GenericRestAdapter:
    """The adapter for the generic REST/JSON contract (`docs/oa-contract.md`)."""

    name = "generic-rest"

    def __init__(self, client: OaClient, settings: OaSettings) -> None:
        self.client = client
        self.settings = settings

    def close(self) -> None:
        """Close the HTTP client."""
        self.client.close()

    def _map(self, items: list[Any]) -> list[Petition | RejectedItem]:
        out: list[Petition | RejectedItem] = []
        for obj in items:
            try:
                out.append(petition_from_json(obj, self.settings))
            except MappingError as exc:
                out.append(rejected_from_json(obj, self.settings, str(exc)))
        return out

    def _last_key(self, items: list[Any]) -> PetitionKey | None:
        """The highest key among raw items, read without mapping them (the same key that
        `petition_from_json` or `rejected_from_json` will give each)."""
        f = self.settings.fields
        last = None
        for obj in items:
            if not isinstance(obj, Mapping):
                continue
            try:
                updated = parse_time(obj.get(f.updated_at), f.updated_at)
            except MappingError:
                continue
            pid = obj.get(f.petition_id)
            key = PetitionKey(updated, "" if pid is None else str(pid))
            if last is None or key > last:
                last = key
        return last

    def _items(self, data: Any) -> tuple[list[Any], int | None]:
        items = data.get("items") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise MappingError("petitions page without an items list")
        total = data.get("total")
        return items, total if isinstance(total, int) else None

    def _get(self, params: dict[str, str | int]) -> tuple[list[Any], int | None]:
        resp = self.client.request("GET", PETITIONS, params=params)
        return self._items(decode_json(resp, "GET", PETITIONS))

    def fetch_after(self, after: PetitionKey | None, limit: int) -> Page:
        """Keyset mode sends `after_id`; requery mode re-asks page 1 from the last timestamp."""
        since = (after.updated_at if after else EPOCH).isoformat()
        if self.settings.oa.paging == "keyset":
            params: dict[str, str | int] = {"updated_since": since, "page": 1, "page_size": limit}
            if after is not None:
                params["after_id"] = after.petition_id
            items, total = self._items(
                decode_json(self.client.request("GET", PETITIONS, params=params), "GET", PETITIONS)
            )
            return Page.deferred(
                lambda: tuple(self._map(items)),
                total=total,
                exhausted=len(items) < limit,
                last_key=self._last_key(items),
            )
        # Requery: `updated_since` is inclusive, so page 1 from the last timestamp repeats the
        # tie group; items ≤ `after` are filtered here. Only a tie group longer than a page needs
        # page 2, 3, … of the same query.
        page = 1
        while True:
            items, total = self._get({"updated_since": since, "page": page, "page_size": limit})
            mapped = self._map(items)
            fresh = [e for e in mapped if after is None or (entry_key(e) or after) > after]
            if fresh or len(items) < limit:
                return Page(tuple(fresh), total, len(items) < limit)
            page += 1

    def push_update(
        self, petition_id: str, idempotency_key: str, payload: Mapping[str, Any]
    ) -> PushAck:
        """POST the update with its idempotency key."""
        path = f"/api/v1/petitions/{quote(petition_id, safe='')}/updates"
        resp = self.client.request(
            "POST", path, json=dict(payload), headers={"Idempotency-Key": idempotency_key}
        )
        data = decode_json(resp, "POST", path)
        if not isinstance(data, dict):
            data = {}
        return PushAck(str(data.get("update_id", "")), bool(data.get("replayed", False)), data)

    def fetch_attachment(self, attachment: PetitionAttachment) -> bytes:
        """GET the attachment URL with the same bearer token."""
        return self.client.get_bytes(attachment.url)


AdapterFactory = Callable[[OaSettings, str, Mapping[str, Any]], OaAdapter]

_REGISTRY: dict[str, AdapterFactory] = {}


def register_adapter(name: str, factory: AdapterFactory) -> None:
    """Make an adapter selectable as `oa.adapter = "<name>"`."""
    _REGISTRY[name] = factory


def adapter_names() -> tuple[str, ...]:
    """Registered adapter names."""
    return tuple(sorted(_REGISTRY))


def make_adapter(settings: OaSettings, secret: str, **client_options: Any) -> OaAdapter:
    """Build the adapter named in `oa.adapter`; `client_options` override `OaClient` arguments."""
    factory = _REGISTRY.get(settings.oa.adapter)
    if factory is None:
        raise KeyError(
            f"unknown OA adapter {settings.oa.adapter!r}; known: {', '.join(adapter_names())}"
        )
    return factory(settings, secret, client_options)


def _generic(settings: OaSettings, secret: str, options: Mapping[str, Any]) -> OaAdapter:
    oa = settings.oa
    kwargs: dict[str, Any] = {
        "timeout": oa.timeout_seconds,
        "max_attempts": oa.max_attempts,
        "backoff_base": oa.backoff_base_seconds,
        "backoff_cap": oa.backoff_cap_seconds,
    }
    kwargs.update(options)
    return GenericRestAdapter(OaClient(oa.base_url, oa.app_id, secret, **kwargs), settings)


register_adapter("generic-rest", _generic)


def overlap_start(cursor: PetitionKey | None, overlap: timedelta) -> PetitionKey | None:
    """Where an incremental pull starts: the cursor, moved back by the safety overlap if any."""
    if cursor is None or not overlap:
        return cursor
    return PetitionKey(cursor.updated_at - overlap, "")
