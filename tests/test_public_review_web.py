"""The office decides the public text on the web console's ticket page (issue #13): the marks
are shown numbered, 保留 and 隐去 are forms, and a published letter can be taken down (撤下) and
put back (恢复公开); a department may do none of it."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from sqlalchemy import select

from web_action_helpers import department_answers, hidden_fields
from web_helpers import csrf, login, make_site
from xinxiang.store.models import EventRow
from xinxiang.store.models_web import AuditRow

_MARKS = re.compile(r'<div class="letter" id="public-marks">(.*?)</div>', re.S)


@pytest.mark.postgres
def test_the_office_lifts_adds_and_takes_down_on_the_ticket_page(
    tmp_config: Any, pg_url: str
) -> None:
    # On PostgreSQL: the mail and CLI tests of the same decisions run on SQLite.
    site = make_site(tmp_config, pg_url)
    department_answers(site, "hqc")  # names 张三 and 13812345678
    number, path = site.tickets["hqc"], f"/tickets/{site.tickets['hqc']}"
    client = site.client()
    login(client, "office1")
    token = csrf(client, "/tickets")

    def post(action: str, **form: str) -> str:
        r = client.post(f"{path}/{action}", data={"csrf_token": token, **form})
        assert r.status_code == 303, r.text
        return html.unescape(client.get(path).text)

    marks = html.unescape(_MARKS.findall(client.get(path).text)[0])
    phone = re.search(r"【(\d+)·已隐去：手机号｜13812345678】", marks)
    assert phone, marks
    page = post("redact-lift", marks=phone.group(1))
    assert f"已保留第 {phone.group(1)} 处" in page and "已保留：手机号｜13812345678" in page
    assert "没有编号为 99 的隐去标记" in post("redact-lift", marks="99")
    page = post("redact-add", terms="后勤管理处")
    assert "已增加隐去 1 项" in page and "已隐去：办公室隐去｜后勤管理处" in page
    assert 'id="takedown"' not in page  # nothing published yet

    approve = hidden_fields(client.get(path).text, "approve")
    client.post(f"{path}/approve", data={**approve, "mode": "plain"})
    board = site.ctx.cfg.data_dir / "public" / "letters" / f"{number}.html"
    published = board.read_text("utf-8")
    assert "13812345678" in published and "后勤管理处联系" not in published
    assert "张三" not in published

    page = post("takedown", reason="来信人要求撤下")
    assert "已从公开答复栏目撤下" in page and "（已撤下）" in page
    assert "撤下公开答复" in page and "来信人要求撤下" in page  # on the ticket's timeline
    assert not board.exists()
    assert 'id="restore"' in page and 'id="takedown"' not in page

    page = post("restore", reason="来信人重新同意公开")
    assert "已恢复在公开答复栏目发布" in page and "（已发布）" in page
    assert "恢复公开答复" in page and 'id="takedown"' in page
    assert board.read_text("utf-8").split("更新时间")[0] == published.split("更新时间")[0]
    assert "未被撤下" in post("restore")

    dept = site.client()
    login(dept, "hqc1")
    r = dept.post(f"{path}/restore", data={"csrf_token": csrf(dept, "/tickets")})
    assert r.status_code == 403
    with site.ctx.db.unit_of_work() as s:
        kinds = {e.kind for e in s.execute(select(EventRow)).scalars()}
        actions = {a.action for a in s.execute(select(AuditRow)).scalars()}
    assert {"redaction_lifted", "redaction_added", "taken_down", "restored_to_board"} <= kinds
    assert {"ticket-redact-lift", "ticket-redact-add", "ticket-takedown"} <= actions
    assert "ticket-restore" in actions
