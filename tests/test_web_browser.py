"""End to end in a real browser: Debian's chromium, headless, driven over the Chrome DevTools
protocol (a small client on `websockets`), against the console served by uvicorn.

A department signs in through the login form and sees its own tickets and nothing else; the
office approves an answer with an edit and routes a triage ticket, and sees both audit lines on
the timelines; a petitioner rates an answer from the revisit mail's link on a phone. Pages
are captured as screenshots (written under the test's tmp_path, printed with the output).
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import select
from websockets.sync.client import ClientConnection, connect

from sweep_helpers import local, outbox, text_of, update_ticket
from web_action_helpers import department_answers, triage_ticket
from web_helpers import PASSWORD, Site, make_site
from xinxiang.services.revisit import revisit_pass
from xinxiang.services.sweep import sweep
from xinxiang.store.models import TicketRow
from xinxiang.store.models_revisit import RevisitRow
from xinxiang.web.app import create_app

WAIT_SECONDS = 30.0  # an upper bound for a page to settle on a loaded machine, not a timing


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        msg = "Debian's chromium is not installed (apt-get install chromium; ./dev.sh setup)"
        if os.environ.get("XINXIANG_REQUIRE_SERVERS") == "1":
            pytest.fail(msg)
        pytest.skip(msg)
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_config, tmp_path: Path) -> Iterator[tuple[Site, str]]:
    """The site served by a real uvicorn on loopback (its public address, so mailed links
    lead to it); (site, base URL)."""
    port = _free_port()
    public = {"school": {"public_url": f"http://127.0.0.1:{port}"}}
    site = make_site(
        lambda **kw: tmp_config(overrides=public, **kw), f"sqlite:///{tmp_path / 'web.db'}"
    )
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(site.ctx, clock=site.clock), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT_SECONDS
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield site, f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(WAIT_SECONDS)


class Browser:
    """Headless chromium and one DevTools connection; each `page()` gets its own profile."""

    def __init__(self, binary: str, profile: Path) -> None:
        self.proc = subprocess.Popen(
            [
                binary,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-extensions",
                "--remote-debugging-port=0",
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + WAIT_SECONDS
        while not (port_file.exists() and len(port_file.read_text().split()) == 2):
            assert self.proc.poll() is None, "chromium exited"
            assert time.monotonic() < deadline, "chromium did not open its DevTools port"
            time.sleep(0.1)
        port, path = port_file.read_text().split()
        self._stack = ExitStack()
        self.ws: ClientConnection = self._stack.enter_context(
            connect(f"ws://127.0.0.1:{port}{path}", max_size=None)
        )
        self.ids = itertools.count(1)

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """One DevTools command; its result (events arriving meanwhile are ignored)."""
        msg_id = next(self.ids)
        message: dict[str, Any] = {"id": msg_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        while True:
            reply = json.loads(self.ws.recv(timeout=WAIT_SECONDS))
            if reply.get("id") == msg_id:
                assert "error" not in reply, reply
                return dict(reply.get("result", {}))

    def page(self, width: int, height: int, mobile: bool = False) -> Page:
        """A fresh tab in a fresh browser context (its own cookies)."""
        context = self.send("Target.createBrowserContext")["browserContextId"]
        target = self.send("Target.createTarget", url="about:blank", browserContextId=context)
        session = self.send("Target.attachToTarget", targetId=target["targetId"], flatten=True)
        page = Page(self, session["sessionId"])
        page.call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=mobile,
        )
        return page

    def close(self) -> None:
        self._stack.close()
        self.proc.terminate()
        self.proc.wait(WAIT_SECONDS)


class Page:
    """One tab: navigate, fill and submit forms, read the text, take a screenshot."""

    def __init__(self, browser: Browser, session: str) -> None:
        self.browser = browser
        self.session = session

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        return self.browser.send(method, self.session, **params)

    def js(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    def wait_for(self, path: str) -> None:
        """Until the page at `path` has loaded."""
        deadline = time.monotonic() + WAIT_SECONDS
        while (self.js("location.pathname"), self.js("document.readyState")) != (path, "complete"):
            assert time.monotonic() < deadline, (path, self.js("location.href"))
            time.sleep(0.1)

    def goto(self, url: str, path: str) -> None:
        self.call("Page.navigate", url=url)
        self.wait_for(path)

    def submit(self, form: str, values: dict[str, str], then: str) -> None:
        """Fill the form's fields, submit it as a user would, wait for the page at `then`."""
        fill = ";".join(
            f"document.querySelector({json.dumps(form)}).elements[{json.dumps(k)}].value"
            f" = {json.dumps(v)}"
            for k, v in values.items()
        )
        self.js(f"{fill}; document.querySelector({json.dumps(form)}).requestSubmit()")
        self.wait_for(then)

    def text(self) -> str:
        return str(self.js("document.body.innerText"))

    def screenshot(self, path: Path) -> Path:
        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        path.write_bytes(base64.b64decode(data["data"]))
        return path


def receipt_text(site: Site, number: str) -> str:
    """The receipt mail of ticket `number` as the petitioner receives it (rendered when sent)."""
    from email import message_from_bytes, policy

    from xinxiang.outgoing.door import render_deferred
    from xinxiang.store.models import OutboxRow

    with site.ctx.db.unit_of_work() as s:
        t = s.execute(select(TicketRow).where(TicketRow.number == number)).scalar_one()
        row = s.execute(
            select(OutboxRow).where(OutboxRow.ticket_id == t.id, OutboxRow.kind == "ack")
        ).scalar_one()
        raw = row.raw or render_deferred(site.ctx, s, row)
    assert raw is not None
    msg = message_from_bytes(raw, policy=policy.default)
    body = msg.get_body(("plain",))  # type: ignore[attr-defined]
    return str(body.get_content())


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Browser]:
    b = Browser(_chromium(), tmp_path / "chromium-profile")
    try:
        yield b
    finally:
        b.close()


def test_a_department_signs_in_and_sees_only_its_tickets(
    served: tuple[Site, str], browser: Browser, tmp_path: Path
) -> None:
    site, base = served
    phone = browser.page(390, 844, mobile=True)
    phone.goto(f"{base}/tickets", "/login")  # no session: to the login page
    phone.submit('form[action="/login"]', {"name": "tsg1", "password": PASSWORD}, "/tickets")
    text = phone.text()
    assert "工单列表" in text and "tsg1（承办单位）" in text
    assert site.tickets["tsg"] in text
    assert site.tickets["hqc"] not in text and site.tickets["xsc"] not in text
    phone.goto(f"{base}/tickets/{site.tickets['hqc']}", f"/tickets/{site.tickets['hqc']}")
    assert "页面不存在或无权访问" in phone.text()  # guessing the URL gives nothing
    phone.goto(f"{base}/tickets/{site.tickets['tsg']}", f"/tickets/{site.tickets['tsg']}")
    assert "图书馆座位" in phone.text() and "24:00 前" in phone.text()
    shot = phone.screenshot(tmp_path / "ticket-phone.png")

    desk = browser.page(1280, 900)
    desk.goto(f"{base}/office/", "/login")
    desk.submit('form[action="/login"]', {"name": "office1", "password": PASSWORD}, "/office/")
    assert "工作台" in desk.text() and "今日到期" in desk.text()
    dash = desk.screenshot(tmp_path / "dashboard.png")
    print(f"screenshots: {shot} {dash}")
    assert shot.stat().st_size > 10_000 and dash.stat().st_size > 10_000


def _wait_text(page: Page, text: str) -> str:
    """Until `text` shows on the page (after a form posted back to the same address)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while text not in (shown := page.text()):
        assert time.monotonic() < deadline, (text, shown[:500])
        time.sleep(0.1)
    return shown


def test_the_office_approves_with_an_edit_and_routes_a_triage_ticket(
    served: tuple[Site, str], browser: Browser, tmp_path: Path
) -> None:
    site, base = served
    triage = triage_ticket(site)
    department_answers(site, "hqc")
    hqc = site.tickets["hqc"]
    desk = browser.page(1280, 900)
    desk.goto(f"{base}/office/", "/login")
    desk.submit('form[action="/login"]', {"name": "office1", "password": PASSWORD}, "/office/")
    # From the dashboard's 待审核 list to the ticket: the answer, its redaction preview, the
    # edit box prefilled with the redacted text; the clerk adds a line and approves the edit.
    desk.js(f"document.querySelector('a[href=\"/tickets/{hqc}#actions\"]').click()")
    desk.wait_for(f"/tickets/{hqc}")
    assert "脱敏预览" in desk.text() and "13812345678" in desk.text()
    assert "13812345678" not in str(desk.js("document.querySelector('#approve textarea').value"))
    before = desk.screenshot(tmp_path / "approve-with-edit.png")
    desk.js(
        "document.querySelector('#approve textarea').value += '（已安排回访。）';"
        "document.querySelector('#approve button[value=edit]').click()"
    )
    approved = _wait_text(desk, "（经修改），已发送来信人")
    assert (
        "网上操作：修改后审核通过" in approved and "office1（党政办公室，IP 127.0.0.1）" in approved
    )
    after = desk.screenshot(tmp_path / "approved-timeline.png")
    # The triage queue on the dashboard links to the ticket; 转办 from its form.
    desk.goto(f"{base}/office/", "/office/")
    desk.js(f"document.querySelector('a[href=\"/tickets/{triage}\"]').click()")
    desk.wait_for(f"/tickets/{triage}")
    desk.js(
        "document.querySelector('#route select').value = 'hqc';"
        "document.querySelector('#route').requestSubmit()"
    )
    routed = _wait_text(desk, "已转办至后勤管理处")
    assert "网上操作：转办/改派" in routed and "office1（党政办公室，IP 127.0.0.1）" in routed
    desk.goto(f"{base}/tickets/{hqc}", f"/tickets/{hqc}")
    assert "网上操作：修改后审核通过" in desk.text()  # both audit lines stay on their timelines
    shot = desk.screenshot(tmp_path / "routed-timeline.png")
    print(f"screenshots: {before} {after} {shot}")
    assert all(p.stat().st_size > 10_000 for p in (before, after, shot))


def test_a_department_answers_and_a_petitioner_writes_from_a_phone(
    served: tuple[Site, str], browser: Browser, tmp_path: Path
) -> None:
    site, base = served
    hqc = site.tickets["hqc"]
    desk = browser.page(1280, 900)
    desk.goto(f"{base}/tickets/{hqc}", "/login")
    desk.submit('form[action="/login"]', {"name": "hqc1", "password": PASSWORD}, f"/tickets/{hqc}")
    assert "承办单位办理" in desk.text() and "正式回复" in desk.text()
    desk.submit("#dept-formal", {"text": "12号楼热水已修复，欢迎继续监督。"}, f"/tickets/{hqc}")
    answered = _wait_text(desk, "网上操作：正式回复")
    assert "hqc1（承办单位）" in answered and "12号楼热水已修复" in answered
    answer = desk.screenshot(tmp_path / "department-formal-answer.png")

    phone = browser.page(390, 844, mobile=True)
    phone.goto(f"{base}/", "/")
    assert "网上来信" in phone.text() and "进度查询" in phone.text()
    assert phone.js("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    phone.submit(
        "#letter-form",
        {
            "category": "后勤保障",
            "subject": "食堂排队太久",
            "text": "中午食堂排队要二十分钟，希望增加窗口。",
            "public": "yes",
            "email": "phone@stu.example.edu.cn",
        },
        "/letter",
    )
    done = _wait_text(phone, "来信已提交")
    assert "查询码将通过回执邮件发送" in done
    number = str(phone.js("document.querySelector('#ticket-number').textContent"))
    with site.ctx.db.unit_of_work() as s:
        t = s.execute(select(TicketRow).where(TicketRow.number == number)).scalar_one()
        assert t.channel == "网上来信" and t.subject == "食堂排队太久" and t.public_consent
    letter = phone.screenshot(tmp_path / "letter-phone.png")
    print(f"screenshots: {answer} {letter}")
    assert answer.stat().st_size > 10_000 and letter.stat().st_size > 10_000


def test_a_leader_finds_its_supervision_items_and_records_a_批示(
    served: tuple[Site, str], browser: Browser, tmp_path: Path
) -> None:
    site, base = served
    sweep(site.ctx, local(2026, 12, 4, 10, 0))  # the Tuesday letters: overdue, 逾期督办
    site.clock.now = local(2026, 12, 4, 11, 0)
    number = site.tickets["hqc"]
    desk = browser.page(1280, 900)
    desk.goto(f"{base}/login", "/login")  # a leader lands on its 督办 items
    desk.submit(
        'form[action="/login"]', {"name": "leader-hqc", "password": PASSWORD}, "/supervision"
    )
    text = desk.text()
    assert "督办事项" in text and "后勤管理处" in text and "逾期督办" in text
    assert number in text and site.tickets["tsg"] not in text
    listing = desk.screenshot(tmp_path / "supervision.png")
    desk.goto(f"{base}/tickets/{number}", f"/tickets/{number}")
    desk.submit(
        "#instruct-form", {"text": "请后勤处今天内修复热水并答复来信人。"}, f"/tickets/{number}"
    )
    shown = _wait_text(desk, "已录入批示并发送承办单位")
    assert "请后勤处今天内修复热水并答复来信人。" in shown and "网上操作：批示" in shown
    shot = desk.screenshot(tmp_path / "instruction.png")
    print(f"screenshots: {listing} {shot}")
    [mail] = outbox(site.ctx, ("instruction",))
    assert mail.recipients == ["hqc@example.edu.cn"]
    assert "请后勤处今天内修复热水并答复来信人。" in text_of(mail)


def test_a_petitioner_looks_up_with_the_receipts_code_and_rates_on_a_phone(
    served: tuple[Site, str], browser: Browser, tmp_path: Path
) -> None:
    """The signed link of the revisit mail: GET shows what it would record and changes nothing
    (a link scanner cannot vote); the confirmation's POST records it, once."""
    site, base = served
    number = site.tickets["hqc"]
    answered = site.clock.now
    update_ticket(site.ctx, number, status="answered", revisit_due=answered + timedelta(hours=48))
    assert revisit_pass(site.ctx, answered + timedelta(hours=1)).sent == [number]
    [mail] = outbox(site.ctx, ("revisit",))
    link = re.search(r"4 满意：(" + re.escape(base) + r"/revisit/(\S+))", text_of(mail))
    assert link is not None, text_of(mail)
    path = f"/revisit/{link.group(2)}"

    phone = browser.page(390, 844, mobile=True)
    # First the petitioner looks the letter up with the 查询码 of the receipt mail.
    code = re.search(r"查询码：\s*(\S+)", receipt_text(site, number))
    assert code is not None
    phone.goto(f"{base}/", "/")
    phone.submit('form[action="/lookup"]', {"number": number, "code": code.group(1)}, "/lookup")
    progress = _wait_text(phone, number)
    assert "已答复" in progress, progress
    looked_up = phone.screenshot(tmp_path / "lookup-phone.png")
    phone.goto(link.group(1), path)
    shown = phone.text()
    assert "满意度评价" in shown and f"受理编号 {number}" in shown and "4 满意" in shown
    assert phone.js("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    confirm = phone.screenshot(tmp_path / "revisit-confirm-phone.png")

    def round_row() -> RevisitRow:
        with site.ctx.db.unit_of_work() as s:
            return s.execute(select(RevisitRow)).scalar_one()

    assert (round_row().state, round_row().rating) == ("sent", None)  # the GET changed nothing
    phone.js(
        "document.querySelector('textarea[name=comment]').value = '热水已恢复，谢谢。';"
        "document.querySelector('form[method=post]').requestSubmit()"
    )
    done = _wait_text(phone, "感谢您的反馈")
    assert f"您对受理编号 {number} 的评价“满意”已记录" in done
    recorded = phone.screenshot(tmp_path / "revisit-recorded-phone.png")
    r = round_row()
    assert (r.state, r.rating, r.channel, r.comment) == ("rated", 4, "link", "热水已恢复，谢谢。")
    phone.goto(link.group(1), path)  # the link is single-use
    assert "该评价链接已使用或已失效" in phone.text()
    print(f"screenshots: {looked_up} {confirm} {recorded}")
    assert confirm.stat().st_size > 10_000 and recorded.stat().st_size > 5_000
