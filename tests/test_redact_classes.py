"""Redaction by classes of written forms, for letters no rule was tuned on (issue #13).

Each table holds forms of one class — a name in a slot only people stand in, a given name alone,
a signature after a class and before a date, a romanised full name after a cue, a phone number
told in Chinese digits — with names and numbers made up for these tables, not taken from the
labelled sets. `KEPT` holds the ordinary text the same mechanisms must leave alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pii_helpers import load_half, measure
from xinxiang.config import load_config
from xinxiang.replies.privacy import public_allowlist
from xinxiang.replies.redact import fold_width
from xinxiang.replies.redactor import Redactor, jieba_lexicon, load_redactor
from xinxiang.replies.signatures import signature_line, signature_names

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    """The redactor the repository's sample deployment (`config/`) publishes with."""
    cfg = load_config(ROOT / "config")
    return load_redactor(cfg.directory / "redaction.toml").with_allowed(public_allowlist(cfg))


def _hidden(redactor: Redactor, text: str, secret: str) -> bool:
    out = redactor.redact_all([text])[0]
    core = [c for c in fold_width(secret) if c.isalnum()]
    return secret not in out and "".join(core) not in "".join(c for c in out if c.isalnum())


SLOTS = [
    # A surname and one or two characters between a word that takes a person and one that
    # follows a person: a verb of saying, a conjunction, an adverb, a pause.
    ("我去问了蒯振华，他说不知道。", "蒯振华"),
    ("我跟郗文博一起去的。", "郗文博"),
    ("仉立强说他看见了。", "仉立强"),
    ("缑佳怡表示不同意。", "缑佳怡"),
    ("隗子轩讲了很多遍。", "隗子轩"),
    ("谯梦瑶和禤家豪都在场。", "禤家豪"),
    ("邰文静、巩俊杰、栾思雨、鄂浩都反映过。", "鄂浩"),
    ("我们的班主任是单于明。", "单于明"),
    ("濮阳晨负责这件事。", "濮阳晨"),
    ("尉迟恒、宇文浩都没来。", "尉迟恒"),
    ("昨天晚上范志远在宿舍里用电炉子做饭。", "范志远"),
    ("那天是柯晓丽帮我把箱子搬上楼的。", "柯晓丽"),
    ("导员柳婷婷不让我们请假。", "柳婷婷"),
    ("付钱的是宗晓峰，收钱的是卜建国。", "卜建国"),
    # A rarer surname before a title: only the surname is the name's part.
    ("蒯导让我们周末加班。", "蒯"),
    ("宿管麹阿姨对我们很凶。", "麹"),
    ("罗小姐接待了我们。", "罗"),
]

GIVEN_ALONE = [
    # A given name without its surname, in a strong slot, or shaped as one (思思, 阿芳).
    ("一鸣说他不去了。", "一鸣"),
    ("思思跟我是室友。", "思思"),
    ("我和思远是高中同学。", "思远"),
    ("我们班的欣妍同学被车撞了。", "欣妍"),
    ("我是保安队的阿杰。", "阿杰"),
    ("她的男朋友叫明轩。", "明轩"),
    ("请转告思琪，材料已经交了。", "思琪"),
    ("室友小雪说她看见了。", "小雪"),
    ("我妹妹小鹿也在这里读书。", "小鹿"),
    ("阿芳是食堂的员工。", "阿芳"),
]

NICKNAMES = [
    ("他说是老闫规定的。", "老闫"),
    ("收费窗口的小钱态度很差。", "小钱"),
    ("后勤的老凌答应来修。", "老凌"),
    ("管理员“老黄”说明天再修。", "老黄"),
    ("我们都叫她“小鹿”。", "小鹿"),
    ("研究生院的小贝说材料丢了。", "小贝"),
    ("K哥是我们的班长。", "K哥"),
]

WORD_NAMES = [
    # Names that are also words (夏天, 白雪, 何必), where the words on both sides say so.
    ("我的室友夏天说她不想住了。", "夏天"),
    ("我和白雪都被扣了分。", "白雪"),
    ("老师说我和甘露的报告雷同。", "甘露"),
]

NO_SURNAME = [
    # Tibetan, Uyghur and Mongolian names: chains of their syllables.
    ("藏族同学拉巴次仁生病了。", "拉巴次仁"),
    ("维吾尔族同学帕提古丽说她想家。", "帕提古丽"),
    ("新疆来的阿布都热依木同学。", "阿布都热依木"),
    ("蒙古族学生其其格考了第一名。", "其其格"),
]

ROMAN = [
    ("韩国同学KIM Minjun反映宿舍问题。", "KIM Minjun"),
    ("香港学生HO Ka Yan想申请住宿。", "HO Ka Yan"),
    ("德国外教Sophie Müller的课很受欢迎。", "Sophie Müller"),
    ("我叫Liu Xin Yi，是交换生。", "Liu Xin Yi"),
    ("My friend Aziz Karimov lost his card.", "Aziz Karimov"),
    ("I am Anna Kowalski from Poland.", "Anna Kowalski"),
    ("The coach Ivan Petrov did not reply.", "Ivan Petrov"),
    ("Regards, Maria Garcia", "Maria Garcia"),
    ("我的英文名是xiaoli。", "xiaoli"),
    ("我和Tom、Jerry一起去的。", "Jerry"),
]

NUMBERS = [
    ("电话是幺三九，一二三四，五六七八。", "13912345678"),
    ("我的号码开头是158，中间是0107，最后是3326。", "15801073326"),
    ("俄罗斯的号码 +7 916 123-45-67", "79161234567"),
    ("我住在514，楼上502太吵。", "514"),
    ("我住在514，楼上502太吵。", "502"),
    ("家住甘肃省定西市安定区中川村三社。", "中川村三社"),
    ("家住香港九龍旺角彌敦道123號5樓", "123"),
    ("我家住在香港新界沙田火炭路2號3座15樓B室。", "15樓B"),
    ("我家在台北市大安區和平東路一段162號。", "162"),
    ("Please email me at anna.kowalski[at]outlook.com.", "anna.kowalski[at]outlook.com"),
    ("We live in Building 5, Room 214.", "214"),
]

KEPT = [
    # Public figures and places where the words say so, words that are also names, rooms that
    # are not dorms, and the verbs of the slots with no one after them.
    "校友袁隆平院士的事迹让我们很感动。",
    "上周学院组织参观了卢沟桥和宛平城。",
    "学校门口的公交车站叫黄庄站。",
    "甘露寺是一个景点。",
    "马驹桥那边堵车。",
    "何时能修好空调？",
    "冷锋过境，气温骤降。",
    "王道和霸道是两个概念。",
    "钱一分都没有退回来。",
    "樊篱已经拆除，道路恢复通行。",
    "高数、线代等课程的补考安排出来了吗？",
    "孔子说，学而时习之。",
    "会议改到综合楼4-301举行。",
    "我想找工作，但是学校的招聘会太少了。",
    "我去问了问题，没有人回答。",
    "我们和平相处了四年。",
    "跟往常一样，排队很长。",
    "程度好的学生可以选修。",
    "我的高中同学说他也要来。",
    "毕业同学请注意。",
    "室友昨天说她要搬走。",
    "我的同学马上说不行。",
    "我们班同学都很关心这件事。",
    # The learned name tagger (on since round 10) is sure of 小钱 here; a strict xfail from round
    # 10 to 12, kept since round 13 by the tagger's gate (`earned`: money after 省下的).
    "省下的小钱都存起来了。",
    "老师说明天考试。",
    "李子熟了。",
    "请通知学院，明天开会。",
    "语文、数学和英语都很重要。",
    "室友小心翼翼地说。",
    "丁香开了。",
    "欧阳修是唐宋八大家之一。",
    "常青藤大学。",
    "李宁牌运动服。",
    "请同学们按时参加。\n后勤管理处\n2026年12月1日",
    "我们班的同学被车撞了。",
    "The heating in the teaching building is too weak in December.",
    "Thank you very much for your help.",
    "The lecture is in Room 305 of the main building.",
]


@pytest.mark.parametrize(
    ("text", "secret"),
    SLOTS + GIVEN_ALONE + NICKNAMES + WORD_NAMES + NO_SURNAME + ROMAN + NUMBERS,
)
def test_each_class_is_hidden(redactor: Redactor, text: str, secret: str) -> None:
    assert _hidden(redactor, text, secret), redactor.redact_all([text])[0]


@pytest.mark.parametrize("text", KEPT)
def test_ordinary_text_is_kept(redactor: Redactor, text: str) -> None:
    assert redactor.redact_all([text])[0] == text


SIGNATURE_LINES = [
    # (the signature, what is left of its line for the name)
    ("计算机学院2023级 蒯振华", "蒯振华"),
    ("此致敬礼 学生：冼嘉欣 2026.12.3", "冼嘉欣"),
    ("——软件工程1班 郗文博", "郗文博"),
    ("环境学院 大二 阚晓东 敬上", "阚晓东"),
    ("土木工程专业21级学生邰文静", "邰文静"),
    ("缑佳怡（化学学院）", "缑佳怡"),
    ("仉立强 13812345678", "仉立强"),
    ("张扬妈妈", "张扬"),
    ("2026年12月1日", ""),
]


@pytest.mark.parametrize(("line", "expected"), SIGNATURE_LINES)
def test_signature_line_keeps_only_the_name(line: str, expected: str) -> None:
    assert signature_line(line) == expected


BODY = "书记您好，宿舍的暖气不热，请尽快维修。\n"
SIGNATURES = [
    ("此致\n敬礼！\n计算机学院2023级 蒯振华\n2026年12月1日", ["蒯振华"]),
    ("学生家长 谯梦瑶\n2026-12-01", ["谯梦瑶"]),
    ("祝好！\n子涵", ["子涵"]),
    ("思源 谨上", ["思源"]),
    ("学生 思源\n2026年12月1日", ["思源"]),
    ("老范", ["老范"]),
    ("谢谢", []),
    ("辛苦了", []),
    ("盼复", []),
    ("希望尽快解决", []),
]


@pytest.mark.parametrize(("tail", "expected"), SIGNATURES)
def test_signatures_after_dates_classes_and_closings(tail: str, expected: list[str]) -> None:
    assert signature_names(BODY + tail, jieba_lexicon()) == expected


def test_selfcheck_set_keeps_its_measured_figures(redactor: Redactor) -> None:
    """The set written before this tuning (`tests/data/pii/selfcheck/README.md`): the figures
    bench/RESULTS.md records for it, less a margin, are a floor."""
    score = measure(redactor, load_half("selfcheck"))
    assert score.recall >= 0.93
    assert score.false_rate <= 0.02
