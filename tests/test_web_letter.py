"""Specification of the petitioner's letter form (网上来信, issue 14): `/` carries the form and
the lookup; a letter becomes a ticket through the same ingest path as mail (channel 网上来信,
receipt with the 查询码 by mail); the page shows the number, never the code. The contact address
is confirmed by a mailed, signed, expiring link before routing takes the ticket; an emergency is
routed (alerted, dispatched) at once all the same. Abuse limits instead of a CAPTCHA: honeypot,
per-client and per-address rate limits, size and type limits.
"""

from __future__ import annotations

import re
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from sweep_helpers import ticket
from test_web_department import STEPS, run_steps
from web_helpers import Site, csrf, login, make_site
from xinxiang.store.models import EventRow, OutboxRow, TicketRow

HOT = {
    "category": "后勤保障",
    "subject": "宿舍热水问题",
    "text": "12号楼热水已经三天没有了，请尽快处理。",
}
FIRE = {
    "category": "安全管理",
    "subject": "紧急！宿舍楼道着火了",
    "text": "东区7号楼三楼楼道着火，浓烟很大，请马上处理！",
}
SEATS = {"category": "教育教学", "subject": "图书馆座位", "text": "图书馆占座现象严重，希望管理。"}
LIMITS = {"web": {"letters_per_ip_per_hour": 4, "letters_per_address_per_day": 2}}


def _form(
    letter: dict[str, str], email: str = "w@stu.example.edu.cn", **extra: str
) -> dict[str, str]:
    return {**letter, "email": email, "public": "no", "phone": "", "name": "王五", **extra}


def _post(client: TestClient, form: dict[str, str], files: list[Any] | None = None) -> Any:
    return client.post("/letter", data={"csrf_token": csrf(client, "/"), **form}, files=files or [])


def _number(page: str) -> str:
    match = re.search(r'id="ticket-number">([0-9-]+)<', page)
    assert match, page[:2000]
    return match.group(1)


def _mails(site: Site, number: str) -> dict[str, EmailMessage]:
    """The ticket's queued mails by kind (the receipt's raw is rendered when sent: None)."""
    with site.ctx.db.unit_of_work() as s:
        t = s.execute(select(TicketRow).where(TicketRow.number == number)).scalar_one()
        rows = s.execute(select(OutboxRow).where(OutboxRow.ticket_id == t.id)).scalars().all()
        return {
            r.kind: message_from_bytes(r.raw or b"", policy=policy.default)  # type: ignore[misc]
            for r in rows
        }


def _events(site: Site, number: str) -> list[str]:
    with site.ctx.db.unit_of_work() as s:
        t = s.execute(select(TicketRow).where(TicketRow.number == number)).scalar_one()
        return list(s.execute(select(EventRow.kind).where(EventRow.ticket_id == t.id)).scalars())


def _link(site: Site, number: str) -> str:
    body = _mails(site, number)["letter_confirm"].get_body(("plain",))
    assert body is not None
    match = re.search(r"https?://\S+?(/letter/confirm\?t=\S+)", body.get_content())
    assert match
    return match.group(1)


def letter_round(site: Site) -> None:
    """Submit, confirm, and see the ticket routed; the emergency is not held."""
    client = site.client()
    start = client.get("/")
    assert start.status_code == 200
    assert re.search(r'<form method="post" action="/lookup"', start.text)
    assert 'name="number"' in start.text and 'name="code"' in start.text
    assert 'action="/letter"' in start.text and 'name="website"' in start.text
    assert client.post("/letter", data=_form(HOT)).status_code == 403  # no CSRF token
    r = _post(
        client,
        _form(HOT, confidential="yes", name="王五\r\nBcc: x@evil.example"),
        [("files", ("照片.png", b"\x89PNG1234", "image/png"))],
    )
    assert r.status_code == 200, r.text
    number = _number(r.text)
    t = ticket(site.ctx, number)
    assert t.channel == "网上来信" and t.status == "received"  # held until the link is followed
    assert t.dispatch_due is None  # the 转办 clock starts with the confirmation
    assert "\n" not in t.petitioner_name and t.petitioner_addr == "w@stu.example.edu.cn"
    assert t.query_code not in r.text and "查询码将通过回执邮件发送" in r.text
    mails = _mails(site, number)
    assert {"ack", "letter_confirm"} <= set(mails)
    assert "confirmation_pending" in _events(site, number)
    link = _link(site, number)
    # A mail scanner's GET changes nothing; the button posts the confirmation.
    page = client.get(link)
    assert page.status_code == 200 and "确认邮箱" in page.text
    assert ticket(site.ctx, number).status == "received"
    token = link.split("t=", 1)[1]
    bad = client.post(
        "/letter/confirm", data={"csrf_token": csrf(client, "/"), "t": token[:-2] + "xx"}
    )
    assert bad.status_code == 400
    done = client.post("/letter/confirm", data={"csrf_token": csrf(client, "/"), "t": token})
    assert done.status_code == 200 and "邮箱已确认" in done.text
    office = site.client()
    login(office, "office1")
    timeline = office.get(f"/tickets/{number}").text
    assert "等待来信人确认邮箱（网上来信）" in timeline and "来信人已确认邮箱" in timeline
    # Confidential (身份保密 ticked): routed to the office's triage, never straight to a department.
    assert ticket(site.ctx, number).status == "triage"
    assert {"contact_confirmed", "confidential"} <= set(_events(site, number))
    # An emergency is routed at once, confirmation or not.
    fire = _number(_post(site.client(), _form(FIRE, email="f@stu.example.edu.cn")).text)
    t = ticket(site.ctx, fire)
    assert t.urgency == "emergency" and t.status != "received"
    assert "confirmation_pending" not in _events(site, fire)
    assert "letter_confirm" in _mails(site, fire)


def test_a_petitioner_writes_from_the_web(tmp_config, tmp_path) -> None:
    """One deployment for the whole round (each site costs seconds); every `site.client()` is
    a fresh app, so the rate limiters count only where the test says."""
    site = make_site(
        lambda **kw: tmp_config(overrides=LIMITS, **kw), f"sqlite:///{tmp_path / 'web.db'}"
    )
    letter_round(site)
    the_link_expires(site)
    an_unconfirmed_letter_goes_to_the_office(site)
    bad_letters_are_refused(site)
    rate_limits(site)


@pytest.mark.postgres
def test_a_department_answers_and_a_petitioner_writes_on_postgresql(tmp_config, pg_url) -> None:
    """The one PostgreSQL case: the department's 受理 and 正式回复, then the letter round."""
    site = make_site(tmp_config, pg_url)
    run_steps(site, [s for s in STEPS if s[3] in ("accept", "formal")])
    letter_round(site)


def the_link_expires(site: Site) -> None:
    """The link works within its hours, once, for its own ticket only."""
    client = site.client()
    number = _number(_post(client, _form(SEATS, email="s@stu.example.edu.cn")).text)
    link = _link(site, number)
    site.clock.now += timedelta(hours=73)
    assert client.get(link).status_code == 400
    assert ticket(site.ctx, number).status == "received"
    site.clock.now -= timedelta(hours=72)
    token = link.split("t=", 1)[1]
    ok = client.post("/letter/confirm", data={"csrf_token": csrf(client, "/"), "t": token})
    assert ok.status_code == 200
    t = ticket(site.ctx, number)
    assert t.status == "dispatched"  # routed as mail would be
    assert t.dispatch_due is not None and t.dispatch_due > t.created_at + timedelta(days=1)
    again = client.post("/letter/confirm", data={"csrf_token": csrf(client, "/"), "t": token})
    assert again.status_code == 200 and _events(site, number).count("contact_confirmed") == 1


def an_unconfirmed_letter_goes_to_the_office(site: Site) -> None:
    """A link never followed stops holding the letter when it expires: routing then gives it
    to the office's triage (never to a department, and no template mail to that address)."""
    from xinxiang.services.routing import route_received

    client = site.client()
    number = _number(_post(client, _form(SEATS, email="u@stu.example.edu.cn")).text)
    route_received(site.ctx, site.clock.now + timedelta(hours=71))
    assert ticket(site.ctx, number).status == "received"  # the link still runs
    route_received(site.ctx, site.clock.now + timedelta(hours=73))
    t = ticket(site.ctx, number)
    assert (t.status, t.department_code) == ("triage", None)
    with site.ctx.db.unit_of_work() as s:
        triage = s.execute(
            select(EventRow).where(EventRow.ticket_id == t.id, EventRow.kind == "triage")
        ).scalar_one()
        assert "逾期未确认" in str(triage.data.get("reason"))
    assert set(_mails(site, number)) <= {"ack", "letter_confirm"}


# (case, form changes, files, status, shown)
# fmt: off
REFUSALS: list[tuple[str, dict[str, str], list[Any], int, str]] = [
    ("honeypot filled in", {"website": "http://spam.example"}, [], 400, "提交未成功"),
    ("no category", {"category": "不存在的类别"}, [], 422, "请选择来信类别"),
    ("no subject", {"subject": ""}, [], 422, "请填写主题"),
    ("a subject of line breaks", {"subject": "\r\n\t"}, [], 422, "请填写主题"),
    ("text too long", {"text": "长" * 5001}, [], 422, "不超过5000字"),
    ("no address", {"email": "not-an-address"}, [], 422, "请填写正确的电子邮箱"),
    ("a bad phone", {"phone": "call me"}, [], 422, "联系电话格式不正确"),
    ("no consent choice", {"public": ""}, [], 422, "请选择是否同意公开"),
    ("a program attached", {}, [("files", ("run.exe", b"MZ", "application/x-msdownload"))], 422, "不支持的附件类型"),  # noqa: E501
    ("too many files", {}, [("files", (f"{i}.txt", b"x", "text/plain")) for i in range(4)], 422, "附件最多 3 个"),  # noqa: E501
    ("a file too large", {}, [("files", ("a.pdf", b"0" * (5 * 1024 * 1024 + 1), "application/pdf"))], 422, "附件过大"),  # noqa: E501
]
# fmt: on


def bad_letters_are_refused(site: Site) -> None:
    """Each refusal is shown and creates no ticket."""
    with site.ctx.db.unit_of_work() as s:
        before = s.query(TicketRow).filter_by(channel="网上来信").count()
    for case, change, files, status, shown in REFUSALS:
        r = _post(site.client(), {**_form(HOT), **change}, files)
        assert (r.status_code, shown in r.text) == (status, True), case
    with site.ctx.db.unit_of_work() as s:
        assert s.query(TicketRow).filter_by(channel="网上来信").count() == before


def rate_limits(site: Site) -> None:
    """Per address a day and per client an hour (`LIMITS`)."""
    client = site.client()  # one app: its limiters count across these posts
    codes = [
        _post(client, _form(HOT, email=addr)).status_code
        for addr in (
            "a@x.example.edu.cn",
            "a@x.example.edu.cn",
            "A@x.example.edu.cn",
            "b@x.example.edu.cn",
            "c@x.example.edu.cn",
        )
    ]
    # 2 a day for one address (case-insensitive), 4 an hour for one client.
    assert codes == [200, 200, 429, 200, 429]
