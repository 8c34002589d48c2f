"""Name forms found without the slot machinery of `replies.name_slots` (issue #13): the name
one says one is called (我叫安静，) or others call someone in quotes (叫他“大龙”), and compound
surnames the segmenter splits from their given name (司马 / 佳 / 只是)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from xinxiang.replies.name_words import (
    COMPOUND_SURNAMES,
    NOT_GIVEN,
    PERSON_CUES,
    SURNAMES,
    TITLES,
)

_HAN = "\u4e00-\u9fff"
# Characters that do not fill a given name: function words and verbs of the slot.
_NOT_IN_NAME = frozenset(NOT_GIVEN | set("说讲都还又就没很已从才再吗呢吧啊呀嘛么给把被让"))

# Compound surnames that are also ordinary words (东方红, 西门外, 百里挑一, 第五名).
_COMPOUND_WORDS = frozenset(
    [
        "东方",
        "西门",
        "百里",
        "第五",
        "单于",
        "长孙",
        "司空",
        "太史",
        "南宫",
        "轩辕",
        "公良",
        "乐正",
        "谷梁",
    ]
)
# Tags of the word after a name: a verb, an adverb, a function word or a pause (皇甫一诺的车).
_AFTER_TAGS = ("v", "d", "c", "p", "u", "x", "r")


def compound_names(tokens: Sequence[tuple[str, str]]) -> list[str]:
    """A compound surname the segmenter splits from its given name (司马 / 佳 / 只是, 皇甫 / 一 /
    诺 / 的): the surname, then one word of one or two characters or two of one, then a verb,
    a function word or a pause."""
    found = []
    for i, (word, _) in enumerate(tokens):
        if word not in COMPOUND_SURNAMES or word in _COMPOUND_WORDS:
            continue
        given, j = "", i + 1
        while j < len(tokens) and len(given) < 2 and re.fullmatch(f"[{_HAN}]+", tokens[j][0]):
            if len(given) + len(tokens[j][0]) > 2 or set(tokens[j][0]) & _NOT_IN_NAME:
                break
            given, j = given + tokens[j][0], j + 1
        nxt = tokens[j] if j < len(tokens) else ("", "x")
        if given and given not in TITLES and nxt[1].startswith(_AFTER_TAGS):
            found.append(word + given)
    return found


def called_names(text: str) -> list[str]:
    """The name one says one is called or others call someone (see `_CALLED`), even a word;
    and the child a parent says they are the parent of (我是阳光的妈妈, see `_PARENT_OF`)."""
    names = [m.group("name") or m.group("quoted") or m.group("me") for m in _CALLED.finditer(text)]
    names += [m.group("real") or m.group("bro") for m in _ALSO_CALLED.finditer(text)]
    names += [m.group("child") for m in _PARENT_OF.finditer(text)]
    names += [m.group("alias") or m.group("nick") for m in _ALIAS.finditer(text)]
    for m in _ALSO_KNOWN.finditer(text):
        names += [n for n in m.group("kin", "self", "nick", "real", "nick2", "named") if n]
    return [n for n in names if not set(n) & _NOT_IN_NAME]


# Whatever one says one is called, an ordinary word or not (我叫安静，是真名; 我叫温柔。), a
# Chinese name given after a foreign one (中文名叫努尔兰。, 中文名穆萨), with a middle dot between
# a given name and a father's (努尔艾力·买买提), and
# the name others call someone, in quotes (大家叫他“大龙”).
_CALLED = re.compile(
    r"(?:我叫|我名叫|我的名字叫|我的名字是|我的名字|本人名叫"
    r"|中文名叫|中文名是|中文名字是|中文名|Chinese name is "
    # 日文名字是田中由紀, 韩语名字 김민준: a name in the writer's own script.
    r"|(?:日文|日语|韩文|韩语|朝鲜语)名字?(?:是|叫)?)\s?"
    rf"(?P<name>[{_HAN}]{{2,4}}?(?:·[{_HAN}]{{2,5}})?|[\uac00-\ud7a3]{{2,4}})"
    r"(?=[，,。；;！!]|$|\n|（|\(|）|\)|，是|\.(?!\d)|\s)"
    rf"|(?:叫他|叫她|称他|称她|喊他|喊她|叫我|喊我)(?:为)?[“\"「](?P<quoted>[{_HAN}]{{2,3}}?)"
    r"(?:[”\"」]|(?=阿姨[”\"」]|老师[”\"」]|姐[”\"」]|哥[”\"」]))"
    # 大家都叫我叶子。: the name others call the writer by, before a pause.
    r"|(?:大家|别人|朋友们?|同学们?|他们|她们)(?:都|也|一般|平时)*(?:叫|喊|称)我(?:为)?"
    rf"(?P<me>[{_HAN}]{{2,3}}?)(?=[，,。；;！!]|$|\n)"
)

# Round 9: a real name after 真名/本名/大名 (真名铁成功。, 本名姜浩然，, 真名哈斯额尔德尼 太长了),
# someone 叫 something in a clause of its own (学生，叫舒畅。, 有个学生叫尚可的, 只知道叫大飞。,
# 叫我阿哲就行, 一个男的叫另一个浩子，), and 另一个叫他强哥: a name others call by, even a word.
_ALSO_CALLED = re.compile(
    rf"(?:叫他|叫她)(?P<bro>[{_HAN}][哥姐])(?=[，,。；;！!]|$|\n)"
    # Round 12: 实名 only before 是/叫 (实名反映 is reporting under one's name, no name given).
    r"|(?:(?:真名|本名|大名|原名|(?<=（)名字|(?<=\()名字)(?:是|叫)?|实名(?:是|叫)"
    r"|我是[^。！？!?\n，,]{0,20}[，,]叫|叫做|(?:一|有)个(?:学生|同学|男生|女生|男的|女的|人|孩子)?叫|只知道叫"
    r"|叫我|叫另一个|另一个叫)(?![他她])\s?"
    rf"(?P<real>[{_HAN}]{{2,3}}?(?:·[{_HAN}]{{2,6}})?|[{_HAN}]{{4,6}}(?=\s))"
    r"(?=[，,。；;！!]|$|\n|（|\(|）|\)|\s|的(?:女|男)?(?:同学|学生|生|人|孩子)|的\s|就行|就好)"
)

# Round 14: a name given as someone's alias, in quotes (化名是“小树”, 外号叫“大熊”), and a
# nickname a group calls someone by in private or as a rule (我们私下叫她雪球，, 大家都叫他胖虎。),
# even words.
_ALIAS = re.compile(
    r"(?:化名|昵称|外号|绰号|网名|小名|乳名|代号)(?:是|叫|为|叫做)?[“\"「‘']"
    rf"(?P<alias>[{_HAN}]{{2,4}}?)[”\"」’']"
    r"|(?:私下|私底下|背后|背地里|平时|平常|都|一直)(?:都)?(?:叫|喊|称)(?:他|她)(?:为)?"
    # Not where 叫 is to call someone to do something (都叫她过来, 叫他别去).
    r"(?![过回出进起下上]来|[回出进下上过]去|一起|别|不要|赶快|赶紧|快|马上|先|去|来|再)"
    rf"(?P<nick>[{_HAN}]{{2,3}}?)(?=[，,。；;！!]|$|\n)"
)

# Round 11: the child a parent names in saying who they are (我是阳光的妈妈。), even a word —
# not a word for a child (我是孩子的妈妈, 我是这个学生的家长).
_PARENT_OF = re.compile(
    r"我是(?!孩子|学生|新生|小孩|宝宝|女儿|儿子|同学|这个|那个|他们|她们|大一|大二|大三|大四|研)"
    rf"(?P<child>[{_HAN}]{{2,3}}?)的(?:妈妈|爸爸|母亲|父亲|家长|奶奶|爷爷|姥姥|姥爷|外婆|外公)"
)

_AFTER_CUE = "|".join(f"(?<={c})" for c in sorted(PERSON_CUES, key=len, reverse=True))
_SURNAME = "".join(sorted(SURNAMES))
# Round 11: whom a relative is called (我爸叫周大福（不是那个金店）), a name one says is real
# (我是经济管理学院的温柔，真的叫这个名字), and a nickname with the name in brackets after it,
# said to be the same person (的柠檬（就是黎檬）, 室友咕咕（古月）) — even words.
_ALSO_KNOWN = re.compile(
    r"(?:我爸爸|我妈妈|我爸|我妈|我父亲|我母亲|我儿子|我女儿|我丈夫|我老公|我妻子|我爱人|我弟弟"
    r"|我妹妹|我哥哥|我姐姐|我哥|我姐)(?:的名字)?叫"
    rf"(?P<kin>[{_HAN}]{{2,3}}?)(?=[，,。；;！!（(]|$|\n)"
    rf"|(?<=[的是])(?P<self>[{_HAN}]{{2,3}})[，,]\s?(?:对[，,]?)?我?(?:真的|就|确实|真)?"
    r"(?:叫|是)这个名字"
    rf"|(?:(?<=的)|{_AFTER_CUE})(?P<nick>[{_HAN}]{{2,3}})[（(](?:就是|即|也就是)"
    rf"(?P<real>[{_HAN}]{{2,3}})[）)]"
    rf"|(?:{_AFTER_CUE})(?P<nick2>[{_HAN}]{{2,3}})[（(](?P<named>[{_SURNAME}][{_HAN}]{{1,2}})[）)]"
)


# Round 12: a surname spelled out, however ordinary its character (解, 单, 相, 阴, 滑): with its
# reading in pinyin (（单读shàn）, 姓"解"读xiè), in quotes after 姓 (姓“阴”), or after 我姓/（姓
# standing alone (我姓滑，, （姓相）).
_PINYIN = "a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü"
_SPELLED = re.compile(
    rf"(?:(?<=[（(“\"「‘'])|(?<=姓))(?P<a>[{_HAN}])[”\"」’']?读\s?[{_PINYIN}]{{1,7}}(?![{_PINYIN}])"
    rf"|(?<=姓)[“\"「‘'](?P<b>[{_HAN}])[”\"」’']"
    rf"|(?:(?<=我姓)|(?<=他姓)|(?<=她姓)|(?<=（姓)|(?<=\(姓)|(?<=[，,]姓))(?P<c>[{_HAN}])"
    r"(?=[，,。；;！!）)、]|$)"
    # Round 13: before 的 and a word for the person (那位姓秋的年轻老师, 一个姓印的师傅).
    rf"|(?<=姓)(?P<d>[{_HAN}])(?=的[{_HAN}]{{0,3}}?(?:老师|同学|师傅|医生|阿姨|叔叔|先生|女士"
    r"|大姐|大哥|经理|领导|学生|女生|男生|秘书|干部|职工|员工|人))"
)
# Characters that stand after 姓 without being a surname (我姓啥, 她姓什么, 姓这的人).
_NOT_SURNAME = frozenset("啥什甚谁名这那哪")


def surname_spelled(text: str) -> list[tuple[int, int]]:
    """The spans of surnames spelled out: read in pinyin, quoted after 姓, or alone after 我姓."""
    spans = []
    for m in _SPELLED.finditer(text):
        group = next(g for g in "abcd" if m.group(g))
        sur, start = m.group(group), m.start(group)
        if sur in _NOT_SURNAME:
            continue
        # Read in pinyin, it is a surname only after 姓 or right after a name it opens
        # (单雨桐（单读shàn）); else a character explained (这个字（乐读yuè）).
        before = text[max(0, start - 6) : start].rstrip("“\"「‘'")
        if group == "a" and not (
            before.endswith("姓") or re.search(rf"{sur}[{_HAN}]{{1,2}}[（(]$", before)
        ):
            continue
        spans.append(m.span(group))
        # The name the bracket explains, opening with the surname (相明远（姓相）).
        # Round 13: with words before 姓 in the bracket (秋实（就是那位姓秋的…）).
        lo = max(0, start - 16)
        named = re.search(
            rf"{sur}[{_HAN}]{{1,2}}(?=[（(](?:注意|[^（()）。]{{0,8}}?)?姓?[“\"「]?$)",
            text[lo:start],
        )
        if named:
            spans.append((lo + named.start(), lo + named.end()))
    return spans
