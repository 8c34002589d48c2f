"""A small CAS 2.0/3.0 server for the tests: a fake of the school's 统一身份认证 (not ours).

It speaks the protocol's parts the console uses, on a real loopback port:
- `GET /login?service=S&user=U` signs U in (the real page's form is skipped) and redirects to
  `S?ticket=ST-…`, as a CAS server does after a successful login;
- `GET /serviceValidate` (CAS 2.0) and `GET /p3/serviceValidate` (CAS 3.0, with attributes)
  answer the XML of the spec: success once per ticket for the service it was issued for, else
  `INVALID_TICKET` / `INVALID_SERVICE`;
- `GET /logout` ends the CAS session (recorded in `logouts`).
`evil_body` replaces every validation answer (XXE and entity-bomb payloads).
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit


@dataclass
class Issued:
    """A service ticket: for whom, for which service, used yet."""

    user: str
    service: str
    used: bool = False


@dataclass
class CasSim:
    """The server's state; `url` is its base (`http://127.0.0.1:PORT/cas`)."""

    attributes: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    tickets: dict[str, Issued] = field(default_factory=dict)
    validations: list[str] = field(default_factory=list)  # path?query of every validation
    logouts: int = 0
    evil_body: bytes | None = None
    url: str = ""
    _server: ThreadingHTTPServer | None = None

    def issue(self, user: str, service: str) -> str:
        """A fresh ticket for `user` at `service` (what a login at the CAS page yields)."""
        ticket = f"ST-{secrets.token_urlsafe(20)}"
        self.tickets[ticket] = Issued(user, service)
        return ticket

    def answer(self, version: int, query: dict[str, list[str]]) -> bytes:
        """The serviceValidate document for this query."""
        if self.evil_body is not None:
            return self.evil_body
        ticket = query.get("ticket", [""])[0]
        service = query.get("service", [""])[0]
        issued = self.tickets.get(ticket)
        if issued is None or issued.used:
            return _failure("INVALID_TICKET", f"Ticket {ticket} not recognized")
        issued.used = True  # a ticket is consumed by its first validation, whatever the result
        if issued.service != service:
            return _failure("INVALID_SERVICE", f"Ticket {ticket} was not issued for {service}")
        attrs = ""
        if version == 3:
            items = self.attributes.get(issued.user, {})
            attrs = (
                "<cas:attributes>"
                + "".join(f"<cas:{k}>{escape(v)}</cas:{k}>" for k, vs in items.items() for v in vs)
                + "</cas:attributes>"
            )
        return (
            '<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">'
            f"<cas:authenticationSuccess><cas:user>{escape(issued.user)}</cas:user>{attrs}"
            "</cas:authenticationSuccess></cas:serviceResponse>"
        ).encode()

    def start(self) -> CasSim:
        """Serve on a free loopback port in a daemon thread."""
        sim = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                if parts.path == "/cas/login":
                    service = query.get("service", [""])[0]
                    ticket = sim.issue(query.get("user", ["nobody"])[0], service)
                    self._send(302, b"", location=f"{service}?{urlencode({'ticket': ticket})}")
                elif parts.path in ("/cas/serviceValidate", "/cas/p3/serviceValidate"):
                    sim.validations.append(self.path)
                    version = 3 if "/p3/" in parts.path else 2
                    self._send(200, sim.answer(version, query), ctype="application/xml")
                elif parts.path == "/cas/logout":
                    sim.logouts += 1
                    self._send(200, "已退出统一身份认证".encode())
                else:
                    self._send(404, b"")

            def _send(
                self, status: int, body: bytes, *, ctype: str = "text/plain", location: str = ""
            ) -> None:
                self.send_response(status)
                self.send_header("Content-Type", f"{ctype}; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                if location:
                    self.send_header("Location", location)
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/cas"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Shut the server down."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def _failure(code: str, text: str) -> bytes:
    return (
        '<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">'
        f'<cas:authenticationFailure code="{code}">{escape(text)}</cas:authenticationFailure>'
        "</cas:serviceResponse>"
    ).encode()
