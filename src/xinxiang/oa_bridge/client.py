"""HTTP client for the generic OA contract (`docs/oa-contract.md`).

Bearer token fetched lazily and refreshed before expiry or on a 401; 5xx, 429, timeouts and
connection failures retried with bounded exponential back-off and full jitter; any other 4xx
raised at once as `OaRequestError`, which callers park instead of retrying.

Every request goes to the configured OA origin (scheme, host, port) and nowhere else: a URL the
feed names (an attachment, a link) or a redirect that points at another origin is refused with
`OaOriginRefused` before anything is sent, so the bearer token cannot be lured away.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx
import orjson

from xinxiang.errors import XinxiangError


def retryable(status: int) -> bool:
    """Transient answers: overload, timeouts and server errors (501 Not Implemented is not)."""
    return status in (408, 429) or (status >= 500 and status != 501)


class OaError(XinxiangError):
    """Base class for OA bridge failures."""


class OaRequestError(OaError):
    """The OA refused a request (4xx, 501): retrying it unchanged will not help; it is parked."""

    def __init__(
        self,
        method: str,
        path: str,
        status: int,
        code: str,
        description: str,
        *,
        message: str | None = None,
    ) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.code = code
        self.description = description
        super().__init__(
            message or f"OA 拒绝请求 {method} {path}: HTTP {status} {code}: {description}"
        )


class OaOriginRefused(OaRequestError):
    """A URL (named by the feed, or a redirect) outside the OA's origin: nothing was sent to it.

    A kind of `OaRequestError` because the same URL will be refused again: callers park or
    record it rather than retry (an attachment becomes a recorded defect of its letter).
    """

    def __init__(self, method: str, url: str, reason: str) -> None:
        shown = url if len(url) <= 200 else url[:200] + "…"
        super().__init__(
            method,
            shown,
            0,
            "foreign_origin",
            reason,
            message=f"拒绝访问 OA 以外的地址 {method} {shown}: {reason}",
        )


Origin = tuple[str, bytes, int | None]
_DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_REDIRECTS = 5


def origin_of(url: httpx.URL) -> Origin:
    """(scheme, host as sent on the wire, port): IDN hosts in their punycode form, so a
    homoglyph is a different host, and default ports made explicit, so :443 is https."""
    return (url.scheme, url.raw_host.lower(), url.port or _DEFAULT_PORTS.get(url.scheme))


def same_origin_target(base: httpx.URL, url: str, *, method: str = "GET") -> httpx.URL:
    """The absolute URL a request for `url` goes to, or `OaOriginRefused`.

    A path (``/api/v1/…``, ``api/…``) is appended to the base URL, as httpx does. Anything
    naming a scheme, a host or user information — an absolute URL, a protocol-relative
    ``//host/…``, ``https://oa.example.edu.cn@evil.example/`` — is resolved as a browser would
    (RFC 3986) and must then be on the base URL's origin, with no user information at all
    (it only ever serves to disguise where a URL goes).
    """
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise OaOriginRefused(method, url, f"不是有效的地址: {exc}") from None
    if parsed.scheme or parsed.raw_host or parsed.userinfo or url.lstrip().startswith("//"):
        try:
            target = base.join(parsed)
        except (httpx.InvalidURL, ValueError) as exc:
            # e.g. "https:////https:https:": a port that is not a number once resolved
            raise OaOriginRefused(method, url, f"不是有效的地址: {exc}") from None
    else:
        target = base.copy_with(
            raw_path=base.raw_path.rstrip(b"/") + b"/" + parsed.raw_path.lstrip(b"/")
        )
    if target.userinfo:
        raise OaOriginRefused(method, url, "地址中含有用户信息（user@host），不予访问")
    if origin_of(target) != origin_of(base):
        scheme, host, port = origin_of(target)
        raise OaOriginRefused(
            method,
            url,
            f"目标 {scheme}://{host.decode('ascii', 'replace')}:{port} 不是所配置的 OA "
            f"({base.scheme}://{base.host}:{origin_of(base)[2]})，未访问（令牌只发往该 OA）",
        )
    return target


class OaUnavailable(OaError):
    """The OA did not answer usefully after every retry (down, overloaded, timing out)."""


def backoff_delay(attempt: int, base: float, cap: float, u: float) -> float:
    """Full-jitter back-off: a uniform share `u` ∈ [0, 1) of min(cap, base·2^attempt)."""
    return float(u * min(cap, base * 2.0 ** min(attempt, 62)))


def decode_json(resp: httpx.Response, method: str, path: str) -> Any:
    """The body as JSON: orjson for the usual UTF-8 body (a pull decodes every page, and the
    standard decoder is twice as slow), httpx's charset-aware decoder for anything else."""
    try:
        return orjson.loads(resp.content)
    except orjson.JSONDecodeError:
        pass
    try:
        return resp.json()
    except ValueError as exc:
        raise OaRequestError(method, path, resp.status_code, "bad_json", str(exc)) from exc


def _errors(resp: httpx.Response) -> tuple[str, str]:
    try:
        data = resp.json()
        first = data["errors"][0]
        return str(first.get("code", "")), str(first.get("description", ""))
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return f"http_{resp.status_code}", resp.text[:200]


class OaClient:
    """A synchronous client for one OA; not thread-safe (one per worker)."""

    def __init__(
        self,
        base_url: str,
        app_id: str,
        secret: str,
        *,
        timeout: float = 10.0,
        max_attempts: int = 8,
        backoff_base: float = 0.5,
        backoff_cap: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._app_id = app_id
        self._secret = secret
        self._max_attempts = max_attempts
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._sleep = sleep
        self._jitter = jitter
        self._clock = clock
        self._token: str | None = None
        self._token_deadline = 0.0
        self.retries = 0
        self.token_refreshes = 0
        self._base = httpx.URL(self.base_url + "/")
        # Redirects are followed by `request` itself, only within the OA's origin: httpx would
        # follow them to any host (dropping Authorization there, but still fetching whatever
        # the OA points at, and keeping the token on an http→https move to another origin).
        self._http = httpx.Client(
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
            headers={"Accept": "application/json", "User-Agent": "xinxiang-oa-bridge/1"},
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> OaClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _fetch_token(self) -> str:
        resp = self.request(
            "POST",
            "/api/v1/token",
            json={"app_id": self._app_id, "secret": self._secret},
            auth=False,
        )
        if resp.status_code != 200:
            code, desc = _errors(resp)
            raise OaRequestError("POST", "/api/v1/token", resp.status_code, code, desc)
        data = resp.json()
        token, expires_in = data.get("token"), data.get("expires_in")
        if not isinstance(token, str) or not isinstance(expires_in, int | float):
            raise OaRequestError(
                "POST", "/api/v1/token", 200, "bad_response", "no token/expires_in"
            )
        # Refresh a little early so a token never expires in flight.
        self._token = token
        self._token_deadline = self._clock() + max(0.0, float(expires_in) * 0.9 - 1.0)
        self.token_refreshes += 1
        return token

    def _bearer(self) -> str:
        if self._token is None or self._clock() >= self._token_deadline:
            return self._fetch_token()
        return self._token

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        auth: bool = True,
    ) -> httpx.Response:
        """A call (bearer-authenticated unless `auth` is False), retried on transient failures;
        the first non-retryable answer, body not yet decoded (`decode_json`), or an `OaError`.

        `path` is a path under the base URL or an absolute URL on the OA's origin; anything
        else, and any redirect off the origin, raises `OaOriginRefused` with nothing sent.
        """
        target = same_origin_target(self._base, path, method=method)
        attempt = 0
        redirects = 0
        refreshed = False
        while True:
            hdrs = dict(headers or {})
            if auth:
                hdrs["Authorization"] = f"Bearer {self._bearer()}"
            try:
                resp = self._http.request(method, target, params=params, json=json, headers=hdrs)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                failure = f"{type(exc).__name__}: {exc}"
            else:
                if resp.is_redirect:
                    target = self._redirect(method, path, resp, redirects)
                    redirects += 1
                    params = None  # the Location carries the whole query
                    continue
                if resp.status_code == 401 and auth:
                    # An expired or revoked token: fetch a new one, the first time without
                    # counting a retry. A fresh token refused again (an OA expiring tokens
                    # early, clocks racing) is retried with back-off like a 5xx; bad
                    # credentials fail at the token endpoint, which raises at once.
                    self._token = None
                    if not refreshed:
                        refreshed = True
                        continue
                elif not retryable(resp.status_code):
                    if resp.status_code >= 400:
                        code, desc = _errors(resp)
                        raise OaRequestError(method, path, resp.status_code, code, desc)
                    return resp
                failure = f"HTTP {resp.status_code}"
            attempt += 1
            if attempt >= self._max_attempts:
                raise OaUnavailable(
                    f"OA 不可用: {method} {path} 重试 {attempt} 次后仍失败 ({failure})"
                )
            self.retries += 1
            self._sleep(
                backoff_delay(attempt - 1, self._backoff_base, self._backoff_cap, self._jitter())
            )

    def _redirect(self, method: str, path: str, resp: httpx.Response, hops: int) -> httpx.URL:
        """Where a redirect leads, if it may be followed: GET only (a POST is never replayed
        elsewhere), at most `MAX_REDIRECTS` hops, and on the OA's origin only."""
        if method != "GET":
            raise OaRequestError(
                method, path, resp.status_code, "redirect", "OA 对非 GET 请求返回重定向，未跟随"
            )
        if hops >= MAX_REDIRECTS:
            raise OaRequestError(
                method, path, resp.status_code, "redirect", f"重定向超过 {MAX_REDIRECTS} 次"
            )
        location = str(resp.request.url.join(resp.headers["Location"]))
        return same_origin_target(self._base, location, method=method)

    def get_bytes(self, url: str) -> bytes:
        """Download an attachment: a path under the base URL or an absolute URL on the OA's
        origin, with the bearer token. An attachment elsewhere is refused (`OaOriginRefused`),
        not fetched without the token: the feed alone would then decide what our server
        fetches inside the campus network (and files as a citizen's attachment), and an OA
        that keeps files on another server serves them under its own API per the contract."""
        return self.request("GET", url).content
