"""The sample letters are valid, varied, deterministic mail as Chinese clients send it."""

from __future__ import annotations

import email
import email.policy
import inspect
from collections import Counter
from email.message import EmailMessage
from email.utils import parsedate_to_datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinxiang.sample_demo import demo_mailbox
from xinxiang.samples import iter_sample_letters, sample_letter

# The codec that really decodes each declared label (GB2312 labels hide GBK/GB18030 text).
REAL_CODEC = {
    "utf-8": "utf-8",
    "us-ascii": "ascii",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb18030": "gb18030",
    "big5": "big5hkscs",
}
DEMO = dict(demo_mailbox())


def parse(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def text_parts(msg: EmailMessage) -> list[tuple[str, str]]:
    """(declared charset, strictly decoded text) of every text/* part."""
    out = []
    for part in msg.walk():
        if part.get_content_maintype() == "text" and not part.is_attachment():
            label = part.get_content_charset() or "us-ascii"
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            out.append((label, payload.decode(REAL_CODEC[label])))
    return out


def subject_of(name: str) -> str:
    return str(parse(DEMO[name])["Subject"])


def body_of(name: str) -> str:
    return "\n".join(text for _label, text in text_parts(parse(DEMO[name])))


# --------------------------------------------------------------------------- generated letters


@settings(max_examples=60, deadline=None)
@given(i=st.integers(0, 10**7), seed=st.integers(0, 10**4))
def test_every_sample_parses_and_decodes_strictly(i: int, seed: int) -> None:
    msg = parse(sample_letter(i, seed=seed))
    assert msg.defects == []
    assert msg["From"].addresses[0].addr_spec
    assert str(msg["Subject"]).strip()
    assert [t for _label, t in text_parts(msg) if t.strip()]
    date = parsedate_to_datetime(str(msg["Date"]))
    offset = date.utcoffset()
    assert offset is not None
    assert offset.total_seconds() == 8 * 3600
    assert date.year == 2026


def test_samples_are_deterministic_per_index_and_seed() -> None:
    assert sample_letter(42) == sample_letter(42, seed=0)
    assert sample_letter(42, seed=1) == sample_letter(42, seed=1)
    assert sample_letter(42) != sample_letter(42, seed=1)
    assert sample_letter(42) != sample_letter(43)


def test_message_ids_are_unique_across_indices_and_seeds() -> None:
    ids = [parse(raw)["Message-ID"] for raw in iter_sample_letters(1500)]
    ids += [parse(sample_letter(i, seed=7))["Message-ID"] for i in range(300)]
    assert len(set(ids)) == len(ids)


def test_iter_sample_letters_streams() -> None:
    stream = iter_sample_letters(5, seed=3)
    assert inspect.isgenerator(stream)
    assert list(stream) == [sample_letter(i, seed=3) for i in range(5)]


def test_samples_cover_the_charsets_encodings_and_shapes_seen_in_real_mail() -> None:
    charsets: Counter[str] = Counter()
    ctes: Counter[str] = Counter()
    shapes: Counter[str] = Counter()
    public = 0
    for raw in iter_sample_letters(600):
        msg = parse(raw)
        shapes[msg.get_content_type()] += 1
        public += "【公开】" in str(msg["Subject"])
        for part in msg.walk():
            if part.get_content_maintype() == "text":
                charsets[part.get_content_charset() or "us-ascii"] += 1
                ctes[str(part["Content-Transfer-Encoding"])] += 1
            if part.get_filename():
                shapes["attachment"] += 1
    assert set(charsets) == {"utf-8", "gb2312", "gbk", "gb18030", "big5", "us-ascii"}
    assert {"base64", "quoted-printable", "8bit", "7bit"} <= set(ctes)
    assert {"text/plain", "text/html", "multipart/alternative", "multipart/mixed"} <= set(shapes)
    assert shapes["attachment"] > 0
    assert public > 0


def test_gb2312_labelled_samples_need_gb18030() -> None:
    """At least one GB2312-labelled letter uses characters outside GB2312 (the classic trap)."""
    trapped = 0
    for raw in iter_sample_letters(400):
        for part in parse(raw).walk():
            if part.get_content_charset() == "gb2312":
                payload = part.get_payload(decode=True)
                assert isinstance(payload, bytes)
                try:
                    payload.decode("gb2312")
                except UnicodeDecodeError:
                    trapped += 1
    assert trapped > 0


# --------------------------------------------------------------------------- demo mailbox


def test_demo_mailbox_has_about_twenty_uniquely_named_messages() -> None:
    names = [name for name, _raw in demo_mailbox()]
    assert 18 <= len(names) <= 25
    assert len(set(names)) == len(names)
    assert all(name.endswith(".eml") for name in names)
    assert demo_mailbox() == demo_mailbox()


@pytest.mark.parametrize("name", [n for n in DEMO if n != "21-malformed.eml"])
def test_demo_messages_parse_and_decode(name: str) -> None:
    msg = parse(DEMO[name])
    assert msg["From"] and msg["Message-ID"] and msg["Date"]
    assert text_parts(msg)


def test_demo_message_ids_are_unique() -> None:
    ids = [parse(raw)["Message-ID"] for name, raw in DEMO.items() if name != "21-malformed.eml"]
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("08-network-public.eml", "【公开】"),
        ("19-auto-reply.eml", "自动回复"),
        ("17-english-international.eml", "residence permit"),
    ],
)
def test_demo_subjects(name: str, needle: str) -> None:
    assert needle in subject_of(name)


@pytest.mark.parametrize(
    ("name", "needles"),
    [
        ("09-library-consent.eml", ["同意公开"]),
        ("12-hardship-private.eml", ["请不要公开"]),
        ("14-emergency-fire.eml", ["着火", "受伤"]),
        ("15-praise.eml", ["感谢"]),
        ("16-legal-arbitration.eml", ["仲裁", "行政复议"]),
        ("13-fever-night-clinic.eml", ["发烧"]),
    ],
)
def test_demo_bodies(name: str, needles: list[str]) -> None:
    body = body_of(name)
    assert all(n in body for n in needles)


def test_demo_big5_letter_decodes_with_big5hkscs() -> None:
    msg = parse(DEMO["18-big5-traditional.eml"])
    [part] = [p for p in msg.walk() if p.get_content_type() == "text/plain"]
    assert part.get_content_charset() == "big5"
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    assert "熱水" in payload.decode("big5hkscs")


def test_demo_gb2312_letter_has_a_name_outside_gb2312() -> None:
    raw = DEMO["01-hot-water-gb2312.eml"]
    assert b"=?gb2312?B?" in raw
    assert "李喆" in body_of("01-hot-water-gb2312.eml")


def test_demo_attachments_have_chinese_filenames() -> None:
    msg = parse(DEMO["12-hardship-private.eml"])
    names = [p.get_filename() for p in msg.iter_attachments()]
    assert names == ["困难补助申请表.pdf", "医院诊断证明.jpg"]
    [pdf] = [p for p in msg.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert pdf.get_content().startswith(b"%PDF-")


def test_demo_auto_reply_is_marked() -> None:
    msg = parse(DEMO["19-auto-reply.eml"])
    assert msg["Auto-Submitted"] == "auto-replied"


def test_demo_bounce_is_a_delivery_status_report() -> None:
    raw = DEMO["20-bounce.eml"]
    msg = parse(raw)
    assert raw.startswith(b"Return-Path: <>\r\n")
    assert msg.get_content_type() == "multipart/report"
    assert msg.get_param("report-type") == "delivery-status"
    assert "MAILER-DAEMON" in str(msg["From"])
    assert any(p.get_content_type() == "message/delivery-status" for p in msg.walk())


def test_demo_malformed_message_has_no_headers() -> None:
    msg = parse(DEMO["21-malformed.eml"])
    assert msg["From"] is None and msg["Message-ID"] is None
    assert msg.defects
