"""Text normalisation applied to both letters and keywords before matching.

A letter from a Hong Kong student typed in traditional characters with full-width Latin
letters must match the same simplified keywords as everyone else, so every text goes through:
full-width → half-width folding, Unicode NFKC, traditional → simplified (OpenCC ``t2s``; the
aspect particle 著 → 着) and lower-casing. Matching never depends on word segmentation.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Protocol


class _Converter(Protocol):
    def convert(self, text: str) -> str: ...


# Full-width ASCII variants (U+FF01..U+FF5E) and the ideographic space. Folding them with a
# regex first lets the common case skip full NFKC, which is ~5x slower on CJK text.
_FULLWIDTH = {chr(cp): chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH["\u3000"] = " "
_FULLWIDTH_RE = re.compile("[\uff01-\uff5e\u3000]")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _fold(match: re.Match[str]) -> str:
    return _FULLWIDTH[match.group()]


@cache
def _t2s() -> _Converter:
    # Imported and constructed lazily, once: loading the OpenCC dictionaries takes ~10 ms.
    import opencc

    converter: _Converter = opencc.OpenCC("t2s")
    return converter


def fold_width(text: str) -> str:
    """Fold full-width forms to ASCII and apply NFKC (only when the text still needs it)."""
    text = _FULLWIDTH_RE.sub(_fold, text)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text


def to_simplified(text: str) -> str:
    """Convert traditional Chinese characters and phrases to simplified (OpenCC t2s)."""
    if text.isascii():
        return text
    try:
        return _t2s().convert(text)
    except UnicodeEncodeError:
        # Lone surrogates (from undecodable mail bytes) cannot cross into OpenCC's UTF-8.
        return _t2s().convert(_SURROGATE_RE.sub("\ufffd", text))


# Taiwan and Hong Kong writers use 著 for the aspect particle 着 (開著, 冒著煙, 著火), which
# OpenCC t2s keeps as 著: it becomes 着 except in the words where 著 means "notable, written"
# (著名, 显著, 名著…). One character for one, so positions do not move.
_ZHU_KEPT = re.compile(r"著(?=[名作称述者录书])|(?<=[显卓昭土名原专编论巨译合遗新拙大])著")


def _aspect_zhu(text: str) -> str:
    if "著" not in text:
        return text
    kept = {m.start() for m in _ZHU_KEPT.finditer(text)}
    return "".join("着" if ch == "著" and i not in kept else ch for i, ch in enumerate(text))


# A line break inside an English sentence (mail wraps long lines: "I want to\nthank them").
_WRAPPED_WORDS = re.compile(r"(?<=[a-z,])\n(?=[a-z])")


def normalize(text: str) -> str:
    """Return the matching form of `text`: width-folded, NFKC, simplified, lower-cased.

    A single line break between two English words becomes a space, so phrases match across a
    wrapped line; the length never changes. Positions reported by the classifier are offsets
    into this normalised form.
    """
    return _WRAPPED_WORDS.sub(" ", _aspect_zhu(to_simplified(fold_width(text))).lower())


def as_latin1_bytes(text: str) -> str:
    """`text` as UTF-8 bytes held in a Latin-1 string: the form the automata match over."""
    # The automaton holds UTF-8 bytes as Latin-1 characters. pyahocorasick looks children up
    # linearly, so a trie over thousands of distinct CJK first characters is slow at the root;
    # over bytes the fan-out is at most 256 and matching is ~5x faster. UTF-8 is
    # self-synchronising, so a keyword can only match at a character boundary.
    return text.encode("utf-8").decode("latin-1")


def char_offsets(text: str, byte_offsets: dict[int, int]) -> dict[int, int]:
    """Map each value (a byte offset at a character boundary) of `byte_offsets` to characters."""
    raw = text.encode("utf-8")
    out: dict[int, int] = {}
    chars = 0
    last = 0
    for key, off in sorted(byte_offsets.items(), key=lambda kv: kv[1]):
        chars += len(raw[last:off].decode("utf-8"))
        last = off
        out[key] = chars
    return out
