"""A batch's character n-grams counted against a TF-IDF vocabulary with numpy (issue #17).

The second reader's models read character 1–3-grams (`reader._pipeline`). scikit-learn counts
them in Python, an n-gram string at a time: slicing every occurrence out of the text, counting
them, looking each distinct one up in the vocabulary — about half of reading a letter. Here
the texts of a batch become one array of code points; each occurrence of an n-gram becomes one
integer (its code points, 21 bits each: three fit in 63), found in the vocabulary's sorted
integers with `numpy.searchsorted`, and counted per text with `numpy.unique`. The occurrences of
a batch are made once for every vectoriser that analyses alike (the danger and the department
model read the same n-grams of the same texts; only their vocabularies differ).

The count matrix is the very one `CountVectorizer` builds (the same counts at the same sorted
columns, `int` counts made `vec.dtype`): the text is prepared by the vectoriser's own decoder and
preprocessor and its own white-space folding, as `_char_ngrams` does, and each vectoriser is
checked once against its own analyser on a probe text before this path is used for it (any
other vectoriser, or one that fails the check, is counted by scikit-learn's analyser instead).
"""

from __future__ import annotations

import contextlib
import weakref
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]

_BITS = 21  # bits of a code point (U+10FFFF < 2**21)
_MAX_N = 63 // _BITS
# Blanks of several kinds and lengths, both cases, CJK, digits and punctuation: what decides
# the n-grams of a text (white-space folding, lower-casing, accents) shows on it.
_PROBE = "Ab  C\n\n\td 中文　 字。\r\nÉé x1,2\u00a0\u00a0\u3000z"


@dataclass(frozen=True, slots=True, eq=False)
class CharTable:
    """A vectoriser's vocabulary of character n-grams as sorted integers, per length."""

    vocabulary: dict[str, int]
    min_n: int
    max_n: int
    keys: tuple[Any, ...]  # per length n (index n - min_n): the sorted integer n-grams
    columns: tuple[Any, ...]  # and their columns in the vocabulary


@dataclass(frozen=True, slots=True, eq=False)
class Occurrences:
    """Every n-gram occurrence of a batch of texts: per length, its integer and its text."""

    texts: tuple[str, ...]
    keys: tuple[Any, ...]
    rows: tuple[Any, ...]


_TABLES: weakref.WeakKeyDictionary[Any, CharTable | None] = weakref.WeakKeyDictionary()


def _key(gram: str) -> int:
    k = 0
    for ch in gram:
        k = (k << _BITS) | ord(ch)
    return k


def char_table(vec: Any) -> CharTable | None:
    """`vec`'s table (made once per fitted vocabulary), or None when `vec` is not a fitted
    `TfidfVectorizer` of character 1–3-grams over strings whose analyser this module counts
    exactly as its own (checked on a probe text)."""
    try:
        cached = _TABLES[vec]
    except (KeyError, TypeError):
        cached = None
    else:
        if cached is None or cached.vocabulary is getattr(vec, "vocabulary_", None):
            return cached
    table = _make_table(vec)
    with contextlib.suppress(TypeError):  # not weakly referable: made again next time
        _TABLES[vec] = table
    return table


def _make_table(vec: Any) -> CharTable | None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    if type(vec) is not TfidfVectorizer or vec.analyzer != "char" or vec.input != "content":
        return None
    vocabulary = getattr(vec, "vocabulary_", None)
    min_n, max_n = vec.ngram_range
    if not isinstance(vocabulary, dict) or not 1 <= min_n <= max_n <= _MAX_N:
        return None
    per: list[list[tuple[int, int]]] = [[] for _ in range(min_n, max_n + 1)]
    for gram, column in vocabulary.items():
        if not isinstance(gram, str) or not min_n <= len(gram) <= max_n:
            return None
        per[len(gram) - min_n].append((_key(gram), column))
    keys, columns = [], []
    for pairs in per:
        pairs.sort()
        keys.append(np.array([k for k, _ in pairs], dtype=np.int64))
        columns.append(np.array([c for _, c in pairs], dtype=np.int64))
    table = CharTable(vocabulary, min_n, max_n, tuple(keys), tuple(columns))
    probe = occurrences(vec, table, [_PROBE])
    counted: Counter[str] = Counter()
    for n, ks in enumerate(probe.keys, start=min_n):
        for k in ks.tolist():
            counted["".join(chr((k >> (_BITS * i)) & 0x1FFFFF) for i in reversed(range(n)))] += 1
    if counted != Counter(vec.build_analyzer()(_PROBE)):
        return None  # this scikit-learn analyses otherwise: its own analyser counts
    return table


def occurrences(vec: Any, table: CharTable, texts: list[str]) -> Occurrences:
    """The n-gram occurrences of `texts` as `vec` analyses them (`_char_ngrams`: decoded,
    preprocessed, runs of blanks folded to one space)."""
    decode = vec.decode
    prepare = vec.build_preprocessor()
    blanks = vec._white_spaces
    prepared = [blanks.sub(" ", prepare(decode(t))) for t in texts]
    lengths = np.fromiter(map(len, prepared), dtype=np.intp, count=len(prepared))
    points = np.frombuffer(
        "".join(prepared).encode("utf-32-le", "surrogatepass"), dtype=np.uint32
    ).astype(np.int64)
    row = np.repeat(np.arange(len(prepared), dtype=np.int64), lengths)
    end = np.cumsum(lengths)[row]  # where each position's text ends
    keys, rows = [], []
    for n in range(table.min_n, table.max_n + 1):
        size = len(points) - n + 1
        if size <= 0:
            keys.append(np.empty(0, dtype=np.int64))
            rows.append(np.empty(0, dtype=np.int64))
            continue
        k = points[:size].copy()
        for m in range(1, n):
            k <<= _BITS
            k |= points[m : size + m]
        inside = np.arange(n, size + n) <= end[:size]  # not across two texts
        keys.append(k[inside])
        rows.append(row[:size][inside])
    return Occurrences(tuple(texts), tuple(keys), tuple(rows))


def count_matrix(vec: Any, table: CharTable, found: Occurrences) -> Any:
    """The count matrix `vec`'s `CountVectorizer` part makes of `found.texts` (CSR, sorted)."""
    width = len(table.vocabulary)
    rows, columns = [], []
    for keys, at, k, r in zip(table.keys, table.columns, found.keys, found.rows, strict=True):
        if not len(keys) or not len(k):
            continue
        i = np.searchsorted(keys, k)
        np.minimum(i, len(keys) - 1, out=i)
        hit = keys[i] == k
        rows.append(r[hit])
        columns.append(at[i[hit]])
    n_rows = len(found.texts)
    if rows:
        cells, counts = np.unique(
            np.concatenate(rows) * width + np.concatenate(columns), return_counts=True
        )
    else:
        cells, counts = np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    row_of = cells // width
    x = sp.csr_matrix(
        (
            counts.astype(np.intc),
            (cells - row_of * width).astype(np.int32),
            np.searchsorted(row_of, np.arange(n_rows + 1)).astype(np.int32),
        ),
        shape=(n_rows, width),
        dtype=vec.dtype,
    )
    x.sort_indices()  # already sorted: only checked
    if vec.binary:
        x.data.fill(1)
    return x
