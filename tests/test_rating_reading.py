"""Reading a rating from the first lines of a petitioner's reply (replies.rating), table-driven.

The words or the digit the revisit mail asks for, with negations and courtesies, are ratings;
a reply that only mentions 满意 in passing, or asks a question, is a follow-up (None).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinxiang.replies.rating import read_rating

CASES: list[tuple[str, int | str | None, str]] = [
    # reply text, level (or "refuse", or None: a follow-up), comment
    ("5", 5, ""),
    ("4分", 4, ""),
    ("评价：3", 3, ""),
    ("5 非常满意", 5, ""),
    ("2-不满意", 2, ""),
    ("非常满意", 5, ""),
    ("很满意", 5, ""),
    ("满意，谢谢", 4, "谢谢"),
    ("谢谢，很满意", 5, ""),
    ("您好，满意，谢谢", 4, "谢谢"),
    ("基本满意", 3, ""),
    ("还行", 3, ""),
    ("不满意", 2, ""),
    ("我对这个答复不满意，问题没解决", 2, "问题没解决"),
    ("不是很满意", 2, ""),
    ("不太满意，希望再处理", 2, "希望再处理"),
    ("非常不满意！\n还是没有热水", 1, "还是没有热水"),
    ("ｆｕｌｌ　width：４", None, ""),
    ("４", 4, ""),
    ("> 5\n满意", 4, ""),
    ("不需要回访", "refuse", "不需要回访"),
    ("无需回访，谢谢", "refuse", "无需回访，谢谢"),
    ("我想补充一下，上次的问题还有一点", None, ""),
    ("关于满意度调查你们做得怎么样", None, ""),
    ("你们满意吗？", None, ""),
    ("食堂的饭菜很难吃，我非常不满意这个处理方式的结果", None, ""),
    ("谢谢老师", None, ""),
    ("", None, ""),
]


@pytest.mark.parametrize(
    ("text", "level", "comment"), CASES, ids=[c[0][:12] or "empty" for c in CASES]
)
def test_a_reply_reads_as_a_rating_a_refusal_or_a_follow_up(
    text: str, level: int | str | None, comment: str
) -> None:
    reading = read_rating(text)
    if level is None:
        assert reading is None
        return
    assert reading is not None
    if level == "refuse":
        assert reading.kind == "refuse" and reading.level is None
    else:
        assert (reading.kind, reading.level) == ("rating", level)
    assert reading.comment == comment


@given(st.text(max_size=200))
def test_any_text_reads_as_at_most_one_level_between_1_and_5(text: str) -> None:
    reading = read_rating(text)
    assert reading is None or reading.kind == "refuse" or reading.level in range(1, 6)


def test_the_oa_mapping_knows_the_revisit_states() -> None:
    from pathlib import Path

    from xinxiang.oa_bridge.config import DEFAULT_EVENT_MAP, DEFAULT_STATUS_MAP
    from xinxiang.oa_bridge.sim_store import SIM_STATUSES

    for kind, state in {
        "revisit_sent": "revisit",
        "revisit_rated": "rated",
        "rework_requested": "rework",
        "rework_dispatched": "dispatched",
        "supervised": "supervised",
        "settled": "settled",
    }.items():
        assert DEFAULT_EVENT_MAP[kind] == state
        assert DEFAULT_STATUS_MAP[state] in SIM_STATUSES
    shipped = (Path(__file__).resolve().parents[1] / "config" / "oa.toml").read_text("utf-8")
    for line in ('revisit_sent = "revisit"', 'settled = "settled"', 'rework = "rework"'):
        assert line in shipped
