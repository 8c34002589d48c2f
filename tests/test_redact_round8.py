"""Redaction by classes of written forms, eighth round (issue #13, branch h-redact8).

Classes the sixth writer's set (`tests/data/pii/heldout5`, seen since stop 24) showed and the
earlier tables (`test_redact_classes.py`, `test_redact_round6.py`, `test_redact_round7.py`) did
not cover. Names: two runs joined by a middle dot, full names before a title (also an elder's
老+post), a word in a role's slot that recurs before a title, what a found name brings along,
the name others call the writer by, names in the writer's own script after its label, a
parent's child before the parent's own name, three-character names whose surname is a word, rare
words after a peer, names after an account's label, a name before a phone on a sign-off line, a
four-character name after a role; roman names after more cues. Patterns: handles with an
underscore and digits, English dorm names, wings, compound districts, 4-3 landlines, a local
number alone on its line, 20-digit accounts, passport and card labels. `KEPT`: ordinary
sentences of the same shapes. Names and numbers are made up.
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


DOTTED = [
    # Two runs joined by a middle dot, grown over the segmenter's words.
    ("我是辅导员帕丽达·买买提，想反映一件事。", "帕丽达"),
    ("班上有一位学生阿依古丽·吐逊家里有困难。", "吐逊"),
]

TITLED = [
    # A full name before a title, an elder's title, or after a role before one.
    ("我想起已经退休的訾国梁老校长。", "訾国梁"),
    ("照片上有我们的班主任郗文涛老师。", "郗文涛"),
    ("都是他的研究生柏岚代课。柏岚师姐很辛苦。", "柏岚"),
]

ECHOED = [
    # What a found name brings along.
    ("希望学校通融。\n阿凯（邬凯文）\n2024 0101 011", "邬凯文"),
    ("我叫郄一帆，很多人不认识“郄”这个字。", "“郄”"),
    ("我是2025级新生殷果果的妈妈。\n果果妈妈", "果果妈妈"),
]

CALLED = [
    # The name others call the writer by; names in the writer's own script after their label.
    ("我是大二的学生，大家都叫我橘子。想提个建议。", "橘子"),
    ("我姓巫，学生们干脆叫我“芒果阿姨”。", "芒果"),
    ("韩语名字 박서연. 我的中文不好。", "박서연"),
    ("日文名字是佐藤美咲。请多关照。", "佐藤美咲"),
    ("我的学号在下面\n我的名字晏子路", "晏子路"),
]

SLOTS = [
    # A parent's child before the parent's own name; a role's slot; an account's label.
    ("我是法学院屠晨阳的父亲屠建国。", "屠晨阳"),
    ("维修工全立新来了两次都没修好。", "全立新"),
    ("我的同学步雨桐一直帮我。", "步雨桐"),
    ("上周五我和同学江畔没赶上车。", "江畔"),
    ("学生牧歌上周被多扣了钱。", "牧歌"),
    ("户名郁桂兰。请学校帮忙催一下。", "郁桂兰"),
    ("我们生活部的韩朗和于青做了一个问卷。", "于青"),
    ("快递单上写的收件人是安宁，电话也不是我的。", "安宁"),
    ("我们班有个同学叫石峰，他今天晕倒了。", "石峰"),
]

SIGNED = [
    # A name before a phone on a sign-off line; a rare word ending a self-introduction; a
    # four-character name after a role.
    ("请一定修路灯！\n小鹿 13712345678", "小鹿"),
    ("能不能给个准话。\n朵朵的妈妈 0312 5566 778", "朵朵"),
    ("书记好～\n我是大三的向暖！！想夸一下老师。", "向暖"),
    ("我是外聘的舞蹈老师达娃央宗，在艺术团上课。", "达娃央宗"),
    ("我是外聘的舞蹈老师次仁央宗，在艺术团上课。", "次仁央宗"),
]

ROMAN = [
    # An apostrophe in a surname, a lower-case "i am", kin words, a title before the cued name,
    # a roman given name before its bracketed Chinese name.
    ("Dear Sir,\nI am Siobhan O'Neill, a visiting teacher.", "O'Neill"),
    ("hello. i am Park Jiwoo from korea, sorry.", "Jiwoo"),
    ("I write on behalf of my son Daniyar Serikov, a first-year student.", "Daniyar"),
    ("授课老师 Professor Hannah Schulz 讲得很好。", "Schulz"),
    ("谢谢老师。\nGrace（葛蕾）\n", "Grace"),
]

PATTERNS = [
    ("联系我 wxid_ab12cd34ef", "ab12cd34ef"),
    ("我叫某某，18100001111，lq_kaoyan2027", "kaoyan2027"),
    ("My room is in Graduate Student Apartment 3, Room 612.", "Graduate"),
    ("I live in Foreign Expert Building C, 305 since May.", "305"),
    ("——12号楼406一个同学看见了", "406"),
    ("我现在住9号楼西 318，宿舍很冷。", "318"),
    ("家庭住址：北京市海淀区车道路12号院南区3号楼2门501", "501"),
    ("住在青年教师公寓3号楼南侧二层2-05室。", "2-05"),
    ("联系电话 0312 6677 889", "6677"),
    ("我在上海，电话+86 (0)21 5566 7788。", "5566"),
    ("周大勇\n６７８９ １２３４", "１２３４"),
    ("我们的对公账户：6222 0202 0011 3849 5571，联系人", "3849"),
    ("我的护照号E12345678，宿舍在留学生公寓。", "E12345678"),
    ("我的访问学者证号VS2026-088，邮箱另附。", "VS2026-088"),
    ("You can reach me at k.amara[at]outlook.com or by phone.", "amara"),
]


def _hidden(redactor: Redactor, text: str, secret: str) -> bool:
    return secret not in redactor.redact_all([text])[0]


HIDDEN = DOTTED + TITLED + ECHOED + CALLED + SLOTS + SIGNED + ROMAN + PATTERNS


@pytest.mark.parametrize(("text", "secret"), HIDDEN)
def test_each_new_class_is_hidden(redactor: Redactor, text: str, secret: str) -> None:
    assert _hidden(redactor, text, secret), redactor.redact_all([text])[0]


KEPT = [
    # Public figures and fictional names with a middle dot.
    "我最近在读马克思·韦伯的书。",
    "图书馆新到了《哈利·波特》全套。",
    # A quoted motto, a thing after a measure word, brands and dishes named after people.
    "校训是“崇德、博学、求是、创新”吗？",
    "雪后操场成了一片白色的海洋。",
    "我穿的是李宁的运动鞋。",
    "超市里的王致和腐乳涨价了。",
    "食堂一份宫保鸡丁卖14元。",
    "我在杨国福麻辣烫买了一份饭。",
    "超市里的周黑鸭又涨价了。",
    "我在钱大妈买了一把青菜。",
    # Compounds after a peer, subjects before a title, labels before numbers.
    "同学关系一直很好。",
    "学生宿舍上周停水了。",
    "老师们辛苦了，感谢你们的付出。",
    "任课老师布置了作业。",
    "我的名字已经在系统里登记过了。",
    "大家都叫我过去帮忙。",
    "联系人：后勤处，电话88562008。",
    "我和高中同学一起去。",
    "电话 88561833",
    "2026-11-20 10:03:12",
    "请把文件存为 report_final.docx 再发。",
    "Water is dripping in Teaching Building 3, Room 201.",
    # Words after a role that are no four-character name.
    "其他学生跑去拿水。",
    "研究生处领导好，我想问一件事。",
    "学生价三折起，欢迎选购。",
]


@pytest.mark.parametrize("text", KEPT)
def test_ordinary_text_is_kept(redactor: Redactor, text: str) -> None:
    assert redactor.redact_all([text])[0] == text
