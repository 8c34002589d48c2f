"""Specification: routing's shortcuts (issue #17) decide nothing themselves.

- a regular expression of the rules is searched only where a text holds one of the strings
  every match of it holds (`rules.required_literals`): the rules' hits are those of searching
  every expression in every field;
- the second reader's character n-grams counted with numpy (`char_grams`) make the very count
  matrix of scikit-learn's own `CountVectorizer`, for any text;
- "long enough for the reader" is "at least `MIN_MODEL_HAN` Chinese characters".
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from xinxiang.classify import char_grams
from xinxiang.classify.engine import MIN_MODEL_HAN, normalized_fields, reader_text
from xinxiang.classify.evaluate import load_labelled
from xinxiang.classify.rules import RuleSet, load_rules_for, required_literals
from xinxiang.classify.scan import scan
from xinxiang.config import load_config

REPO = Path(__file__).resolve().parents[1]
RULES: RuleSet = load_rules_for(load_config(REPO / "config"))
# The same rules without the shortcut's tables: every expression searched in every field.
EVERY = dataclasses.replace(
    RULES, regex_always=(), regex_literals=(), regex_by_literal=(), regex_automaton=None
)
LABELLED = load_labelled([REPO / "tests" / "data" / "labelled", REPO / "tests/data/eval/tuning"])


@pytest.mark.parametrize(
    ("pattern", "needed"),
    [
        ("abc", {"abc"}),
        ("(?i)abc", None),
        ("a(?i:b)c", {"a"}),
        ("x?", None),
        ("ab|cd", {"ab", "cd"}),
        ("ab|c?", None),
        ("(ab){2,}", {"ab"}),
        ("(ab)*c", {"c"}),
        ("[ab]", {"a", "b"}),
        ("[a-c]x", {"x"}),
        ("\\bgpa\\b", {"gpa"}),
        ("(?<!教)学工(?!作)", {"学工"}),
        ("(已|已经)向.{0,10}(法院|仲裁)", {"法院", "仲裁"}),
        (".*", None),
        ("(a)\\1", {"a"}),
    ],
)
def test_the_strings_every_match_holds(pattern: str, needed: set[str] | None) -> None:
    found = required_literals(re.compile(pattern))
    assert (None if found is None else set(found)) == needed


def test_every_shipped_expression_that_matches_holds_one_of_its_strings() -> None:
    expressions = [p for rule in RULES.rules for p in rule.regex]
    assert RULES.regex_literals  # most expressions need a string
    for x in LABELLED:
        for text in normalized_fields(x.subject, x.body, x.attachments).values():
            for pattern in expressions:
                needed = required_literals(pattern)
                if needed is not None and pattern.search(text):
                    assert any(s in text for s in needed), (pattern.pattern, x.id)


def test_the_labelled_letters_hit_the_same_rules_either_way() -> None:
    for x in LABELLED:
        fields = normalized_fields(x.subject, x.body, x.attachments)
        assert scan(RULES, fields) == scan(EVERY, fields), x.id


# Texts made of the shipped expressions' strings, their neighbours and punctuation, so that
# expressions match, nearly match and match across the pieces.
_NEIGHBOURS = (
    "老师 同学 学生 管 还是 是 假的 证明 。 ， 1. 2、 3. 向 已经 法院 起诉 a c / grade s fee 50 2 3"
)
_PIECES = sorted({*RULES.regex_literals, *_NEIGHBOURS.split(" "), " ", "\n"})


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40), st.sampled_from(["subject", "body"]))
def test_any_text_hits_the_same_rules_either_way(pieces: list[str], field: str) -> None:
    text = "".join(pieces)
    fields = {"subject": "", "body": "", "attachments": "", field: text}
    assert scan(RULES, fields) == scan(EVERY, fields)


def _same_counts(vec: TfidfVectorizer, texts: list[str]) -> None:
    table = char_grams.char_table(vec)
    assert table is not None
    ours = char_grams.count_matrix(vec, table, char_grams.occurrences(vec, table, texts))
    theirs = vec._count_vocab(texts, fixed_vocab=True)[1]
    theirs.sort_indices()
    assert ours.shape == theirs.shape
    assert np.array_equal(ours.indptr, theirs.indptr)
    assert np.array_equal(ours.indices, theirs.indices)
    assert np.array_equal(ours.data, theirs.data)
    assert ours.dtype == vec.dtype


_CHARS = "教学楼着火了宿舍停水电图书馆空调坏aAbBfireLAB \t\n\r\x00\u3000"
_SMALL = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True).fit(
    ["教学楼着火了", "宿舍 停水  停电", "Fire in the LAB\n\n now", "图书馆\t\t空调坏了", "ab\x00c"]
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.text(
            alphabet=st.sampled_from(list(_CHARS)) | st.characters(),
            max_size=30,
        ),
        min_size=1,
        max_size=6,
    )
)
def test_numpy_counts_are_scikit_learns_for_any_text(texts: list[str]) -> None:
    _same_counts(_SMALL, texts)


def test_numpy_counts_are_scikit_learns_for_odd_characters() -> None:
    _same_counts(_SMALL, ["x\ud800y 火", "\U0001f600\U0010ffff火灾 ab", "", "a", "  \n "])


def test_other_vectorisers_are_left_to_scikit_learn() -> None:
    words = TfidfVectorizer(analyzer="word").fit(["aa bb", "bb cc"])
    wide = TfidfVectorizer(analyzer="char", ngram_range=(1, 4)).fit(["abcd", "bcde"])
    unfitted = TfidfVectorizer(analyzer="char")
    assert char_grams.char_table(words) is None
    assert char_grams.char_table(wide) is None
    assert char_grams.char_table(unfitted) is None


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("火中a \n。\u33ff\u3400\u9fff\ua000")), max_size=60))
def test_long_enough_for_the_reader(text: str) -> None:
    han = len(re.findall(r"[\u3400-\u9fff]", f"{text}\n{text}"))
    fields = {"subject": text, "body": text, "attachments": ""}
    assert (reader_text(fields) is not None) == (han >= MIN_MODEL_HAN)
