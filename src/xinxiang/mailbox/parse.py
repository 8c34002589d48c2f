"""Raw message bytes → `Letter`, tolerant of everything Chinese mail clients produce.

The stdlib parser runs with the `compat32` policy because it never raises on broken input and
keeps 8-bit header bytes recoverable (surrogate-escaped); every header and text part is then
decoded here, with the label supersets of `charsets` (gb2312 → gb18030, big5 → big5hkscs),
adjacent RFC 2047 words of one charset joined as bytes before decoding (clients split words in
the middle of a character), RFC 2231 parameters, and raw 8-bit headers. Whatever cannot be
decoded exactly is recorded in `Letter.defects`; only input with nothing usable raises
`UnparseableMail`.
"""

from __future__ import annotations

import binascii
import io
import mimetypes
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.generator import BytesGenerator
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime

from xinxiang.domain.letter import Attachment, Letter
from xinxiang.errors import UnparseableMail
from xinxiang.mailbox.charsets import decode_bytes, guess_decode
from xinxiang.mailbox.consent import public_consent
from xinxiang.mailbox.html_text import html_to_text, sanitise_html

FORWARD_MARKER = "---------- 转发邮件 ----------"

# A message needs at least one of these to be mail rather than arbitrary bytes.
_MAIL_HEADERS = frozenset(
    {
        "from", "sender", "to", "cc", "subject", "date", "message-id", "received",
        "return-path", "content-type", "mime-version", "reply-to", "in-reply-to",
        "references", "delivered-to",
    }
)  # fmt: skip
_ADDRESS_HEADERS = frozenset(
    {"from", "to", "cc", "bcc", "reply-to", "sender", "resent-from", "resent-to"}
)
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_MAX_DEPTH = 20
_MAX_FILENAME_BYTES = 200


# -- headers ----------------------------------------------------------------------------------


def _raw_bytes(value: str) -> bytes:
    """The original bytes of a compat32 string (8-bit bytes are surrogate-escaped)."""
    try:
        return value.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass")


def _unfold(data: bytes) -> bytes:
    return re.sub(rb"\r?\n(?=[ \t])", b"", data).replace(b"\r", b"").replace(b"\n", b"")


def _decode_8bit(data: bytes, where: str, defects: list[str]) -> str:
    """Decode raw header bytes: ASCII as is, UTF-8 (RFC 6532) silently, anything else guessed."""
    if all(b < 0x80 for b in data):
        return data.decode("ascii")
    text, codec = guess_decode(data)
    if codec is None:
        defects.append(f"{where}: undecodable raw 8-bit bytes replaced by U+FFFD")
    elif codec != "utf-8":
        defects.append(f"{where}: raw 8-bit bytes decoded as {codec}")
    return text


def _b_decode(text: str) -> tuple[bytes, bool]:
    """Lenient base64 for encoded words; returns (bytes, damaged)."""
    data = re.sub(r"[^A-Za-z0-9+/]", "", text)
    damaged = len(data) % 4 == 1
    if damaged:
        data = data[:-1]
    data += "=" * (-len(data) % 4)
    try:
        return binascii.a2b_base64(data.encode("ascii")), damaged
    except binascii.Error:
        return b"", True


def _q_decode(text: str) -> bytes:
    raw = text.replace("_", " ").encode("ascii", "replace")
    return re.sub(rb"=([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)


def decode_words(text: str, where: str, defects: list[str]) -> str:
    """Decode RFC 2047 encoded words anywhere in `text` (also inside quotes, as clients do).

    Adjacent words of the same charset are joined as bytes before decoding, so a character
    split across two words comes out whole.
    """
    if "=?" not in text:
        return text
    segments: list[tuple[str, str, bytes]] = []  # (literal text, charset, bytes)
    pos = 0
    for match in _ENCODED_WORD.finditer(text):
        between = text[pos : match.start()]
        previous_is_word = bool(segments) and segments[-1][1] != ""
        if between and not (previous_is_word and not between.strip()):
            segments.append((between, "", b""))
        charset = match.group(1).split("*", 1)[0].lower()
        if match.group(2) in "bB":
            data, damaged = _b_decode(match.group(3))
            if damaged:
                defects.append(f"{where}: damaged base64 in encoded word")
        else:
            data = _q_decode(match.group(3))
        if segments and segments[-1][1] == charset:
            segments[-1] = ("", charset, segments[-1][2] + data)
        else:
            segments.append(("", charset, data))
        pos = match.end()
    if pos < len(text):
        segments.append((text[pos:], "", b""))
    out: list[str] = []
    for literal, charset, data in segments:
        if charset:
            decoded, errs = decode_bytes(data, charset, where=where)
            defects.extend(errs)
            out.append(decoded)
        else:
            out.append(literal)
    return "".join(out)


def _clean_text(text: str, where: str, defects: list[str]) -> str:
    # NUL cannot be stored in PostgreSQL text columns and never carries meaning in mail.
    if "\x00" in text:
        defects.append(f"{where}: NUL characters removed")
        text = text.replace("\x00", "")
    return text


def _header_text(raw: str, name: str, defects: list[str]) -> str:
    where = f"header {name}"
    text = _decode_8bit(_unfold(_raw_bytes(raw)), where, defects)
    text = decode_words(text, where, defects)
    return _clean_text(text, where, defects).strip()


def _raw_get(msg: Message, name: str) -> str | None:
    lname = name.lower()
    for key, value in msg.raw_items():
        if key.lower() == lname:
            return str(value)
    return None


def _addresses(raw: str | None, name: str, defects: list[str]) -> list[tuple[str, str]]:
    """(display name, lower-cased address) pairs; structure is parsed before words are decoded."""
    if not raw:
        return []
    where = f"header {name}"
    text = _decode_8bit(_unfold(_raw_bytes(raw)), where, defects)
    pairs: list[tuple[str, str]] = []
    try:
        parsed = getaddresses([text])
    except Exception:  # stdlib address parsing fails on hostile input
        parsed = []
    for display, addr in parsed:
        addr = addr.strip().lower()
        display = decode_words(display, where, defects).strip().strip('"').strip()
        if addr or display:
            pairs.append((_clean_text(display, where, defects), addr))
    if not any("@" in a for _, a in pairs):
        found = re.search(r"[\w.+\-=%]+@[\w\-]+(?:\.[\w\-]+)+", text)
        if found:
            pairs = [(pairs[0][0] if pairs else "", found.group(0).lower())]
    return pairs


def normalise_message_id(value: str | None) -> str | None:
    """`<id@host>` with whitespace removed; brackets added if missing; None if empty."""
    if not value:
        return None
    compact = re.sub(r"\s+", "", value)
    found = re.search(r"<[^<>]+>", compact)
    if found:
        return found.group(0)
    bare = compact.strip("<>")
    return f"<{bare}>" if bare else None


def _message_ids(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    found = [re.sub(r"\s+", "", m) for m in re.findall(r"<[^<>]+>", value)]
    if not found:
        found = [f"<{tok.strip('<>')}>" for tok in value.split() if tok.strip("<>")]
    return tuple(found)


def _parse_date(value: str | None, defects: list[str]) -> datetime | None:
    if not value:
        defects.append("header Date: missing")
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        defects.append(f"header Date: cannot parse {value[:80]!r}")
        return None
    if parsed.tzinfo is None:  # "-0000": time zone unknown, RFC 5322 says treat as UTC
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


# -- parts --------------------------------------------------------------------------------------


def _ctype(part: Message) -> str:
    try:
        return part.get_content_type()
    except Exception:
        return "application/octet-stream"


def _disposition(part: Message) -> str | None:
    try:
        return part.get_content_disposition()
    except Exception:
        return None


def _charset(part: Message) -> str | None:
    try:
        value = part.get_param("charset")
    except Exception:
        return None
    if isinstance(value, tuple):
        value = value[2]
    return str(value).strip().strip('"') or None if value else None


def _lenient_base64(raw: bytes, where: str, defects: list[str]) -> bytes:
    compact = b"".join(raw.split())
    try:
        return binascii.a2b_base64(compact, strict_mode=True)
    except binascii.Error:
        pass
    cleaned = re.sub(rb"[^A-Za-z0-9+/=]", b"", compact)
    out = bytearray()
    damaged = cleaned != compact
    # Each '='-terminated run is a complete group (some clients pad every line).
    for chunk in re.findall(rb"[A-Za-z0-9+/]+=*", cleaned):
        data = chunk.rstrip(b"=")
        if len(data) % 4 == 1:
            data = data[:-1]
            damaged = True
        if len(data) % 4 and not chunk.endswith(b"="):
            damaged = True
        data += b"=" * (-len(data) % 4)
        try:
            out += binascii.a2b_base64(data)
        except binascii.Error:
            damaged = True
    if damaged:
        defects.append(f"{where}: damaged or truncated base64 data")
    return bytes(out)


def _serialise(msg: Message) -> bytes:
    buf = io.BytesIO()
    try:
        BytesGenerator(buf, mangle_from_=False, policy=policy.compat32).flatten(msg)
    except Exception:  # regenerate what we can of a broken part
        return buf.getvalue()
    return buf.getvalue()


def _stored_payload(part: Message) -> object:
    # compat32 keeps the original bytes surrogate-escaped in `_payload`; get_payload() would
    # decode them with the declared charset (lossy, and it raises on some bogus labels).
    return getattr(part, "_payload", None)


def _payload_bytes(part: Message, where: str, defects: list[str]) -> bytes:
    payload = _stored_payload(part)
    if isinstance(payload, list):
        return b"\n".join(_serialise(p) for p in payload if isinstance(p, Message))
    if payload is None:
        return b""
    cte = (_raw_get(part, "content-transfer-encoding") or "").strip().lower()
    if cte == "base64":
        return _lenient_base64(_raw_bytes(str(payload)), where, defects)
    if cte and cte not in ("7bit", "8bit", "binary", "quoted-printable") and "uu" not in cte:
        defects.append(f"{where}: unknown transfer encoding {cte!r}, kept as is")
    try:
        # compat32 returns the exact original bytes for 7bit/8bit/binary, decoded for QP/uu.
        decoded = part.get_payload(decode=True)
    except Exception:
        decoded = None
    if isinstance(decoded, bytes):
        return decoded
    return _raw_bytes(str(payload))


def safe_filename(name: str) -> str:
    """A filename safe to store and offer for download: no path, no control characters.

    Chinese and other letters are kept; reserved characters become `_`; the name is limited
    to 200 UTF-8 bytes, keeping the extension. Returns "" when nothing usable remains.
    """
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    kept = [
        "_" if ch in '<>:"|?*' else ch
        for ch in name
        if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Zl", "Zp")
    ]
    cleaned = re.sub(r"\s+", " ", "".join(kept)).strip(" .")
    if not cleaned or set(cleaned) <= {"_", "."}:
        return ""
    stem, dot, ext = cleaned.rpartition(".")
    if not dot or len(ext) > 16:
        stem, ext = cleaned, ""
    suffix = f".{ext}" if ext else ""
    while len((stem + suffix).encode("utf-8")) > _MAX_FILENAME_BYTES and stem:
        stem = stem[:-1]
    return (stem.rstrip(" .") or "file") + suffix


def _param(part: Message, header: str, param: str) -> str | tuple[str, str, str] | None:
    """A header parameter; raw 8-bit header bytes are decoded first (compat32 mangles them)."""
    raw = _raw_get(part, header)
    if raw is None:
        return None
    scratch = Message()
    scratch[header] = _decode_8bit(_unfold(_raw_bytes(raw)), f"header {header}", [])
    try:
        value = scratch.get_param(param, header=header)
    except Exception:
        return None
    if isinstance(value, tuple):
        charset, language, text = value
        return (str(charset or ""), str(language or ""), str(text))
    return value


def _raw_filename(part: Message, where: str, defects: list[str]) -> str | None:
    for header, param in (("content-disposition", "filename"), ("content-type", "name")):
        value = _param(part, header, param)
        if value is None:
            continue
        if isinstance(value, tuple):  # RFC 2231: (charset, language, latin-1 "bytes")
            charset, _lang, text = value
            try:
                data = text.encode("latin-1")
            except UnicodeEncodeError:  # raw 8-bit inside the parameter, already decoded
                return text
            decoded, errs = decode_bytes(data, charset or None, where=where)
            defects.extend(errs)
            return decoded
        return decode_words(value, where, defects)
    return None


@dataclass
class _Collected:
    body: list[tuple[str, str]] = field(default_factory=list)  # ("plain" | "html", text)
    html: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)

    def absorb_side_effects(self, other: _Collected) -> None:
        self.attachments.extend(other.attachments)
        self.defects.extend(other.defects)


class _Walker:
    """Walks the MIME tree once, numbering leaf parts for defect messages."""

    def __init__(self) -> None:
        self.part_no = 0
        self.forwarded = 0

    def walk(self, part: Message, out: _Collected, depth: int, *, inline: bool = False) -> None:
        if depth > _MAX_DEPTH:
            out.defects.append("MIME structure nested too deeply; inner parts ignored")
            return
        ctype = _ctype(part)
        if ctype == "message/rfc822":
            self._forwarded(part, out, depth)
            return
        if part.is_multipart() and ctype.startswith("multipart/"):
            out.defects.extend(
                f"MIME structure ({ctype}): {type(d).__name__}" for d in part.defects
            )
            children = [p for p in part.get_payload() if isinstance(p, Message)]
            if ctype == "multipart/alternative":
                self._alternative(children, out, depth)
            elif ctype == "multipart/related" and children:
                self.walk(children[0], out, depth + 1)
                for child in children[1:]:
                    self.walk(child, out, depth + 1, inline=True)
            else:
                for child in children:
                    self.walk(child, out, depth + 1)
            return
        self._leaf(part, ctype, out, inline=inline)

    def _alternative(self, children: list[Message], out: _Collected, depth: int) -> None:
        subs: list[_Collected] = []
        for child in children:
            sub = _Collected()
            self.walk(child, sub, depth + 1)
            subs.append(sub)
            out.absorb_side_effects(sub)
        plain = next((s for s in subs if any(k == "plain" and t.strip() for k, t in s.body)), None)
        rich = next((s for s in reversed(subs) if s.html), None)
        chosen = plain or rich or next((s for s in subs if s.body), None)
        if chosen is not None:
            out.body.extend(chosen.body)
        if rich is not None:
            out.html.extend(rich.html)

    def _leaf(self, part: Message, ctype: str, out: _Collected, *, inline: bool) -> None:
        self.part_no += 1
        where = f"body part {self.part_no}"
        for defect in part.defects:
            out.defects.append(f"{where}: {type(defect).__name__}")
        data = _payload_bytes(part, where, out.defects)
        disposition = _disposition(part)
        raw_name = _raw_filename(part, f"attachment name in part {self.part_no}", out.defects)
        if ctype.startswith("multipart/"):
            # A multipart whose boundary is missing or never found: its text is still the letter.
            out.defects.append(f"{where}: broken {ctype} structure, read as plain text")
            ctype = "text/plain"
        if ctype in ("text/plain", "text/html") and disposition != "attachment" and not raw_name:
            text, errs = decode_bytes(data, _charset(part), where=where)
            out.defects.extend(errs)
            text = _clean_text(text, where, out.defects)
            if ctype == "text/html":
                out.html.append(text)
                out.body.append(("html", text))
            else:
                out.body.append(("plain", text))
            return
        content_id = normalise_message_id(_raw_get(part, "content-id"))
        is_inline = disposition != "attachment" and (
            inline or disposition == "inline" or content_id is not None
        )
        filename = safe_filename(raw_name or "")
        if not filename:
            filename = self._default_name(ctype, is_inline)
        out.attachments.append(
            Attachment(
                filename=filename,
                content_type=ctype,
                payload=data,
                inline=is_inline,
                content_id=content_id.strip("<>") if content_id else None,
            )
        )

    def _default_name(self, ctype: str, inline: bool) -> str:
        fixed = {
            "message/delivery-status": "delivery-status.txt",
            "message/disposition-notification": "disposition-notification.txt",
            "text/rfc822-headers": "original-headers.txt",
        }
        if ctype in fixed:
            return fixed[ctype]
        ext = mimetypes.guess_extension(ctype, strict=False) or ".bin"
        stem = "image" if inline and ctype.startswith("image/") else "attachment"
        return f"{stem}-{self.part_no}{ext}"

    def _forwarded(self, part: Message, out: _Collected, depth: int) -> None:
        self.forwarded += 1
        self.part_no += 1
        where = f"forwarded message {self.forwarded}"
        payload = _stored_payload(part)
        inner: Message | None = None
        if isinstance(payload, list) and payload and isinstance(payload[0], Message):
            inner = payload[0]
        elif isinstance(payload, str) and payload.strip():
            raw = _payload_bytes(part, where, out.defects)
            inner = BytesParser(policy=policy.compat32).parsebytes(raw)
        if inner is None:
            out.defects.append(f"{where}: empty message/rfc822 part")
            return
        name = "forwarded.eml" if self.forwarded == 1 else f"forwarded-{self.forwarded}.eml"
        out.attachments.append(Attachment(name, "message/rfc822", _serialise(inner)))
        sub = _Collected()
        self.walk(inner, sub, depth + 1)
        inner_defects: list[str] = []
        head = _envelope(inner, inner_defects)
        out.defects.extend(f"{where}: {d}" for d in inner_defects + sub.defects)
        block = [FORWARD_MARKER]
        if head.from_addr or head.from_name:
            sender = f"{head.from_name} <{head.from_addr}>" if head.from_name else head.from_addr
            block.append(f"发件人: {sender}")
        if head.date_text:
            block.append(f"日期: {head.date_text}")
        if head.subject:
            block.append(f"主题: {head.subject}")
        block.append("")
        block.append(_render_body(sub.body))
        out.body.append(("plain", "\n".join(block)))


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _render_body(parts: list[tuple[str, str]]) -> str:
    rendered = [
        html_to_text(text) if kind == "html" else _normalise_newlines(text) for kind, text in parts
    ]
    joined = "\n\n".join(r.rstrip() for r in rendered if r.strip())
    return joined.lstrip("\n").rstrip()


@dataclass
class _Envelope:
    from_addr: str
    from_name: str
    subject: str
    date_text: str


def _envelope(msg: Message, defects: list[str]) -> _Envelope:
    senders = _addresses(_raw_get(msg, "from"), "From", defects)
    name, addr = senders[0] if senders else ("", "")
    subject_raw = _raw_get(msg, "subject")
    subject = _header_text(subject_raw, "Subject", defects) if subject_raw else ""
    date_raw = _raw_get(msg, "date")
    date_text = _header_text(date_raw, "Date", defects) if date_raw else ""
    return _Envelope(addr, name, subject, date_text)


# -- entry point ----------------------------------------------------------------------------


def _check_plausible(raw: bytes) -> None:
    if not raw or not raw.strip():
        raise UnparseableMail("empty input")
    head_end = re.search(rb"\r?\n\r?\n", raw)
    head = raw[: head_end.start()] if head_end else raw[:65536]
    if b"\x00" in head:
        raise UnparseableMail("binary data (NUL bytes) in the header block")


def parse_message(raw: bytes) -> Letter:
    """Parse raw RFC 5322 bytes into a `Letter`, recording every imperfection as a defect.

    Raises `UnparseableMail` (and nothing else) when the bytes are not mail at all: empty,
    binary, or without a single mail header.
    """
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise UnparseableMail(f"expected bytes, got {type(raw).__name__}")
    raw = bytes(raw)
    _check_plausible(raw)
    try:
        msg = BytesParser(policy=policy.compat32).parsebytes(raw)
        names = {key.lower() for key, _ in msg.raw_items()}
    except Exception as exc:  # the stdlib parser is meant never to raise
        raise UnparseableMail(f"parser failed: {type(exc).__name__}: {exc}") from exc
    if not names:
        raise UnparseableMail("no headers found")
    if not names & _MAIL_HEADERS:
        raise UnparseableMail("no mail headers found (not an e-mail message)")
    try:
        return _build(msg)
    except UnparseableMail:
        raise
    except Exception as exc:  # a bug must quarantine the message, not lose it
        raise UnparseableMail(f"internal parse error: {type(exc).__name__}: {exc}") from exc


def _build(msg: Message) -> Letter:
    defects: list[str] = []  # the walker records the parser's defects on every part
    headers: list[tuple[str, str]] = []
    for key, value in msg.raw_items():
        headers.append((key, _header_text(str(value), key, [])))
    senders = _addresses(_raw_get(msg, "from"), "From", defects)
    if not senders:
        sender_raw = _raw_get(msg, "sender")
        senders = _addresses(sender_raw, "Sender", defects)
        if senders:
            defects.append("header From: missing, used Sender")
    from_name, from_addr = senders[0] if senders else ("", "")
    if "@" not in from_addr:
        defects.append("header From: no sender address")
        from_addr = ""
    subject_raw = _raw_get(msg, "subject")
    subject = _header_text(subject_raw, "Subject", defects) if subject_raw is not None else ""
    date_raw = _raw_get(msg, "date")
    date = _parse_date(_header_text(date_raw, "Date", defects) if date_raw else None, defects)
    in_reply = _message_ids(_header_text(_raw_get(msg, "in-reply-to") or "", "In-Reply-To", []))
    references = _message_ids(_header_text(_raw_get(msg, "references") or "", "References", []))
    msgid_raw = _raw_get(msg, "message-id")
    message_id = (
        normalise_message_id(_header_text(msgid_raw, "Message-ID", [])) if msgid_raw else None
    )

    collected = _Collected()
    walker = _Walker()
    walker.walk(msg, collected, 0)
    body = _render_body(collected.body)
    html = "\n<hr>\n".join(sanitise_html(h) for h in collected.html) if collected.html else None
    defects.extend(collected.defects)
    to_addrs = tuple(a for _, a in _addresses(_raw_get(msg, "to"), "To", defects) if a)
    cc_addrs = tuple(a for _, a in _addresses(_raw_get(msg, "cc"), "Cc", defects) if a)
    return Letter(
        message_id=message_id,
        from_addr=from_addr,
        from_name=from_name,
        subject=subject,
        date=date,
        body=body,
        html=html,
        attachments=tuple(collected.attachments),
        defects=tuple(dict.fromkeys(defects)),
        in_reply_to=in_reply[0] if in_reply else None,
        references=references,
        to_addrs=to_addrs,
        cc_addrs=cc_addrs,
        headers=tuple(headers),
        public_consent=public_consent(subject, body),
    )
