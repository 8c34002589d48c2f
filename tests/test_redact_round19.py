"""Round 19 of redaction (issue #13): the seventeenth writer's set (`heldout16`, seen since its
one measurement) as classes.

Addresses first: an estate or community and its phase, building and unit with no road; a row of
bungalows in a compound; what follows a label of one's home; a prefecture's county and town
without the province; a county's town and a home in it; a crossing and a distance from it; a
road and number outside a campus gate; where a stall or a shop stands by a landmark; a shop on a
road whose owner writes. Then numbers (a code of letters and a year after number, no., roll
number; a certificate's 编号; a passport number ending in a letter; a mobile grouped by middle
dots; a plate with spaces after the province), an ordinal residence (第8公寓), names (surnames
展, 戈; 籍, 滑 before a title; a Uyghur name with the father's after a middle dot; a first name
of a full name in English order; his or her roommate; the display name after 我是…的), and the
clean sentences that lost words: a quoted motto, a garden named by a plant, what a whole
residence building shares. Every table holds made-up sentences of the shape, not the set's own;
look-alikes that must stay are beside them.
"""

from __future__ import annotations

import pytest

from xinxiang.replies.name_display import display_name_terms
from xinxiang.replies.redactor import Redactor

# Clean sentences: nothing may be hidden, by the rules or by the tagger.
KEPT = [
    # A motto or slogan in quotes.
    "我们的班训是“明志笃行”。",
    "学院的院训是“求是创新”。",
    "运动会的口号是“团结拼搏”。",
    # A campus garden named by a plant.
    "竹园和桃园之间有一条小路。",
    "荷园的荷花开了。",
    "松苑门口的银杏很漂亮。",
    # What a whole residence building shares.
    "研究生公寓3号楼的网络经常断。",
    "学生公寓5号楼的水压太低了。",
    "博士公寓1号楼的空调该修了。",
    # A document's number after 凭证; a seat by row and number.
    "凭证编号是2024-0031。",
    "考场第3排8号座位空着。",
    # Places no one lives: a gate, a city, a street, a district's community office, an office.
    "学生处在行政楼203办公。",
    "我们去新乡市牧野区参加了比赛。",
    "The library is on Lane 3 of the campus.",
    "学校东门外有很多小吃。",
    "新乡市是一个好地方。",
    "小区门口新开了一家超市。",
    # Words that open with the new surnames, and 滑 as a verb.
    "学校发展得很快。",
    "路滑，老师让我们慢点走。",
    "他们去戈壁滩徒步了。",
    # A list of things by 、, no names beside them.
    "我买了苹果、香蕉、橘子和梨。",
    "这学期讲了春天、原野、河流三个主题。",
    # A signature line of roles and bodies, no names.
    "请尽快处理。\n学生会 宣传部",
    # English numbers without a code, and a roommate not named.
    "Please use entrance no. 5 on the left.",
    "Their roommate said nothing.",
]


@pytest.mark.parametrize("text", KEPT)
def test_look_alikes_stay(shipped: Redactor, text: str) -> None:
    assert shipped.redact_all([text])[0] == text
    assert shipped.with_crf(None).redact_all([text])[0] == text


# Addresses, numbers, rooms and names that must go.
FOUND = [
    # An estate or community, its phase, building and unit, with or without the district.
    ("我住在金水区文化社区8号楼3单元，晚上很吵。", "文化社区8号楼"),
    ("我是北门外翠湖苑小区2期5号楼的业主。", "翠湖苑小区2期5号楼"),
    ("我家在阳光新村6栋2单元502。", "阳光新村6栋"),
    ("我在学校对面的华兰小区9号楼1单元租房住。", "华兰小区"),
    # A village's group and house number; in English, a flat and a block, a house in a lane.
    ("我家在幸福村3组18号，离镇上不远。", "幸福村3组18号"),
    ("Please send it to Room 1203, Block B, 88 Jianshe Road, Xinxiang.", "Block B"),
    ("I live at No. 16, Lane 258, Hongqiao Road, Shanghai.", "Lane 258"),
    # A row of bungalows in a compound; after a label of home.
    ("住址：职工宿舍区5排12号。", "5排12号"),
    ("我家住北王村东头第7组。", "北王村"),
    # A prefecture's county and town; a county's town and a home in it.
    ("我来自甘孜藏族自治州理塘县高城镇。", "高城镇"),
    ("我们下周去延津县僧固乡敬老院看望老人。", "僧固乡"),
    # A crossing and a distance; a road's mouth and a distance.
    ("我的店在建设路与和平路交叉口北100米。", "100米"),
    ("修车铺在胜利路口往西200米。", "200米"),
    # Outside a campus gate; a stall by a landmark; a shop whose owner writes.
    ("饭馆在北门外文化路16号，欢迎来。", "文化路16号"),
    ("他的摊位在南门外胜利路公交站旁。", "胜利路公交站"),
    ("我是学校门口和平路中段百佳超市的老板。", "百佳超市"),
    # Codes of letters and a year after number, no., roll number; a certificate's 编号.
    ("Hello, I'm a PhD student, number GX2023B017, from Ghana.", "2023B017"),
    ("My roll number is BDS2022-045, in the dental school.", "2022-045"),
    ("I study economics (no. MA2024E112) here.", "2024E112"),
    ("我的退伍证编号是JT2023-55102，请核实。", "55102"),
    # A passport number ending in a letter; a mobile in middle dots; a plate with spaces.
    ("我的护照号E4417263B，快到期了。", "4417263B"),
    ("电话：139·2210·5567。", "2210"),
    ("我的车是京 N 5K2Q8，停在楼下。", "5K2Q8"),
    # An ordinal residence, its zone, floor and room.
    ("我住第5公寓A区2楼216，很吵。", "216"),
    # Surnames 展 and 戈; 籍 and 滑 before a title.
    ("排名第三的展宏被刷掉了。", "展宏"),
    ("室友展鸿飞生病了。", "展鸿飞"),
    ("同组的戈明拿走了我的数据。", "戈明"),
    ("不要让籍老师知道是我说的。", "籍"),
    ("车队的滑队长总是偏心。", "滑"),
    # A Uyghur name with the father's after a middle dot, whole.
    ("我的同学阿布都热依木·吐尔逊生病了。", "·"),
    # An ordinary word between two full names in a list by 、.
    ("我们宿舍四个人：邵子豪、牛晓东、晨曦、黎明远。", "晨曦"),
    # A home after a label, its building, unit and room whole.
    ("我家住朝阳区西坝河南里5号楼3门201，电话在下面。", "201"),
    # Several people signing one line: a full name beside a name of no known surname.
    ("宿舍的门锁坏了，请派人来修。\n韩子墨 言若水", "言若水"),
    ("Please help us with the club's budget.\nZoe & Finn", "Finn"),
    # A first name of a full name in English order; his or her roommate.
    ("I am Amara Okafor, mother of Tunde Okafor. Tunde has not called me.", "Tunde"),
    ("Her roommate Zainab is worried about her.", "Zainab"),
]


@pytest.mark.parametrize(("text", "part"), FOUND)
def test_it_is_hidden(shipped: Redactor, text: str, part: str) -> None:
    assert part not in shipped.redact_all([text])[0]
    assert part not in shipped.with_crf(None).redact_all([text])[0]


# The display name the letter says one is, after where one is from and 的.
DISPLAY = [
    ("小鹿", "老师好，我是外国语学院的小鹿，想反映食堂的事。", "小鹿"),
    ("阿木", "您好，我是土木学院大二的阿木。", "阿木"),
]


@pytest.mark.parametrize(("display", "body", "part"), DISPLAY)
def test_the_display_name_said_is_hidden(
    shipped: Redactor, display: str, body: str, part: str
) -> None:
    known = display_name_terms(display, body)
    assert part in known
    assert part not in shipped.redact_all([body], known)[0]


# A role stays a role: 舍长, 班长, 居民, 研究生 are no names.
NO_DISPLAY = [
    ("舍长", "我是北区3栋的舍长，门锁坏了。"),
    ("班长", "我是会计专业的班长。"),
    ("附近居民", "我是学校北边小区的居民，想反映噪音。"),
    ("一名研究生", "我是化学学院的研究生，想反映实验室的事。"),
]


@pytest.mark.parametrize(("display", "body"), NO_DISPLAY)
def test_a_role_is_no_name(display: str, body: str) -> None:
    assert display_name_terms(display, body) == ()


def test_a_latin_name_inside_a_word_stays(shipped: Redactor) -> None:
    """A name in Latin letters is hidden as a word, not inside a longer one (Ana in banana)."""
    text = "My name is Ana Lopez, I like banana cake and Canadian maple syrup.\nAna"
    out = shipped.redact_all([text])[0]
    assert "banana" in out and "Canadian" in out
    assert "Ana" not in out.replace("banana", "").replace("Canadian", "")


@pytest.mark.parametrize("line", ["水电班 王强", "绿化工 李明", "人事处 刘芳"])
def test_a_body_or_a_role_beside_a_name_signs_no_one(shipped: Redactor, line: str) -> None:
    """A body, a trade or a role on the signature line stays; only the name goes."""
    out = shipped.with_crf(None).redact_all([f"请尽快修好。\n{line}"])[0]
    assert line.split()[0] in out
