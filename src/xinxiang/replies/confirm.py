"""The confirmation round trip (确认往返) for staff mail that arrived without proof.

When a registered department or office address asks for a change by mail but the mail does not
prove itself (no signed reply token of the ticket, or no authentication by our receiving
server), the action is held and a challenge goes to that registered address — never to
Reply-To or Sender. Its reply address carries a confirmation token bound to the held mail and
to that address (like Mailman's confirmation cookie): only someone who reads that mailbox can
answer it, and only an answer from that address verifies. The held action is then applied once.

Token layout: ``c`` + the holding-pen id + :data:`MAC_CHARS` base32 characters of
HMAC-SHA256 over the id and the address. Pure functions, standard library only.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import getaddresses
from typing import Literal

from xinxiang.domain.tickets import subject_tokens
from xinxiang.replies.autoreply import out_of_office_phrase
from xinxiang.replies.tokens import verification_keys

__all__ = [
    "MAC_CHARS",
    "ConfirmationToken",
    "confirm_address",
    "confirm_token",
    "find_confirmation",
    "is_confirmation_answer",
]

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
# 13 characters x 5 bits = 65 bits: a challenge lives for days, so more than a reply token.
MAC_CHARS = 13
_TOKEN = re.compile(rf"^c(\d{{1,12}})([0-9a-z]{{{MAC_CHARS}}})$")


def _mac(hold_id: int, address: str, key: bytes) -> str:
    if not key:
        raise ValueError("token key must not be empty")
    message = f"xinxiang-confirm:{hold_id}:{address.strip().lower()}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    value = int.from_bytes(digest[:9], "big") >> (72 - MAC_CHARS * 5)
    chars = []
    for _ in range(MAC_CHARS):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def confirm_token(hold_id: int, address: str, key: bytes) -> str:
    """The confirmation token for held mail ``hold_id``, valid only for ``address``."""
    return f"c{hold_id}{_mac(hold_id, address, key)}"


def confirm_address(base: str, hold_id: int, address: str, key: bytes) -> str:
    """The reply address of a challenge: ``xinxiang@x.cn`` → ``xinxiang+c12…@x.cn``."""
    local, at, domain = base.rpartition("@")
    if not at or not local or not domain:
        raise ValueError(f"not an e-mail address: {base!r}")
    return f"{local}+{confirm_token(hold_id, address, key)}@{domain}"


@dataclass(frozen=True, slots=True)
class ConfirmationToken:
    """A confirmation token found among the recipients.

    ``status``: ``none`` (no confirmation address of ours), ``valid`` (``hold_id`` is set and
    the token was issued to the sender) or ``forged`` (token-shaped but not issued to the
    sender: made up, altered, or answered from another address).
    """

    status: Literal["none", "valid", "forged"]
    hold_id: int | None = None


def find_confirmation(
    addresses: Iterable[str], base: str, sender: str, key: bytes, subject: str = ""
) -> ConfirmationToken:
    """Look for a confirmation token of ``base`` among recipient addresses, for ``sender``;
    then as a ``[XX-c…]`` tag in ``subject`` (servers without plus-addressing)."""
    base_local, _, base_domain = base.lower().rpartition("@")
    found: ConfirmationToken = ConfirmationToken("none")
    tokens: list[str] = []
    for _name, address in getaddresses(list(addresses)):
        local, at, domain = unicodedata.normalize("NFKC", address).strip().rpartition("@")
        if not at or domain.lower() != base_domain:
            continue
        prefix, plus, token = local.partition("+")
        if not plus or prefix.lower() != base_local:
            continue
        tokens.append(token)
    tokens += [t for t in subject_tokens(subject) if t.lower().startswith("c")]
    for token in tokens:
        match = _TOKEN.match(token.lower())
        if match is None:
            continue
        hold_id = int(match.group(1))
        # During a key rotation a challenge sent under the previous key still verifies.
        for candidate in verification_keys(key):
            expected = _mac(hold_id, sender, candidate)
            if sender and hmac.compare_digest(match.group(2).encode(), expected.encode()):
                return ConfirmationToken("valid", hold_id)
        found = ConfirmationToken("forged", hold_id)
    return found


_YES = re.compile(r"(确认|確認|同意|是本人|本人所发|本人發|\bconfirm(ed)?\b|\byes\b|\bok\b)", re.I)


def is_confirmation_answer(text: str) -> bool:
    """True when the new text of a reply says yes (确认) and is not an out-of-office note.

    Only the first non-empty lines count, so a quoted challenge cannot confirm itself.
    """
    own = [line.strip() for line in text.splitlines() if not line.lstrip().startswith((">", "＞"))]
    lines = [line for line in own if line][:3]
    head = " ".join(lines)
    return bool(head) and _YES.search(head) is not None and out_of_office_phrase(text) is None
