"""Header fields of raw mail → text: RFC 2047 words, raw 8-bit bytes, addresses, ids and dates.

Headers reach us as compat32 strings that keep 8-bit bytes recoverable (surrogate-escaped).
They are decoded here from those bytes: raw 8-bit text as UTF-8 (RFC 6532, also with a last
character cut short), else in the charset the message declares for its body, else guessed
(`charsets.guess_decode`); encoded words joined as bytes when adjacent words share a charset
(clients split words in the middle of a character), a raw 8-bit byte inside a Q-encoded word
read in that word's charset. Every imperfection is recorded in the caller's `defects` list.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import UTC, datetime
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from xinxiang.mailbox.charsets import decode_bytes, guess_decode, python_codec_for

_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
# The same on bytes, where the payload of a Q word may hold raw 8-bit bytes.
_ENCODED_WORD_BYTES = re.compile(rb"=\?([^?\s]+)\?([qQ])\?([^?\s]*[\x80-\xff][^?\s]*)\?=")
# Longest header value read (64 KiB): far above any real field (RFC 5322 lines stop at 998
# bytes; long References chains reach a few KiB), far below what makes decoding slow.
MAX_HEADER_VALUE_BYTES = 64 * 1024


def raw_bytes(value: str) -> bytes:
    """The original bytes of a compat32 string (8-bit bytes are surrogate-escaped)."""
    try:
        return value.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass")


def unfold(data: bytes) -> bytes:
    """A header value on one line: folding line breaks removed (RFC 5322 §2.2.3)."""
    return re.sub(rb"\r?\n(?=[ \t])", b"", data).replace(b"\r", b"").replace(b"\n", b"")


def _ascii_words(data: bytes) -> bytes:
    """Re-encode Q words holding raw 8-bit bytes as B words, so their bytes stay in the word.

    Otherwise the raw bytes would be decoded with the rest of the raw header (and lost as
    '?' when the word is decoded), not in the charset the word names.
    """

    def rewrite(match: re.Match[bytes]) -> bytes:
        codec = python_codec_for(match.group(1).split(b"*", 1)[0].decode("latin-1"))
        data = _q_decode_bytes(_underscores(match.group(3), codec))
        return b"=?" + match.group(1) + b"?B?" + base64.b64encode(data) + b"?="

    return _ENCODED_WORD_BYTES.sub(rewrite, data)


def _underscores(raw: bytes, codec: str) -> bytes:
    """Q-encoding's "_" as a space, except where it is the second byte of a raw two-byte
    character (GBK and Big5 second bytes include 0x5F: 北 is A5 5F in Big5)."""
    if codec == "utf-8":  # UTF-8 sequences never contain ASCII bytes
        return raw.replace(b"_", b" ")
    out = bytearray()
    i = 0
    while i < len(raw):
        byte = raw[i]
        if byte >= 0x80:
            out += raw[i : i + 2]
            i += 2
            continue
        out.append(0x20 if byte == 0x5F else byte)
        i += 1
    return bytes(out)


def decode_8bit(data: bytes, where: str, defects: list[str], hint: str | None = None) -> str:
    """Decode raw header bytes: ASCII as is, UTF-8 (RFC 6532) silently, anything else guessed.

    `hint` is the charset the message declares for its text, tried before the detector.
    """
    if data.isascii():
        return data.decode("ascii")
    text, codec = guess_decode(data, hint)
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


def _q_decode_bytes(raw: bytes) -> bytes:
    return re.sub(rb"=([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)


def _q_decode(text: str) -> bytes:
    return _q_decode_bytes(text.replace("_", " ").encode("ascii", "replace"))


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


def clean_text(text: str, where: str, defects: list[str]) -> str:
    """`text` without NUL characters (recorded as a defect when there were any)."""
    # NUL cannot be stored in PostgreSQL text columns and never carries meaning in mail.
    if "\x00" in text:
        defects.append(f"{where}: NUL characters removed")
        text = text.replace("\x00", "")
    return text


def _header_bytes(raw: str, where: str, defects: list[str]) -> bytes:
    data = raw_bytes(raw)
    if len(data) > MAX_HEADER_VALUE_BYTES:
        defects.append(f"{where}: longer than {MAX_HEADER_VALUE_BYTES} bytes, cut short")
        data = data[:MAX_HEADER_VALUE_BYTES]
    return _ascii_words(unfold(data))


def header_text(raw: str, name: str, defects: list[str], hint: str | None = None) -> str:
    """The decoded, unfolded text of one raw header value (`hint`: see `decode_8bit`)."""
    where = f"header {name}"
    text = decode_8bit(_header_bytes(raw, where, defects), where, defects, hint)
    text = decode_words(text, where, defects)
    return clean_text(text, where, defects).strip()


def raw_get(msg: Message, name: str) -> str | None:
    """The first raw (undecoded) value of header `name`, or None."""
    lname = name.lower()
    for key, value in msg.raw_items():
        if key.lower() == lname:
            return str(value)
    return None


# An encoded word as clients write it, leniently: its text may hold what RFC 2047 forbids there
# (spaces, "<…>", "@", commas, quotes). Such text belongs to the display name it stands in.
_LOOSE_WORD = re.compile(r"=\?[^?\s\"<>,]+\?[bBqQ]\?.*?\?=")
_WORD_MARK = re.compile(r"xxencword(\d+)xx")


def _mask_words(text: str) -> tuple[str, list[str]]:
    """`text` with each (lenient) encoded word replaced by an atom, and the words replaced.

    The address structure is parsed on the masked text, so an address, a comma or a quote
    inside an encoded word can never become the address or split the list (issue #12).
    """
    words: list[str] = []

    def mark(match: re.Match[str]) -> str:
        words.append(match.group(0))
        return f"xxencword{len(words) - 1}xx"

    return _LOOSE_WORD.sub(mark, text), words


def _unmask(text: str, words: list[str]) -> str:
    def put_back(match: re.Match[str]) -> str:
        index = int(match.group(1))
        return words[index] if index < len(words) else match.group(0)

    return _WORD_MARK.sub(put_back, text)


def addresses(
    raw: str | None, name: str, defects: list[str], hint: str | None = None
) -> list[tuple[str, str]]:
    """(display name, lower-cased address) pairs; structure is parsed before words are decoded."""
    if not raw:
        return []
    where = f"header {name}"
    text = decode_8bit(_header_bytes(raw, where, defects), where, defects, hint)
    masked, words = _mask_words(text)
    pairs: list[tuple[str, str]] = []
    try:
        parsed = getaddresses([masked])
    except Exception:  # stdlib address parsing fails on hostile input
        parsed = []
    for display, addr in parsed:
        addr = addr.strip().lower()
        if _WORD_MARK.search(addr):
            # An address written inside an encoded word is display text, never the address.
            display, addr = f"{display} {addr}".strip(), ""
        display = decode_words(_unmask(display, words), where, defects).strip().strip('"').strip()
        if addr or display:
            pairs.append((clean_text(display, where, defects), addr))
    if not any("@" in a for _, a in pairs):
        found = re.search(r"[\w.+\-=%]+@[\w\-]+(?:\.[\w\-]+)+", _WORD_MARK.sub(" ", masked))
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


def message_ids(value: str | None) -> tuple[str, ...]:
    """Every `<id>` in an In-Reply-To or References value (bare tokens when none is bracketed)."""
    if not value:
        return ()
    found = [re.sub(r"\s+", "", m) for m in re.findall(r"<[^<>]+>", value)]
    if not found:
        found = [f"<{tok.strip('<>')}>" for tok in value.split() if tok.strip("<>")]
    return tuple(found)


def parse_date(value: str | None, defects: list[str]) -> datetime | None:
    """An aware datetime from a Date header, or None with a defect."""
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
