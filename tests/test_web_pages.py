"""Specification of the console's pages (read-only slice): health, the petitioner's start page
and 查询码 lookup, the office dashboard, the ticket list with filters and paging, the ticket
page."""

from __future__ import annotations

import email
import re
from datetime import timedelta
from email.policy import default
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape
from sqlalchemy import select

from inbound_helpers import letter
from sweep_helpers import local, ticket
from web_helpers import Site, csrf, login, make_site
from xinxiang.services.context import AppContext
from xinxiang.services.ingest import MessageOrigin, ingest_raw
from xinxiang.store.models import LetterRow, TicketRow
from xinxiang.store.models_replies import HoldingRow
from xinxiang.store.models_web import AuditRow
from xinxiang.web.app import create_app
from xinxiang.web.queries import PAGE_SIZE
from xinxiang.web.render import escape_text

FIRE = ("实验楼着火", "实验楼三楼着火了，走廊里冒烟很严重，请马上处理！")
VAGUE = ("一点想法", "您好，我有一些想法想和学校交流。")


def _ingest(ctx: AppContext, raw: bytes) -> str:
    out = ingest_raw(
        ctx, raw, MessageOrigin("shuji", "书记信箱", "test"), local(2026, 12, 1, 9, 40)
    )
    assert out.ticket_number is not None
    return out.ticket_number


def build(tmp_config, db_url: str) -> Site:
    """The shared site plus an emergency, an unroutable letter (triage), one letter with an
    attachment, and one mail in the holding pen (待甄别)."""
    s = make_site(tmp_config, db_url)
    s.tickets["fire"] = _ingest(s.ctx, letter(*FIRE, sender="d@stu.example.edu.cn"))
    s.tickets["vague"] = _ingest(s.ctx, letter(*VAGUE, sender="e@stu.example.edu.cn"))
    msg = email.message_from_bytes(
        letter("宿舍热水照片", "热水问题的照片见附件。", sender="f@stu.example.edu.cn"),
        policy=default,
    )
    msg.add_attachment(b"\x89PNG\r\n\x1a\n" + b"0" * 2000, "image", "png", filename="现场照片.png")
    s.tickets["photo"] = _ingest(s.ctx, bytes(msg))
    with s.ctx.db.unit_of_work() as session:
        letter_id = session.execute(select(LetterRow.id).limit(1)).scalar_one()
        session.add(
            HoldingRow(
                letter_id=letter_id,
                rule="unknown-sender",
                reason="未登记的发件人",
                state="open",
                created_at=local(2026, 12, 1, 10, 0),
            )
        )
    return s


@pytest.fixture
def site(tmp_config, tmp_path: Path) -> Site:
    """The site on SQLite (the pages' SQL runs on PostgreSQL in the tests taking `db_url`)."""
    return build(tmp_config, f"sqlite:///{tmp_path / 'web.db'}")


def _office(site: Site):
    client = site.client()
    login(client, "office1")
    return client


def test_health_and_start_page_contract(site: Site, tmp_config) -> None:
    client = site.client()
    assert client.get("/healthz").status_code == 200
    start = client.get("/")
    assert start.status_code == 200
    form = re.search(r'<form method="post" action="/lookup".*?</form>', start.text, re.S)
    assert form is not None
    assert 'name="number"' in form.group(0) and 'name="code"' in form.group(0)
    assert 'name="csrf_token"' in form.group(0)
    assert client.get("/office/").headers["location"].startswith("/login")

    broken = tmp_config(database_url="sqlite:////nonexistent-dir/none/x.db")
    from xinxiang.config import load_config

    down = create_app(AppContext(load_config(broken)), clock=site.clock)
    from starlette.testclient import TestClient

    assert TestClient(down).get("/healthz").status_code == 503


def test_lookup_shows_progress_for_the_right_code_only(site: Site) -> None:
    number = site.tickets["hqc"]
    t = ticket(site.ctx, number)
    client = site.client()
    token = csrf(client, "/")
    typed = t.query_code.lower()[:3] + "-" + t.query_code.lower()[3:]  # case, dash: no matter
    r = client.post("/lookup", data={"number": number, "code": typed, "csrf_token": token})
    assert r.status_code == 200 and number in r.text and "已转办" in r.text
    assert "2026年12月1日" in r.text and "24:00 前" in r.text
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["referrer-policy"] == "no-referrer"
    for private in ("宿舍热水问题", "热水已经三天", "后勤管理处", "hqc", "a@stu", "张三", "dzb"):
        assert private not in r.text, private

    wrong = client.post("/lookup", data={"number": number, "code": "AAAAAA", "csrf_token": token})
    assert wrong.status_code == 200 and "不正确" in wrong.text and "已转办" not in wrong.text
    other = site.tickets["tsg"]
    crossed = client.post("/lookup", data={"number": other, "code": typed, "csrf_token": token})
    assert "已转办" not in crossed.text
    assert client.get("/lookup").status_code == 303  # never a code in a URL
    assert client.post("/lookup", data={"number": number, "code": typed}).status_code == 403


def test_lookup_tries_per_ticket_number_are_limited(site: Site) -> None:
    number = site.tickets["tsg"]
    code = ticket(site.ctx, number).query_code
    client = site.client()
    token = csrf(client, "/")
    for _ in range(6):  # the petitioner's own lookups are not guesses
        r = client.post("/lookup", data={"number": number, "code": code, "csrf_token": token})
        assert r.status_code == 200 and "已转办" in r.text
    for guess in ("AAAAAA", "BBBBBB", "CCCCCC", "DDDDDD", "EEEEEE"):
        client.post("/lookup", data={"number": number, "code": guess, "csrf_token": token})
    r = client.post("/lookup", data={"number": number, "code": code, "csrf_token": token})
    assert r.status_code == 429 and "已转办" not in r.text
    site.clock.now += timedelta(hours=1, seconds=1)
    r = client.post("/lookup", data={"number": number, "code": code, "csrf_token": token})
    assert r.status_code == 200 and "已转办" in r.text


def _tile(html: str, label: str) -> int:
    match = re.search(r'<span class="n">(\d+)</span>' + label, html)
    assert match, label
    return int(match.group(1))


def test_dashboard_counts(tmp_config, db_url: str) -> None:
    site = build(tmp_config, db_url)
    client = _office(site)
    page = client.get("/office/").text
    assert ticket(site.ctx, site.tickets["fire"]).urgency == "emergency"
    assert ticket(site.ctx, site.tickets["vague"]).status == "triage"
    assert _tile(page, "紧急事项") == 1 and site.tickets["fire"] in page
    assert _tile(page, "待分办") == 1 and site.tickets["vague"] in page
    assert _tile(page, "待甄别邮件") == 1
    # The emergency came in at 09:40 with one hour to respond: overdue at 11:00 already.
    assert _tile(page, "已超时") == 1
    assert re.search(r"保卫处</a></td><td>1</td>", page)
    due_today = _tile(page, "今日到期")
    assert due_today >= 4  # the four track-1 letters are due at 24:00 today
    # After midnight what was due today is overdue, counted by the department that owes it.
    site.clock.now = local(2026, 12, 2, 0, 30)
    later = _office(site).get("/office/").text
    assert _tile(later, "已超时") >= 5
    for name in ("后勤管理处", "图书馆", "学生处"):
        assert re.search(name + r"</a></td><td>\d+</td>", later), name


def test_ticket_list_filters_and_paging(tmp_config, db_url: str) -> None:
    site = build(tmp_config, db_url)
    client = _office(site)
    assert "已转办" in client.get("/tickets").text and "待审核" in client.get("/tickets").text
    triage = client.get("/tickets", params={"status": "triage"}).text
    assert site.tickets["vague"] in triage and site.tickets["hqc"] not in triage
    tsg = client.get("/tickets", params={"department": "tsg"}).text
    assert site.tickets["tsg"] in tsg and site.tickets["hqc"] not in tsg
    early = client.get("/tickets", params={"overdue": "1"}).text
    assert "共 1 件" in early and site.tickets["fire"] in early
    site.clock.now = local(2026, 12, 2, 0, 30)
    client = _office(site)  # a new working day, a new session
    overdue = client.get("/tickets", params={"overdue": "1", "department": "hqc"}).text
    assert site.tickets["hqc"] in overdue and site.tickets["tsg"] not in overdue
    assert client.get("/tickets", params={"status": "nonsense", "page": "x"}).status_code == 200

    # Enough tickets for a second page (copies of one row; the list only reads them).
    with site.ctx.db.unit_of_work() as s:
        base = s.execute(select(TicketRow).limit(1)).scalar_one()
        columns = [c.key for c in TicketRow.__table__.columns if c.key not in ("id", "number")]
        for i in range(PAGE_SIZE):
            s.add(TicketRow(number=f"2026-{500 + i:06d}", **{c: getattr(base, c) for c in columns}))
    first = client.get("/tickets").text
    assert "第 1 / 2 页" in first and 'href="/tickets?page=2"' in first
    second = client.get("/tickets", params={"page": "2"}).text
    shown = set(re.findall(r'href="/tickets/(2026-\d{6})"', first + second))
    assert len(shown) == PAGE_SIZE + len(site.tickets)


@given(st.text())
def test_list_cells_are_escaped_exactly_as_the_templates_escape(value: str) -> None:
    """The list's rows are written outside the template (`views_staff._rows_html`)."""
    assert escape_text(value) == str(escape(value))


def test_the_list_shows_a_subject_as_text_never_as_markup(site: Site) -> None:
    subject = """<script>alert("x")</script> & <b onclick='y'>食堂</b>"""
    with site.ctx.db.unit_of_work() as s:
        row = s.execute(select(TicketRow).where(TicketRow.number == site.tickets["hqc"]))
        row.scalar_one().subject = subject
    page = _office(site).get("/tickets").text
    assert "<script" not in page and "<b " not in page
    assert str(escape(subject)) in page
    assert '<option value="hqc">后勤管理处</option>' in page
    chosen = _office(site).get("/tickets", params={"department": "hqc", "status": "triage"}).text
    assert '<option value="hqc" selected>' in chosen
    assert '<option value="triage" selected>' in chosen


def test_ticket_page(site: Site) -> None:
    client = _office(site)
    number = site.tickets["photo"]
    r = client.get(f"/tickets/{number}")
    assert r.status_code == 200
    html = r.text
    assert "热水问题的照片见附件。" in html
    assert "现场照片.png" in html and "image/png" in html
    assert "命中规则" in html and "后勤" in html
    assert "2026年12月1日（星期二）24:00 前" in html and "00:00 前" not in html
    for label in ("登记", "转办"):  # timeline in Chinese (services.records.EVENT_LABELS)
        assert f"<strong>{label}</strong>" in html
    assert "received" not in html and "dispatched" not in html
    co = client.get(f"/tickets/{site.tickets['xsc']}").text
    assert "协办：后勤管理处" in co and "协办结果（后勤管理处）" in co
    with site.ctx.db.unit_of_work() as s:
        seen = [
            (a.account, a.role, a.action, a.resource)
            for a in s.execute(select(AuditRow).where(AuditRow.action == "view-ticket")).scalars()
        ]
    assert seen == [
        ("office1", "office", "view-ticket", number),
        ("office1", "office", "view-ticket", site.tickets["xsc"]),
    ]


def test_pages_fit_a_phone_and_need_no_script(site: Site) -> None:
    client = _office(site)
    for path in ("/", "/login", "/office/", "/tickets", f"/tickets/{site.tickets['hqc']}"):
        html = client.get(path).text
        assert 'name="viewport" content="width=device-width, initial-scale=1"' in html, path
        assert '<html lang="zh-CN">' in html and "<script" not in html, path
    css = client.get("/static/app.css")
    assert css.status_code == 200 and "@media (max-width" in css.text


def test_xinxiang_web_serves_the_console(tmp_config) -> None:
    import socket
    import subprocess
    import sys
    import time

    import httpx

    from inbound_helpers import context

    cfg_dir = tmp_config()
    context(cfg_dir).close()  # migrated
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "xinxiang", "web", "-c", str(cfg_dir), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60  # an upper bound on a loaded machine, not a timing
        while True:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/healthz")
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "xinxiang web did not start"
                time.sleep(0.2)
        assert r.status_code == 200 and r.text == "ok"
        assert "server" not in r.headers  # no product banner
        assert "content-security-policy" in r.headers
    finally:
        proc.terminate()
        proc.wait(30)
