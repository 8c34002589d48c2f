"""钉钉 work notices (工作通知): `gettoken`, then `topapi/message/corpconversation/asyncsend_v2`.

Tokens live 7200 s; errcode 40014/42001/88 (invalid or expired token) fetches one again, once;
90018/90002/143103 (sending too fast, too many to one person) and -1 (系统繁忙) back off.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx

from xinxiang.config import DingtalkChannel
from xinxiang.notify.base import call_json
from xinxiang.notify.platform import Errcodes, PlatformNotifier


class DingtalkNotifier(PlatformNotifier):
    """Sends text work notices to 钉钉 user ids."""

    channel = "dingtalk"
    codes = Errcodes(
        token_expired=frozenset({40014, 42001, 88}),
        rate_limited=frozenset({90018, 90002, 143103}),
    )

    def __init__(
        self,
        settings: DingtalkChannel,
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
            f"{self.settings.base_url}/gettoken",
            what="dingtalk gettoken",
            params={"appkey": self.settings.app_key, "appsecret": self.secret},
        )

    def _post(self, token: str, recipient: str, text: str) -> dict[str, Any]:
        return call_json(
            self.client,
            "POST",
            f"{self.settings.base_url}/topapi/message/corpconversation/asyncsend_v2",
            what="dingtalk send",
            params={"access_token": token},
            json={
                "agent_id": self.settings.agent_id,
                "userid_list": recipient,
                "msg": {"msgtype": "text", "text": {"content": text}},
            },
        )
