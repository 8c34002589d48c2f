"""The content of one MIME part: transfer-decoded bytes, charset and file name, never raising.

compat32 keeps a part's original bytes (surrogate-escaped) and hands them over undecoded; the
transfer encodings are undone here, base64 leniently (clients pad every line, lists append a
footer after the padding), and file names are decoded (RFC 2047 and RFC 2231) and made safe.
"""

from __future__ import annotations

import binascii
import io
import re
import unicodedata
from email import policy
from email.generator import BytesGenerator
from email.message import Message

from xinxiang.mailbox.charsets import decode_bytes
from xinxiang.mailbox.headers import (
    MAX_HEADER_VALUE_BYTES,
    decode_8bit,
    decode_words,
    raw_bytes,
    raw_get,
    unfold,
)

_MAX_FILENAME_BYTES = 200
_B64_AND_SPACE = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/= \t\r\n"
_NOT_B64 = re.compile(rb"[^A-Za-z0-9+/=\s]")


def ctype(part: Message) -> str:
    """The part's content type, application/octet-stream when unreadable."""
    try:
        return part.get_content_type()
    except Exception:
        return "application/octet-stream"


def disposition(part: Message) -> str | None:
    """inline, attachment or None."""
    try:
        return part.get_content_disposition()
    except Exception:
        return None


def charset(part: Message) -> str | None:
    """The charset label the part declares, as written (None when there is none)."""
    try:
        value = part.get_param("charset")
    except Exception:
        return None
    if isinstance(value, tuple):
        value = value[2]
    return str(value).strip().strip('"') or None if value else None


def _split_trailer(raw: bytes) -> tuple[bytes, bytes]:
    """(base64 data, text after it): once the data is whole groups of four (padded or not), a
    line with characters outside the base64 alphabet is not base64 but appended text."""
    if not raw.translate(None, _B64_AND_SPACE):  # the usual case, checked at C speed
        return raw, b""
    pos = 0
    for _ in range(10):  # more bad lines than that: damaged data, decoded leniently as a whole
        bad = _NOT_B64.search(raw, pos)
        if bad is None:
            break
        start = raw.rfind(b"\n", 0, bad.start()) + 1
        length = len(raw[:start].translate(None, b" \t\r\n"))
        if length and length % 4 == 0:
            return raw[:start], raw[start:]
        end = raw.find(b"\n", bad.start())
        if end < 0:
            break
        pos = end + 1
    return raw, b""


def lenient_base64(raw: bytes, where: str, defects: list[str]) -> bytes:
    """Decode base64 body data as much as it can be; damage is recorded, never raised."""
    compact = b"".join(raw.split())
    try:
        return binascii.a2b_base64(compact, strict_mode=True)
    except binascii.Error:
        pass
    data, trailer = _split_trailer(raw)
    if trailer.strip():
        # A mailing list appending its footer to a base64 part: the footer is not base64.
        defects.append(f"{where}: {len(trailer)} bytes of text after the base64 data not decoded")
        compact = b"".join(data.split())
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


def serialise(msg: Message) -> bytes:
    """The bytes of a (sub)message, as much of it as can be regenerated."""
    buf = io.BytesIO()
    try:
        BytesGenerator(buf, mangle_from_=False, policy=policy.compat32).flatten(msg)
    except Exception:  # regenerate what we can of a broken part
        return buf.getvalue()
    return buf.getvalue()


def stored_payload(part: Message) -> object:
    """The payload as the parser stored it (a list of parts, or surrogate-escaped text)."""
    # compat32 keeps the original bytes surrogate-escaped in `_payload`; get_payload() would
    # decode them with the declared charset (lossy, and it raises on some bogus labels).
    return getattr(part, "_payload", None)


def payload_bytes(part: Message, where: str, defects: list[str]) -> bytes:
    """The part's content with its transfer encoding undone."""
    payload = stored_payload(part)
    if isinstance(payload, list):
        return b"\n".join(serialise(p) for p in payload if isinstance(p, Message))
    if payload is None:
        return b""
    cte = (raw_get(part, "content-transfer-encoding") or "")[:100].strip().lower()
    if cte == "base64":
        return lenient_base64(raw_bytes(str(payload)), where, defects)
    if cte and cte not in ("7bit", "8bit", "binary", "quoted-printable") and "uu" not in cte:
        defects.append(f"{where}: unknown transfer encoding {cte!r}, kept as is")
    try:
        # compat32 returns the exact original bytes for 7bit/8bit/binary, decoded for QP/uu.
        decoded = part.get_payload(decode=True)
    except Exception:
        decoded = None
    if isinstance(decoded, bytes):
        return decoded
    return raw_bytes(str(payload))


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
    raw = raw_get(part, header)
    if raw is None:
        return None
    scratch = Message()
    data = unfold(raw_bytes(raw)[:MAX_HEADER_VALUE_BYTES])
    scratch[header] = decode_8bit(data, f"header {header}", [])
    try:
        value = scratch.get_param(param, header=header)
    except Exception:
        return None
    if isinstance(value, tuple):
        charset, language, text = value
        return (str(charset or ""), str(language or ""), str(text))
    return value


def raw_filename(part: Message, where: str, defects: list[str]) -> str | None:
    """The file name the part declares (Content-Disposition filename, else Content-Type name)."""
    for header, param in (("content-disposition", "filename"), ("content-type", "name")):
        value = _param(part, header, param)
        if value is None:
            continue
        if isinstance(value, tuple):  # RFC 2231: (charset, language, latin-1 "bytes")
            label, _lang, text = value
            try:
                data = text.encode("latin-1")
            except UnicodeEncodeError:  # raw 8-bit inside the parameter, already decoded
                return text
            decoded, errs = decode_bytes(data, label or None, where=where)
            defects.extend(errs)
            return decoded
        return decode_words(value, where, defects)
    return None
