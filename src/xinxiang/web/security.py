"""Web security at the edge: signed session cookies, CSRF on every POST, headers, rate limits.

Pure ASGI middleware, so it wraps every route alike:
- `SessionMiddleware` reads and writes one signed cookie (itsdangerous, HttpOnly,
  SameSite=Lax, Secure over https) carrying the account, its session epoch, the CSRF token and
  when the session began; a session older than its lifetime is dropped.
- `CsrfMiddleware` refuses (403) any POST whose `csrf_token` form field does not match the
  session's token: the pages put the token in a hidden field of every form.
- `HeadersMiddleware` adds the Content-Security-Policy (no inline script or style) and the usual
  security headers to every response, and `Cache-Control: no-store` to every page.
"""

from __future__ import annotations

import secrets
import time
from collections import deque
from collections.abc import Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "xinxiang_session"
CSRF_FIELD = "csrf_token"
MAX_FORM_BYTES = 64 * 1024  # forms without files are tiny; uploads get their own cap
VERIFIED_COOKIES = 4096  # signed session cookies remembered as verified (SessionMiddleware)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}


class SessionMiddleware:
    """Loads `scope["session"]` (a dict) from the signed cookie and writes it back when changed.

    `clock` gives epoch seconds; a session is valid for `max_age` seconds from its start.
    """

    def __init__(
        self, app: ASGIApp, *, secret: bytes, max_age: int, clock: Callable[[], float]
    ) -> None:
        self.app = app
        self.max_age = max_age
        self.clock = clock
        self.serializer = URLSafeTimedSerializer(secret, salt="xinxiang-web-session")
        # Cookies whose signature checked out, by their text: the same cookie comes back on
        # every request of a session, and its text alone decides what it says (its age is
        # checked each time below). Bounded; emptied when full.
        self._verified: dict[str, dict[str, Any]] = {}

    def _load(self, scope: Scope) -> dict[str, Any]:
        raw = ""
        for key, value in scope.get("headers", []):
            if key == b"cookie":
                jar: SimpleCookie = SimpleCookie()
                try:
                    jar.load(value.decode("latin-1"))
                except Exception:  # a malformed Cookie header is simply no session
                    continue
                if COOKIE in jar:
                    raw = jar[COOKIE].value
        if not raw:
            return {}
        data = self._verified.get(raw)
        if data is None:
            try:
                data = self.serializer.loads(raw)
            except BadSignature:
                return {}
            if not isinstance(data, dict):
                return {}
            if len(self._verified) >= VERIFIED_COOKIES:
                self._verified.clear()
            self._verified[raw] = data
        data = dict(data)  # the request's own copy: views change it
        started = data.get("started")
        if not isinstance(started, int | float) or self.clock() - started > self.max_age:
            return {}
        return data

    def _cookie(self, scope: Scope, session: dict[str, Any]) -> str:
        secure = "; Secure" if scope.get("scheme") == "https" else ""
        if not session:
            return f"{COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure}"
        value = self.serializer.dumps(session)
        return f"{COOKIE}={value}; Path=/; Max-Age={self.max_age}; HttpOnly; SameSite=Lax{secure}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        session = self._load(scope)
        if "started" not in session:
            session = {"started": int(self.clock()), "csrf": secrets.token_urlsafe(24)}
            changed = True
        else:
            changed = False
        before = dict(session)
        scope["session"] = session

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                current = scope["session"]
                if changed or current != before:
                    headers = MutableHeaders(scope=message)
                    headers.append("set-cookie", self._cookie(scope, current))
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def new_session(scope: MutableMapping[str, Any], clock: Callable[[], float], **values: Any) -> None:
    """Start a fresh session (new CSRF token, new start time) holding `values`: on login and
    logout, so a token or cookie seen before can never be carried across (session fixation)."""
    session = scope["session"]
    session.clear()
    session.update(started=int(clock()), csrf=secrets.token_urlsafe(24), **values)


class CsrfMiddleware:
    """403 for a POST without the session's CSRF token in its `csrf_token` form field.

    A body over `limit(path)` bytes (default `MAX_FORM_BYTES`; the upload forms get more) is
    refused with 413 before it is parsed. POSTs to the paths in `exempt` skip the token check
    (only the size cap applies): server-to-server endpoints no browser form posts to, such as
    the CAS server's back-channel logout, which does nothing but end sessions.
    """

    def __init__(
        self,
        app: ASGIApp,
        limit: Callable[[str], int] | None = None,
        exempt: frozenset[str] = frozenset(),
    ) -> None:
        self.app = app
        self.limit = limit or (lambda _path: MAX_FORM_BYTES)
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        body = bytearray()
        more = True
        cap = self.limit(scope["path"])
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > cap:
                await PlainTextResponse("请求过大", status_code=413)(scope, receive, send)
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        if scope["path"] in self.exempt:
            await self.app(scope, replay, send)
            return
        expected = scope.get("session", {}).get("csrf", "")
        form = await Request(scope, replay).form()
        given = form.get(CSRF_FIELD)
        if (
            not expected
            or not isinstance(given, str)
            or not secrets.compare_digest(given, expected)
        ):
            await PlainTextResponse("CSRF 校验失败，请刷新页面后重试", status_code=403)(
                scope, receive, send
            )
            return
        replayed = False
        await self.app(scope, replay, send)


class HeadersMiddleware:
    """The security headers on every response; pages are never cached."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in SECURITY_HEADERS.items():
                    headers[key] = value
                if scope.get("scheme") == "https":
                    headers["strict-transport-security"] = "max-age=31536000"
                if not is_static:
                    headers["cache-control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RateLimiter:
    """At most `limit` attempts per key within `window` seconds (sliding window, in memory).

    Per process: behind several workers each counts for itself, which still bounds guessing;
    the account lockout, kept in the database, is the limit that holds across processes.
    """

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.time) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._hits: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        while hits and now - hits[0] > self.window:
            hits.popleft()
        return hits

    def allows(self, key: str) -> bool:
        """Whether one more attempt for `key` is within the limit (counts nothing)."""
        return len(self._recent(key, self.clock())) < self.limit

    def hit(self, key: str) -> bool:
        """Count one attempt for `key`; False when over the limit (the attempt is refused)."""
        now = self.clock()
        hits = self._recent(key, now)
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        if len(self._hits) > 10_000:  # forget idle keys so memory stays bounded
            for k in [k for k, v in self._hits.items() if not v or now - v[-1] > self.window]:
                del self._hits[k]
        return True


def client_ip(request: Request) -> str:
    """The client's address as the server saw it (uvicorn --proxy-headers fixes it behind nginx)."""
    return request.client.host if request.client else ""


def safe_next(target: str | None, default: str) -> str:
    """Where to go after login: only a relative path on this site, never another host."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if any(c in target for c in "\\\r\n\t") or ":" in target.split("?", 1)[0]:
        return default
    return target
