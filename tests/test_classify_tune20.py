"""Specification of the tuning round h-tune20 (issue #16): pool s's emergency classes first.

Each table is one class of error found on pool s (`heldout18/`, seen since its one measurement),
written here as made-up letters in other words than the pool's. Pool s's missed and only
suspected emergencies: a known allergy with breathing all but gone ("hardly", "barely"), the
medicine pen left elsewhere; a bite told with "bit" (got bit, bit by a snake or a dog) in English.
Its false alarm: a burst pipe whose water has been shut off at the main valve (a repair and a
water cut for 后勤, no emergency). Hard negatives: a stuffy room one can hardly breathe in, a
skin rash from an allergy, "a bit" worried, a bite from last week and a rabies shot asked about.
The letters go through the shipped rules and second reader, as a real letter does.
"""

from __future__ import annotations

import pytest

from classify_helpers import read

# (subject, letter, department): emergencies now.
EMERGENCIES = [
    # A known allergy, a sting, breathing all but gone, the pen in a bag: in English.
    (
        "Help",
        "He is allergic to bee stings and got stung at the sports field, now he can hardly "
        "breathe and his epipen is in his bag.",
        "xyy",
    ),
    # The same after food, "barely breathing", the medicine pen at home.
    (
        "",
        "My friend ate something with nuts, she is allergic and barely breathing now, her "
        "medicine pen is at home.",
        "xyy",
    ),
    # In Chinese: an allergy named, red spots, breathing almost gone, a place.
    ("", "他对芒果过敏，刚才吃了芒果布丁，现在全身起红点，几乎喘不了气，在二食堂门口。", "xyy"),
    # A bite told with "bit", by a dog, bleeding: the clinic's.
    (
        "",
        "A stray dog bit my roommate on the leg near the library, it is bleeding, we are at the "
        "north gate.",
        "xyy",
    ),
    # "got bit" by a snake on a trail, the leg swelling.
    (
        "snake",
        "My classmate got bit by a snake on the hill path, his leg is swelling fast and he "
        "feels sick.",
        "xyy",
    ),
]


@pytest.mark.parametrize(("subject", "text", "dept"), EMERGENCIES)
def test_pool_ss_emergencies_are_read(subject: str, text: str, dept: str) -> None:
    level, got_dept, _ = read(text, subject)
    assert (level, got_dept) == ("E", dept)


# (subject, letter, department, disposition): a burst pipe already shut off is a repair.
ROUTES = [
    ("", "宿舍三楼水管爆了，宿管已经关了总阀，现在全楼停水，什么时候能修好？", "hqc", "dispatch"),
    ("停水", "实验楼一楼水管爆了，物业关了阀门，现在整栋楼停水，请尽快修。", "hqc", "dispatch"),
]


@pytest.mark.parametrize(("subject", "text", "dept", "disposition"), ROUTES)
def test_pool_ss_routes(subject: str, text: str, dept: str, disposition: str) -> None:
    level, got_dept, got_disposition = read(text, subject)
    assert (level, got_dept, got_disposition) == ("N", dept, disposition)


# (subject, letter): a burst pipe still pouring keeps its emergency.
STILL_EMERGENCIES = [
    ("", "宿舍楼的水管爆了，水一直往外喷，已经淹到走廊了，总阀找不到！"),
    ("", "实验楼水管爆了，现在水还在往下流，楼下配电室进水了"),
]


@pytest.mark.parametrize(("subject", "text"), STILL_EMERGENCIES)
def test_pool_ss_burst_pipes_still_pouring(subject: str, text: str) -> None:
    level, _, _ = read(text, subject)
    assert level == "E"


# (subject, letter): hard negatives, no emergency at all.
HARD_NEGATIVES = [
    ("", "The dorm is so stuffy in summer that I can hardly breathe at night, can we get fans?"),
    (
        "",
        "My roommate is allergic to cats and has a rash all over after visiting a cat cafe, "
        "where can she buy antihistamines on campus?",
    ),
    ("", "I was bit worried about the exam schedule, when will it be published?"),
    ("", "The coffee in the canteen was bitter and a bit expensive, please improve it."),
]


@pytest.mark.parametrize(("subject", "text"), HARD_NEGATIVES)
def test_pool_ss_hard_negatives(subject: str, text: str) -> None:
    level, _, _ = read(text, subject)
    assert level == "N"
