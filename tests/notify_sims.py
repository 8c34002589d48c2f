"""Local simulators of the third-party messaging APIs (企业微信, 钉钉, a webhook) on 127.0.0.1.

These systems are not ours, so the tests talk to small HTTP servers that behave like them: access
tokens that expire after 7200 s of the simulator's clock (the test moves it), a per-member rate
limit (企业微信: 30 messages a minute), error codes on demand. Every request is recorded.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Clock:
    """A clock the test moves by hand, shared by the simulator and the notifier."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@dataclass
class Sim:
    """Shared state of one simulator."""

    clock: Clock
    secret: str = "s3cret"
    token_ttl: int = 7200
    per_member_per_minute: int = 30
    token_fetches: int = 0
    tokens: dict[str, datetime] = field(default_factory=dict)
    sent: list[dict[str, Any]] = field(default_factory=list)
    force_errcode: list[int] = field(default_factory=list)
    """Errcodes to answer the next send calls with, in order."""
    force_status: list[int] = field(default_factory=list)
    requests: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)
    _window: dict[str, list[datetime]] = field(default_factory=lambda: defaultdict(list))

    def issue(self) -> dict[str, Any]:
        self.token_fetches += 1
        token = f"tok{self.token_fetches}"
        self.tokens[token] = self.clock() + timedelta(seconds=self.token_ttl)
        return {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": self.token_ttl}

    def token_error(self, token: str, invalid: int, expired: int) -> int:
        if token not in self.tokens:
            return invalid
        return expired if self.clock() >= self.tokens[token] else 0

    def deliver(
        self, q: dict[str, str], body: bytes, *, member: str, rate_code: int
    ) -> tuple[int, Any]:
        """A send call: 40014 unknown token, 42001 expired, forced codes, the per-member
        limit (`rate_code`), else recorded and errcode 0."""
        code = self.token_error(q.get("access_token", ""), 40014, 42001)
        if code:
            return 200, {"errcode": code, "errmsg": "access_token invalid or expired"}
        if self.force_errcode:
            return 200, {"errcode": self.force_errcode.pop(0), "errmsg": "forced"}
        msg = json.loads(body)
        if self.rate_limited(msg[member]):
            return 200, {"errcode": rate_code, "errmsg": "out of limit"}
        self.sent.append(msg)
        return 200, {"errcode": 0, "errmsg": "ok"}

    def rate_limited(self, member: str) -> bool:
        now = self.clock()
        window = [t for t in self._window[member] if now - t < timedelta(minutes=1)]
        self._window[member] = window
        if len(window) >= self.per_member_per_minute:
            return True
        window.append(now)
        return False


Route = Callable[[Sim, str, dict[str, str], bytes, dict[str, str]], tuple[int, Any]]


class SimServer:
    """An HTTP server on 127.0.0.1 answering with `route` (start/close)."""

    def __init__(self, sim: Sim, route: Route) -> None:
        self.sim = sim

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                sim.requests.append((parts.path, query, body))
                status, payload = route(sim, parts.path, query, body, headers)
                data = json.dumps(payload, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _handle

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def wecom_route(
    sim: Sim, path: str, q: dict[str, str], body: bytes, headers: dict[str, str]
) -> tuple[int, Any]:
    """企业微信: gettoken (40013 bad corp, 40001 bad secret) and message/send."""
    if path == "/cgi-bin/gettoken":
        if q.get("corpid") != "ww-corp":
            return 200, {"errcode": 40013, "errmsg": "invalid corpid"}
        if q.get("corpsecret") != sim.secret:
            return 200, {"errcode": 40001, "errmsg": "invalid credential"}
        return 200, sim.issue()
    if path == "/cgi-bin/message/send":
        return sim.deliver(q, body, member="touser", rate_code=45033)
    return 404, {"errcode": 404}


def dingtalk_route(
    sim: Sim, path: str, q: dict[str, str], body: bytes, headers: dict[str, str]
) -> tuple[int, Any]:
    """钉钉: gettoken (40089 bad key/secret) and corpconversation/asyncsend_v2."""
    if path == "/gettoken":
        if q.get("appkey") != "ding-key" or q.get("appsecret") != sim.secret:
            return 200, {"errcode": 40089, "errmsg": "不合法的corpid或corpsecret"}
        return 200, sim.issue()
    if path == "/topapi/message/corpconversation/asyncsend_v2":
        return sim.deliver(q, body, member="userid_list", rate_code=90018)
    return 404, {"errcode": 404}


def webhook_route(
    sim: Sim, path: str, q: dict[str, str], body: bytes, headers: dict[str, str]
) -> tuple[int, Any]:
    """A webhook that checks the HMAC signature (401 if wrong) and answers forced statuses."""
    ts = headers.get("x-xinxiang-timestamp", "")
    mac = hmac.new(sim.secret.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    if headers.get("x-xinxiang-signature") != "sha256=" + mac:
        return 401, {"error": "bad signature"}
    if sim.force_status:
        return sim.force_status.pop(0), {"error": "forced"}
    sim.sent.append(json.loads(body))
    return 200, {"ok": True}
