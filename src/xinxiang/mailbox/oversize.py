"""Oversized mail (超大邮件): which parts to fetch, and the letter rebuilt from them.

A message whose RFC822.SIZE is over `storage.max_message_bytes` is never fetched whole. Its
BODYSTRUCTURE says what it holds; `plan_parts` keeps the text of the letter first (text/plain
and text/html parts that are no attachment), then the smaller attachments, as long as they fit
the limit, and leaves the rest on the server (they stay in the Processed folder: nothing is
deleted). `assemble` rebuilds a well-formed message from the original header block, the kept
parts and the original MIME boundaries, so the usual parser reads it like any other letter.
Pure functions over imapclient's BODYSTRUCTURE tuples, standard library only.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.message import Message
from typing import Any

from xinxiang.mailbox.parts import safe_filename

__all__ = ["OmittedPart", "PartPlan", "assemble", "header_only", "plan_parts"]

_CONTENT_FIELD = re.compile(
    rb"(?im)^(content-type|content-transfer-encoding|content-disposition)(?=[ \t]*:)"
)


@dataclass(frozen=True, slots=True)
class OmittedPart:
    """A part left on the mail server for its size (未收取的附件); `size` as the server reports it
    (transfer-encoded bytes)."""

    section: str
    content_type: str
    filename: str
    size: int


@dataclass(frozen=True, slots=True)
class _Node:
    section: str
    content_type: str
    boundary: str | None = None  # multipart only
    children: tuple[_Node, ...] = ()
    size: int = 0
    filename: str = ""
    text_body: bool = False


@dataclass(frozen=True, slots=True)
class PartPlan:
    """What to fetch of an oversized message: the leaf sections kept, and what is left out."""

    root: _Node
    keep: frozenset[str]
    omitted: tuple[OmittedPart, ...]

    @property
    def fetch_items(self) -> list[bytes]:
        """The FETCH items for the kept parts (their MIME header and content)."""
        if not self.root.children and self.root.boundary is None:  # a single-part message
            return [b"BODY.PEEK[TEXT]"] if self.keep else []
        items: list[bytes] = []
        for section in sorted(self.keep, key=_section_key):
            items += [f"BODY.PEEK[{section}.MIME]".encode(), f"BODY.PEEK[{section}]".encode()]
        return items


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return "" if value is None else str(value)


def _pairs(params: Any) -> list[tuple[str, str]]:
    """imapclient's flat (name, value, name, value…) parameter tuple as pairs."""
    if not isinstance(params, tuple | list):
        return []
    flat = [_text(p) for p in params]
    return [(flat[i].lower(), flat[i + 1]) for i in range(0, len(flat) - 1, 2)]


def _filename(pairs: Sequence[tuple[str, str]]) -> str:
    """The file name among `pairs` (RFC 2231 or RFC 2047), decoded and made safe; "" if none."""
    params = [
        ("file" + key if key.startswith("name") else key, value)
        for key, value in pairs
        if key.split("*")[0] in ("filename", "name")
    ]
    if not params:
        return ""
    scratch = Message()
    scratch["Content-Disposition"] = "attachment; " + "; ".join(
        f"{key}={value}" if "*" in key else f'{key}="{value.replace(chr(34), "")}"'
        for key, value in params
    )
    name = scratch.get_filename() or ""
    with contextlib.suppress(ValueError, LookupError, UnicodeDecodeError):
        name = str(make_header(decode_header(name)))
    return safe_filename(name)


def _node(body: Any, section: str) -> _Node:
    if getattr(body, "is_multipart", False) or isinstance(body[0], list):
        params = dict(_pairs(body[2] if len(body) > 2 else None))
        prefix = f"{section}." if section else ""
        children = tuple(_node(child, f"{prefix}{i}") for i, child in enumerate(body[0], 1))
        return _Node(
            section,
            f"multipart/{_text(body[1]).lower()}",
            params.get("boundary"),
            children,
            sum(c.size for c in children),
        )
    maintype, subtype = _text(body[0]).lower(), _text(body[1]).lower()
    kind = f"{maintype}/{subtype}"
    # The disposition follows md5: index 9 for text (after lines), 11 for message/rfc822
    # (after envelope, body and lines), 8 otherwise.
    at = {"text": 9}.get(maintype, 11 if kind == "message/rfc822" else 8)
    disposition = body[at] if len(body) > at else None
    disp_type, disp_params = "", []
    if isinstance(disposition, tuple | list) and disposition:
        disp_type = _text(disposition[0]).lower()
        disp_params = _pairs(disposition[1] if len(disposition) > 1 else None)
    filename = _filename(disp_params) or _filename(_pairs(body[2]))
    size = int(body[6]) if len(body) > 6 and isinstance(body[6], int) else 0
    text_body = kind in ("text/plain", "text/html") and disp_type != "attachment" and not filename
    return _Node(section or "1", kind, size=size, filename=filename, text_body=text_body)


def _leaves(node: _Node) -> list[_Node]:
    if node.boundary is None and not node.children:
        return [node]
    return [leaf for child in node.children for leaf in _leaves(child)]


def _section_key(section: str) -> tuple[int, ...]:
    return tuple(int(p) for p in section.split(".") if p.isdigit())


def plan_parts(bodystructure: Any, limit: int, attachment_cap: int) -> PartPlan:
    """Choose the parts of an oversized message to fetch, within `limit` bytes in all.

    The letter's text parts come first, then attachments of at most `attachment_cap` bytes in
    the order written; every other part is omitted.
    """
    root = _node(bodystructure, "")
    leaves = _leaves(root)
    keep: set[str] = set()
    left = limit
    for wanted_text in (True, False):
        for leaf in leaves:
            if leaf.text_body != wanted_text:
                continue
            if leaf.size <= left and (wanted_text or leaf.size <= attachment_cap):
                keep.add(leaf.section)
                left -= leaf.size
    omitted = tuple(
        OmittedPart(leaf.section, leaf.content_type, leaf.filename, leaf.size)
        for leaf in leaves
        if leaf.section not in keep
    )
    return PartPlan(root, frozenset(keep), omitted)


def _render(node: _Node, plan: PartPlan, parts: Mapping[bytes, bytes]) -> bytes:
    """A multipart node's content: its kept descendants between its original boundaries."""
    boundary = (node.boundary or "xinxiang-partial").encode("utf-8", "replace")
    out = bytearray()
    for child in node.children:
        if child.boundary is not None or child.children:
            if not any(leaf.section in plan.keep for leaf in _leaves(child)):
                continue
            inner = _render(child, plan, parts)
            head = f'Content-Type: {child.content_type}; boundary="{child.boundary}"\r\n\r\n'
            chunk = head.encode("utf-8", "replace") + inner
        elif child.section in plan.keep:
            mime = parts.get(f"BODY[{child.section}.MIME]".encode(), b"\r\n")
            chunk = mime + parts.get(f"BODY[{child.section}]".encode(), b"") + b"\r\n"
        else:
            continue
        out += b"--" + boundary + b"\r\n" + chunk
    out += b"--" + boundary + b"--\r\n"
    return bytes(out)


def assemble(header: bytes, plan: PartPlan, parts: Mapping[bytes, bytes], size: int) -> bytes:
    """The message rebuilt from its header block (BODY[HEADER]) and the fetched `parts`
    (imapclient's FETCH response for `plan.fetch_items`), with a header saying what is missing."""
    left_out = sum(p.size for p in plan.omitted)
    note = (
        f"X-Xinxiang-Omitted: {len(plan.omitted)} part(s), {left_out} bytes left on the mail "
        f"server (message of {size} bytes)\r\n"
    ).encode("ascii")
    header = header.rstrip(b"\r\n") + b"\r\n\r\n"
    root = plan.root
    if root.boundary is None and not root.children:  # a single-part message
        if plan.keep:
            return note + header + parts.get(b"BODY[TEXT]", b"")
        # Its only part is left out: without its Content-* fields the letter is empty text.
        return note + _CONTENT_FIELD.sub(rb"X-Original-\1", header)
    return note + header + _render(root, plan, parts)


def header_only(header: bytes, size: int) -> tuple[bytes, tuple[OmittedPart, ...]]:
    """The letter from its header block alone, the whole content omitted: for a structure that
    cannot be planned, so one odd message never stops the mailbox."""
    whole = OmittedPart("TEXT", "application/octet-stream", "", size)
    plan = PartPlan(_Node("1", "application/octet-stream", size=size), frozenset(), (whole,))
    return assemble(header, plan, {}, size), plan.omitted
