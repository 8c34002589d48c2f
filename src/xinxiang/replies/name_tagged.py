"""Names the segmenter tags as a person's right after a word for a person (round 9).

The seventh writer named people by words and nicknames the other rules keep as ordinary words
or as no Chinese name: 我院学生吉祥的, 我媳妇翠花和我, 我们班安然去问, 我室友诺敏晚上, 还有毛毛也是.
In those slots jieba itself tags the word `nr` (or `nz`); a person word before it and a verb,
an adverb, a conjunction, 的 or a pause after it make it a name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from xinxiang.replies.name_words import STATE_WORDS, _words

# Words for a person (or a group one belongs to) right before a name.
_PERSON = frozenset(
    _words(
        "同学 学生 室友 舍友 媳妇 老婆 老公 丈夫 妻子 儿子 女儿 孩子 班 队长 副队长 宿舍长 "
        "副宿舍长 舍长 经理 班长 组长 队员 队友 同事 同桌 朋友 工长 师傅 还有 和 跟 师兄 师姐"
    )
)
# Links rather than people: after them only a word tagged `nr` is taken for a name.
_LINKS = frozenset(("还有", "和", "跟"))
# Tags of the token after the name: verb, adverb, conjunction, preposition, 的, time, pause.
_NEXT = ("v", "d", "c", "p", "uj", "t", "x")
_HAN = re.compile(r"[\u4e00-\u9fff]{2,3}")


def tagged_after_person(tokens: Sequence[tuple[str, str]]) -> list[str]:
    """Tokens of two or three Han characters tagged `nr`/`nz` after a word for a person and
    before a verb, an adverb, a conjunction, 的 or a pause."""
    found = []
    for i in range(1, len(tokens) - 1):
        word, tag = tokens[i]
        before, (after, after_tag) = tokens[i - 1][0], tokens[i + 1]
        if tag not in ("nr", "nz") or before not in _PERSON or not _HAN.fullmatch(word):
            continue
        if tag == "nz" and before in _LINKS:  # 数学和英语都: a subject, a brand, a thing
            continue
        if after_tag.startswith(_NEXT) and not after.isspace() and word not in STATE_WORDS:
            found.append(word)
    return found
