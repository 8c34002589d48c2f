"""Signed rating links of the revisit mail (评价链接): one per level, single-use, expiring.

A link carries the round's nonce and the level, signed (itsdangerous) under a key derived from
the deployment's reply-token key ring (`replies.tokens.TokenKeys`) with its own label, so a
link can never pass for a reply token or a session cookie, and links sent before a key
rotation keep working while the previous key is listed. The signature proves the link was
ours; being single-use (the nonce must still be the waiting round's) and expiring (the round's
due time) is checked by the workflow against the round, not here.
"""

from __future__ import annotations

import hashlib
import hmac

from itsdangerous import BadSignature, URLSafeSerializer

from xinxiang.replies.tokens import verification_keys

_LABEL = b"xinxiang revisit link v1"
_SALT = "xinxiang-revisit"


def _secret(key: bytes) -> bytes:
    return hmac.new(key, _LABEL, hashlib.sha256).digest()


def _serializer(key: bytes) -> URLSafeSerializer:
    # itsdangerous signs with the last secret and verifies with any: oldest first.
    secrets = [_secret(k) for k in reversed(verification_keys(key))]
    return URLSafeSerializer(secrets, salt=_SALT)


def make_link_token(nonce: str, level: int, key: bytes) -> str:
    """The signed token of the link that rates the round of `nonce` with `level` (1–5)."""
    if level not in range(1, 6):
        raise ValueError(f"not a rating level: {level}")
    return str(_serializer(key).dumps([nonce, level]))


def read_link_token(token: str, key: bytes) -> tuple[str, int] | None:
    """(nonce, level) of a link token made with one of `key`'s keys; None if forged or broken."""
    try:
        value = _serializer(key).loads(token)
    except BadSignature:
        return None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not isinstance(value[0], str)
        or not isinstance(value[1], int)
        or value[1] not in range(1, 6)
    ):
        return None
    return value[0], value[1]


def link_url(public_url: str, nonce: str, level: int, key: bytes) -> str:
    """The rating link under the console's public address (`[school] public_url`)."""
    return f"{public_url.rstrip('/')}/revisit/{make_link_token(nonce, level, key)}"
