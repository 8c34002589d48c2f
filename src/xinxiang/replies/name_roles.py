"""Names by the word for a person they stand next to (同位语人名), for letters no rule was tuned on.

A name often stands right after a word for what the person is (团长计添去交涉, 收银员郁金香。,
学生钟情的父亲) or ends a self-introduction (我是商学院的林立，, 我是冬梅，). There the name may
be an ordinary word too (钟情, 林立, 万里), or start with a surname that is mostly a word (时雨,
支晨曦, 强薇). Pure functions over the segmenter's words, used by
`replies.redact_names.NameFinder.find`:

- `role_names`: a word for a person (a job, a post, a kin or peer word: 团长, 收银员, 人事, 室友),
  then a name-shaped word — a surname and one or two characters, as the segmenter has it — then
  what follows a person: a pause, a verb of saying, an adverb or a verb. A name that is an
  ordinary word needs the stronger cue after it (说, 的父亲); a word for a person (党员, 家长) or a
  time (周末) is never one.
- `listed_nicknames` and `named_as`: nicknames in a list of people (的阿珂、小鹿都) and the name
  someone is called by (没有叫小雪的人, 开门的同学叫习羽，).
- `repeated_names`: a name-shaped word that stands twice in a person's slot (上周向阳发烧 …
  。向阳现在已经好了).
- `introduced_names`: the name that ends 我是…/我叫… before a pause (我是大三的于洋，): after
  是 itself, after 的, after a word for a person or after a school, class or year
  (新闻学院2026级的万里).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from xinxiang.replies.name_apposition import (
    dotted_names,
    labelled_names,
    role_slot_names,
    signoff_and_intro_names,
    titled_full_names,
)
from xinxiang.replies.name_words import (
    COMPOUND_SURNAMES,
    NOT_GIVEN,
    PERSON_CUES,
    ROLE_CUES,
    SURNAMES,
    TITLE_ONLY_SURNAMES,
    TITLES,
    WEAK_CUES,
)

# Surnames that are mostly words (时间, 支持, 强调, 居住, 学习): a name only in a role's slot.
ROLE_ONLY_SURNAMES = frozenset("时支强居习揭于")
# Words for a person that ROLE_CUES, PERSON_CUES and TITLES do not hold.
_MORE_ROLES = frozenset(
    re.findall(
        r"\S+",
        "团长 宿舍长 收银员 人事 领班 教师 任课教师 外聘老师 学生代表 新生 队员 团员 成员 志愿者 "
        "队友 闺蜜 好友 同桌 姐姐 妹妹 哥哥 弟弟 表妹 表弟 店员 营业员 售货员 护工",
    )
)
_ROLES = (
    (frozenset(ROLE_CUES) - WEAK_CUES) | frozenset(PERSON_CUES) | frozenset(TITLES) | _MORE_ROLES
)
# Last characters of words for people (党员, 家长, 学生, 作者, 工人): such a word is no name.
_PERSON_LAST = frozenset("员长生者人家工属友师")
_HAN = re.compile("[\u4e00-\u9fff]+")
_PAUSE = frozenset("，,。.、；;！!？?（(：:\n")
# What follows a person strongly: a verb of saying, a relative or the person's contacts.
_STRONG = re.compile(
    r"说(?![明服])|表示|告诉|反映|答应|承认|同学(?!们)|"
    r"的(?:父亲|母亲|妈妈|爸爸|家长|爷爷|奶奶|电话|手机|微信|邮箱|学号)"
)
# Adverbs and verbs that open a person's predicate (已经, 一直, 去, 在).
_WEAK_TAGS = ("v", "d", "p", "c")
# Tags of words that are no one's name in this slot: times, numbers, pronouns, places of a
# direction, adverbs and function words (周末, 这样, 前面, 马上).
_NEVER_TAGS = ("t", "m", "r", "f", "q", "u", "y", "e", "o", "x", "eng", "d", "c", "p")


def _surname_led(word: str) -> bool:
    """2–3 Han characters from a surname (or a compound one and one or two more)."""
    if not _HAN.fullmatch(word) or set(word[1:]) & NOT_GIVEN:
        return False
    if word[:2] in COMPOUND_SURNAMES:
        return 3 <= len(word) <= 4
    return 2 <= len(word) <= 3 and (word[0] in SURNAMES or word[0] in ROLE_ONLY_SURNAMES)


def _is_role(word: str) -> bool:
    return word in _ROLES or (len(word) >= 2 and word[-1] in _PERSON_LAST)


def _candidates(tokens: Sequence[tuple[str, str]], j: int) -> list[tuple[str, int, str]]:
    """Name-shaped words at token `j`: the word itself, or a surname the segmenter split off
    and the next one or two characters (支 / 晨曦, 强 / 薇, 季春 / 燕); with the index after
    them and the tag of the word when it is one word."""
    out: list[tuple[str, int, str]] = []
    if j >= len(tokens):
        return out
    word, tag = tokens[j]
    if j + 1 < len(tokens):
        nxt, ntag = tokens[j + 1]
        joined = word + nxt
        split_surname = len(word) == 1 and 1 <= len(nxt) <= 2
        split_given = len(word) == 2 and tag.startswith("nr") and len(nxt) == 1
        # 巩 / 欣然 (an adverb) is a name; 时 / 都 is not.
        glue = ntag.startswith(("u", "p", "c", "x")) or (ntag.startswith("d") and len(nxt) == 1)
        if (split_surname or split_given) and not glue:
            out.append((joined, j + 2, ""))
    out.append((word, j + 1, tag))
    return out


def _after(text: str, end: int, tokens: Sequence[tuple[str, str]], k: int) -> str:
    """How strongly what follows offset `end` (token `k`) says a person came before: "strong",
    "pause", "weak" or ""."""
    if end >= len(text) or text[end] in _PAUSE:
        return "pause"
    if _STRONG.match(text, end):
        return "strong"
    if k < len(tokens) and tokens[k][1].startswith(_WEAK_TAGS) and tokens[k][0] != "的":
        return "weak"
    return ""


def role_names(
    text: str,
    tokens: Sequence[tuple[str, str]],
    ordinary: Callable[[str], bool],
    not_names: frozenset[str],
) -> list[str]:
    """Names right after a word for a person (团长计添去, 人事季春燕说, 学生钟情的父亲).

    `ordinary` says the dictionary holds a word as a common one (时代, 马上); such a word counts
    only before a strong cue, and one of `not_names` only before a pause or a strong cue.
    """
    found: list[str] = []
    offsets = [0]
    for word, _ in tokens:
        offsets.append(offsets[-1] + len(word))
    for i, (word, tag) in enumerate(tokens[:-1]):
        if not (word in _ROLES or (tag == "n" and len(word) >= 2 and word[-1] in "员长")):
            continue
        for cand, k, ctag in _candidates(tokens, i + 1):
            if not _surname_led(cand) or _is_role(cand) or ctag.startswith(_NEVER_TAGS):
                continue
            cue = _after(text, offsets[k], tokens, k)
            named = ctag.startswith("nr")
            if not cue:
                continue
            word_like = ordinary(cand) or ctag.startswith("a")
            if word_like and not named and cue != "strong":
                continue  # 老师马上就来, 同学方面，: an ordinary word
            if cand in not_names and not named and cue not in ("strong", "pause"):
                continue
            found.append(cand)
            break
    return found


_ROLE_WORDS = "|".join(sorted((w for w in _ROLES if len(w) >= 2), key=len, reverse=True))
# A word for a person, a name, a verb of saying, read on the text: the segmenter may glue the
# role's last character to the surname (宿舍长 / 石磊说 read as 长石 / 磊).
_ROLE_SAYS = re.compile(
    rf"(?:{_ROLE_WORDS})(?P<name>[\u4e00-\u9fff]{{2,3}}?)(?=说(?![明服])|表示|告诉|反映说)"
)


def role_says(text: str, ordinary: Callable[[str], bool], not_names: frozenset[str]) -> list[str]:
    """A surname-led name between a word for a person and a verb of saying (宿舍长石磊说), that
    is no ordinary word (同学马上说) and no word for a person (同学家长说)."""
    found = []
    for m in _ROLE_SAYS.finditer(text):
        name = m.group("name")
        shaped = _surname_led(name) and not _is_role(name) and name not in not_names
        compound = name[:2] in COMPOUND_SURNAMES  # 东方明说: 东方 is a word too
        if shaped and not ordinary(name) and (compound or not ordinary(name[:2])):
            found.append(name)
    return found


# A parent introduces themselves by the child's name (我是2025级鄂晓彤的爸爸, 我是应子涛的家长).
_PARENT = re.compile(
    r"我是(?:[^，,。！!？?\n]{0,10}?[级届班的院系])?(?P<name>[\u4e00-\u9fff]{2,4}?)"
    r"的?(?:爸爸|妈妈|家长|父亲|母亲|爷爷|奶奶|外公|外婆)"
    r"(?=[，,。！!？?\s]|$|[\u4e00-\u9fff]{2,4}(?:[，,。！!？?\s]|$))"
)


def parent_names(text: str, ordinary: Callable[[str], bool]) -> list[str]:
    """The child's name a parent introduces themselves by (see `_PARENT`)."""
    found = []
    for m in _PARENT.finditer(text):
        name = m.group("name")
        # 应, 全 and 于 read as surnames before a parent's word too (我是应子涛的家长).
        title_only = name[0] in TITLE_ONLY_SURNAMES and _surname_led("王" + name[1:])
        led = _surname_led(name) or title_only
        if led and not ordinary(name) and not _is_role(name):
            found.append(name)
    return found


# Words between 我是 and the name: a school, a class or a year, or 的 (新闻学院2026级的万里).
_INTRO_BEFORE = ("的", "是", "叫")
_INTRO_UNIT_LAST = frozenset("院系级班校部处科")


def introduced_names(
    text: str, tokens: Sequence[tuple[str, str]], ordinary: Callable[[str], bool]
) -> list[str]:
    """The name that ends a self-introduction before a pause (我是冬梅，, 我是商学院的林立，,
    我叫阿木古楞，): a word the segmenter tags a name, or a surname-led one that is no
    ordinary word (or is one the segmenter reads as a place or a number: 于洋, 万里)."""
    found: list[str] = []
    offsets = [0]
    for word, _ in tokens:
        offsets.append(offsets[-1] + len(word))
    for i in range(len(tokens) - 2):
        if tokens[i][0] != "我" or tokens[i + 1][0] not in ("是", "叫"):
            continue
        j = i + 2
        while j < len(tokens) and not (set(tokens[j][0]) & _PAUSE) and j - i < 10:
            j += 1  # the clause runs to the next pause
        if j >= len(tokens) or j == i + 2:
            continue
        for start in (j - 1, j - 2):
            if start < i + 2:
                break
            cand = "".join(w for w, _ in tokens[start:j])
            prev, ptag = tokens[start - 1]
            lead = prev in _INTRO_BEFORE or prev in _ROLES or ptag == "q"
            lead = lead or (ptag.startswith("n") and prev[-1] in _INTRO_UNIT_LAST)
            if not lead or not 2 <= len(cand) <= 4 or _is_role(cand):
                continue
            tag = tokens[start][1] if start == j - 1 else ""
            if tag.startswith("nr") and _HAN.fullmatch(cand):
                found.append(cand)
                break
            if not _surname_led(cand) or tag.startswith(("t", "r", "f", "q", "u", "x")):
                continue
            if ordinary(cand) and not tag.startswith(("ns", "m")):
                continue
            found.append(cand)
            break
    return found


# Two or more short names after 的, listed with 、, before 都/也 (宿舍的阿珂、小鹿都被她说过).
_NICK_LIST = re.compile(
    r"(?<=的)(?P<run>[\u4e00-\u9fff]{2}(?:、[\u4e00-\u9fff]{2})+)(?=都|也|两人|俩|一起)"
)
_NICK_SHAPE = re.compile(r"([\u4e00-\u9fff])\1|[阿小][\u4e00-\u9fff]")


def listed_nicknames(text: str, known: Callable[[str], bool]) -> list[str]:
    """Nicknames and given names in a list of people (打工的秀秀、大壮都可以证明): every item a
    word the dictionary does not hold, and one of them shaped as a nickname (阿珂, 秀秀) — not a
    list of things (天上的星星、月亮都)."""
    found: list[str] = []
    for m in _NICK_LIST.finditer(text):
        run = m.group("run").split("、")
        if any(_NICK_SHAPE.fullmatch(n) for n in run) and not any(known(n) for n in run):
            found += run
    return found


# The name someone goes by, after 叫: before 的人/的同学 (没有叫小雪的人), or after a word for a
# person and before a pause (开门的同学叫习羽，).
_NAMED_AS = re.compile(
    r"叫(?P<who>[\u4e00-\u9fff]{2,3}?)的(?:人|同学|男生|女生|学生|孩子)"
    r"|(?:同学|室友|舍友|男生|女生|男的|女的|那人|这人)叫(?P<so>[\u4e00-\u9fff]{2,3}?)(?=[，,。；;！!])"
)
_NOT_NAMED = frozenset("的了是在和与被把我你他她它们这那什么啥")


def named_as(text: str, ordinary: Callable[[str], bool]) -> list[str]:
    """Names someone is called by (see `_NAMED_AS`): 小X and 阿X whatever X, else no ordinary
    word (叫外卖的人)."""
    found: list[str] = []
    for m in _NAMED_AS.finditer(text):
        name = m.group("who") or m.group("so")
        if set(name) & _NOT_NAMED or _is_role(name):
            continue
        shaped = name[0] in "小阿" and len(name) == 2 and name not in _NOT_NICK
        # 有个同学叫高山，: after a word for a person even a word, if a surname leads it.
        if shaped or not ordinary(name) or (m.group("so") and _surname_led(name)):
            found.append(name)
    return found


# 小 and 阿 words that are no one's name.
_NOT_NICK = frozenset(["小孩", "小姐", "小伙", "小吃", "小区", "小组", "小时", "小说", "阿姨"])


# Words a repeated name may stand after: a person's cue, a preposition that takes one.
_REPEAT_LEADS = frozenset(["被", "把", "跟", "和", "让", "给", "找", "问", "陪"])
_KIN_AFTER = frozenset(["妈妈", "爸爸", "家长", "父亲", "母亲"])


def repeated_names(
    tokens: Sequence[tuple[str, str]],
    ordinary: Callable[[str], bool],
    known: Callable[[str], bool],
    not_names: frozenset[str],
) -> list[str]:
    """A name-shaped word that stands twice or more in a person's slot of the letter (上周向阳
    发烧 … 。向阳现在已经好了; ，一然住… 。一然已经感冒了): each time at a clause's start, after a
    time word, a word for a person or a preposition that takes one, and before a verb, an
    adverb, a time word, 这/那 or a parent's word. Neither slot alone is enough for a word;
    both twice are. No ordinary word unless the segmenter tags it a name; no time, number or
    function word."""
    counts: dict[str, int] = {}
    for j in range(len(tokens)):
        prev, ptag = tokens[j - 1] if j else ("\n", "x")
        lead = ptag in ("x", "t") or prev in _ROLES or prev in _REPEAT_LEADS
        if not lead or (ptag == "x" and prev not in _PAUSE and prev.strip()):
            continue
        for cand, k, ctag in _candidates(tokens, j):
            if k >= len(tokens) or not _HAN.fullmatch(cand) or not 2 <= len(cand) <= 3:
                continue
            nxt, ntag = tokens[k]
            follows = ntag[:1] in ("v", "d", "p", "t") or nxt in ("这", "那") or nxt in _KIN_AFTER
            if not follows or nxt == "的" or _is_role(cand) or cand in not_names:
                continue
            if ctag.startswith(_NEVER_TAGS) and not (ctag.startswith("d") and not known(cand)):
                continue
            named = ctag.startswith("nr")
            # A surname first, or a word the dictionary lacks or holds as a rare one (欣怡).
            surnamed = cand[0] in SURNAMES or cand[0] in ROLE_ONLY_SURNAMES
            shaped = surnamed or not known(cand) or not ordinary(cand)
            if set(cand[1:]) & NOT_GIVEN or not shaped or (ordinary(cand) and not named):
                continue
            counts[cand] = counts.get(cand, 0) + 1
            break
    return [name for name, n in counts.items() if n >= 2]


def person_slot_names(
    text: str,
    tokens: Sequence[tuple[str, str]],
    ordinary: Callable[[str], bool],
    not_names: frozenset[str],
    known: Callable[[str], bool] = lambda _: True,
    rare: Callable[[str], bool] = lambda _: False,
) -> list[str]:
    """Every name this module finds in `text` (segmented as `tokens`); `rare` says the
    dictionary counts a word seldom."""
    return [
        *role_names(text, tokens, ordinary, not_names),
        *introduced_names(text, tokens, ordinary),
        *role_says(text, ordinary, not_names),
        *parent_names(text, ordinary),
        *listed_nicknames(text, known),
        *named_as(text, ordinary),
        *repeated_names(tokens, ordinary, known, not_names),
        *dotted_names(tokens, ordinary, not_names),
        *titled_full_names(text, known, not_names),
        *role_slot_names(text, tokens, ordinary, rare),
        *labelled_names(text, ordinary),
        *signoff_and_intro_names(text, tokens, ordinary, rare),
    ]
