"""The `Letter`: what a petitioner wrote, independent of where it came from (mail or OA)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class MailKind(StrEnum):
    """What an incoming message is; only `letter` (and `reply`) are acted upon."""

    LETTER = "letter"
    REPLY = "reply"
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"
    REPORT = "report"  # an abuse/feedback report (ARF, RFC 5965) about mail we sent: 投诉报告
    RECEIPT = "receipt"
    LIST = "list"
    LOOP = "loop"
    MALFORMED = "malformed"


@dataclass(frozen=True, slots=True)
class Attachment:
    """One attachment or inline part, with its decoded payload."""

    filename: str
    content_type: str
    payload: bytes
    inline: bool = False
    content_id: str | None = None

    @property
    def size(self) -> int:
        """Size of the decoded payload in bytes."""
        return len(self.payload)


@dataclass(frozen=True, slots=True)
class Letter:
    """A parsed message. `body` is plain text (rendered from HTML when there is no text part)."""

    message_id: str | None
    from_addr: str
    from_name: str
    subject: str
    date: datetime | None
    body: str
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()
    defects: tuple[str, ...] = ()
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    to_addrs: tuple[str, ...] = ()
    cc_addrs: tuple[str, ...] = ()
    headers: tuple[tuple[str, str], ...] = field(default=())
    public_consent: bool | None = None

    def header(self, name: str) -> str | None:
        """First value of header `name` (case-insensitive), decoded, or None."""
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return None
