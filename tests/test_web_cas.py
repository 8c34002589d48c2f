"""Specification of 统一身份认证 (CAS 2.0/3.0) login on the console, against `cas_sim.CasSim`.

A CAS user signs in only when `[web.cas]` maps them (by name, or by a CAS 3.0 attribute) to a
role; the ticket must be fresh, issued for our configured service, and arrive in the browser
that started the login; the server's XML is parsed with DTDs and entities forbidden; logout
ends the CAS session too.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy import select
from starlette.testclient import TestClient

from cas_sim import CasSim, post_form
from inbound_helpers import context
from web_helpers import PASSWORD, Clock, csrf, login
from xinxiang.config import CasSection
from xinxiang.services.context import AppContext
from xinxiang.store.models_web import AuditRow
from xinxiang.web.accounts import add_user, disable_user
from xinxiang.web.app import create_app
from xinxiang.web.cas import CAS_PASSWORD, parse_response

BASE = "https://xinxiang.example.edu.cn"
SERVICE = f"{BASE}/login/cas"


def cas_toml(server_url: str, version: int, logout_from: str = "") -> str:
    """The `[web.cas]` section of the tests, as a school would write it."""
    return f"""
[web.cas]
server_url = "{server_url}"
service_url = "{SERVICE}"
version = {version}
attribute = "deptCode"
timeout_seconds = 5
{f'logout_from = ["{logout_from}"]' if logout_from else ""}

[web.cas.users]
"20010001" = {{ role = "office" }}
"20010002" = {{ role = "department", department = "hqc" }}
"20010003" = {{ role = "leader", email = "leader-hqc@example.edu.cn" }}
"20010004" = {{ role = "auditor" }}
"20010009" = {{ role = "department", department = "nosuch" }}

[web.cas.attribute_map]
HQ01 = {{ role = "department", department = "hqc" }}
"""


@pytest.fixture(scope="module")
def cas_server() -> Iterator[CasSim]:
    server = CasSim().start()
    yield server
    server.stop()


@pytest.fixture
def sim(cas_server: CasSim) -> CasSim:
    """The module's CAS server, its state reset for this test."""
    cas_server.tickets.clear()
    cas_server.validations.clear()
    cas_server.evil_body = None
    cas_server.logouts = 0
    cas_server.logout_requests.clear()
    cas_server.deliver = post_form
    cas_server.attributes = {"T2001": {"deptCode": ["XX99", "HQ01"], "name": ["张老师"]}}
    return cas_server


Make = Callable[..., AppContext]
_MIGRATED: list[Path] = []  # one migrated empty database, copied for each test


@pytest.fixture
def make_ctx(tmp_config, tmp_path: Path, tmp_path_factory, sim: CasSim) -> Make:
    def make(version: int = 3, db_url: str | None = None, logout_from: str = "") -> AppContext:
        db_file = tmp_path / f"cas{version}.db"
        if db_url is None and _MIGRATED:  # a migrated copy: the suite stays fast
            shutil.copyfile(_MIGRATED[0], db_file)
        cfg_dir = tmp_config(database_url=db_url or f"sqlite:///{db_file}")
        with (cfg_dir / "xinxiang.toml").open("a", encoding="utf-8") as fh:
            fh.write(cas_toml(sim.url, version, logout_from))
        ctx = context(cfg_dir)
        if db_url is None and not _MIGRATED:
            _MIGRATED.append(tmp_path_factory.mktemp("cas-template") / "migrated.db")
            with sqlite3.connect(db_file) as src, sqlite3.connect(_MIGRATED[0]) as dst:
                src.backup(dst)  # not a file copy: the schema may still sit in the WAL
        return ctx

    return make


def client(ctx: AppContext) -> TestClient:
    """A browser against a fresh app instance of `ctx` (own cookies), no redirects followed."""
    return TestClient(create_app(ctx, clock=Clock()), base_url=BASE, follow_redirects=False)


def cas_round_trip(browser: TestClient, sim: CasSim, user: str, next_: str = "") -> Any:
    """Start at /login/cas, sign in at the CAS server as `user`, come back with the ticket."""
    start = browser.get("/login/cas" + (f"?next={next_}" if next_ else ""))
    assert start.status_code == 303
    at_cas = httpx.get(f"{start.headers['location']}&user={user}", follow_redirects=False)
    callback = at_cas.headers["location"]
    assert callback.startswith(f"{SERVICE}?ticket=ST-")
    return browser.get(callback)


def audits(ctx: AppContext) -> list[AuditRow]:
    with ctx.db.session() as session:
        return list(session.execute(select(AuditRow).order_by(AuditRow.id)).scalars())


@pytest.mark.parametrize(
    ("version", "user", "home", "role"),
    [
        (3, "20010001", "/office/", "office"),
        (2, "20010001", "/office/", "office"),
        (3, "20010002", "/tickets", "department"),
        (2, "20010003", "/supervision", "leader"),
        (3, "20010004", "/office/", "auditor"),
        (3, "T2001", "/tickets", "department"),  # by the deptCode attribute (CAS 3.0 only)
    ],
)
def test_a_mapped_cas_user_signs_in_with_its_role(
    make_ctx: Make, sim: CasSim, version: int, user: str, home: str, role: str
) -> None:
    ctx = make_ctx(version)
    browser = client(ctx)
    r = cas_round_trip(browser, sim, user)
    assert (r.status_code, r.headers["location"]) == (303, home)
    assert browser.get(home).status_code == 200  # the same signed session as a local login
    path = "/p3/serviceValidate" if version == 3 else "/serviceValidate"
    assert sim.validations[-1].startswith(f"/cas{path}?")
    last = audits(ctx)[-1]
    assert (last.account, last.role, last.action, last.detail) == (
        user.lower(),
        role,
        "login",
        f"cas{version}",
    )


@pytest.mark.postgres
def test_cas_login_on_postgresql(make_ctx: Make, sim: CasSim, pg_url: str) -> None:
    ctx = make_ctx(3, pg_url)
    browser = client(ctx)
    r = cas_round_trip(browser, sim, "20010002", next_="/tickets?status=dispatched")
    assert r.headers["location"] == "/tickets?status=dispatched"
    assert browser.get("/tickets").status_code == 200


@pytest.mark.parametrize(
    ("version", "user"),
    [
        (3, "stranger"),  # in no table
        (2, "t2001"),  # mapped only by an attribute, which CAS 2.0 does not send
        (3, "20010009"),  # mapped to a department that does not exist
        (3, "../admin"),  # a name no account can have
    ],
)
def test_an_unmapped_cas_user_is_refused_with_a_chinese_page(
    make_ctx: Make, sim: CasSim, version: int, user: str
) -> None:
    ctx = make_ctx(version)
    browser = client(ctx)
    r = cas_round_trip(browser, sim, user)
    assert r.status_code == 403
    assert "未开通本系统的访问权限" in r.text
    assert browser.get("/office/").status_code == 303  # still signed out
    assert browser.get("/tickets").status_code == 303
    assert audits(ctx)[-1].action == "login-failed"


def test_forged_replayed_and_unsolicited_tickets_are_refused(make_ctx: Make, sim: CasSim) -> None:
    ctx = make_ctx()
    browser = client(ctx)
    browser.get("/login/cas")
    forged = browser.get("/login/cas?ticket=ST-forged-by-someone")
    assert forged.status_code == 403 and "票据无效" in forged.text

    ok = cas_round_trip(browser, sim, "20010001")
    assert ok.status_code == 303
    ticket_url = f"{SERVICE}?ticket=" + sim.validations[-1].split("ticket=")[1]
    checked = len(sim.validations)
    # Replayed to the same console: refused before asking the CAS server.
    browser.get("/login/cas")
    assert browser.get(ticket_url).status_code == 403
    assert len(sim.validations) == checked
    # Replayed to another console process: the CAS server refuses the used ticket.
    other = client(ctx)
    other.get("/login/cas")
    r = other.get(ticket_url)
    assert r.status_code == 403 and len(sim.validations) == checked + 1
    assert other.get("/office/").status_code == 303

    # A valid ticket pushed into a browser that never started a CAS login here (login CSRF).
    victim = client(ctx)
    fresh = sim.issue("20010001", SERVICE)
    assert victim.get(f"/login/cas?ticket={fresh}").status_code == 403
    assert len(sim.validations) == checked + 1  # not even asked
    assert [a.detail for a in audits(ctx) if a.action == "login-failed"] == [
        "cas3: INVALID_TICKET",
        "cas3: replayed",
        "cas3: INVALID_TICKET",
        "cas3: not-started",
    ]


def test_a_ticket_for_another_service_is_refused(make_ctx: Make, sim: CasSim) -> None:
    ctx = make_ctx()
    browser = client(ctx)
    browser.get("/login/cas")
    ticket = sim.issue("20010001", "https://evil.example.com/login/cas")
    r = browser.get(f"/login/cas?ticket={ticket}")
    assert r.status_code == 403
    assert audits(ctx)[-1].detail == "cas3: INVALID_SERVICE"


def test_the_service_url_comes_from_config_not_the_host_header(make_ctx: Make) -> None:
    browser = client(make_ctx())
    r = browser.get("/login/cas?next=//evil.example.com/", headers={"host": "evil.example.com"})
    assert r.status_code == 303
    assert r.headers["location"].endswith(
        "/cas/login?service=https%3A%2F%2Fxinxiang.example.edu.cn%2Flogin%2Fcas"
    )


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file://%s">]>
<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess>
<cas:user>&x;</cas:user></cas:authenticationSuccess></cas:serviceResponse>"""
BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess>
<cas:user>&c;</cas:user></cas:authenticationSuccess></cas:serviceResponse>"""


def test_an_xxe_answer_from_the_cas_server_is_harmless(
    make_ctx: Make, sim: CasSim, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("20010001")  # were the entity expanded, this would be an office login
    ctx = make_ctx()
    for body in (XXE % str(secret).encode(), BOMB):
        sim.evil_body = body
        browser = client(ctx)
        r = cas_round_trip(browser, sim, "20010001")
        assert r.status_code == 403 and "20010001" not in r.text
        assert browser.get("/office/").status_code == 303
        assert audits(ctx)[-1].detail == "cas3: bad-xml:DTDForbidden"


@pytest.mark.parametrize(
    ("body", "user", "failure"),
    [
        (b"not xml", None, "bad-xml:ParseError"),
        (b"<other/>", None, "bad-xml:root"),
        (
            b'<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">'
            b"<cas:authenticationSuccess><cas:user> </cas:user></cas:authenticationSuccess>"
            b"</cas:serviceResponse>",
            None,
            "no-user",
        ),
        (
            b'<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">'
            b"<cas:authenticationSuccess><cas:user>u1</cas:user>"
            b"<cas:attributes><cas:deptCode>HQ01</cas:deptCode></cas:attributes>"
            b"</cas:authenticationSuccess></cas:serviceResponse>",
            "u1",
            "",
        ),
    ],
)
def test_parse_response(body: bytes, user: str | None, failure: str) -> None:
    result = parse_response(body)
    assert (result.user, result.failure) == (user, failure)


def test_logout_of_a_cas_session_ends_the_cas_session_too(make_ctx: Make, sim: CasSim) -> None:
    ctx = make_ctx()
    browser = client(ctx)
    cas_round_trip(browser, sim, "20010001")
    r = browser.post("/logout", data={"csrf_token": csrf(browser, "/office/")})
    assert (r.status_code, r.headers["location"]) == (303, f"{sim.url}/logout")
    assert browser.get("/office/").status_code == 303
    # A local account's logout stays local.
    with ctx.db.unit_of_work() as session:
        add_user(session, ctx.cfg, name="office1", role="office", password=PASSWORD, now=Clock()())
    local = client(ctx)
    login(local, "office1")
    r = local.post("/logout", data={"csrf_token": csrf(local, "/office/")})
    assert r.headers["location"] == "/login"


def test_cas_never_takes_over_a_local_account_nor_revives_a_disabled_one(
    make_ctx: Make, sim: CasSim
) -> None:
    ctx = make_ctx()
    with ctx.db.unit_of_work() as session:
        add_user(
            session, ctx.cfg, name="20010004", role="auditor", password=PASSWORD, now=Clock()()
        )
    assert cas_round_trip(client(ctx), sim, "20010004").status_code == 403
    assert cas_round_trip(client(ctx), sim, "20010001").status_code == 303
    with ctx.db.unit_of_work() as session:
        user = disable_user(session, "20010001")
        assert user.password_hash == CAS_PASSWORD  # no password: CAS is its only way in
    assert cas_round_trip(client(ctx), sim, "20010001").status_code == 403
    # And a CAS account has no password to guess on the login form.
    browser = client(ctx)
    r = browser.post(
        "/login", data={"name": "20010002", "password": CAS_PASSWORD, "csrf_token": csrf(browser)}
    )
    assert r.status_code == 401


def test_the_login_page_offers_cas_only_when_configured(make_ctx: Make, tmp_config) -> None:
    assert "统一身份认证登录" in client(make_ctx()).get("/login").text
    plain = context(tmp_config())
    assert "统一身份认证登录" not in client(plain).get("/login").text
    assert client(plain).get("/login/cas").status_code == 404


@pytest.mark.parametrize(
    ("server_url", "ok"),
    [
        ("https://cas.example.edu.cn/cas", True),
        ("http://127.0.0.1:8443/cas", True),
        ("http://localhost/cas", True),
        ("http://cas.example.edu.cn/cas", False),  # plain http off the machine
        ("ftp://cas.example.edu.cn/cas", False),
        ("https://cas.example.edu.cn/cas?x=1", False),
        ("cas.example.edu.cn", False),
    ],
)
def test_cas_urls_need_https_or_loopback(server_url: str, ok: bool) -> None:
    def build() -> CasSection:
        return CasSection(server_url=server_url, service_url=SERVICE)

    if ok:
        assert build().server_url == server_url
    else:
        with pytest.raises(ValidationError):
            build()


# --- Back-channel single logout (单点登出): the CAS server ends the console's sessions. ---


def back_channel(ctx: AppContext, source: str = "127.0.0.1") -> TestClient:
    """The CAS server's side of the console: no browser cookies, its own client address."""
    return TestClient(
        create_app(ctx, clock=Clock()),
        base_url=BASE,
        follow_redirects=False,
        client=(source, 40000),
    )


def deliver_to(ctx: AppContext, source: str = "127.0.0.1") -> Callable[[str, dict[str, str]], int]:
    """The simulator's back-channel POSTs, handed to the app under test (our service URL is
    not a real host here)."""

    def deliver(url: str, form: dict[str, str]) -> int:
        assert url == SERVICE
        return back_channel(ctx, source).post(url, data=form).status_code

    return deliver


def validated_ticket(sim: CasSim, user: str) -> str:
    """The last ticket `user` signed in with."""
    return [t for t, i in sim.tickets.items() if i.user == user and i.validated][-1]


def signed_in(browser: TestClient) -> bool:
    r = browser.get("/tickets")
    if r.status_code == 303:
        assert r.headers["location"] == "/login?next=/tickets"
        return False
    assert r.status_code == 200
    return True


def single_logout(ctx: AppContext, sim: CasSim, user: str) -> list[tuple[str, int]]:
    """`user` signs out at the CAS server, which then posts its logoutRequests."""
    before = len(sim.logout_requests)
    assert httpx.get(f"{sim.url}/logout?user={user}").status_code == 200
    return sim.logout_requests[before:]


def logout_lines(ctx: AppContext) -> list[tuple[str, str | None]]:
    return [(a.account, a.detail) for a in audits(ctx) if a.action == "logout"]


@pytest.mark.parametrize("version", [2, 3])
def test_the_cas_servers_single_logout_ends_every_session_of_that_login(
    make_ctx: Make, sim: CasSim, version: int
) -> None:
    ctx = make_ctx(version)
    sim.deliver = deliver_to(ctx)
    office, office_again, dept = client(ctx), client(ctx), client(ctx)
    for browser, user in ((office, "20010001"), (office_again, "20010001"), (dept, "20010002")):
        assert cas_round_trip(browser, sim, user).status_code == 303
        assert signed_in(browser)
    with ctx.db.unit_of_work() as session:
        add_user(session, ctx.cfg, name="office1", role="office", password=PASSWORD, now=Clock()())
    local = client(ctx)
    login(local, "office1")

    assert single_logout(ctx, sim, "20010001") == [(SERVICE, 200), (SERVICE, 200)]
    # The next request of each of that user's browsers goes to the login page …
    assert not signed_in(office) and not signed_in(office_again)
    assert office.get("/office/").headers["location"] == "/login?next=/office/"
    # … and nobody else's: another CAS user, a local account.
    assert signed_in(dept) and signed_in(local)
    assert logout_lines(ctx) == [
        ("20010001", f"cas{version}: single logout (1)"),
        ("20010001", f"cas{version}: single logout (1)"),
    ]
    # A new CAS login of the same user works as before.
    again = client(ctx)
    assert cas_round_trip(again, sim, "20010001").status_code == 303 and signed_in(again)


@pytest.mark.postgres
def test_single_logout_on_postgresql(make_ctx: Make, sim: CasSim, pg_url: str) -> None:
    ctx = make_ctx(3, pg_url)
    sim.deliver = deliver_to(ctx)
    browser = client(ctx)
    cas_round_trip(browser, sim, "20010002")
    assert signed_in(browser)
    assert single_logout(ctx, sim, "20010002") == [(SERVICE, 200)]
    assert not signed_in(browser)


def post_logout(ctx: AppContext, document: str | bytes, source: str = "127.0.0.1") -> int:
    """POST `document` as the form field `logoutRequest` from `source`."""
    body = document.decode() if isinstance(document, bytes) else document
    return back_channel(ctx, source).post("/login/cas", data={"logoutRequest": body}).status_code


LOGOUT_XXE = """<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY t SYSTEM "file://%s">]>
<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="x" Version="2.0">
<samlp:SessionIndex>&t;</samlp:SessionIndex></samlp:LogoutRequest>"""
LOGOUT_BOMB = """<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="x" Version="2.0">
<samlp:SessionIndex>ST-&d;</samlp:SessionIndex></samlp:LogoutRequest>"""


def test_hostile_logout_requests_end_nothing(make_ctx: Make, sim: CasSim, tmp_path: Path) -> None:
    from cas_sim import logout_request

    ctx = make_ctx()
    browser = client(ctx)
    cas_round_trip(browser, sim, "20010001")
    ticket = validated_ticket(sim, "20010001")
    secret = tmp_path / "ticket.txt"
    secret.write_text(ticket)  # were the entity expanded, this would end the session
    hostile: list[tuple[str, int]] = [
        (LOGOUT_XXE % secret, 400),
        (LOGOUT_BOMB, 400),
        ("not xml at all", 400),
        (logout_request(ticket).replace("LogoutRequest", "AuthnRequest"), 400),  # other root
        (logout_request(ticket).replace(ticket, ""), 400),  # no ticket
        (logout_request(ticket).replace(ticket, "TGT-" + ticket[3:]), 400),  # not a ticket
        (logout_request(ticket).replace("urn:oasis:names:tc:SAML:2.0:protocol", "urn:x"), 400),
        # a well-formed request for a ticket we never saw, or for the stored digest of ours
        (logout_request("ST-unknown-0000"), 200),
        (logout_request("ST-" + __import__("hashlib").sha256(ticket.encode()).hexdigest()), 200),
    ]
    for document, status in hostile:
        assert post_logout(ctx, document) == status, document[:80]
        assert signed_in(browser), document[:80]
    # Oversized: refused before it is parsed; a form without the field: refused.
    padding = "<!--" + "x" * 20_000 + "-->"
    assert post_logout(ctx, padding + logout_request(ticket)) == 413
    assert back_channel(ctx).post("/login/cas", data={"other": "1"}).status_code == 400
    assert signed_in(browser)
    assert logout_lines(ctx) == []

    # The real one ends it; replayed, it changes nothing and audits nothing more.
    assert post_logout(ctx, logout_request(ticket)) == 200
    assert not signed_in(browser)
    assert post_logout(ctx, logout_request(ticket)) == 200
    assert logout_lines(ctx) == [("20010001", "cas3: single logout (1)")]
    # The replay does not touch the user's next login either.
    again = client(ctx)
    cas_round_trip(again, sim, "20010001")
    assert post_logout(ctx, logout_request(ticket)) == 200
    assert signed_in(again)


def test_logout_requests_only_from_the_configured_cas_address(make_ctx: Make, sim: CasSim) -> None:
    from cas_sim import logout_request

    ctx = make_ctx(logout_from="10.20.0.0/16")
    browser = client(ctx)
    cas_round_trip(browser, sim, "20010001")
    ticket = validated_ticket(sim, "20010001")
    for stranger in ("127.0.0.1", "10.21.0.5", "testclient"):
        assert post_logout(ctx, logout_request(ticket), source=stranger) == 403
        assert signed_in(browser)
    assert post_logout(ctx, logout_request(ticket), source="10.20.3.4") == 200
    assert not signed_in(browser)


def test_logout_posts_are_rate_limited_per_address(make_ctx: Make) -> None:
    from cas_sim import logout_request

    ctx = make_ctx()
    server = back_channel(ctx, "192.0.2.7")
    codes = [
        server.post("/login/cas", data={"logoutRequest": logout_request(f"ST-{i}")}).status_code
        for i in range(125)
    ]
    assert codes[:120] == [200] * 120 and codes[120:] == [429] * 5


def test_a_logged_out_cookie_stays_logged_out(make_ctx: Make) -> None:
    """Logout ends the session on the server too: a copy of the old cookie is worth nothing."""
    ctx = make_ctx()
    with ctx.db.unit_of_work() as session:
        add_user(session, ctx.cfg, name="office1", role="office", password=PASSWORD, now=Clock()())
    browser = client(ctx)
    login(browser, "office1")
    stolen = dict(browser.cookies)
    out = browser.post("/logout", data={"csrf_token": csrf(browser, "/office/")})
    assert out.status_code == 303
    thief = client(ctx)
    thief.cookies.update(stolen)
    assert thief.get("/office/").status_code == 303
