"""A learned second reader next to the rules (模型辅助阅读): danger and department from examples.

The rules (`engine.py`, `emergency.py`) stay first and explainable. Keyword rules tuned on one
set of letters read right only 60–75 % of letters written later about the same dangers
(bench/RESULTS.md, issue #16), so a second reader trained on labelled letters shipped with the
package (`reader_data/*.jsonl`: the tuning half of the evaluation letters, the readings written
by class of danger and department, and letters written for it — emergencies of every class and
hard negatives: negated, hypothetical, past, quoted, news, fiction, course material) reads
every letter too:

- **danger**: when the rules see no danger at all and the model's probability of an emergency
  reaches ``settings.reader_danger``, the letter becomes 疑似紧急 (only the office is alerted,
  to look at once). With ``settings.reader_calm`` a danger reading of the rules the model
  finds very unlikely raises no alert (steadfast groups stay 疑似紧急), and with
  ``settings.reader_confirm`` a 疑似紧急 it is sure of becomes an emergency (third tuning
  round, bench/RESULTS.md); both off, it never lowers a reading nor makes an emergency;
- **department**: when the rules could not route a letter (triage for a weak score, not a
  triage rule) or routed it with confidence below ``settings.reader_route_below``, and the
  model names a department with probability ≥ ``settings.reader_department``, that department
  is taken and the explanation says so;
- **whose emergency** (``settings.reader_emergency_department``): a model trained on
  emergencies only names the department of an emergency by its danger, not by the place named;
- **the office's own** (``settings.reader_office``): a letter the department model is sure
  belongs to the office stays there, and a model trained on the office's letters names the
  seed 004 第八条 clause (illegal, legal channel, out of scope) or leaves it in triage.

Both are linear models (fixed seeds, deterministic) over character 1–3-gram TF-IDF of the
normalised text (danger: and jieba's words, cut by rjieba), fitted at first use from the shipped
text. The fit is deterministic and costs ~9 s of CPU, so the shipped reader's fitted models are
kept once per machine (`reader_cache.py`: files named by the hash of the data, the code and
the libraries' versions, loaded only from a directory that is the user's alone). Each decision
names its probability and the n-grams that weighed most.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from itertools import chain, pairwise, repeat
from typing import Any, Protocol

from xinxiang.classify.normalize import normalize
from xinxiang.classify.reader_cache import ModelCache, cache_key, default_directory

DATA_PACKAGE = "xinxiang.classify.reader_data"
# The office itself: a letter the model would send there stays in triage.
OFFICE_CODE = "dzb"
EVIDENCE_SIZE = 5
# What the office itself does with a letter (seed 004 第八条; triage: it picks a department).
OFFICE_WORK = ("illegal", "legal_channel", "out_of_scope", "triage")


@dataclass(frozen=True, slots=True)
class Sample:
    """One training letter: text, whether it is an emergency (None: unknown), department and
    disposition (None: not labelled)."""

    text: str
    danger: bool | None
    dept: str | None
    disposition: str | None = None


@dataclass(frozen=True, slots=True)
class Reading:
    """What the model reads in a letter: a probability and the n-grams that weighed most."""

    label: str
    probability: float
    evidence: tuple[str, ...]


def model_text(subject: str, body: str) -> str:
    """The text the models read: normalised subject and body."""
    return normalize(f"{subject}\n{body}")


@cache
def _segmenter() -> Callable[[str], list[str]]:
    # rjieba (jieba-rs) holds jieba's dictionary and cuts the same words, 14 times faster
    # (bench/RESULTS.md, "The danger model's words from rjieba"); imported on first use, its
    # dictionary loads in ~0.2 s where jieba's takes ~1 s.
    import rjieba

    return rjieba.cut


def words(text: str) -> list[str]:
    """jieba's words of `text` as rjieba cuts them (with the HMM for unknown words), blanks
    dropped. Only Latin words joined by `-` or `_` (wi-fi, 5000-50000) stay whole where
    jieba splits them."""
    return list(filter(str.strip, _segmenter()(text)))  # blanks (strip to "") dropped


def _pipeline(danger: bool) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression, SGDClassifier
    from sklearn.pipeline import FeatureUnion, Pipeline

    # Danger: two classes, logistic regression (liblinear: ~0.2 s). Departments: seventeen
    # classes, where L-BFGS takes ~7 s; SGD on the same log loss takes ~0.4 s.
    clf = (
        LogisticRegression(C=10.0, class_weight="balanced", solver="liblinear", random_state=0)
        if danger
        else SGDClassifier(
            loss="log_loss", alpha=1e-5, max_iter=50, tol=None, random_state=0, average=True
        )
    )
    chars = TfidfVectorizer(
        analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2, max_df=0.5
    )
    if not danger:
        return Pipeline([("tfidf", chars), ("clf", clf)])
    # Danger reads jieba's words too: in cross-validation on the tuning half they caught
    # 2–3 more emergencies of 107 and flagged 1–2 fewer other letters than characters alone.
    both = FeatureUnion(
        [
            ("chars", chars),
            ("words", TfidfVectorizer(analyzer=words, sublinear_tf=True, min_df=2, max_df=0.5)),
        ]
    )
    return Pipeline([("tfidf", both), ("clf", clf)])


def _fit(danger: bool, texts: Sequence[str], labels: Sequence[str]) -> tuple[Any, Any]:
    pipe = _pipeline(danger).fit(list(texts), list(labels))
    return pipe, pipe.named_steps["tfidf"].get_feature_names_out()


class Reader:
    """The two models, each fitted on `samples` the first time it is asked (deterministic);
    with a `cache`, a model another process fitted on the same samples is loaded instead."""

    def __init__(self, samples: Sequence[Sample], cache: ModelCache | None = None) -> None:
        """Keep the samples; nothing is fitted yet."""
        self.samples = tuple(samples)
        self.cache = cache
        self._grams: dict[tuple[Any, ...], Any] = {}
        """The n-grams counted in the last call's texts, per analyser (`_vectorise`)."""

    def _model(self, name: str, danger: bool, chosen: Sequence[tuple[str, str]]) -> tuple[Any, Any]:
        def fit() -> tuple[Any, Any]:
            return _fit(danger, [t for t, _ in chosen], [label for _, label in chosen])

        model = fit() if self.cache is None else self.cache.get_or_fit(name, fit)
        _prepare(model[0])
        return model

    @cached_property
    def danger(self) -> tuple[Any, Any]:
        """The danger pipeline and its feature names (emergency or not)."""
        chosen = [(s.text, "1" if s.danger else "0") for s in self.samples if s.danger is not None]
        return self._model("danger", True, chosen)

    @cached_property
    def department(self) -> tuple[Any, Any]:
        """The department pipeline and its feature names."""
        chosen = [(s.text, s.dept) for s in self.samples if s.dept]
        return self._model("department", False, chosen)

    @cached_property
    def emergency_department(self) -> tuple[Any, Any]:
        """Department of an emergency, learnt from emergencies only (the danger decides it)."""
        chosen = [
            (s.text, s.dept) for s in self.samples if s.danger and s.dept and s.dept != OFFICE_CODE
        ]
        return self._model("emergency_department", False, chosen)

    @cached_property
    def office_disposition(self) -> tuple[Any, Any]:
        """What the office does with a letter that is its own: which seed 004 第八条 clause."""
        chosen = [
            (s.text, s.disposition)
            for s in self.samples
            if s.dept == OFFICE_CODE and s.disposition in OFFICE_WORK and s.disposition
        ]
        return self._model("office_disposition", False, chosen)

    def read_danger(self, text: str) -> Reading:
        """Probability that `text` (see `model_text`) describes an emergency, with evidence."""
        return self.read_danger_many([text])[0]

    def read_department(self, text: str) -> Reading:
        """The most likely department code for `text`, with its probability and evidence."""
        return self.read_department_many([text])[0]

    def read_office_disposition(self, text: str) -> Reading:
        """For a letter the office keeps: illegal, legal_channel, out_of_scope or triage."""
        return _read_many(*self.office_disposition, [text], want=None, grams={})[0]

    def read_emergency_department(self, text: str) -> Reading:
        """The department an emergency described in `text` goes to (保卫处, 后勤, 学生处…)."""
        return _read_many(*self.emergency_department, [text], want=None, grams={})[0]

    def read_danger_many(self, texts: Sequence[str]) -> list[Reading]:
        """`read_danger` of each text, the model called once for all (the same readings)."""
        return _read_many(*self.danger, texts, want="1", grams=self._grams)

    def read_department_many(self, texts: Sequence[str]) -> list[Reading]:
        """`read_department` of each text, the model called once for all (the same readings)."""
        return _read_many(*self.department, texts, want=None, grams=self._grams)


def _prepare(pipe: Any) -> None:
    """Make a fitted pipeline ready to read fast, once, when it is fitted or loaded: the tables
    of its character n-grams (`char_grams.char_table`), and its linear model's coefficients
    kept column-major (the same values): `predict_proba` multiplies the sparse texts by
    `coef_.T`, which scipy copies to row-major on every call otherwise (10 MB for the
    department model's seventeen classes)."""
    import numpy as np

    from xinxiang.classify.char_grams import char_table

    vec = pipe.named_steps["tfidf"]
    for part in [p for _, p in vec.transformer_list] if hasattr(vec, "transformer_list") else [vec]:
        char_table(part)
    clf = pipe.named_steps["clf"]
    coef = getattr(clf, "coef_", None)
    if isinstance(coef, np.ndarray) and coef.ndim == 2 and not coef.flags.f_contiguous:
        clf.coef_ = np.asfortranarray(coef)


class SecondReader(Protocol):
    """What the rules' engine asks of a second reader (`Reader`, or readings made beforehand)."""

    def read_danger(self, text: str) -> Reading: ...
    def read_department(self, text: str) -> Reading: ...
    def read_office_disposition(self, text: str) -> Reading: ...
    def read_emergency_department(self, text: str) -> Reading: ...


def _read_many(
    pipe: Any,
    names: Any,
    texts: Sequence[str],
    want: str | None,
    grams: dict[tuple[Any, ...], Any] | None = None,
) -> list[Reading]:
    """Each text's reading, vectorised and predicted in one call: scikit-learn's checks cost
    more per call than a row does, and each row's figures do not depend on the other rows.
    `grams`: n-gram counts kept from the last call (the danger and the department model read
    the same characters of the same texts), see `_vectorise`."""
    if not texts:
        return []
    vec = pipe.named_steps["tfidf"]
    clf = pipe.named_steps["clf"]
    x = _vectorise(vec, list(texts), grams).tocsr()
    probs = clf.predict_proba(x)
    classes = [str(c) for c in clf.classes_]
    if want is not None:
        chosen = [classes.index(want)] * x.shape[0]
    else:
        chosen = probs.argmax(axis=1).tolist()  # the first of equal probabilities, as argmax
    evidence = _evidence_many(x, chosen, clf.coef_, names)
    return [
        Reading(classes[i], float(probs[r][i]), found)
        for r, (i, found) in enumerate(zip(chosen, evidence, strict=True))
    ]


def _vectorise(vec: Any, texts: list[str], grams: dict[tuple[Any, ...], Any] | None) -> Any:
    """`vec.transform(texts)`, the very same matrix, with each text's n-grams counted once for
    every vectoriser that analyses it alike (the danger model's characters and the department
    model's are the same 1–3-grams, only their vocabularies differ). Counted with `Counter`
    and looked up once per distinct n-gram, where scikit-learn looks up every occurrence."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    if grams is None:
        return vec.transform(texts)
    if isinstance(vec, FeatureUnion) and vec.transformer_weights is None:
        return vec._hstack([_vectorise(part, texts, grams) for _, part in vec.transformer_list])
    if type(vec) is not TfidfVectorizer or vec.input != "content":
        return vec.transform(texts)
    import numpy as np
    import scipy.sparse as sp  # type: ignore[import-untyped]

    # What decides the n-grams of a text (not the vocabulary, the weights or the cut-offs).
    key = tuple(
        id(v) if callable(v) else v
        for v in (
            vec.analyzer,
            vec.ngram_range,
            vec.lowercase,
            vec.preprocessor,
            vec.strip_accents,
            vec.tokenizer,
            vec.token_pattern,
            vec.stop_words,
        )
    )
    from xinxiang.classify.char_grams import Occurrences, char_table, count_matrix, occurrences

    table = char_table(vec)
    if table is not None:
        # Character n-grams: counted with numpy (`char_grams`), the same matrix.
        found = grams.get(key)
        if not isinstance(found, Occurrences) or found.texts != tuple(texts):
            found = grams[key] = occurrences(vec, table, texts)
        return _tfidf(vec._tfidf, count_matrix(vec, table, found))
    known = grams.get(key)
    if not isinstance(known, dict):
        known = {}
    analyse = vec.build_analyzer()
    counted = {t: known[t] if t in known else Counter(analyse(t)) for t in texts}
    grams[key] = counted  # the last call's texts only: memory stays one batch's
    # Every text's distinct n-grams looked up in one pass (`map` over the vocabulary's `get`,
    # -1 for an n-gram outside it), then the unknown ones dropped with numpy.
    rows = [counted[t] for t in texts]
    sizes = np.fromiter(map(len, rows), dtype=np.intp, count=len(rows))
    total = int(sizes.sum())
    columns = np.fromiter(
        map(vec.vocabulary_.get, chain.from_iterable(rows), repeat(-1)),
        dtype=np.intp,
        count=total,
    )
    counts = np.fromiter(chain.from_iterable(map(Counter.values, rows)), dtype=np.intc, count=total)
    kept = columns >= 0
    before = np.zeros(total + 1, dtype=np.intp)  # kept n-grams before each position
    np.cumsum(kept, out=before[1:])
    ends = np.zeros(len(rows) + 1, dtype=np.intp)
    np.cumsum(sizes, out=ends[1:])
    # As `CountVectorizer._count_vocab` builds it: int counts, int32 indices, sorted.
    x = sp.csr_matrix(
        (
            counts[kept],
            columns[kept].astype(np.int32),
            before[ends].astype(np.int32),
        ),
        shape=(len(texts), len(vec.vocabulary_)),
        dtype=vec.dtype,
    )
    x.sort_indices()
    if vec.binary:
        x.data.fill(1)
    return _tfidf(vec._tfidf, x)


def _tfidf(transformer: Any, x: Any) -> Any:
    """`transformer.transform(x, copy=False)` of a CSR count matrix made here (float, sorted):
    the very operations scikit-learn's `TfidfTransformer` makes on it, in place — sublinear
    tf, idf, each row's l2 norm (`inplace_csr_row_normalize_l2`, as `normalize` does) —
    without its checks of the input, which cost more per call than a batch's arithmetic."""
    import numpy as np
    import sklearn
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2

    if (
        type(transformer) is not TfidfTransformer
        or transformer.norm not in ("l2", None)
        or x.format != "csr"
        or x.dtype not in (np.float64, np.float32)
        or sklearn.get_config()["sparse_interface"] != "spmatrix"
    ):
        return transformer.transform(x, copy=False)
    if transformer.sublinear_tf:
        np.log(x.data, x.data)
        x.data += 1.0
    if hasattr(transformer, "idf_"):
        x.data *= transformer.idf_[x.indices]
    if transformer.norm == "l2":
        inplace_csr_row_normalize_l2(x)
    return x


# Candidates sorted in Python per letter: the strongest few, ties at the cut included.
_EVIDENCE_POOL = 32


def _evidence_many(x: Any, chosen: list[int], coef: Any, names: Any) -> list[tuple[str, ...]]:
    """Each row's evidence for its class `chosen[r]`: the n-grams that weighed most (weight =
    tf-idf × the class's coefficient; a binary model's class 0 reads the coefficients negated):
    the first `EVIDENCE_SIZE` distinct grams longer than a character, by weight then gram,
    descending. The weights of the whole batch are made at once; each row's strongest
    `_EVIDENCE_POOL` (ties at the cut included) are then sorted in Python, or all of its
    positive weights when those hold fewer than `EVIDENCE_SIZE` grams."""
    import numpy as np

    names = np.asarray(names)
    n_rows = x.shape[0]
    row_of = np.repeat(np.arange(n_rows), np.diff(x.indptr))
    if coef.shape[0] == 1:
        # Multiplying by ±1.0 is exact: the very weights of `coef[0] * (1 or -1)`.
        sign = np.where(np.asarray(chosen) == 1, 1.0, -1.0)
        weights = x.data * (coef[0][x.indices] * sign[row_of])
    else:
        weights = x.data * coef[np.asarray(chosen, dtype=np.intp)[row_of], x.indices]
    positive = weights > 0
    weights, indices, row_of = weights[positive], x.indices[positive], row_of[positive]
    order = np.lexsort((-weights, row_of))  # by row, then weight descending
    weights, indices = weights[order], indices[order]
    bounds = np.searchsorted(row_of[order], np.arange(n_rows + 1)).tolist()
    out: list[tuple[str, ...]] = []
    for lo, hi in pairwise(bounds):
        if hi - lo > _EVIDENCE_POOL:
            # Every weight outside the pool is below the pool's smallest: sorting the pool
            # alone gives the same first grams whenever it holds enough of them.
            cut = weights[lo + _EVIDENCE_POOL - 1]
            end = lo + int(np.count_nonzero(weights[lo:hi] >= cut))
            found = _first_grams(weights[lo:end], indices[lo:end], names)
            if len(found) == EVIDENCE_SIZE:
                out.append(found)
                continue
        out.append(_first_grams(weights[lo:hi], indices[lo:hi], names))
    return out


def _first_grams(weights: Any, indices: Any, names: Any) -> tuple[str, ...]:
    grams = map(str, names[indices].tolist())
    scored = sorted(zip(weights.tolist(), grams, strict=True), reverse=True)
    evidence: list[str] = []
    for _, g in scored:
        gram = g.removeprefix("chars__").removeprefix("words__").strip()
        if len(gram) > 1 and gram not in evidence:
            evidence.append(gram)
            if len(evidence) == EVIDENCE_SIZE:
                break
    return tuple(evidence)


def train(samples: Sequence[Sample]) -> Reader:
    """Both models on `samples`, each fitted when first used (fixed seeds)."""
    return Reader(samples)


def parse_samples(lines: Iterable[str]) -> list[Sample]:
    """Samples from JSON lines ``{"text", "danger": true/false/null, "dept": code/null}`` (and
    an optional ``"disposition"``)."""
    out: list[Sample] = []
    for line in lines:
        line = line.strip()
        if not line:
            continue
        obj = json.loads(line)
        danger = obj.get("danger")
        out.append(
            Sample(
                normalize(str(obj["text"])),
                None if danger is None else bool(danger),
                obj.get("dept") or None,
                obj.get("disposition") or None,
            )
        )
    return out


def _shipped_files() -> list[tuple[str, bytes]]:
    root = resources.files(DATA_PACKAGE)
    return [
        (entry.name, entry.read_bytes())
        for entry in sorted(root.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".jsonl")
    ]


def shipped_samples() -> list[Sample]:
    """The labelled letters shipped with the package (`reader_data/*.jsonl`, sorted)."""
    out: list[Sample] = []
    for _, data in _shipped_files():
        out.extend(parse_samples(data.decode("utf-8").splitlines()))
    return out


@cache
def shipped_reader() -> Reader:
    """The reader of the shipped letters, once per process; its fitted models are shared by
    the machine's processes through the reader cache (unless ``XINXIANG_READER_CACHE=off``)."""
    files = _shipped_files()
    samples: list[Sample] = []
    for _, data in files:
        samples.extend(parse_samples(data.decode("utf-8").splitlines()))
    directory = default_directory()
    if directory is None:
        return Reader(samples)
    try:
        key = cache_key(name.encode() + b"\0" + data for name, data in files)
    except OSError:  # the code is not readable as files (a zip import): no cache, fit
        return Reader(samples)
    return Reader(samples, ModelCache(directory, key))
