"""Ticket numbers (`YYYY-NNNNNN`) and query codes (查询码)."""

from __future__ import annotations

import re
import secrets
import unicodedata

# No 0/O, 1/I/L: a petitioner reads the code aloud on the phone.
QUERY_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
TICKET_NUMBER_RE = re.compile(r"^(\d{4})-(\d{6})$")


def format_ticket_number(year: int, seq: int) -> str:
    """`2026-000123`."""
    return f"{year:04d}-{seq:06d}"


def parse_ticket_number(value: str) -> tuple[int, int] | None:
    """(year, seq) or None when `value` is not a ticket number."""
    m = TICKET_NUMBER_RE.match(value.strip())
    return (int(m.group(1)), int(m.group(2))) if m else None


def new_query_code(length: int = 6) -> str:
    """A random query code for the petitioner."""
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(length))


_SUBJECT_TICKET_RE = re.compile(r"(?<!\d)(20\d{2})-(\d{6})(?!\d)")
# Dashes people (and IMEs) put between year and sequence; NFKC handles the full-width forms.
_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−﹣－", "-"))


def ticket_number_in_subject(subject: str) -> str | None:
    """Return the first ticket number (``2026-000123``) in a subject, or None.

    Finds it bare or inside 【】/[] brackets; full-width digits and dashes are normalised.
    """
    text = unicodedata.normalize("NFKC", subject).translate(_DASHES)
    match = _SUBJECT_TICKET_RE.search(text)
    if match is None:
        return None
    return f"{match.group(1)}-{match.group(2)}"


# The reply token as a subject tag (主题令牌): ``[XX-t2026000123da0123456789]``. Chinese clients
# keep square brackets when they answer (回复:, 答复:, Re:, 转发:); NFKC reads ［］ as [].
SUBJECT_TAG = "XX"
_SUBJECT_TOKEN_RE = re.compile(r"\[\s*XX\s*-\s*([0-9a-z][0-9a-z\-]{4,40})\s*\]", re.IGNORECASE)
_REPLY_PREFIX_RE = re.compile(
    r"^\s*(?:re|aw|fw|fwd|回复|答复|回覆|答覆|转发|轉發)\s*[:：]", re.IGNORECASE
)


def subject_tokens(subject: str) -> list[str]:
    """Every reply token written as a ``[XX-…]`` tag in ``subject``, in order, as written."""
    return _SUBJECT_TOKEN_RE.findall(unicodedata.normalize("NFKC", subject))


def subject_tag(token: str) -> str:
    """The subject tag carrying ``token``: ``[XX-<token>]``."""
    return f"[{SUBJECT_TAG}-{token}]"


def is_reply_subject(subject: str) -> bool:
    """Whether ``subject`` starts like an answer or a forward (回复:/答复:/Re:/转发: …)."""
    return bool(_REPLY_PREFIX_RE.match(unicodedata.normalize("NFKC", subject)))
