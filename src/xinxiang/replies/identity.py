"""Strict reading of who sent a mail (发件人身份): exactly one From with exactly one address.

Mail clients and attackers alike can write ``From`` headers that different programs read
differently: ``dzb@example.edu.cn <attacker@evil.example>`` (an address in the display name),
two addresses, group syntax, source routes, look-alike characters. A mail that may act on a
ticket must name one sender beyond doubt; anything else is not taken as any registered
address. Sender and Reply-To never stand in for From. Pure functions, standard library only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import getaddresses

__all__ = ["SenderCheck", "sole_sender"]

_ADDRESS_IN_NAME = re.compile(r"[^\s<>\"@]*@[^\s<>\"@]+\.[^\s<>\"@]+")
_PLAIN_ADDRESS = re.compile(r"^[a-z0-9._%+\-]+@[a-z0-9.\-]+\.[a-z]{2,}$")


@dataclass(frozen=True, slots=True)
class SenderCheck:
    """The one sender address (lowercase), or the reason in Chinese why there is none."""

    address: str | None
    problem: str | None = None


def _refuse(problem: str) -> SenderCheck:
    return SenderCheck(None, problem)


def sole_sender(headers: Sequence[tuple[str, str]]) -> SenderCheck:
    """Read the one sender from a message's (decoded) headers, strictly."""
    values = [value for name, value in headers if name.lower() == "from"]
    if not values:
        return _refuse("邮件没有 From 发件人")
    if len(values) > 1:
        return _refuse("邮件有多个 From 头")
    value = values[0]
    if any(unicodedata.category(c) in {"Cf", "Cc", "Co", "Cs"} for c in value.strip()):
        return _refuse("发件人中含有不可见字符")
    if re.search(r":[^<>]*;", value) or re.search(r"<\s*@[^>]*:", value):
        return _refuse("发件人使用了组地址或路由地址写法")
    parsed = [(name, addr.strip("'\" ")) for name, addr in getaddresses([value]) if name or addr]
    distinct = {addr.lower() for _name, addr in parsed}
    # `'a@b' <a@b>` (single quotes are no quoting in RFC 5322) is one sender written twice.
    if len(distinct) != 1 or not parsed[-1][1]:
        return _refuse("发件人不止一个地址或无法识别")
    name, address = " ".join(n for n, _a in parsed), parsed[-1][1]
    address = address.strip()
    if not address.isascii() or not _PLAIN_ADDRESS.match(address.lower()):
        return _refuse(f"发件人地址含有非常规字符：{address!r}")
    address = address.lower()
    # Outlook writes a bare address as the display name too; any *other* address there is a lie.
    named = {
        a.lower().strip("'.,;()[]")
        for a in _ADDRESS_IN_NAME.findall(unicodedata.normalize("NFKC", name))
    }
    if named - {address}:
        return _refuse("发件人显示名中含有另一个邮件地址")
    return SenderCheck(address)
