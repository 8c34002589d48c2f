"""Specification of the tuning round h-tune19 (issue #16): pool r's emergency classes first.

Each table is one class of error found on pool r (`heldout17/`, seen since its one measurement),
written here as made-up letters in other words than the pool's. Pool r's missed and only
suspected emergencies: the writer's own farewell written from a bridge or a roof now, with an
apology passed to a teacher; an apology "for the trouble I am going to cause" with letters left
for the parents and a password on a note; a farewell that ends "after tonight I will not trouble
anyone any more" and a thank-you (not praise); a last word from a roof asking that the family be
told it was an accident. Then its routes: flames beyond a smoking power strip (the fire group's,
h-tune18's convention), belongings given to the roommates before someone goes missing (a
farewell, 学生处), and classes of matter the departments' duties decide: the allocation of a
room (资产管理处), tuition (财务处), undergraduate scholarships (学生处), emergency lighting and
exit signs (保卫处), a teacher selling materials that turn out to be the exam (纪委), the Wi-Fi
inside a library (网络信息中心), the library's opening hours in English (图书馆), cleaning staff
thanked (后勤), leaves burnt by the gardeners (后勤, no fire), a favour asked with a promised
reward (illegal), nobody owning a matter (triage). Hard negatives: a form's emergency contact, a
stranger made to feel at home, a supervisor told sorry for a missed meeting, a fire drill.
The letters go through the shipped rules and second reader, as a real letter does.
"""

from __future__ import annotations

import pytest

from classify_helpers import read

# (subject, letter, department): emergencies now.
EMERGENCIES = [
    # The writer's own farewell from a bridge, an apology passed to the supervisor, in English.
    (
        "Last words",
        "I am writing this from the bridge over the river behind the campus. Please tell my "
        "supervisor I am sorry for wasting two years of his time.",
        "xsc",
    ),
    # The same from a roof, in Chinese: the writer there now, asks it be called an accident.
    (
        "",
        "我在宿舍楼顶上写这封信，楼下很安静。我真的努力过了。以后跟我家里人就说是意外吧。",
        "xsc",
    ),
    # An apology for the trouble to come, letters left for the family, in English.
    (
        "Sorry",
        "I am sorry for the trouble I'm going to cause everyone. There is a letter for my mother "
        "in my backpack.",
        "xsc",
    ),
    # Letters left for the parents and a password left on a note, in one sentence.
    (
        "",
        "I left letters for my family on the shelf and my password is on a note in the drawer.",
        "xsc",
    ),
    # A deadline (after tonight) and no more trouble to anyone, then a thank-you.
    (
        "",
        "钥匙我放在宿管那里了，给爸爸的信在枕头下面。过了今晚就不会再麻烦任何人了。谢谢辅导员一直照顾我。",
        "xsc",
    ),
    # Belongings given to the roommates with "I won't need them", then gone (a farewell).
    (
        "室友不见了",
        "舍友前天把电脑和衣服都送给了我们，说以后用不上了，昨天出门到现在没回来，电话也打不通。"
        "请赶快帮忙找人！",
        "xsc",
    ),
    # Flames beyond a smoking power strip: the fire group's.
    (
        "排插着火了",
        "宿舍排插冒黑烟，接着窜出火苗，把床单点着了，我们正在用水扑，请快来人！",
        "bwc",
    ),
]


@pytest.mark.parametrize(("subject", "text", "dept"), EMERGENCIES)
def test_pool_rs_emergencies_are_read(subject: str, text: str, dept: str) -> None:
    level, got_dept, _ = read(text, subject)
    assert (level, got_dept) == ("E", dept)


# (subject, letter, department, disposition): routes pool r got wrong, as classes of matter.
ROUTES = [
    # A room sealed and never reallocated: 公房 (资产管理处).
    (
        "",
        "我们系那间办公室空了一年，门一直锁着，请问什么时候能重新分配给我们教研室使用？",
        "zcc",
        "dispatch",
    ),
    # Tuition raised without notice: 财务处.
    (
        "",
        "今年学费从五千二涨到了六千，学校没有任何说明，请问是什么原因？",
        "cwc",
        "dispatch",
    ),
    # An undergraduate scholarship refused after a change of major: 学生处.
    (
        "",
        "我是大三本科生，学院说我转过专业，所以今年评奖学金时不参加学业奖学金排名，这合理吗？",
        "xsc",
        "dispatch",
    ),
    # Emergency lights and exit signs out: 保卫处 (fire equipment).
    (
        "",
        "图书馆三楼的应急灯和安全出口指示都不亮了，万一停电大家看不清楼梯，请派人检查更换。",
        "bwc",
        "dispatch",
    ),
    # A teacher selling materials that turn out to be the exam: 纪委.
    (
        "",
        "高数老师在群里卖他自己编的复习资料，每份50元，结果期末试卷和资料上的题一模一样。请学校查一查。",
        "jiwei",
        "dispatch",
    ),
    # The Wi-Fi in a library: the network centre's, in English.
    (
        "Wi-Fi",
        "The WiFi in the library reading area drops every ten minutes. Could you check it?",
        "wlzx",
        "dispatch",
    ),
    # The library's opening hours, in English.
    (
        "Library hours",
        "Could the library stay open until midnight during the exam period? It closes at ten.",
        "tsg",
        "dispatch",
    ),
    # Thanks to the cleaner of a floor, in English: 后勤 praise.
    (
        "Thank you",
        "Many thanks to the cleaning lady on our floor, who always keeps the bathrooms so clean "
        "and greets everyone with a smile.",
        "hqc",
        "praise",
    ),
    # Gardeners burning leaves: a nuisance for 后勤, no fire.
    (
        "",
        "最近绿化工人每天下午在宿舍楼后面烧树叶，烟很大，窗户都不敢开，能不能换个处理办法？",
        "hqc",
        "dispatch",
    ),
    # A favour asked with a promised reward: illegal.
    (
        "",
        "我女儿的补考成绩差两分，能不能请老师通融一下改成及格？我们必有重谢。",
        "dzb",
        "illegal",
    ),
]


@pytest.mark.parametrize(("subject", "text", "dept", "disposition"), ROUTES)
def test_pool_rs_routes(subject: str, text: str, dept: str, disposition: str) -> None:
    level, got_dept, got_disposition = read(text, subject)
    assert (level, got_dept, got_disposition) == ("N", dept, disposition)


# (subject, letter): hard negatives, no emergency at all.
HARD_NEGATIVES = [
    ("紧急联系人", "宿舍登记表里的紧急联系人只能填国内手机号，我父母在国外，怎么办？"),
    (
        "Thanks",
        "Thank you to everyone in the international office for making a stranger feel welcome.",
    ),
    (
        "",
        "Please tell my supervisor I am sorry I missed the group meeting, my train was late.",
    ),
    ("", "下午三点实验楼有消防演练，会放烟雾，请大家不要惊慌。"),
    # "Writing this from" a city, a polite "sorry for the trouble": no place of a farewell.
    (
        "Transcript",
        "I am writing this from Shanghai during the winter break. Sorry for the trouble, could "
        "you help me get my transcript?",
    ),
    # A deadline that ends nothing.
    ("", "过了今晚就要交论文了，真的撑不住了，能不能延期一天？"),
    # Noise one cannot keep up with.
    ("", "I cannot keep going with this drilling noise in the library, please ask them to stop."),
    # Smoke from a person's own body, figurative.
    ("", "食堂的麻辣香锅辣得我整个人都在冒烟，能不能出个微辣的？"),
]


@pytest.mark.parametrize(("subject", "text"), HARD_NEGATIVES)
def test_pool_rs_hard_negatives(subject: str, text: str) -> None:
    level, _, _ = read(text, subject)
    assert level != "E"


# (letter, department): smoke from electrics without a fire beyond the device stays 后勤's.
ELECTRICS = [
    ("排插冒烟，还好没有明火，已经拔了插头，麻烦来换一个。", "hqc"),
    ("宿舍的电暖器冒烟了，还有火苗，我们拔了插头，请后勤来修。", "hqc"),
]


@pytest.mark.parametrize(("text", "dept"), ELECTRICS)
def test_smoke_at_the_device_stays_with_the_electrics(text: str, dept: str) -> None:
    level, got_dept, _ = read(text)
    assert level != "N"
    assert got_dept == dept
