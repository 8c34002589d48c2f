"""Specification of 督办 on the console: a leader's 督办 items and departments, and 批示.

The site's three tickets (hot water → hqc, library → tsg, scholarship → xsc co-handled by hqc)
go overdue and the sweep escalates each to its department's supervising leader (逾期督办); a
fourth hqc ticket is under 督办 after a second dissatisfied rating (`supervised`). The leader
of hqc sees hqc's items and records a 批示 from the web: it lands on the ticket's timeline
through the command layer and is mailed to hqc. Every role is tried on every door (a ticket
the account cannot see is a 404, one it may see but not instruct on a 403), on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from sweep_helpers import local, new_ticket, outbox, text_of, ticket, update_ticket
from web_helpers import T0, Site, csrf, login, make_site
from xinxiang.services.sweep import sweep
from xinxiang.store.models import EventRow
from xinxiang.store.models_web import AuditRow

ESCALATED_AT = local(2026, 12, 4, 10, 0)  # Friday: the Tuesday letters are long overdue
NOW = local(2026, 12, 4, 11, 0)
COMPLAINT = ("食堂饭菜问题", "二食堂的饭菜里多次吃出异物，向窗口反映后没有人处理。")


@pytest.fixture
def site(tmp_config: Any, db_url: str) -> Site:
    s = make_site(tmp_config, db_url)
    sweep(s.ctx, ESCALATED_AT)
    number = new_ticket(s.ctx, T0, COMPLAINT, sender="d@stu.example.edu.cn")
    assert ticket(s.ctx, number).department_code == "hqc"
    update_ticket(s.ctx, number, status="supervised")  # as the second 不满意 leaves it
    s.tickets["supervised"] = number
    s.clock.now = NOW
    return s


def signed_in(site: Site, name: str | None) -> tuple[TestClient, str]:
    client = site.client()
    if name is not None:
        login(client, name)
    return client, csrf(client, "/login")


def events(site: Site, number: str, kind: str) -> list[EventRow]:
    with site.ctx.db.session() as s:
        tid = ticket(site.ctx, number).id
        q = select(EventRow).where(EventRow.ticket_id == tid, EventRow.kind == kind)
        return list(s.execute(q.order_by(EventRow.id)).scalars())


def item_numbers(page: str) -> list[str]:
    table = page.split('id="supervision-items"', 1)
    return re.findall(r'href="/tickets/([^"#]+)#instruct"', table[1]) if len(table) > 1 else []


# account → (status of GET /supervision, the tickets listed: keys of site.tickets)
PAGE: dict[str | None, tuple[int, set[str]]] = {
    "office1": (200, {"supervised", "hqc", "tsg", "xsc"}),
    "auditor1": (200, {"supervised", "hqc", "tsg", "xsc"}),
    "leader-hqc": (200, {"supervised", "hqc"}),  # led by hqc; xsc only co-handled by hqc
    "hqc1": (403, set()),
    "tsg1": (403, set()),
    None: (303, set()),
}


def test_the_supervision_page_per_role(site: Site) -> None:
    for account, (status, listed) in PAGE.items():
        client, _token = signed_in(site, account)
        r = client.get("/supervision")
        assert r.status_code == status, account
        if status == 303:
            assert r.headers["location"] == "/login?next=/supervision"
        if status != 200:
            continue
        page = r.text
        assert sorted(item_numbers(page)) == sorted(site.tickets[k] for k in listed), account
        assert "再次不满意" in page and "逾期督办" in page
        assert "<script" not in page.lower()
    # The leader's own departments, with what is in their hands.
    client, _ = signed_in(site, "leader-hqc")
    page = client.get("/supervision").text
    departments = page.split('id="departments"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r"<a href=\"/tickets\?department=(\w+)\">", departments) == ["hqc"]
    assert "后勤管理处" in departments and "图书馆" not in departments


def test_a_leader_lands_on_its_supervision_items(site: Site) -> None:
    client = site.client()
    assert login(client, "leader-hqc") == "/supervision"
    assert login(site.client(), "hqc1") == "/tickets"
    assert login(site.client(), "office1") == "/office/"


# (account, ticket key) → status of POST /tickets/{n}/instruct; 303 is recorded
INSTRUCT: list[tuple[str | None, str, int]] = [
    (None, "supervised", 303),  # → the login page, nothing recorded
    ("hqc1", "supervised", 403),  # a department never instructs, not even on its own ticket
    ("tsg1", "supervised", 404),  # cannot even see it
    ("auditor1", "supervised", 403),
    ("leader-hqc", "xsc", 403),  # sees it (hqc co-handles) but does not supervise the lead
    ("leader-hqc", "tsg", 404),
    ("leader-hqc", "supervised", 303),
    ("leader-hqc", "hqc", 303),
    ("office1", "tsg", 303),  # the office records a 批示 given on paper
]


def test_who_may_record_a_批示(site: Site) -> None:
    for account, key, status in INSTRUCT:
        number = site.tickets[key]
        client, token = signed_in(site, account)
        text = f"请{key}相关单位本周内办结（{account}）"
        r = client.post(f"/tickets/{number}/instruct", data={"text": text, "csrf_token": token})
        assert r.status_code == status, (account, key)
        recorded = [e.data["text"] for e in events(site, number, "instruction_recorded")]
        assert (text in recorded) is (status == 303 and account is not None), (account, key)
        if status == 303 and account is None:
            assert r.headers["location"].startswith("/login?next=")
    with site.ctx.db.session() as s:
        audited = s.execute(select(AuditRow.account, AuditRow.action, AuditRow.resource)).all()
    forbidden = {(a, r) for a, action, r in audited if action == "forbidden"}
    assert forbidden == {
        ("hqc1", site.tickets["supervised"]),
        ("auditor1", site.tickets["supervised"]),
        ("leader-hqc", site.tickets["xsc"]),
    }
    done = {(a, r) for a, action, r in audited if action == "ticket-instruct"}
    assert done == {
        ("leader-hqc", site.tickets["supervised"]),
        ("leader-hqc", site.tickets["hqc"]),
        ("office1", site.tickets["tsg"]),
    }


def test_a_leaders_批示_is_on_the_timeline_and_mailed_to_the_department(site: Site) -> None:
    client, token = signed_in(site, "leader-hqc")
    supervised, overdue = site.tickets["supervised"], site.tickets["hqc"]
    before = ticket(site.ctx, overdue)
    page = client.get(f"/tickets/{supervised}").text
    assert 'id="instruct-form"' in page and "办理时限自批示时起重新计算" in page

    # Under 督办: recorded, mailed to hqc, re-dispatched with the deadlines from now.
    text = "请后勤处本周内彻底解决，并向来信人说明。"
    r = client.post(f"/tickets/{supervised}/instruct", data={"text": text, "csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == f"/tickets/{supervised}"
    page = html.unescape(client.get(f"/tickets/{supervised}").text)
    assert "已录入批示并转承办单位办理" in page  # the flash: the workflow's summary
    assert text in page and "网上操作：批示" in page  # the event and the audited action
    [event] = events(site, supervised, "instruction_recorded")
    assert (event.actor, event.data["text"]) == ("leader-hqc", text)
    after = ticket(site.ctx, supervised)
    assert (after.status, after.dispatched_at) == ("dispatched", NOW)
    [mail] = outbox(site.ctx, ("instruction",))
    assert mail.recipients == ["hqc@example.edu.cn"]
    assert text in text_of(mail) and "已纳入督办" in text_of(mail)

    # Overdue and escalated, still with hqc: recorded and mailed, deadlines unchanged.
    page = client.get(f"/tickets/{overdue}").text
    assert "办理时限不变" in page
    r = client.post(
        f"/tickets/{overdue}/instruct", data={"text": "请今天内答复", "csrf_token": token}
    )
    assert r.status_code == 303
    after = ticket(site.ctx, overdue)
    assert (after.status, after.formal_due, after.dispatched_at) == (
        before.status,
        before.formal_due,
        before.dispatched_at,
    )
    mails = outbox(site.ctx, ("instruction",))
    assert len(mails) == 2 and mails[1].recipients == ["hqc@example.edu.cn"]
    assert "请今天内答复" in text_of(mails[1]) and "办理时限不变" in text_of(mails[1])


def test_a_批示_the_workflow_refuses_changes_nothing(site: Site) -> None:
    client, token = signed_in(site, "leader-hqc")
    number = site.tickets["supervised"]
    for text, reason in (("   ", "批示内容为空"), ("批" * 2001, "批示过长")):
        r = client.post(f"/tickets/{number}/instruct", data={"text": text, "csrf_token": token})
        assert r.status_code == 303
        assert reason in client.get(f"/tickets/{number}").text
    assert events(site, number, "instruction_recorded") == []
    assert ticket(site.ctx, number).status == "supervised"
    # Answered or closed: no 批示, and the page offers no form.
    update_ticket(site.ctx, number, status="closed")
    assert 'id="instruct-form"' not in client.get(f"/tickets/{number}").text
    r = client.post(f"/tickets/{number}/instruct", data={"text": "请办理", "csrf_token": token})
    assert "不能录入批示" in client.get(r.headers["location"]).text
    assert outbox(site.ctx, ("instruction",)) == []
    # Without the CSRF token: refused before anything is read.
    r = client.post(f"/tickets/{number}/instruct", data={"text": "请办理"})
    assert r.status_code == 403


def test_the_form_is_offered_only_to_who_may_use_it(site: Site) -> None:
    number = site.tickets["supervised"]
    for account, shown in (
        ("leader-hqc", True),
        ("office1", True),
        ("auditor1", False),
        ("hqc1", False),
    ):
        client, _ = signed_in(site, account)
        page = client.get(f"/tickets/{number}")
        assert page.status_code == 200
        assert ('id="instruct-form"' in page.text) is shown, account
