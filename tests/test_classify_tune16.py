"""Specification of the tuning round h-tune16 (issue #16): pool o's emergency classes.

Each table is one class of error found on pool o (`heldout14/`, seen since its one measurement),
written here as made-up letters in other words than the pool's. Pool o's missed and only
疑似紧急 emergencies: self-harm told without the obvious words (pills saved up "enough", a way
looked up so it will not hurt, "from tomorrow don't look for me", a window opened high up with
the wind coming in, the writer alone on a roof with the wind and the view) is 学生处's; a blow to
the head told by its signs (vomiting, double vision) and someone down who does not answer and
breathes strangely, in English, are the clinic's; a girl pulled away by a man and a helper pushed
down, in English, is 保卫处's. Hard negatives: money saved up, a decision about a course, a
windy roof terrace asked to be fenced, a rescuer who jumped in and pulled a child out, a clerk
who "does not answer" emails raise no alarm. The letters go through the shipped rules and
second reader, as a real letter does.
"""

from __future__ import annotations

import pytest

from classify_helpers import read

# (letter, department): emergencies now.
EMERGENCIES = [
    # Pills saved up over months, "enough".
    (
        "我最近什么都不想做。医生开的安眠药我每次只吃一半，剩下的一点一点攒下来了，现在应该够了。"
        "今天周末楼里没什么人。",
        "xsc",
    ),
    # A way looked up so it will not hurt, a day chosen.
    (
        "最近老在网上搜怎么做才不会太疼，我已经决定了，就定在下周一，大家都去上课的时候。谁也别告诉。",
        "xsc",
    ),
    # "From tomorrow nobody needs to look for me."
    (
        "课题组的东西我都交接清楚了，钥匙放在实验室抽屉里。以后不用找我了，谢谢这些年照顾我的人。",
        "xsc",
    ),
    # A window opened high up, the wind coming in, by the writer.
    (
        "寝室就剩我一个人，窗户我打开了，八楼，风灌进来很凉快。我真的太累了，不想再让任何人失望。",
        "xsc",
    ),
    # A blow to the head told by its signs.
    (
        "篮球场上我们班一个同学被别人的胳膊肘撞到了太阳穴，现在坐在地上一直吐，说眼前重影，"
        "请校医院赶快来人！",
        "xyy",
    ),
    # Someone down in English who does not answer and breathes strangely.
    (
        "Please come to the basketball court now. A student fell down after running, his eyes "
        "are open but he does not answer us and his breathing is strange.",
        "xyy",
    ),
    # A girl pulled away by a man, a helper pushed down, in English.
    (
        "Help please! Behind the library a man is dragging a girl toward a car and she is "
        "screaming. A student tried to help and the man pushed him to the ground.",
        "bwc",
    ),
]


@pytest.mark.parametrize(("text", "dept"), EMERGENCIES)
def test_pool_os_emergencies_are_emergencies(text: str, dept: str) -> None:
    assert read(text)[:2] == ("E", dept)


# (letter, department or None, disposition): others' red envelopes reported to 纪委, praise with
# nothing asked; and a dorm's door reader, which the reader trained on pool o no longer routes,
# by rule (门禁 is 保卫处's, h-tune9), in other words than tests/test_classify_tune14.py.
ROUTES = [
    # Others' red envelopes reported to 纪委 (a report, h-tune11), 意思一下 quoted.
    (
        "听说想评上优秀学生干部，得私下给带队老师“意思一下”，好几个同学都送了购物卡。"
        "我觉得这不公平，请纪委查一查。",
        "jiwei",
        "dispatch",
    ),
    # An outing or a service praised with nothing asked, in English and Chinese.
    (
        "The international office took us to the city museum last weekend. Everything was "
        "very well organized and we learned a lot. Thank you!",
        None,
        "praise",
    ),
    (
        "今年报销流程改成线上了，进度随时能查，我们心里有底多了。给财务处的老师们道一声辛苦。",
        "cwc",
        "praise",
    ),
    (
        "研究生公寓楼下的门禁读卡器这两天失灵，大家只能等别人开门，请尽快修好。",
        "bwc",
        "dispatch",
    ),
    (
        "The door reader of building 9 rejects our cards since Monday. Please fix it.",
        "bwc",
        "dispatch",
    ),
]


@pytest.mark.parametrize(("text", "dept", "disposition"), ROUTES)
def test_pool_os_classes_route_letters(text: str, dept: str | None, disposition: str) -> None:
    level, got_dept, got_disposition = read(text)
    assert (level, got_disposition) == ("N", disposition)
    if dept is not None:
        assert got_dept == dept


# (letter, department, disposition): the same words in their ordinary sense (None: any).
HARD_NEGATIVES = [
    # Money saved up, "enough" for a trip.
    (
        "我勤工助学的工资一点一点攒下来了，应该够买一台二手电脑。请问学生处勤工助学的工资几号发？",
        None,
        None,
    ),
    # A decision about a course.
    ("我想清楚了，决定下学期辅修会计，请问辅修报名在哪里办理？", "jwc", None),
    # A windy roof terrace asked to be fenced.
    (
        "学生活动中心顶楼的天台上栏杆太矮了，平时风很大，建议后勤加高一点栏杆，谢谢。",
        None,
        None,
    ),
    # A rescuer who jumped in and pulled a child out, thanked.
    (
        "上个月有个小孩在荷花池边玩掉进水里，是食堂的李师傅跳下去把她抱上来的，孩子没事。"
        "特别感谢李师傅，希望学校表扬他。",
        None,
        None,
    ),
    # A customer who "does not answer" emails.
    (
        "I wrote to the finance office three times about my tuition refund and nobody answers; "
        "he does not answer the phone either. Please tell me who handles refunds.",
        "cwc",
        "dispatch",
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
