"""Office approval: who waits for the office, 驳回 by mail, 修改 by CLI, `xinxiang pending`."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from replies_helpers import (
    HQC,
    OFFICE,
    PETITIONER,
    Loop,
    dispatched,
    make_loop,
    office_says,
    qq_reply,
)
from servers import ImapAccount, SmtpSink
from xinxiang.cli import main
from xinxiang.domain.states import TicketStatus
from xinxiang.domain.workflow import TicketSnapshot, WorkflowPolicy
from xinxiang.domain.workflow.common import needs_approval


@pytest.fixture
def loop(imap_account: ImapAccount, smtp_sink: SmtpSink, tmp_config: Any) -> Loop:
    return make_loop(imap_account, smtp_sink, tmp_config)


_TICKET = TicketSnapshot(
    "2026-000001", TicketStatus.DISPATCHED, datetime(2026, 12, 1, 9, tzinfo=UTC)
)


@pytest.mark.parametrize(
    ("public", "kind", "approve_all", "expected"),
    [
        (True, "formal", False, True),
        (True, "preliminary", False, True),
        (False, "formal", False, False),
        (False, "preliminary", False, False),
        (False, "formal", True, True),
        (None, "formal", False, False),
        (False, "extension", False, True),
        (True, "accept", False, False),
        (True, "cohandler_result", False, False),
    ],
)
def test_what_waits_for_the_office(
    public: bool | None, kind: str, approve_all: bool, expected: bool
) -> None:
    # The row's consent as the command layer reads it (`TicketRepository.snapshot`: None is no).
    ticket = replace(_TICKET, public_consent=bool(public))
    policy = WorkflowPolicy(tz=ZoneInfo("Asia/Shanghai"), approve_all_answers=approve_all)
    assert needs_approval(ticket, kind, policy) is expected


def test_rejection_goes_back_to_the_department_and_the_deadline_keeps_running(
    loop: Loop,
) -> None:
    dispatch = dispatched(loop)
    due = loop.ticket().formal_due
    loop.imap.append(
        qq_reply(
            HQC, dispatch["Reply-To"], dispatch["Subject"], "正式回复：已经处理好了。", dispatch
        )
    )
    loop.run()
    office_says(loop, "驳回：请写明处理措施和完成时间")
    t = loop.ticket()
    assert t.status == "accepted" and t.formal_due == due
    refusal = loop.last_to(HQC, "【未采纳】").get_body(("plain",)).get_content()
    assert "请写明处理措施和完成时间" in refusal
    assert not [m for m in loop.sink.messages(PETITIONER) if "正式答复" in m.parsed()["Subject"]]


def test_an_unrecognised_office_reply_is_refused_and_nothing_is_sent(loop: Loop) -> None:
    dispatch = dispatched(loop)
    loop.imap.append(
        qq_reply(HQC, dispatch["Reply-To"], dispatch["Subject"], "正式回复：已处理。", dispatch)
    )
    loop.run()
    office_says(loop, "好的收到")
    assert loop.ticket().status == "pending_approval"
    assert "未识别到指令" in loop.last_to(OFFICE, "【未采纳】").get_body(("plain",)).get_content()


def test_cli_pending_and_approve_as_edited(loop: Loop, tmp_path: Path, capsys: Any) -> None:
    dispatch = dispatched(loop)
    loop.imap.append(
        qq_reply(HQC, dispatch["Reply-To"], dispatch["Subject"], "正式回复：已处理。", dispatch)
    )
    loop.run()
    number = loop.ticket().number
    assert main(["pending"]) == 0
    assert number in capsys.readouterr().out
    edited = tmp_path / "edited.txt"
    edited.write_text(
        "经核查，12号楼热水系统循环泵故障，已于今日更换，供水已恢复。", encoding="utf-8"
    )
    assert main(["approve", number, "--edit", str(edited)]) == 0
    loop.run()
    got = loop.last_to(PETITIONER, "【正式答复】").get_body(("plain",)).get_content()
    assert "循环泵故障" in got
    assert main(["reject", number, "--reason", "x"]) != 0  # nothing pending any more
