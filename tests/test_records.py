"""The 处理单 from the database: schema agreement, CJK font, text round-trip, archived blob."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import xinxiang.store.models_replies  # noqa: F401
from replies_helpers import HQC, Loop, dispatched, make_loop, qq_reply
from servers import ImapAccount, SmtpSink
from xinxiang.cli import main
from xinxiang.store.models import EventRow


@pytest.fixture
def loop(imap_account: ImapAccount, smtp_sink: SmtpSink, tmp_config: Any) -> Loop:
    return make_loop(imap_account, smtp_sink, tmp_config)


def test_record_cli_writes_a_cjk_pdf_with_replies_and_evidence(loop: Loop, tmp_path: Path) -> None:
    dispatch = dispatched(loop, subject="宿舍热水问题", body="12号楼宿舍热水已经三天没有了。")
    reply = qq_reply(
        HQC,
        dispatch["Reply-To"],
        dispatch["Subject"],
        "正式回复：循环泵已更换，热水恢复。",
        dispatch,
    )
    from email import message_from_bytes, policy

    msg = message_from_bytes(reply, policy=policy.default)
    msg.add_attachment(
        b"%PDF-1.4 repair sheet",
        maintype="application",
        subtype="pdf",  # type: ignore[attr-defined]
        filename="维修记录单.pdf",
    )
    loop.imap.append(bytes(msg))
    loop.run()
    out = tmp_path / "record.pdf"
    number = loop.ticket().number
    assert main(["record", number, "--out", str(out)]) == 0
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True)
    assert "CJK" in fonts.stdout and " yes " in fonts.stdout
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    squashed = "".join(text.split())
    for expected in (number, "后勤管理处", "循环泵已更换", "维修记录单.pdf", "正式回复"):
        assert expected in squashed
    with loop.ctx.db.unit_of_work() as s:
        events = s.execute(select(EventRow).where(EventRow.kind == "record_generated")).scalars()
        shas = [e.data["sha256"] for e in events]
    assert shas and loop.ctx.blobs.get(shas[-1], ".pdf") == out.read_bytes()


def test_archived_records_follow_the_ticket_as_it_changes(tmp_config: Any) -> None:
    """The worker's minute job re-archives the 处理单 of tickets whose timeline moved on."""
    from datetime import UTC, datetime, timedelta

    from inbound_helpers import context, letter
    from xinxiang.handlers.documents import RECORD_EVENT
    from xinxiang.services.ingest import MessageOrigin, ingest_raw
    from xinxiang.services.records import refresh_records
    from xinxiang.store.repo import add_event

    ctx = context(tmp_config())
    now = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    outcome = ingest_raw(ctx, letter(), MessageOrigin("m", "书记信箱", "t"), now)
    assert refresh_records(ctx, now) == 1  # dispatched: first record
    assert refresh_records(ctx, now) == 0  # nothing changed since
    with ctx.db.unit_of_work() as s:
        from xinxiang.store.models import TicketRow

        t = s.execute(
            select(TicketRow).where(TicketRow.number == outcome.ticket_number)
        ).scalar_one()
        add_event(s, t.id, now + timedelta(minutes=5), HQC, "note", text="已联系维修")
    assert refresh_records(ctx, now + timedelta(minutes=6)) == 1
    with ctx.db.unit_of_work() as s:
        shas = s.execute(select(EventRow.data).where(EventRow.kind == RECORD_EVENT)).scalars().all()
    assert len(shas) == 2 and all(ctx.blobs.path_for(d["sha256"], ".pdf").exists() for d in shas)
