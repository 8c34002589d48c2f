"""A small CAS 2.0/3.0 server for the tests: a fake of the school's 统一身份认证 (not ours).

It speaks the protocol's parts the console uses, on a real loopback port:
- `GET /login?service=S&user=U` signs U in (the real page's form is skipped) and redirects to
  `S?ticket=ST-…`, as a CAS server does after a successful login;
- `GET /serviceValidate` (CAS 2.0) and `GET /p3/serviceValidate` (CAS 3.0, with attributes)
  answer the XML of the spec: success once per ticket for the service it was issued for, else
  `INVALID_TICKET` / `INVALID_SERVICE`;
- `GET /logout` ends the CAS session (recorded in `logouts`); with `?user=U` (standing in for
  the browser's ticket-granting cookie) it also sends the back-channel single logout: for
  every ticket validated for U, a POST to the ticket's service with the form field
  `logoutRequest`, a SAML `<samlp:LogoutRequest>` whose `<samlp:SessionIndex>` is the ticket,
  as Apereo CAS does. `deliver` carries that POST (default: httpx to the service URL; the
  tests hand it to the app under test), and `logout_requests` records (service, status).
`evil_body` replaces every validation answer (XXE and entity-bomb payloads).
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

Deliver = Callable[[str, dict[str, str]], int]
"""Posts a form to a service URL; the HTTP status."""


def post_form(url: str, form: dict[str, str]) -> int:
    """The default delivery: a real POST, as the CAS server makes it."""
    return httpx.post(url, data=form, timeout=5).status_code


def logout_request(ticket: str) -> str:
    """The SAML single-logout document CAS posts for `ticket`."""
    instant = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
        'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
        f'ID="LR-{secrets.token_hex(8)}" Version="2.0" IssueInstant="{instant}">'
        "<saml:NameID>@NOT_USED@</saml:NameID>"
        f"<samlp:SessionIndex>{escape(ticket)}</samlp:SessionIndex>"
        "</samlp:LogoutRequest>"
    )


@dataclass
class Issued:
    """A service ticket: for whom, for which service, used yet."""

    user: str
    service: str
    used: bool = False
    validated: bool = False  # a login happened with it: single logout will name it


@dataclass
class CasSim:
    """The server's state; `url` is its base (`http://127.0.0.1:PORT/cas`)."""

    attributes: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    tickets: dict[str, Issued] = field(default_factory=dict)
    validations: list[str] = field(default_factory=list)  # path?query of every validation
    logouts: int = 0
    evil_body: bytes | None = None
    deliver: Deliver = post_form
    logout_requests: list[tuple[str, int]] = field(default_factory=list)
    url: str = ""
    _server: ThreadingHTTPServer | None = None

    def issue(self, user: str, service: str) -> str:
        """A fresh ticket for `user` at `service` (what a login at the CAS page yields)."""
        ticket = f"ST-{secrets.token_urlsafe(20)}"
        self.tickets[ticket] = Issued(user, service)
        return ticket

    def single_logout(self, user: str) -> list[tuple[str, int]]:
        """End `user`'s CAS session: one back-channel logoutRequest per validated ticket."""
        sent = []
        for ticket, issued in list(self.tickets.items()):
            if issued.user == user and issued.validated:
                status = self.deliver(issued.service, {"logoutRequest": logout_request(ticket)})
                sent.append((issued.service, status))
                issued.validated = False
        self.logout_requests.extend(sent)
        return sent

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
        issued.validated = True
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
                    if "user" in query:
                        sim.single_logout(query["user"][0])
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
