"""Specification: routing queues the dispatch mail (转办单) as its rendered parts, and the sender
flattens them into the very message the door used to queue whole (issue #17)."""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy import select

from inbound_helpers import context, letter
from xinxiang.classify.engine import classify_letter
from xinxiang.outgoing.dispatch import dispatch_spec
from xinxiang.outgoing.door import render_deferred
from xinxiang.outgoing.tickets import department_of
from xinxiang.replies.mailer import render_spec
from xinxiang.replies.transport import DirectoryTransport
from xinxiang.services.ingest import MessageOrigin, ingest_batch
from xinxiang.services.outbox import send_due
from xinxiang.services.routing import route_received
from xinxiang.store.models import AttachmentRow, LetterRow, OutboxRow, TicketRow
from xinxiang.store.repo import letter_from_row

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # Wednesday 10:00 in Beijing
PHOTO = b"\xff\xd8\xff\xe0 a photo of the broken water heater \xff\xd9"
_BOUNDARY = re.compile(rb"={15}\d+={2}")


def with_photo(raw: bytes) -> bytes:
    m = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(m, EmailMessage)
    m.add_attachment(PHOTO, maintype="image", subtype="jpeg", filename="热水器.jpg")
    return bytes(m)


def parsed(raw: bytes) -> EmailMessage:
    m = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(m, EmailMessage)
    return m


def rendered_whole(ctx, s, t: TicketRow, row: OutboxRow) -> bytes:  # type: ignore[no-untyped-def]
    """The mail as the door rendered it before issue #17: the same spec, at routing time, the
    files read and attached inline, flattened at once."""
    letter_row = s.get(LetterRow, t.letter_id)
    files = s.execute(select(AttachmentRow).where(AttachmentRow.letter_id == t.letter_id))
    one = letter_from_row(letter_row, list(files.scalars()))
    spec = dispatch_spec(
        ctx,
        s,
        t,
        department_of(ctx, t.department_code),
        NOW,
        transfer_reason=None,
        letter=one,
        classification=classify_letter(one, ctx.rules),
    )
    inline = [(name, ctype, ctx.blobs.get(sha)) for name, ctype, sha in spec.stored_files]
    whole = replace(spec, to=row.recipients, attachments=inline, stored_files=())
    return render_spec(ctx, t, whole, row.message_id, NOW)


def test_a_dispatch_mail_sent_from_its_parts_is_the_mail_the_door_rendered_whole(
    tmp_config,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    ctx = context(tmp_config())
    body = "老师您好，12号楼的热水器坏了三天，见照片，请尽快处理。"
    raw = with_photo(letter(subject="宿舍热水问题", body=body))
    ingest_batch(ctx, [(raw, MessageOrigin("shuji", "书记信箱", "test"))], NOW)
    assert route_received(ctx, NOW) == 1  # in a batch (`store.write_batch`)

    # Queued: the rendered parts, no bytes yet; the photo by reference, not copied.
    with ctx.db.unit_of_work() as s:
        t = s.execute(select(TicketRow).where(TicketRow.channel == "书记信箱")).one()[0]
        assert t.status == "dispatched"
        rows = list(
            s.execute(
                select(OutboxRow).where(OutboxRow.ticket_id == t.id, OutboxRow.kind == "dispatch")
            ).scalars()
        )
        assert rows and all(r.raw is None and r.parts is not None for r in rows)
        assert all(r.parts["files"][0][:2] == ["热水器.jpg", "image/jpeg"] for r in rows)
        before = {r.id: rendered_whole(ctx, s, t, r) for r in rows}

    out = tmp_path / "sent"
    send_due(ctx, DirectoryTransport(out), NOW)

    with ctx.db.unit_of_work() as s:
        for row in s.execute(select(OutboxRow).where(OutboxRow.id.in_(before))).scalars():
            assert row.state == "sent" and row.raw is not None  # a resend sends these bytes
            sent = out / (re.sub(r"[^A-Za-z0-9._@-]", "_", row.message_id.strip("<>")) + ".eml")
            raw = sent.read_bytes()
            assert raw == row.raw
            # Byte for byte the mail rendered whole, but for the random MIME boundaries.
            assert _BOUNDARY.sub(b"B", raw) == _BOUNDARY.sub(b"B", before[row.id])
            m = parsed(raw)
            assert str(m["Subject"]).startswith(f"【转办】{t.number} 宿舍热水问题")
            assert str(m["To"]) == ", ".join(row.recipients)
            assert str(m["Message-ID"]) == row.message_id
            assert "+" in str(m["Reply-To"])  # the department's reply token
            assert str(m["X-Xinxiang-Ticket"]) == t.number
            text = m.get_body(("plain",))
            assert text is not None and body in text.get_content()
            [photo] = list(m.iter_attachments())
            assert photo.get_filename() == "热水器.jpg"
            assert photo.get_content_type() == "image/jpeg"
            assert photo.get_payload(decode=True) == PHOTO


def test_in_one_routing_batch_the_staff_threshold_counts_the_batch_s_own_mails(
    tmp_config,  # type: ignore[no-untyped-def]
) -> None:
    ctx = context(tmp_config(overrides={"outgoing": {"staff_per_hour": 2}}))
    floors = (3, 5, 7, 9, 11)
    raws = [
        letter(
            subject="宿舍热水问题",
            body=f"{n}号楼宿舍热水已经三天没有了，请尽快处理。",
            sender=f"s{n}@stu.example.edu.cn",
        )
        for n in floors
    ]
    ingest_batch(
        ctx, [(r, MessageOrigin("shuji", "书记信箱", f"t{i}")) for i, r in enumerate(raws)], NOW
    )
    assert route_received(ctx, NOW) == len(floors)  # one batch

    with ctx.db.unit_of_work() as s:
        mails = list(
            s.execute(
                select(OutboxRow).where(OutboxRow.kind == "dispatch").order_by(OutboxRow.id)
            ).scalars()
        )
        # Two go out at once, the rest wait for the address's hourly digest (汇总通知).
        assert [m.state for m in mails] == ["pending"] * 2 + ["coalesced"] * 3
        assert {tuple(m.recipients) for m in mails} == {("hqc@example.edu.cn",)}
        [digest] = s.execute(select(OutboxRow).where(OutboxRow.kind == "staff_digest")).scalars()
        listed = parsed(render_deferred(ctx, s, digest) or b"")
    text = listed.get_body(("plain",))
    assert text is not None
    content = text.get_content()
    assert "共 3 封" in content
    for n in floors[2:]:
        assert f"{n}号楼宿舍热水" in content
