"""The notifier interface and what it shares: one error type, a cached access token, JSON I/O.

A notifier sends one text to one recipient id or raises `NotifyError`, which says whether a
later attempt may succeed (rate limit, server down) and how long to wait.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

import httpx


class NotifyError(Exception):
    """A message that did not go out: `retryable` (and after how many seconds) or final."""

    def __init__(self, message: str, *, retryable: bool, retry_after: float | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


class Notifier(Protocol):
    """Sends a short text to one recipient of its channel (企业微信/钉钉 user id, webhook id)."""

    channel: str

    def send(self, recipient: str, text: str) -> None:
        """Deliver `text` to `recipient` or raise `NotifyError`."""


class TokenCache:
    """An access token (企业微信/钉钉 access_token) fetched on demand and kept until shortly
    before it expires (7200 s), or until the platform says it expired (`invalidate`)."""

    MARGIN = timedelta(seconds=120)

    def __init__(
        self, fetch: Callable[[], tuple[str, float]], clock: Callable[[], datetime]
    ) -> None:
        self._fetch = fetch
        self._clock = clock
        self._token: str | None = None
        self._expires_at: datetime | None = None
        self._lock = threading.Lock()

    def get(self) -> str:
        """The current token, fetched again when missing or about to expire."""
        with self._lock:
            now = self._clock()
            if self._token is None or self._expires_at is None or now >= self._expires_at:
                token, expires_in = self._fetch()
                self._token = token
                self._expires_at = now + timedelta(seconds=expires_in) - self.MARGIN
            return self._token

    def invalidate(self) -> None:
        """Forget the token (the platform said it expired or is invalid)."""
        with self._lock:
            self._token = None


def call_json(
    client: httpx.Client, method: str, url: str, *, what: str, **kwargs: Any
) -> dict[str, Any]:
    """One HTTP call returning a JSON object; transport failures and 5xx are retryable."""
    try:
        response = client.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        raise NotifyError(f"{what}: {type(exc).__name__}: {exc}", retryable=True) from exc
    if response.status_code == 429 or response.status_code >= 500:
        raise NotifyError(
            f"{what}: HTTP {response.status_code}",
            retryable=True,
            retry_after=retry_after(response),
        )
    if response.status_code >= 400:
        raise NotifyError(f"{what}: HTTP {response.status_code}", retryable=False)
    try:
        data = response.json()
    except ValueError as exc:
        raise NotifyError(f"{what}: not JSON", retryable=True) from exc
    if not isinstance(data, dict):
        raise NotifyError(f"{what}: not a JSON object", retryable=True)
    return data


def retry_after(response: httpx.Response) -> float | None:
    """The seconds of a `Retry-After` header, if it gives a number."""
    value = response.headers.get("retry-after", "")
    return float(value) if value.strip().isdigit() else None
