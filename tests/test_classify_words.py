"""The danger model's words (`reader.words`): jieba's words as rjieba cuts them, blanks dropped."""

from __future__ import annotations

import logging
from importlib import metadata

import jieba  # type: ignore[import-untyped]
import pytest

from xinxiang.classify.reader import words
from xinxiang.classify.reader_cache import LIBRARIES

TEXTS = (
    "宿舍楼三层走廊有浓烟，闻到烧焦的味道，请赶快派人来看看！",
    "我室友这几天一直说活着没意思，晚上不睡觉，我很担心他。",
    "食堂二楼的饭菜价格上涨太快，希望学校能够调查一下。",
    "图书馆 \n\n  空调坏了\t好几天",
)


@pytest.mark.parametrize("text", TEXTS)
def test_words_are_jiebas_words_without_blanks(text: str) -> None:
    jieba.setLogLevel(logging.WARNING)
    expected = [w for w in jieba.lcut(text) if w.strip()]
    got = words(text)
    assert got == expected
    assert all(w.strip() for w in got)


def test_latin_words_joined_by_a_hyphen_stay_whole() -> None:
    # The one known difference from jieba, which splits them (wi / - / fi).
    assert "wi-fi" in words("宿舍的wi-fi断了")


def test_cache_key_names_rjiebas_version() -> None:
    assert "rjieba" in LIBRARIES
    assert metadata.version("rjieba")
