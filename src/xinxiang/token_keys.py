"""The reply-token key ring and the strength check of a key (令牌密钥), standard library only.

Kept apart from `replies.tokens` (which mints and reads the tokens) so that the configuration
can check and load the key without depending on the replies package.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from itertools import pairwise

_KEY_BYTES = 32
_HEX_KEY_CHARS = 2 * _KEY_BYTES
_B64_KEY_CHARS = 43  # 32 bytes in base64 without padding: ceil(32 * 8 / 6)
# Thresholds a random key of the minimum length clears with overwhelming probability (64 random
# hex characters show all 16 digits only ~3 times in 4, so hex gets its own, lower bar).
_MIN_DISTINCT = 16
_MIN_DISTINCT_HEX = 10
_HEX_RE = re.compile(r"[0-9a-fA-F]+")


class TokenKeys(bytes):
    """The reply-token key ring (令牌密钥): its own bytes are the current key, `previous` the
    keys of earlier rotations that still verify tokens already sent.

    A `bytes` subclass, so every function taking a key (and every caller that has one) works
    unchanged: minting uses the value, i.e. the current key; verifying asks
    `verification_keys`, which adds the previous ones.
    """

    previous: tuple[bytes, ...]

    def __new__(cls, current: bytes, previous: Iterable[bytes] = ()) -> TokenKeys:
        """The ring of `current` and `previous` (duplicates of the current key dropped)."""
        ring = super().__new__(cls, current)
        ring.previous = tuple(dict.fromkeys(k for k in previous if k and k != current))
        return ring

    def __repr__(self) -> str:
        # Never the key material: a ring ends up in tracebacks and debug logs.
        return f"TokenKeys(<current>, previous={len(self.previous)})"


def verification_keys(key: bytes) -> tuple[bytes, ...]:
    """Every key a token may verify under: the current one first, then previous ones."""
    if isinstance(key, TokenKeys):
        return (bytes(key), *key.previous)
    return (key,)


def generate_token_key() -> str:
    """A fresh key of 32 random bytes as 64 hex characters (what `xinxiang init` prints)."""
    return secrets.token_hex(_KEY_BYTES)


def _period(text: str) -> int | None:
    """The shortest p with text == (text[:p] repeated, truncated), if p fits at least twice."""
    for p in range(1, len(text) // 2 + 1):
        if text[p:] == text[:-p]:
            return p
    return None


def _mostly_sequential(text: str) -> bool:
    """More than half of neighbouring characters are equal or next to each other (abcdef…,
    654321…, aaab…): a keyboard or alphabet run, not randomness."""
    close = sum(1 for a, b in pairwise(text) if abs(ord(a) - ord(b)) <= 1)
    return close * 2 > len(text) - 1


def token_key_problem(key: str) -> str | None:
    """Why `key` is too weak to sign reply tokens, or None when it will do.

    The key must carry at least 32 random bytes: 64 hex characters, or at least 43 characters
    otherwise (base64 of 32 bytes; a passphrase must be at least as long). Anything with few
    distinct characters, a repeated pattern (abcabc…, 12345678901234…) or a run of
    consecutive characters is refused, whatever its length.
    """
    n = len(key)
    if n < _B64_KEY_CHARS:
        return (
            f"must carry at least 32 random bytes: {_HEX_KEY_CHARS} hex or {_B64_KEY_CHARS}+ "
            f"base64 characters (`xinxiang init` generates one); this one has {n} characters"
        )
    need = _MIN_DISTINCT
    if _HEX_RE.fullmatch(key):
        # Hex digits only: read as a hex key, which carries 4 bits a character.
        if n < _HEX_KEY_CHARS:
            return (
                f"a hex key needs {_HEX_KEY_CHARS} characters (32 random bytes); this one has {n}"
            )
        need = _MIN_DISTINCT_HEX
    distinct = len(set(key))
    if distinct < need:
        return f"has only {distinct} distinct characters (at least {need} needed)"
    period = _period(key)
    if period is not None:
        return f"repeats a pattern of {period} characters"
    if _mostly_sequential(key):
        return "is mostly runs of consecutive characters (like abcdef or 123456)"
    return None
