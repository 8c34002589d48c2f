"""Specification of the office's actions on the web console (issue 14): every action is a form
on the ticket page (POST + CSRF, no script), carried out by the command bus with the account as
actor on channel "web"; the result or the refusal's Chinese reason is shown on the page, and
every attempt is audited (account, role, time, IP, what) and listed on the ticket's timeline.
Only the office acts: departments, leaders and auditors get 403 (404 for tickets they cannot
see); the intake lists (待审核, 待甄别, 隔离区, 搁置区) are pages with the office's actions.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from inbound_helpers import letter
from sweep_helpers import local, ticket
from web_action_helpers import department_answers, hidden_fields, triage_ticket
from web_helpers import Site, csrf, login, make_site
from xinxiang.handlers.documents import build_record
from xinxiang.services.shunt import Item, shunt
from xinxiang.store.models import LetterRow, QuarantineRow, TicketRow
from xinxiang.store.models_replies import HoldingRow
from xinxiang.store.models_shunt import ShuntRow
from xinxiang.store.models_web import AuditRow

ADDENDUM = "（党政办公室补充：已安排48小时内回访。）"

# (case, ticket, action, form, shown on the page afterwards, status afterwards)
# The department has answered `hqc` and `xsc` (public letters): both wait for the office.
# fmt: off
STEPS: list[tuple[str, str, str, dict[str, Any], str, str]] = [
    ("转办 a triage ticket", "vague", "route", {"department": "hqc"}, "已转办至后勤管理处", "dispatched"),  # noqa: E501
    ("改派 needs a reason", "tsg", "route", {"department": "hqc"}, "改派须写明原因（请填写“原因”）", "dispatched"),  # noqa: E501
    ("改派 with the reason", "tsg", "route", {"department": "hqc", "reason": "职责调整"}, "已改派至后勤管理处", "dispatched"),  # noqa: E501
    ("协办", "xsc", "cohandlers", {"departments": ["tsg"]}, "已增加协办单位：图书馆", "pending_approval"),  # noqa: E501
    ("协办 twice", "xsc", "cohandlers", {"departments": ["tsg"]}, "图书馆 已是工单", "pending_approval"),  # noqa: E501
    ("an unknown department", "xsc", "cohandlers", {"departments": ["nope"]}, "未知单位 'nope'", "pending_approval"),  # noqa: E501
    ("延期 granted", "xsc", "extension", {"decision": "approve", "until": "2026-12-04", "reason": "需校外单位配合"}, "已同意延期，正式回复时限调整为", "pending_approval"),  # noqa: E501
    ("延期 beyond 5 days", "xsc", "extension", {"decision": "approve", "until": "2026-12-20"}, "最多延长5个自然日", "pending_approval"),  # noqa: E501
    ("a date that is no date", "xsc", "extension", {"decision": "approve", "until": "12/04"}, "格式不正确", "pending_approval"),  # noqa: E501
    ("修改后同意 (the edit box)", "hqc", "approve", {"mode": "edit"}, "（经修改），已发送来信人", "answered"),  # noqa: E501
    ("驳回 needs a reason", "xsc", "reject", {"reason": " "}, "驳回须写明理由", "pending_approval"),
    ("驳回", "xsc", "reject", {"reason": "请写明维修完成时间"}, "已驳回工单", "accepted"),
    ("同意 with nothing waiting", "xsc", "approve", {"mode": "plain"}, "没有待审核的答复", "accepted"),  # noqa: E501
    ("办结 of an open ticket", "tsg", "close", {}, "不能办结", "dispatched"),
    ("办结", "hqc", "close", {}, "已办结", "closed"),
    ("重新打开 needs a reason", "hqc", "reopen", {"reason": ""}, "重新打开须写明原因", "closed"),
    ("重新打开", "hqc", "reopen", {"reason": "回访时来信人表示仍无热水"}, "已重新打开，转入待分办", "triage"),  # noqa: E501
    ("转办 the reopened ticket", "hqc", "route", {"department": "hqc"}, "已改派至后勤管理处", "dispatched"),  # noqa: E501
]
# fmt: on

_TEXTAREA = re.compile(r'<textarea name="text"[^>]*>(.*?)</textarea>', re.S)
_PREVIEW = re.compile(r'<div class="letter" id="redaction-preview">(.*?)</div>', re.S)


def _office(site: Site) -> TestClient:
    client = site.client()
    login(client, "office1")
    return client


def _post(client: TestClient, token: str, number: str, action: str, form: dict[str, Any]) -> str:
    """Submit the office's form on the ticket page as a browser would; the page shown after."""
    path = f"/tickets/{number}"
    data: dict[str, Any] = {"csrf_token": token}
    if action in ("approve", "reject"):
        page = client.get(path).text
        if f'id="{action}"' in page:
            data = hidden_fields(page, action)
        if form.get("mode") == "edit":  # the edit box, prefilled, with the clerk's addition
            form = {**form, "text": html.unescape(_TEXTAREA.findall(page)[0]) + ADDENDUM}
    r = client.post(f"{path}/{action}", data={**data, **form})
    assert r.status_code == 303 and r.headers["location"] == path, r.text
    return client.get(path).text


def run_steps(site: Site, steps: list[tuple[str, str, str, dict[str, Any], str, str]]) -> None:
    """The office's round on the site's tickets (`steps` of STEPS), checked step by step."""
    triage_ticket(site)
    department_answers(site, "hqc")
    department_answers(site, "xsc", "奖学金评审细则已在学生处网站公开。")
    client = _office(site)
    page = client.get(f"/tickets/{site.tickets['hqc']}").text
    # The reply waiting, its redaction preview (as the board would show it), the edit box.
    assert "13812345678" in page and "同意" in page and "修改后同意" in page and "驳回" in page
    shown, prefilled = _PREVIEW.findall(page)[0], _TEXTAREA.findall(page)[0]
    assert "13812345678" not in shown and "张三" not in shown and shown == prefilled
    token = csrf(client, "/tickets")
    for case, key, action, form, expected, status in steps:
        number = site.tickets[key]
        after = _post(client, token, number, action, form)
        assert expected in html.unescape(after), (case, re.findall(r'class="flash[^<]*', after))
        assert ticket(site.ctx, number).status == status, case
    with site.ctx.db.unit_of_work() as s:
        audited = list(s.execute(select(AuditRow).where(AuditRow.action.like("ticket-%"))))
        assert len(audited) == len(steps)
        for (row,), (case, key, *_rest) in zip(audited, steps, strict=True):
            assert (row.account, row.role, row.ip) == ("office1", "office", "testclient"), case
            assert row.resource == site.tickets[key] and row.at == site.clock.now, case
        # The 处理单 names the approver; the petitioner got the edited, redacted text.
        t = s.execute(select(TicketRow).where(TicketRow.number == site.tickets["hqc"])).scalar_one()
        record = build_record(site.ctx, s, t, site.clock.now)
        [answer] = record.replies
        assert answer.approved_by == "office1" and answer.text.endswith(ADDENDUM)
        assert "13812345678" not in answer.text
    timeline = client.get(f"/tickets/{site.tickets['hqc']}").text
    for line in (
        "网上操作：修改后审核通过",
        "网上操作：办结",
        "网上操作：重新打开",
        "office1（党政办公室，IP testclient）",
        "审核通过",  # the ticket's own events, with the account as actor
        "回访时来信人表示仍无热水",
    ):
        assert line in timeline, line


def test_the_office_acts_on_tickets_from_the_web(tmp_config, tmp_path: Path) -> None:
    run_steps(make_site(tmp_config, f"sqlite:///{tmp_path / 'web.db'}"), STEPS)


@pytest.mark.postgres
def test_the_office_acts_on_tickets_from_the_web_on_postgresql(tmp_config, pg_url: str) -> None:
    # The same round, shortened to what reaches the timeline check (the SQL is the same).
    steps = [s for s in STEPS if s[1] == "hqc"]  # refusals included: savepoints on PostgreSQL
    run_steps(make_site(tmp_config, pg_url), steps)


ACTIONS = ["route", "cohandlers", "extension", "approve", "reject", "close", "reopen"]


def test_only_the_office_acts_and_guessing_urls_gives_nothing(tmp_config, tmp_path: Path) -> None:
    site = make_site(tmp_config, f"sqlite:///{tmp_path / 'web.db'}")
    reply = department_answers(site, "hqc")
    hqc = site.tickets["hqc"]
    form = {"department": "tsg", "reason": "x", "mode": "plain", "reply_id": str(reply)}
    # account → (status for the hqc ticket it may see or not, for the tsg ticket)
    clients: dict[str, TestClient] = {}
    for name, expected in {
        "auditor1": (403, 403),
        "hqc1": (403, 404),  # its own ticket: no office action; another's: nothing at all
        "leader-hqc": (403, 404),
        "tsg1": (404, 403),
    }.items():
        client = clients[name] = site.client()
        login(client, name)
        token = csrf(client, "/tickets")
        for action in ACTIONS:
            for key, status in zip(("hqc", "tsg"), expected, strict=True):
                r = client.post(
                    f"/tickets/{site.tickets[key]}/{action}", data={**form, "csrf_token": token}
                )
                assert r.status_code == status, (name, action, key)
                if status == 404:
                    assert site.tickets[key] not in r.text
        assert 'id="actions"' not in client.get(f"/tickets/{hqc}").text  # no office forms
        # The office's lists: the auditor reads them without actions; the others see none.
        for kind in ("approvals", "holding", "quarantine", "shunt"):
            r = client.get(f"/office/{kind}")
            assert r.status_code == (200 if name == "auditor1" else 403), (name, kind)
            assert "/office/holding/" not in r.text and "/retry" not in r.text
        r = client.post("/office/shunt/1/discard", data={"csrf_token": token})
        assert r.status_code == 403, name
    assert ticket(site.ctx, hqc).status == "pending_approval"  # nothing changed
    with site.ctx.db.unit_of_work() as s:
        refused = s.execute(select(AuditRow.account).where(AuditRow.action == "forbidden")).all()
    # Every forbidden attempt is audited (a 404 is no attempt: the ticket "does not exist").
    seen = {"auditor1": 2, "hqc1": 1, "leader-hqc": 1, "tsg1": 1}  # tickets seen of the two
    assert sorted(a for (a,) in refused) == sorted(
        n for n, tickets in seen.items() for _ in range(len(ACTIONS) * tickets + 1)
    )
    office = _office(site)
    # No CSRF token: refused before anything runs. An action that does not exist: 404.
    assert office.post(f"/tickets/{hqc}/approve", data={"mode": "plain"}).status_code == 403
    token = csrf(office, f"/tickets/{hqc}")
    assert office.post(f"/tickets/{hqc}/delete", data={"csrf_token": token}).status_code == 404
    assert office.post("/tickets/2026-999999/close", data={"csrf_token": token}).status_code == 404
    # A stale page: the reply shown is no longer the one waiting.
    r = office.post(
        f"/tickets/{hqc}/approve",
        data={"csrf_token": token, "mode": "plain", "reply_id": str(reply + 1)},
    )
    assert "待审核的答复已有变化" in office.get(r.headers["location"]).text
    assert ticket(site.ctx, hqc).status == "pending_approval"
    # The attempt is on the timeline: who, for everyone who sees the ticket; the address only
    # for those who read the audit log.
    assert "office1（党政办公室，IP testclient）" in office.get(f"/tickets/{hqc}").text
    own = clients["hqc1"].get(f"/tickets/{hqc}").text
    assert (
        "网上操作：审核通过" in own and "office1（党政办公室）" in own and "testclient" not in own
    )
    # Signed out: to the login page.
    anon = site.client()
    anon_token = csrf(anon, "/login")
    r = anon.post(f"/tickets/{hqc}/close", data={"csrf_token": anon_token})
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def _intake(site: Site) -> dict[str, int]:
    """One item in each list: a held mail, a quarantined mail (a real letter, so a retry
    goes through), and an item the routing stage set aside."""
    ctx, at = site.ctx, local(2026, 12, 1, 10, 0)
    raws = [
        letter("食堂饭菜", f"二食堂饭菜太咸了（{n}）。", sender="g@stu.example.edu.cn")
        for n in (1, 2)
    ]
    shas = [ctx.blobs.put(raw, ".eml") for raw in raws]
    with ctx.db.unit_of_work() as s:
        letter_id = s.execute(select(LetterRow.id).limit(1)).scalar_one()
        holds = [
            HoldingRow(
                letter_id=letter_id + i,
                rule="unknown-sender",
                reason="未登记的发件人",
                state="open",
                created_at=at,
            )
            for i in (0, 1)
        ]
        quarantined = [
            QuarantineRow(
                source="shuji",
                channel="书记信箱",
                location=f"INBOX/{n}",
                raw_sha256=sha,
                raw_size=len(raw),
                reason="unparseable",
                state="open",
                created_at=at,
            )
            for n, (raw, sha) in enumerate(zip(raws, shas, strict=True))
        ]
        s.add_all(holds + quarantined)
        s.flush()
        ids = {"hold": holds[0].id, "hold2": holds[1].id}
        ids |= {"q": quarantined[0].id, "q2": quarantined[1].id}
    for n in (1, 2):
        ids[f"shunt{n}"] = shunt(
            ctx, "routing", "ticket", Item(f"900{n}", f"2026-00900{n}"), RuntimeError("boom"), at
        )
    return ids


def test_the_intake_lists_and_their_actions(tmp_config, tmp_path: Path) -> None:
    site = make_site(tmp_config, f"sqlite:///{tmp_path / 'web.db'}")
    department_answers(site, "hqc")
    ids = _intake(site)
    office = _office(site)
    dash = office.get("/office/").text
    assert (
        'href="/office/approvals"' in dash
        and f'href="/tickets/{site.tickets["hqc"]}#actions"' in dash
    )
    assert site.tickets["hqc"] in office.get("/office/approvals").text
    token = csrf(office, "/office/holding")
    # (list, item, action, form, shown afterwards, what became of the item)
    steps = [
        (
            "holding",
            ids["hold"],
            "assign",
            {"ticket": "2026-999999"},
            "没有编号为 2026-999999 的工单",
            "open",
        ),
        (
            "holding",
            ids["hold"],
            "assign",
            {"ticket": site.tickets["tsg"]},
            "已将待甄别邮件",
            "assigned",
        ),
        ("holding", ids["hold2"], "discard", {}, "不作处理", "discarded"),
        ("holding", ids["hold2"], "discard", {}, "待甄别区没有未处理的记录", "discarded"),
        ("quarantine", ids["q"], "retry", {}, "已重新处理隔离记录", "resolved"),
        ("quarantine", ids["q2"], "discard", {}, "已放弃隔离记录", "discarded"),
        ("shunt", ids["shunt1"], "retry", {}, "所属环节下一轮将重新处理", "retried"),
        ("shunt", ids["shunt2"], "discard", {}, "已放弃搁置项", "discarded"),
        ("shunt", ids["shunt2"], "discard", {}, "不能放弃", "discarded"),
    ]
    models = {"holding": HoldingRow, "quarantine": QuarantineRow, "shunt": ShuntRow}
    for kind, item, action, form, expected, state in steps:
        assert office.get(f"/office/{kind}").status_code == 200
        r = office.post(f"/office/{kind}/{item}/{action}", data={"csrf_token": token, **form})
        assert r.status_code == 303 and r.headers["location"] == f"/office/{kind}"
        assert expected in html.unescape(office.get(f"/office/{kind}").text), (kind, action)
        with site.ctx.db.unit_of_work() as s:
            assert s.get(models[kind], item).state == state, (kind, action)
    with site.ctx.db.unit_of_work() as s:
        audited = s.execute(select(AuditRow.action, AuditRow.resource, AuditRow.account)).all()
    assert [(a, r) for a, r, _ in audited if not a.startswith(("login", "view"))] == [
        (f"{kind}-{action}", f"{kind}:{item}") for kind, item, action, *_ in steps
    ]
    assert "补充来信" in office.get(f"/tickets/{site.tickets['tsg']}").text  # the assigned mail
    with site.ctx.db.unit_of_work() as s:
        assert s.get(ShuntRow, ids["shunt1"]).state == "retried"
    assert office.get("/office/nothing").status_code == 404
