"""Specification of the tuning round h-tune15 (issue #16): pool n's classes of error.

Each table is one class of error found on pool n (`heldout13/`, seen since its one measurement),
written here as made-up letters in other words than the pool's. First the emergencies read only
as 疑似紧急: a farewell in English (belongings given away, letters left for the family) and a
writer alone on a roof who writes it themself are self-harm now (xsc). Then the department and
disposition classes: a hit-and-run or a campus bus crash with people hurt is 保卫处's (交通,
h-tune9), someone motionless under water is a rescue, a lone resident unseen for days behind a
door nobody answers is 保卫处's (the door opened now; h-tune15), an empty AED cabinet is the
clinic's (h-tune11), a counsellor's care praised is 学生处's, a sale of exam answers or of
campus accounts and money offered for an exam paper are illegal, an internship's dates are
教务处's, fixed assets burnt are written off by 资产管理处, a slow VPN is the network centre's,
an over-sensitive smoke detector is 保卫处's in English too (h-tune9), a stipend paid short is
财务处's in English too (h-tune11), a retake fee's standard is 财务处's (h-tune15), a broken roof
door lock with nobody at the edge is a repair (h-tune15), several numbered matters are the
office's, a 工会 event praised is 工会's. Hard negatives: smoke that was a cigarette, an old
accident's compensation, 饿到想死 and 想死 in jest, a first-day heater smell, an icy path asked
to be gritted raise no alarm. The letters go through the shipped rules and second reader, as a
real letter does.
"""

from __future__ import annotations

import pytest

from classify_helpers import read

# (letter, department): emergencies now.
EMERGENCIES = [
    # A farewell in English: belongings given away, letters for the family, nobody told.
    (
        "I am sorry to bother anyone. I lost my scholarship and I cannot face my parents. "
        "This morning I gave my phone and my guitar to my roommate and left a note for my "
        "mother under my pillow in dorm 6, room 221. Please tell her I tried.",
        "xsc",
    ),
    # The writer alone on a roof, in English.
    (
        "I am on top of the library building now, nobody knows I am up here. The wind is "
        "strong. I am so tired of acting fine every day. I just want someone to know my name.",
        "xsc",
    ),
    # A hit-and-run or a bus crash with people hurt: 交通 (h-tune9).
    (
        "图书馆东边的十字路口，一辆送外卖的电动车把一个男生撞飞了，骑手直接开走了。男生倒在地上，"
        "腿流了好多血，爬不起来，我们已经叫了救护车，请保卫处赶快来人。",
        "bwc",
    ),
    (
        "校内通勤班车在食堂门口转弯时翻了，车上有七八个老师，好几个人被压着出不来，有人满脸是血。"
        "请马上派人来！",
        "bwc",
    ),
    # Someone motionless under water: a rescue.
    (
        "学校游泳池浅水区那边，有个小孩沉在池底一动不动，救生员不在岗位上，旁边的人在往下潜捞他，"
        "快来人！",
        "bwc",
    ),
    # A lone resident unseen for days behind a door nobody answers (h-tune15): the door opened.
    (
        "家属院4号楼的刘老师八十多了，一个人住。这三天都没看见她出门，门把手上挂的牛奶没人拿，"
        "敲门不应，手机在屋里响。请学校马上派人来开门看看。",
        "bwc",
    ),
]


@pytest.mark.parametrize(("text", "dept"), EMERGENCIES)
def test_pool_ns_emergencies_are_emergencies(text: str, dept: str) -> None:
    assert read(text)[:2] == ("E", dept)


# (letter, department, disposition)
ROUTES = [
    # An empty AED cabinet and first-aid training for the wardens: the clinic (h-tune11).
    (
        "教学楼一楼挂着除颤仪的箱子，里面的机器被拿走好几个月了，一直是空箱子。"
        "万一有人猝死怎么办？也希望给宿管员开个心肺复苏的培训。",
        "xyy",
        "dispatch",
    ),
    # A counsellor's care of a sick student praised by a parent: 学生处.
    (
        "我女儿上个月突发肺炎住院，我们在外省赶不过去，是她的辅导员王老师天天到医院陪护、"
        "帮她请假。特此写信感谢王老师，谢谢学校。",
        "xsc",
        "praise",
    ),
    # Exam answers sold: an advertisement.
    (
        "期末考试高数、线代答案考前两小时出，包过，不过全额退款，另售无线耳机，加微信详聊。",
        "dzb",
        "illegal",
    ),
    # Campus accounts sold.
    (
        "低价出租校园统一认证账号，能下载图书馆全部电子资源，一个月二十五元，校外也能用，"
        "有意者加QQ。",
        "dzb",
        "illegal",
    ),
    # Money offered for an exam paper.
    (
        "哪位老师能把《大学物理》期末的试题提前发给我？我可以给两千块，保证不说出去，我不能再挂了。",
        "dzb",
        "illegal",
    ),
    # An English essay-writing advertisement.
    (
        "Need help with your thesis? Our experts write dissertations and reports for any major, "
        "plagiarism-free, delivered in three days. Discount for students of your school, contact "
        "us on Telegram.",
        "dzb",
        "illegal",
    ),
    # An internship's dates against the postgraduate exam: 教务处.
    (
        "我们化学工程专业的认识实习安排在一家工厂，要学安全规程和应急演练，可时间和考研初试撞了，"
        "学院说改时间要教务处批准，能不能让考研的同学下学期再去？",
        "jwc",
        "dispatch",
    ),
    # Fixed assets burnt in a past fire, written off: 资产管理处.
    (
        "上个月实验室那场小火已经扑灭了，没人受伤，但烧坏了一台离心机和一台显示器，都是登记过的"
        "固定资产。想问报废手续怎么办、要准备什么材料？",
        "zcc",
        "dispatch",
    ),
    # A slow VPN: the network centre.
    (
        "寒假在家用学校的VPN下载论文太慢了，经常下一半就断开，能不能给VPN加点带宽？",
        "wlzx",
        "dispatch",
    ),
    # An over-sensitive smoke detector, in English (h-tune9): 保卫处.
    (
        "The smoke alarm in our dorm kitchen is far too sensitive. Boiling noodles sets off the "
        "whole building and we all have to go down to the street. Could someone recalibrate it?",
        "bwc",
        "dispatch",
    ),
    # A stipend paid short, in English (h-tune11): 财务处.
    (
        "I am a master student with a government scholarship. My monthly allowance was 500 yuan "
        "short in September and October. Please check and pay the difference.",
        "cwc",
        "dispatch",
    ),
    # A retake fee's standard (h-tune15): 财务处.
    (
        "补修一门课要按学分交费，每学分八十块，比别的学校贵不少，这个收费标准能不能降一降？",
        "cwc",
        "dispatch",
    ),
    # A broken roof door lock, nobody at the edge now, a repair asked (h-tune15).
    (
        "实验楼楼顶的门锁坏了一个多月，晚上总有人上去，楼顶女儿墙很矮。现在还没出事，"
        "请把锁修好或者加个栏杆。",
        "hqc",
        "dispatch",
    ),
    # Several numbered matters for several offices.
    (
        "提几条意见：1. 澡堂热水不稳定；2. 自习室空调太冷；3. 教务系统选课总崩；"
        "4. 校车太少。请各部门都看看。",
        "dzb",
        "triage",
    ),
    # A counsellor who stayed with a student in hospital, thanked by a parent: 学生处.
    (
        "孩子上周做了骨折手术，我们远在外地，是辅导员张老师每天去医院陪着他、帮他请假。谢谢张老师！",
        "xsc",
        "praise",
    ),
    # An either-or question closed by thanks is a request.
    ("想问一下，期中考试是这周还是下周？考试范围有没有变？官网没写。谢谢老师！", "jwc", "dispatch"),
    # A 工会 event praised.
    (
        "感谢校工会组织的教职工登山比赛，安排周到，退休的老同志也玩得很开心，希望明年还办！",
        "gh",
        "praise",
    ),
]


@pytest.mark.parametrize(("text", "dept", "disposition"), ROUTES)
def test_pool_ns_classes_route_letters(text: str, dept: str, disposition: str) -> None:
    assert read(text) == ("N", dept, disposition)


# (letter, department, disposition): the same words in their ordinary sense (None: any).
HARD_NEGATIVES = [
    # Smoke that was a cigarette, a detector that did not react: no alarm.
    (
        "昨天半夜楼道里全是烟，出去一看是有人在楼梯口抽烟，不是着火。可是烟感一点都没响，"
        "是不是坏了？请来检查。",
        "bwc",
        "dispatch",
    ),
    # An old accident's compensation.
    (
        "前年我父亲在校园里被一辆自行车撞倒摔断了手腕，已经好了，可撞人的学生一直没赔医药费，"
        "能不能帮忙联系一下他？",
        "bwc",
        "dispatch",
    ),
    # 饿到想死 about the canteen.
    ("三食堂的面条总是没煮熟，我饿得想死也吃不下去，能不能管管？", "hqc", "dispatch"),
    # 想死 in jest with a question.
    (
        "线代太难了，被逼得想死哈哈，开玩笑的。请问补考是开学第几周？谢谢老师！",
        "jwc",
        "dispatch",
    ),
    # A first-day heater smell that passes, no smoke.
    (
        "The radiator in my room smells a bit like burnt dust for a few minutes when it starts, "
        "no smoke at all. Is that normal? If not, please have someone look at it.",
        "hqc",
        "dispatch",
    ),
    # An icy path asked to be gritted.
    ("去食堂的那段坡路结冰了，早上好几个人差点滑倒，请后勤撒点盐。", "hqc", "dispatch"),
    # A counsellor thanked for routine help stays praise; an illness asked about stays the clinic's.
    ("校医院能不能延长周末的门诊时间？阑尾炎这种急病周末也会有。", "xyy", "dispatch"),
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
