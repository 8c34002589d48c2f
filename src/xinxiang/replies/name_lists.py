"""Names in lists (名单): next to a name already found, or before a word for the people listed.

Pure functions used by `replies.redact_names.NameFinder`:

- `listed`: the item next to a found name in a list (李雷、韩梅梅和王芳). An item the dictionary
  holds as an ordinary word counts only in a list separated by 、 next to a full name (喻大勇、
  秦川也, 涂晶、聂浩、揭晓): such a list is a list of people.
- `grouped`: names listed before a word for the people they are (江子墨、常乐两位同学); with a
  count (两位) or 等, even names that are ordinary words or have no known surname (宝音、娜仁花
  两位同学).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from xinxiang.replies.name_roles import ROLE_ONLY_SURNAMES
from xinxiang.replies.name_words import SURNAMES
from xinxiang.replies.signatures import looks_chinese_name

_HAN = "\u4e00-\u9fff"
_LIST_AFTER = re.compile(
    rf"^(?P<sep>、|和|与|及|以及|，)([{_HAN}]{{2,3}}?)"
    r"(?=、|和|与|及|等|[，,。（(）)]|都|也|$|(?P<acts>一直|一起|已经|做|说|去|来|还|刚|正在)"
    # Round 14: or an adverb of the pair's own knowing or doing (任佳、方圆根本不知道).
    r"|根本|完全|从来|并不|并没|不知道|没有|都不|也不)"
)
_LIST_BEFORE = re.compile(
    # Round 13: also where a sentence opens (。芳姐和秀梅都可以作证).
    rf"(?:[、，,的与和及：:。！？!?；;]|比如|例如|包括|^)([{_HAN}]{{2,3}})(?P<sep>、|和|与|及)$"
)
_NC = r"[^\W\dA-Za-z_和与及的]"
# Two or more names in a list right before a word for people: 江子墨、常乐两位同学.
_GROUP = re.compile(
    rf"(?:^|(?<=[的，,。：:；;\s]))(?P<run>{_NC}{{2,3}}(?:、{_NC}{{2,3}})+|{_NC}{{2,3}}[和与及]{_NC}{{2,3}})"
    r"(?:(?P<count>(?:这|那)?[两二三四五几]位|(?:这|那)?[两二三四五几]名|等)"
    r"|(?=同学|老师|师傅))"
    r"(?=同学|老师|师傅|职工|员工|学生|舍友|室友|人|都|也)"
)
# Function characters no listed name holds (都是, 我们).
_NOT_IN = frozenset("的了是在和与及我你他她它们这那都也就还又很不没")


def _neighbours(segment: str, before: bool) -> list[tuple[str, str]]:
    """The item next to a name in a list (、 和 与 及) on the side `segment` lies, with the
    separator between them."""
    m = (_LIST_BEFORE if before else _LIST_AFTER).search(segment)
    if m is None:
        return []
    # 晓燕和方圆一直…: "和" and a verb after the item, as a list of people acting together.
    sep = "和+" if not before and m.group("sep") == "和" and m.group("acts") else m.group("sep")
    return [(m.group(2) if not before else m.group(1), sep)]


def listed(
    text: str,
    names: Iterable[str],
    lexicon: Callable[[str], bool] | None,
    not_names: frozenset[str],
    known: Callable[[str], bool] | None = None,
) -> list[str]:
    """Names listed with a found one (李雷、韩梅梅和王芳): 2–3 characters from a surname, or two
    the dictionary does not hold at all (比如佳琪和萌萌)."""
    found = []
    for name in names:
        if len(name) < 2:
            continue
        for m in re.finditer(re.escape(name), text):
            after, before = text[m.end() : m.end() + 8], text[max(0, m.start() - 8) : m.start()]
            for seg, is_before in ((after, False), (before, True)):
                for cand, sep in _neighbours(seg, is_before):
                    ordinary = lexicon is not None and lexicon(cand)
                    plausible = looks_chinese_name(cand) and cand not in not_names
                    # 喻大勇、秦川也, 涂晶、聂浩、揭晓: next to a full name with 、, an ordinary
                    # word is a name too, even from a surname that is mostly a word.
                    people = (
                        sep in ("、", "和+")
                        and looks_chinese_name(name)
                        and (cand[0] in SURNAMES or cand[0] in ROLE_ONLY_SURNAMES)
                        and not set(cand) & _NOT_IN
                    )
                    unheard = (
                        known is not None
                        and len(cand) == 2
                        and not known(cand)
                        and not set(cand) & _NOT_IN
                    )
                    if (plausible and not ordinary) or people or unheard:
                        found.append(cand)
    return found + _between(text, names)


def _between(text: str, names: Iterable[str]) -> list[str]:
    """Round 19: an item between two found full names in a list by 、 (张三、原野、李四): a name,
    even an ordinary word with no known surname."""
    full = [n for n in names if looks_chinese_name(n) and len(n) >= 2]
    if len(full) < 2:
        return []
    alt = "|".join(re.escape(n) for n in sorted(full, key=len, reverse=True))
    run = re.compile(rf"(?:{alt})、([{_HAN}]{{2,3}})(?=、(?:{alt}))")
    found, at = [], 0
    while m := run.search(text, at):
        if not set(m.group(1)) & _NOT_IN:
            found.append(m.group(1))
        at = m.start(1)  # the next name may open the next triple
    return found


def grouped(
    text: str, lexicon: Callable[[str], bool] | None, not_names: frozenset[str]
) -> list[str]:
    """Names listed before a word for the people they are (江子墨、常乐两位同学, 李雷和韩梅梅
    等同学): with a count (两位) or 等, even names that are ordinary words or have no known
    surname (宝音、娜仁花两位同学); else not those."""
    found = []
    for m in _GROUP.finditer(text):
        counted = bool(m.group("count"))
        run = re.split(r"[、和与及]", m.group("run"))
        ordinary = {c for c in run if lexicon is not None and lexicon(c)}
        if len(ordinary) == len(run):
            continue  # 宁夏、甘肃两位同学: places, not names
        for cand in run:
            plausible = looks_chinese_name(cand) and cand not in not_names
            bare = counted and cand not in ordinary and not set(cand) & _NOT_IN
            if (plausible and (counted or cand not in ordinary)) or bare:
                found.append(cand)
    return found
