"""企业微信 application messages (应用消息): `cgi-bin/gettoken`, then `cgi-bin/message/send`.

Tokens live 7200 s; errcode 42001 (expired) or 40014 (invalid) fetches one again, once; 45009
(API frequency) and 45033 (too many messages to one member, such as 30 a minute) back off.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx

from xinxiang.config import WecomChannel
from xinxiang.notify.base import call_json
from xinxiang.notify.platform import Errcodes, PlatformNotifier


class WecomNotifier(PlatformNotifier):
    """Sends text application messages to 企业微信 user ids."""

    channel = "wecom"
    codes = Errcodes(
        token_expired=frozenset({42001, 40014, 41001}),
        rate_limited=frozenset({45009, 45033, 45047}),
    )

    def __init__(
        self,
        settings: WecomChannel,
        secret: str,
        client: httpx.Client,
        clock: Callable[[], datetime],
    ) -> None:
        super().__init__(client, clock)
        self.settings = settings
        self.secret = secret

    def _gettoken(self) -> dict[str, Any]:
        return call_json(
            self.client,
            "GET",
            f"{self.settings.base_url}/cgi-bin/gettoken",
            what="wecom gettoken",
            params={"corpid": self.settings.corp_id, "corpsecret": self.secret},
        )

    def _post(self, token: str, recipient: str, text: str) -> dict[str, Any]:
        return call_json(
            self.client,
            "POST",
            f"{self.settings.base_url}/cgi-bin/message/send",
            what="wecom send",
            params={"access_token": token},
            json={
                "touser": recipient,
                "msgtype": "text",
                "agentid": self.settings.agent_id,
                "text": {"content": text},
                "safe": 0,
            },
        )
