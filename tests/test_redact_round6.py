"""Redaction by classes of written forms, second round (issue #13, branch h-redact6).

Each table holds forms of one class the first tables (`test_redact_classes.py`) did not cover:
names after posts in student bodies and campus jobs, the name one says one is called, compound
surnames the segmenter splits from the given name, 老X/小X after a job or before an adverb,
doubled given names, English names after "my friend" or Professor; and `KEPT` the ordinary
sentences of the classes that were wrongly hidden — lists of things, places by their last
character, words of place after a surname-like word, doubled words for kin. Names are made up.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from xinxiang.config import load_config
from xinxiang.replies.privacy import public_allowlist
from xinxiang.replies.redactor import Redactor, load_redactor

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    """The redactor the repository's sample deployment (`config/`) publishes with."""
    cfg = load_config(ROOT / "config")
    return load_redactor(cfg.directory / "redaction.toml").with_allowed(public_allowlist(cfg))


POSTS = [
    # A full name right after a post in a student body or club, or a person by sex or job.
    ("我是摄影社社长缑明远。", "缑明远"),
    ("舍长欧阳丽让我来反映。", "欧阳丽"),
    ("候选人郗志豪拉票时送了礼物。", "郗志豪"),
    ("有个男生仉浩然摔伤了腿。", "仉浩然"),
    ("宣传部部长邰雨桐没有回复。", "邰雨桐"),
]

CALLED = [
    # What one says one is called, even an ordinary word; what others call someone, in quotes.
    ("我叫快乐，是真名。", "快乐"),
    ("大家好，我叫阳春。", "阳春"),
    ("同学们都叫她“小米粒”。", "小米粒"),
    ("我们都喊他“二胖”，他住在隔壁。", "二胖"),
]

COMPOUND = [
    # A compound surname the segmenter splits from a short given name.
    ("班上的司马悦只是提了个意见。", "司马悦"),
    ("听说是皇甫一凡的电动车。", "皇甫一凡"),
    ("夏侯雪让我转告大家。", "夏侯雪"),
]

NICKS = [
    # 老X/小X after a campus job, before an adverb and a verb, or before where someone is.
    ("门卫老樊不让我进去。", "老樊"),
    ("电工老蔺请假了。", "老蔺"),
    ("食堂的老黄又说不行。", "老黄"),
    ("钥匙在保卫处的小闫那里。", "小闫"),
    ("快递点的小钱把我的包裹弄丢了。", "小钱"),
]


DOUBLED = [
    # A doubled given name last in a list or after 和/跟, before a pause.
    ("比如子涵和楠楠。", "楠楠"),
    ("我和丽丽都是新生。", "丽丽"),
]

ENGLISH = [
    # One name after "my friend", "my classmate" …, or after Professor; a pinyin name in lower
    # case after Ms./Mr.
    ("My roommate Natasha saw it too.", "Natasha"),
    ("The tutor, Professor Qiao, said yes.", "Qiao"),
    ("I wrote to Ms. yuting twice.", "yuting"),
]


def _hidden(redactor: Redactor, text: str, secret: str) -> bool:
    return secret not in redactor.redact_all([text])[0]


@pytest.mark.parametrize(("text", "secret"), POSTS + CALLED + COMPOUND + NICKS + DOUBLED + ENGLISH)
def test_each_new_class_is_hidden(redactor: Redactor, text: str, secret: str) -> None:
    assert _hidden(redactor, text, secret), redactor.redact_all([text])[0]


KEPT = [
    # Lists of things, one of them a word the segmenter tags a name.
    "松树、柏树的叶子四季常青。",
    "青山、白云、小河，风景很美。",
    # Places by their last character, and listed with one.
    "王村、马驹桥一带都能租到房子。",
    # A word of place after a word that opens like a name.
    "林荫道上停满了自行车。",
    "清明前后雨水多。",
    "小卖部在东门外面。",
    # Dictionary words for plants and things.
    "凌霄花开得正好。",
    "易拉罐不能扔进厨余垃圾。",
    # 我叫 and 小钱 not as names.
    "我叫了外卖，很快就到了。",
    "挣点小钱把日子过好。",
    # Doubled words for kin are no given names.
    "他跟妈妈说了。",
    "我和哥哥都是新生。",
    "我和奶奶。",
    # Honorifics with no name after them.
    "Ms. and Mr. are the usual titles.",
    # Compound surnames that are words.
    "东方红是一首歌。",
]


@pytest.mark.parametrize("text", KEPT)
def test_ordinary_text_is_kept(redactor: Redactor, text: str) -> None:
    assert redactor.redact_all([text])[0] == text
