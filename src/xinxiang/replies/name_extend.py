"""What a found name brings along, round 9: the rest of the name it is part of.

The seventh writer gave one person two forms side by side: a given name before the full one in
brackets (工长黑子（贺黑子）), a short form and the whole name with the father's after a middle
dot (阿布都同学（阿布都克里木·吾守尔）), a romanised surname and then the full name (Mr. Hughes……
sorry，Tom Hughes; Nguyen Thi Mai), and syllables of Mongolian and Uyghur names the chains in
`name_slots` lacked (乌云其木格, 迪力夏提, 哈斯额尔德尼).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Set

# Syllables of Mongolian, Uyghur and Kazakh names, beside `name_slots`' own.
MORE_MORPHEMES = (
    "其木格",
    "额尔德尼",
    "哈斯",
    "迪力",
    "夏提",
    "克里木",
    "吾守尔",
    "塔依尔",
    "阿力木",
    "叶尔兰",
    # Round 14 (the twelfth writer): Tibetan syllables (次仁央宗, 丹增诺布).
    "央宗",
    "丹增",
    "诺布",
    "次珠",
    "索南",
    "欧珠",
    "桑珠",
    "群培",
    "央拉",
    "拉珍",
    "仁增",
    "琼达",
    # Kazakh (古丽娜尔).
    "娜尔",
)
_H = "\u4e00-\u9fff"
# A name with the father's after a middle dot (…克里木·吾守尔).
_DOTTED_RUN = re.compile(rf"[{_H}]{{2,8}}·[{_H}]{{2,8}}")
# Capitalised words that open a sentence or address someone, never a given name.
_NOT_GIVEN = frozenset(
    (
        *("Hi", "Hello", "Dear", "This", "That", "The", "My", "Our", "Your", "I", "Mr", "Mrs"),
        *("Ms", "Dr", "Sorry", "Thanks", "Best", "Regards", "Yes", "No", "Dorm", "Room"),
        *("Building", "Apartment", "Teacher", "Professor", "President"),
    )
)


def _given_before_full(text: str, name: str) -> list[str]:
    """黑子（贺黑子）: the given name right before the full name in brackets."""
    given = name[1:] if len(name) >= 3 else ""
    found = []
    for bracket in ("（", "("):
        if given and f"{given}{bracket}{name}" in text:
            found.append(given)
    return found


def _whole_dotted(text: str, name: str) -> list[str]:
    """阿布都克里木·吾守尔 when 阿布都 is found: the dotted name the found one opens."""
    return [m.group() for m in _DOTTED_RUN.finditer(text) if m.group().startswith(name)]


def _roman_whole(text: str, name: str) -> list[str]:
    """Tom Hughes, Nguyen Thi Mai: capitalised words right before a found romanised name."""
    last = name.split()[-1].rstrip(".")
    if not re.fullmatch(r"[A-Z][a-z]+", last):
        return []
    found = []
    for m in re.finditer(rf"(?<![A-Za-z.])((?:[A-Z][a-z]+ ){{1,2}}){last}(?![A-Za-z])", text):
        words = m.group(1).split()
        while words and words[0] in _NOT_GIVEN:
            words = words[1:]
        if words:
            found.append(" ".join([*words, last]))
    return found


def extended_names(text: str, names: Iterable[str]) -> set[str]:
    """The forms of found `names` that stand beside them in `text` (see the module's doc)."""
    out: set[str] = set()
    for name in names:
        if re.fullmatch(rf"[{_H}]{{2,4}}", name):
            out.update(_given_before_full(text, name))
            out.update(_whole_dotted(text, name))
        elif re.search(r"[A-Za-z]", name):
            out.update(_roman_whole(text, name))
    return out


def dotted_whole(text: str, names: Set[str], dotted: re.Pattern[str]) -> set[str]:
    """努尔艾力·买买提: a name and the father's after a middle dot are one name, found when
    either part is (`dotted` matches a run of Han characters, a dot and another). Round 19: the
    parts found right at a dot, when the run the pattern takes is longer than the name
    (同学买买提江·艾力发烧 takes a word before and after it)."""
    out = set()
    for m in dotted.finditer(text):
        dot = m.end(1)
        left = [n for n in names if n and text.endswith(n, 0, dot)]
        right = [n for n in names if n and text.startswith(n, dot + 1)]
        if left and right:
            out.add(max(left, key=len) + text[dot] + max(right, key=len))
        if m.group(1) in names or m.group(2) in names:
            out.add(m.group())
    return out
