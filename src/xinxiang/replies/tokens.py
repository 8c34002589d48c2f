"""Per-ticket signed reply tokens (回复令牌) carried in a plus-address Reply-To.

Every mail we send about a ticket sets ``Reply-To: xinxiang+<token>@example.edu.cn``. The token
names the ticket and carries a truncated HMAC-SHA256 under the configured key, so a reply can be
matched to its ticket without trusting the subject, and a token made up by someone without the
key is recognised as forged. Tokens are written in lowercase Crockford base32 and read back
tolerantly (case, ``i``/``l`` for ``1``, ``o`` for ``0``, stray hyphens) because people retype
them.

Token layout: ``t`` + the ticket number's digits (``2026-000123`` → ``2026000123``) + a role
letter + a fixed number of base32 MAC characters over ticket *and* role. The role letter says
whom the mail went to (``d`` 承办部门, ``c`` 协办部门, ``f`` 党政办公室, ``p`` 来信人), so the
petitioner's receipt cannot serve as the department's token. Every mail is now sent to one
address at a time, and its token is also bound to that address (回复令牌绑定收件地址): the role
letter is followed by ``a`` and the MAC covers ticket, role *and* address. The address is not
written in the token; it is verified against the candidates the caller names (the mail's
authenticated From first, then the ticket's registered addresses of that role), so a token that
went to one colleague used by another is recognised as "valid, but not yours". Such a token is
23 characters (``xinxiang+`` + 23 stays far under the 64 of an RFC 5321 local part).
Ticket+role tokens (mails sent before address binding) and legacy tokens (no role letter, MAC
over the ticket alone, mails sent before roles existed) still verify; they identify their
ticket and never authorise a staff change by themselves. The year always has four digits, so
the hyphen can be restored.

Where the receiving server has no plus-addressing, the same token rides in the Subject as a
``[XX-…]`` tag (`find_ticket_in_subject`), which mail clients keep when answering.

Key rotation (密钥轮换): the key passed around is a `TokenKeys` — a `bytes` whose value is the
current key (every token is minted with it) and which also carries the previous keys still
accepted when a token is verified. A plain `bytes` key is a ring of one.

Pure functions, standard library only.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.utils import getaddresses
from typing import Literal

from xinxiang.domain.tickets import subject_tokens, ticket_number_in_subject
from xinxiang.token_keys import (
    TokenKeys,
    generate_token_key,
    token_key_problem,
    verification_keys,
)

__all__ = [
    "MAC_CHARS",
    "Candidates",
    "TokenKeys",
    "TokenResult",
    "VerifiedToken",
    "find_ticket_in_addresses",
    "find_ticket_in_subject",
    "generate_token_key",
    "make_token",
    "normalize_token",
    "parse_role_token",
    "parse_token",
    "reply_address",
    "ticket_number_in_subject",
    "token_key_problem",
    "verification_keys",
    "verify_token",
]

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
# 10 characters x 5 bits = 50 bits: forging by guessing needs ~10^15 tries, and the address
# stays short enough to survive retyping.
MAC_CHARS = 10
_MAC_BITS = MAC_CHARS * 5
_PREFIX = "t"

_TICKET_RE = re.compile(r"^(\d{4})-(\d{1,12})$")
# Crockford decoding: case-insensitive, i/l read as 1, o read as 0, hyphens ignored.
_RETYPE = str.maketrans({"i": "1", "l": "1", "o": "0", "-": None})
_DECODE = {c: i for i, c in enumerate(_ALPHABET)}


def _check_key(key: bytes) -> None:
    if not key:
        raise ValueError("reply token key must not be empty")


_ROLE_LETTERS = {"department": "d", "cohandler": "c", "office": "f", "petitioner": "p"}
_LETTER_ROLES = {v: k for k, v in _ROLE_LETTERS.items()}
# A separate MAC domain, so no role token is ever a valid legacy token or the other way round.
_ROLE_DOMAIN = b"xinxiang-reply-role:"
# Address-bound tokens: role letter + this mark, MAC in a domain of their own.
_BOUND_MARK = "a"
_ADDRESS_DOMAIN = b"xinxiang-reply-address:"


def _canonical_address(address: str) -> str:
    return unicodedata.normalize("NFKC", address).strip().lower()


def _mac(ticket_number: str, key: bytes, domain: bytes = b"xinxiang-reply:") -> str:
    digest = hmac.new(key, domain + ticket_number.encode("ascii"), hashlib.sha256)
    value = int.from_bytes(digest.digest()[:8], "big") >> (64 - _MAC_BITS)
    chars = []
    for _ in range(MAC_CHARS):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def make_token(
    ticket_number: str, key: bytes, role: str | None = None, address: str | None = None
) -> str:
    """Return the signed token for ``ticket_number`` (e.g. ``2026-000123``), in lowercase.

    With ``role`` (department, cohandler, office, petitioner) the token is bound to it, and with
    ``address`` also to the one recipient it goes to; without a role it is a legacy ticket-only
    token (kept for tests of mails sent before roles existed). Raises ``ValueError`` for a
    malformed ticket number, an unknown role, an address without a role or an empty key.
    """
    _check_key(key)
    match = _TICKET_RE.match(ticket_number)
    if match is None:
        raise ValueError(f"not a ticket number: {ticket_number!r}")
    digits = _PREFIX + match.group(1) + match.group(2)
    if role is None:
        if address is not None:
            raise ValueError("an address-bound token needs a role")
        return digits + _mac(ticket_number, key)
    letter = _ROLE_LETTERS.get(role)
    if letter is None:
        raise ValueError(f"unknown token role: {role!r}")
    if address is None:
        return digits + letter + _mac(f"{ticket_number}:{role}", key, _ROLE_DOMAIN)
    bound = f"{ticket_number}:{role}:{_canonical_address(address)}"
    return digits + letter + _BOUND_MARK + _mac(bound, key, _ADDRESS_DOMAIN)


def reply_address(
    base: str,
    ticket_number: str,
    key: bytes,
    role: str | None = None,
    address: str | None = None,
) -> str:
    """Return the plus address for replies: ``xinxiang@x.cn`` → ``xinxiang+<token>@x.cn``."""
    local, at, domain = base.rpartition("@")
    if not at or not local or not domain:
        raise ValueError(f"not an e-mail address: {base!r}")
    return f"{local}+{make_token(ticket_number, key, role, address)}@{domain}"


def normalize_token(token: str) -> str:
    """Return ``token`` in canonical form (lowercase, retyping undone), without verifying it."""
    text = unicodedata.normalize("NFKC", token).strip().lower()
    if text.startswith(_PREFIX):
        return _PREFIX + text[len(_PREFIX) :].translate(_RETYPE)
    return text.translate(_RETYPE)


@dataclass(frozen=True, slots=True)
class _Claim:
    ticket: str
    role: str | None
    bound: bool
    mac: str


def _split(token: str) -> _Claim | None:
    """Split a canonical token into what it claims; None if not token-shaped.

    ``role`` is None for a legacy token (digits directly followed by the MAC); ``bound`` is
    True for an address-bound token (role letter, then ``a``).
    """
    if not token.startswith(_PREFIX):
        return None
    body = token[len(_PREFIX) :]
    role: str | None = None
    bound = False
    digits, mac = body[:-MAC_CHARS], body[-MAC_CHARS:]
    if digits.endswith(_BOUND_MARK) and len(digits) > 1 and digits[-2] in _LETTER_ROLES:
        role, bound, digits = _LETTER_ROLES[digits[-2]], True, digits[:-2]
    elif digits and digits[-1] in _LETTER_ROLES:
        role, digits = _LETTER_ROLES[digits[-1]], digits[:-1]
    if len(digits) < 5 or not digits.isascii() or not digits.isdigit():
        return None
    if len(mac) != MAC_CHARS or any(c not in _DECODE for c in mac):
        return None
    return _Claim(f"{digits[:4]}-{digits[4:]}", role, bound, mac)


@dataclass(frozen=True, slots=True)
class VerifiedToken:
    """A token whose MAC verified: its ticket, role (None: legacy) and bound address (None:
    not address-bound)."""

    ticket: str
    role: str | None
    address: str | None = None


Candidates = Callable[[str, str], Iterable[str]]
"""Given a token's claimed ticket number and role, the addresses it may be bound to."""


def verify_token(token: str, key: bytes, candidates: Iterable[str] = ()) -> VerifiedToken | None:
    """Verify ``token`` under the key ring ``key``; None if it does not verify.

    An address-bound token verifies only against one of ``candidates`` (tried in order), and
    the result names that address.
    """
    _check_key(key)
    claim = _split(normalize_token(token))
    if claim is None or _TICKET_RE.match(claim.ticket) is None:
        return None
    mac = claim.mac.encode("ascii")
    keys = verification_keys(key)
    if claim.bound:
        assert claim.role is not None
        for address in dict.fromkeys(_canonical_address(a) for a in candidates if a):
            bound = f"{claim.ticket}:{claim.role}:{address}"
            for candidate in keys:
                bound_mac = _mac(bound, candidate, _ADDRESS_DOMAIN).encode("ascii")
                if hmac.compare_digest(mac, bound_mac):
                    return VerifiedToken(claim.ticket, claim.role, address)
        return None
    for candidate in keys:
        if claim.role is None:
            expected = _mac(claim.ticket, candidate)
        else:
            expected = _mac(f"{claim.ticket}:{claim.role}", candidate, _ROLE_DOMAIN)
        if hmac.compare_digest(mac, expected.encode("ascii")):
            return VerifiedToken(claim.ticket, claim.role)
    return None


def parse_token(token: str, key: bytes) -> str | None:
    """Return the ticket number a token names if its MAC verifies under ``key``, else None.

    ``key`` may be a `TokenKeys` ring: a token made under any of its keys verifies, so tokens
    sent before a key rotation keep naming their ticket while the old key is listed.
    Accepts retyped tokens (any case, ``i``/``l`` for ``1``, ``o`` for ``0``). An
    address-bound token does not verify here (see `verify_token`).
    """
    verified = parse_role_token(token, key)
    return verified[0] if verified is not None else None


def parse_role_token(token: str, key: bytes) -> tuple[str, str | None] | None:
    """Return (ticket number, role) if the token verifies; role None for a legacy token."""
    verified = verify_token(token, key)
    return (verified.ticket, verified.role) if verified is not None else None


@dataclass(frozen=True, slots=True)
class TokenResult:
    """Outcome of looking for a reply token among a message's addresses or in its Subject.

    ``status`` is ``"none"`` (no token of ours), ``"valid"`` (``ticket`` is set),
    ``"forged"`` (a token of ours that does not verify; ``claimed_ticket`` is the ticket it
    pretends to name, when it names one) or ``"ambiguous"`` (several different tokens in one
    Subject: none is taken). ``token`` is the token as found; ``role`` the role it was issued
    for (None for a legacy, ticket-only token); ``address`` the recipient it is bound to
    (None for a token from before address binding).
    """

    status: Literal["none", "valid", "forged", "ambiguous"]
    ticket: str | None = None
    token: str | None = None
    claimed_ticket: str | None = None
    role: str | None = None
    address: str | None = None


def _split_address(address: str) -> tuple[str, str] | None:
    local, at, domain = address.strip().rpartition("@")
    if not at or not local:
        return None
    return local, domain


def _no_candidates(_ticket: str, _role: str) -> Iterable[str]:
    return ()


def _check(token: str, key: bytes, candidates: Candidates) -> TokenResult:
    claim = _split(normalize_token(token))
    names = candidates(claim.ticket, claim.role) if claim and claim.bound and claim.role else ()
    verified = verify_token(token, key, names)
    if verified is not None:
        return TokenResult(
            "valid",
            ticket=verified.ticket,
            token=token,
            role=verified.role,
            address=verified.address,
        )
    return TokenResult("forged", token=token, claimed_ticket=claim.ticket if claim else None)


def find_ticket_in_addresses(
    addresses: Iterable[str], base: str, key: bytes, candidates: Candidates = _no_candidates
) -> TokenResult:
    """Find our reply token among recipient addresses (To, Cc, Delivered-To, ...).

    ``addresses`` may be bare addresses or header values like ``名字 <a@b>, c@d``. A valid token
    anywhere wins; otherwise any plus address of ``base`` makes the result ``forged``.
    ``candidates(ticket, role)`` names the addresses an address-bound token may be bound to.
    """
    _check_key(key)
    base_parts = _split_address(base)
    if base_parts is None:
        raise ValueError(f"not an e-mail address: {base!r}")
    base_local, base_domain = base_parts[0].lower(), base_parts[1].lower()
    forged: TokenResult | None = None
    for _name, address in getaddresses(list(addresses)):
        parts = _split_address(unicodedata.normalize("NFKC", address))
        if parts is None:
            continue
        local, domain = parts
        if domain.lower() != base_domain:
            continue
        prefix, plus, token = local.partition("+")
        if not plus or prefix.lower() != base_local:
            continue
        result = _check(token, key, candidates)
        if result.status == "valid":
            return result
        forged = forged or result
    return forged if forged is not None else TokenResult("none")


def find_ticket_in_subject(
    subject: str, key: bytes, candidates: Candidates = _no_candidates
) -> TokenResult:
    """Find our reply token written as a ``[XX-…]`` tag in a Subject.

    One token (written once or repeated) is checked like a plus-address token; two different
    tokens in one Subject are ``ambiguous``: a reply names one ticket, and which one is then
    anyone's guess, so neither is taken.
    """
    _check_key(key)
    # Confirmation tokens ([XX-c…], `replies.confirm`) are not ticket tokens.
    tags = [t for t in subject_tokens(subject) if not t.lower().startswith("c")]
    found = list(dict.fromkeys(normalize_token(t) for t in tags))
    if not found:
        return TokenResult("none")
    if len(found) > 1:
        return TokenResult("ambiguous", token=" ".join(found))
    return _check(found[0], key, candidates)
