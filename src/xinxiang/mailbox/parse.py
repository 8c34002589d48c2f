"""Raw message bytes → `Letter`, tolerant of everything Chinese mail clients produce.

The stdlib parser runs with the `compat32` policy because it never raises on broken input and
keeps 8-bit header bytes recoverable (surrogate-escaped); it is given only what `bounds` lets
through (total size, header fields, nesting depth), and reads folded parameters unfolded. Every
header (`headers`) and part (`parts`) is then decoded with the label supersets of `charsets`
(gb2312 → gb18030, big5 → big5hkscs); a label that is no text charset falls back for its part
only. This module walks the parts into body text, HTML and attachments. Whatever cannot be
decoded exactly is recorded in `Letter.defects`; only input with nothing usable raises
`UnparseableMail`.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email.header import Header
from email.message import Message
from email.parser import BytesParser
from email.policy import Compat32
from functools import partial

from xinxiang.domain.letter import Attachment, Letter
from xinxiang.errors import UnparseableMail
from xinxiang.mailbox.bounds import MAX_MIME_DEPTH, bound_message, header_end
from xinxiang.mailbox.charsets import decode_bytes
from xinxiang.mailbox.consent import public_consent
from xinxiang.mailbox.headers import (
    addresses,
    clean_text,
    header_text,
    message_ids,
    normalise_message_id,
    parse_date,
    raw_get,
)
from xinxiang.mailbox.html_text import html_to_text, html_within_bounds, sanitise_html
from xinxiang.mailbox.parts import (
    charset,
    ctype,
    disposition,
    payload_bytes,
    raw_filename,
    safe_filename,
    serialise,
    stored_payload,
)

__all__ = ["FORWARD_MARKER", "normalise_message_id", "parse_message", "safe_filename"]

FORWARD_MARKER = "---------- 转发邮件 ----------"

# A message needs at least one of these to be mail rather than arbitrary bytes.
_MAIL_HEADERS = frozenset(
    {
        "from", "sender", "to", "cc", "subject", "date", "message-id", "received",
        "return-path", "content-type", "mime-version", "reply-to", "in-reply-to",
        "references", "delivered-to",
    }
)  # fmt: skip
_FOLD = re.compile(r"\r?\n(?=[ \t])")


class _UnfoldingPolicy(Compat32):
    """compat32 that unfolds a header value whenever the parser reads it (RFC 5322 §2.2.3).

    compat32 keeps the line break of a folded parameter inside its value, so a boundary folded
    at a space never matched its delimiter lines and the attachments fell into the body.
    """

    def header_fetch_parse(  # type: ignore[override]  # as typeshed's Compat32 itself
        self, name: str, value: str
    ) -> str | Header:
        return super().header_fetch_parse(name, _FOLD.sub("", value))


_POLICY = _UnfoldingPolicy()


def _parse_bytes(raw: bytes, defects: list[str]) -> Message:
    """The stdlib parse of `raw` within the bounds of `bounds.bound_message`."""
    bounded, found = bound_message(raw)
    defects.extend(found)
    return BytesParser(policy=_POLICY).parsebytes(bounded)


def _text_charset(msg: Message) -> str | None:
    """The charset the message declares for its text (a hint for raw 8-bit headers)."""
    pending, seen = [msg], 0
    while pending and seen < 100:  # iterative and bounded: any structure is safe to search
        part = pending.pop(0)
        seen += 1
        label = charset(part)
        if label:
            return label
        payload = stored_payload(part)
        if isinstance(payload, list):
            pending.extend(p for p in payload if isinstance(p, Message))
    return None


# -- parts --------------------------------------------------------------------------------------


@dataclass
class _Collected:
    body: list[tuple[str, str]] = field(default_factory=list)  # ("plain" | "html", text)
    html: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)

    def absorb_side_effects(self, other: _Collected) -> None:
        self.attachments.extend(other.attachments)
        self.defects.extend(other.defects)


# One step of the walk: a part to visit (part, where its content goes, depth, inline?), or what
# to do once the parts visited before it are done (choose an alternative, close a forward).
_Task = tuple[Message, _Collected, int, bool] | Callable[[], None]


class _Walker:
    """Walks the MIME tree once, iteratively (an explicit stack), numbering leaf parts."""

    def __init__(self) -> None:
        self.part_no = 0
        self.forwarded = 0

    def walk(self, root: Message, out: _Collected) -> None:
        """Collect the body, HTML, attachments and defects of `root` into `out`, in order."""
        stack: list[_Task] = [(root, out, 0, False)]
        while stack:
            task = stack.pop()
            if callable(task):
                task()
            else:
                stack.extend(reversed(self._visit(*task)))

    def _visit(self, part: Message, out: _Collected, depth: int, inline: bool) -> list[_Task]:
        if depth > MAX_MIME_DEPTH:  # `bounds` already keeps the parser's tree within this
            out.defects.append("MIME structure nested too deeply; inner parts ignored")
            return []
        kind = ctype(part)
        if kind == "message/rfc822":
            return self._forwarded(part, out, depth)
        if not (part.is_multipart() and kind.startswith("multipart/")):
            self._leaf(part, kind, out, inline=inline)
            return []
        out.defects.extend(f"MIME structure ({kind}): {type(d).__name__}" for d in part.defects)
        children = [p for p in part.get_payload() if isinstance(p, Message)]
        if kind == "multipart/alternative":
            subs = [_Collected() for _ in children]
            visits: list[_Task] = [
                (c, sub, depth + 1, False) for c, sub in zip(children, subs, strict=True)
            ]
            return [*visits, partial(self._choose, subs, out)]
        related = kind == "multipart/related"  # parts after the first are its inline resources
        return [(c, out, depth + 1, related and i > 0) for i, c in enumerate(children)]

    def _choose(self, subs: list[_Collected], out: _Collected) -> None:
        for sub in subs:
            out.absorb_side_effects(sub)
        plain = next((s for s in subs if any(k == "plain" and t.strip() for k, t in s.body)), None)
        rich = next((s for s in reversed(subs) if s.html), None)
        chosen = plain or rich or next((s for s in subs if s.body), None)
        if chosen is not None:
            out.body.extend(chosen.body)
        if rich is not None:
            out.html.extend(rich.html)

    def _leaf(self, part: Message, kind: str, out: _Collected, *, inline: bool) -> None:
        self.part_no += 1
        where = f"body part {self.part_no}"
        for defect in part.defects:
            out.defects.append(f"{where}: {type(defect).__name__}")
        data = payload_bytes(part, where, out.defects)
        disp = disposition(part)
        raw_name = raw_filename(part, f"attachment name in part {self.part_no}", out.defects)
        if kind.startswith("multipart/"):
            # A multipart whose boundary is missing or never found: its text is still the letter.
            out.defects.append(f"{where}: broken {kind} structure, read as plain text")
            kind = "text/plain"
        if kind in ("text/plain", "text/html") and disp != "attachment" and not raw_name:
            text, errs = decode_bytes(data, charset(part), where=where)
            out.defects.extend(errs)
            text = clean_text(text, where, out.defects)
            if kind == "text/html":
                out.html.append(text)
                out.body.append(("html", text))
            else:
                out.body.append(("plain", text))
            return
        content_id = normalise_message_id(raw_get(part, "content-id"))
        is_inline = disp != "attachment" and (inline or disp == "inline" or content_id is not None)
        filename = safe_filename(raw_name or "")
        if not filename:
            filename = self._default_name(kind, is_inline)
        out.attachments.append(
            Attachment(
                filename=filename,
                content_type=kind,
                payload=data,
                inline=is_inline,
                content_id=content_id.strip("<>") if content_id else None,
            )
        )

    def _default_name(self, kind: str, inline: bool) -> str:
        fixed = {
            "message/delivery-status": "delivery-status.txt",
            "message/disposition-notification": "disposition-notification.txt",
            "text/rfc822-headers": "original-headers.txt",
        }
        if kind in fixed:
            return fixed[kind]
        ext = mimetypes.guess_extension(kind, strict=False) or ".bin"
        stem = "image" if inline and kind.startswith("image/") else "attachment"
        return f"{stem}-{self.part_no}{ext}"

    def _forwarded(self, part: Message, out: _Collected, depth: int) -> list[_Task]:
        self.forwarded += 1
        self.part_no += 1
        where = f"forwarded message {self.forwarded}"
        payload = stored_payload(part)
        inner: Message | None = None
        if isinstance(payload, list) and payload and isinstance(payload[0], Message):
            inner = payload[0]
        elif isinstance(payload, str) and payload.strip():
            raw = payload_bytes(part, where, out.defects)
            inner = _parse_bytes(raw, out.defects)
        if inner is None:
            out.defects.append(f"{where}: empty message/rfc822 part")
            return []
        name = "forwarded.eml" if self.forwarded == 1 else f"forwarded-{self.forwarded}.eml"
        out.attachments.append(Attachment(name, "message/rfc822", serialise(inner)))
        sub = _Collected()  # its attachments stay inside forwarded.eml
        return [
            (inner, sub, depth + 1, False),
            partial(self._forward_block, inner, sub, out, where),
        ]

    def _forward_block(self, inner: Message, sub: _Collected, out: _Collected, where: str) -> None:
        inner_defects: list[str] = []
        head = _envelope(inner, inner_defects)
        out.defects.extend(f"{where}: {d}" for d in inner_defects + sub.defects)
        block = [FORWARD_MARKER]
        if head.from_addr or head.from_name:
            sender = f"{head.from_name} <{head.from_addr}>" if head.from_name else head.from_addr
            block.append(f"发件人: {sender}")
        if head.date_text:
            block.append(f"日期: {head.date_text}")
        if head.subject:
            block.append(f"主题: {head.subject}")
        block.append("")
        block.append(_render_body(sub.body))
        out.body.append(("plain", "\n".join(block)))


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _render_body(parts: list[tuple[str, str]]) -> str:
    rendered = [
        html_to_text(text) if kind == "html" else _normalise_newlines(text) for kind, text in parts
    ]
    joined = "\n\n".join(r.rstrip() for r in rendered if r.strip())
    return joined.lstrip("\n").rstrip()


@dataclass
class _Envelope:
    from_addr: str
    from_name: str
    subject: str
    date_text: str


def _envelope(msg: Message, defects: list[str]) -> _Envelope:
    hint = _text_charset(msg)
    senders = addresses(raw_get(msg, "from"), "From", defects, hint)
    name, addr = senders[0] if senders else ("", "")
    subject_raw = raw_get(msg, "subject")
    subject = header_text(subject_raw, "Subject", defects, hint) if subject_raw else ""
    date_raw = raw_get(msg, "date")
    date_text = header_text(date_raw, "Date", defects) if date_raw else ""
    return _Envelope(addr, name, subject, date_text)


# -- entry point ----------------------------------------------------------------------------


def _check_plausible(raw: bytes) -> None:
    if not raw or not raw.strip():
        raise UnparseableMail("empty input")
    end = header_end(raw)
    head = raw[:end] if end < len(raw) else raw[:65536]
    if b"\x00" in head:
        raise UnparseableMail("binary data (NUL bytes) in the header block")


def parse_message(raw: bytes) -> Letter:
    """Parse raw RFC 5322 bytes into a `Letter`, recording every imperfection as a defect.

    Raises `UnparseableMail` (and nothing else) when the bytes are not mail at all: empty,
    binary, or without a single mail header.
    """
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise UnparseableMail(f"expected bytes, got {type(raw).__name__}")
    raw = bytes(raw)
    _check_plausible(raw)
    bound_defects: list[str] = []
    try:
        msg = _parse_bytes(raw, bound_defects)
        names = {key.lower() for key, _ in msg.raw_items()}
    except Exception as exc:  # the stdlib parser is meant never to raise
        raise UnparseableMail(f"parser failed: {type(exc).__name__}: {exc}") from exc
    if not names:
        raise UnparseableMail("no headers found")
    if not names & _MAIL_HEADERS:
        raise UnparseableMail("no mail headers found (not an e-mail message)")
    try:
        return _build(msg, bound_defects)
    except UnparseableMail:
        raise
    except Exception as exc:  # a bug must quarantine the message, not lose it
        raise UnparseableMail(f"internal parse error: {type(exc).__name__}: {exc}") from exc


def _build(msg: Message, defects: list[str]) -> Letter:
    # `defects` holds what the bounds cut; the walker adds the parser's defects on every part.
    hint = _text_charset(msg)
    headers: list[tuple[str, str]] = []
    for key, value in msg.raw_items():
        headers.append((key, header_text(str(value), key, [], hint)))
    senders = addresses(raw_get(msg, "from"), "From", defects, hint)
    if not senders:
        sender_raw = raw_get(msg, "sender")
        senders = addresses(sender_raw, "Sender", defects, hint)
        if senders:
            defects.append("header From: missing, used Sender")
    from_name, from_addr = senders[0] if senders else ("", "")
    if "@" not in from_addr:
        defects.append("header From: no sender address")
        from_addr = ""
    subject_raw = raw_get(msg, "subject")
    subject = header_text(subject_raw, "Subject", defects, hint) if subject_raw is not None else ""
    date_raw = raw_get(msg, "date")
    date = parse_date(header_text(date_raw, "Date", defects) if date_raw else None, defects)
    in_reply = message_ids(header_text(raw_get(msg, "in-reply-to") or "", "In-Reply-To", []))
    references = message_ids(header_text(raw_get(msg, "references") or "", "References", []))
    msgid_raw = raw_get(msg, "message-id")
    message_id = (
        normalise_message_id(header_text(msgid_raw, "Message-ID", [])) if msgid_raw else None
    )

    collected = _Collected()
    walker = _Walker()
    walker.walk(msg, collected)
    body = _render_body(collected.body)
    html = "\n<hr>\n".join(sanitise_html(h) for h in collected.html) if collected.html else None
    if not all(html_within_bounds(h) for h in collected.html):
        defects.append("HTML part too large or nested too deeply to sanitise: shown as text")
    defects.extend(collected.defects)
    to_addrs = tuple(a for _, a in addresses(raw_get(msg, "to"), "To", defects) if a)
    cc_addrs = tuple(a for _, a in addresses(raw_get(msg, "cc"), "Cc", defects) if a)
    return Letter(
        message_id=message_id,
        from_addr=from_addr,
        from_name=from_name,
        subject=subject,
        date=date,
        body=body,
        html=html,
        attachments=tuple(collected.attachments),
        defects=tuple(dict.fromkeys(defects)),
        in_reply_to=in_reply[0] if in_reply else None,
        references=references,
        to_addrs=to_addrs,
        cc_addrs=cc_addrs,
        headers=tuple(headers),
        public_consent=public_consent(subject, body),
    )
