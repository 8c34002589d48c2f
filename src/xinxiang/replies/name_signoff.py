"""A surname alone on the sign-off line after a role (round 20): 宿管 张, 保安 李.

One character is never hidden wherever it occurs; it is hidden here only on the letter's last
line, after a word for the writer's job, when the letter has already named the writer by it
before a title (我是宿管张阿姨 … 宿管 张).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_LAST = re.compile(r"(?:^|\n)[ \t]*[\u4e00-\u9fff]{2,5}[ \t]+(?P<sur>[\u4e00-\u9fff])[ \t]*\s*\Z")


def lone_surname(text: str, titled: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The span of a surname alone after a role on `text`'s last line, if one of `titled`
    (surnames found before a title) is that surname."""
    m = _LAST.search(text)
    if m is None:
        return []
    sur = m.group("sur")
    if any(text[s:e] == sur for s, e in titled if m.start("sur") not in range(s, e)):
        return [m.span("sur")]
    return []
