"""Building outgoing messages safely: deterministic Message-IDs, no header injection, text + HTML.

Every outgoing mail is rendered here and stored fully formed in the outbox, so what is sent after
a crash is byte-for-byte what was decided inside the transaction.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def header_safe(value: str, limit: int = 200) -> str:
    """Collapse CR/LF and other control characters so no value can inject a header."""
    cleaned = _CONTROL.sub(" ", value).strip()
    return cleaned[:limit]


def outbox_message_id(dedupe_key: str, domain: str) -> str:
    """A Message-ID derived from the outbox row's key: a resend is recognisably the same mail."""
    digest = hashlib.sha256(dedupe_key.encode()).hexdigest()[:32]
    return f"<xinxiang.{digest}@{domain}>"


def domain_of(address: str) -> str:
    """The domain part of an address."""
    return address.rsplit("@", 1)[-1].lower()


@dataclass(frozen=True, slots=True)
class Outgoing:
    """Everything needed to build one outgoing message."""

    sender: str
    sender_name: str
    to: Sequence[str]
    subject: str
    text: str
    html: str | None
    message_id: str
    date: datetime
    reply_to: str | None = None
    in_reply_to: str | None = None
    references: Sequence[str] = ()
    auto_submitted: str | None = None
    ticket_number: str | None = None
    attachments: Sequence[tuple[str, str, bytes]] = ()  # (filename, content type, payload)


def build_message(out: Outgoing) -> EmailMessage:
    """Compose a MIME message (UTF-8, text with an HTML alternative, optional attachments)."""
    msg = EmailMessage()
    local, _, domain = out.sender.partition("@")
    msg["From"] = Address(display_name=header_safe(out.sender_name), username=local, domain=domain)
    msg["To"] = ", ".join(header_safe(a, 320) for a in out.to)
    msg["Subject"] = header_safe(out.subject, 250)
    msg["Date"] = format_datetime(out.date)
    msg["Message-ID"] = out.message_id
    if out.reply_to:
        msg["Reply-To"] = header_safe(out.reply_to, 320)
    if out.in_reply_to:
        msg["In-Reply-To"] = header_safe(out.in_reply_to, 998)
    refs = [header_safe(r, 998) for r in out.references if r]
    if refs:
        msg["References"] = " ".join(refs)
    if out.auto_submitted:
        msg["Auto-Submitted"] = out.auto_submitted
    if out.ticket_number:
        msg["X-Xinxiang-Ticket"] = header_safe(out.ticket_number, 40)
    msg.set_content(out.text, subtype="plain", charset="utf-8")
    if out.html is not None:
        msg.add_alternative(out.html, subtype="html", charset="utf-8")
    for filename, ctype, payload in out.attachments:
        maintype, _, subtype = ctype.partition("/")
        msg.add_attachment(
            payload,
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=header_safe(filename, 200),
        )
    return msg


def to_bytes(msg: EmailMessage) -> bytes:
    """Serialise with CRLF line endings as SMTP expects."""
    return msg.as_bytes(policy=SMTP)
