"""Names that are no one's in the letter: public and fictional figures, adjectives after degree.

Round 9 (the seventh writer's clean sentences): 林黛玉和贾宝玉是《红楼梦》的主人公 and 张謇是近代
著名的实业家 speak of figures everyone may name; 处理得不够廉正 has an adjective that the segmenter
tags as a name after a degree adverb. Round 11 (the ninth writer's): a figure named by what it
is before the name (我最喜欢的作家是路遥), by its works (柏杨的《丑陋的中国人》, 上官仪的诗在唐初
很有名), and a word listed beside a brand or figure the lists hold (王老吉和加多宝) — each only in
a sentence with no word of the letter's own people. Round 13 (the eleventh writer's): a figure
whose deeds are a story of a work (鲁智深倒拔垂杨柳，都是《水浒传》里的故事), the author of a
work the writer's group reads (我们读书会读的是沈从文的《边城》: the readers are no one the work
is by), and a figure of a screen work or a story the writer watched (狄仁杰断案的电视剧我看了).
`not_a_person` (rounds 14–16): a figure of famous fiction or a part of one, a landmark, a word for
a person and one character more, a code's label (索书号), a measure word after a numeral, X中
before a numeral — applied to every finder's names, the tagger's included.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from xinxiang.replies.name_things import a_garden, a_thing, in_motto, quoted_as_word, recited
from xinxiang.replies.name_words import FICTION, LANDMARKS, ROLE_CUES, TITLES, WEAK_CUES

# What a sentence says a public, historical or fictional figure is (…是《红楼梦》的主人公).
_FIGURE = (
    r"主人公|主角|人物|角色|作家|诗人|词人|文学家|实业家|科学家|思想家|政治家|军事家|艺术家|"
    r"画家|书法家|音乐家|哲学家|革命家|教育家|数学家|物理学家|化学家|皇帝|帝王|将军|英雄|名人|伟人|"
    # Round 12: 上官婉儿是唐代的才女.
    r"才女|才子|女诗人|文豪|史学家|宰相|丞相|名臣|名将|皇后|公主|"
    # Round 13: …都是《水浒传》里的故事.
    r"故事|典故|传说|神话|名著|情节"
)
_PUBLIC_PREDICATE = re.compile(rf"^[^。！？!?；;\n]*?是[^。！？!?；;\n，,]{{0,14}}(?:{_FIGURE})")
# Words of the letter's own people: a sentence with them may be about someone real and near.
_NEAR = re.compile(r"我|咱|你|您|同学|室友|老师|辅导员|舍友|师兄|师姐|学长|学姐|导师")
_SENTENCE_END = re.compile(r"[。！？!?；;\n]")
# Round 11: what a figure is, said before the name with a word of taste or time
# (我最喜欢的作家是路遥, 唐代诗人李白).
_FIGURE_BEFORE = re.compile(
    r"(?:喜欢|喜爱|欣赏|崇拜|敬佩|佩服|著名|知名|有名|伟大|古代|近代|现代|当代|[汉唐宋元明清]代?)"
    rf"的?(?:{_FIGURE})(?:是|叫)?$"
)
# A figure's works: a title in 《》 right after the name (柏杨的《丑陋的中国人》), or a kind of work
# in a sentence that says it is famous or old (上官仪的诗在唐初很有名).
_WORK_TITLE = re.compile(r"(?:写|著|编|画|唱|演|导)?的?《")
_WORK_KIND = re.compile(
    r"(?:写|著)?的(?:诗|词|曲|赋|散文|小说|文章|杂文|画|书法|字|作品|名作|代表作|名言|名句"
    r"|电影|默片|歌)"
)
_FAME = re.compile(
    r"有名|著名|闻名|知名|名篇|传世|流传|千古|经典|课本|教材|[汉唐宋元明清]初|[汉唐宋元明清]代|古代"
)
# The writer reading a work, right before its author (我读过|路遥的《…》).
_READER = re.compile(r"我(?:读过|读了|在读|看过|看了|在看|借了|买了)$")
# Round 13: words of the letter's own people other than the readers themselves (我, 我们): a
# work's author with one of these near may be someone real (我室友王强的《…》).
_NEAR_BUT_READERS = re.compile(
    r"同学|室友|老师|辅导员|舍友|师兄|师姐|学长|学姐|导师|朋友|同事|爸|妈|父亲|母亲|孩子|儿子|女儿"
    r"|丈夫|妻子|爱人|老公|老婆"
)
# Round 13: a screen work or a story about the figure, right after what it did
# (狄仁杰断案的电视剧), and the writer who watched or read it (我看了好几遍).
_SCREEN_WORK = re.compile(
    r"^[\u4e00-\u9fff]{0,4}?的(?:电视剧|连续剧|电影|动画片|动画|评书|戏|京剧|故事|传说|小说)"
)
_WATCHER = re.compile(
    r"我(?:们)?[\u4e00-\u9fff]{0,4}?(?:看了|看过|爱看|喜欢看|听过|听了|读过|读了)"
)
# What joins two items of a list (王老吉和加多宝).
_LINKS = ("和", "与", "及", "、", "还是", "或者", "或", "跟")
# Degree adverbs: what follows one directly is a quality (不够廉正, 很温和), no one's name.
_DEGREE = ("不够", "不太", "非常", "十分", "比较", "特别", "极其", "相当", "更加", "很", "太", "挺")


def _sentences_with(name: str, text: str) -> list[str]:
    """The sentences of `text` that hold `name`, each from its start."""
    out = []
    for m in re.finditer(re.escape(name), text):
        starts = [e.end() for e in _SENTENCE_END.finditer(text, 0, m.start())]
        start = starts[-1] if starts else 0
        end_m = _SENTENCE_END.search(text, m.end())
        out.append(text[start : end_m.start() if end_m else len(text)])
    return out


def public_figure(name: str, text: str) -> bool:
    """Whether every sentence naming `name` says, before anything near, that the name is a
    public, historical or fictional figure: `name` … 是 … 实业家/主人公 (张謇是近代著名的实业家)."""
    sentences = _sentences_with(name, text)
    if not sentences:
        return False
    for sentence in sentences:
        head, sep, _ = sentence.partition("是")
        if not sep or name not in head or _NEAR.search(sentence):
            return False
        if not _PUBLIC_PREDICATE.search(sentence):
            return False
    return True


def named_as_figure(name: str, text: str) -> bool:
    """Whether every sentence naming `name` names a public figure by what it is before it (我最
    喜欢的作家是路遥) or by its works after it (柏杨的《…》, 上官仪的诗…很有名), and holds no
    word of the letter's own people but the one who likes the figure (我最喜欢的) or reads the
    work (我读过路遥的《平凡的世界》)."""
    sentences = _sentences_with(name, text)
    if not sentences:
        return False
    for sentence in sentences:
        at = sentence.find(name)
        before, after = sentence[:at], sentence[at + len(name) :]
        rest = before.replace("我最喜欢", "").replace("我喜欢", "")
        if _WORK_TITLE.match(after):  # 我读过路遥的《平凡的世界》: the reader is no one near
            rest = _READER.sub("", rest)
            # Round 13: 我们读书会读的是沈从文的《边城》: the readers, not the author's people.
            if not _NEAR_BUT_READERS.search(rest + after):
                continue
        if _SCREEN_WORK.match(after) and not _NEAR.search(rest + _WATCHER.sub("", after)):
            continue  # Round 13: 狄仁杰断案的电视剧我看了好几遍
        if _NEAR.search(rest + after):
            return False
        if _FIGURE_BEFORE.search(before) or _WORK_TITLE.match(after):
            continue
        if not (_WORK_KIND.match(after) and _FAME.search(sentence)):
            return False
    return True


def beside_public(name: str, text: str, not_names: frozenset[str]) -> bool:
    """Whether `name` is always listed right beside a word the lists say is no one's — a brand,
    a public figure (王老吉和加多宝) — in a sentence without the letter's own people."""
    sentences = _sentences_with(name, text)
    if not sentences:
        return False
    for sentence in sentences:
        at = sentence.find(name)
        before, after = sentence[:at], sentence[at + len(name) :]
        if _NEAR.search(sentence):
            return False
        joined = any(
            any(before.endswith(w + link) for w in not_names if len(w) >= 2)
            or any(after.startswith(link + w) for w in not_names if len(w) >= 2)
            for link in _LINKS
        )
        if not joined:
            return False
    return True


def after_degree(name: str, text: str, known: Callable[[str], bool]) -> bool:
    """Whether `name` is a dictionary word of two characters that stands after a degree adverb
    wherever it occurs (处理得不够廉正): a quality, not a person."""
    if len(name) != 2 or not known(name):
        return False
    spots = [m.start() for m in re.finditer(re.escape(name), text)]
    return bool(spots) and all(text[:s].endswith(_DEGREE) for s in spots)


def drop_public(
    names: set[str],
    text: str,
    known: Callable[[str], bool] | None,
    not_names: frozenset[str] = frozenset(),
) -> set[str]:
    """`names` without public figures, words listed beside `not_names` and qualities after a
    degree adverb (see above)."""
    if known is None:
        return names
    return {
        n
        for n in names
        if not public_figure(n, text)
        and not named_as_figure(n, text)
        and not beside_public(n, text, not_names)
        and not after_degree(n, text, known)
    }


_STRONG_CUES = tuple(c for c in ROLE_CUES if c not in WEAK_CUES)  # 室友, not 和
# Round 14: a measure word after a numeral (有12张球台, 三张桌子): 张 counts things there.
_MEASURE_FIRST = frozenset("张支台包封项间盘杯瓶条把")
_NUMERAL_END = re.compile(r"(?:\d|[一二两三四五六七八九十百千几多])$")
# Round 14: a word ending in 中 before a numeral says "among …" (花中四君子, 诗中三绝).
_AMONG = re.compile(r"[\u4e00-\u9fff]中(?=[一二三四五六七八九十])")


# Round 15: titles of two characters or more (阿姨, 师傅), and what follows a code's label.
_LONG_TITLES = tuple(t for t in TITLES if len(t) >= 2)
_CODE_AFTER = re.compile(r"(?:是|为)?\s?[:：]?\s?[A-Za-z0-9]")


def not_a_person(name: str, text: str, frequent: Callable[[str], bool] | None = None) -> bool:
    """A found "name" that is no person: a figure of famous fiction (or a part of one), a
    landmark with no word for a person beside it; a measure word after a numeral at every place
    it occurs; X中 before a numeral. Round 18 (`name_things`): a recitation of the 百家姓, a word
    quoted in a sentence about words, a thing and its kind (`frequent`: jieba's counts)."""
    if recited(name, text) or quoted_as_word(name, text) or a_thing(name, text, frequent):
        return True
    if in_motto(name, text) or a_garden(name, text):
        return True  # Round 19: 校训是“明德博学”, 梅园和兰园
    if any(f in name for f in FICTION):
        return True  # 波特和赫敏, 福尔摩斯住在: a figure with what jieba glued to it
    if any(name.startswith(t) and len(name) <= len(t) + 1 for t in _LONG_TITLES):
        return True  # Round 15: 宿管|阿姨人很好: a word for a person and one character more
    spots = [m.start() for m in re.finditer(re.escape(name), text)]
    if not spots:
        return False
    if len(name) == 3 and name[-1] == "号" and all(_CODE_AFTER.match(text, i + 3) for i in spots):
        return True  # Round 15: 索书号是D922.5: the label of a code, not a person
    inside = [(m.start(), m.end()) for f in FICTION for m in re.finditer(re.escape(f), text)]
    if all(any(s <= i and i + len(name) <= e for s, e in inside) for i in spots):
        return True  # 霍格 of 霍格沃茨
    if name in LANDMARKS and not any(
        text.startswith(TITLES, i + len(name)) or text[:i].endswith(_STRONG_CUES) for i in spots
    ):
        return True
    if name[0] in _MEASURE_FIRST and all(_NUMERAL_END.search(text[:i]) for i in spots):
        return True
    return len(name) == 2 and all(_AMONG.match(text, i) for i in spots)
