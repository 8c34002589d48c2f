"""Whether the petitioner asks that their identity be kept confidential (身份保密, seed 004).

A different wish from "not public" (`xinxiang.mailbox.consent`): 不公开 keeps the letter off the
board; 匿名 / 请不要公开我的姓名 / 替我保密 asks that not even the department handling it learn
who wrote. The decision is a pure function of the letter's text and a phrase table — built-in
phrases plus `[confidential] phrases` in `redaction.toml` — and names the phrase that decided.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# Regular expressions over the letter with spaces removed and full-width forms folded (NFKC).
DEFAULT_PHRASES: tuple[str, ...] = (
    r"匿名",
    r"(?:请|希望|务必)?(?:不要|勿|别|不)(?:公开|透露|泄露|告诉|暴露)(?:我的|本人的?)(?:姓名|名字|身份|信息|个人信息)",
    r"(?:不要|勿|别|不)(?:透露|泄露|暴露)(?:我|本人)的?身份",
    r"(?:替|为)我保密",
    r"(?:对我的)?身份(?:予以|请)?保密",
    r"(?:姓名|名字)(?:请)?保密",
    r"不(?:希望|想|愿意?)(?:让)?.{0,12}?知道(?:是我|我的身份|这封信是我)",
    r"(?:隐去|隐藏)(?:我的)?(?:姓名|名字|身份)",
)

_SPACE = re.compile(r"\s+")
# 不匿名 / 无需匿名 / 不用保密 waive the wish instead of making it.
_WAIVED = re.compile(r"(?:不|无需|不用|不必)(?:需要)?(?:匿名|保密)$")


@dataclass(frozen=True, slots=True)
class Confidential:
    """The decision: `value`, and the text of the phrase that decided it ("" when none)."""

    value: bool
    phrase: str = ""

    def to_json(self) -> dict[str, Any]:
        """As `inspect --json` shows it."""
        return {"value": self.value, "phrase": self.phrase}


def _normalise(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def identity_confidential(
    subject: str, body: str, phrases: Sequence[str] = DEFAULT_PHRASES
) -> Confidential:
    """Whether the letter asks to keep its writer's identity confidential, and the phrase."""
    text = _normalise(subject) + "\n" + _normalise(body)
    for expr in phrases:
        for m in re.finditer(expr, text):
            if _WAIVED.search(text[max(0, m.start() - 4) : m.end()]):
                continue
            return Confidential(True, m.group(0))
    return Confidential(False)
