"""Specification of the tuning round h-tune9 (issue #16): pool h's emergency and department classes.

Each table is one class of error found on pool h (`heldout7/`, seen since its one measurement),
written here as made-up letters in other words than the pool's: a severe allergic reaction told
only by its symptoms (in English too), a last message that hands over a password or apologises to
the mother, a veiled threat against a named member of staff (where she lives, 你们看着办), and the
department conventions decided in `tests/data/eval/README.md` (someone bitten or stung → the
clinic, fire equipment → 保卫处, staff pay → 人事处, the card system and web pages → 网络信息中心,
someone struggling in the water → 保卫处). Hard negatives keep the new words from raising false
alarms. The letters go through the shipped rules and second reader, as a real letter does.
"""

from __future__ import annotations

import pytest

from classify_helpers import read

ALLERGY_BY_SYMPTOMS = [
    "My classmate just ate a cookie at the club meeting and her lips and tongue are swelling, "
    "she says her throat is closing. Student Center room 210, please hurry.",
    "Our lab mate had some shrimp at lunch. Now his throat feels tight and his face and lips "
    "are puffing up. He left his EpiPen at home. We are in the chemistry building, 3rd floor.",
    "室友刚吃了外卖的芒果，脸和嘴唇一下子肿起来了，说嗓子发紧，喘气有声音。我们在桂园6栋402。",
    "同学吃完坚果蛋糕，舌头肿了，喉咙很紧，说话都费劲，他没带肾上腺素笔，我们在图书馆三楼。",
]


@pytest.mark.parametrize("text", ALLERGY_BY_SYMPTOMS)
def test_an_allergic_reaction_told_by_its_symptoms_is_the_clinics_emergency(text: str) -> None:
    assert read(text)[:2] == ("E", "xyy")


LAST_MESSAGES = [
    "My roommate texted me twenty minutes ago: \"Please tell my mom I'm sorry. The password of "
    'my phone is 0612." Now she is not answering. Dorm 7, room 318.',
    "He posted in our group chat half an hour ago: tell my parents I'm sorry, my bank card pin "
    "is 2580. He won't pick up his phone.",
    "表妹刚给我发消息：“替我跟妈妈说对不起，手机密码是0815。”然后就再也不回了，她住在竹园3栋。",
    "同学早上哭着说对不起家里，说以后就当没我这个女儿，之后电话一直关机，我们到处找不到她。",
]


@pytest.mark.parametrize("text", LAST_MESSAGES)
def test_a_last_message_handing_over_a_password_is_self_harm(text: str) -> None:
    assert read(text)[:2] == ("E", "xsc")


VEILED_THREATS = [
    "那个扣我分的宿管，我知道她住在哪栋楼，你们看着办吧，到时候别说我没提醒。",
    "我知道那个老师住哪个楼，他敢挂我科，你们看着办。别以为我在开玩笑。",
]


@pytest.mark.parametrize("text", VEILED_THREATS)
def test_a_veiled_threat_against_a_member_of_staff_is_an_emergency(text: str) -> None:
    assert read(text)[:2] == ("E", "bwc")


NOT_ALARMS = [
    # A password forgotten, not handed over.
    "I forgot the password of my campus account and the reset page does not load.",
    # A canteen allergy label, nobody ill.
    "食堂的菜品没有标注过敏原，我对花生过敏，每次都要问窗口阿姨，希望能贴个标签。",
    # 看着办 said by a supervisor about a report.
    "导师说中期报告让我自己看着办，可是我连格式要求都不知道，研究生处有没有模板？",
    # Staff who leave work late, no threat.
    "图书馆的老师下班的时候经常已经十点多了，能不能增加一个值班的人？",
]


@pytest.mark.parametrize("text", NOT_ALARMS)
def test_the_new_words_raise_no_alarm_in_ordinary_letters(text: str) -> None:
    assert read(text)[0] == "N"


# (letter, department) by the conventions of tests/data/eval/README.md.
CONVENTIONS = [
    # Someone already bitten or stung: the clinic, even with the animal still about.
    ("我在西门外被一条黑狗咬了一口，小腿出血了，那条狗还在门口，我现在去哪打疫苗？", "xyy"),
    ("我们在后山采样，一个同学被马蜂蛰了好几下，现在头肿得厉害，人有点晕。", "xyy"),
    # Someone in the water now: a rescue, 保卫处, even when someone jumped in after them.
    ("荷花池那边一个学生掉下去了，他同学也跳下去拉他，现在两个人都在水里扑腾，快来人！", "bwc"),
    # Fire equipment is 保卫处's 消防.
    ("我们教学楼每层的灭火器都过期一年多了，压力表指针在红区，请换一批。", "bwc"),
    # Staff pay and the housing fund are 人事处's.
    ("我是合同制职工，今年的公积金缴存基数还按前年工资算，少缴了不少，请核实调整。", "rsc"),
    # The card system and the school's web pages are 网络信息中心's.
    ("从中午开始校园卡系统就刷不了卡了，食堂和门禁都用不了。", "wlzx"),
    ("学院网站上老师的个人主页好几年没法更新了，上传照片总是失败。", "wlzx"),
]


@pytest.mark.parametrize(("text", "dept"), CONVENTIONS)
def test_the_labelling_conventions_route_letters(text: str, dept: str) -> None:
    assert read(text)[1] == dept
