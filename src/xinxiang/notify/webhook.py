"""A generic webhook (通用回调): a JSON POST per message, signed with HMAC-SHA256 when a secret is
configured, so an SMS gateway or a chat bot behind it can tell our messages from forgeries.

Signature: `X-Xinxiang-Signature: sha256=<hex HMAC of "<timestamp>.<body>">` with the timestamp
in `X-Xinxiang-Timestamp` (seconds since the epoch), so a captured request cannot be replayed
later unnoticed. 2xx is sent; 429 and 5xx are retried; any other status is final.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import datetime

import httpx

from xinxiang.config import WebhookChannel
from xinxiang.notify.base import NotifyError, retry_after

SIGNATURE_HEADER = "X-Xinxiang-Signature"
TIMESTAMP_HEADER = "X-Xinxiang-Timestamp"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value for `body` sent at `timestamp`."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class WebhookNotifier:
    """POSTs `{"recipient": ..., "text": ...}` as JSON to the configured URL."""

    channel = "webhook"

    def __init__(
        self,
        settings: WebhookChannel,
        secret: str,
        client: httpx.Client,
        clock: Callable[[], datetime],
    ) -> None:
        self.settings = settings
        self.secret = secret
        self.client = client
        self.clock = clock

    def send(self, recipient: str, text: str) -> None:
        """POST one message; raise `NotifyError` unless the hook answers 2xx."""
        body = json.dumps({"recipient": recipient, "text": text}, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.secret:
            ts = str(int(self.clock().timestamp()))
            headers[TIMESTAMP_HEADER] = ts
            headers[SIGNATURE_HEADER] = signature(self.secret, ts, body)
        try:
            response = self.client.post(
                self.settings.url,
                content=body,
                headers=headers,
                timeout=self.settings.timeout_seconds,
            )
        except httpx.HTTPError as exc:
            raise NotifyError(f"webhook: {type(exc).__name__}: {exc}", retryable=True) from exc
        status = response.status_code
        if 200 <= status < 300:
            return
        raise NotifyError(
            f"webhook: HTTP {status}",
            retryable=status == 429 or status >= 500,
            retry_after=retry_after(response),
        )
