"""Classes of ordinary words the learned name tagger is sure of (issue #13, round 10).

`name_crf.CrfNames` keeps a span the CRF tags as a name only if no class below holds it. Each
class was read off the tagger's false names on clean sentences and ordinary letters (the
labelled sets left out writer by writer, the KEPT tables, the 380 letters of
`tests/data/eval/tuning`), and is written as a class of text, not as the words seen:

- `listed`: a dictionary word in a 、-list of short words, another of which is an ordinary
  dictionary word the tagger is not sure of (杨树、柳树; 青山、白云、小河) — a list of names
  holds no such word — unless words for people count it or stand before it; and any item of a
  quoted list of two-character words (“明德、厚学、砺志、笃行”).
- `counted`: right after a numeral and a measure word of things, or opening on that measure
  word (一长|段话, 两只|小猫).
- `titled`: inside a title mark 《…》 (《甘棠》): a work's title, not a person.
- `thing_word`: a dictionary word ending in a character of a thing, place or kinship role
  (夏令营, 柳树, 马路边, 吉他社, 小哥, 老大爷): jieba's dictionary tags many of these as
  names (nr), which is why the tagger is sure of them.
- `place`: followed by a character that makes it a place (黄庄|站。, 中关|村).
- `negated`: opening on a negation, which opens no name (人叫|不醒).
- `english_word`: Latin letters holding a common English word (Building Manager, Danke, Can),
  or (round 13) before a word of a building or a body (the Humanities building) or a plural noun
  of people or a word of food (Muslim students, Korean food).
- `noun_phrase` (round 11): a word jieba's dictionary tags as a name and counts often, no
  person in sight (`name_words.named_here`), making a clause of its own with the noun before it
  (掌声雷鸣，): a four-character phrase, not a person.
Round 11 also counts as places what an institution's name ends with (康乐|中心).
- `place_noun` (round 12): a word jieba tags a name and counts often, after a place and 的 and
  before an adverb or adjective (拉萨的阳光很强): what a place has, not a person; and
  `common_noun`: one word the segmenter tags an ordinary noun (n) and counts often, right after
  a verb or a noun, no person in sight (紧急呼叫|按钮): a thing named in a phrase.
- `object_noun` (round 18): a word jieba tags a name and counts often, after a verbal noun and
  的, ending the clause (分析的|范文。): what was done on, not a person.
- `described` (round 14): one word the segmenter tags a state or an adjective (z, a) right after a
  noun, no person in sight (天空|湛蓝): what the noun is like.
- `eaten` (round 13): right after a verb of eating or drinking (想吃|汤圆, 喝了|两碗豆浆): a dish,
  not a person (one eats with someone, 跟王强吃饭, not eats someone); and `earned`: right after
  a verb of saving, earning or spending and 的 (省下的|小钱, 攒下的|小钱): money, not a person
  (the nickname 小钱 of someone named 钱 has no such verb before it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence

from xinxiang.replies.name_words import SURNAMES, TITLES, named_here


def _words(text: str) -> frozenset[str]:
    """The words of `text`, separated by spaces."""
    return frozenset(text.split())


# Words for people that may open a list of names (室友、张伟): no evidence the list is of things.
_PEOPLE = _words(
    "我 你 他 她 我们 你们 他们 她们 室友 舍友 同学 老师 朋友 同事 班长 "
    "学长 学姐 师兄 师姐 师弟 师妹 导师 辅导员 孩子 家长 爸爸 妈妈 父亲 "
    "母亲 "
)
# A quoted list of three or more two-character words, as a motto is written
# (“明德、厚学、砺志、笃行”).
_QUOTED_LIST = re.compile(r"[“\"「](?P<run>[\u4e00-\u9fff]{2}(?:、[\u4e00-\u9fff]{2}){2,})[”\"」]")
# A list counted as people after it (江子墨、常乐两位同学, 三人, 等).
_PEOPLE_AFTER = re.compile(
    r"(?:、[“\"]?[\u4e00-\u9fff]{1,4}?[”\"]?)*[两二三四五六七八九十几]?(?:位|个人|人|名|等)"
)
# A list after words for people (同学：纪晓芙、殷素素; 我们几个同学，濮阳、冷月).
_PEOPLE_BEFORE = re.compile(
    r"同学|老师|室友|舍友|朋友|同事|工友|队友|师兄|师姐|师弟|师妹|学生|孩子|签名|我们几个"
)
# A numeral, an optional size word and a measure word of things (not 位/名, which count people).
_COUNTED = re.compile(
    r"(?:[一二两三四五六七八九十百几半]|\d)[长短大小整满]?[段句条篇张件份本块片堆次遍场只个首封页行]$"
)
# Last characters of things, places and kinship roles (not of given names).
# Not animals: 小鱼, 小猫 are nicknames as often as pets.
_THING_END = frozenset("树营边社站庄村路街桥馆楼园店院厅室湖港镇乡寺哥姐爷叔姨婆嫂")
# A place word's suffix, and what may follow it (站 is also a verb: 王强站在门口).
_PLACE_AFTER = re.compile(
    r"(?:[村镇庄桥寺街]|站(?=[。，,.！!？?、；;”\"）)\s]|$)"
    # Round 11: an institution's or a building's name (康乐|中心).
    r"|中心|广场|大厦|大楼|公园|酒店|宾馆|饭店|餐厅|超市|商场|剧院|影院|书店|诊所|花园|小区"
    r"|俱乐部|工作室|活动室|体育馆)"
)
# Round 13: a verb of eating or drinking, perhaps with its aspect or a portion (吃了两碗).
_EATEN = re.compile(
    r"(?:吃|喝|尝|啃|嚼|煮|炖|炒|点了|买了)(?:了|过|着|点|些|个|碗|盘|杯|份|串|块|顿)?"
    r"(?:[一二两三四五六七八九十几]?[碗盘杯份串块个])?$"
)
# Round 13: a verb of saving, earning or spending and 的 (省下的, 攒来的, 挣的): money follows.
_EARNED = re.compile(r"(?:省|攒|挣|赚|存|剩|花|借)(?:下|来|出|掉)?的$")
# Round 13: a word of a building or a body after a capitalised word (the Humanities building).
_BUILDING_AFTER = re.compile(
    r"\s+(?:[Bb]uilding|[Hh]all|[Ll]ibrary|[Cc]ent(?:er|re)|[Dd]epartment|[Ss]chool|[Cc]ollege"
    r"|[Ff]aculty|[Ii]nstitute|[Ll]ab(?:oratory)?|[Dd]orm(?:itory)?|[Gg]ym|[Cc]anteen)\b"
)
# Round 13: a plural noun of people or a kind of food after the word: the word describes them
# (Muslim students, Korean food), no one is named.
_PEOPLE_NOUN_AFTER = re.compile(
    r"\s+(?:students|people|classmates|friends|colleagues|families|parents|staff|teachers"
    r"|community|food|dishes|cuisine|restaurants?|festivals?|culture)\b"
)
_ENGLISH_WORDS = _words(
    "building manager dorm dormitory library center centre office department director "
    "teacher professor student staff security guard officer canteen cafeteria room "
    "lab admin administrator coordinator assistant secretary president supervisor "
    "advisor tutor lecturer team service services school university college campus "
    "block gate clinic hospital can could would should please thanks thank danke "
    "merci dear hello hi regards best sincerely yours email phone the this that my "
    "our your i we you "
)


def ordinary_class(
    text: str,
    s: int,
    e: int,
    in_dictionary: Callable[[str], bool],
    sure: Collection[str] = (),
) -> str:
    """The class of ordinary words (see the module's docstring) that holds `text[s:e]`, or "";
    `sure` are the other words of the text the tagger is sure of (a list of them is of names)."""
    word = text[s:e]
    if re.search(r"[A-Za-z]", word):
        tokens = re.findall(r"[A-Za-z]+", word)
        if _BUILDING_AFTER.match(text, e) or _PEOPLE_NOUN_AFTER.match(text, e):
            return "english_word"  # Round 13: the Humanities building, Muslim students
        return "english_word" if any(t.lower() in _ENGLISH_WORDS for t in tokens) else ""
    if word[0] in "不没别未":
        return "negated"
    if in_dictionary(word) and _listed(text, s, e, in_dictionary, sure):
        return "listed"
    if any(m.start("run") <= s and e <= m.end("run") for m in _QUOTED_LIST.finditer(text)):
        return "listed"
    if _COUNTED.search(text[:s]) or _COUNTED.search(text[: s + 1]):
        return "counted"
    if text.rfind("《", 0, s) > text.rfind("》", 0, s):
        return "titled"
    if _EATEN.search(text, max(0, s - 6), s):
        return "eaten"
    if _EARNED.search(text, max(0, s - 4), s):
        return "earned"
    if word[-1] in _THING_END and in_dictionary(word):
        return "thing_word"
    if _PLACE_AFTER.match(text, e):
        return "place"
    return ""


def _han(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff"


def _neighbours(text: str, s: int, e: int) -> list[str]:
    """The other items of the 、-list `text[s:e]` is an item of: the items between two marks
    (or a mark and a quote) exactly, and for an open end the 2–4 characters next to the mark."""
    out: list[str] = []
    p = s
    while p > 0 and text[p - 1] == "、":
        q = p - 1
        while q > 0 and _han(text[q - 1]) and p - 1 - q < 5:
            q -= 1
        if p - 1 - q <= 4 and (q == 0 or not _han(text[q - 1])):
            out.append(text[q : p - 1])  # exact: bounded by a mark, a quote or a pause
            p = q
            continue
        # an open end: not the given name of a surname (康|建国、牛志刚)
        out += [
            text[p - 1 - n : p - 1]
            for n in (2, 3, 4)
            if p - 2 - n < 0 or text[p - 2 - n] not in SURNAMES
        ]
        break
    p = e
    while p < len(text) and text[p] == "、":
        q = p + 1
        while q < len(text) and _han(text[q]) and q - p - 1 < 5:
            q += 1
        if q - p - 1 <= 4 and (q == len(text) or not _han(text[q])):
            out.append(text[p + 1 : q])
            p = q
            continue
        out += [text[p + 1 : p + 1 + n] for n in (2, 3, 4)]
        break
    return out


def _listed(
    text: str, s: int, e: int, in_dictionary: Callable[[str], bool], sure: Collection[str]
) -> bool:
    """Whether `text[s:e]` is an item of a 、-list of short words holding an ordinary word that
    the tagger is not sure of, and the list is not counted as people (蓝天、白雪、卫东三人)."""
    if _PEOPLE_AFTER.match(text, e) or _PEOPLE_BEFORE.search(text, max(0, s - 12), s):
        return False
    return any(
        len(i) >= 2
        and all(_han(c) for c in i)
        and i not in _PEOPLE
        and i not in sure
        and in_dictionary(i)
        for i in _neighbours(text, s, e)
    )


def token_at(tokens: Sequence[tuple[str, str]], s: int) -> int | None:
    """The index of the word of `tokens` that starts at character `s`, if one does."""
    pos = 0
    for i, (word, _) in enumerate(tokens):
        if pos == s:
            return i
        pos += len(word)
    return None


def noun_phrase(
    tokens: Sequence[tuple[str, str]], s: int, e: int, frequent: Callable[[str], bool]
) -> bool:
    """Whether `text[s:e]` is one word of `tokens` the segmenter tags a name (nr) and the
    dictionary counts often (`frequent`), with no person in sight (`named_here`), that makes a
    clause of its own with the noun before it (掌声雷鸣，): the rules read it as a word."""
    i = token_at(tokens, s)
    if i is None:
        return False
    word, tag = tokens[i]
    if s + len(word) != e or not tag.startswith("nr") or not frequent(word):
        return False
    if i == 0 or not tokens[i - 1][1].startswith("n") or tokens[i - 1][1].startswith("nr"):
        return False
    opens = i == 1 or not any(c.isalnum() for c in tokens[i - 2][0])
    closes = i + 1 == len(tokens) or not any(c.isalnum() for c in tokens[i + 1][0])
    return opens and closes and not named_here(tokens, i, TITLES, frequent)


def place_noun(
    tokens: Sequence[tuple[str, str]], s: int, e: int, frequent: Callable[[str], bool]
) -> bool:
    """Whether `text[s:e]` opens on a word of `tokens` tagged a name (nr) and counted often
    (`frequent`), right after a place (tagged ns or nrt) and 的, and before an adverb or an
    adjective (拉萨的阳光很强): the sunshine of a place, not someone there."""
    i = token_at(tokens, s)
    if i is None:
        return False
    word, tag = tokens[i]
    # The tagger may run on into the adverb and adjective (阳光很强): the span opens on the word.
    if s + len(word) > e or not tag.startswith("nr") or not frequent(word):
        return False
    if i < 2 or i + 1 >= len(tokens) or tokens[i - 1][0] != "的":
        return False
    return tokens[i - 2][1] in ("ns", "nrt") and tokens[i + 1][1] in ("d", "a")


def object_noun(
    tokens: Sequence[tuple[str, str]], s: int, e: int, frequent: Callable[[str], bool]
) -> bool:
    """Round 18: whether `text[s:e]` is one word of `tokens` tagged a name (nr) and counted
    often (`frequent`), after a verbal noun and 的 and ending the clause (课上分析的|范文。):
    what the verb was done on, not a person."""
    i = token_at(tokens, s)
    if i is None or i < 2:
        return False
    word, tag = tokens[i]
    if s + len(word) != e or not tag.startswith("nr") or not frequent(word):
        return False
    if tokens[i - 1][0] != "的" or tokens[i - 2][1] != "vn":
        return False
    return i + 1 == len(tokens) or tokens[i + 1][0] in ("。", "，", "；", "！", "？", ",", ";")


def common_noun(
    tokens: Sequence[tuple[str, str]], s: int, e: int, frequent: Callable[[str], bool]
) -> bool:
    """Whether `text[s:e]` is one word of `tokens` tagged an ordinary noun (n) and counted often
    (`frequent`), right after a verb or a noun, with no person in sight (`named_here`): the
    object of a phrase (呼叫|按钮), not a nickname (the rules' 室友柠檬 has a person before it)."""
    i = token_at(tokens, s)
    if i is None:
        return False
    word, tag = tokens[i]
    if s + len(word) != e or tag != "n" or not frequent(word) or i == 0:
        return False
    # Round 14: the end of the text (a subject line, 安装紧急呼叫|按钮) ends a sentence; nothing
    # after the word is no bracket after it (named_here reads "" as one).
    padded = [*tokens, ("。", "x")]
    return tokens[i - 1][1] == "v" and not named_here(padded, i, TITLES, frequent)


def described(tokens: Sequence[tuple[str, str]], s: int, e: int) -> bool:
    """Round 14: whether `text[s:e]` is one word of `tokens` the segmenter tags a state or an
    adjective (z, a) right after a noun, with no person in sight (`named_here`): what the noun is
    like (天空|湛蓝，), not a person (室友湛蓝 has a person before it, 湛蓝说 a verb after)."""
    i = token_at(tokens, s)
    if i is None or i == 0:
        return False
    word, tag = tokens[i]
    if s + len(word) != e or tag not in ("z", "a"):
        return False
    padded = [*tokens, ("。", "x")]
    return tokens[i - 1][1] in ("n", "ns", "nz") and not named_here(padded, i, TITLES)
