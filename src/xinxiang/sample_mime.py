"""Raw RFC 5322 bytes of one sample letter (样例来信) from a `Spec`: what Chinese mail clients send.

Declared charsets are encoded the way clients really encode them (a GB2312 label over GBK /
GB18030 text), headers as RFC 2047 words, bodies as base64, quoted-printable or raw 8-bit,
optionally with an HTML alternative or an HTML-only body, and attachments named in RFC 2231 or
RFC 2047 form. Also the tiny PDF / JPEG / PNG payloads such attachments carry.
"""

from __future__ import annotations

import base64
import html
import quopri
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email import encoders
from email.generator import BytesGenerator
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.policy import compat32
from email.utils import format_datetime
from io import BytesIO
from typing import Literal

CST = timezone(timedelta(hours=8))
SHUJI_ADDR = "shuji-xinxiang@example.edu.cn"
XIAOZHANG_ADDR = "xiaozhang-xinxiang@example.edu.cn"
TO = (f"书记信箱 <{SHUJI_ADDR}>", f"校长信箱 <{XIAOZHANG_ADDR}>")
_POLICY = compat32.clone(linesep="\r\n")

# Declared charset label -> codec that really encodes the text (what clients actually do).
_CODEC = {
    "utf-8": "utf-8",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb18030": "gb18030",
    "big5": "big5hkscs",
    "us-ascii": "ascii",
}

Cte = Literal["base64", "quoted-printable", "8bit", "7bit"]
HtmlMode = Literal["none", "alternative", "only", "related"]


@dataclass(frozen=True)
class Attachment:
    """One attachment of a generated message."""

    filename: str
    maintype: str
    subtype: str
    payload: bytes
    name_style: Literal["rfc2231", "rfc2047"] = "rfc2231"


@dataclass(frozen=True)
class Spec:
    """Everything that goes into one generated message."""

    sender_name: str
    sender_addr: str
    subject: str
    body: str
    date: datetime
    message_id: str
    to: str = TO[0]
    charset: str = "utf-8"
    cte: Cte = "base64"
    header_q: bool = False
    html: HtmlMode = "none"
    attachments: tuple[Attachment, ...] = ()
    x_mailer: str | None = None
    extra_headers: tuple[tuple[str, str], ...] = ()
    boundary_seed: int = 0
    return_path: str | None = None


def _codec(label: str) -> str:
    return _CODEC.get(label.lower(), label)


def _encoded_words(text: str, label: str, q: bool = False) -> str:
    """RFC 2047 encoded words (each under 76 characters, never splitting a character)."""
    if text.isascii():
        return text
    codec = _codec(label)
    try:
        text.encode(codec)
    except UnicodeEncodeError:
        # e.g. a Big5 client addressing 书记信箱 in simplified characters: that header goes UTF-8.
        label, codec = "utf-8", "utf-8"
    words: list[str] = []
    chunk = ""
    limit = 18 if q else 36  # encoded bytes per word
    for ch in text:
        if chunk and len((chunk + ch).encode(codec)) > limit:
            words.append(_one_word(chunk, label, codec, q))
            chunk = ""
        chunk += ch
    if chunk:
        words.append(_one_word(chunk, label, codec, q))
    return " ".join(words)


def _one_word(chunk: str, label: str, codec: str, q: bool) -> str:
    data = chunk.encode(codec)
    if q:
        enc = "".join(
            chr(b) if (chr(b).isalnum() and b < 128) else ("_" if b == 32 else f"={b:02X}")
            for b in data
        )
        return f"=?{label}?Q?{enc}?="
    return f"=?{label}?B?{base64.b64encode(data).decode('ascii')}?="


def _text_part(text: str, subtype: str, label: str, cte: Cte) -> Message:
    data = text.replace("\n", "\r\n").encode(_codec(label))
    part = MIMENonMultipart("text", subtype, charset=label)
    del part["MIME-Version"]
    if cte == "base64":
        part.set_payload(base64.encodebytes(data).decode("ascii"))
    elif cte == "quoted-printable":
        part.set_payload(quopri.encodestring(data).decode("ascii"))
    else:
        # Raw 8-bit body: surrogateescape lets BytesGenerator write the bytes unchanged.
        part.set_payload(data.decode("ascii", "surrogateescape"))
    part["Content-Transfer-Encoding"] = cte
    return part


def _html_of(text: str, mailer: str | None, label: str) -> str:
    if label == "big5":
        font = "新細明體"
    else:
        font = "微软雅黑" if mailer and "Foxmail" in mailer else "宋体"
    paras = "".join(
        f"<div>{html.escape(p).replace(chr(10), '<br>')}</div><div><br></div>"
        for p in text.split("\n\n")
    )
    return (
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={label}">'
        f'</head><body><div style="font-family: {font}; font-size: 14px;">{paras}</div>'
        "</body></html>"
    )


def _attachment_part(att: Attachment, label: str) -> Message:
    part = MIMEBase(att.maintype, att.subtype)
    del part["MIME-Version"]
    part.set_payload(att.payload)
    encoders.encode_base64(part)
    del part["Content-Type"]
    if att.name_style == "rfc2231":
        part.add_header(
            "Content-Type", f"{att.maintype}/{att.subtype}", name=("utf-8", "", att.filename)
        )
        part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", att.filename))
    else:
        # What QQ Mail / Foxmail do: an RFC 2047 word inside a quoted parameter.
        enc = _encoded_words(att.filename, label if label != "us-ascii" else "utf-8")
        part.add_header("Content-Type", f"{att.maintype}/{att.subtype}", name=enc)
        part.add_header("Content-Disposition", "attachment", filename=enc)
    return part


def _boundary(spec: Spec, n: int) -> str:
    return f"----=_NextPart_{spec.boundary_seed:08X}_{n:04X}_{spec.date:%H%M%S}"


def build(spec: Spec) -> bytes:
    """The raw message (CRLF line ends) for `spec`."""
    label = spec.charset
    body_subtype_parts: Message
    if spec.html == "only":
        body_subtype_parts = _text_part(
            _html_of(spec.body, spec.x_mailer, label), "html", label, spec.cte
        )
    elif spec.html in ("alternative", "related"):
        alt = MIMEMultipart("alternative", boundary=_boundary(spec, 1))
        del alt["MIME-Version"]
        alt.attach(_text_part(spec.body, "plain", label, spec.cte))
        html_text = _html_of(spec.body, spec.x_mailer, label)
        if spec.html == "related":
            html_text = html_text.replace(
                "</body>", '<div><img src="cid:screenshot001@qq.com"></div></body>'
            )
            rel = MIMEMultipart("related", boundary=_boundary(spec, 2))
            del rel["MIME-Version"]
            rel.attach(_text_part(html_text, "html", label, spec.cte))
            img = MIMEBase("image", "png")
            del img["MIME-Version"]
            img.set_payload(_png_bytes(spec.boundary_seed))
            encoders.encode_base64(img)
            img["Content-ID"] = "<screenshot001@qq.com>"
            img.add_header("Content-Disposition", "inline", filename="image001.png")
            rel.attach(img)
            alt.attach(rel)
        else:
            alt.attach(_text_part(html_text, "html", label, spec.cte))
        body_subtype_parts = alt
    else:
        body_subtype_parts = _text_part(spec.body, "plain", label, spec.cte)

    if spec.attachments:
        msg: Message = MIMEMultipart("mixed", boundary=_boundary(spec, 0))
        msg.attach(body_subtype_parts)
        for att in spec.attachments:
            msg.attach(_attachment_part(att, label))
    else:
        msg = body_subtype_parts
        msg["MIME-Version"] = "1.0"

    headers: list[tuple[str, str]] = []
    if spec.return_path is not None:
        headers.append(("Return-Path", f"<{spec.return_path}>"))
    domain = spec.sender_addr.rsplit("@", 1)[-1]
    ip = f"10.{spec.boundary_seed % 250}.8.{spec.boundary_seed % 199}"
    received = (
        f"from mail.{domain} (unknown [{ip}]) by mx.example.edu.cn (Postfix) with ESMTPS id "
        f"{spec.boundary_seed:X}; {format_datetime(spec.date + timedelta(seconds=3))}"
    )
    headers += [
        ("Received", received),
        (
            "From",
            f"{_encoded_words(spec.sender_name, _hdr_label(spec), spec.header_q)} "
            f"<{spec.sender_addr}>",
        ),
        ("To", _encode_to(spec.to, _hdr_label(spec), spec.header_q)),
        ("Subject", _encoded_words(spec.subject, _hdr_label(spec), spec.header_q)),
        ("Date", format_datetime(spec.date)),
        ("Message-ID", spec.message_id),
    ]
    if spec.x_mailer:
        headers.append(("X-Mailer", spec.x_mailer))
    headers += list(spec.extra_headers)
    # Content-* headers already set on the root part must come after the envelope headers.
    existing = list(msg.items())
    for key in list(msg.keys()):
        del msg[key]
    for key, value in headers + existing:
        msg[key] = value
    out = BytesIO()
    BytesGenerator(out, mangle_from_=False, policy=_POLICY).flatten(msg)
    return out.getvalue()


def _hdr_label(spec: Spec) -> str:
    return "utf-8" if spec.charset == "us-ascii" else spec.charset


def _encode_to(to: str, label: str, q: bool) -> str:
    if "<" not in to:
        return to
    name, addr = to.split("<", 1)
    return f"{_encoded_words(name.strip(), label, q)} <{addr}"


def _pdf_bytes(seed: int, pages: int = 1) -> bytes:
    """A tiny but well-formed one-page PDF."""
    text = f"Scanned document {seed}".encode("ascii")
    stream = b"BT /F1 18 Tf 72 720 Td (" + text + b") Tj ET"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _jpeg_bytes(seed: int, size: int = 4096) -> bytes:
    """JPEG-looking bytes (SOI, JFIF APP0, noise, EOI): enough for type sniffing and hashing."""
    rng = random.Random(seed)
    head = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x48\x00\x48\x00\x00"
    return head + rng.randbytes(max(size - len(head) - 2, 0)) + b"\xff\xd9"


def _png_bytes(seed: int) -> bytes:
    """A valid 1x1 PNG (the same for every seed; `seed` kept for symmetry)."""
    del seed
    return base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYPj/HwADAgH/eL9GtQAAAABJRU5ErkJggg=="
    )


def attachment(name: str, rng: random.Random, style: Literal["rfc2231", "rfc2047"]) -> Attachment:
    """An attachment called `name` with a payload of its type (PDF, PNG or JPEG)."""
    seed = rng.randrange(2**31)
    if name.endswith(".pdf"):
        return Attachment(name, "application", "pdf", _pdf_bytes(seed), style)
    if name.endswith(".png"):
        return Attachment(name, "image", "png", _png_bytes(seed), style)
    return Attachment(name, "image", "jpeg", _jpeg_bytes(seed, rng.randrange(2_000, 24_000)), style)
