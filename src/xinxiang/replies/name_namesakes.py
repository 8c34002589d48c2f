"""Names that are not people here (round 20): shops and buildings named after someone, and a
"name" cut across two words.

A shop is often named by its owner: “李先生牛肉面”, “老王烧烤”, “张亮麻辣烫”. The name inside a
shop's name in quotes, or a surname with its title or 老 right before a dish or a shop word, is
the shop's and stays; 李先生 elsewhere is still hidden. A building named after its donor
(逸夫楼, 田家炳教学楼) keeps that name in the whole sentence (邵逸夫先生的捐款). A two-character
"name" whose first character ends a dictionary word and whose last one opens another
(问题|众说纷纭 read as 题众) is a wrong cut, not a person.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from xinxiang.replies.name_words import SURNAMES

_HAN = "\u4e00-\u9fff"
_SUR = "".join(sorted(SURNAMES))

# What a small shop or stall sells or is, as the last word of its name.
_SHOP = (
    "牛肉面|羊肉面|拉面|烩面|刀削面|面馆|面庄|烧烤|烤串|烤肉|麻辣烫|冒菜|米线|米粉|酸辣粉|凉皮"
    "|肉夹馍|煎饼|饺子|水饺|包子|馄饨|火锅|串串|炸鸡|烤鸭|卤味|小吃|快餐|菜馆|饭馆|饭店|餐厅"
    "|酒家|胡辣汤|羊肉汤|奶茶|水果|超市|便利店|理发|打印|复印"
)
# A shop's name in quotes ending in one of those words (and 店 or 馆 after it or not).
_QUOTED_SHOP = re.compile(rf"“[{_HAN}]{{1,6}}?(?:{_SHOP})[店馆铺]?”")
# Unquoted: a surname with a title, or 老/小 and a surname, right before the shop's word.
_TITLED_SHOP = re.compile(
    rf"(?:[老小][{_SUR}]|[{_SUR}](?:先生|女士|师傅|大姐|大妈|大叔|记|家))(?:{_SHOP})"
)
# A building named after someone: 逸夫楼, 田家炳教学楼, 邵逸夫图书馆 (not 楼下, 楼道).
_BUILDING = re.compile(
    r"(?:教学|实验|科技|科学|综合|艺术)?楼(?![上下里道梯顶前后外])|图书馆|体育馆|科学馆|科技馆"
    r"|艺术馆|博物馆|礼堂|报告厅|游泳馆"
)


def shop_names(text: str) -> list[tuple[int, int]]:
    """Where a shop's name stands in `text`: nothing inside it is a person."""
    spans = [m.span() for m in _QUOTED_SHOP.finditer(text)]
    return spans + [m.span() for m in _TITLED_SHOP.finditer(text)]


def namesakes(text: str, names: list[tuple[int, int]]) -> set[str]:
    """Of the name `names` spans in `text`, those naming a building, with their given parts."""
    out: set[str] = set()
    for s, e in names:
        if e - s >= 2 and _BUILDING.match(text, e):
            out.add(text[s:e])
            if e - s == 3:
                out.add(text[s + 1 : e])  # 邵逸夫 gave 逸夫楼
    return out


def named_after(word: str, held: set[str]) -> bool:
    """Whether `word` (a name's span) is, or ends with, a building's namesake."""
    return any(word == h or (len(word) == len(h) + 1 and word.endswith(h)) for h in held)


def cut_across(name: str, text: str, lexicon: Callable[[str], bool] | None) -> bool:
    """Whether every occurrence of a two-character `name` ends a word and opens a long one."""
    if lexicon is None or len(name) != 2:
        return False
    at = [m.start() for m in re.finditer(re.escape(name), text)]
    if not at:
        return False
    for s in at:
        before = s > 0 and lexicon(text[s - 1 : s + 1])
        # An idiom or a long word after it (众说纷纭), not two characters (院长|龙腾|出差).
        after = any(lexicon(text[s + 1 : s + 1 + k]) for k in (3, 4) if s + k < len(text))
        if not (before and after):
            return False
    return True
