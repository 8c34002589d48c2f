"""Redaction by classes of written forms, seventh round (issue #13, branch h-redact7).

Each table holds forms of one class the earlier tables (`test_redact_classes.py`,
`test_redact_round6.py`) did not cover: a name right after a word for a person even when it is
an ordinary word or starts with a surname that is mostly a word, the name that ends a
self-introduction, a name between a word for a person and a verb of saying, the child a parent
introduces themselves by, lists of people next to a full name, nicknames in lists and the name
someone is called by, a name-shaped word twice in a person's slot, a Chinese name given after a
foreign one, nicknames that sign a letter alone, and a surname the segmenter reads as a word of
its own before a title; `PATTERNS` addresses, numbers and roman names in forms the patterns
missed; `KEPT` the ordinary sentences of the same shapes. Names are made up.
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


ROLES = [
    # A word for a person, then a name-shaped word, then what follows a person.
    ("我们团长苗雨凡已经跟她沟通过。", "苗雨凡"),
    ("店员伏小川说不知道。", "伏小川"),
    ("学生钟意的父亲打来电话。", "钟意"),
    ("我跟琴房管理员支晓薇协商过。", "支晓薇"),
    ("单位人事季夏燕说没收到。", "季夏燕"),
]

INTRODUCED = [
    # The name that ends 我是… before a pause, even an ordinary word or a place or number word.
    ("老师您好，我是商学院的方正，想转专业。", "方正"),
    ("我是新闻学院2026级的万千。学院要求交钱。", "万千"),
    ("我是体育学院黎北辰，想举报一件事。", "黎北辰"),
]

SAYS = [
    # A word for a person whose last character the segmenter glues to the surname.
    ("我们跟他们宿舍长石峰说了很多遍。", "石峰"),
    ("楼里热水器坏了，管理员东方亮说要开学才修。", "东方亮"),
]

PARENTS = [
    # A parent introduces themselves by the child's name.
    ("学校您好，我是2025级栾思齐的爸爸。", "栾思齐"),
    ("老师好，我是邰子墨的家长，想问一件事。", "邰子墨"),
    ("校长您好：我是应梓轩的家长。", "应梓轩"),
]

LISTS = [
    # Next to a full name in a 、-list, an ordinary word or a mostly-word surname is a name too.
    ("附上同学的签名：涂亮、聂博、揭明。", "揭明"),
    ("同事喻大海、秦关也是这样。", "秦关"),
    # A counted group holds names without a known surname.
    ("团里的宝力、娜琳两位同学拿了金奖。", "娜琳"),
]

CALLED = [
    # A Chinese name given after a foreign one, with a middle dot between given and father's name.
    ("I am Nurlan Beket, 中文名叫努尔江。", "努尔江"),
    ("My Chinese name is 阿迪拉). Thanks.", "阿迪拉"),
    ("尊敬的老师：我叫阿依努尔·买合木提，是新生。", "阿依努尔·买合木提"),
]

PARTICLE = [
    # A full name after 的 before 得 (隔壁班的宗思思得95分), and its given name with it.
    ("同样的代码，隔壁班的卓依依得95分。", "卓依依"),
]

REPEATED = [
    # A name-shaped word twice in a person's slot: at a clause's start or after a time word,
    # before a verb, an adverb or a time word.
    ("上周向晴发烧了，是宿管背她去的医院。向晴现在已经好了。", "向晴"),
    ("双胞胎女儿都在贵校，一凡住6号楼，一凡已经感冒了。", "一凡"),
    ("我的室友佳怡这两周几乎不吃饭。佳怡妈妈的电话我们没有。", "佳怡"),
]

NICKNAMES = [
    # Short names listed after 的 before 都/也, one of them shaped as a nickname.
    ("我们宿舍的阿琰、小橙都被她说过。", "阿琰"),
    ("一起打工的果果、二虎都可以证明。", "二虎"),
    # The name someone goes by, after 叫.
    ("可我们楼根本没有叫小苒的人。", "小苒"),
    ("开门的同学叫禾羽，态度挺好。", "禾羽"),
    # Next to a found name in a list, two characters the dictionary does not hold.
    ("好几个同学都遇到过，比如琪瑶和萌萌。", "琪瑶"),
]

SIGNED = [
    # A nickname alone on the last line, even a word; a name before a contact label.
    ("宿舍的空调坏了，请尽快修理。\n——豆豆", "豆豆"),
    ("宿舍的空调坏了，请尽快修理。\n老三 139 1234 0000", "老三"),
    ("宿舍的空调坏了，请尽快修理。\n——住5号楼的小禾", "小禾"),
    ("食堂的饭菜太咸了。\n——哲学系一名学生 悠悠 扣扣：675203100", "悠悠"),
    ("楼道的灯坏了。\n——六楼的小禾和阿岚", "阿岚"),
    ("Thanks for your help.\nT. Okamura", "Okamura"),
]

AFTER_PREPOSITION = [
    # 小X (X a surname) after a preposition that takes a person, whatever verb follows.
    ("我已经拍到他拿手机对着小岑拍的视频。", "小岑"),
    ("上周他把小蔺骂哭了。", "小蔺"),
]

SURNAME = [
    # 居 is a surname too (百家姓), kept from its words by the dictionary's guards.
    ("我想表扬就业指导中心的居文韬老师。", "居文韬"),
]

TITLED = [
    # A surname the dictionary reads with the word before it (处方), which the segmenter does not.
    ("我想反映教务处方老师的工作态度。", "方"),
]


PATTERNS = [
    # Addresses: 甲 numbers, entrances (2门), lanes of flats, family housing, villages.
    ("我住海淀区复兴路甲7号院3号楼2门401。", "甲7号院3号楼2门401"),
    ("我住在东城区和平西里15号楼3门602。", "15号楼3门602"),
    ("我住在北京校区家属院6号楼1门3层西户。", "6号楼1门3层"),
    ("回老家（河北省保定市清苑区东闾乡北王力村）。", "东闾乡北王力村"),
    # The country code in brackets before a mobile.
    ("电话（+86）13766550123。", "86"),
    # Labels in English, and an account id after a word for one.
    ("My WeChat is Lu_Yao-2024. Thanks.", "Lu_Yao-2024"),
    ("My student ID is LX2023017.", "LX2023017"),
    ("他又换了一个号mo_chen_0308来加我。", "mo_chen_0308"),
    ("I live in Dorm 2, room 415.", "415"),
    # Roman names: a given name in two words, after a kin word, between by and a verb.
    ("证明上名字拼成了Tan Jia Hui。", "Jia Hui"),
    ("我和丈夫Arjun需要办理居留证。", "Arjun"),
    ("The key was taken by Pavel and he left.", "Pavel"),
]


def _hidden(redactor: Redactor, text: str, secret: str) -> bool:
    return secret not in redactor.redact_all([text])[0]


HIDDEN = ROLES + INTRODUCED + SAYS + PARENTS + LISTS + PARTICLE + NICKNAMES + CALLED + SIGNED
HIDDEN += REPEATED + AFTER_PREPOSITION + SURNAME + PATTERNS


@pytest.mark.parametrize(("text", "secret"), HIDDEN)
def test_each_new_class_is_hidden(redactor: Redactor, text: str, secret: str) -> None:
    assert _hidden(redactor, text, secret), redactor.redact_all([text])[0]


@pytest.mark.parametrize(("text", "surname"), TITLED)
def test_a_surname_before_a_title_is_hidden_where_the_segmenter_starts_a_word(
    redactor: Redactor, text: str, surname: str
) -> None:
    out = redactor.redact_all([text])[0]
    assert surname + "老师" not in out and "教务处" in out, out


KEPT = [
    # Ordinary words after a word for a person: a time, an adverb, a noun, a verb.
    "学生时代，我很快乐。",
    "老师时间不够，课没讲完。",
    "同学周末都回家了。",
    "老师安排，我们照做。",
    "学生党员说要带头。",
    "团长已经说过了。",
    "同学方面，请辅导员通知。",
    # Self-introductions that end with a role or an ordinary word.
    "我是房东，想问一下租房的事。",
    "我是高三学生的家长。",
    "我是孩子的妈妈。",
    "我是计算机学院的学生，想问一件事。",
    # Literary forms, brands and dishes that the segmenter tags as names.
    "唐诗和宋词都很美。",
    "学校超市新进了一批康师傅方便面。",
    "黄焖鸡米饭涨价了。",
    # A closing alone on the last line.
    "请尽快处理。\n谢谢",
    "请尽快处理。\n——妈妈",
    # English sentences with a capitalised word after by, a file name with an underscore.
    "The form was signed by Monday and he left it there.",
    "文件名是report_2024.pdf，请查收。",
    # A verb of the dictionary after 请, which takes a person too.
    "材料已发，请查收，谢谢。",
    # A verbal noun and one more character after a word for a person.
    "教育部令对学生管理作了规定。",
    # Lists of things after 的, and what one orders after 叫.
    "天上的星星、月亮都很亮。",
    "叫外卖的人越来越多了。",
    # Ordinary words twice at a clause's start.
    "马上就要考试了。马上就放假了。",
    "现在宿舍很冷。现在食堂也关了。",
    # 小 words after 把 and 给 that are no nicknames.
    "他把小米手机送人了，又给小孩买了玩具。",
    # Words that open with 居.
    "他居然说不知道，居委会主任也不管。",
    "我的邻居老师很好，居民们都这么说。",
    # 得 after an ordinary word after 的.
    "他的高兴得很明显。",
]


@pytest.mark.parametrize("text", KEPT)
def test_ordinary_text_is_kept(redactor: Redactor, text: str) -> None:
    assert redactor.redact_all([text])[0] == text
