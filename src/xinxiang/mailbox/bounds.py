"""Bounds on the raw bytes given to the parser: total size, header fields, MIME nesting depth.

The standard library's parser is recursive (about 980 nested parts raise RecursionError) and
spends time and memory in proportion to what it is given (one message of 100 header fields of
1 MB each took 15 s and 1.2 GB). `bound_message` therefore rewrites what is past a bound
before parsing, so that the parser never sees it, and says what it did in defects:

- total size: bytes past `MAX_MESSAGE_BYTES` are not read;
- the top-level header block: at most `MAX_HEADER_FIELDS` fields and `MAX_HEADER_BLOCK_BYTES`
  bytes (the fields a letter needs — From, Subject, Content-Type… — are always kept), each
  field cut at `headers.MAX_HEADER_VALUE_BYTES`;
- nesting: the structure is walked iteratively (a line scanner with a stack of boundaries); a
  part that would open a level deeper than `MAX_MIME_DEPTH` is declared
  application/octet-stream, so it is kept whole as an attachment instead of being parsed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.message import Message

from xinxiang.mailbox.headers import MAX_HEADER_VALUE_BYTES, unfold

MAX_MESSAGE_BYTES = 32 * 1024 * 1024  # the stdlib parser takes ~0.1 s per MB of text lines
MAX_HEADER_FIELDS = 500
MAX_HEADER_BLOCK_BYTES = 1024 * 1024
MAX_MIME_DEPTH = 32
_MAX_SCANNED = 20_000  # fields past the budget searched for From, Subject…

_ESSENTIAL = frozenset(
    {
        b"from", b"sender", b"to", b"cc", b"subject", b"date", b"message-id", b"reply-to",
        b"in-reply-to", b"references", b"return-path", b"mime-version", b"content-type",
        b"content-transfer-encoding", b"content-disposition", b"auto-submitted",
        b"precedence", b"list-id", b"x-xinxiang-ticket", b"delivered-to",
    }
)  # fmt: skip
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
_CONTENT_TYPE = re.compile(rb"(?im)^content-type[ \t]*:([^\r\n]*(?:\r?\n[ \t][^\r\n]*)*)")


def bound_message(raw: bytes) -> tuple[bytes, list[str]]:
    """`raw` with everything past a bound cut or neutralised, and the defects saying so."""
    defects: list[str] = []
    raw = _bound_header_block(raw, defects)  # first: a huge header block must not hide From
    if len(raw) > MAX_MESSAGE_BYTES:
        defects.append(
            f"message larger than {MAX_MESSAGE_BYTES} bytes: the rest "
            f"({len(raw) - MAX_MESSAGE_BYTES} bytes) was not read"
        )
        raw = raw[:MAX_MESSAGE_BYTES]
    raw = _bound_depth(raw, defects)
    return raw, defects


# -- header fields ----------------------------------------------------------------------------


def header_end(raw: bytes) -> int:
    """Where the top-level header block ends (after its last line's "\n"), len(raw) if never."""
    # bytes.find is memchr-fast (a regex with optional "\r" takes seconds on 100 MB); the
    # second search stops where the first found a blank line, not at the end of the message.
    crlf = raw.find(b"\n\r\n")
    lf = raw.find(b"\n\n", 0, crlf + 2 if crlf >= 0 else len(raw))
    ends = [i + 1 for i in (crlf, lf) if i >= 0]
    return min(ends) if ends else len(raw)


def _fields(head: bytes, pos: int = 0) -> Iterator[tuple[int, int]]:
    """(start, end) of each field of a header block from `pos`, continuation lines included."""
    while pos < len(head):
        end = head.find(b"\n", pos)
        while end >= 0 and head[end + 1 : end + 2] in (b" ", b"\t"):
            end = head.find(b"\n", end + 1)
        end = len(head) if end < 0 else end + 1
        yield pos, end
        pos = end


def _bound_header_block(raw: bytes, defects: list[str]) -> bytes:
    end = header_end(raw)
    head = raw[:end]
    if len(head) <= MAX_HEADER_VALUE_BYTES and head.count(b"\n") < MAX_HEADER_FIELDS:
        return raw  # no field can be too long, there cannot be too many
    kept: list[bytes] = []
    size = 0
    rest = len(head)
    for start, stop in _fields(head):
        if len(kept) >= MAX_HEADER_FIELDS or size + min(stop - start, MAX_HEADER_VALUE_BYTES) > (
            MAX_HEADER_BLOCK_BYTES
        ):
            rest = start
            break
        kept.append(_cut(head[start:stop], defects))
        size += len(kept[-1])
    # Past the budget only the fields a letter needs are looked for (at C speed).
    dropped = 0
    if rest < len(head):
        spans, dropped = _essential_fields(head, rest)
        essentials = [_cut(head[a:b], defects) for a, b in spans]
        kept += essentials
        defects.append(
            f"header block over {MAX_HEADER_FIELDS} fields or {MAX_HEADER_BLOCK_BYTES} bytes: "
            f"{max(dropped, 1)} fields not read"
        )
    return b"".join(kept) + raw[end:]


def _essential_fields(head: bytes, start: int) -> tuple[list[tuple[int, int]], int]:
    """(start, end) of the fields with an `_ESSENTIAL` name at or after `start` (one pass, at
    most `_MAX_SCANNED` fields), and how many other fields were passed over."""
    found: list[tuple[int, int]] = []
    others = 0
    for number, (a, b) in enumerate(_fields(head, start)):
        if number >= _MAX_SCANNED:
            break
        name = head[a : a + 40].split(b":", 1)[0].strip().lower()
        if name in _ESSENTIAL and len(found) < len(_ESSENTIAL):
            found.append((a, b))
        else:
            others += 1
    return found, others


def _cut(field: bytes, defects: list[str]) -> bytes:
    if len(field) <= MAX_HEADER_VALUE_BYTES:
        return field
    name = field.split(b":", 1)[0].strip().lower().decode("latin-1")[:40]
    defects.append(f"header {name}: longer than {MAX_HEADER_VALUE_BYTES} bytes, cut short")
    return field[: MAX_HEADER_VALUE_BYTES - 2].rstrip(b"\r\n") + b"\r\n"


# -- nesting ----------------------------------------------------------------------------------


def _declared(block: bytes, in_digest: bool) -> tuple[str, bytes | None]:
    """What a part's header block opens: ("multipart", boundary), ("message", None) or leaf."""
    found = _CONTENT_TYPE.search(block)
    if found is None:
        return ("message", None) if in_digest else ("leaf", None)
    scratch = Message()
    scratch["Content-Type"] = unfold(found.group(1)).decode("latin-1")
    if in_digest:
        scratch.set_default_type("message/rfc822")
    ctype = scratch.get_content_type()
    if ctype.startswith("multipart/"):
        boundary = scratch.get_boundary()
        if boundary:
            kind = "digest" if ctype == "multipart/digest" else "multipart"
            return kind, boundary.encode("latin-1", "replace")
        return "leaf", None
    if ctype.startswith("message/") and ctype != "message/delivery-status":
        return "message", None  # the parser reads its body as a whole message: one level more
    return "leaf", None


def _dash_lines(raw: bytes, pos: int) -> Iterator[int]:
    """Starts of the lines at or after `pos` that begin with "--" (boundary candidates)."""
    if raw.startswith(b"--", pos) and (pos == 0 or raw[pos - 1 : pos] == b"\n"):
        yield pos
    found = raw.find(b"\n--", pos)
    while found >= 0:
        yield found + 1
        found = raw.find(b"\n--", found + 1)


def _next_boundary(
    raw: bytes, pos: int, stack: list[tuple[bytes | None, bool]]
) -> tuple[int, int, bool] | None:
    """(level, end of the line, closing?) of the next boundary line of an open multipart."""
    if not any(b for b, _ in stack):
        return None
    for start in _dash_lines(raw, pos):
        eol = raw.find(b"\n", start)
        line_end = len(raw) if eol < 0 else eol + 1
        line = raw[start:line_end].rstrip(b"\r\n")
        for level in range(len(stack) - 1, -1, -1):  # the innermost boundary first
            boundary = stack[level][0]
            if boundary and line.startswith(b"--" + boundary):
                rest = line[len(boundary) + 2 :]
                closing = rest.startswith(b"--")
                if not (rest[2:] if closing else rest).strip(b" \t"):
                    return level, line_end, closing
    return None


def _bound_depth(raw: bytes, defects: list[str]) -> bytes:
    lower = raw.lower()
    if 2 * (lower.count(b"multipart/") + lower.count(b"message/")) < MAX_MIME_DEPTH:
        return raw  # too few nesting parts to go that deep: no need to scan
    stack: list[tuple[bytes | None, bool]] = []  # (boundary, is digest) per level; None: message
    too_deep: list[int] = []  # starts of header blocks to declare application/octet-stream
    pos, at_headers, in_digest = 0, True, False
    while pos < len(raw):
        if at_headers:
            blank = _BLANK_LINE.search(raw, pos)
            if raw.startswith((b"\r\n", b"\n"), pos):
                end = pos + (2 if raw.startswith(b"\r\n", pos) else 1)
            else:
                end = blank.end() if blank else len(raw)
            kind, boundary = _declared(raw[pos:end], in_digest)
            if kind != "leaf" and len(stack) >= MAX_MIME_DEPTH:
                too_deep.append(pos)
                kind = "leaf"
            if kind == "message":
                stack.append((None, False))
                pos, in_digest = end, False
                continue
            if kind != "leaf":
                stack.append((boundary, kind == "digest"))
            pos, at_headers = end, False
            continue
        hit = _next_boundary(raw, pos, stack)
        if hit is None:
            break
        level, pos, closing = hit
        in_digest = stack[level][1]
        del stack[level + (0 if closing else 1) :]
        at_headers = not closing
    if not too_deep:
        return raw
    defects.append(
        f"MIME structure nested deeper than {MAX_MIME_DEPTH} levels: "
        f"{len(too_deep)} inner part(s) kept unparsed as attachments"
    )
    eol = b"\r\n" if b"\r\n" in raw[:4096] else b"\n"
    out: list[bytes] = []
    last = 0
    for start in too_deep:
        out += [raw[last:start], b"Content-Type: application/octet-stream", eol]
        last = start
    out.append(raw[last:])
    return b"".join(out)
