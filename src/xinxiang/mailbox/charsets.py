"""Charset labels found in Chinese mail mapped to the Python codecs that decode them without loss.

Clients label GBK text as `gb2312` (and Big5-HKSCS text as `big5`) all the time; decoding with the
declared label silently turns characters such as 镕, 喆 or 嘅 into mojibake. Every label of the GB
family is therefore decoded as GB18030 (a superset of GB2312 and GBK) and every Big5 label as
Big5-HKSCS. Nothing is ever dropped silently: bytes that still cannot be decoded are replaced by
U+FFFD and reported as a defect.
"""

from __future__ import annotations

import codecs

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

# Tried in order when no charset is declared (or the declared one is unknown).
GUESS_ORDER: tuple[str, ...] = ("utf-8", "gb18030", "big5hkscs")


def python_codec_for(label: str | None) -> str:
    """Python codec name for a MIME charset label; GB labels → gb18030, Big5 labels → big5hkscs.

    `None`, empty and unknown labels map to `utf-8`; use `is_known_charset` to tell them apart.
    """
    if not label:
        return "utf-8"
    key = label.strip().strip("\"'").lower()
    if key in _SUPERSETS:
        return _SUPERSETS[key]
    try:
        name = codecs.lookup(key).name
    except (LookupError, ValueError):  # ValueError: NUL in the label
        return "utf-8"
    return _SUPERSETS.get(name, name)


def is_known_charset(label: str | None) -> bool:
    """True when `label` names a charset Python can decode (after superset mapping)."""
    if not label:
        return False
    key = label.strip().strip("\"'").lower()
    if key in _SUPERSETS:
        return True
    try:
        codecs.lookup(key)
    except (LookupError, ValueError):  # ValueError: NUL in the label
        return False
    return True


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _lossy(data: bytes, codec: str) -> tuple[str, int]:
    """Decode, replacing undecodable bytes with U+FFFD; also return how many bytes were bad."""
    # surrogateescape marks each bad byte as one lone surrogate, which decoders never
    # produce otherwise, so counting them gives the exact number of undecodable bytes.
    text = data.decode(codec, errors="surrogateescape")
    bad = sum(1 for ch in text if "\udc80" <= ch <= "\udcff")
    if bad:
        text = "".join("\ufffd" if "\udc80" <= ch <= "\udcff" else ch for ch in text)
    return text, bad


def _is_ascii(data: bytes) -> bool:
    return all(b < 0x80 for b in data)


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


def guess_decode(data: bytes) -> tuple[str, str | None]:
    """Decode undeclared bytes strictly with the first codec of `GUESS_ORDER` that fits.

    Returns (text, codec) or (lossy gb18030 text, None) when nothing fits.
    """
    for codec in GUESS_ORDER:
        text = _strict(data, codec)
        if text is not None:
            return text, codec
    return _lossy(data, "gb18030")[0], None


def decode_bytes(data: bytes, label: str | None, *, where: str = "text") -> tuple[str, list[str]]:
    """Decode `data` declared as charset `label`; return (text, defects).

    Strict decoding first (with the superset codec); for a missing or unknown label the
    `GUESS_ORDER` codecs are tried and the guess is recorded as a defect; only when every
    strict attempt fails are bad bytes replaced, and their number is recorded. `where` prefixes
    the defect messages (e.g. "body part 2").
    """
    defects: list[str] = []
    if not data:
        return "", defects
    if not label or not is_known_charset(label):
        if _is_ascii(data):
            return data.decode("ascii"), defects
        reason = f"unknown charset {label!r}" if label else "no charset declared"
        for codec in GUESS_ORDER:
            text = _strict(data, codec)
            if text is not None:
                defects.append(f"{where}: {reason}, decoded as {codec}")
                return text, defects
        text, bad = _lossy(data, "gb18030")
        defects.append(
            f"{where}: {reason}; {bad} undecodable bytes in charset gb18030 replaced by U+FFFD"
        )
        return text, defects
    codec = python_codec_for(label)
    if codec in ("gb18030", "big5hkscs") and not _is_ascii(data):
        as_utf8 = _strict(data, "utf-8")
        if as_utf8 is not None and _looks_chinese(as_utf8):
            defects.append(f"{where}: declared charset {label} does not fit, decoded as utf-8")
            return as_utf8, defects
    text_or_none = _strict(data, codec)
    if text_or_none is not None:
        return text_or_none, defects
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
