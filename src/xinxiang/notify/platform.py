"""What 企业微信 and 钉钉 share: an access token from `gettoken`, then a send call whose `errcode`
says sent, token expired (fetch once more), rate limited (back off) or refused (a clear error).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from xinxiang.notify.base import NotifyError, TokenCache, call_json


@dataclass(frozen=True)
class Errcodes:
    """A platform's error codes by meaning."""

    token_expired: frozenset[int]
    rate_limited: frozenset[int]
    rate_limit_seconds: float = 60.0


class PlatformNotifier:
    """A token-based messaging platform; subclasses name the endpoints and the payload."""

    channel = ""
    codes: Errcodes
    token_path = ""
    send_path = ""

    def __init__(
        self,
        settings: Any,
        secret: str,
        client: httpx.Client,
        clock: Callable[[], datetime],
    ) -> None:
        self.settings = settings
        self.secret = secret
        self.client = client
        self.tokens = TokenCache(self._fetch_token, clock)

    def token_params(self) -> dict[str, str]:
        """The query of the `gettoken` call (ids and the secret)."""
        raise NotImplementedError

    def payload(self, recipient: str, text: str) -> dict[str, Any]:
        """The JSON body that sends `text` to `recipient`."""
        raise NotImplementedError

    def _fetch_token(self) -> tuple[str, float]:
        data = call_json(
            self.client,
            "GET",
            f"{self.settings.base_url}{self.token_path}",
            what=f"{self.channel} gettoken",
            params=self.token_params(),
        )
        code = int(data.get("errcode", 0))
        if code != 0 or not data.get("access_token"):
            # A wrong corp id or secret will not heal by itself; a busy platform will.
            raise NotifyError(
                f"{self.channel} gettoken: errcode {code}: {data.get('errmsg', '')}",
                retryable=code in self.codes.rate_limited or code == -1,
            )
        return str(data["access_token"]), float(data.get("expires_in", 7200))

    def _post(self, token: str, recipient: str, text: str) -> dict[str, Any]:
        return call_json(
            self.client,
            "POST",
            f"{self.settings.base_url}{self.send_path}",
            what=f"{self.channel} send",
            params={"access_token": token},
            json=self.payload(recipient, text),
        )

    def send(self, recipient: str, text: str) -> None:
        """Send; a token the platform calls expired is fetched again, once."""
        for attempt in range(2):
            data = self._post(self.tokens.get(), recipient, text)
            code = int(data.get("errcode", 0))
            if code == 0:
                return
            msg = f"{self.channel} send: errcode {code}: {data.get('errmsg', '')}"
            if code in self.codes.token_expired:
                self.tokens.invalidate()
                if attempt == 0:
                    continue
                raise NotifyError(msg, retryable=True)
            if code in self.codes.rate_limited or code == -1:
                raise NotifyError(msg, retryable=True, retry_after=self.codes.rate_limit_seconds)
            raise NotifyError(msg, retryable=False)
