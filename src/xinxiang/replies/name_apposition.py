"""Names by what stands next to them or by a name already found (issue #13, round 8).

Classes that held on a sixth writer's letters and hold for any writer, read on the text:

- `dotted_names`: two runs of Han characters joined by a middle dot that the dictionary does not
  hold (米热古丽·艾合买提, 叶尔兰·波拉提) — Uyghur, Kazakh and other names written with the
  father's name; a public figure's (马克思·韦伯) is in the dictionary or the not-names list.
- `titled_full_names`: a surname-led name of three characters before a title, also an elder's
  title with 老 (蔺德昌老馆长, 相国瑞老师), and a name in a person's slot that recurs before a
  title (研究生黄鹂代课。黄鹂师姐很努力, 支部书记解放同志).
- `echoed_names`: what a found name brings along — the name in brackets after it (阿木（木子轩）,
  Vivian（韦薇）), its surname quoted alone (“禤”读xuān), its given name before a parent's word
  (张可乐 … 可乐妈妈).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from xinxiang.replies.name_extend import extended_names
from xinxiang.replies.name_words import (
    COMPOUND_SURNAMES,
    NOT_GIVEN,
    SURNAMES,
    TITLE_ONLY_SURNAMES,
)

_H = "\u4e00-\u9fff"
_HAN_RUN = re.compile(f"[{_H}]+")
# One-character words that end a name's run: function words and verbs of saying.
_STOP = frozenset(NOT_GIVEN | set("说讲都还又就没很已从才再吗呢吧啊呀嘛么给把被让和与的了在是"))
# Titles a full name stands before; 老 before a post is an elder's title (老馆长, 老校长).
_TITLE = (
    r"老?(?:老师|教授|馆长|校长|院长|书记|主任|处长|科长|部长|站长|所长|经理|师傅|医生|大夫)"
    r"|师姐|师兄|学姐|学长|同志"
)
# Words for a person a name stands right after (研究生黄鹂, 支部书记解放, 同学江流).
_ROLE = r"同学|学生|研究生|室友|舍友|队员|同事|住户|业主|维修工|技术员|辅导员|班主任|书记|主任|部长"
_ROLE_THEN = re.compile(rf"(?:{_ROLE})(?P<n>[{_H}]{{2,3}})")
_FULL_TITLED = re.compile(
    rf"(?:(?P<pause>[的是和与、，,。\s])|(?P<role>{_ROLE}))(?P<n>[{_H}]{{3}})(?={_TITLE})"
)
_PARENT_WORD = r"的?(?:妈妈|爸爸|家长|父亲|母亲)"
_PARENT_AT = re.compile(_PARENT_WORD)
_TITLE_AT = re.compile(_TITLE)
_ROLE_END = re.compile(rf"(?:{_ROLE})$")
# A name in brackets, perhaps after a roman given name (阿木（木子轩）, Vivian（韦薇）).
_BRACKETED_AFTER = re.compile(
    rf"(?:(?<![A-Za-z])(?P<r>[A-Z][a-z]{{2,11}}))?\s?[（(](?P<n>[{_H}]{{2,4}})[）)]"
)


def _surname_led(name: str) -> bool:
    head = name[:2] if name[:2] in COMPOUND_SURNAMES else name[:1]
    rest = name[len(head) :]
    surnamed = head in SURNAMES or head in COMPOUND_SURNAMES or head in TITLE_ONLY_SURNAMES
    return surnamed and 1 <= len(rest) <= 2 and not set(rest) & NOT_GIVEN


def dotted_names(
    tokens: Sequence[tuple[str, str]], ordinary: Callable[[str], bool], not_names: frozenset[str]
) -> list[str]:
    """Two runs of words joined by a middle dot, one of them no ordinary word (see the module
    docstring): each run grows from the dot over the segmenter's words, up to five characters,
    and stops at an ordinary word of two or more characters (辅导员 / 米热 / 古丽 · 艾合 / 买 / 提),
    a function word or, before the dot, a verb."""
    found = []
    for i, (dot, _) in enumerate(tokens):
        if dot not in ("·", "・") or i == 0 or i + 1 >= len(tokens):
            continue
        first, second, unheard = "", "", False
        for k in range(i - 1, -1, -1):
            word, tag = tokens[k]
            stop = (len(word) >= 2 and ordinary(word) and not tag.startswith("nr")) or (
                len(word) == 1 and (word in _STOP or tag.startswith(("v", "p", "c", "u", "r")))
            )
            if not _HAN_RUN.fullmatch(word) or len(first + word) > 5 or (first and stop):
                break
            first, unheard = word + first, unheard or not ordinary(word)
        for k in range(i + 1, len(tokens)):
            word, tag = tokens[k]
            stop = (len(word) >= 2 and ordinary(word) and not tag.startswith("nr")) or word in _STOP
            if not _HAN_RUN.fullmatch(word) or len(second + word) > 5 or (second and stop):
                break
            second, unheard = second + word, unheard or not ordinary(word)
        name = f"{first}·{second}"
        if len(first) >= 2 and len(second) >= 2 and unheard and name not in not_names:
            found.append(name)
    return found


def titled_full_names(
    text: str, known: Callable[[str], bool], not_names: frozenset[str]
) -> list[str]:
    """Full names before a title, and words in a role's slot that recur before one (see the
    module docstring)."""
    found = []
    for m in _FULL_TITLED.finditer(text):
        name = m.group("n")
        # After a word for a person any first character will do (班主任相国瑞老师).
        led = _surname_led(name) or (m.group("role") and not set(name) & NOT_GIVEN)
        if led and not known(name) and name not in not_names:
            found.append(name)
    after_role = {m.group("n")[:k] for m in _ROLE_THEN.finditer(text) for k in (2, 3)}
    for name in after_role:
        if not _surname_led(name) or name in not_names or set(name) & NOT_GIVEN:
            continue
        for pos in _positions(text, name):
            if not _TITLE_AT.match(text, pos + len(name)):
                continue
            alone = pos == 0 or not _HAN_RUN.match(text[pos - 1])
            if alone or _ROLE_END.search(text[max(0, pos - 4) : pos]):
                found.append(name)  # 研究生黄鹂代课。黄鹂师姐; 支部书记解放同志
                break
    return [n for n in found if n not in not_names and len(n) >= 2]


def _positions(text: str, word: str) -> list[int]:
    """Where `word` starts in `text` (plain search: no expression compiled per name)."""
    out, pos = [], text.find(word)
    while pos != -1 and word:
        out.append(pos)
        pos = text.find(word, pos + 1)
    return out


def echoed_names(text: str, names: Iterable[str]) -> list[str]:
    """What found `names` bring along (see the module docstring)."""
    found: list[str] = []
    names = [n for n in names if len(n) >= 2]
    for m in _BRACKETED_AFTER.finditer(text):
        before = text[: m.start()].rstrip()
        if any(before.endswith(name) for name in names):
            found.append(m.group("n"))  # 阿木（木子轩）
        if m.group("r") and m.group("n") in names:
            found.append(m.group("r"))  # Vivian（韦薇）
    for name in names:
        if len(name) != 3 or not _HAN_RUN.fullmatch(name):
            continue
        if name[0] not in SURNAMES and name[0] not in TITLE_ONLY_SURNAMES:
            continue
        quoted = f"“{name[0]}”"
        if quoted in text:
            found.append(quoted)  # 叫禤嘉怡，“禤”读xuān
        if name[0] not in SURNAMES:  # 相国瑞老师 … 相老师: a surname the lists lack
            for pos in _positions(text, name[0]):
                if (t := _TITLE_AT.match(text, pos + 1)) is not None:
                    found.append(name[0] + t.group())
        given = name[1:]
        for pos in _positions(text, given):
            alone = pos == 0 or not _HAN_RUN.match(text[pos - 1])
            if given not in NOT_GIVEN and alone and _PARENT_AT.match(text, pos + len(given)):
                found.append(given)  # 张可乐 … 可乐妈妈
                break
    return found


# A quoted list of short words, as a motto or slogan is written (校训是“明德、厚学、砺志、笃行”).
_QUOTED_LIST = re.compile(rf"[“\"「](?P<run>[{_H}]{{2}}(?:、[{_H}]{{2}}){{2,}})[”\"」]")
# A thing described after a measure word (一片白色的汪洋, 一种淡淡的宁静): no person.
_MEASURED = re.compile(rf"一[片个种股阵场座条块](?:[{_H}]{{1,4}})?的$")


def settle(text: str, names: set[str]) -> set[str]:
    """`names` with what they bring along (`echoed_names`), less the words of a quoted motto
    and words found only after a measure word and 的 (see `_QUOTED_LIST`, `_MEASURED`)."""
    out = names | set(echoed_names(text, sorted(names)))
    out |= extended_names(text, sorted(out))  # 黑子（贺黑子）, Tom Hughes
    for m in _QUOTED_LIST.finditer(text):
        out -= set(m.group("run").split("、"))
    for name in list(out):
        starts = _positions(text, name)
        if starts and all(_MEASURED.search(text[max(0, i - 8) : i]) for i in starts):
            out.discard(name)
    return out


# Surnames that are words too (步行, 全部, 相信, 计划): a name's first character only in a role's
# slot with two more characters after it that are no word with it.
_WORDY_SURNAMES = frozenset("步全相计牧向于时支强居习揭")
_PEERS = frozenset(
    [
        *("同学", "学生", "研究生", "室友", "舍友", "队员", "队友", "同事", "同桌", "学员"),
        # Round 15: a member or representative of a group (学生代表于洋也是…, 组员…).
        *("代表", "课代表", "组员", "成员", "委员"),
    ]
)
_ROLE_FULL = re.compile(
    rf"(?:{_ROLE}|保安|保洁|宿管|司机|宿舍长|队长|班长|组长|安全员)(?P<n>[{_H}]{{3}})(?=[，,。、（(：:；;！!？?\s]|[说在来去也都又还就没已一被把给和跟])"
)
# Tags of the word after a name in a peer's slot: a verb, an adverb, a preposition, a time.
_NEXT_TAGS = ("v", "d", "p", "t")
_NOT_NAME_TAGS = ("d", "t", "m", "r", "f", "q", "u", "p", "c", "a", "x", "eng", "vn")


def role_slot_names(
    text: str,
    tokens: Sequence[tuple[str, str]],
    ordinary: Callable[[str], bool],
    rare: Callable[[str], bool],
) -> list[str]:
    """Names in a role's slot that the other rules leave: a three-character name whose surname is
    a word too (维修工全子明来了, 同学步思彤一直), and a rare two-character word after a peer
    before a verb, an adverb or a time (同学江流没赶上, 学生牧野上周) — everyday words after a
    peer are the compounds people write (同学关系, 学生宿舍)."""
    found = []
    for m in _ROLE_FULL.finditer(text):
        name = m.group("n")
        head = name[0] in SURNAMES or name[0] in _WORDY_SURNAMES
        if head and not set(name) & NOT_GIVEN and not ordinary(name[:2]) and not ordinary(name):
            found.append(name)
    for i in range(len(tokens) - 2):
        if tokens[i][0] not in _PEERS:
            continue
        word, tag = tokens[i + 1]
        nxt, ntag = tokens[i + 2]
        if len(word) != 2 or not _HAN_RUN.fullmatch(word) or tag.startswith(_NOT_NAME_TAGS):
            continue
        surnamed = word[0] in SURNAMES or word[0] in _WORDY_SURNAMES
        cue = ntag.startswith(_NEXT_TAGS) or nxt in ("的", "，", "。", "、")
        if surnamed and cue and rare(word) and not set(word) & NOT_GIVEN:
            found.append(word)
    return found


# 户名洪桂英。, 收款人：…: a name after the label of an account or a contact; round 10: or of
# the one who writes (举报人：沐春生，).
_LABELLED = re.compile(
    rf"(?:户名|开户名|收款人|持卡人|联系人|收件人|寄件人|签收人|举报人|投诉人|反映人|来信人|写信人"
    rf"|申请人|当事人)(?:是|为|写的是)?[:：]?\s?"
    rf"(?P<n>[{_H}]{{2,4}}?)(?=[，,。；;！!\s]|$)"
)
# What ends a word for a body or a post, never a person's name (后勤处, 学生会, 办公室).
_ORG_LAST = frozenset("处科部院办室会队站所局厅组馆系")


def labelled_names(text: str, ordinary: Callable[[str], bool]) -> list[str]:
    """A name after an account's, a parcel's or a contact's label (see `_LABELLED`): no ordinary
    word, unless two characters from a surname (收件人是文静，) and no body (联系人：后勤处)."""
    found = []
    for m in _LABELLED.finditer(text):
        name = m.group("n")
        if set(name) & NOT_GIVEN or name[-1] in _ORG_LAST:
            continue
        if not ordinary(name) or (len(name) == 2 and name[0] in SURNAMES):
            found.append(name)
    return found


# A sign-off line: a name, perhaps a parent's word, then a phone number (小鱼 ＋８６ １５５…,
# 彤彤的爸爸 0312 5821 366).
_SIGNED_PHONE = re.compile(
    rf"(?m)^[ \t]*(?P<n>[{_H}]{{2,4}}?)(?:{_PARENT_WORD})?[ \t]+(?=[+＋(（]?[0-9０-９])"
    r"(?P<tail>[+＋(（]?[0-9０-９][0-9０-９ \t\-－.()（）+＋]{6,})$"
)
_LABEL_WORDS = frozenset(
    [
        "电话",
        "手机",
        "座机",
        "联系",
        "联系方式",
        "热线",
        "微信",
        "邮箱",
        "地址",
        "学号",
        "工号",
        "宿舍",
    ]
)
# 我是大三的向晚！！: a rare word that ends a self-introduction after 的.
_INTRO_RARE = re.compile(rf"我是[^，,。！!？?\n]{{0,12}}?的(?P<n>[{_H}]{{2}})(?=[，,。！!～~\s])")
# A name of four characters without a surname after a word for a person (钢琴老师桑吉卓玛，).
_NOT_IN_FOUR = ("v", "p", "d", "c", "u", "m", "q", "f", "r", "t", "y", "x")
_ROLE_FOUR = re.compile(rf"(?:{_ROLE}|老师)(?P<n>[{_H}]{{4}})(?=[，,。；;！!（(])")


def signoff_and_intro_names(
    text: str,
    tokens: Sequence[tuple[str, str]],
    ordinary: Callable[[str], bool],
    rare: Callable[[str], bool],
) -> list[str]:
    """A name before a phone number on a sign-off line, a rare word that ends a
    self-introduction after 的, a four-character name after a word for a person."""
    found = []
    starts = [0]
    for word, _ in tokens:
        starts.append(starts[-1] + len(word))
    starts.pop()
    for m in _SIGNED_PHONE.finditer(text):
        digits = sum(c.isdigit() for c in m.group("tail"))
        name = m.group("n")
        if digits >= 7 and name not in _LABEL_WORDS and not set(name) & NOT_GIVEN:
            found.append(name)
    for m in _INTRO_RARE.finditer(text):
        name = m.group("n")
        if (_surname_led(name) or name[0] in _WORDY_SURNAMES) and rare(name):
            found.append(name)
    for m in _ROLE_FOUR.finditer(text):
        name = m.group("n")
        # Whole words of the segmenter, none a verb or function word, no ordinary pair inside
        # (研究生处 / 领导 / 好, 学生 / 跑 / 去 / 拿 / 水, 学生 / 价 / 三折 / 起).
        a, b = m.span("n")
        words = [(w, t) for (w, t), s in zip(tokens, starts, strict=True) if a <= s < b]
        whole = a in starts and (b in starts or b == len(text))
        # An unknown name is often cut into odd characters (达 / 娃央 / 宗): one such may be
        # tagged a verb or number, a word of two or more may not.
        odd = [w for w, t in words if t.startswith(_NOT_IN_FOUR)]
        verbs = len(odd) > 1 or any(len(w) > 1 for w in odd) or len(odd) == len(words)
        inside = any(ordinary(name[k : k + 2]) for k in range(3))
        if not whole or verbs or inside or set(name) & _STOP:
            continue
        if not ordinary(name):
            found.append(name)
    return found
