"""Builders shared by the web console tests: a deployment with tickets, accounts and a client.

Tickets come in through the real ingest and routing path (`sweep_helpers.new_ticket`):
- hot water → 后勤管理处 (hqc), dispatched
- library seats → 图书馆 (tsg), dispatched
- scholarship → 学生处 (xsc), dispatched, with hqc as co-handler (协办)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from starlette.testclient import TestClient

from inbound_helpers import context
from office_helpers import add_cohandlers
from sweep_helpers import HOT_WATER, LIBRARY, SCHOLARSHIP, local, new_ticket
from xinxiang.services.context import AppContext
from xinxiang.web.accounts import add_user
from xinxiang.web.app import create_app

T0 = local(2026, 12, 1, 9, 30)  # Tuesday; track 1 is due 2026-12-02 00:00 (= 12-01 24:00)
NOW = local(2026, 12, 1, 11, 0)
PASSWORD = "correct horse battery"

# name → (role, department, email)
ACCOUNTS: dict[str, tuple[str, str | None, str | None]] = {
    "office1": ("office", None, None),
    "auditor1": ("auditor", None, None),
    "hqc1": ("department", "hqc", None),
    "tsg1": ("department", "tsg", None),
    "leader-hqc": ("leader", None, "leader-hqc@example.edu.cn"),
}


@dataclass
class Clock:
    """The app's clock: tests move it forward instead of waiting."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Site:
    """A migrated deployment with three tickets, the accounts above and the app."""

    ctx: AppContext
    clock: Clock
    tickets: dict[str, str] = field(default_factory=dict)  # hqc | tsg | xsc → number

    def client(self, base_url: str = "http://testserver") -> TestClient:
        """A fresh browser-like client (own cookies) against the app, no redirects followed."""
        app = create_app(self.ctx, clock=self.clock)
        return TestClient(app, base_url=base_url, follow_redirects=False)


def make_site(tmp_config: Callable[..., Path], db_url: str) -> Site:
    """Build the deployment: tickets through ingest and routing, accounts through `add_user`."""
    ctx = context(tmp_config(database_url=db_url))
    site = Site(ctx, Clock())
    site.tickets["hqc"] = new_ticket(ctx, T0, HOT_WATER, sender="a@stu.example.edu.cn")
    site.tickets["tsg"] = new_ticket(ctx, T0, LIBRARY, sender="b@stu.example.edu.cn")
    site.tickets["xsc"] = new_ticket(ctx, T0, SCHOLARSHIP, sender="c@stu.example.edu.cn")
    add_cohandlers(ctx, site.tickets["xsc"], ["hqc"], "dzb@example.edu.cn", T0)
    with ctx.db.unit_of_work() as session:
        for name, (role, dept, email) in ACCOUNTS.items():
            add_user(
                session,
                ctx.cfg,
                name=name,
                role=role,
                password=PASSWORD,
                now=T0,
                department=dept,
                email=email,
            )
    return site


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf(client: TestClient, path: str = "/login") -> str:
    """The CSRF token a page hands out (its hidden form field)."""
    match = _CSRF.search(client.get(path).text)
    assert match, f"no CSRF field on {path}"
    return match.group(1)


def login(client: TestClient, name: str, password: str = PASSWORD, next_: str = "") -> str:
    """Sign in through the form; the redirect target (asserts the login worked)."""
    token = csrf(client)
    r = client.post(
        "/login", data={"name": name, "password": password, "next": next_, "csrf_token": token}
    )
    assert r.status_code == 303, r.text
    return str(r.headers["location"])
