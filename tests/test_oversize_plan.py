"""Which parts of an oversized letter are fetched, and the per-letter cap on stored attachments.

Pure specifications over BODYSTRUCTURE tuples as imapclient returns them (the Dovecot tests in
test_oversized_mail.py run the same code against the real server).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from xinxiang.domain.letter import Attachment, Letter
from xinxiang.mailbox.oversize import assemble, header_only, plan_parts
from xinxiang.mailbox.parse import parse_message
from xinxiang.services.prepare import store_attachments
from xinxiang.store.blobs import BlobStore

KB = 1024


def text(sub: bytes, size: int) -> tuple[object, ...]:
    return (b"text", sub, (b"charset", b"utf-8"), None, None, b"base64", size, 3, None, None)


def attachment(maintype: bytes, sub: bytes, size: int, disposition: object) -> tuple[object, ...]:
    return (maintype, sub, None, None, None, b"base64", size, None, disposition, None, None)


ALT = ([text(b"plain", 2 * KB), text(b"html", 5 * KB)], b"alternative", (b"boundary", b"alt"))
PDF_2231 = attachment(
    b"application",
    b"pdf",
    900 * KB,
    (b"attachment", (b"filename*", b"utf-8''%E6%9D%90%E6%96%99.pdf")),
)
PHOTO_2047 = attachment(
    b"image", b"jpeg", 40 * KB, (b"inline", (b"filename", b"=?gb2312?b?1dXGrA==?="))
)
FORWARDED = (
    b"message", b"rfc822", None, None, None, b"7bit", 300 * KB, None, None, 10, None,
    (b"attachment", (b"filename", b"fw.eml")), None, None,
)  # fmt: skip
TEXT_ATTACHED = (
    b"text", b"plain", (b"name", b"notes.txt"), None, None, b"7bit", 3 * KB, 1, None, None,
)  # fmt: skip


@pytest.mark.parametrize(
    ("case", "parts", "limit", "kept", "omitted"),
    [
        ("text first, then what fits", [ALT, PDF_2231, PHOTO_2047], 100 * KB,
         {"1.1", "1.2", "3"}, [("2", "材料.pdf")]),
        ("nothing but the text fits", [ALT, PDF_2231, PHOTO_2047], 8 * KB,
         {"1.1", "1.2"}, [("2", "材料.pdf"), ("3", "照片")]),
        ("a named text part is an attachment", [ALT, TEXT_ATTACHED], 8 * KB,
         {"1.1", "1.2"}, [("2", "notes.txt")]),
        ("a forwarded mail is one part", [ALT, FORWARDED], 200 * KB,
         {"1.1", "1.2"}, [("2", "fw.eml")]),
    ],
)  # fmt: skip
def test_plan_keeps_the_text_then_what_fits(
    case: str,
    parts: list[object],
    limit: int,
    kept: set[str],
    omitted: list[tuple[str, str]],
) -> None:
    structure = (parts, b"mixed", (b"boundary", b"top"))
    plan = plan_parts(structure, limit, 20 * 1024 * KB)
    assert set(plan.keep) == kept, case
    assert [(p.section, p.filename) for p in plan.omitted] == omitted


def test_assemble_rebuilds_a_letter_the_parser_reads() -> None:
    structure = ([ALT, PDF_2231], b"mixed", (b"boundary", b"top"))
    plan = plan_parts(structure, 100 * KB, 20 * 1024 * KB)
    header = (
        b"From: =?utf-8?b?5byg5LiJ?= <zhangsan@stu.example.edu.cn>\r\n"
        b"Subject: test\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="top"\r\n\r\n'
    )
    parts = {
        b"BODY[1.1.MIME]": b"Content-Type: text/plain; charset=utf-8\r\n\r\n",
        b"BODY[1.1]": "热水没有了".encode(),
        b"BODY[1.2.MIME]": b"Content-Type: text/html; charset=utf-8\r\n\r\n",
        b"BODY[1.2]": "<p>热水没有了</p>".encode(),
    }
    raw = assemble(header, plan, parts, 43_000_000)
    letter = parse_message(raw)
    assert letter.body.strip() == "热水没有了" and letter.html and "热水" in letter.html
    assert letter.attachments == ()
    assert letter.header("X-Xinxiang-Omitted") is not None


def test_a_single_part_message_left_out_becomes_an_empty_text_letter() -> None:
    structure = attachment(
        b"application", b"pdf", 900 * KB, (b"attachment", (b"filename", b"a.pdf"))
    )
    plan = plan_parts(structure, 100 * KB, 20 * 1024 * KB)
    header = (
        b"From: a@example.edu.cn\r\nSubject: files\r\n"
        b"Content-Type: application/pdf; name=a.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    )
    letter = parse_message(assemble(header, plan, {}, 1_200_000))
    assert [p.filename for p in plan.omitted] == ["a.pdf"]
    assert (letter.subject, letter.attachments) == ("files", ())


@pytest.mark.parametrize(
    ("sizes", "each", "total", "stored"),
    [
        ([10, 20, 30], 100, 1000, [True, True, True]),
        ([10, 200, 30], 100, 1000, [True, False, True]),
        ([40, 40, 40], 100, 100, [True, True, False]),
        ([90, 20, 5], 100, 100, [True, False, True]),
    ],
)
def test_a_letters_attachments_are_capped_each_and_in_total(
    tmp_path: Path, sizes: list[int], each: int, total: int, stored: list[bool]
) -> None:
    files = tuple(Attachment(f"f{i}", "application/zip", b"x" * n) for i, n in enumerate(sizes))
    letter = Letter(None, "a@b.cn", "", "s", None, "", attachments=files)
    result = store_attachments(letter, BlobStore(tmp_path), each, total)
    assert [a.stored for a in result] == stored
    assert [a.size for a in result] == sizes


@pytest.mark.parametrize(
    "structure", [None, (), (b"text",), ([b"x"], b"mixed"), ([None], b"mixed")]
)
def test_an_unreadable_structure_is_refused_and_the_header_alone_still_reads(
    structure: object,
) -> None:
    with pytest.raises((TypeError, ValueError, IndexError, AttributeError)):
        plan_parts(structure, 100 * KB, 20 * 1024 * KB)
    raw, omitted = header_only(b"From: a@example.edu.cn\r\nSubject: s\r\n\r\n", 50_000_000)
    assert parse_message(raw).subject == "s" and omitted[0].size == 50_000_000
