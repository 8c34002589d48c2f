"""钉钉 work notices (工作通知): `gettoken`, then `topapi/message/corpconversation/asyncsend_v2`.

Tokens live 7200 s; errcode 40014/42001/88 (invalid or expired token) fetches one again, once;
90018/90002/143103 (sending too fast, too many to one person) and -1 (系统繁忙) back off.
"""

from __future__ import annotations

from typing import Any

from xinxiang.config import DingtalkChannel
from xinxiang.notify.platform import Errcodes, PlatformNotifier


class DingtalkNotifier(PlatformNotifier):
    """Sends text work notices to 钉钉 user ids."""

    channel = "dingtalk"
    codes = Errcodes(
        token_expired=frozenset({40014, 42001, 88}),
        rate_limited=frozenset({90018, 90002, 143103}),
    )
    token_path = "/gettoken"
    send_path = "/topapi/message/corpconversation/asyncsend_v2"
    settings: DingtalkChannel

    def token_params(self) -> dict[str, str]:
        """App key and app secret."""
        return {"appkey": self.settings.app_key, "appsecret": self.secret}

    def payload(self, recipient: str, text: str) -> dict[str, Any]:
        """A text work notice from our application (agent) to one user."""
        return {
            "agent_id": self.settings.agent_id,
            "userid_list": recipient,
            "msg": {"msgtype": "text", "text": {"content": text}},
        }
