"""Whether the petitioner agrees to have the letter and its answer published (公开意愿).

A refusal always wins: "不同意公开" contains "同意公开", and a letter that says both "可以公开"
and "保密" is treated as not to be published, the safe side for the petitioner.
"""

from __future__ import annotations

import re
import unicodedata

_NEGATIVE: tuple[str, ...] = (
    "不公开",
    "不同意公开",
    "不愿意公开",
    "不愿公开",
    "不可以公开",
    "不希望公开",
    "不要公开",
    "不用公开",
    "不必公开",
    "无需公开",
    "请勿公开",
    "勿公开",
    "不宜公开",
    "拒绝公开",
    "保密",
)

_POSITIVE: tuple[str, ...] = (
    "【公开】",
    "[公开]",
    "〔公开〕",
    "同意公开",
    "愿意公开",
    "可以公开",
    "允许公开",
)

_SPACE = re.compile(r"\s+")
# Consent is stated at the start or the end of a letter; NFKC over a 20 MB body took seconds.
_SCAN_CHARS = 20_000


def _normalise(text: str) -> str:
    # NFKC folds full-width brackets （［］） to ASCII; spaces inside a phrase are dropped so that
    # "同意 公开" still counts.
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def public_consent(subject: str, body: str) -> bool | None:
    """True if the letter asks to be public, False if it refuses, None when it says nothing.

    Only the first and last 20,000 characters of a longer body are read.
    """
    if len(body) > 2 * _SCAN_CHARS:
        body = body[:_SCAN_CHARS] + "\n" + body[-_SCAN_CHARS:]
    text = _normalise(subject) + "\n" + _normalise(body)
    if any(word in text for word in _NEGATIVE):
        return False
    if any(word in text for word in _POSITIVE):
        return True
    return None
