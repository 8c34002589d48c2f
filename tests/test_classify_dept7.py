"""Specification of the department round h-dept7 (issue #16): whose matter is it.

Each table is one class of routing error found on the seen evaluation pools (pool f,
`heldout5/`, seen since its one measurement), written here as made-up letters in other words
than the pools': praise of a department named by its name, feedback on the mailbox itself, a
word inside another word (没发现 is not 没发), the union's 教工之家, gas pipes, exit signs, and
an English farewell inside a missing-person letter. The letters go through the shipped rules and
second reader, as a real letter does.
"""

from __future__ import annotations

import pytest

from classify_helpers import read  # type: ignore[import-not-found]

# Praise that names the praised office (表扬保卫处, 称赞后勤) goes to that office, and feedback
# on the mailbox itself is the office's (党政办公室 runs 书记校长信箱).
PRAISE = [
    ("bwc", "表扬保卫处昨晚的值班老师，我们楼道里有焦糊味，他们十分钟就来了，查明是邻居烤面包。"),
    ("tw", "想表扬一下团委，这次组织的志愿者培训内容实在、安排周到，同学们收获很大。"),
    ("dzb", "上回写信问的校历调整，信箱回复很及时，说明也清楚，给你们点赞。"),
]


@pytest.mark.parametrize(("dept", "text"), PRAISE)
def test_praise_goes_to_the_office_it_names(dept: str, text: str) -> None:
    assert read(text) == ("N", dept, "praise")


DEPARTMENTS = [
    # 没发现 (found nothing) is no unpaid money: a gas-pipe check is 后勤's.
    (
        "hqc",
        "家属楼的煤气管道是老的铸铁管，这次上门检查没发现漏气，但师傅说好几段管道锈蚀了，"
        "建议明年换掉。",
    ),
    # 教工之家 is the union's.
    ("gh", "教职工之家的乒乓球室周末总锁着门，老师们想周末去活动也进不去，能不能周末也开放？"),
    # A broken exit sign or a locked emergency exit is fire safety: 保卫处.
    (
        "bwc",
        "The fire exit at the end of the second floor corridor in the teaching building is "
        "chained shut and the exit sign above it is dark. Could security check it?",
    ),
]


@pytest.mark.parametrize(("dept", "text"), DEPARTMENTS)
def test_each_matter_goes_to_its_office(dept: str, text: str) -> None:
    level, code, disposition = read(text)
    assert (code, disposition, level) == (dept, "dispatch", "N")


def test_an_english_farewell_before_someone_goes_missing_is_self_harm() -> None:
    text = (
        "My roommate left a goodbye message in our group chat, said sorry to her parents and "
        "that she cannot continue anymore. Now her phone is off and nobody knows where she is."
    )
    assert read(text)[:2] == ("E", "xsc")


# A socket, strip or box that smokes or burns, named first, is the electrics' (后勤管理处 cuts
# the power; seed 001), not a fire for 保卫处.
ELECTRICS = [
    "自习室墙角那个排插刚才啪的一声冒黑烟，外壳都烧化了，我们先把桌上的电脑拔了，请马上派人来。",
    "机房的配电柜里一直噼噼啪啪的，门缝里在冒白烟，屋里都是焦糊味，我们已经退到走廊了。",
]


@pytest.mark.parametrize("text", ELECTRICS)
def test_a_burning_socket_is_the_electrics_emergency(text: str) -> None:
    assert read(text)[:2] == ("E", "hqc")
