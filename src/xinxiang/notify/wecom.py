"""企业微信 application messages (应用消息): `cgi-bin/gettoken`, then `cgi-bin/message/send`.

Tokens live 7200 s; errcode 42001 (expired) or 40014 (invalid) fetches one again, once; 45009
(API frequency) and 45033 (too many messages to one member, such as 30 a minute) back off.
"""

from __future__ import annotations

from typing import Any

from xinxiang.config import WecomChannel
from xinxiang.notify.platform import Errcodes, PlatformNotifier


class WecomNotifier(PlatformNotifier):
    """Sends text application messages to 企业微信 user ids."""

    channel = "wecom"
    codes = Errcodes(
        token_expired=frozenset({42001, 40014, 41001}),
        rate_limited=frozenset({45009, 45033, 45047}),
    )
    token_path = "/cgi-bin/gettoken"
    send_path = "/cgi-bin/message/send"
    settings: WecomChannel

    def token_params(self) -> dict[str, str]:
        """Corp id and the application's secret."""
        return {"corpid": self.settings.corp_id, "corpsecret": self.secret}

    def payload(self, recipient: str, text: str) -> dict[str, Any]:
        """A text message from our application (agent) to one member."""
        return {
            "touser": recipient,
            "msgtype": "text",
            "agentid": self.settings.agent_id,
            "text": {"content": text},
            "safe": 0,
        }
