"""Round 18 (the sixteenth writer's clean sentences): "names" that are words about words or
things, whichever finder (the rules or the tagger) found them.

- A recitation of the 百家姓 (赵钱孙李，周吴郑王): a run of its surnames in their order.
- A word quoted in a sentence about words (“上官”“诸葛”都是复姓, 组成“东方红”): every place it
  occurs is in quotes, and the sentence speaks of surnames, words or idioms.
- A thing named by an ordinary word and what kind of thing it is (朱红色, 吉他社, 元宝枫, 柏树):
  a colour, a club, a tree.
- A surname character before a locative (郭外, 关外) or 满 meaning "full of" (满院子).
- A word the lists hold with one more character that the segmenter reads apart (刘海 / 太长).

Round 19 (the seventeenth writer's clean sentences): a word inside a motto or slogan in quotes
(校训是“明德博学”), and a campus garden named by a plant (梅园和兰园之间) with no title after it.

`self_introduced`: the other way round, a name one gives oneself (我是应天。, 我是于X，): the
surnames that only count before a title (于, 应, 全) do count after 我是 or 我叫 with a pause after.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# The opening lines of the 百家姓, in order.
_BAIJIAXING = (
    "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
    "戚谢邹喻柏水窦章云苏潘葛奚范彭郎鲁韦昌马苗凤花方俞任袁柳酆鲍史唐"
)
_QUOTED = re.compile(r"[“\"「『‘]([^”\"」』’]{1,8})[”\"」』’]")
# What a sentence about words says (…都是复姓, 组成“东方红”这样的词, 成语).
_ABOUT_WORDS = re.compile(
    r"复姓|姓氏|百家姓|单姓|方位词|成语|词语|词组|组成|组词|这个词|这样的词|一个词|歌名|歌曲|老歌"
)
_SENTENCE = re.compile(r"[^。！？!?；;\n]*")
# The kind of thing after an ordinary word: a colour, a club, a tree or plant.
_KIND = frozenset("色社树枫槐")
_KIND_OF_TWO = frozenset("色社树")  # not 杨柳, 松柏: people are called so
_LOCATIVE = frozenset("外")
_FULL_OF = re.compile(r"满(?:院子|屋子|桌子|柜子|箱子|池子|盆子|肚子|脑子|嘴|身|脸|地|墙|街|眼|头)")
_TITLE_ONLY = "于应全"
# Round 19: what a quoted motto or slogan is called.
_MOTTO = re.compile(r"校训|校风|学风|院训|班训|口号|标语|格言|座右铭|横幅|校歌|歌词|主题是|题目是")
_ANY_QUOTE = re.compile(r"[“\"「『《]([^”\"」』》]{2,16})[”\"」』》]")
# Round 19: a plant and a garden, pavilion or hall: a campus place (梅园, 兰苑, 竹斋).
_PLANT = frozenset("梅兰竹菊桃李杏松柏荷莲桂枫樱梨柳杨槐榴椿桑芷蕙棠丁")
_GROUNDS = frozenset("园苑斋亭轩榭")
_TITLE_AFTER = re.compile(r"同学|老师|阿姨|师傅|教授|主任|先生|女士|[，,]?(?:你好|您好)")
_SELF = re.compile(
    rf"(?:我是|我叫|本人)(?P<name>[{_TITLE_ONLY}][^\W\d\sA-Za-z_的了是在和也都人]{{1,2}})"
    r"(?=[，,。！!；;、\s]|$)"
)


def recited(name: str, text: str) -> bool:
    """Whether every place `name` occurs lies in a run of four or more 百家姓 surnames in
    their order (赵钱孙李，周吴郑王 → 周吴郑 is no one)."""
    if len(name) < 2 or name not in _BAIJIAXING:
        return False
    spots = [m.start() for m in re.finditer(re.escape(name), text)]
    for i in spots:
        at = _BAIJIAXING.index(name)
        lo, hi = i, i + len(name)
        b = at
        while lo > 0 and b > 0 and text[lo - 1] == _BAIJIAXING[b - 1]:
            lo, b = lo - 1, b - 1
        e = at + len(name)
        while hi < len(text) and e < len(_BAIJIAXING) and text[hi] == _BAIJIAXING[e]:
            hi, e = hi + 1, e + 1
        if hi - lo < 4:
            return False
    return bool(spots)


def quoted_as_word(name: str, text: str) -> bool:
    """Whether `name` occurs only alone in quotes (“诸葛”, not “竹子阿姨”) in sentences that
    speak of surnames, words or songs (not of a character: 这个字, a name's own)."""
    spots = [m.start() for m in re.finditer(re.escape(name), text)]
    if not spots:
        return False
    quoted = [(m.start(1), m.end(1)) for m in _QUOTED.finditer(text) if m.group(1) == name]
    for i in spots:
        if not any(s <= i < e for s, e in quoted):
            return False
        sentence = _sentence_at(text, i)
        if not _ABOUT_WORDS.search(sentence):
            return False
    return True


def _sentence_at(text: str, i: int) -> str:
    start = max(text.rfind(c, 0, i) for c in "。！？!?；;\n") + 1
    m = _SENTENCE.match(text, i)
    return text[start : m.end() if m else len(text)]


def a_thing(name: str, text: str, frequent: Callable[[str], bool] | None) -> bool:
    """A colour, club or tree named by an ordinary word and its kind (朱红色, 吉他社, 元宝枫,
    柏树: the dictionary counts the word, or the whole, often); a surname before a locative
    (郭外); 满 meaning full of (满院子)."""
    if name[0] in "小阿老":
        return False  # 小树: a nickname
    if len(name) == 2 and name[1] in _LOCATIVE:
        return True
    if _FULL_OF.fullmatch(name):
        return True
    if frequent is None:
        return False
    if len(name) == 2:
        return name[-1] in _KIND_OF_TWO and frequent(name)
    return len(name) == 3 and name[-1] in _KIND and frequent(name[:2])


def self_introduced(text: str, everyday: Callable[[str], bool] | None) -> list[str]:
    """Names one gives oneself whose surname counts only before a title (我是应天。): not a word
    the dictionary counts often (`everyday`), nor one opening with one (我是应届生，)."""
    found = []
    for m in _SELF.finditer(text):
        name = m.group("name")
        if everyday is not None and (everyday(name) or everyday(name[:2])):
            continue  # 我是应届生, 我是全职的
        found.append(name)
    return found


def in_motto(name: str, text: str) -> bool:
    """Round 19: whether every place `name` occurs lies inside a quoted motto, slogan or title
    (校训是“明德博学”, 口号是“…”) in a sentence that says it is one."""
    spots = [m.start() for m in re.finditer(re.escape(name), text)]
    if not spots:
        return False
    quoted = [(m.start(1), m.end(1)) for m in _ANY_QUOTE.finditer(text)]
    for i in spots:
        if not any(s <= i and i + len(name) <= e for s, e in quoted):
            return False
        if not _MOTTO.search(_sentence_at(text, i)):
            return False
    return True


def a_garden(name: str, text: str) -> bool:
    """Round 19: a campus place named by a plant and its kind (梅园, 兰苑, 竹斋), with no title
    or greeting after it anywhere (梅园同学 is someone)."""
    if len(name) != 2 or name[0] not in _PLANT or name[1] not in _GROUNDS:
        return False
    spots = [m.end() for m in re.finditer(re.escape(name), text)]
    return bool(spots) and not any(_TITLE_AFTER.match(text, e) for e in spots)
