"""Names found by the slot they stand in (句法位置), for letters no rule was tuned on.

A person's name stands between words that only people stand between: after a verb or a
preposition that takes a person (找, 问, 跟, 叫, 告诉, 联系) or at the start of a clause, and before
a verb of saying (说, 表示, 告诉), a conjunction (和, 跟, 、) or an adverb that opens a predicate
(都, 也, 一直). Pure functions over a letter's text, used by `replies.redact_names.NameFinder`:

- `slot_names`: a surname (any of `SURNAMES` or a compound one) and one or two characters in
  such a slot (我去问了蒯振华，, 仉立强说, 谯梦瑶和禤家豪都在场);
- `given_names`: a given name alone (子涵, 思思, 阿芳) in a stronger slot: a word for a person
  or a verb that takes one before it, and a verb of saying or a conjunction after it;
- `nick_slots`: 老X and 小X in a name's slot or in quotes (是老闫规定的, 管理员“老黄”说), and
  a Latin letter with a kinship word (K哥);
- `word_names_in_slots`: names that are words too (夏天, 白雪) between person words;
- `no_ones`: names that are no one's in the letter: a well-known person or place the dictionary
  holds, with no person in sight (袁隆平, 卢沟桥), a word before a place suffix (黄庄站), a word
  with a function character glued on (何时能);
- `surname_said`: the surname after 姓 (老板姓黄).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from xinxiang.replies.name_forms import compound_names
from xinxiang.replies.name_tagged import tagged_after_person
from xinxiang.replies.name_words import (
    COMPOUND_SURNAMES,
    NOT_GIVEN,
    PLACE_LAST,
    SURNAMES,
    TITLES,
)

_HAN = "\u4e00-\u9fff"
_PUNCT = "，,。.！!？?；;：:、（()）“”\"'‘’《》【】\\s"
_PAUSES = frozenset("，,。.！!？?；;：:、（()）“”\"'‘’《》【】 \n\t")
# What may stand right before a name: the start of a clause or a word that takes a person.
_BEFORE = (
    "找到|找了|找过|找|问了|问过|问|叫来|叫了|叫|跟|和|与|同|及|以及|让|给|请|告诉了|告诉|通知了|对着|"
    "通知|联系了|联系|提醒了|"
    "转告|提醒|陪|帮|是|被|由|把|对|向|见到|遇到|看见|看到|碰到|拜托|感谢|谢谢|表扬|举报|投诉|"
    "人员|学长|学姐|学弟|学妹|室友|舍友|同学|老师|朋友|同事|师兄|师姐|师弟|师妹|队友|班长|组长"
)
# What may stand right after a name: a verb of saying, a conjunction, an adverb or a pause.
_AFTER = (
    r"说(?![明服])|讲(?![座课台解])|表示|告诉|认为|觉得|反映|提到|提出|回复|回答|答应|承认|解释|"
    r"强调|指出|透露|建议|要求|负责|打电话|发消息|发微信|帮忙|帮我|陪我|一起|一直|每天|经常|总是|"
    r"已经|曾经|当时|刚才|也|都|还|又|就|才|不|没|和|跟|与|、|及|等人|在|把|被|对|从|向|给|让|"
    r"的(?:妈妈|爸爸|父亲|母亲|家长|室友|舍友|电话|手机|微信|学号|邮箱|宿舍|导师|学长|学姐)|"
    rf"[{_PUNCT}]|$"
)
_LEAD = re.compile(
    "|".join([r"^", rf"(?<=[{_PUNCT}])", *(f"(?<={w})" for w in {*_BEFORE.split("|"), *TITLES})]),
    re.M,
)
_AFTER_RE = re.compile(rf"(?:{_AFTER})")
# Characters that do not end or fill a given name: function words and verbs of the slot.
_NOT_IN_NAME = frozenset(NOT_GIVEN | set("说讲都还又就没很已从才再吗呢吧啊呀嘛么给把被让"))
# Strong words before a given name alone (子涵, 一鸣): verbs that take a person and words for one.
_STRONG_BEFORE = (
    "找到|找了|找|问了|问|叫|跟|和|让|告诉|通知|联系|转告|提醒|陪|帮|同学|室友|舍友|朋友|同事|"
    "师兄|师姐|师弟|师妹|学长|学姐|学弟|学妹|队友|班长|闺蜜|好友|妹妹|弟弟|哥哥|姐姐|表妹|表弟"
)
_STRONG_AFTER = re.compile(
    r"说(?![明服])|讲(?![座课台解])|表示|告诉|认为|觉得|反映|提到|和|跟|、|同学(?!们)|也|都|是|"
    r"的(?:妈妈|爸爸|家长)"
)


# Cues on either side strong enough for a two-character name the segmenter does not tag.
_VERBS = (
    "找到|找了|找过|找|问了|问过|问|叫来|叫了|叫|跟|让|请|告诉|通知|联系|转告|提醒|陪|帮|见到|遇到|"
    "看见|看到|碰到|拜托|感谢|谢谢|表扬|举报|投诉"
)
_VERB_BEFORE = tuple(_VERBS.split("|"))
_SAYING_AFTER = re.compile(
    r"说(?![明服])|讲(?![座课台解])|表示|告诉|认为|觉得|反映|提到|提出|回复|回答|答应|承认|"
    r"解释|强调|指出|透露|的(?:妈妈|爸爸|父亲|母亲|家长|室友|舍友)"
)
_NUMERALS = "一二三四五六七八九十两几半"
# Words of place that no given name is (西门 / 外面).
_WHERE = frozenset(
    ["外面", "里面", "前面", "后面", "上面", "下面", "旁边", "对面", "附近", "门口", "那边", "这边"]
)
_UNITS = "分元块角个次天年月日点号些百千万亿斤"


def after_tags(tokens: Sequence[tuple[str, str]], tags: tuple[str, ...]) -> list[int]:
    """Offsets right after the words tagged with one of `tags` (昨天晚上 / 范志远: a time word);
    not after a bound time morpheme (`tg`: 春 / 燕归来 of 春燕归来), which is half a word."""
    out, pos = [], 0
    for word, tag in tokens:
        pos += len(word)
        if tag.startswith(tags) and tag != "tg":
            out.append(pos)
    return out


def in_name_word(starts: dict[int, tuple[str, str]], pos: int) -> bool:
    """Whether the word the segmenter has around offset `pos` is tagged a name (和石磊)."""
    begin = max((p for p in starts if p <= pos), default=-1)
    return begin >= 0 and starts[begin][1].startswith("nr") and begin + len(starts[begin][0]) > pos


def slot_names(
    text: str,
    plausible: Callable[[str], bool],
    ordinary: Callable[[str], bool],
    known: Callable[[str], bool],
    ends: Iterable[int],
    tagged_name: Callable[[str], bool] = lambda _: False,
    leads: Iterable[int] = (),
) -> list[str]:
    """Surname-led names between a word that takes a person and one that follows a person.

    `plausible` says a word reads as a Chinese name; `ordinary` that the dictionary holds it as
    a common word (高兴, 马上); `known` that it holds it at all; `ends` are where the segmenter
    ends words. The shortest candidate that fits the slot wins (王芳在 → 王芳).
    """
    word_ends = set(ends)
    found = []
    for start in sorted({m.end() for m in _LEAD.finditer(text)} | set(leads)):
        compound = text[start : start + 2] in COMPOUND_SURNAMES
        if not compound and text[start : start + 1] not in SURNAMES:
            continue
        sizes = (3, 4) if compound else (2, 3)
        for size in sizes:
            cand = text[start : start + size]
            if len(cand) < size or not re.fullmatch(rf"[{_HAN}]+", cand):
                break
            if not _AFTER_RE.match(text, start + size):
                continue
            if set(cand[1:]) & _NOT_IN_NAME or not plausible(cand) or ordinary(cand):
                continue
            if not compound and size == 3 and known(cand[:2]) and ordinary(cand[:2]):
                continue  # 马上就 …: an ordinary word and one more character
            if size == 3 and cand[1] in _NUMERALS and cand[2] in _UNITS:
                continue  # 钱一分都没有
            word = cand[-2:] in _WHERE or (size == 3 and not compound and known(cand))
            if word and not tagged_name(cand):
                continue  # 西门外面, 易拉罐: a place word after, or a word of the dictionary
            strong = text[:start].endswith(_VERB_BEFORE) or _SAYING_AFTER.match(text, start + size)
            if size == 2 and cand[-1] in PLACE_LAST:
                continue  # 黄村、马驹桥: a place
            if size == 2 and not compound and not strong and not tagged_name(cand):
                continue  # 高数、线代, 樊篱已经: two characters need a strong cue or the tag
            if size == 2 and not compound and known(cand) and not tagged_name(cand):
                continue  # 请查收: a word of the dictionary after a verb is no name untagged
            nxt = text[start + size : start + size + 1]
            if start + size not in word_ends and nxt and nxt not in _PAUSES and len(cand) < 3:
                continue  # the segmenter reads the second character with what follows
            found.append(cand)
            break
    return found


_GIVEN = re.compile(
    rf"(?:{_STRONG_BEFORE})(?P<name>[{_HAN}]{{2}})(?=(?:{_STRONG_AFTER.pattern}))"
    rf"|(?:^|(?<=[。！？!?\n；;，,]))(?P<opening>[{_HAN}]{{2}})"
    r"(?=说(?![明服])|表示|告诉|跟我|和我|同学(?!们)|、|是|也|都)"
    # 请转告思琪，: a verb that takes a person, the name, a pause.
    rf"|(?<=转告|通知|告诉|联系|找到|提醒)(?P<told>[{_HAN}]{{2}})(?=[，,。；;！!？?])"
    # 佳琪、一然和我: the next name in a list.
    rf"|(?<=、)(?P<listed>[{_HAN}]{{2}})(?=和我|跟我|、|都|也|说)"
    # 保安队的阿杰。, 我们班的嘉琪同学: after 的/是/叫, before a pause or a title.
    rf"|(?<=[的是叫])(?P<titled>[{_HAN}]{{2}})(?=同学(?!们)|老师(?!们)|[，,。；;！!？?]|说(?![明服]))"
)


# Doubled words for kin and babies that TITLES does not hold (妈妈, 弟弟, 宝宝).
_KIN = frozenset(["妈妈", "爸爸", "弟弟", "妹妹", "公公", "婆婆", "宝宝", "娃娃", "舅舅", "叔叔"])
_OPENING_NAME = re.compile(r"说(?![明服])|表示|告诉|跟我|和我|同学(?!们)")
# 小 words for people that are no names (室友小孩, 朋友小姐).
_XIAO_PEOPLE = frozenset(
    ["小孩", "小姐", "小伙", "小哥", "小妹", "小弟", "小姨", "小舅", "小组", "小时", "小区", "小心"]
)


def given_names(
    text: str, known: Callable[[str], bool], tagged_name: Callable[[str], bool]
) -> list[str]:
    """Two-character given names alone (我和子涵去了, 一鸣说, 思思跟我): in a strong slot, and
    either a doubled character or 阿 and one (思思, 阿芳), or a word the dictionary does not hold
    but as a name (`tagged_name`: 子涵, 一鸣)."""
    found = []
    for m in _GIVEN.finditer(text):
        name = next(g for g in m.groups() if g)
        if set(name) & _NOT_IN_NAME or name[0] in "我你他她它们这那哪每各某本该此其":
            continue
        if name in _KIN or name in TITLES:
            continue  # 他跟妈妈说, 我和哥哥都: kin, not a doubled given name
        shaped = name[0] == name[1] or (name[0] == "阿" and not known(name))
        if m.group("opening") and not shaped and not _OPENING_NAME.match(text, m.end()):
            continue  # 谷雨是节气: after 是, 也 or 都 only 阿芳 and 晓晓 open a clause
        if m.group("name") and name[0] == "小" and name not in _XIAO_PEOPLE:
            shaped = True  # 室友小雪说, 妹妹小鹿也: 小 and one, between person words
        if m.group("listed") and (
            known(text[m.start() - 3 : m.start() - 1])
            or (known(text[m.end() + 1 : m.end() + 3]) and text[m.end() : m.end() + 1] == "、")
        ):
            continue  # 白云、蓝天、绿树: listed with common words, a list of things
        if m.group("titled") and not shaped and text[m.end() : m.end() + 1] in "，,。；;！!？?":
            continue  # before a pause only 阿杰 and 晓晓; 嘉琪 needs the title after it
        if shaped or (not known(name) and tagged_name(name)):
            found.append(name)
    for m in _DOUBLED.finditer(text):
        name = m.group("name")
        if name in _KIN or name in TITLES or name[0] in _NOT_IN_NAME:
            continue
        if not known(name) or tagged_name(name):
            found.append(name)  # 比如佳琪和萌萌。: not 和奶奶。, 比如星星、
    return found


# A doubled given name (萌萌, 冉冉) last in a list or after 和/跟, before a pause: the dictionary
# must not hold it as a word other than a name.
_DOUBLED = re.compile(
    rf"(?<=和|跟|与|、)(?P<name>([{_HAN}])\2)(?=[，,。；;！!？?、]|和|跟|都|也|$)", re.M
)


# K哥, J姐: a Latin letter and a kinship word, as nicknames go.
_LETTER_NICK = re.compile(r"(?<![A-Za-z0-9])[A-Z](?:哥|姐|叔|总|神)(?![\u4e00-\u9fff]{0,1}们)")
# 管理员“老黄”说, 我们都叫她“小鹿”: 小X, 老X or 阿X in quotes; after 叫/称 whatever X is.
_QUOTED_NICK = re.compile(
    rf"(?P<called>叫她|叫他|叫|喊|称|称呼|外号|绰号|昵称)?(?:是|为)?[“\"「‘](?P<nick>[小老阿][{_HAN}])[”\"」’]"
)


# What a person does right after 老X/小X (老凌答应, 小钱态度很差, 老黄说): strong enough for
# 老黄 and 小钱, which are words too.
_NICK_DOES = re.compile(
    r"(?:还|也|又|都|就|却|竟然|居然)?(?:说(?![明服])|讲(?![座课台解])|表示|告诉|答应|同意|批准|安排|负责|规定|态度|人很|帮了|帮我|"
    r"跟我|和我|让我|叫我|不让|每天|一直|总是|经常|把我)"
)
# Where someone is, after 老X/小X (钥匙在团委的小唐那里).
_NICK_WHERE = ("那里", "那儿", "那边", "手里", "手上")


def nick_slots(
    text: str,
    surnames: Iterable[str],
    known: Callable[[str], bool],
    not_nick: Iterable[str],
    rare: Callable[[str], bool] = lambda _: True,
) -> list[str]:
    """老X and 小X (X a surname) in a name's slot (是老闫规定的, 找小蔡, 后勤的老凌答应).

    One the dictionary holds as a word or that is a known non-nickname (老黄, 小钱, 小马) counts
    only before what a person does (`_NICK_DOES`) and if `rare` (老师, 小姐 never are).
    """
    single = "".join(sorted(set(surnames)))
    skip = frozenset(not_nick)
    found = [
        m.group("nick")
        for m in _QUOTED_NICK.finditer(text)
        if m.group("called") or not known(m.group("nick"))
    ]
    found += _LETTER_NICK.findall(text)  # K哥, J姐
    nick = re.compile(rf"[小老][{single}]")
    leads = {m.end() for m in _LEAD.finditer(text)} | {m.end() for m in re.finditer("的", text)}
    for start in sorted(leads):
        m = nick.match(text, start)
        if m is None:
            continue
        word, end = m.group(), m.end()
        does = _NICK_DOES.match(text, end) is not None
        if word in skip or known(word):
            if does and rare(word):
                found.append(word)
        elif (
            _AFTER_RE.match(text, end)
            or _SAYING_AFTER.match(text, end)
            or does
            or text.startswith(_NICK_WHERE, end)  # 小唐那里
            or text[:start].endswith(("对着", "把", "被", "给", "让"))  # 对着小郑拍
        ):
            found.append(word)
    return found


# Words around a well-known name that say the public figure or place is meant.
_PUBLIC = re.compile(
    r"(?:参观|纪念|学习|缅怀|瞻仰|游览|去|到|在)了?\0"
    r"|\0(?:院士|精神|纪念馆|故居|图书馆|的?事迹|同志|雕像|铜像|塑像|语录|名言|说过|曾经说|的诗|"
    r"的书|的作品|的名言|路|大街|站|桥|公园|广场|中学|小学|大学|景区)"
)
# A character that ends the names of places and stops (黄庄站, 卢沟桥, 马家村).
_PLACE_AFTER = "站桥村庄镇县乡屯寺湖巷坟街"


# Third characters that a segmenter glues onto a word before them (何时能, 高兴地).
_GLUED = frozenset("能会要可就都也还是有在不没地得着过了")
# Last characters of names of places and things (甘露寺, 马驹桥, 丁香花树): no given name ends so.
_THING_LAST = frozenset("寺桥村庄湖坟塔阁亭镇站街巷屯乡县")
# Last characters of dictionary words for plants, ways and buildings (凌霄花, 林荫道): such an
# entry is a thing unless a person is in sight (a name in the dictionary may end so too).
_THING_HEAD = frozenset("花树草道路门园馆店厅")
_PERSON_BEFORE = re.compile(
    rf"(?:{_STRONG_BEFORE}|学生|儿子|女儿|孩子|导师|老师|我叫|名叫|叫做|我是|[员（(、])\0"
)
_PERSON_AFTER = re.compile(r"\0(?:说|讲|表示|告诉|同学|老师|教授|博士|[（(，,、和跟与])")


def no_ones(
    name: str,
    text: str,
    famous: Callable[[str], bool],
    ordinary: Callable[[str], bool],
    listed: Callable[[str], bool] = lambda _: False,
    plain: Callable[[str], bool] = lambda _: False,
) -> bool:
    """Whether `name` reads as no one's name in `text` (see `public_or_place`), or is an
    ordinary word with a function character glued on (何时能: 何时 + 能), or ends as the names
    of places do (甘露寺, 马驹桥), or is a dictionary entry made of a common word and one more
    character with no person in sight (唐宋八: `listed`, and `plain` for 唐宋 but not 林海)."""
    if len(name) == 3 and name[2] in _GLUED and ordinary(name[:2]):
        return True
    if len(name) >= 3 and name[-1] in _THING_LAST:
        return True
    compound = name[:2] in COMPOUND_SURNAMES
    thing = len(name) >= 3 and name[-1] in _THING_HEAD and listed(name)  # 凌霄花, 林荫道
    word_and_one = len(name) == 3 and not compound and listed(name) and plain(name[:2])
    if len(name) >= 3 and (famous(name) or word_and_one or thing):
        marked = text.replace(name, "\0")
        if not (_PERSON_BEFORE.search(marked) or _PERSON_AFTER.search(marked)):
            return True  # 袁隆平为解决吃饭问题: well known, and no person in sight
    return public_or_place(name, text, famous)


def public_or_place(name: str, text: str, famous: Callable[[str], bool]) -> bool:
    """Whether `name` is no one's in `text`: a well-known name of three characters or more that
    the dictionary holds (`famous`) in words that say a public figure or place is meant
    (参观了卢沟桥, 袁隆平院士的事迹), or a word before a place suffix wherever it is (黄庄站)."""
    for size in (len(name), 3, 4):
        head = name[:size]
        if len(head) >= 3 and famous(head) and _PUBLIC.search(text.replace(name, "\0")):
            return True  # 袁隆平院士 too
    spots = [m.end() for m in re.finditer(re.escape(name), text)]
    return bool(spots) and all(text[e : e + 1] and text[e] in _PLACE_AFTER for e in spots)


# A name that is also a word (夏天, 白雪, 何必): only where the words on both sides say a person
# is meant — a word for one (室友, 我和) before it and a verb of saying or a title after it —
# or before 同学/老师 when the segmenter reads it as neither a noun nor a time (何必同学, not
# 高中同学, 大学同学).
_ROLE_BEFORE = (
    "室友|舍友|同学|同桌|朋友|同事|师兄|师姐|师弟|师妹|学长|学姐|学弟|学妹|队友|班长|组长|"
    "我和|和我|我跟|跟我|我找到|我找|我问|叫"
)
_WORD_AFTER = re.compile(
    r"说(?![明服])|表示|告诉|同学(?!们)|老师(?!们)|也在|也看|都被|都是|跟我说|和我|的(?:妈妈|爸爸|家长|报告|论文)"
)
_TITLE_AFTER = re.compile(r"同学(?!们)|老师(?!们)")
_NOT_WORD_NAME = ("d", "r", "m", "f", "p", "c", "u", "q", "ns", "nt", "s")


def word_names_in_slots(
    text: str, tokens: Sequence[tuple[str, str]], surnames: Iterable[str]
) -> list[str]:
    """Two-character words from a surname that name someone here (see above)."""
    single = frozenset(surnames)
    found, pos = [], 0
    prev = ""
    for word, tag in tokens:
        start, end = pos, pos + len(word)
        pos = end
        before, prev = prev, word
        if len(word) != 2 or word[0] not in single or tag.startswith(_NOT_WORD_NAME):
            continue
        cued = text[:start].endswith(tuple(_ROLE_BEFORE.split("|"))) and _WORD_AFTER.match(
            text, end
        )
        titled = _TITLE_AFTER.match(text, end) and not tag.startswith(("n", "t"))
        if cued or (titled and before != "的"):
            found.append(word)
    return found + compound_names(tokens) + tagged_after_person(tokens)  # 我院学生吉祥的


def surname_said(text: str, surnames: frozenset[str]) -> list[tuple[int, int]]:
    """The surname after 姓 (老板姓黄，一位姓王的老师): its span."""
    spans = []
    for m in re.finditer(rf"(?<=姓)(?P<sur>{'|'.join(COMPOUND_SURNAMES)}|.)", text):
        sur = m.group("sur")
        if len(sur) == 1 and sur not in surnames:
            continue
        nxt = text[m.end() : m.end() + 1]
        if not nxt or not "\u4e00" <= nxt <= "\u9fff" or nxt in "的名叫":
            spans.append(m.span())
    return spans
