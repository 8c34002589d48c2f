"""Every view of an identity-confidential ticket is recorded (seed 004 第十五条(四)): who and
when, on the web console's ticket page and by `xinxiang tickets show`, and the office sees the
list on the ticket's timeline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from inbound_helpers import letter
from sweep_helpers import local
from web_helpers import login, make_site
from xinxiang.cli import main
from xinxiang.services.ingest import MessageOrigin, ingest_raw
from xinxiang.services.ticket_views import VIEW_LABEL
from xinxiang.store.models_web import AuditRow

CONFIDENTIAL = ("关于导师的问题", "导师长期让我干私活。请不要公开我的姓名。")


def test_views_of_a_confidential_ticket_are_recorded_and_shown_to_the_office(
    tmp_config: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = make_site(tmp_config, f"sqlite:///{tmp_path / 'web.db'}")
    out = ingest_raw(
        site.ctx,
        letter(*CONFIDENTIAL, sender="lxm@stu.example.edu.cn", name="李晓明"),
        MessageOrigin("shuji", "书记信箱", "test"),
        local(2026, 12, 1, 9, 40),
    )
    number = out.ticket_number
    assert number is not None
    plain = site.tickets["hqc"]
    c = ["-c", str(site.ctx.cfg.directory)]

    assert main(["tickets", "show", number, "--by", "王芳", *c]) == 0
    first = capsys.readouterr().out
    assert f"{VIEW_LABEL}  cli:王芳" in first
    client = site.client()
    login(client, "office1")
    page = client.get(f"/tickets/{number}").text
    assert VIEW_LABEL in page and "cli:王芳" in page and "office1" in page
    assert main(["tickets", "show", number, "--json", *c]) == 0
    seen = json.loads(capsys.readouterr().out)["views"]
    assert [v["account"] for v in seen] == ["cli:王芳", "office1", "cli:党政办公室"]

    # A ticket nobody asked to keep confidential: its CLI views are not recorded.
    assert main(["tickets", "show", plain, *c]) == 0
    assert VIEW_LABEL not in capsys.readouterr().out
    assert VIEW_LABEL not in client.get(f"/tickets/{plain}").text
    with site.ctx.db.unit_of_work() as s:
        cli_views = s.execute(
            select(AuditRow).where(AuditRow.resource == plain, AuditRow.account.like("cli:%"))
        ).all()
    assert not cli_views
