"""A learned name tagger beside the rules (`[names] name_tagger = "rules+crf"`, issue #13).

A character-level linear-chain CRF (python-crfsuite) tags B/I/O over people's names; the
redactor adds the names it is *sure* of (every character tagged at a marginal ≥ `SURE`) and the
rules' own word lists allow — two or more characters, not one of the not-names (public figures,
brands, places), not an everyday dictionary word. This is column (e) of
`bench/bench_name_tagger.py` (bench/RESULTS.md, round 8), with the same features, plus a shape
gate against ordinary words the CRF was sure of outside the labelled sets (`_shaped_like_a_name`)
and the classes of ordinary words of `name_crf_gate` (a 、-list of short words, a span after a
numeral and a measure word, a thing word the dictionary tags as a name, English words …).

The model is a small file shipped with the package (`name_crf.crfsuite`), built by
`bench/build_name_crf.py` from the labelled sets of `tests/data/pii/` that were already seen:
crfsuite's own binary format (not a pickle), so nothing is fitted on a deployment's machine and
every machine tags alike. `train` is also how the leave-one-writer-out bench fits its models.
The model is only as good as its features match: rebuild it (`--build`) whenever `features`, the
cue words below or the lists of `name_words` (surnames, titles) change.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from xinxiang.replies.name_crf_gate import (
    common_noun,
    described,
    noun_phrase,
    object_noun,
    ordinary_class,
    place_noun,
)
from xinxiang.replies.name_words import COMPOUND_SURNAMES, SURNAMES, TITLES
from xinxiang.replies.redact_names import Tagger

MODEL = Path(__file__).with_name("name_crf.crfsuite")
SURE = 0.9  # the marginal every character of a span needs; fixed before any run (round 8)
# LBFGS settings of the bench, not tuned.
PARAMS = {"c1": 0.05, "c2": 0.01, "max_iterations": 150}
# Words that end just before a name (a feature); the bench's list, which the model was fitted on.
CUES_BEFORE = tuple(
    sorted(
        [
            "叫",
            "是",
            "和",
            "与",
            "跟",
            "同",
            "及",
            "给",
            "找",
            "问",
            "请",
            "让",
            "被",
            "由",
            "把",
            "对",
            "向",
            "、",
            "，",
            "说",
            "称",
            "姓",
            "名",
            "我叫",
            "名叫",
            "本人",
            "学生",
            "同学",
            "老师",
            "室友",
            "舍友",
            "朋友",
            "孩子",
            "儿子",
            "女儿",
            "联系人",
            "收款人",
            "户名",
            "——",
            "此致",
            "敬礼",
            "敬上",
        ],
        key=len,
        reverse=True,
    )
)


def script(c: str) -> str:
    """A character's class: han, upper, lower, digit, space or punctuation."""
    if "\u4e00" <= c <= "\u9fff":
        return "han"
    if c.isascii() and c.isalpha():
        return "up" if c.isupper() else "lo"
    if c.isdigit():
        return "dig"
    return "sp" if c.isspace() else "pun"


def _word_tags(text: str, tagger: Tagger) -> tuple[list[str], list[str]]:
    """The segmenter's tag of each character's word and the character's place in it (B/M/E/S)."""
    n = len(text)
    tag, place = ["x"] * n, ["S"] * n
    pos = 0
    for word, flag in tagger(text):
        for k in range(len(word)):
            if pos + k < n:
                tag[pos + k] = flag
                place[pos + k] = (
                    "S" if len(word) == 1 else "B" if k == 0 else "E" if k == len(word) - 1 else "M"
                )
        pos += len(word)
    return tag, place


def features(text: str, tagger: Tagger, known: Sequence[str] = ()) -> list[list[str]]:
    """One feature list per character of `text`; `known` are the display name's terms."""
    n = len(text)
    tag, place = _word_tags(text, tagger)
    in_known = [False] * n
    for term in known:
        if term.strip():
            for m in re.finditer(re.escape(term), text):
                for i in range(m.start(), m.end()):
                    in_known[i] = True
    padded = "^^" + text + "$$"
    out = []
    for i, c in enumerate(text):
        j = i + 2
        f = [
            "b",
            f"c={c}",
            f"s={script(c)}",
            f"t={tag[i]}",
            f"p={place[i]}",
            f"tp={tag[i]}|{place[i]}",
            f"c-1={padded[j - 1]}",
            f"c-2={padded[j - 2]}",
            f"c+1={padded[j + 1]}",
            f"c+2={padded[j + 2]}",
            f"b-1={padded[j - 1 : j + 1]}",
            f"b+1={padded[j : j + 2]}",
            f"s-1={script(padded[j - 1])}",
            f"s+1={script(padded[j + 1])}",
            f"t-1={tag[i - 1] if i else '^'}",
            f"t+1={tag[i + 1] if i + 1 < n else '$'}",
        ]
        if c in SURNAMES:
            f.append("surname")
        if text.startswith(COMPOUND_SURNAMES, i):
            f.append("surname2")
        for k in (1, 2, 3):
            if text.startswith(TITLES, i + k):
                f.append(f"title+{k}")
        for k in (0, 1, 2):
            for cue in CUES_BEFORE:
                if i - k - len(cue) >= 0 and text.startswith(cue, i - k - len(cue)):
                    f.append(f"cue-{k}={cue}")
                    break
        if in_known[i]:
            f.append("known")
        out.append(f)
    return out


def bio(length: int, names: Iterable[tuple[int, int]]) -> list[str]:
    """B/I/O labels of a text of `length` characters whose names are the spans `names`."""
    y = ["O"] * length
    for start, end in names:
        y[start] = "B"
        for i in range(start + 1, end):
            y[i] = "I"
    return y


def spans_of(tags: Sequence[str]) -> list[tuple[int, int]]:
    """The runs of B/I tags."""
    out, start = [], -1
    for i, t in enumerate([*tags, "O"]):
        if t != "I" and start >= 0:
            out.append((start, i))
            start = -1
        if t == "B" or (t == "I" and start < 0):
            start = i
    return out


def train(
    examples: Iterable[tuple[str, Sequence[str], Sequence[tuple[int, int]]]],
    tagger: Tagger,
    path: Path,
) -> None:
    """Fit the CRF on `examples` (text, display-name terms, name spans) and write it to `path`."""
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    for text, known, names in examples:
        trainer.append(features(text, tagger, known), bio(len(text), names))
    trainer.set_params(PARAMS)
    trainer.train(str(path))


class CrfNames:
    """The CRF's sure names in a text, gated by the rules' lists (see the module's docstring)."""

    def __init__(
        self,
        tagger: Tagger,
        not_names: frozenset[str],
        everyday: Callable[[str], bool],
        model: Path = MODEL,
        *,
        in_dictionary: Callable[[str], bool] = lambda w: False,
        famous: Callable[[str], bool] = lambda w: False,
        frequent: Callable[[str], bool] = lambda w: False,
    ) -> None:
        import pycrfsuite

        self._crf: Any = pycrfsuite.Tagger()
        self._crf.open(str(model))
        self._tagger = tagger
        self.not_names = not_names
        self._everyday = everyday
        self._in_dictionary, self._famous, self._frequent = in_dictionary, famous, frequent
        self._lock = threading.Lock()  # a crfsuite tagger keeps the last sequence's state

    def sure_spans(
        self,
        text: str,
        known: Sequence[str] = (),
        tokens: Sequence[tuple[str, str]] | None = None,
    ) -> list[tuple[int, int]]:
        """The spans of `text` whose every character the CRF tags at a marginal ≥ `SURE`;
        `tokens` are the segmenter's words of `text` if the caller has them."""
        if not text.strip():
            return []
        words = tokens
        x = features(text, self._tagger if words is None else (lambda _: iter(words)), known)
        with self._lock:
            tags = self._crf.tag(x)
            return [
                (s, e)
                for s, e in spans_of(tags)
                if min(self._crf.marginal(tags[i], i) for i in range(s, e)) >= SURE
            ]

    def names(self, text: str, known: Sequence[str] = ()) -> list[str]:
        """The sure names of `text` that the gate lets through, in order, without duplicates."""
        out: list[str] = []
        tokens = list(self._tagger(text)) if text.strip() else []
        spans = self.sure_spans(text, known, tokens)
        sure = {text[s:e] for s, e in spans}
        for s, e in spans:
            word = text[s:e]
            if (
                len(word) >= 2
                and word not in self.not_names
                and not self._everyday(word)
                and word not in out
                and self._shaped_like_a_name(text, s, e)
                and not ordinary_class(text, s, e, self._in_dictionary, sure - {word})
                and not noun_phrase(tokens, s, e, self._frequent)
                and not place_noun(tokens, s, e, self._frequent)
                and not object_noun(tokens, s, e, self._frequent)
                and not common_noun(tokens, s, e, self._frequent)
                and not described(tokens, s, e)
            ):
                out.append(word)
        return out

    def _shaped_like_a_name(self, text: str, s: int, e: int) -> bool:
        """False for a span mixing Han and Latin (连PPT), the start of a longer dictionary word
        (唐宋八|大家) or a dotted name with a famous part (马克思·韦伯)."""
        word = text[s:e]
        han = any("\u4e00" <= c <= "\u9fff" for c in word)
        if han and any(c.isascii() and c.isalpha() for c in word):
            return False
        if any(self._in_dictionary(text[s : e + k]) for k in (1, 2, 3) if e + k <= len(text)):
            return False
        parts = re.split(r"[·・]", word)
        if any(self._famous(p) for p in parts if len(p) >= 2) and len(parts) > 1:
            return False
        # Round 11: a dictionary word dotted to a famous one is a famous foreigner (查理·卓别林);
        # 依布拉音·买买提 stays, 依布拉音 being in no dictionary.
        return not (self._in_dictionary(word) and any(map(self._famous, _dotted_to(text, s, e))))


def _dotted_to(text: str, s: int, e: int) -> list[str]:
    """The words of two to four Han characters joined by a middle dot to `text[s:e]`."""
    out = []
    if s > 1 and text[s - 1] in "·・":
        run = re.search(r"[\u4e00-\u9fff]+$", text[: s - 1])
        out += [run.group()[-n:] for n in (2, 3, 4) if run and len(run.group()) >= n]
    if e < len(text) - 1 and text[e] in "·・":
        run = re.match(r"[\u4e00-\u9fff]+", text[e + 1 :])
        out += [run.group()[:n] for n in (2, 3, 4) if run and len(run.group()) >= n]
    return out
