"""Limits before work: a letter too large to fetch whole still becomes a ticket, from its parts.

Against the real Dovecot: sizes are read (RFC822.SIZE) before any body; a message over
`storage.max_message_bytes` is fetched by part (headers, text, the attachments that fit); the
rest is recorded as omitted (an attachment row not stored, a defect on the letter), stays on the
server in Processed, and the petitioner's receipt says how to send it.
"""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import pytest
from sqlalchemy import select

from inbound_helpers import context, letter
from replies_helpers import PETITIONER, Loop, make_loop
from servers import ImapAccount, SmtpSink
from xinxiang.store.models import AttachmentRow, LetterRow, TicketRow

MB = 1024 * 1024
TEXT = "老师您好，12号楼宿舍热水已经三天没有了，照片和视频见附件，请尽快处理。"


def big_letter(
    attachments: list[tuple[str, str, int]],
    *,
    html: bool = True,
    subject: str = "宿舍热水问题（附视频）",
) -> bytes:
    """A letter with its text (plain and HTML) and attachments of the given sizes."""
    m = email.message_from_bytes(letter(subject, TEXT, PETITIONER), policy=email.policy.default)
    assert isinstance(m, EmailMessage)
    if html:
        m.add_alternative(f"<p>{TEXT}</p>", subtype="html")
    for name, ctype, size in attachments:
        maintype, subtype = ctype.split("/")
        m.add_attachment(b"\x89" * size, maintype=maintype, subtype=subtype, filename=name)
    return bytes(m)


def loop_with_limit(
    imap_account: ImapAccount, smtp_sink: SmtpSink, tmp_config: Any, limit: int | None
) -> Loop:
    overrides = {"storage": {"max_message_bytes": limit}} if limit else {}
    cfg = tmp_config(imap=imap_account, smtp=smtp_sink, overrides=overrides)
    return Loop(context(cfg), imap_account, smtp_sink)


def letter_rows(loop: Loop) -> list[tuple[LetterRow, list[AttachmentRow]]]:
    with loop.ctx.db.unit_of_work() as s:
        rows = s.execute(select(LetterRow).order_by(LetterRow.id)).scalars().all()
        return [(r, list(r.attachments)) for r in rows]


def receipt_text(loop: Loop) -> str:
    receipt = loop.last_to(PETITIONER, "【受理回执】")
    return str(receipt.get_body(("plain",)).get_content())


@pytest.fixture
def loop(imap_account: ImapAccount, smtp_sink: SmtpSink, tmp_config: Any) -> Loop:
    return make_loop(imap_account, smtp_sink, tmp_config)


def test_a_30_mb_letter_becomes_one_ticket_with_its_text_and_the_video_omitted(
    loop: Loop,
) -> None:
    raw = big_letter(
        [("现场照片.jpg", "image/jpeg", 200_000), ("现场视频.mp4", "video/mp4", 30 * MB)]
    )
    loop.imap.append(raw)
    loop.run()
    with loop.ctx.db.unit_of_work() as s:
        assert len(s.execute(select(TicketRow)).all()) == 1
    [(row, files)] = letter_rows(loop)
    assert TEXT in row.body and row.html and TEXT in row.html
    assert row.raw_size < 1 * MB  # only the parts that fit were fetched and kept
    by_name = {f.filename: f for f in files}
    assert by_name["现场照片.jpg"].stored and by_name["现场照片.jpg"].size == 200_000
    omitted = by_name["现场视频.mp4"]
    assert (omitted.stored, omitted.sha256, omitted.content_type) == (False, None, "video/mp4")
    assert omitted.size > 30 * MB  # as the server reports it, transfer-encoded
    assert any("over the size limit" in d for d in row.defects)
    text = receipt_text(loop)
    assert "现场视频.mp4" in text and "超过系统接收的大小上限" in text
    assert "现场照片.jpg" not in text
    # Nothing lost: the whole message is kept in Processed on the server.
    assert loop.imap.list_uids() == [] and loop.imap.folder_count("Processed") == 1


@pytest.mark.parametrize(
    ("case", "raw", "kept", "omitted"),
    [
        (
            "a document and a small photo",
            big_letter(
                [("材料.pdf", "application/pdf", 600_000), ("照片.png", "image/png", 20_000)]
            ),
            {"照片.png"},
            {"材料.pdf"},
        ),
        (
            "text only in plain, two big files",
            big_letter(
                [("a.zip", "application/zip", 600_000), ("b.zip", "application/zip", 600_000)],
                html=False,
            ),
            set(),
            {"a.zip", "b.zip"},
        ),
        (
            "attachments that together pass the limit",
            big_letter([(f"p{i}.jpg", "image/jpeg", 150_000) for i in range(6)]),
            {"p0.jpg", "p1.jpg", "p2.jpg"},
            {"p3.jpg", "p4.jpg", "p5.jpg"},
        ),
    ],
)
def test_over_the_limit_the_text_comes_first_and_what_does_not_fit_is_omitted(
    imap_account: ImapAccount,
    smtp_sink: SmtpSink,
    tmp_config: Any,
    case: str,
    raw: bytes,
    kept: set[str],
    omitted: set[str],
) -> None:
    loop = loop_with_limit(imap_account, smtp_sink, tmp_config, 700_000)
    loop.imap.append(raw)
    loop.run()
    [(row, files)] = letter_rows(loop)
    assert TEXT in row.body, case
    assert {f.filename for f in files if f.stored} == kept
    assert {f.filename for f in files if not f.stored} == omitted
    assert all(name in receipt_text(loop) for name in omitted)


def test_a_single_part_message_over_the_limit_is_a_ticket_from_its_headers(
    imap_account: ImapAccount, smtp_sink: SmtpSink, tmp_config: Any
) -> None:
    loop = loop_with_limit(imap_account, smtp_sink, tmp_config, 100_000)
    m = EmailMessage()
    m["From"] = f"张三 <{PETITIONER}>"
    m["To"] = "xinxiang@example.edu.cn"
    m["Subject"] = "材料见附件"
    m["Message-ID"] = make_msgid(domain="stu.example.edu.cn")
    m.set_content(b"%PDF" * 60_000, maintype="application", subtype="pdf", filename="材料.pdf")
    loop.imap.append(bytes(m))
    loop.run()
    [(row, files)] = letter_rows(loop)
    assert row.subject == "材料见附件"
    assert [(f.filename, f.stored) for f in files] == [("材料.pdf", False)]
    assert "材料.pdf" in receipt_text(loop)


def test_a_mailbox_of_large_letters_is_taken_in_chunks_each_once(
    imap_account: ImapAccount, smtp_sink: SmtpSink, tmp_config: Any
) -> None:
    # Six letters of ~300 kB under a 700 kB limit: fetched two at a time, none by part.
    loop = loop_with_limit(imap_account, smtp_sink, tmp_config, 700_000)
    for i in range(6):
        loop.imap.append(big_letter([("照片.jpg", "image/jpeg", 220_000)], subject=f"来信{i}"))
    loop.run()
    rows = letter_rows(loop)
    assert [r.subject for r, _ in rows] == [f"来信{i}" for i in range(6)]
    assert all(f.stored for _, files in rows for f in files)
    assert not any("over the size limit" in d for r, _ in rows for d in r.defects)
    assert loop.imap.folder_count("Processed") == 6
