"""Specification of the tuning round h-tune18 (issue #16): pool q's emergency classes first.

Each table is one class of error found on pool q (`heldout16/`, seen since its one measurement),
written here as made-up letters in other words than the pool's. Pool q's missed and only
suspected emergencies: water running through a light fitting onto the electrics (in English); a
last message relayed from abroad ("tell mama I am sorry", love to all, belongings left with a
note); "don't look for me" with a pet left in someone's care; the writer's own "I will not hold
on any more" written from a roof; a man hitting a woman and pulling her hair (in English). Then
its routes: a crane's load read as 上吊, someone on a roof edge seen by a bystander, a letter to
the mother left on the desk by someone outside a window, an appliance smoking after a repair
(the electrics', h-tune18's convention), thanks to every teacher of the school, the
safety-education platform without credit, four numbered matters, the school's choir contest,
thanks followed by "but … still" and a suggestion. Hard negatives: a dripping air conditioner,
a cold going round a dorm, a course on the warning signs, a gas joint replaced with no smell
left, a sign-off to 各位老师, three suggestions to one office, a friend's cat looked after.
The letters go through the shipped rules and second reader, as a real letter does.
"""

from __future__ import annotations

import pytest

from classify_helpers import read

# (subject, letter, department): emergencies now.
EMERGENCIES = [
    # Water running through a lamp onto the wiring, in English.
    (
        "Leak over the lamp",
        "Dorm 14, room 208. Water is pouring out of the light fixture above my desk and the lamp "
        "keeps flashing. We are afraid to touch the switch. Please come quickly.",
        "hqc",
    ),
    # The same in Chinese.
    (
        "",
        "楼上好像漏水了，我们宿舍的吸顶灯里在往下滴水，灯一闪一闪的，开关不敢碰，请马上派电工来！",
        "hqc",
    ),
    # A relayed last message with an apology to the mother.
    (
        "Please find my classmate",
        "My classmate's brother phoned me from Nepal. An hour ago my classmate texted him: "
        '"tell mom I am sorry, I tried my best". Now his phone is off and he is not in the '
        "library or the dorm. Please help us now.",
        "xsc",
    ),
    # The same in Chinese, a friend relays it.
    (
        "",
        "我朋友刚才给我发消息说：“替我跟爸妈说声对不起，我真的尽力了。”然后就再也不回了，宿舍也没人。"
        "请学校马上帮忙找他！",
        "xsc",
    ),
    # "Don't look for me" with a pet left in someone's care, in English.
    (
        "A strange message",
        "My neighbour in the dorm just messaged me: \"Please take care of my cat. Don't look for "
        'me." His door is open and his wallet is on the bed. Please help us find him.',
        "xsc",
    ),
    # The writer's own letter: no longer holding on, on a roof, going up after sending it.
    (
        "最后一封",
        "老师们好，我是大三的，挂了三门课，家里也不知道。我不想再撑下去了。"
        "我现在在图书馆天台，发完这条就过去。",
        "xsc",
    ),
    # A man hitting a woman now, in English.
    (
        "Help near the canteen",
        "Behind the second canteen a man is hitting a girl and kicking her, she is on the ground. "
        "Please send security now.",
        "bwc",
    ),
    # A person on the edge of a roof seen by a bystander, in English.
    (
        "Someone on the roof",
        "A person is sitting on the edge of the roof of the gym and looking down. People below are "
        "calling to him. Please send someone up there now.",
        "bwc",
    ),
    # Someone outside a window who says a letter to his mother is on the desk.
    (
        "",
        "我在10栋五楼走廊，一个女生坐在窗外的空调架上，她说“你们别过来，写给妈妈的信在桌上”。"
        "我在窗口陪她说话，请快派人！",
        "xsc",
    ),
    # An appliance smoking again after a repair (the electrics', h-tune18's convention).
    (
        "修好了又冒烟",
        "下午师傅刚修过宿舍的电暖器，说没问题了。刚才一开，电暖器后面又冒烟了，一股焦糊味。"
        "我们已经拔了插头，可还在冒。梅园3栋210。",
        "hqc",
    ),
    # A crane's load hanging loose over a path.
    (
        "塔吊上吊着的钢筋",
        "图书馆旁边的工地，塔吊上吊着一捆钢筋从人行道上方过，一头已经滑出来了，斜着在半空晃，"
        "下面全是下课的人。",
        "hqc",
    ),
]


@pytest.mark.parametrize(("subject", "text", "dept"), EMERGENCIES)
def test_pool_qs_emergencies_are_read(subject: str, text: str, dept: str) -> None:
    level, got_dept, _ = read(text, subject)
    assert (level, got_dept) == ("E", dept)


# (letter, department, disposition): routes pool q got wrong.
ROUTES = [
    # A parent names the counsellor and the canteen, then thanks every teacher of the school.
    (
        "孩子在学校三年，辅导员帮了很多忙，食堂师傅也照顾他的口味，宿管阿姨还给他送过药。"
        "感谢学校的每一位老师！",
        "dzb",
        "praise",
    ),
    # Thanks to the school for its care of the retirees.
    (
        "今年春节前学校给我们退休教师送来了慰问品，还安排了体检。感谢学校对我们老同志的关心！",
        "dzb",
        "praise",
    ),
    # The safety-education platform without credit.
    (
        "保卫处要求新生在安全教育平台上刷满十个小时，不算学分，可视频总是卡住，看完了也不记时长，"
        "能不能修一下？",
        "bwc",
        "dispatch",
    ),
    # Four numbered matters for several offices.
    (
        "几点意见：1. 宿舍的洗衣机经常坏；2. 选课系统太卡；3. 奖学金评选不透明；"
        "4. 校门口的共享单车太乱。",
        "dzb",
        "triage",
    ),
    # Four numbered matters in English.
    (
        "Some problems: 1) the hot water in my dorm is cold at night. 2) the library closes too "
        "early. 3) my scholarship has not arrived. 4) the wifi in the lab is slow.",
        "dzb",
        "triage",
    ),
    # The choir contest's rehearsals.
    (
        "学院要求我们为合唱比赛每天排练到十点，连着三周，作业都写不完。建议减少排练次数。",
        "tw",
        "dispatch",
    ),
    # Thanks, then the same mess, then a suggestion.
    (
        "上周车棚的电线被保卫处及时处理了，谢谢。不过车棚里飞线充电还是那么多，"
        "建议尽快装集中充电桩。",
        "bwc",
        "dispatch",
    ),
]


@pytest.mark.parametrize(("text", "dept", "disposition"), ROUTES)
def test_pool_qs_classes_route_letters(text: str, dept: str, disposition: str) -> None:
    level, got_dept, got_disposition = read(text)
    assert (level, got_dept, got_disposition) == ("N", dept, disposition)


# (letter, department, disposition): the same words in their ordinary sense (None: any).
HARD_NEGATIVES = [
    # A dripping air conditioner is a repair.
    ("宿舍的空调一开就往下滴水，地上都湿了，麻烦后勤来修一下。", "hqc", "dispatch"),
    # A cold going round a dorm: everyone catches it (no threat).
    (
        "我们寝室有人感冒了，一个人病了全寝室都跑不掉，能不能给宿舍楼消消毒？",
        None,
        "dispatch",
    ),
    # A course that teaches the warning signs of suicide.
    (
        "心理课讲自杀的预警信号讲了三周，能不能多讲讲怎么缓解考试焦虑？",
        None,
        "dispatch",
    ),
    # A gas joint replaced, no smell left: thanks.
    (
        "上周反映的厨房煤气味，后勤当天就来了，接头已经重新换好，现在一点味道都没有了。谢谢后勤！",
        "hqc",
        "praise",
    ),
    # A request signed off to 各位老师 stays with its office.
    (
        "食堂的饭菜这学期涨价太多，一份青菜要五块，希望后勤控制一下价格。谢谢各位老师！",
        "hqc",
        "dispatch",
    ),
    # Three suggestions to one office stay with it.
    (
        "对图书馆的建议：1. 延长闭馆时间；2. 增加插座；3. 自习室多放几个饮水点。",
        "tsg",
        "dispatch",
    ),
    # "Don't look for me" in the office, an apology to a mother for a missed visit.
    (
        "Please don't look for me in the office next week, I will be at a conference. "
        "My student can help you.",
        None,
        None,
    ),
    (
        "My mother called. Please tell my mother I am sorry I missed the parents' day, could "
        "the college send her the photos?",
        None,
        None,
    ),
    # A ball hit against a wall at night; love to the teachers in a thank-you.
    (
        "A man is hitting a ball against the wall of our dorm every night at 11, very noisy.",
        None,
        None,
    ),
    ("I love all of you, thanks for the wonderful year, teachers!", None, None),
    # A friend's cat looked after over the holiday.
    (
        "寒假我回国，朋友答应帮我照顾好我的猫。请问留学生公寓允许养猫吗？",
        None,
        None,
    ),
]


@pytest.mark.parametrize(("text", "dept", "disposition"), HARD_NEGATIVES)
def test_the_same_words_keep_their_ordinary_reading(
    text: str, dept: str | None, disposition: str | None
) -> None:
    level, got_dept, got_disposition = read(text)
    assert level == "N"
    if disposition is not None:
        assert got_disposition == disposition
    if dept is not None:
        assert got_dept == dept
