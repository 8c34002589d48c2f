"""The office's review of a public text (`xinxiang.replies.public_review`): numbered marks, 保留
and 隐去, and the mail commands that say them (`parse_office_mail_command`)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinxiang.replies.board import PublicItem
from xinxiang.replies.office_commands import parse_office_mail_command
from xinxiang.replies.public_review import Decisions, review
from xinxiang.replies.redact_names import NameFinder
from xinxiang.replies.redactor import Redactor

AT = datetime(2026, 12, 1, tzinfo=UTC)
REDACTOR = Redactor(finder=NameFinder(tagger=None))  # patterns and titles; no segmenter: fast


def item(subject: str = "热水问题", letter: str = "", answer: str = "") -> PublicItem:
    return PublicItem("2026-000001", "后勤", "后勤管理处", subject, letter, answer, AT, AT)


LETTER = "请联系我13812345678，王老师也知道，宿舍16-309。"
ANSWER = "已请王老师回访，电话13812345678已登记。"

# (decisions, what the public letter and answer read)
CASES = [
    (
        Decisions(),
        "请联系我[电话已隐去]，＊＊＊老师也知道，宿舍[宿舍已隐去]。",
        "已请＊＊＊老师回访，电话[电话已隐去]已登记。",
    ),
    (
        Decisions(lifted=("16-309",)),
        "请联系我[电话已隐去]，＊＊＊老师也知道，宿舍16-309。",
        "已请＊＊＊老师回访，电话[电话已隐去]已登记。",
    ),
    (
        # A lifted string is visible everywhere it occurs.
        Decisions(lifted=("13812345678",)),
        "请联系我13812345678，＊＊＊老师也知道，宿舍[宿舍已隐去]。",
        "已请＊＊＊老师回访，电话13812345678已登记。",
    ),
    (
        Decisions(added=("回访",)),
        "请联系我[电话已隐去]，＊＊＊老师也知道，宿舍[宿舍已隐去]。",
        "已请＊＊＊老师[已隐去]，电话[电话已隐去]已登记。",
    ),
    (
        Decisions(lifted=("王",), added=("登记",)),
        "请联系我[电话已隐去]，王老师也知道，宿舍[宿舍已隐去]。",
        "已请王老师回访，电话[电话已隐去]已[已隐去]。",
    ),
]


@pytest.mark.parametrize(("decisions", "letter", "answer"), CASES)
def test_the_public_text_follows_the_office_decisions(
    decisions: Decisions, letter: str, answer: str
) -> None:
    _, got_letter, got_answer = review(
        REDACTOR, item(letter=LETTER, answer=ANSWER), decisions
    ).final()
    assert (got_letter, got_answer) == (letter, answer)


def test_marks_are_numbered_in_reading_order_and_added_ones_come_last() -> None:
    before = review(REDACTOR, item(letter=LETTER, answer=ANSWER))
    assert [(m.number, m.field, m.title, m.original) for m in before.marks] == [
        (1, "letter", "手机号", "13812345678"),
        (2, "letter", "姓名", "王"),
        (3, "letter", "宿舍", "16-309"),
        (4, "answer", "姓名", "王"),
        (5, "answer", "手机号", "13812345678"),
    ]
    after = review(REDACTOR, item(letter=LETTER, answer=ANSWER), Decisions(added=("请联系我",)))
    assert [m.original for m in after.marks[:5]] == [m.original for m in before.marks]
    assert (after.marks[5].number, after.marks[5].title) == (6, "办公室隐去")
    marked = after.marked()["letter"]
    assert marked.startswith("【6·已隐去：办公室隐去｜请联系我】【1·已隐去：手机号｜13812345678】")


def test_lifting_an_added_term_forgets_it_and_adding_a_lifted_one_hides_it_again() -> None:
    decisions = Decisions().add(["张老师"]).lift(["张老师"])
    assert decisions == Decisions()
    assert Decisions(lifted=("王",)).add(["王"]) == Decisions(added=("王",))


@settings(max_examples=40, deadline=None)
@given(st.sets(st.integers(min_value=1, max_value=5)))
def test_lifting_marks_reveals_exactly_their_text(numbers: set[int]) -> None:
    rev = review(REDACTOR, item(letter=LETTER, answer=ANSWER))
    lifted = Decisions().lift(rev.marks[n - 1].original for n in sorted(numbers))
    _, letter, answer = review(REDACTOR, item(letter=LETTER, answer=ANSWER), lifted).final()
    texts = {"letter": letter, "answer": answer}
    for mark in rev.marks:
        # Each original occurs only where it is marked: visible exactly when lifted.
        assert (mark.original in texts[mark.field]) == (mark.original in lifted.lifted)


PARSES = [
    ("保留 3", ("redact_lift", (3,), ())),
    ("保留：3、5", ("redact_lift", (3, 5), ())),
    ("【保留】第3处，第5处", ("redact_lift", (3, 5), ())),
    ("保留3", ("redact_lift", (3,), ())),
    ("取消隐去 2", ("redact_lift", (2,), ())),
    ("隐去：张老师", ("redact_add", (), ("张老师",))),
    ("隐去：张老师、13912345678\n\n党政办公室 李四", ("redact_add", (), ("张老师", "13912345678"))),
]


@pytest.mark.parametrize(("text", "expected"), PARSES)
def test_redaction_commands_are_read_from_the_start_of_the_office_reply(
    text: str, expected: tuple[str, tuple[int, ...], tuple[str, ...]]
) -> None:
    command = parse_office_mail_command(text, today=date(2026, 12, 1))
    assert command is not None and command.problem is None
    assert (command.action, command.marks, command.terms) == expected


@pytest.mark.parametrize("text", ["保留", "保留 第三处", "隐去：", "隐去"])
def test_incomplete_redaction_commands_explain_the_problem(text: str) -> None:
    command = parse_office_mail_command(text, today=date(2026, 12, 1))
    assert command is not None and command.problem


@pytest.mark.parametrize("text", ["保留意见，请再核实", "隐去的部分请补充"])
def test_prose_that_starts_with_the_words_is_not_a_command(text: str) -> None:
    assert parse_office_mail_command(text, today=date(2026, 12, 1)) is None
