"""Decoding never loses a letter for a label, and the parser's bounds: built from hand-made bytes.

Each bound is tested by an input just past it (and one just within it); the fuzz test at the
end drives the parser with generated MIME structures and asserts it never raises anything but
`UnparseableMail`.
"""

from __future__ import annotations

import base64

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xinxiang.errors import UnparseableMail
from xinxiang.mailbox.bounds import (
    MAX_HEADER_BLOCK_BYTES,
    MAX_HEADER_FIELDS,
    MAX_MESSAGE_BYTES,
    MAX_MIME_DEPTH,
    bound_message,
)
from xinxiang.mailbox.headers import MAX_HEADER_VALUE_BYTES
from xinxiang.mailbox.html_text import MAX_HTML_CHARS, MAX_HTML_DEPTH, html_to_text, sanitise_html
from xinxiang.mailbox.parse import parse_message

HEAD = (
    b"From: zs@qq.com\r\nTo: xinxiang@example.edu.cn\r\nDate: Fri, 20 Nov 2026 10:03:12 +0800\r\n"
)
TEXT = "老师您好，宿舍热水器坏了。"


def single(content_type: bytes, body: bytes, cte: bytes = b"8bit", extra: bytes = b"") -> bytes:
    return (
        HEAD + b"Subject: test\r\n" + extra + b"MIME-Version: 1.0\r\nContent-Type: " + content_type
        + b"\r\nContent-Transfer-Encoding: " + cte + b"\r\n\r\n" + body + b"\r\n"
    )  # fmt: skip


def defects_mention(letter_defects: tuple[str, ...], *words: str) -> bool:
    return any(all(w in d for w in words) for d in letter_defects)


# -- decoding: labels -------------------------------------------------------------------------

BOGUS_LABELS = ["base64", "hex", "zlib", "utf-16", "utf-32", "utf-16le", "utf-7", "idna",
                "punycode", "rot13", "x-unknown-charset"]  # fmt: skip


@pytest.mark.parametrize("label", BOGUS_LABELS)
def test_a_non_text_or_unfit_label_falls_back_for_its_part_only(label: str) -> None:
    raw = (
        HEAD + b"Subject: test\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n'
        b"--B\r\nContent-Type: text/plain; charset=" + label.encode() + b"\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n" + TEXT.encode("gbk") + b"\r\n"
        b"--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + "第二部分".encode() + b"\r\n"
        b"--B--\r\n"
    )
    letter = parse_message(raw)
    assert TEXT in letter.body and "第二部分" in letter.body
    assert defects_mention(letter.defects, "body part 1", label)


@pytest.mark.parametrize("label", ["base64", "hex", "idna", "utf-16", "rot13"])
def test_a_non_text_label_in_an_encoded_word_or_file_name_is_a_defect(label: str) -> None:
    word = b"=?" + label.encode() + b"?B?" + base64.b64encode("宿舍".encode()) + b"?="
    raw = (
        HEAD + b"Subject: " + word + b"\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n'
        b"--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhello\r\n"
        b"--B\r\nContent-Type: application/pdf\r\n"
        b"Content-Disposition: attachment; filename*=" + label.encode() + b"''%E5%AE%BF.pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--B--\r\n"
    )
    letter = parse_message(raw)
    assert letter.subject == "宿舍"
    assert [a.filename for a in letter.attachments] == ["宿.pdf"]
    assert defects_mention(letter.defects, "Subject", label)


def test_utf16_text_with_its_nuls_is_still_read_as_utf16() -> None:
    data = base64.encodebytes(TEXT.encode("utf-16"))
    letter = parse_message(single(b"text/plain; charset=utf-16", data, b"base64"))
    assert letter.body == TEXT


# -- decoding: raw 8-bit headers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "body_type", "expected"),
    [
        # UTF-8 one byte short: the last character is lost, not the whole subject.
        ("宿舍热水问题".encode()[:-1], b"text/plain; charset=utf-8", "宿舍热水问"),
        ("宿舍热水问题".encode()[:-2], b"text/plain; charset=gbk", "宿舍热水问"),
        # The declared body charset is the hint: Big5 here, not GB18030.
        ("關於宿舍熱水的問題".encode("big5"), b"text/plain; charset=big5", "關於宿舍熱水的問題"),
        ("關於宿舍".encode("big5"), b"text/plain; charset=big5", "關於宿舍"),
        ("关于宿舍热水的问题".encode("gbk"), b"text/plain; charset=gb2312", "关于宿舍热水的问题"),
        ("宿舍热水问题".encode(), b"text/plain; charset=big5", "宿舍热水问题"),
    ],
)
def test_raw_8bit_subjects(subject: bytes, body_type: bytes, expected: str) -> None:
    raw = HEAD + b"Subject: " + subject + b"\r\nContent-Type: " + body_type + b"\r\n\r\nhi\r\n"
    assert parse_message(raw).subject == expected


@pytest.mark.parametrize(
    "subject",
    ["关于食堂价格", "图书馆开放时间", "教务处成绩录入错误", "關於宿舍熱水", "圖書館開放時間"],
)
@pytest.mark.parametrize("codec", ["gbk", "big5"])
def test_raw_subjects_without_any_label_are_detected(subject: str, codec: str) -> None:
    try:
        data = subject.encode(codec)
    except UnicodeEncodeError:
        pytest.skip(f"{subject} is not written in {codec}")
    raw = HEAD + b"Subject: " + data + b"\r\n\r\nhi\r\n"
    assert parse_message(raw).subject == subject


def test_two_raw_gbk_characters_without_a_label_are_read_as_gbk() -> None:
    # Too short for a detector: the mailbox's prior (GB18030) decides.
    assert (
        parse_message(HEAD + b"Subject: " + "你好".encode("gbk") + b"\r\n\r\nhi").subject == "你好"
    )


def test_the_hint_is_found_in_a_nested_text_part() -> None:
    raw = (
        HEAD + b"Subject: " + "台北校區".encode("big5") + b"\r\n"
        b'Content-Type: multipart/alternative; boundary="A"\r\n\r\n'
        b"--A\r\nContent-Type: text/plain; charset=big5\r\n\r\n" + "你好".encode("big5") + b"\r\n"
        b"--A--\r\n"
    )
    assert parse_message(raw).subject == "台北校區"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (b"=?gb2312?Q?=D6=D0" + "文".encode("gbk") + b"?=", "中文"),
        (b"=?utf-8?Q?" + "宿舍".encode() + b"=E7=83=AD?=", "宿舍热"),
        (b"=?big5?Q?" + "台北".encode("big5") + b"?=", "台北"),  # 北 is A5 5F: "_" is no space
        (b"=?gbk?Q?" + "中文".encode("gbk") + b"_=D6=D0?=", "中文 中"),
        (b"Re: =?gb2312?Q?" + "问题".encode("gbk") + b"?= " + "宿舍".encode(), "Re: 问题 宿舍"),
    ],
)
def test_raw_8bit_bytes_inside_a_q_word_are_read_in_its_charset(
    header: bytes, expected: str
) -> None:
    raw = HEAD + b"Subject: " + header + b"\r\n\r\nhi\r\n"
    assert parse_message(raw).subject == expected


def test_raw_8bit_q_word_in_a_display_name() -> None:
    raw = (
        b"From: =?gb2312?Q?" + "张三".encode("gbk") + b"?= <zs@qq.com>\r\nSubject: x\r\n\r\nhi\r\n"
    )
    letter = parse_message(raw)
    assert (letter.from_name, letter.from_addr) == ("张三", "zs@qq.com")


# -- decoding: body -----------------------------------------------------------------------------

FOOTER = (
    b"_______________________________________________\r\n"
    b"students mailing list\r\nstudents@lists.example.edu.cn\r\n"
    b"https://lists.example.edu.cn/mailman/listinfo/students\r\n"
)


@pytest.mark.parametrize("text", [TEXT, TEXT + "a", TEXT + "ab"])  # no padding, "==", "="
def test_padded_base64_stops_at_the_padding(text: str) -> None:
    data = base64.encodebytes(text.encode())
    raw = single(b"text/plain; charset=utf-8", data + FOOTER, b"base64")
    letter = parse_message(raw)
    assert letter.body == text
    assert not any(ord(ch) < 32 and ch != "\n" for ch in letter.body)
    assert defects_mention(letter.defects, "after the base64")


def test_every_line_padded_base64_is_read_whole() -> None:
    lines = [base64.b64encode(chunk.encode()) for chunk in ("宿舍", "热水", "坏了")]
    raw = single(b"text/plain; charset=utf-8", b"\r\n".join(lines), b"base64")
    assert parse_message(raw).body == "宿舍热水坏了"


@pytest.mark.parametrize(
    "content_type",
    [
        b'multipart/mixed; boundary="----=_Part 1\r\n 2"',  # folded at the space inside it
        b'multipart/mixed;\r\n\tboundary="----=_Part 1 2"',
        b'multipart/mixed; boundary=\r\n "----=_Part 1 2"',
        b'multipart/mixed; boundary*0="----=_Part 1";\r\n boundary*1=" 2"',  # RFC 2231
    ],
)
def test_folded_parameters_unfold_and_attachments_stay_attachments(content_type: bytes) -> None:
    sep = b"------=_Part 1 2"
    raw = (
        HEAD + b"Subject: x\r\nMIME-Version: 1.0\r\nContent-Type: " + content_type + b"\r\n\r\n"
        + sep + b"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + TEXT.encode() + b"\r\n"
        + sep + b"\r\nContent-Type: application/pdf;\r\n name*=utf-8''%E7%94%B3%E8%AF%B7\r\n"
        b"  .pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n" + sep + b"--\r\n"
    )  # fmt: skip
    letter = parse_message(raw)
    assert letter.body == TEXT
    assert [a.content_type for a in letter.attachments] == ["application/pdf"]
    assert letter.attachments[0].payload == b"%PDF-"


# -- bounds: nesting --------------------------------------------------------------------------


def nested_multiparts(levels: int) -> bytes:
    opening = b"".join(
        b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (i, i)
        for i in range(levels)
    )
    closing = b"".join(b"\r\n--b%d--" % i for i in reversed(range(levels)))
    inner = b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + TEXT.encode()
    return HEAD + b"Subject: deep\r\n" + opening + inner + closing + b"\r\n"


def nested_messages(levels: int) -> bytes:
    wrappers = b"From: a@b.cn\r\nContent-Type: message/rfc822\r\n\r\n" * levels
    return (
        HEAD
        + b"Subject: deep\r\nContent-Type: message/rfc822\r\n\r\n"
        + wrappers
        + (b"From: a@b.cn\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + TEXT.encode())
    )


@pytest.mark.parametrize("build", [nested_multiparts, nested_messages])
@pytest.mark.parametrize(
    ("levels", "too_deep"),
    [(MAX_MIME_DEPTH - 1, False), (MAX_MIME_DEPTH + 1, True), (1000, True), (5000, True)],
)
def test_nesting_past_the_bound_is_a_letter_with_a_defect(build, levels, too_deep) -> None:  # type: ignore[no-untyped-def]
    letter = parse_message(build(levels))
    assert letter.subject == "deep"
    assert defects_mention(letter.defects, "nested deeper") is too_deep
    if too_deep:  # the inner structure is kept whole, unparsed, as an attachment
        assert any(TEXT.encode() in a.payload for a in letter.attachments)
    else:
        assert TEXT in letter.body


def test_many_siblings_are_not_nesting() -> None:
    parts = b"".join(
        b"--S\r\nContent-Type: multipart/alternative; boundary=A%d\r\n\r\n"
        b"--A%d\r\nContent-Type: text/plain\r\n\r\npart %d\r\n--A%d--\r\n" % (i, i, i, i)
        for i in range(MAX_MIME_DEPTH * 2)
    )
    raw = HEAD + b"Subject: wide\r\nContent-Type: multipart/mixed; boundary=S\r\n\r\n" + parts
    letter = parse_message(raw + b"--S--\r\n")
    assert not defects_mention(letter.defects, "nested deeper")
    assert f"part {MAX_MIME_DEPTH * 2 - 1}" in letter.body


# -- bounds: header fields and total size ---------------------------------------------------


def with_fields(fields: list[bytes], subject: bytes = b"Subject: s\r\n") -> bytes:
    return HEAD + b"".join(fields) + subject + b"\r\n" + TEXT.encode() + b"\r\n"


def test_header_fields_past_the_count_are_dropped_but_the_letter_fields_kept() -> None:
    room = MAX_HEADER_FIELDS - HEAD.count(b"\n") - 1  # HEAD, the junk and Subject
    within = parse_message(with_fields([b"X-Junk: %d\r\n" % i for i in range(room)]))
    assert not defects_mention(within.defects, "fields not read")
    junk = [b"X-Junk: %d\r\n" % i for i in range(room + 1)]
    past = parse_message(with_fields(junk, b"Subject: s\r\nX-After: 1\r\n"))
    assert defects_mention(past.defects, "1 fields not read")  # X-After; Subject is kept
    assert (past.subject, past.from_addr, past.body) == ("s", "zs@qq.com", TEXT)
    assert past.header("X-After") is None


def test_a_header_field_past_its_size_is_cut_short() -> None:
    prefix = len(b"X-Long: \r\n")  # the bound counts the whole field, line break included
    within = with_fields([b"X-Long: " + b"a" * (MAX_HEADER_VALUE_BYTES - prefix) + b"\r\n"])
    assert not defects_mention(parse_message(within).defects, "cut short")
    past = with_fields([b"X-Long: " + b"a" * (MAX_HEADER_VALUE_BYTES - prefix + 1) + b"\r\n"])
    assert defects_mention(parse_message(past).defects, "x-long", "cut short")


def test_a_long_subject_is_cut_at_the_field_bound() -> None:
    letter = parse_message(with_fields([], b"Subject: " + "长".encode() * 100_000 + b"\r\n"))
    assert 0 < len(letter.subject.encode()) <= MAX_HEADER_VALUE_BYTES
    assert defects_mention(letter.defects, "subject", "cut short")


def test_a_header_block_past_its_size_keeps_the_fields_a_letter_needs() -> None:
    field = b"X-Big: " + b"b" * (MAX_HEADER_VALUE_BYTES - 100) + b"\r\n"
    count = MAX_HEADER_BLOCK_BYTES // len(field) + 2
    letter = parse_message(with_fields([field] * count))
    assert defects_mention(letter.defects, "fields not read")
    assert (letter.subject, letter.body) == ("s", TEXT)


def test_one_hundred_one_megabyte_headers() -> None:
    fields = [b"X-H%d: " % i + b"x" * 1_000_000 + b"\r\n" for i in range(100)]
    letter = parse_message(with_fields(fields))
    assert (letter.subject, letter.body) == ("s", TEXT)
    assert sum(len(v) for _, v in letter.headers) <= MAX_HEADER_BLOCK_BYTES + MAX_HEADER_VALUE_BYTES


def test_bytes_past_the_total_size_are_not_read() -> None:
    start = HEAD + b"Subject: big\r\n\r\n"
    within, found = bound_message(start + b"a" * (MAX_MESSAGE_BYTES - len(start)))
    assert found == [] and len(within) == MAX_MESSAGE_BYTES
    past, found = bound_message(start + b"a" * (MAX_MESSAGE_BYTES - len(start) + 1))
    assert len(past) == MAX_MESSAGE_BYTES
    assert len(found) == 1 and "1 bytes" in found[0]


# -- bounds: HTML -------------------------------------------------------------------------------


def test_html_nested_past_its_depth_is_shown_as_escaped_text() -> None:
    depth = MAX_HTML_DEPTH - 1  # and the <script> inside
    within = "<div>" * depth + "正文<script>x</script>" + "</div>" * depth
    assert sanitise_html(within).startswith("<div>")
    past = "<div>" * (MAX_HTML_DEPTH + 1) + "正文<b>" + "</div>" * (MAX_HTML_DEPTH + 1)
    assert sanitise_html(past) == "<pre>正文</pre>"


def test_one_hundred_thousand_nested_divs() -> None:
    html = "<div>" * 100_000 + "正文" + "</div>" * 100_000
    assert sanitise_html(html) == "<pre>正文</pre>"
    raw = single(b"text/html; charset=utf-8", html.encode())
    letter = parse_message(raw)
    assert letter.body == "正文" and letter.html == "<pre>正文</pre>"
    assert defects_mention(letter.defects, "HTML part")


def test_html_past_its_size_keeps_all_its_text() -> None:
    paragraph = "<p>宿舍热水&amp;食堂</p>"
    html = paragraph * (MAX_HTML_CHARS // len(paragraph) + 10) + "<p>最后一段</p>"
    text = html_to_text(html)
    assert text.endswith("最后一段") and "<" not in text
    assert sanitise_html(html).startswith("<pre>")


# -- fuzz ---------------------------------------------------------------------------------------

_labels = st.sampled_from(
    ["utf-8", "gb2312", "gbk", "big5", "utf-16", "base64", "hex", "idna", "utf-7", "", "x-bad",
     '"gb18030"', "zlib", "rot13", "iso-2022-jp"]
)  # fmt: skip
_ctes = st.sampled_from(["7bit", "8bit", "base64", "quoted-printable", "x-uue", "binary", ""])
_text_bytes = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=60).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.text(alphabet="宿舍热水问题老师您好關於", max_size=40).map(lambda t: t.encode("gb18030")),
)


@st.composite
def _part(draw: st.DrawFn, depth: int = 0) -> bytes:
    kind = draw(st.sampled_from(["leaf", "multi", "message"] if depth < 4 else ["leaf"]))
    if kind == "multi":
        boundary = draw(st.sampled_from([b"B%d" % depth, b"x y", b"=_q", b""]))
        children = draw(st.lists(_part(depth + 1), max_size=3))
        sub = draw(st.sampled_from([b"mixed", b"alternative", b"related", b"report", b"digest"]))
        body = b"".join(b"--" + boundary + b"\r\n" + c + b"\r\n" for c in children)
        closing = draw(st.sampled_from([b"--" + boundary + b"--\r\n", b""]))
        return (
            b"Content-Type: multipart/" + sub + b'; boundary="' + boundary + b'"\r\n\r\n'
            + body + closing
        )  # fmt: skip
    if kind == "message":
        return b"Content-Type: message/rfc822\r\n\r\n" + draw(_message(depth + 1))
    ctype = draw(st.sampled_from([b"text/plain", b"text/html", b"application/pdf", b"image/png"]))
    label = draw(_labels).encode()
    cte = draw(_ctes).encode()
    data = draw(_text_bytes)
    if cte == b"base64" and draw(st.booleans()):
        data = base64.encodebytes(data) + draw(st.sampled_from([b"", FOOTER, b"=="]))
    name = draw(st.sampled_from([b"", b"; name=a.pdf", b"; name*=gbk''%D6%D0", b"; name=\xd6\xd0"]))
    return (
        b"Content-Type: " + ctype + b"; charset=" + label + name + b"\r\n"
        b"Content-Transfer-Encoding: " + cte + b"\r\n\r\n" + data
    )


@st.composite
def _message(draw: st.DrawFn, depth: int = 0) -> bytes:
    subject = (
        draw(
            st.one_of(
                _text_bytes,
                st.builds(
                    lambda cs, d: b"=?" + cs.encode() + b"?Q?" + d + b"?=", _labels, _text_bytes
                ),
                st.builds(
                    lambda cs, d: b"=?" + cs.encode() + b"?B?" + base64.b64encode(d) + b"?=",
                    _labels,
                    _text_bytes,
                ),
            )
        )
        .replace(b"\r", b"")
        .replace(b"\n", b"")
    )
    sender = draw(
        st.sampled_from([b"zs@qq.com", b"MAILER-DAEMON", b"<>", b"\xd5\xc5 <a@b.cn>", b""])
    )
    head = b"From: " + sender + b"\r\nSubject: " + subject + b"\r\nMIME-Version: 1.0\r\n"
    return head + draw(_part(depth))


@settings(
    max_examples=300,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(_message())
def test_fuzzed_mime_never_raises_anything_but_unparseable(raw: bytes) -> None:
    try:
        letter = parse_message(raw)
    except UnparseableMail:
        return
    assert isinstance(letter.body, str) and "\x00" not in letter.body
