"""Ticket numbers (`YYYY-NNNNNN`) and query codes (查询码)."""

from __future__ import annotations

import re
import secrets

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
