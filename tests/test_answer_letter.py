"""Two documents, two readers (issue #13): the petitioner's 答复函 carries nothing internal; the
office's 阅批处理单 speaks Chinese only, names who approved, and has 拟办意见 / 领导批示.

Driven through the real servers: a letter is dispatched to the wrong department, which returns
it with an internal reason; the office re-routes it and approves the new department's answer
from the command line by name; then the two PDFs that went out are read back as text.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from replies_helpers import HQC, OFFICE, PETITIONER, Loop, dispatched, make_loop, qq_reply
from servers import ImapAccount, SmtpSink
from xinxiang.cli import main
from xinxiang.domain.states import TicketStatus
from xinxiang.handlers.documents import EVENT_LABELS, REPLY_LABELS

BWC = "bwc@example.edu.cn"
RETURN_REASON = "此事属于保卫处职责，内部掌握：该生曾多次投诉"


@pytest.fixture
def loop(imap_account: ImapAccount, smtp_sink: SmtpSink, tmp_config: Any) -> Loop:
    return make_loop(imap_account, smtp_sink, tmp_config)


def pdf_text(message: Any, name_part: str, tmp_path: Path) -> str:
    parts = [p for p in message.iter_attachments() if name_part in (p.get_filename() or "")]
    assert len(parts) == 1, [p.get_filename() for p in message.iter_attachments()]
    out = tmp_path / f"{name_part}.pdf"
    out.write_bytes(parts[0].get_content())
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    return "".join(text.split())


def test_the_petitioner_gets_an_answer_letter_and_the_office_the_internal_record(
    loop: Loop, tmp_path: Path
) -> None:
    first = dispatched(loop)  # 【公开】: the answer waits for the office's approval
    loop.imap.append(
        qq_reply(HQC, first["Reply-To"], first["Subject"], f"退回：{RETURN_REASON}", first)
    )
    loop.run()
    number = loop.ticket().number
    assert loop.ticket().status == TicketStatus.TRIAGE
    cfg = str(loop.ctx.cfg.directory)
    assert main(["tickets", "route", number, "bwc", "--by", "李主任", "-c", cfg]) == 0
    loop.run()
    second = loop.last_to(BWC, "【转办】")
    answer = "经核查，12号楼热水循环泵已更换，热水已恢复供应。保卫处 2026年12月7日"
    loop.imap.append(
        qq_reply(BWC, second["Reply-To"], second["Subject"], f"正式回复：{answer}", second)
    )
    loop.run()
    assert loop.ticket().status == TicketStatus.PENDING_APPROVAL
    assert main(["approve", number, "--by", "王芳", "-c", cfg]) == 0
    loop.run()

    to_petitioner = loop.last_to(PETITIONER, "【正式答复】")
    letter = pdf_text(to_petitioner, "答复函", tmp_path)
    assert not [p.get_filename() for p in to_petitioner.iter_attachments()
                if "处理单" in (p.get_filename() or "")]
    # What the petitioner may read: their letter, the answer as signed, who answered, when.
    for expected in (number, "来信答复函", "热水循环泵已更换", "保卫处2026年12月7日", "保卫处",
                     "宿舍热水"):
        assert expected in letter, expected
    # Nothing internal, of any kind: no ASCII codes at all (department, status, event, rule
    # ids, channel prefixes), no return reason, no approver, no internal labels.
    assert re.findall(r"[A-Za-z_]{2,}", letter) == []
    internal = [RETURN_REASON[:8], "内部掌握", "退回", "审核", "王芳", "李主任", "规则",
                "处理单", "拟办", "批示", "查询码", loop.ticket().query_code]
    internal += [*EVENT_LABELS.values(), "后勤管理处"]
    plain = letter.replace("受理编号", "")  # the ticket's name, not the 受理 event
    assert [w for w in internal if w in plain and w not in ("正式回复",)] == []

    copy = loop.last_to(OFFICE, "【双反馈】")
    record = pdf_text(copy, "阅批处理单", tmp_path)
    for expected in ("阅批处理单", "拟办意见", "领导批示", "审核：王芳（命令行）",
                     "李主任（命令行）", RETURN_REASON[:8], "后勤管理处", "保卫处"):
        assert expected in record, expected
    codes = {d.code for d in loop.ctx.cfg.departments} | {s.value for s in TicketStatus}
    codes |= set(EVENT_LABELS) | set(REPLY_LABELS) | {r.name for r in loop.ctx.rules.rules}
    codes |= {"cli:", "dispatch", "formal", "system", "office-cli"}
    words = set(re.findall(r"[A-Za-z_:-]{2,}", record))
    assert sorted(c for c in codes if c in words or (c.endswith(":") and c in record)) == []
