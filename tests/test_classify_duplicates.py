"""Specification of repeated-letter detection (seed 002 §9.4, seed 004 §8(二))."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinxiang.classify.duplicates import (
    DuplicateMatch,
    PriorLetter,
    find_duplicate,
    similarity,
)

NOW = datetime(2024, 9, 10, 9, 0, tzinfo=UTC)
WINDOW = timedelta(days=7)
ME = "zhangsan@stu.example.edu.cn"
FIRST = "北区7号楼宿舍已经三天没有热水了，洗澡很不方便，希望学校尽快维修热水器。"
AGAIN = "北區7號樓宿舍已經三天沒有熱水了！洗澡很不方便，希望學校儘快維修熱水器"  # Big5 retype
REWORDED = "我们北区7号楼宿舍三天没有热水了，洗澡非常不方便，请学校尽快维修热水器，谢谢。"
OTHER = "图书馆三楼阅览室占座现象严重，希望加强管理。"


def prior(
    number: str = "2024-0001",
    *,
    sender: str = ME,
    text: str = FIRST,
    created: timedelta = timedelta(days=2),
    is_open: bool = True,
    answered: timedelta | None = None,
) -> PriorLetter:
    return PriorLetter(
        ticket_number=number,
        sender=sender,
        text=text,
        created_at=NOW - created,
        is_open=is_open,
        answered_at=None if answered is None else NOW - answered,
    )


@pytest.mark.parametrize(
    ("case", "sender", "text", "candidates", "expected"),
    [
        (
            "same matter, earlier still open",
            ME,
            AGAIN,
            [prior()],
            DuplicateMatch("2024-0001", 0.0, "open"),
        ),
        ("reworded, still open", ME, REWORDED, [prior()], DuplicateMatch("2024-0001", 0.0, "open")),
        (
            "sender address case does not matter",
            ME.upper(),
            FIRST,
            [prior()],
            DuplicateMatch("2024-0001", 0.0, "open"),
        ),
        (
            "answered two days ago: within the window",
            ME,
            FIRST,
            [prior(is_open=False, answered=timedelta(days=2))],
            DuplicateMatch("2024-0001", 0.0, "recently_answered"),
        ),
        (
            "answered a month ago: a new ticket",
            ME,
            FIRST,
            [prior(created=timedelta(days=40), is_open=False, answered=timedelta(days=30))],
            None,
        ),
        ("closed without an answer date: a new ticket", ME, FIRST, [prior(is_open=False)], None),
        ("another petitioner: a new ticket", "lisi@stu.example.edu.cn", FIRST, [prior()], None),
        ("another matter: a new ticket", ME, OTHER, [prior()], None),
        ("prior from the future is ignored", ME, FIRST, [prior(created=-timedelta(hours=1))], None),
        ("no candidates", ME, FIRST, [], None),
        ("empty text", ME, "", [prior()], None),
        (
            "the most similar of several wins",
            ME,
            FIRST,
            [
                prior("2024-0002", text=REWORDED),
                prior("2024-0003", text=FIRST),
                prior("2024-0004", text=OTHER),
            ],
            DuplicateMatch("2024-0003", 1.0, "open"),
        ),
    ],
)
def test_find_duplicate(
    case: str,
    sender: str,
    text: str,
    candidates: list[PriorLetter],
    expected: DuplicateMatch | None,
) -> None:
    got = find_duplicate(sender, text, candidates, NOW, WINDOW, threshold=0.5)
    if expected is None:
        assert got is None, case
    else:
        assert got is not None, case
        assert (got.ticket_number, got.reason) == (expected.ticket_number, expected.reason)
        assert 0.5 <= got.similarity <= 1.0


def test_ties_go_to_the_most_recent_ticket() -> None:
    got = find_duplicate(
        ME,
        FIRST,
        [
            prior("2024-0001", created=timedelta(days=5)),
            prior("2024-0009", created=timedelta(days=1)),
        ],
        NOW,
        WINDOW,
        0.5,
    )
    assert got is not None and got.ticket_number == "2024-0009"


@pytest.mark.parametrize(
    ("a", "b", "low", "high"),
    [
        (FIRST, FIRST, 1.0, 1.0),
        (FIRST, AGAIN, 0.9, 1.0),
        (FIRST, REWORDED, 0.5, 0.9),
        (FIRST, OTHER, 0.0, 0.1),
        ("", "", 0.0, 0.0),
        ("No hot water in building B", "no HOT water in Building B!", 1.0, 1.0),
    ],
)
def test_similarity(a: str, b: str, low: float, high: float) -> None:
    assert low <= similarity(a, b) <= high


@settings(max_examples=200, deadline=None)
@given(a=st.text(max_size=200), b=st.text(max_size=200))
def test_similarity_is_symmetric_and_bounded(a: str, b: str) -> None:
    s = similarity(a, b)
    assert s == similarity(b, a)
    assert 0.0 <= s <= 1.0


@settings(max_examples=200, deadline=None)
@given(text=st.text(min_size=1, max_size=200), sender=st.emails())
def test_an_open_identical_letter_is_always_a_duplicate(text: str, sender: str) -> None:
    candidates = [prior(sender=sender, text=text)]
    got = find_duplicate(sender, text, candidates, NOW, WINDOW, 1.0)
    if similarity(text, text) > 0:
        assert got is not None and got.similarity == 1.0
    else:
        assert got is None  # nothing comparable (only punctuation or spaces)
