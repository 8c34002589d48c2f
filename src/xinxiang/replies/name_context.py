"""Names that only the words around them give away (上下文人名), for redaction.

Pure functions over a letter's text, used by `replies.redact_names.NameFinder.find`:

- a nickname right after a word for a person: a doubled character or 阿 + one (师姐晴晴,
  同学乐乐, 同学阿强);
- a name that is also a word, right after a word for a person and before a pause or 说
  (室友雨萌说, 辅导员阳光，), unless the dictionary holds it as an ordinary word (边疆);
- a full name after 的, 叫 or 有, before a pause or the next word (化工学院的黄子健，,
  新来的欧阳丽说, 同学说叫焦阳。).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from xinxiang.replies.name_tokens import word_ends, word_starts
from xinxiang.replies.name_words import (
    AFTER_NAME,
    COMPOUND_SURNAMES,
    NOT_GIVEN,
    PERSON_CUES,
    STATE_WORDS,
)

_HAN = "\u4e00-\u9fff"
_CUES = "|".join(sorted(PERSON_CUES, key=len, reverse=True))
_PAUSE = "，,。；;（(、！!？?"
_NICKNAME = re.compile(
    rf"(?:{_CUES})(?P<name>([{_HAN}])\2|阿[{_HAN}])(?=[{_PAUSE}说在也和被已排]|$)"
)
_WORD_NAME = re.compile(
    rf"(?:{_CUES}|辅导员|管理员|实验员)(?P<name>[{_HAN}]{{2}})(?=[{_PAUSE}]|说|在|$)"
)
# After 的/叫/有: 3 characters (or a compound surname and 1–2) before a pause or the next word
# (the next word may be 得: 隔壁班的宗思思得95分),
# 2 characters only before a pause or 说.
_AFTER_LONG = frozenset("说在已有赶的也和被把就都还又得")
_PARTICLES = ("的", "叫", "有")


def nicknames(text: str, known: Callable[[str], bool] | None) -> list[str]:
    """晴晴, 阿强: a doubled character or 阿 + one after a word for a person, which the
    dictionary does not hold as a word (阿姨, 舅舅)."""
    if known is None:
        return []
    return [m.group("name") for m in _NICKNAME.finditer(text) if not known(m.group("name"))]


def word_names(
    text: str,
    ordinary: Callable[[str], bool] | None,
    tokens: Sequence[tuple[str, str]] | None,
) -> list[str]:
    """雨萌, 阳光: two characters after a word for a person, before a pause or 说, which the
    dictionary does not hold as an ordinary word (边疆, 宿舍 are words), starting and ending
    where the segmenter starts and ends words, and neither opening with a function word (跟我,
    们都, 来了) nor read as a verb or an adjective (抱走, 嫌冷)."""
    if ordinary is None or tokens is None:
        return []
    starts = {at: tag for at, (_, tag) in word_starts(tokens).items()}
    bounds = word_ends(text, tokens) or set()
    found = []
    for m in _WORD_NAME.finditer(text):
        name = m.group("name")
        if ordinary(name) or name[0] in NOT_GIVEN or name[0] in AFTER_NAME or name[1] in "了们":
            continue
        if name in STATE_WORDS:  # 室友过敏，: a state, not 辅导员阳光，
            continue
        tag = starts.get(m.start("name"), "v")
        if m.end("name") in bounds and not tag.startswith(("v", "a", "d", "p")):
            found.append(name)
    return found


def after_particle(
    text: str,
    looks_like_name: Callable[[str], bool],
    known: Callable[[str], bool] | None,
    ends: Iterable[int] | None,
) -> list[str]:
    """黄子健, 欧阳丽, 焦阳: a name after 的, 叫 or 有 (see the module's docstring).

    Only with a dictionary and a segmenter: neither the candidate nor its first two characters
    may be a dictionary word (车位, 简历定, 安家费), no character may be a function word (温的),
    and it must end where the segmenter ends a word or before a pause.
    """
    if known is None or ends is None:
        return []
    word_ends = set(ends)
    found = []
    for i, c in enumerate(text):
        if c not in _PARTICLES:
            continue
        start = i + 1
        compound = text[start : start + 2] in COMPOUND_SURNAMES
        for size in (4, 3) if compound else (3, 2):
            cand, nxt = text[start : start + size], text[start + size : start + size + 1]
            pause = nxt == "" or nxt in _PAUSE
            fits = pause or nxt == "说" or (size >= 3 and nxt in _AFTER_LONG)
            if not fits or not looks_like_name(cand) or known(cand) or set(cand) & NOT_GIVEN:
                continue
            if not compound and size == 3 and known(cand[:2]):
                continue
            if start + size not in word_ends and not pause:
                continue
            found.append(cand)
            break
    return found
