"""Reference OA 信访 server implementing `docs/oa-contract.md`, with fault injection.

Standard library only (`http.server` + `sqlite3`), so tests, the benchmark and `xinxiang demo`
can run a realistic OA on loopback. State lives in one SQLite file: stopping and starting a
simulator on the same file and port is an OA going down and coming back.

Faults (start-up and at runtime through `POST /admin/faults`): 5xx answers, 5xx after an update
was recorded (the lost-acknowledgement case), dropped connections, hung requests, slow pages,
an item repeated across pages, and tokens expiring early. `redirects` (path → Location) makes
authenticated GETs of a path answer 302, as an OA fronting a file server does. The admin endpoints
are unauthenticated and exist only in the simulator.

This module is the HTTP server (`OaSimulator`, its handler and routes); the state is in
`sim_store`, the fault settings in `sim_faults` and the seed vocabulary in `sim_catalogue`.
"""

from __future__ import annotations

import contextlib
import json
import random
import re
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import asdict, replace
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from xinxiang.oa_bridge.sim_faults import Faults
from xinxiang.oa_bridge.sim_store import SimulatorStore, api_error, to_us

MAX_PAGE_SIZE = 1000


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    sim: OaSimulator

    def __init__(self, address: tuple[str, int]) -> None:
        super().__init__(address, _Handler)
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._conns_lock:
            self._conns.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._conns_lock:
            self._conns.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Cut keep-alive connections too: a stopped OA must not keep answering on them."""
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


_UPDATES = re.compile(r"^/api/v1/petitions/([^/]+)/updates$")
_PETITION = re.compile(r"^/api/v1/petitions/([^/]+)$")
_ATTACHMENT = re.compile(r"^/api/v1/attachments/([0-9a-f]{64})$")
_EDIT = re.compile(r"^/admin/petitions/([^/]+)/edit$")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    _raw: bytes = b""
    # One segment per response and no Nagle: otherwise delayed ACKs cost 40 ms per request.
    wbufsize = -1
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def handle(self) -> None:
        # A client that timed out has closed its socket; that is the fault working, not a bug.
        with contextlib.suppress(ConnectionError, TimeoutError):
            super().handle()

    def _send_json(self, status: int, body: Any, headers: Mapping[str, str] | None = None) -> None:
        raw = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(raw)

    def _body(self) -> Any:
        raw = self._raw
        if not raw:
            return {}
        try:
            return json.loads(raw)
        except ValueError:
            return None

    def do_GET(self) -> None:
        self._raw = b""
        self.server.sim.dispatch(self, "GET")

    def do_POST(self) -> None:
        # Read the body before any fault fires, or it would be parsed as the next request.
        length = int(self.headers.get("Content-Length") or 0)
        self._raw = self.rfile.read(length) if length else b""
        self.server.sim.dispatch(self, "POST")


class OaSimulator:
    """A running (or stopped) simulated OA; start, stop and restart on the same port and file."""

    def __init__(
        self,
        db_path: Path | str,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        app_id: str = "xinxiang",
        secret: str = "simulator-secret",
        faults: Faults | None = None,
    ) -> None:
        self.db_path = Path(db_path)
        self.host = host
        self.port = port
        self.app_id = app_id
        self.secret = secret
        self.faults = faults or Faults()
        self._rng = random.Random(self.faults.seed)
        self._rng_lock = threading.Lock()
        self._requests = 0
        self.redirects: dict[str, str] = {}
        self.store: SimulatorStore | None = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Base URL of the API."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> OaSimulator:
        """Open the database and serve in a background thread."""
        self.store = SimulatorStore(self.db_path)
        server = _Server((self.host, self.port))
        server.sim = self
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"oa-sim-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the database (the OA goes down)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server.close_connections()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self.store is not None:
            self.store.close()
            self.store = None

    def restart(self) -> None:
        """Stop and start again on the same port and database file."""
        self.stop()
        self.start()

    def serve_forever(self) -> None:
        """Block until interrupted, starting first if needed (for `xinxiang oa simulate`)."""
        if self._server is None:
            self.start()
        try:
            while self._thread is not None and self._thread.is_alive():
                self._thread.join(0.5)
        finally:
            self.stop()

    def __enter__(self) -> OaSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def set_faults(self, faults: Faults) -> None:
        """Change fault injection at runtime."""
        self.faults = faults
        if faults.seed is not None:
            with self._rng_lock:
                self._rng = random.Random(faults.seed)

    def _roll(self, rate: float) -> bool:
        if rate <= 0:
            return False
        with self._rng_lock:
            return self._rng.random() < rate

    # Request handling -------------------------------------------------------------------------

    def dispatch(self, h: _Handler, method: str) -> None:
        """Route one request, injecting faults on the API (never on /admin)."""
        parts = urlsplit(h.path)
        path = parts.path
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if path.startswith("/admin/"):
            self._admin(h, method, path, query)
            return
        f = self.faults
        if self._roll(f.drop_rate):
            h.close_connection = True
            return
        if self._roll(f.hang_rate):
            time.sleep(f.hang_seconds)
        if self._roll(f.error_rate):
            h._send_json(503, api_error("unavailable", "OA 系统繁忙，请稍后重试"))
            return
        store = self.store
        if store is None:
            h.close_connection = True
            return
        if method == "POST" and path == "/api/v1/token":
            body = h._body()
            if (
                not isinstance(body, dict)
                or body.get("app_id") != self.app_id
                or body.get("secret") != self.secret
            ):
                h._send_json(401, api_error("invalid_client", "app_id 或 secret 错误"))
                return
            h._send_json(200, {"token": store.issue_token(f.token_ttl), "expires_in": f.token_ttl})
            return
        auth = h.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or not store.token_valid(auth[7:]):
            h._send_json(
                401, api_error("invalid_token", "令牌无效或已过期"), {"WWW-Authenticate": "Bearer"}
            )
            return
        with self._rng_lock:
            self._requests += 1
            expire = f.expire_every > 0 and self._requests % f.expire_every == 0
        if expire:
            store.expire_tokens()
            h._send_json(
                401, api_error("token_expired", "令牌已过期"), {"WWW-Authenticate": "Bearer"}
            )
            return
        if method == "GET" and path in self.redirects:
            h.send_response(302)
            h.send_header("Location", self.redirects[path])
            h.send_header("Content-Length", "0")
            h.end_headers()
        elif method == "GET" and path == "/api/v1/petitions":
            self._petitions(h, store, query)
        elif method == "POST" and (m := _UPDATES.match(path)):
            self._update(h, store, unquote(m.group(1)))
        elif method == "GET" and (m := _PETITION.match(path)):
            item = store.petition(unquote(m.group(1)))
            if item is None:
                h._send_json(404, api_error("not_found", "信访件不存在"))
            else:
                h._send_json(200, item)
        elif method == "GET" and (m := _ATTACHMENT.match(path)):
            blob = store.blob(m.group(1))
            if blob is None:
                h._send_json(404, api_error("not_found", "附件不存在"))
                return
            h.send_response(200)
            h.send_header("Content-Type", blob[0])
            h.send_header("Content-Length", str(len(blob[1])))
            h.end_headers()
            h.wfile.write(blob[1])
        else:
            h._send_json(404, api_error("not_found", f"无此接口 {method} {path}"))

    def _petitions(self, h: _Handler, store: SimulatorStore, q: dict[str, str]) -> None:
        try:
            since = datetime.fromisoformat(q.get("updated_since", "1970-01-01T00:00:00+00:00"))
            if since.utcoffset() is None:
                raise ValueError("no offset")
            page = int(q.get("page", "1"))
            size = int(q.get("page_size", "100"))
        except ValueError:
            h._send_json(
                400,
                api_error(
                    "invalid_parameter",
                    "updated_since 须为带时区的 ISO 8601 时间，page/page_size 须为整数",
                ),
            )
            return
        if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
            h._send_json(
                400, api_error("invalid_parameter", f"page ≥ 1，1 ≤ page_size ≤ {MAX_PAGE_SIZE}")
            )
            return
        if self.faults.slow_page_seconds > 0:
            time.sleep(self.faults.slow_page_seconds)
        after_id = q.get("after_id")
        items, total, prev = store.page(to_us(since), after_id, page, size)
        if prev is not None and items and self._roll(self.faults.duplicate_rate):
            # What offset paging does when rows shift: the previous page's last item shows again.
            items = [prev, *items]
            if after_id is not None and len(items) > size:
                items.pop()
        h._send_json(200, {"items": items, "page": page, "page_size": size, "total": total})

    def _update(self, h: _Handler, store: SimulatorStore, petition_id: str) -> None:
        key = h.headers.get("Idempotency-Key", "").strip()
        body = h._body()
        if not key or len(key) > 200:
            h._send_json(400, api_error("missing_idempotency_key", "缺少 Idempotency-Key 请求头"))
            return
        if not isinstance(body, dict):
            h._send_json(400, api_error("invalid_json", "请求体须为 JSON 对象"))
            return
        status, resp = store.record_update(petition_id, key, body)
        if status == 201 and self._roll(self.faults.error_after_commit_rate):
            h._send_json(500, api_error("internal", "处理结果未能返回"))
            return
        h._send_json(status, resp)

    def _admin(self, h: _Handler, method: str, path: str, q: dict[str, str]) -> None:
        store = self.store
        if store is None:
            h.close_connection = True
            return
        if path == "/admin/faults":
            if method == "POST":
                body = h._body()
                if not isinstance(body, dict):
                    h._send_json(400, api_error("invalid_json", "请求体须为 JSON 对象"))
                    return
                try:
                    self.set_faults(replace(self.faults, **body))
                except TypeError as exc:
                    h._send_json(400, api_error("invalid_fault", str(exc)))
                    return
            h._send_json(200, asdict(self.faults))
        elif method == "POST" and path == "/admin/seed":
            body = h._body() or {}
            added = store.seed(int(body.get("n", 0)), rng_seed=int(body.get("seed", 1)))
            h._send_json(200, {"added": added, "total": store.count()})
        elif method == "POST" and path == "/admin/expire-tokens":
            store.expire_tokens()
            h._send_json(200, {"expired": True})
        elif method == "POST" and (m := _EDIT.match(path)):
            body = h._body() or {}
            try:
                updated = store.edit(
                    unquote(m.group(1)),
                    title=body.get("title"),
                    description=body.get("description"),
                )
            except KeyError:
                h._send_json(404, api_error("not_found", "信访件不存在"))
                return
            h._send_json(200, {"updated_at": updated})
        elif method == "GET" and path == "/admin/updates":
            h._send_json(
                200,
                [
                    {"seq": s, "idempotency_key": k, "petition_id": p, "payload": b}
                    for s, k, p, b in store.updates()
                ],
            )
        elif method == "GET" and path == "/admin/stats":
            h._send_json(200, {"petitions": store.count(), "updates": len(store.updates())})
        else:
            h._send_json(404, api_error("not_found", f"无此接口 {method} {path}"))
