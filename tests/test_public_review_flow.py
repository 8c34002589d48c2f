"""The office decides what the board shows (issue #13), end to end on the real servers.

The approval request shows the public text with every redaction numbered; the office replies
保留 N (keep a mark visible) and 隐去：… (hide more), then 同意. The board publishes exactly the
text as approved — and still does after the redaction settings change and the board is rebuilt.
The CLI shows the marks (redact show); then the office takes the letter down (redact
takedown): the board and the feed no longer show it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from replies_helpers import HQC, OFFICE, Loop, dispatched, make_loop, office_says, qq_reply
from servers import ImapAccount, SmtpSink
from xinxiang.cli import main
from xinxiang.replies.publishing import republish
from xinxiang.store.models import EventRow

BODY = (
    "老师您好，12号楼宿舍热水已经三天没有了，王建国老师也知道。"
    "我是张三，电话13812345678，请尽快处理。我同意公开。"
)
ANSWER = "正式回复：经核查，12号楼热水器已于今日更换，宿管徐师傅已复查。"


@pytest.fixture
def loop(imap_account: ImapAccount, smtp_sink: SmtpSink, tmp_config: Any) -> Loop:
    return make_loop(imap_account, smtp_sink, tmp_config)


def _mark_of(request: Any, original: str) -> int:
    body = request.get_body(("plain",)).get_content()
    found = re.search(rf"【(\d+)·已隐去：[^｜】]+｜{re.escape(original)}】", body)
    assert found, body
    return int(found.group(1))


def _unstamped(page: str) -> str:
    return re.sub(r"更新时间：[^<·]*", "", page)


def _page(loop: Loop, number: str) -> str:
    return (loop.ctx.cfg.data_dir / "public" / "letters" / f"{number}.html").read_text("utf-8")


def test_the_office_lifts_and_adds_redactions_by_mail_and_the_board_keeps_the_approved_text(
    loop: Loop, capsys: pytest.CaptureFixture[str]
) -> None:
    dispatch = dispatched(loop, body=BODY)
    loop.imap.append(qq_reply(HQC, dispatch["Reply-To"], dispatch["Subject"], ANSWER, dispatch))
    loop.run()
    request = loop.last_to(OFFICE, "【待审核】")
    teacher = _mark_of(request, "王建国")
    assert _mark_of(request, "13812345678") != teacher

    office_says(loop, f"保留 {teacher}")
    confirmed = loop.last_to(OFFICE, "").get_body(("plain",)).get_content()
    assert f"已保留第 {teacher} 处" in confirmed
    assert f"【{teacher}·已保留：姓名｜王建国】" in confirmed
    office_says(loop, "隐去：12号楼、热水器")
    number = loop.ticket().number
    c = ["-c", str(loop.ctx.cfg.directory)]
    assert main(["redact", "show", number, *c]) == 0
    shown = capsys.readouterr().out
    assert "待审核通过后发布" in shown and f"【{teacher}·已保留：姓名｜王建国】" in shown
    assert "已隐去：办公室隐去｜12号楼】" in shown and "已隐去：办公室隐去｜热水器】" in shown
    assert main(["redact", "lift", number, "999", *c]) != 0
    assert "没有编号为 999 的隐去标记" in capsys.readouterr().err
    office_says(loop, "同意")
    page = _page(loop, number)
    assert "王建国" in page  # lifted
    for hidden in ("13812345678", "张三", "徐师傅", "12号楼", "热水器"):
        assert hidden not in page, hidden
    assert "已于今日更换" in page

    # The settings change after the approval: the board still shows what was approved.
    (loop.ctx.cfg.directory / "redaction.toml").write_text(
        'disable = ["mobile"]\n[names]\nsegmenter = "none"\n', encoding="utf-8"
    )
    republish(loop.ctx, loop.ticket().created_at)
    assert _unstamped(_page(loop, number)) == _unstamped(page)

    # 撤下: gone from the board and the feed, recorded on the timeline.
    assert main(["redact", "takedown", number, "--reason", "来信人撤回公开同意", *c]) == 0
    assert main(["redact", "takedown", number, "--reason", "再撤一次", *c]) != 0
    board = loop.ctx.cfg.data_dir / "public"
    assert not (board / "letters" / f"{number}.html").exists()
    assert number not in (board / "feed.xml").read_text("utf-8")
    assert number not in (board / "index.html").read_text("utf-8")
    with loop.ctx.db.unit_of_work() as s:
        kinds = [e.kind for e in s.execute(select(EventRow)).scalars()]
    assert {"redaction_lifted", "redaction_added", "taken_down"} <= set(kinds)
