"""Charset labels found in Chinese mail mapped to the Python codecs that decode them without loss.

Clients label GBK text as `gb2312` (and Big5-HKSCS text as `big5`) all the time; decoding with the
declared label silently turns characters such as 镕, 喆 or 嘅 into mojibake. Every label of the GB
family is therefore decoded as GB18030 (a superset of GB2312 and GBK) and every Big5 label as
Big5-HKSCS. Nothing is ever dropped silently: bytes that still cannot be decoded are replaced by
U+FFFD and reported as a defect.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

# Superset mapping: a label on the left is decoded with the codec on the right.
_SUPERSETS: dict[str, str] = {
    "gb2312": "gb18030",
    "gb_2312": "gb18030",
    "gb_2312-80": "gb18030",
    "gb2312-80": "gb18030",
    "csgb2312": "gb18030",
    "iso-ir-58": "gb18030",
    "chinese": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "windows-936": "gb18030",
    "euc-cn": "gb18030",
    "euccn": "gb18030",
    "x-euc-cn": "gb18030",
    "hz-gb-2312": "hz",
    "gb18030": "gb18030",
    "gb-18030": "gb18030",
    "big5": "big5hkscs",
    "big-5": "big5hkscs",
    "big-five": "big5hkscs",
    "bigfive": "big5hkscs",
    "csbig5": "big5hkscs",
    "x-big5": "big5hkscs",
    "cn-big5": "big5hkscs",
    "cp950": "big5hkscs",
    "ms950": "big5hkscs",
    "windows-950": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "big5hkscs": "big5hkscs",
    # Mislabelled 8-bit text is common under these labels; utf-8 is a superset of ASCII.
    "us-ascii": "utf-8",
    "ascii": "utf-8",
    "ansi_x3.4-1968": "utf-8",
    "utf8": "utf-8",
    "utf-8": "utf-8",
}

# Tried in order when no charset is declared (or the declared one is unknown) and the detector
# has no better answer.
GUESS_ORDER: tuple[str, ...] = ("utf-8", "gb18030", "big5hkscs")

# What charset-normalizer may choose between (UTF-8 is recognised exactly before it is asked).
# Unrestricted, or with Japanese and Korean allowed too, it reads short GBK text as EUC-KR or
# Big5 (a third of 4-character subjects); between these two it was right on 479 of 480 samples
# of 4 to 32 characters (1 miss at 4 characters, Big5).
_DETECTABLE: tuple[str, ...] = ("gb18030", "big5hkscs")
# Below this, two or three characters, it prefers Big5 for GBK (你好, 考研): the prior (GB18030,
# this being a mainland mailbox) decides instead.
_MIN_DETECT_BYTES = 8
_DETECT_SAMPLE = 64 * 1024

# Codecs Python has but that no MIME part is ever really written in: a label naming one of
# them is a mistake (or an attack) and the bytes are read as undeclared text.
_NOT_MAIL_CHARSETS = frozenset({"idna", "punycode", "unicode_escape", "raw_unicode_escape"})
_WIDE = ("utf-16", "utf-32")  # codec-name prefixes; their text has NULs or a BOM


def _codec_name(label: str) -> str | None:
    """The Python codec behind a label, or None when it is not a text charset for mail.

    `base64`, `hex`, `zlib` and `rot13` are codecs too (bytes→bytes or str→str); Python
    refuses them in `bytes.decode` with a LookupError, which would lose the whole letter.
    """
    key = label.strip().strip("\"'").lower()
    if key in _SUPERSETS:
        return _SUPERSETS[key]
    try:
        info = codecs.lookup(key)
    except (LookupError, ValueError):  # ValueError: NUL in the label
        return None
    name = info.name
    if name in _NOT_MAIL_CHARSETS or not getattr(info, "_is_text_encoding", True):
        return None
    return _SUPERSETS.get(name, name)


def python_codec_for(label: str | None) -> str:
    """Python codec name for a MIME charset label; GB labels → gb18030, Big5 labels → big5hkscs.

    `None`, empty, unknown and non-text labels (`base64`, `idna`, …) map to `utf-8`; use
    `is_known_charset` to tell them apart.
    """
    if not label:
        return "utf-8"
    return _codec_name(label) or "utf-8"


def is_known_charset(label: str | None) -> bool:
    """True when `label` names a text charset Python can decode (after superset mapping)."""
    return bool(label) and _codec_name(label or "") is not None


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeError, LookupError):
        return None


_ESCAPED = re.compile("[\udc80-\udcff]")


def _lossy(data: bytes, codec: str) -> tuple[str, int]:
    """Decode, replacing undecodable bytes with U+FFFD; also return how many bytes were bad."""
    # surrogateescape marks each bad byte as one lone surrogate, which decoders never
    # produce otherwise, so counting them gives the exact number of undecodable bytes.
    try:
        text = data.decode(codec, errors="surrogateescape")
    except (UnicodeError, LookupError):  # codecs without error handlers (utf-7 and others)
        text = data.decode("utf-8", errors="surrogateescape")
    text, bad = _ESCAPED.subn("\ufffd", text)
    return text, bad


def _is_ascii(data: bytes) -> bool:
    return data.isascii()


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return (
        0x3000 <= code <= 0x9FFF
        or 0xF900 <= code <= 0xFAFF
        or 0xFF00 <= code <= 0xFFEF
        or 0x20000 <= code <= 0x3FFFF
    )


def _looks_chinese(text: str) -> bool:
    """True when valid UTF-8 is Chinese text, not GBK bytes that happen to be valid UTF-8.

    GBK text is only rarely valid UTF-8, and then (the famous "联通") it decodes to scattered
    Latin/Cyrillic letters, not to CJK; a GB/Big5 label on real UTF-8 Chinese is common.
    """
    wide = [ch for ch in text if ord(ch) >= 0x80]
    return len(wide) >= 2 and sum(map(_is_cjk, wide)) >= 0.8 * len(wide)


def _utf8_truncated(data: bytes) -> str | None:
    """UTF-8 text whose last character lost its final byte(s) (a header cut by a client)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        text = decoder.decode(data, final=False)
    except UnicodeDecodeError:
        return None
    pending = decoder.getstate()[0]
    if not pending or _is_ascii(data[: len(data) - len(pending)]):
        return None  # complete (then strict decoding has answered) or nothing to go on
    return text


def _detect(data: bytes) -> tuple[str, str] | None:
    """charset-normalizer's best reading among `_DETECTABLE`, if the whole decodes strictly."""
    sample = data
    if len(data) > _DETECT_SAMPLE:  # the detector copies what it is given many times over
        cut = data.rfind(b"\n", 0, _DETECT_SAMPLE)  # an ASCII byte: no character split
        sample = data[: cut + 1 if cut > 0 else _DETECT_SAMPLE]
    best = charset_normalizer.from_bytes(sample, cp_isolation=list(_DETECTABLE)).best()
    if best is None:
        return None
    codec = codecs.lookup(best.encoding).name
    codec = _SUPERSETS.get(codec, codec)
    text = _strict(data, codec)
    return (text, codec) if text is not None else None


def _guess(data: bytes, hint: str | None) -> tuple[str, str | None, int]:
    """(text, how it was read, undecodable bytes) for bytes without a usable label."""
    text = _strict(data, "utf-8")
    if text is not None:
        return text, "utf-8", 0
    text = _utf8_truncated(data)
    if text is not None:
        return text, "utf-8 (last character truncated)", 0
    codec = _codec_name(hint) if hint else None
    if codec and codec != "utf-8":
        text = _strict(data, codec)
        if text is not None:
            return text, codec, 0
    detected = _detect(data) if len(data) >= _MIN_DETECT_BYTES else None
    if detected is not None:
        return detected[0], detected[1], 0
    for codec in GUESS_ORDER[1:]:
        text = _strict(data, codec)
        if text is not None:
            return text, codec, 0
    text, bad = _lossy(data, "gb18030")
    return text, None, bad


def guess_decode(data: bytes, hint: str | None = None) -> tuple[str, str | None]:
    """Decode undeclared bytes: UTF-8 (also with a truncated last character), then `hint` (a
    charset label declared elsewhere in the message), then charset-normalizer restricted to
    the charsets of Chinese mail, then the `GUESS_ORDER` codecs.

    Returns (text, how it was read) or (lossy gb18030 text, None) when nothing fits.
    """
    text, codec, _bad = _guess(data, hint)
    return text, codec


def _guessed(data: bytes, where: str, reason: str, defects: list[str]) -> str:
    text, codec, bad = _guess(data, None)
    if codec is None:
        defects.append(
            f"{where}: {reason}; {bad} undecodable bytes in charset gb18030 replaced by U+FFFD"
        )
    else:
        defects.append(f"{where}: {reason}, decoded as {codec}")
    return text


def _wide_fits(data: bytes) -> bool:
    # UTF-16/32 text has a byte-order mark or NULs (every ASCII character, every line break);
    # 8-bit text under such a label decodes "successfully" into nonsense CJK.
    return data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data


def decode_bytes(data: bytes, label: str | None, *, where: str = "text") -> tuple[str, list[str]]:
    """Decode `data` declared as charset `label`; return (text, defects). Never raises.

    Strict decoding first (with the superset codec); for a missing, unknown or non-text label
    (`base64`, `idna`, `utf-16` on 8-bit text, …) the bytes are guessed (`guess_decode`) and
    the guess is recorded as a defect; only when every strict attempt fails are bad bytes
    replaced, and their number is recorded. `where` prefixes the defect messages.
    """
    defects: list[str] = []
    if not data:
        return "", defects
    codec = _codec_name(label) if label else None
    if codec is None:
        if _is_ascii(data):
            return data.decode("ascii"), defects
        reason = f"unknown charset {label!r}" if label else "no charset declared"
        return _guessed(data, where, reason, defects), defects
    if codec.startswith(_WIDE) and not _wide_fits(data):
        reason = f"declared charset {label} does not fit 8-bit text"
        return _guessed(data, where, reason, defects), defects
    if codec in ("gb18030", "big5hkscs") and not _is_ascii(data):
        as_utf8 = _strict(data, "utf-8")
        if as_utf8 is not None and _looks_chinese(as_utf8):
            defects.append(f"{where}: declared charset {label} does not fit, decoded as utf-8")
            return as_utf8, defects
    text_or_none = _strict(data, codec)
    if text_or_none is not None:
        return text_or_none, defects
    if codec not in ("utf-8", "gb18030", "big5hkscs"):  # utf-7, utf-16 and the like
        return _guessed(data, where, f"declared charset {label} does not fit", defects), defects
    # A wrong label is more likely than broken bytes when the data is valid UTF-8; GB18030
    # accepts most byte soup, so it is only tried for text mislabelled as ASCII/UTF-8.
    alternatives = GUESS_ORDER[1:] if codec == "utf-8" else ("utf-8",)
    for alt in alternatives:
        text_or_none = _strict(data, alt)
        if text_or_none is not None:
            defects.append(f"{where}: declared charset {label} does not fit, decoded as {alt}")
            return text_or_none, defects
    text, bad = _lossy(data, codec)
    defects.append(f"{where}: {bad} undecodable bytes in charset {codec} replaced by U+FFFD")
    return text, defects
