"""Specification of a department's answers on the web console (issue 14): its tickets deadlines
first; 受理, 初步/正式回复, 退回, 延期申请 and 协办结果 as forms on the ticket page, carried out by
the same commands as mail replies (actor: the account, channel "web"); refusals in Chinese;
支撑材料 uploaded within size and type limits and downloaded only as attachments; never the
name or address of an identity-confidential petitioner; nothing on another department's ticket.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from starlette.testclient import TestClient

from sweep_helpers import new_ticket, ticket, update_ticket
from web_helpers import NOW, T0, Site, csrf, login, make_site
from xinxiang.handlers import Actor, RouteTicket, handle
from xinxiang.store.models import EventRow, TicketRow
from xinxiang.store.models_web import AuditRow

FORMAL = "您反映的12号楼热水问题已修复，感谢监督。"
SMALL = {"web": {"evidence_max_bytes": 4096, "evidence_types": ["pdf", "png", "mp3"]}}

# (case, account, ticket, action, form, shown afterwards, status afterwards)
# fmt: off
STEPS: list[tuple[str, str, str, str, dict[str, Any], str, str]] = [
    ("受理", "hqc1", "hqc", "accept", {}, "已记录为受理", "accepted"),
    ("受理 twice", "hqc1", "hqc", "accept", {}, "已记录为受理", "accepted"),
    ("初步回复 without text", "hqc1", "hqc", "preliminary", {"text": " "}, "请填写答复内容", "accepted"),  # noqa: E501
    ("初步回复", "hqc1", "hqc", "preliminary", {"text": "已安排维修。", "planned": "2026-12-03"}, "初步回复", "preliminary"),  # noqa: E501
    ("延期 with a bad date", "hqc1", "hqc", "extension", {"until": "12/5", "reason": "等配件"}, "格式不正确", "preliminary"),  # noqa: E501
    ("延期申请", "hqc1", "hqc", "extension", {"until": "2026-12-05", "reason": "等配件"}, "延期", "preliminary"),  # noqa: E501
    ("正式回复", "hqc1", "hqc", "formal", {"text": FORMAL}, "正式回复", "answered"),
    ("退回 after the answer", "hqc1", "hqc", "return", {"reason": "不属于本单位"}, "已办结，不再接受答复", "answered"),  # noqa: E501
    ("协办结果", "hqc1", "xsc", "cohandler", {"text": "后勤处已核实宿舍用电情况。"}, "协办", "dispatched"),  # noqa: E501
    ("退回 needs a reason", "tsg1", "tsg", "return", {"reason": ""}, "请填写退回理由", "dispatched"),  # noqa: E501
    ("退回", "tsg1", "tsg", "return", {"reason": "不属于图书馆职责"}, "退回", "triage"),
]
# fmt: on

_FLASH = re.compile(r'<p class="flash (ok|refused)"[^>]*>(.*?)</p>', re.S)


def _clients(site: Site, *names: str) -> dict[str, tuple[TestClient, str]]:
    """Signed-in clients and their CSRF tokens, one login per account and site (argon2 makes
    each login cost a good part of a second on a loaded machine)."""
    known: dict[str, tuple[TestClient, str]] = site.__dict__.setdefault("signed_in", {})
    for name in names:
        if name not in known:
            client = site.client()
            login(client, name)
            known[name] = (client, csrf(client, "/tickets"))
    return {name: known[name] for name in names}


def run_steps(site: Site, steps: list[tuple[str, str, str, str, dict[str, Any], str, str]]) -> None:
    """Each step as a browser posts it; the page after shows the summary or the refusal."""
    clients = _clients(site, *sorted({s[1] for s in steps}))
    wrong = []
    for case, name, key, action, form, expected, status in steps:
        client, token = clients[name]
        number = site.tickets[key]
        r = client.post(f"/tickets/{number}/dept/{action}", data={"csrf_token": token, **form})
        assert r.status_code == 303 and r.headers["location"] == f"/tickets/{number}", case
        page = html.unescape(client.get(f"/tickets/{number}").text)
        flash = _FLASH.findall(page)
        got = (flash[0][1] if flash else "", ticket(site.ctx, number).status)
        if expected not in got[0] or got[1] != status:
            wrong.append((case, got))
    assert not wrong, wrong
    with site.ctx.db.unit_of_work() as s:
        audited = s.execute(
            select(AuditRow).where(AuditRow.action.like("ticket-dept-%")).order_by(AuditRow.id)
        ).scalars()
        assert [(a.account, a.action) for a in audited] == [
            (name, f"ticket-dept-{action}") for _c, name, _k, action, *_ in steps
        ]
        # The commands ran as the account on the web: the ticket's log names it.
        actors = s.execute(
            select(EventRow.actor)
            .join(TicketRow, TicketRow.id == EventRow.ticket_id)
            .where(TicketRow.number == site.tickets["hqc"])
        ).scalars()
        assert "hqc1" in set(actors)
        # The page is the confirmation: no mail to the account (it has no address) is tried.
        skipped = s.execute(select(EventRow.id).where(EventRow.kind == "mail_skipped")).all()
        assert skipped == []


def test_a_department_answers_from_the_web(tmp_config, tmp_path) -> None:
    """One deployment for the whole round (each site costs seconds): forbidden attempts first
    (they change nothing), then the answers, the evidence, a confidential letter."""
    site = make_site(
        lambda **kw: tmp_config(overrides=SMALL, **kw), f"sqlite:///{tmp_path / 'web.db'}"
    )
    others_cannot_answer(site)
    # Deadlines first: the co-handled ticket's running deadline is the nearer one.
    update_ticket(site.ctx, site.tickets["xsc"], response_due=NOW)
    ((client, _token),) = _clients(site, "hqc1").values()
    listing = client.get("/tickets").text
    assert site.tickets["tsg"] not in listing
    assert listing.index(site.tickets["xsc"]) < listing.index(site.tickets["hqc"])
    assert "最近时限" in listing and "24:00 前" in listing
    own, co = (client.get(f"/tickets/{site.tickets[k]}").text for k in ("hqc", "xsc"))
    assert 'id="dept-formal"' in own and 'id="dept-cohandler"' not in own
    assert 'id="dept-cohandler"' in co and 'id="dept-formal"' not in co
    site.clock.now = T0 + timedelta(minutes=20)  # within the hour after 转办: 退回 is possible
    run_steps(site, STEPS)
    site.clock.now = NOW
    timeline = client.get(f"/tickets/{site.tickets['hqc']}").text
    assert "网上操作：正式回复" in timeline and "hqc1（承办单位）" in timeline
    assert FORMAL in timeline
    evidence_within_limits(site)
    confidential_petitioner_hidden(site)


# (account, ticket, action, status): 404 for a ticket the account cannot see (like a missing
# one), 403 for an answer it may not give on a ticket it sees.
# fmt: off
FORBIDDEN: list[tuple[str, str, str, int]] = [
    *[("hqc1", "xsc", a, 403) for a in ("accept", "formal", "return", "extension")],  # 协办 only
    ("hqc1", "hqc", "cohandler", 403),  # it leads hqc: no 协办结果 there
    *[("hqc1", "tsg", a, 404) for a in ("accept", "formal", "evidence")],  # another's ticket
    ("tsg1", "xsc", "cohandler", 404),
    ("hqc1", "hqc", "nonsense", 404),
    *[(n, "hqc", a, 403) for n in ("office1", "auditor1", "leader-hqc") for a in ("formal", "evidence")],  # noqa: E501
]
# fmt: on


def others_cannot_answer(site: Site) -> None:
    """Every attempt of `FORBIDDEN` is refused and changes nothing; without CSRF token 403,
    without a session to the login page."""
    clients = _clients(site, *sorted({f[0] for f in FORBIDDEN}))
    form = {"text": "x", "reason": "x", "until": "2026-12-04"}
    for name, key, action, status in FORBIDDEN:
        client, token = clients[name]
        path = f"/tickets/{site.tickets[key]}/dept/{action}"
        r = client.post(path, data={"csrf_token": token, **form})
        assert r.status_code == status, (name, key, action)
    hqc = f"/tickets/{site.tickets['hqc']}/dept/formal"
    assert clients["hqc1"][0].post(hqc, data=form).status_code == 403  # no CSRF token
    anonymous = site.client()
    r = anonymous.post(hqc, data={"csrf_token": csrf(anonymous, "/"), **form})
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    for key in ("hqc", "tsg", "xsc"):
        assert ticket(site.ctx, site.tickets[key]).status == "dispatched"  # nothing changed


def evidence_within_limits(site: Site) -> None:
    """支撑材料: uploaded within size and type limits, downloaded only as attachments."""
    clients = _clients(site, "hqc1", "tsg1", "office1")
    client, token = clients["hqc1"]
    hqc = site.tickets["hqc"]
    pdf = b"%PDF-1.4 <html><script>alert(1)</script>" + b"0" * 100

    def upload(*files: tuple[str, bytes]) -> str:
        r = client.post(
            f"/tickets/{hqc}/dept/evidence",
            data={"csrf_token": token},
            files=[("files", (n, d, "text/html")) for n, d in files],
        )
        assert r.status_code == 303, r.text
        return html.unescape(_FLASH.findall(client.get(f"/tickets/{hqc}").text)[0][1])

    # (files, shown)
    for files, shown in [
        ((("a.exe", b"MZ"),), "不支持的文件类型"),
        ((("page.html", b"<script>"),), "不支持的文件类型"),
        ((("big.pdf", b"0" * 5000),), "文件过大"),
        ((("empty.pdf", b""),), "文件为空"),
        ((("x.pdf", pdf),) * 5, "一次最多上传 4 个文件"),
        ((("现场照片.png", b"\x89PNG" + b"1" * 64), ("整改报告.pdf", pdf)), "已上传支撑材料 2 个"),
    ]:
        assert shown in upload(*files), files
    page = client.get(f"/tickets/{hqc}").text
    links = re.findall(rf'href="(/tickets/{hqc}/files/[0-9a-f]{{64}})"', page)
    assert len(links) == 2 and "整改报告.pdf" in page
    r = client.get(links[1])
    assert r.status_code == 200 and r.content == pdf
    assert r.headers["content-type"] == "application/octet-stream"
    assert r.headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E6%95%B4%E6%94%B9" in r.headers["content-disposition"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert clients["office1"][0].get(links[1]).status_code == 200  # the office reads it too
    assert clients["tsg1"][0].get(links[1]).status_code == 404  # another department: nothing
    tsg_path = links[1].replace(hqc, site.tickets["tsg"])  # the file's hash on another ticket
    assert clients["tsg1"][0].get(tsg_path).status_code == 404
    assert client.get(f"/tickets/{hqc}/files/{'0' * 64}").status_code == 404
    with site.ctx.db.unit_of_work() as s:
        kinds = (
            s.execute(select(EventRow.data).where(EventRow.kind == "evidence_added"))
            .scalars()
            .all()
        )
        assert [k["filename"] for k in kinds] == ["现场照片.png", "整改报告.pdf"]
        assert all(k["channel"] == "web" and len(k["sha256"]) == 64 for k in kinds)
    # A body over the upload cap is refused before it is read.
    big = client.post(
        f"/tickets/{hqc}/dept/evidence",
        data={"csrf_token": token},
        files=[("files", ("a.pdf", b"0" * (4 * 4096 + 70_000), "application/pdf"))],
    )
    assert big.status_code == 413


CONFIDENTIAL = (
    "宿舍热水问题",
    "12号楼热水三天没有了。请对我的身份保密，我叫李四，电话13900001111。",
)


def confidential_petitioner_hidden(site: Site) -> None:
    """A department (and its leader) never sees an identity-confidential petitioner."""
    number = new_ticket(site.ctx, NOW, CONFIDENTIAL, sender="lisi@stu.example.edu.cn")
    assert ticket(site.ctx, number).status == "triage"  # the office reads it first
    office = Actor(role="office", name="office1", channel="web")
    handle(RouteTicket(office, number, "hqc"), site.ctx, NOW)
    clients = _clients(site, "hqc1", "office1", "leader-hqc")
    for name in ("hqc1", "leader-hqc"):
        page = clients[name][0].get(f"/tickets/{number}").text
        assert "来信人要求身份保密" in page, name
        assert "lisi@stu.example.edu.cn" not in page and "13900001111" not in page, name
        assert "李四" not in page, name
    office_page = clients["office1"][0].get(f"/tickets/{number}").text
    assert "lisi@stu.example.edu.cn" in office_page and "13900001111" in office_page
