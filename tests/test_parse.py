"""Parsing raw mail into a `Letter`: every Chinese decoding trap, built by hand as raw bytes."""

from __future__ import annotations

import base64
import urllib.parse
from datetime import UTC, datetime, timedelta, timezone
from email.message import EmailMessage
from email.policy import SMTP

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xinxiang.errors import UnparseableMail
from xinxiang.mailbox.charsets import decode_bytes, python_codec_for
from xinxiang.mailbox.html_text import html_to_text
from xinxiang.mailbox.parse import FORWARD_MARKER, parse_message, safe_filename

# Characters outside GB2312 / plain Big5 that mislabelled mail loses when decoded by its label.
GBK_ONLY = "朱镕基 喆"  # in GBK, not in GB2312
GB18030_ONLY = "㵘"  # four-byte GB18030, not even in GBK
EURO = "€"
HKSCS = "嘅𠵱"  # Big5-HKSCS, not in Big5


def b64(data: bytes) -> bytes:
    return base64.b64encode(data)


def word(text: str, charset: str, enc: str = "B") -> bytes:
    """One RFC 2047 encoded word (charset label as written, bytes in the real superset)."""
    data = text.encode(python_codec_for(charset))
    payload = b64(data) if enc == "B" else "".join(f"={b:02X}" for b in data).encode()
    return b"=?" + charset.encode() + b"?" + enc.encode() + b"?" + payload + b"?="


def mail(*headers: bytes, body: bytes = b"hello\r\n", content_type: bytes | None = None) -> bytes:
    head = [
        b"From: =?utf-8?B?" + b64("张三".encode()) + b"?= <ZhangSan@Example.EDU.cn>",
        b"To: xinxiang@example.edu.cn",
        b"Date: Fri, 20 Nov 2026 10:03:12 +0800",
        b"Message-ID: <m1@mail.example.com>",
        b"MIME-Version: 1.0",
    ]
    names = {h.split(b":", 1)[0].lower() for h in headers}
    head = [h for h in head if h.split(b":", 1)[0].lower() not in names]
    head.extend(headers)
    if content_type is not None and b"content-type" not in names:
        head.append(b"Content-Type: " + content_type)
    return b"\r\n".join(head) + b"\r\n\r\n" + body


def text_part(text: str, label: str, cte: str = "base64") -> bytes:
    data = text.encode(python_codec_for(label))
    body = b64(data) if cte == "base64" else data
    return mail(
        b"Subject: test",
        b"Content-Type: text/plain; charset=" + label.encode(),
        b"Content-Transfer-Encoding: " + cte.encode(),
        body=body + b"\r\n",
    )


# -- charset labels ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("gb2312", "gb18030"),
        ("GB2312", "gb18030"),
        ("gbk", "gb18030"),
        ("x-gbk", "gb18030"),
        ("euc-cn", "gb18030"),
        ("cp936", "gb18030"),
        ("gb_2312-80", "gb18030"),
        ('"gb2312"', "gb18030"),
        ("big5", "big5hkscs"),
        ("big5-hkscs", "big5hkscs"),
        ("cp950", "big5hkscs"),
        ("utf-8", "utf-8"),
        ("us-ascii", "utf-8"),
        (None, "utf-8"),
        ("no-such-charset", "utf-8"),
    ],
)
def test_charset_labels_map_to_lossless_supersets(label: str | None, codec: str) -> None:
    assert python_codec_for(label) == codec


GB_TEXT = f"尊敬的书记：{GBK_ONLY}{GB18030_ONLY}{EURO}，宿舍热水问题。"
BIG5_TEXT = f"校長您好：{HKSCS}，宿舍熱水問題。"


@pytest.mark.parametrize("label", ["gb2312", "gbk", "x-gbk", "euc-cn", "cp936", "gb_2312-80"])
@pytest.mark.parametrize("cte", ["base64", "8bit"])
def test_gb_family_labels_decode_as_gb18030_without_loss(label: str, cte: str) -> None:
    letter = parse_message(text_part(GB_TEXT, label, cte))
    assert letter.body == GB_TEXT
    assert letter.defects == ()


@pytest.mark.parametrize("label", ["big5", "big5-hkscs", "cp950"])
def test_big5_labels_decode_as_big5hkscs_with_hkscs_characters(label: str) -> None:
    letter = parse_message(text_part(BIG5_TEXT, label))
    assert letter.body == BIG5_TEXT
    assert letter.defects == ()


def test_gb2312_labelled_encoded_words_keep_gbk_characters() -> None:
    raw = mail(b"Subject: " + word(f"关于{GBK_ONLY}{GB18030_ONLY}的建议", "gb2312"))
    assert parse_message(raw).subject == f"关于{GBK_ONLY}{GB18030_ONLY}的建议"


def test_big5_labelled_encoded_words_keep_hkscs_characters() -> None:
    raw = mail(b"Subject: " + word(f"投訴{HKSCS}", "big5", "Q"))
    assert parse_message(raw).subject == f"投訴{HKSCS}"


# -- RFC 2047 ------------------------------------------------------------------------------------


def split_words(text: str, charset: str, cut: int, enc: str = "B") -> bytes:
    """Two encoded words whose byte boundary falls `cut` bytes in, i.e. inside a character."""
    data = text.encode(python_codec_for(charset))

    def one(chunk: bytes) -> bytes:
        payload = b64(chunk) if enc == "B" else "".join(f"={b:02X}" for b in chunk).encode()
        return b"=?" + charset.encode() + b"?" + enc.encode() + b"?" + payload + b"?="

    return one(data[:cut]) + b"\r\n " + one(data[cut:])


@pytest.mark.parametrize(
    ("text", "charset", "cut", "enc"),
    [
        ("中文信件", "utf-8", 4, "B"),  # cuts 文 (3 bytes) after its first byte
        ("中文信件", "UTF-8", 5, "Q"),
        ("朱镕基同志", "gb2312", 3, "B"),  # cuts 镕 (GBK) in half
        (f"宿舍{GB18030_ONLY}漏水", "gb18030", 6, "B"),  # cuts a 4-byte character
        (f"問題{HKSCS}", "big5", 5, "B"),
    ],
)
def test_rfc2047_words_split_mid_character_are_joined(
    text: str, charset: str, cut: int, enc: str
) -> None:
    letter = parse_message(mail(b"Subject: " + split_words(text, charset, cut, enc)))
    assert letter.subject == text
    assert letter.defects == ()


def test_rfc2047_mixed_with_plain_text_and_different_charsets() -> None:
    raw = mail(b"Subject: Re: " + word("宿舍", "gbk") + b" " + word("問題", "big5") + b" (urgent)")
    assert parse_message(raw).subject == "Re: 宿舍問題 (urgent)"


def test_rfc2047_inside_quotes_in_display_name() -> None:
    raw = mail(b'From: "' + word("李四", "gb2312") + b'" <LiSi@QQ.com>')
    letter = parse_message(raw)
    assert (letter.from_name, letter.from_addr) == ("李四", "lisi@qq.com")


# -- raw 8-bit headers -------------------------------------------------------------------------


def test_raw_utf8_subject_and_display_name() -> None:
    raw = mail(
        "Subject: 关于食堂价格的建议".encode(),
        "From: 王五 <wangwu@example.com>".encode(),
    )
    letter = parse_message(raw)
    assert letter.subject == "关于食堂价格的建议"
    assert letter.from_name == "王五"
    assert letter.defects == ()


def test_raw_gb18030_subject_is_decoded_and_the_guess_recorded() -> None:
    raw = mail(f"Subject: 关于{GBK_ONLY}的建议".encode("gb18030"))
    letter = parse_message(raw)
    assert letter.subject == f"关于{GBK_ONLY}的建议"
    assert any("Subject" in d and "gb18030" in d for d in letter.defects)


def test_raw_gb18030_display_name_with_ascii_specials_inside_characters() -> None:
    # 丂 is 0x81 0x40 in GBK: its second byte is "@", which must not confuse address parsing.
    raw = mail("From: 丂李 <li@example.com>".encode("gb18030"))
    letter = parse_message(raw)
    assert (letter.from_name, letter.from_addr) == ("丂李", "li@example.com")


# -- missing or wrong charsets -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected", "guess"),
    [
        ("您好，同学".encode(), "您好，同学", "utf-8"),
        (f"您好，{GBK_ONLY}".encode("gb18030"), f"您好，{GBK_ONLY}", "gb18030"),
    ],
)
def test_missing_charset_is_guessed_and_recorded(data: bytes, expected: str, guess: str) -> None:
    raw = mail(b"Subject: x", b"Content-Type: text/plain", body=data)
    letter = parse_message(raw)
    assert letter.body == expected
    assert any("no charset declared" in d and guess in d for d in letter.defects)


def test_ascii_body_without_charset_has_no_defect() -> None:
    letter = parse_message(mail(b"Subject: x", body=b"plain ascii\r\n"))
    assert letter.body == "plain ascii"
    assert letter.defects == ()


def test_utf8_text_labelled_gb2312_is_recognised() -> None:
    raw = mail(
        b"Subject: x",
        b"Content-Type: text/plain; charset=gb2312",
        b"Content-Transfer-Encoding: 8bit",
        body="您好，朱镕基".encode(),
    )
    letter = parse_message(raw)
    assert letter.body == "您好，朱镕基"
    assert any("decoded as utf-8" in d for d in letter.defects)


def test_undecodable_bytes_are_replaced_and_counted() -> None:
    data = "您好".encode("gb18030") + b"\xff\xff\xff" + "再见".encode("gb18030")
    raw = mail(
        b"Subject: x",
        b"Content-Type: text/plain; charset=gb2312",
        b"Content-Transfer-Encoding: 8bit",
        body=data,
    )
    letter = parse_message(raw)
    assert letter.body.startswith("您好") and letter.body.endswith("再见")
    assert "\ufffd" in letter.body
    assert "body part 1: 3 undecodable bytes in charset gb18030 replaced by U+FFFD" in (
        letter.defects
    )


@pytest.mark.parametrize(
    ("data", "label", "text", "defect_fragment"),
    [
        (b"", "gb2312", "", None),
        ("好".encode("gb18030"), "gb2312", "好", None),
        (b"\x81", "gbk", "\ufffd", "1 undecodable bytes in charset gb18030"),
        ("好".encode(), None, "好", "no charset declared, decoded as utf-8"),
        (b"abc", "x-unknown", "abc", None),
        ("好".encode(), "x-unknown", "好", "unknown charset 'x-unknown', decoded as utf-8"),
    ],
)
def test_decode_bytes_table(
    data: bytes, label: str | None, text: str, defect_fragment: str | None
) -> None:
    out, defects = decode_bytes(data, label)
    assert out == text
    if defect_fragment is None:
        assert defects == []
    else:
        assert any(defect_fragment in d for d in defects), defects


def test_truncated_base64_is_a_defect_not_an_exception() -> None:
    encoded = b64("宿舍的热水每天只供应两个小时，希望延长。".encode("gb18030"))
    raw = mail(
        b"Subject: x",
        b"Content-Type: text/plain; charset=gbk",
        b"Content-Transfer-Encoding: base64",
        body=encoded[:-5],
    )
    letter = parse_message(raw)
    assert letter.body.startswith("宿舍的热水")
    assert any("base64" in d for d in letter.defects)


def test_missing_closing_boundary_still_yields_the_text() -> None:
    raw = mail(
        b"Subject: x",
        b'Content-Type: multipart/mixed; boundary="BB"',
        body=b"--BB\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        + "正文还在".encode()
        + b"\r\n",
    )
    letter = parse_message(raw)
    assert letter.body == "正文还在"
    assert letter.defects  # CloseBoundaryNotFoundDefect


# -- structure: HTML, inline images, forwards, attachments ---------------------------------------

HTML = (
    "<html><head><style>p {color: red}</style><script>alert('x')</script></head><body>"
    '<p onclick="steal()">尊敬的校长：</p><p>您好！&nbsp;食堂&amp;宿舍<br>第二行</p>'
    "<ul><li>第一条</li><li>第二条</li></ul>"
    "<table><tr><td>姓名</td><td>学号</td></tr><tr><td>张三</td><td>2021001</td></tr></table>"
    '<a href="javascript:alert(1)">点这里</a>'
    '<img src="cid:pic1@local" alt="照片"></body></html>'
)


def test_html_only_mail_is_rendered_to_text_and_sanitised() -> None:
    raw = mail(
        b"Subject: x",
        b"Content-Type: text/html; charset=gb2312",
        b"Content-Transfer-Encoding: base64",
        body=b64(HTML.encode("gb18030")),
    )
    letter = parse_message(raw)
    assert letter.body.splitlines() == [
        "尊敬的校长：",
        "",
        "您好！ 食堂&宿舍",
        "第二行",
        "",
        "- 第一条",
        "- 第二条",
        "",
        "姓名 | 学号",
        "张三 | 2021001",
        "",
        "点这里[照片]",
    ]
    assert "alert" not in letter.body
    assert letter.html is not None
    for forbidden in ("<script", "onclick", "javascript:", "alert"):
        assert forbidden not in letter.html
    assert "cid:pic1@local" in letter.html


def related_mail() -> bytes:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
    return mail(
        b"Subject: x",
        b'Content-Type: multipart/related; boundary="RR"',
        body=b"\r\n".join(
            [
                b"--RR",
                b'Content-Type: multipart/alternative; boundary="AA"',
                b"",
                b"--AA",
                b"Content-Type: text/plain; charset=utf-8",
                b"",
                "见下图".encode(),
                b"--AA",
                b"Content-Type: text/html; charset=utf-8",
                b"",
                '<p>见下图</p><img src="cid:pic1@local">'.encode(),
                b"--AA--",
                b"--RR",
                b"Content-Type: image/png",
                b"Content-ID: <pic1@local>",
                b"Content-Transfer-Encoding: base64",
                b"",
                b64(png),
                b"--RR--",
                b"",
            ]
        ),
    )


def test_inline_image_is_an_inline_attachment_with_its_content_id() -> None:
    letter = parse_message(related_mail())
    assert letter.body == "见下图"  # the plain alternative wins for the body
    assert letter.html is not None and "cid:pic1@local" in letter.html
    (image,) = letter.attachments
    assert image.inline is True
    assert image.content_id == "pic1@local"
    assert image.content_type == "image/png"
    assert image.payload.startswith(b"\x89PNG")
    assert image.filename == "image-3.png"


def test_forwarded_message_is_kept_and_its_text_appended() -> None:
    inner = b"\r\n".join(
        [
            b"From: " + word("赵六", "gbk") + b" <zhaoliu@example.com>",
            b"Subject: " + word("原始投诉", "gb2312"),
            b"Date: Thu, 19 Nov 2026 09:00:00 +0800",
            b"Message-ID: <inner@example.com>",
            b"Content-Type: text/plain; charset=gb2312",
            b"Content-Transfer-Encoding: base64",
            b"",
            b64(f"图书馆空调坏了，{GBK_ONLY}".encode("gb18030")),
        ]
    )
    raw = mail(
        b"Subject: Fw: complaint",
        b'Content-Type: multipart/mixed; boundary="MM"',
        body=b"\r\n".join(
            [
                b"--MM",
                b"Content-Type: text/plain; charset=utf-8",
                b"",
                "请看转发的来信。".encode(),
                b"--MM",
                b"Content-Type: message/rfc822",
                b"",
                inner,
                b"--MM--",
                b"",
            ]
        ),
    )
    letter = parse_message(raw)
    (fwd,) = letter.attachments
    assert (fwd.filename, fwd.content_type) == ("forwarded.eml", "message/rfc822")
    assert parse_message(fwd.payload).message_id == "<inner@example.com>"
    head, _, rest = letter.body.partition(FORWARD_MARKER)
    assert head.strip() == "请看转发的来信。"
    assert "发件人: 赵六 <zhaoliu@example.com>" in rest
    assert "主题: 原始投诉" in rest
    assert rest.rstrip().endswith(f"图书馆空调坏了，{GBK_ONLY}")


def attachment_mail(disposition_params: bytes, type_params: bytes = b"") -> bytes:
    return mail(
        b"Subject: x",
        b'Content-Type: multipart/mixed; boundary="MM"',
        body=b"\r\n".join(
            [
                b"--MM",
                b"Content-Type: text/plain; charset=utf-8",
                b"",
                b"see attachment",
                b"--MM",
                b"Content-Type: application/pdf" + type_params,
                b"Content-Disposition: attachment" + disposition_params,
                b"Content-Transfer-Encoding: base64",
                b"",
                b64(b"%PDF-1.4 test"),
                b"--MM--",
                b"",
            ]
        ),
    )


def pct(text: str, codec: str) -> bytes:
    return urllib.parse.quote(text.encode(codec)).encode()


@pytest.mark.parametrize(
    ("disposition", "content_type", "expected"),
    [
        (b"; filename*=utf-8''" + pct("申请材料.pdf", "utf-8"), b"", "申请材料.pdf"),
        (b"; filename*=gb2312''" + pct(f"{GBK_ONLY}材料.pdf", "gb18030"), b"", "朱镕基 喆材料.pdf"),
        (
            b"; filename*0*=gb18030''"
            + pct("学生证", "gb18030")
            + b";\r\n filename*1*="
            + pct(f"{GB18030_ONLY}.pdf", "gb18030"),
            b"",
            f"学生证{GB18030_ONLY}.pdf",
        ),
        (b'; filename="' + word("成绩单.pdf", "gb2312") + b'"', b"", "成绩单.pdf"),
        (b"", b'; name="' + word("证明.pdf", "gbk") + b'"', "证明.pdf"),
        (b'; filename="..\\..\\windows\\evil.pdf"', b"", "evil.pdf"),
        (b'; filename="/etc/passwd"', b"", "passwd"),
        (b'; filename="a\x07b\x1b.pdf"', b"", "ab.pdf"),
        ('; filename="照片.jpg"'.encode(), b"", "照片.jpg"),
        (b"", b"", "attachment-2.pdf"),
    ],
)
def test_attachment_filenames(disposition: bytes, content_type: bytes, expected: str) -> None:
    letter = parse_message(attachment_mail(disposition, content_type))
    (att,) = letter.attachments
    assert att.filename == expected
    assert att.payload == b"%PDF-1.4 test"
    assert att.inline is False
    assert not [d for d in letter.defects if "attachment" in d]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("报告.docx", "报告.docx"),
        ("../../x.txt", "x.txt"),
        ("C:\\Users\\a\\b.txt", "b.txt"),
        ("evil\u202egpj.exe", "evilgpj.exe"),
        ('a<b>c:"d"|e?f*.txt', "a_b_c__d__e_f_.txt"),
        ("...", ""),
        ("", ""),
        ("  .hidden  ", "hidden"),
        ("长" * 100 + ".pdf", "长" * 65 + ".pdf"),
    ],
)
def test_safe_filename_table(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


# -- envelope fields -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (b"Message-ID: <abc@x.cn>", "<abc@x.cn>"),
        (b"Message-ID:   <abc@x.cn>  ", "<abc@x.cn>"),
        (b"Message-ID:\r\n <abc@\r\n x.cn>", "<abc@x.cn>"),
        (b"Message-ID: abc@x.cn", "<abc@x.cn>"),
        (b"Message-ID: ", None),
        (b"X-No-Message-Id: 1", None),
    ],
)
def test_message_id_normalised(header: bytes, expected: str | None) -> None:
    raw = mail(header) if header.startswith(b"Message-ID") else mail(header, b"Message-ID:")
    assert parse_message(raw).message_id == expected


@pytest.mark.parametrize(
    ("header", "expected", "defect"),
    [
        (
            b"Date: Fri, 20 Nov 2026 10:03:12 +0800",
            datetime(2026, 11, 20, 10, 3, 12, tzinfo=timezone(timedelta(hours=8))),
            False,
        ),
        (
            b"Date: Fri, 20 Nov 2026 02:03:12 -0000",
            datetime(2026, 11, 20, 2, 3, 12, tzinfo=UTC),
            False,
        ),
        ("Date: 2026年11月20日".encode(), None, True),
        (b"Date: ", None, True),
    ],
)
def test_dates_are_aware_or_none_with_defect(
    header: bytes, expected: datetime | None, defect: bool
) -> None:
    letter = parse_message(mail(header))
    assert letter.date == expected
    if expected is not None:
        assert letter.date is not None and letter.date.tzinfo is not None
    assert any(d.startswith("header Date") for d in letter.defects) is defect


def test_envelope_fields_and_headers() -> None:
    raw = mail(
        b"Subject: " + word("【公开】宿舍热水", "gb2312"),
        b"Cc: A <A@X.cn>, b@y.cn",
        b"In-Reply-To: <ack-1@example.edu.cn>",
        b"References: <a@x>\r\n <ack-1@example.edu.cn>",
    )
    letter = parse_message(raw)
    assert letter.from_addr == "zhangsan@example.edu.cn"
    assert letter.from_name == "张三"
    assert letter.to_addrs == ("xinxiang@example.edu.cn",)
    assert letter.cc_addrs == ("a@x.cn", "b@y.cn")
    assert letter.in_reply_to == "<ack-1@example.edu.cn>"
    assert letter.references == ("<a@x>", "<ack-1@example.edu.cn>")
    assert letter.header("subject") == "【公开】宿舍热水"
    assert letter.header("From") == "张三 <ZhangSan@Example.EDU.cn>"
    assert letter.public_consent is True


def test_missing_from_is_a_defect_not_an_error() -> None:
    raw = b"Subject: hi\r\nDate: Fri, 20 Nov 2026 10:03:12 +0800\r\n\r\nbody\r\n"
    letter = parse_message(raw)
    assert letter.from_addr == ""
    assert "header From: no sender address" in letter.defects


def test_nul_characters_are_removed_and_recorded() -> None:
    raw = mail(b"Subject: x", body=b"a\x00b\r\n")
    letter = parse_message(raw)
    assert letter.body == "ab"
    assert any("NUL" in d for d in letter.defects)


# -- unparseable -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"   \r\n\r\n",
        b"just some text without any headers\nsecond line\n",
        b"\x00\x01\x02\x03garbage\xff\xfe" * 20,
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"X-Only: a custom header\r\n\r\nbody",
    ],
)
def test_not_mail_raises_unparseable(raw: bytes) -> None:
    with pytest.raises(UnparseableMail):
        parse_message(raw)


# -- properties --------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=2000),
        st.builds(
            lambda head, body: head + b"\r\n\r\n" + body,
            st.sampled_from(
                [
                    b"From: a@b.cn\r\nContent-Type: multipart/mixed; boundary=x",
                    b"Subject: =?gb2312?B?",
                    b"Content-Type: text/plain; charset*=gb2312''%FF\r\nFrom: <>",
                    b"Content-Type: message/rfc822\r\nDate: x",
                    b"From: a@b\r\nContent-Transfer-Encoding: base64",
                ]
            ),
            st.binary(max_size=500),
        ),
    )
)
def test_parse_never_raises_anything_but_unparseable(raw: bytes) -> None:
    try:
        letter = parse_message(raw)
    except UnparseableMail:
        return
    assert isinstance(letter.body, str)
    assert "\x00" not in letter.body


def _norm_subject(text: str) -> str:
    return " ".join(text.split())


def _norm_body(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").rstrip().lstrip("\n")


_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=300,
)


@settings(max_examples=200, deadline=None)
@given(subject=_text, body=_text, charset=st.sampled_from(["utf-8", "gb18030"]))
def test_emailmessage_round_trip(subject: str, body: str, charset: str) -> None:
    subject = "".join(ch for ch in subject if ch.isprintable() or ch == " ")
    msg = EmailMessage()
    msg["From"] = "张三 <zhangsan@example.edu.cn>"
    msg["To"] = "xinxiang@example.edu.cn"
    msg["Subject"] = subject
    try:
        body.encode(charset)
    except UnicodeEncodeError:
        charset = "utf-8"
    msg.set_content(body, charset=charset)
    letter = parse_message(msg.as_bytes(policy=SMTP))
    assert _norm_subject(letter.subject) == _norm_subject(subject)
    assert _norm_body(letter.body) == _norm_body(body)
    assert letter.from_addr == "zhangsan@example.edu.cn"


# -- smaller pieces ----------------------------------------------------------------------------


def test_gbk_bytes_that_happen_to_be_valid_utf8_stay_gbk() -> None:
    # The bytes of "联通" in GBK are valid UTF-8 (decoding to non-Chinese letters).
    raw = mail(
        b"Subject: x",
        b"Content-Type: text/plain; charset=gb2312",
        b"Content-Transfer-Encoding: 8bit",
        body="联通".encode("gbk"),
    )
    letter = parse_message(raw)
    assert letter.body == "联通"
    assert letter.defects == ()


@pytest.mark.parametrize(
    ("header", "name", "addr"),
    [
        (b"From: zhangsan@qq.com (Zhang San)", "Zhang San", "zhangsan@qq.com"),
        ("From: 张三<ZS@QQ.COM>".encode(), "张三", "zs@qq.com"),
        (b"From: <ZS@qq.com>", "", "zs@qq.com"),
        (
            b"From: " + word("张", "utf-8") + word("三", "utf-8") + b" <zs@qq.com>",
            "张三",
            "zs@qq.com",
        ),
    ],
)
def test_sender_forms(header: bytes, name: str, addr: str) -> None:
    letter = parse_message(mail(header))
    assert (letter.from_name, letter.from_addr) == (name, addr)


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>a</p><p>b</p>", "a\n\nb"),
        ("a<br>b<br/>c", "a\nb\nc"),
        ("<div>x</div><div>y</div>", "x\ny"),
        ("<ol><li>一</li><li>二</li></ol>", "1. 一\n2. 二"),
        ("<table><tr><td>1</td><td>2</td></tr></table>", "1 | 2"),
        ("&lt;b&gt; &amp; &#20013;&#x6587; &nbsp;x", "<b> & 中文 x"),
        ("<script>var a = '<p>';</script><style>p{}</style>正文", "正文"),
        ('<a href="https://x.edu.cn/">官网</a>', "官网 <https://x.edu.cn/>"),
        ("<p>未闭合<b>标签", "未闭合标签"),
        ("", ""),
    ],
)
def test_html_to_text_table(html: str, text: str) -> None:
    assert html_to_text(html) == text
