"""Specification of the console's security edge: cookies, CSRF, headers, lockout, rate limits,
redirects after login, session expiry and the audit of every login."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from web_helpers import PASSWORD, Site, csrf, login, make_site
from xinxiang.store.models_web import AuditRow
from xinxiang.web.accounts import LOCKOUT, MAX_FAILED_LOGINS, disable_user, set_password
from xinxiang.web.app import SESSION_SECONDS
from xinxiang.web.security import COOKIE, CSP, safe_next


@pytest.fixture
def site(tmp_config, tmp_path: Path) -> Site:
    return make_site(tmp_config, f"sqlite:///{tmp_path / 'web.db'}")


def _post_login(client, name: str, password: str, token: str | None, next_: str = ""):
    data = {"name": name, "password": password, "next": next_}
    if token is not None:
        data["csrf_token"] = token
    return client.post("/login", data=data)


def test_every_response_carries_the_security_headers(site: Site) -> None:
    client = site.client()
    responses = [
        client.get("/"),
        client.get("/login"),
        client.get("/healthz"),
        client.get("/office/"),  # redirect
        client.get("/no/such/page"),  # 404
        client.get("/static/app.css"),
        client.post("/login", data={}),  # 403 from the CSRF check
        client.post("/lookup", data={"number": "x", "code": "y", "csrf_token": csrf(client, "/")}),
    ]
    for r in responses:
        assert r.headers["content-security-policy"] == CSP, r.url
        assert "'unsafe-inline'" not in CSP and "script-src 'self'" in CSP
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "no-referrer"
        assert "strict-transport-security" not in r.headers  # plain http: no HSTS
        if not str(r.url).endswith(".css"):
            assert r.headers["cache-control"] == "no-store"
    assert "<script" not in client.get("/").text and "style=" not in client.get("/").text


def test_the_session_cookie_is_signed_httponly_lax_and_secure_over_https(site: Site) -> None:
    plain = site.client().get("/login").headers["set-cookie"]
    assert plain.startswith(f"{COOKIE}=") and "HttpOnly" in plain and "SameSite=Lax" in plain
    assert "Secure" not in plain
    https = site.client("https://console.example.edu.cn")
    r = https.get("/login")
    assert "Secure" in r.headers["set-cookie"]
    assert r.headers["strict-transport-security"].startswith("max-age=")
    # A forged or altered cookie is no session at all.
    client = site.client()
    login(client, "office1")
    value = client.cookies[COOKIE]
    assert client.get("/office/").status_code == 200
    client.cookies.clear()
    client.cookies.set(COOKIE, value[:-2] + ("A" if value[-2] != "A" else "B") + value[-1])
    assert client.get("/office/").status_code == 303
    client.cookies.clear()
    client.cookies.set(COOKIE, value)
    assert client.get("/office/").status_code == 200


def test_post_without_the_right_csrf_token_is_refused(site: Site) -> None:
    client = site.client()
    token = csrf(client)
    assert _post_login(client, "office1", PASSWORD, None).status_code == 403
    assert _post_login(client, "office1", PASSWORD, "forged-token").status_code == 403
    # Another visitor's token does not fit this visitor's session.
    assert _post_login(client, "office1", PASSWORD, csrf(site.client())).status_code == 403
    assert _post_login(client, "office1", PASSWORD, token).status_code == 303
    assert client.post("/logout").status_code == 403
    assert client.post("/logout", data={"csrf_token": "nope"}).status_code == 403


# `next` as submitted → where the login leads (only paths on this site are followed)
NEXT = [
    ("/tickets?status=triage", "/tickets?status=triage"),
    ("/tickets/2026-000001", "/tickets/2026-000001"),
    ("", "/office/"),
    ("https://evil.example.com/", "/office/"),
    ("//evil.example.com/", "/office/"),
    ("/\\evil.example.com", "/office/"),
    ("\\\\evil.example.com", "/office/"),
    ("javascript:alert(1)", "/office/"),
    ("/x\r\nSet-Cookie: a=b", "/office/"),
    ("tickets", "/office/"),
]


@pytest.mark.parametrize(("target", "expected"), NEXT)
def test_safe_next(target: str, expected: str) -> None:
    assert safe_next(target, "/office/") == expected


def test_login_redirects_only_within_the_site(site: Site) -> None:
    for target, expected in NEXT[:5]:
        assert login(site.client(), "office1", next_=target) == expected
    assert login(site.client(), "hqc1") == "/tickets"  # no dashboard for a department
    # The login page hands the `next` of an unauthenticated visit back into its form.
    client = site.client()
    r = client.get("/tickets?status=triage")
    assert (
        r.status_code == 303 and r.headers["location"] == "/login?next=/tickets%3Fstatus%3Dtriage"
    )


def test_lockout_after_repeated_failures_is_lifted_after_a_while(site: Site) -> None:
    client = site.client()
    token = csrf(client)
    for _ in range(MAX_FAILED_LOGINS):
        r = _post_login(client, "hqc1", "wrong password!", token)
        assert r.status_code == 401
    assert "锁定" in r.text
    r = _post_login(client, "hqc1", PASSWORD, token)
    assert r.status_code == 401 and "锁定" in r.text  # even the right password
    site.clock.now += LOCKOUT
    assert _post_login(client, "hqc1", PASSWORD, token).status_code == 303
    with site.ctx.db.unit_of_work() as s:
        lines = [
            (a.account, a.action, a.detail, a.ip)
            for a in s.execute(select(AuditRow).order_by(AuditRow.id)).scalars()
        ]
    assert lines == [("hqc1", "login-failed", "wrong-password", "testclient")] * (
        MAX_FAILED_LOGINS - 1
    ) + [("hqc1", "login-failed", "locked", "testclient")] * 2 + [
        ("hqc1", "login", None, "testclient")
    ]


def test_login_attempts_per_client_are_rate_limited(site: Site) -> None:
    client = site.client()
    token = csrf(client)
    codes = [
        _post_login(client, f"nobody{i}", "not the password", token).status_code for i in range(21)
    ]
    assert codes == [401] * 20 + [429]
    # The limit is per client address, whatever the account: the right password waits too.
    assert _post_login(client, "office1", PASSWORD, token).status_code == 429


def test_sessions_expire_and_end_on_logout_password_change_or_disable(site: Site) -> None:
    client = site.client()
    login(client, "office1")
    assert client.get("/office/").status_code == 200
    site.clock.now += timedelta(seconds=SESSION_SECONDS + 1)
    assert client.get("/office/").status_code == 303

    login(client, "office1")
    r = client.post("/logout", data={"csrf_token": csrf(client, "/office/")})
    assert r.status_code == 303 and client.get("/office/").status_code == 303

    login(client, "office1")
    with site.ctx.db.unit_of_work() as s:
        set_password(s, "office1", "a brand new password", site.clock())
    assert client.get("/office/").status_code == 303
    assert login(client, "office1", "a brand new password") == "/office/"

    with site.ctx.db.unit_of_work() as s:
        disable_user(s, "office1")
    assert client.get("/office/").status_code == 303
    r = _post_login(client, "office1", "a brand new password", csrf(client))
    assert r.status_code == 401


def test_a_copy_of_the_cookie_kept_from_before_logout_or_disable_is_no_session(site: Site) -> None:
    # The middleware remembers cookies it verified; the server-side session decides all the same.
    client = site.client()
    login(client, "office1")
    kept = client.cookies[COOKIE]
    assert client.get("/tickets").status_code == 200
    r = client.post("/logout", data={"csrf_token": csrf(client, "/tickets")})
    assert r.status_code == 303
    thief = site.client()
    thief.cookies.set(COOKIE, kept)
    assert thief.get("/tickets").status_code == 303

    login(client, "office1")
    thief.cookies.set(COOKIE, client.cookies[COOKIE])
    assert thief.get("/tickets").status_code == 200
    with site.ctx.db.unit_of_work() as s:
        disable_user(s, "office1")
    assert thief.get("/tickets").status_code == 303
