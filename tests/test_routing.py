"""Routing of committed tickets end to end: emergencies alert at once, duplicates are linked,
legal-channel and praise letters get their templates, triage waits for the office."""

from __future__ import annotations

import email
import email.policy
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from inbound_helpers import context, letter
from xinxiang.replies.mailer import flatten_parts
from xinxiang.services.ingest import MessageOrigin, ingest_raw
from xinxiang.store.models import EventRow, OutboxRow, TicketRow

NOW = datetime(2026, 11, 24, 2, 30, tzinfo=UTC)  # a Tuesday, 10:30 in Beijing


def take(ctx, subject: str, body: str, sender: str = "s1@stu.example.edu.cn", at=NOW):  # type: ignore[no-untyped-def]
    outcome = ingest_raw(
        ctx,
        letter(subject=subject, body=body, sender=sender),
        MessageOrigin("m", "书记信箱", "t"),
        at,
    )
    with ctx.db.unit_of_work() as s:
        t = s.execute(
            select(TicketRow).where(TicketRow.number == outcome.ticket_number)
        ).scalar_one()
        mails = s.execute(select(OutboxRow).where(OutboxRow.ticket_id == t.id)).scalars().all()
        events = [
            e.kind for e in s.execute(select(EventRow).where(EventRow.ticket_id == t.id)).scalars()
        ]
        return t, {(m.kind, tuple(m.recipients)) for m in mails if m.state != "skipped"}, events


def test_an_emergency_alerts_office_and_department_at_once_even_at_night(tmp_config) -> None:  # type: ignore[no-untyped-def]
    ctx = context(tmp_config())
    night = datetime(2026, 11, 28, 17, 0, tzinfo=UTC)  # Sunday 01:00 in Beijing
    t, mails, events = take(
        ctx, "紧急！宿舍楼道着火了", "东区7号楼三楼楼道着火，浓烟很大，请马上处理！", at=night
    )
    assert t.urgency == "emergency" and t.status == "dispatched"
    # One mail per address, each with its own reply token (issue #12).
    assert {
        ("emergency_alert", ("bwc@example.edu.cn",)),
        ("emergency_alert", ("dzb@example.edu.cn",)),
    } <= mails
    assert "emergency_alert" in events
    assert t.response_due == night + timedelta(hours=1)
    assert t.formal_due == night + timedelta(hours=2)
    # Marked highest priority for the mail clients (#18: "no priority header"); others are not.
    with ctx.db.unit_of_work() as s:
        rows = s.execute(select(OutboxRow).where(OutboxRow.ticket_id == t.id)).scalars().all()
        headers = {
            r.kind: email.message_from_bytes(
                r.raw or flatten_parts(ctx, r.parts), policy=email.policy.default
            )
            for r in rows
            if r.raw is not None or r.parts is not None
        }
    alert = headers["emergency_alert"]
    assert (alert["X-Priority"], alert["Importance"]) == ("1 (Highest)", "high")
    assert all(m["X-Priority"] is None for k, m in headers.items() if k != "emergency_alert")


def test_the_same_matter_again_is_linked_and_the_petitioner_told_its_progress(tmp_config) -> None:  # type: ignore[no-untyped-def]
    ctx = context(tmp_config())
    first, _, _ = take(ctx, "宿舍没有热水", "12号楼305宿舍已经三天没有热水了，请尽快修理。")
    again, mails, events = take(
        ctx,
        "还是没有热水",
        "12号楼305宿舍还是没有热水，已经三天了，请尽快修理。",
        at=NOW + timedelta(hours=3),
    )
    assert again.duplicate_of == first.id and again.status == "closed"
    assert "duplicate_linked" in events
    assert ("duplicate_notice", ("s1@stu.example.edu.cn",)) in mails
    assert not any(kind == "dispatch" for kind, _ in mails)
    other, _, _ = take(ctx, "图书馆占座", "图书馆占座现象严重。", at=NOW + timedelta(hours=4))
    assert other.duplicate_of is None


def test_legal_channel_praise_and_triage(tmp_config) -> None:  # type: ignore[no-untyped-def]
    ctx = context(tmp_config())
    legal, mails, _ = take(
        ctx,
        "劳动仲裁",
        "我已经向劳动人事争议仲裁委员会申请仲裁，请学校配合。",
        sender="t1@example.edu.cn",
    )
    assert legal.disposition == "legal_channel" and legal.status == "closed"
    assert legal.excluded_from_assessment
    assert {k for k, _ in mails} == {"legal_channel"}  # the template replaces the receipt
    praise, mails, _ = take(
        ctx,
        "感谢后勤维修师傅",
        "感谢后勤的王师傅，半夜来修好了水管，特此表扬！",
        sender="s2@stu.example.edu.cn",
    )
    assert praise.disposition == "praise" and praise.status == "closed"
    assert ("praise_forward", ("hqc@example.edu.cn",)) in mails
    vague, mails, _ = take(ctx, "一点想法", "希望学校越来越好。", sender="s3@stu.example.edu.cn")
    assert vague.status == "triage" and vague.department_code is None
    assert {k for k, _ in mails} == {"ack"}


def test_rules_suggest_lists_terms_from_triaged_letters(tmp_config) -> None:  # type: ignore[no-untyped-def]
    cfg_dir = tmp_config()
    ctx = context(cfg_dir)
    bodies = [
        "建议学校设置无人机停机坪",
        "无人机停机坪的位置可以再商量",
        "无人机停机坪希望尽快落实",
    ]
    for i, body in enumerate(bodies):
        take(ctx, "一点想法", body, sender=f"x{i}@stu.example.edu.cn")
    out = subprocess.run(
        [
            str(Path(sys.executable).with_name("xinxiang")),
            "rules",
            "suggest",
            "-c",
            str(cfg_dir),
            "--json",
        ],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["letters"] == 3
    assert any("停机坪" in t["term"] for t in data["terms"])


def test_a_receipt_says_one_thing_about_who_handles_the_letter(tmp_config) -> None:  # type: ignore[no-untyped-def]
    """Routed before the receipt goes out: it names the department and does not also promise
    that the office will pass the letter on; the school's lookup address is in it (#18)."""
    from xinxiang.outgoing.ack import render_ack

    url = "https://xinxiang.example.edu.cn/"
    ctx = context(tmp_config(overrides={"school": {"public_url": url}}))
    t, _, _ = take(ctx, "宿舍没有热水", "12号楼305宿舍已经三天没有热水了，请尽快修理。")
    vague, _, _ = take(ctx, "一点想法", "希望学校越来越好。", sender="s3@stu.example.edu.cn")
    with ctx.db.unit_of_work() as s:
        routed, waiting = (
            s.execute(
                select(OutboxRow).where(OutboxRow.ticket_id == ticket.id, OutboxRow.kind == "ack")
            ).scalar_one()
            for ticket in (t, vague)
        )
        texts = []
        for row in (routed, waiting):
            raw = render_ack(ctx, s, row)
            assert raw is not None
            parsed = email.message_from_bytes(raw, policy=email.policy.default)
            texts.append(parsed.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    routed_text, waiting_text = texts
    assert t.department_code == "hqc" and "已转交后勤管理处办理" in routed_text
    assert "后勤管理处（承办单位）将按" in routed_text
    assert "自然日内把您的来信转交" not in routed_text
    assert "自然日内把您的来信转交" in waiting_text and "已转交" not in waiting_text
    assert all(f"网上查询办理进度、查看公开答复：{url}" in text for text in texts)
