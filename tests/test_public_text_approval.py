"""The approved public text is stored when the office approves, and a take-down can be undone
(issue #13, "the office decides"). SQLite and PostgreSQL.

When the office approves a public formal answer (同意 or 修改; web, CLI and mail all go through
the command layer), the text as redacted then — with the office's 保留/隐去 so far — is stored in
the approval's own transaction: an approval rolled back stores nothing, and a change of the
redaction settings afterwards changes nothing on the board. 恢复公开 (`redact restore`) puts a
letter the office took down back on the board with that same text, and is recorded.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from inbound_helpers import context
from office_helpers import office
from sweep_helpers import local, new_ticket, update_ticket
from xinxiang.cli import main
from xinxiang.handlers import ApproveReply, handle
from xinxiang.replies.publishing import republish
from xinxiang.services.context import AppContext
from xinxiang.store.models import EventRow, TicketRow
from xinxiang.store.models_replies import PublicTextRow, TicketReplyRow

T0 = local(2026, 12, 1, 9, 30)
OFFICE = office("dzb@example.edu.cn")
LETTER = ("宿舍热水问题", "老师您好，12号楼的热水已经三天没有了，我的电话13812345678。我同意公开。")
ANSWER = "经核查，热水器已于今日更换。如仍有问题请联系宿管，电话13987654321。"


def public_ticket(ctx: AppContext) -> tuple[str, int]:
    """A public letter with hqc's formal answer waiting for the office: number, ticket id."""
    number = new_ticket(ctx, T0, LETTER)
    update_ticket(ctx, number, public_consent=True, status="pending_approval")
    with ctx.db.unit_of_work() as s:
        t = s.execute(select(TicketRow).where(TicketRow.number == number)).scalar_one()
        s.add(
            TicketReplyRow(
                ticket_id=t.id,
                kind="formal",
                department_code="hqc",
                author="hqc@example.edu.cn",
                text=ANSWER,
                state="pending_approval",
                created_at=T0 + timedelta(minutes=30),
            )
        )
        return number, t.id


def stored(ctx: AppContext, ticket_id: int) -> PublicTextRow | None:
    with ctx.db.unit_of_work() as s:
        return s.get(PublicTextRow, ticket_id)


def page(ctx: AppContext, number: str) -> Path:
    return ctx.cfg.data_dir / "public" / "letters" / f"{number}.html"


def test_the_public_text_is_stored_in_the_approval_transaction(
    tmp_config: Any, db_url: str
) -> None:
    ctx = context(tmp_config(database_url=db_url))
    number, ticket_id = public_ticket(ctx)
    at = T0 + timedelta(hours=1)

    class Abandon(Exception):
        pass

    with pytest.raises(Abandon), ctx.db.unit_of_work() as s:
        handle(ApproveReply(OFFICE, number), ctx, at, session=s)
        raise Abandon  # the approval rolls back: so does its public text
    assert stored(ctx, ticket_id) is None

    with ctx.db.unit_of_work() as s:  # a batch: nothing is published before the commit
        handle(ApproveReply(OFFICE, number, ANSWER + "（经办公室修改）"), ctx, at, session=s)
        row = s.get(PublicTextRow, ticket_id)
        assert row is not None and row.answer is not None
        assert "13987654321" not in row.answer and "（经办公室修改）" in row.answer
        assert row.letter is not None and "13812345678" not in row.letter
        assert (row.approved_by, row.approved_at) == (OFFICE.name, at)
    assert not page(ctx, number).exists()


def test_a_change_of_the_redaction_settings_after_approval_changes_nothing_on_the_board(
    tmp_config: Any, db_url: str
) -> None:
    cfg_dir = tmp_config(database_url=db_url)
    ctx = context(cfg_dir)
    number, ticket_id = public_ticket(ctx)
    c = ["-c", str(cfg_dir)]
    assert main(["approve", number, "--by", "李明", *c]) == 0
    row = stored(ctx, ticket_id)
    assert row is not None and row.answer is not None and "13987654321" not in row.answer
    before = page(ctx, number).read_text("utf-8")

    # The phone pattern is switched off; the board is published again, from the CLI.
    (cfg_dir / "redaction.toml").write_text(
        'disable = ["mobile"]\n[names]\nsegmenter = "none"\n', encoding="utf-8"
    )
    assert main(["publish", *c]) == 0
    after = page(ctx, number).read_text("utf-8")
    assert "13987654321" not in after and "13812345678" not in after
    assert row.answer.split("，")[0] in after
    again = stored(ctx, ticket_id)
    assert again is not None and (again.answer, again.approved_at) == (row.answer, row.approved_at)
    assert before.count("已隐去") == after.count("已隐去")


def test_the_office_restores_a_letter_it_took_down(
    tmp_config: Any, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg_dir = tmp_config(database_url=db_url)
    ctx = context(cfg_dir)
    number, ticket_id = public_ticket(ctx)
    other = new_ticket(ctx, T0, ("图书馆座位", "图书馆占座现象严重，希望管理。"))
    c = ["-c", str(cfg_dir)]
    assert main(["redact", "restore", number, *c]) != 0  # nothing published yet
    assert "未被撤下" in capsys.readouterr().err
    assert main(["approve", number, *c]) == 0
    published = page(ctx, number).read_text("utf-8")
    assert main(["redact", "restore", number, *c]) != 0  # published, not taken down
    assert main(["redact", "restore", other, *c]) != 0
    capsys.readouterr()

    assert main(["redact", "takedown", number, "--reason", "来信人撤回同意", *c]) == 0
    assert not page(ctx, number).exists()
    # The settings change while it is down: the letter comes back as approved.
    (cfg_dir / "redaction.toml").write_text('disable = ["mobile"]\n', encoding="utf-8")
    args = ["redact", "restore", number, "--reason", "来信人重新同意公开", "--by", "李明", *c]
    assert main(args) == 0
    assert "已恢复在公开答复栏目发布" in capsys.readouterr().out
    restored = page(ctx, number).read_text("utf-8")
    assert "13987654321" not in restored
    strip = lambda p: p.split("更新时间")[0]  # noqa: E731 - the page's stamp differs
    assert strip(restored) == strip(published)
    assert number in (ctx.cfg.data_dir / "public" / "feed.xml").read_text("utf-8")
    row = stored(ctx, ticket_id)
    assert row is not None and row.taken_down_at is None and row.takedown_reason is None
    with ctx.db.unit_of_work() as s:
        events = [
            (e.kind, e.actor)
            for e in s.execute(select(EventRow).where(EventRow.ticket_id == ticket_id)).scalars()
        ]
    assert ("taken_down", "cli:党政办公室") in events
    assert ("restored_to_board", "cli:李明") in events
    assert main(["redact", "restore", number, *c]) != 0  # once
    republish(ctx, T0 + timedelta(days=1))
    assert page(ctx, number).exists()
