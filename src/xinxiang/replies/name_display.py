"""The petitioner's display name (显示名) as names to hide (issue #13).

A mail's display name is hidden wherever it occurs only where it is a name — or, since round 11,
a handle the writer signs the letter with (一颗柠檬 on the last line): a role or a pseudonym
(家长, 匿名举报, 研究生会) would otherwise vanish wherever the word occurs.
"""

from __future__ import annotations

import re

from xinxiang.replies.name_words import NOT_NAMES, SURNAMES, TITLES
from xinxiang.replies.roman_names import english_first_name, roman_names
from xinxiang.replies.signatures import looks_chinese_name as _looks_chinese_name

# Words of a display name that says who writes, not what they are called (家长, 匿名, 学生会;
# round 19: a role, 舍长, 研究生, 实验员, 志愿者).
_ROLE = re.compile(
    r"匿名|家长|学生|同学|老师|校友|职工|员工|群众|市民|网友|本人|居民|业主|住户|邻居|村民|老板|[会部处办委长生员者]$"
)
# Round 18: what one says one is (我是橙子，), and a parent named after the child (嘟嘟妈妈).
# Round 19: after where one is from and 的 (我是体育学院的大熊，).
_SAID = re.compile(
    r"(?:我是|我叫|叫我|本人)(?:[^，,。！!；;\s的]{2,10}的)?"
    r"([\u4e00-\u9fff]{1,5}?)(?=[，,。！!；;\s]|$)"
)
_PARENT = re.compile(r"(.{1,4}?)(妈妈|爸爸|妈|爸|奶奶|爷爷|外婆|姥姥|家长)")


def display_name_terms(display: str, body: str = "") -> tuple[str, ...]:
    """What of a mail's display name to hide as the petitioner's name: a name (王小明, and 小明),
    a nickname (小王) or a romanised name (Zhang San), or a handle the letter's `body` is signed
    with on its last line (一颗柠檬, 爱吃鱼的猫); nothing for a role or a pseudonym otherwise
    (家长, 匿名举报, 研究生会), which would be hidden wherever the word occurs."""
    display = display.strip()
    if display in TITLES:
        return ()  # Round 19: 班长, 队长 — a role, though 班 is a surname
    if signed_with(display, body):  # round 20: and what one says one is (我是小松鼠)
        return (display, *[s for s in said_to_be(display, body) if s != display and _named(s)])
    if said := said_to_be(display, body):
        return said
    if _looks_chinese_name(display):
        given = display[-2:] if len(display) >= 3 else ""
        return (display, given) if given and given not in NOT_NAMES else (display,)
    if re.fullmatch(r"[小老][\u4e00-\u9fff]", display) and display[1] in SURNAMES:
        return (display,)
    if roman_names(display) == [display] or english_first_name(display):
        return (display,)  # Zhang San, Kevin
    return ()


# Round 20: what one says one is that is a role or kin, not a name (青年教师, 汤圆的妈妈).
_KIN_OR_TRADE = re.compile(r"妈|爸|奶奶|爷爷|外婆|姥姥|教师|教授|医生|护士|司机|保安|宿管|助理")


def _named(said: str) -> bool:
    """Whether `said`, a part of a display name the writer says they are, may be a name."""
    return said not in TITLES and not _ROLE.search(said) and not _KIN_OR_TRADE.search(said)


def signed_with(display: str, body: str) -> bool:
    """Whether the last line of `body` is the display name (a sign-off such as —— stripped),
    and the name no word for a role or for being anonymous (家长, 匿名)."""
    lines = [line.strip(" \t—-－") for line in body.strip().splitlines()]
    return bool(lines) and len(display) >= 2 and lines[-1] == display and not _ROLE.search(display)


def said_to_be(display: str, body: str) -> tuple[str, ...]:
    """Round 18: the display name, or its last words, as the writer says they are called
    (快乐的橙子 … 我是橙子，), or the child's name of a parent's display name that the letter
    names the writer by (嘟嘟妈妈 … 我是嘟嘟妈妈): no role (家长, 学生)."""
    parent = _PARENT.fullmatch(display)
    if parent and f"我是{display}" in body and not _ROLE.search(parent.group(1)):
        return (display, parent.group(1))
    if _ROLE.search(display) or not display:
        return ()
    if re.search(rf"(?:我是|我叫|本人)\s?{re.escape(display)}(?=[，,。！!；;\s]|$)", body):
        return (display,)  # Round 20: 我是夏天的风， (的 inside the display name)
    for said in _SAID.findall(body):
        # Round 20: 小马哥 says 我是小马: a nickname and 哥 or 姐 after it.
        nick = len(said) >= 2 and display == said + display[-1] and display[-1] in "哥姐弟妹"
        if said == display or nick or (len(said) >= 2 and display.endswith(said)):
            return (display, said) if said != display else (display,)
    return ()
