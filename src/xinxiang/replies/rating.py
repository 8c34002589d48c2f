"""Reading a rating (满意度评价) from a petitioner's reply to the revisit mail (pure).

The revisit mail asks for the words or the digit in the first lines: "5", "4分", "评价：3",
"满意，谢谢", "非常满意", "我对这个答复不满意，……", "不是很满意". Only the first clause of the
first line that says anything is read (up to the first comma, full stop, question or
exclamation mark), and only when it is short: a long sentence that merely mentions 满意
somewhere is a follow-up (补充来信), not a rating. The rest of the reply is the comment.
"不需要回访" (and its variants) is the petitioner's refusal of revisits (seed 004 第十条).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

MAX_CLAUSE = 16
"""A first clause longer than this is a sentence about something else, not a rating."""

_REFUSE = re.compile(r"(?:不需要|无需|不用|不必|不要|拒绝|谢绝)(?:再)?(?:回访|电话回访|评价)")
_DIGIT = re.compile(
    r"^(?:(?:评价|评分|打分|满意度)\s*(?:为|是)?\s*[:：]?\s*)?([1-5])\s*(?:分|星|颗星)?\s*"
    r"(?:[-—–]\s*)?(?:非常满意|满意|基本满意|不满意|非常不满意)?$"
)
# Most specific first: 非常不满意 before 不满意 before 满意.
_WORDS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"(?:非常|很|十分|特别|极其|极不|太)不满意?|极不满意"), 1),
    (re.compile(r"(?:不是很|不是太|不太|不大|不怎么|不算|不够)满意"), 2),
    (re.compile(r"不满意?"), 2),
    (re.compile(r"(?:基本|还算|比较|勉强|一般般?|还行|尚可)满意|^(?:一般|还行|尚可)$"), 3),
    (re.compile(r"(?:非常|很|十分|特别|相当|极其|太)满意"), 5),
    (re.compile(r"满意"), 4),
)
_CLAUSE_END = re.compile(r"[，,。.！!？?；;\n]")
_QUESTION = re.compile(r"[？?吗]")
_COURTESY = re.compile(r"^(?:谢谢|感谢|多谢|您好|你好|老师好|老师您好|收到)[^，,]{0,6}$")


@dataclass(frozen=True)
class RatingReading:
    """What the reply says: a rating `level` (1–5) with its comment, or a refusal (`refuse`)."""

    kind: Literal["rating", "refuse"]
    level: int | None = None
    comment: str = ""


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _lines(text: str) -> list[str]:
    return [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not _nfkc(line).lstrip().startswith(">")
    ]


def _level(clause: str) -> int | None:
    clause = _nfkc(clause)
    compact = re.sub(r"\s+", "", clause)
    if "满意度" in compact and not _DIGIT.match(compact):
        return None
    digit = _DIGIT.match(clause.strip()) or _DIGIT.match(compact)
    if digit:
        return int(digit.group(1))
    if len(compact) > MAX_CLAUSE or _QUESTION.search(compact):
        return None
    for pattern, level in _WORDS:
        if pattern.search(compact):
            return level
    return None


def read_rating(text: str) -> RatingReading | None:
    """The rating or refusal the reply `text` begins with, or None (a follow-up)."""
    lines = _lines(text)
    if not lines:
        return None
    head = "\n".join(lines[:3])
    if _REFUSE.search(re.sub(r"\s+", "", _nfkc(lines[0]))):
        return RatingReading("refuse", comment=head[:2000])
    first = lines[0]
    for _ in range(3):  # "谢谢，很满意": a courtesy clause first
        end = _CLAUSE_END.search(first)
        clause = first[: end.start()] if end else first
        if not end or not _COURTESY.match(_nfkc(clause).strip()):
            break
        first = first[end.end() :].strip()
    level = _level(clause)
    if level is None:
        return None
    rest = (first[end.end() :] if end else "").strip(" ，,。.！!；;:：")
    comment = "\n".join([rest, *lines[1:]] if rest else lines[1:]).strip()
    return RatingReading("rating", level, comment[:2000])
