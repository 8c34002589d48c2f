"""Nothing personal reaches the public (issue #13), end to end on the real servers.

A public letter full of personal data — third parties' names, a signature that differs from the
display name, phones, an ID number, student number, QQ, WeChat, e-mail, dorm room, bank card and
licence plate in the forms people write them — goes Dovecot → dispatch → the department's answer
(which names people too) → the office's approval → the board. None of it may be on any page, in
the feed or in any PDF the board publishes; the departments' public hotlines must still be there.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from inbound_helpers import letter
from replies_helpers import HQC, Loop, make_loop, office_says, qq_reply
from servers import ImapAccount, SmtpSink

ROOT = Path(__file__).resolve().parent.parent

SUBJECT = "【公开】李建国天天半夜打游戏，宿舍热水也坏了"
LETTER = """书记您好！
我是学生，宿舍（16-309）热水已经三天没有了。室友李建国还天天半夜打游戏，王芳老师也知道。
我们班的张同学可以作证，她的QQ是2789456613，微信号zhang_tongxue99。
我的手机0086-13812340001，也可以打138.1234.0009；家里电话0571 8765 0013。
身份证号110105 19510101 0049，学号2021 0100 66，邮箱wxm2003[at]163.com 或 wxm＠qq.com。
补助请打到卡6222 0212 3456 7890 123。楼下总停着车牌京A·12345的车。
我问过学生处热线88562335，后勤热线88562008一直占线。我同意公开。
此致
敬礼
学生：王小明
"""
ANSWER = (
    "正式回复：王小明同学您好！经核查，16-309宿舍热水器已于今日更换。宿管已找李建国同学谈话。"
    "如有问题请拨打后勤服务热线88562008。"
)
PLANTED = [
    "李建国",
    "王芳",
    "张同学",
    "2789456613",
    "zhang_tongxue99",
    "13812340001",
    "138.1234.0009",
    "0571 8765 0013",
    "8765 0013",
    "110105 19510101 0049",
    "2021 0100 66",
    "wxm2003",
    "wxm＠qq.com",
    "6222 0212 3456 7890 123",
    "京A·12345",
    "16-309",
    "王小明",
    "小明",
    "小王",
]
KEPT = ["88562335", "88562008", "热水器已于今日更换"]


@pytest.fixture
def loop(imap_account: ImapAccount, smtp_sink: SmtpSink, tmp_config: Any) -> Loop:
    built = make_loop(imap_account, smtp_sink, tmp_config)
    # The deployment's redaction settings: the sample ones, with seed 002's hotlines allowed.
    shutil.copyfile(ROOT / "config" / "redaction.toml", built.ctx.cfg.directory / "redaction.toml")
    return built


def _public_texts(board: Path) -> dict[str, str]:
    """Every file the board publishes, as text (PDFs through pdftotext)."""
    texts = {}
    for path in board.rglob("*"):
        if path.suffix in (".html", ".xml", ".css", ".txt"):
            texts[str(path)] = path.read_text(encoding="utf-8")
        elif path.suffix == ".pdf":
            out = subprocess.run(
                ["pdftotext", str(path), "-"], capture_output=True, check=True, text=True
            )
            texts[str(path)] = out.stdout
    return texts


def test_a_public_letter_full_of_personal_data_reaches_the_board_without_any(loop: Loop) -> None:
    loop.imap.append(letter(subject=SUBJECT, body=LETTER, name="小王"))
    loop.run()
    dispatch = loop.last_to(HQC, "【转办】")
    loop.imap.append(qq_reply(HQC, dispatch["Reply-To"], dispatch["Subject"], ANSWER, dispatch))
    loop.run()
    office_says(loop, "同意")
    assert loop.ticket().status == "answered"

    board = loop.ctx.cfg.data_dir / "public"
    texts = _public_texts(board)
    pages = [p for p in texts if p.endswith(".html") and "/letters/" in p]
    assert len(pages) == 1
    feed = texts[str(board / "feed.xml")]
    for name, text in texts.items():
        leaked = [item for item in PLANTED if item in text]
        assert not leaked, f"{name} shows {leaked}"
    page = texts[pages[0]]
    for kept in KEPT:
        assert kept in page, kept
    assert "88562008" in feed and "热水器已于今日更换" in feed
    # The subject is public too: the name in it is gone, the matter stays.
    assert "天天半夜打游戏" in page
