"""Specification of 电话回访 on the console: the office's phone list and ratings taken by phone.

A petitioner who left only a phone number is on the office's list (`/revisits/phone`) with the
number to call; the office records the rating there, through the command layer, with the
signed-in account as who took it and the call's time; the list then no longer shows it. Only
the office may; every role is tried on both doors; SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from sweep_helpers import local, update_ticket
from web_helpers import Site, csrf, login, make_site
from xinxiang.services.revisit import revisit_pass
from xinxiang.store.models import EventRow, LetterRow, TicketRow
from xinxiang.store.models_revisit import RevisitRow
from xinxiang.store.models_web import AuditRow

ANSWERED_AT = local(2026, 12, 1, 15, 0)
DUE = ANSWERED_AT + timedelta(hours=1)
PHONE = "13812345678"


@pytest.fixture
def site(tmp_config: Any, db_url: str) -> Site:
    s = make_site(tmp_config, db_url)
    number = s.tickets["hqc"]
    update_ticket(
        s.ctx,
        number,
        status="answered",
        petitioner_addr="oa-XF00000042@oa.invalid",  # no usable e-mail
        revisit_due=ANSWERED_AT + timedelta(hours=48),
    )
    with s.ctx.db.unit_of_work() as session:  # the web form writes a 联系电话 line
        t = session.execute(select(TicketRow).where(TicketRow.number == number)).scalar_one()
        letter = session.get(LetterRow, t.letter_id)
        assert letter is not None
        letter.body = f"联系电话：{PHONE}\n\n" + letter.body
    assert revisit_pass(s.ctx, DUE).by_phone == [number]
    s.clock.now = DUE + timedelta(hours=2)
    return s


def signed_in(site: Site, name: str | None) -> tuple[TestClient, str]:
    client = site.client()
    if name is not None:
        login(client, name)
    return client, csrf(client, "/login")


def the_round(site: Site) -> RevisitRow:
    with site.ctx.db.session() as s:
        return s.execute(select(RevisitRow)).scalar_one()


def test_the_office_calls_and_records_the_rating(site: Site) -> None:
    number = site.tickets["hqc"]
    client, token = signed_in(site, "office1")
    page = client.get("/revisits/phone")
    assert page.status_code == 200
    assert number in page.text and PHONE in page.text and "电话回访" in page.text
    r = client.post(
        f"/revisits/phone/{number}",
        data={
            "level": "4",
            "taken_at": "2026-12-01T17:30",
            "comment": "热水已恢复，满意。",
            "csrf_token": token,
        },
    )
    assert r.status_code == 303 and r.headers["location"] == "/revisits/phone"
    after = client.get("/revisits/phone").text
    assert "满意" in after and "目前没有需要电话回访的工单" in after
    rnd = the_round(site)
    assert (rnd.state, rnd.rating, rnd.channel, rnd.comment) == (
        "rated",
        4,
        "phone",
        "热水已恢复，满意。",
    )
    with site.ctx.db.session() as s:
        rated = s.execute(select(EventRow).where(EventRow.kind == "revisit_rated")).scalars().all()
        audit = (
            s.execute(select(AuditRow).where(AuditRow.action == "revisit-phone")).scalars().all()
        )
    [event] = rated
    assert "office1" in event.actor, "who took the call is the signed-in account"
    assert event.data["taken_at"] == "2026-12-01T17:30:00+08:00", "the call's time, school time"
    assert len(audit) == 1


@pytest.mark.parametrize(
    ("form", "words"),
    [
        ({"level": "9"}, "请选择评价"),
        ({"level": "4", "taken_at": "昨天下午"}, "通话时间格式不对"),
        ({"level": "4", "taken_at": "2027-01-01T10:00"}, ""),  # a call in the future
    ],
)
def test_a_wrong_entry_records_nothing_and_says_why(
    site: Site, form: dict[str, str], words: str
) -> None:
    number = site.tickets["hqc"]
    client, token = signed_in(site, "office1")
    r = client.post(f"/revisits/phone/{number}", data={**form, "csrf_token": token})
    assert r.status_code == 303
    page = client.get("/revisits/phone").text
    assert 'class="flash refused"' in page and words in page
    assert the_round(site).state == "sent"


@pytest.mark.parametrize(
    ("name", "get", "post"),
    [
        ("auditor1", 403, 403),
        ("hqc1", 403, 403),
        ("leader-hqc", 403, 403),
        (None, 303, 403),  # GET: to the login page
    ],
)
def test_only_the_office_may(site: Site, name: str | None, get: int, post: int) -> None:
    number = site.tickets["hqc"]
    client, token = signed_in(site, name)
    assert client.get("/revisits/phone").status_code == get
    r = client.post(f"/revisits/phone/{number}", data={"level": "5", "csrf_token": token})
    assert r.status_code in {post, 303} if name is None else r.status_code == post
    assert the_round(site).state == "sent"
