"""The redactor for everything public (公开内容脱敏): patterns, people's names and an allowlist.

`Redactor.spans` says what to hide in a text and why (each `Span` has a kind: phone, name …);
`Redactor.redact_all` hides it in several texts at once — a letter, its answer, its subject — so a
name found in one (the signature, say) is hidden in all. What the allowlist names (the
departments' public hotlines and addresses, the school's own numbers) and what a `keep` pattern
matches (ticket and course numbers) is never hidden.

Configured by `redaction.toml` in the config directory (`load_redactor`); without the file the
built-in patterns and word lists apply, with jieba as the name tagger.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator

from xinxiang.config import Strict, load_model
from xinxiang.replies.name_crf import MODEL, CrfNames
from xinxiang.replies.name_namesakes import cut_across, named_after, namesakes, shop_names
from xinxiang.replies.name_public import not_a_person
from xinxiang.replies.name_signoff import lone_surname
from xinxiang.replies.name_words import NOT_BEFORE_TITLE, NOT_NAMES, NOT_NICKNAMES, SURNAMES, TITLES
from xinxiang.replies.redact import (
    NAME_MARK,
    RedactionFile,
    RedactionPattern,
    _name_regex,
    default_patterns,
    fold_for_patterns,
    name_variants,
    patterns_from,
)
from xinxiang.replies.redact_names import NameFinder, Tagger
from xinxiang.replies.roman_names import first_of, given_of

MEMO_SIZE = 20_000


@dataclass(frozen=True, slots=True)
class Span:
    """One thing to hide: `text[start:end]`, of `kind` (a pattern's name or "name")."""

    start: int
    end: int
    kind: str
    label: str


@cache
def _jieba() -> Any:
    import jieba  # type: ignore[import-untyped]
    import jieba.posseg  # type: ignore[import-untyped]

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return jieba.posseg.POSTokenizer(tokenizer)


def jieba_tagger() -> Tagger:
    """jieba's part-of-speech segmenter (`posseg`); its dictionary loads on first use (~1 s)."""
    tokenizer = _jieba()

    def tag(text: str) -> Iterator[tuple[str, str]]:
        for pair in tokenizer.cut(text):
            yield str(pair.word), str(pair.flag)

    return tag


def jieba_fast_tagger() -> Tagger:
    """jieba's segmenter (with its HMM for unknown words) and its dictionary's tags, about
    2.5 times faster than `posseg`: a word the dictionary lacks, of Han characters and
    starting with a surname, is tagged a name (nr) — which is what posseg's HMM mostly decides.
    """
    pos = _jieba()
    tokenizer = pos.tokenizer
    tags: dict[str, str] = pos.word_tag_tab
    freq: dict[str, int] = tokenizer.FREQ

    def tag(text: str) -> Iterator[tuple[str, str]]:
        for word in tokenizer.cut(text, HMM=True):
            known = tags.get(word)
            if known is None:
                han = all("\u4e00" <= c <= "\u9fff" for c in word)
                unknown_name = han and not freq.get(word) and word[0] in SURNAMES
                known = "nr" if unknown_name else "x"
            yield str(word), known

    return tag


def jieba_lexicon(min_count: int = 20) -> Callable[[str], bool]:
    """Whether jieba's dictionary holds a word as a common word, not a person's name.

    Rare entries (管孔, 文心: fewer than 20 in jieba's counts) do not count: they are likelier
    part of a name in a letter than the word itself.
    """
    pos = _jieba()
    freq: dict[str, int] = pos.tokenizer.FREQ
    tags: dict[str, str] = pos.word_tag_tab

    def ordinary(word: str) -> bool:
        return (freq.get(word) or 0) >= min_count and not tags.get(word, "").startswith("nr")

    return ordinary


def jieba_frequent(min_count: int = 100) -> Callable[[str], bool]:
    """Whether jieba's dictionary counts a word `min_count` times or more, whatever its tag
    (盖章; with 30, the well-known people and places of three characters: 袁隆平, 卢沟桥)."""
    freq: dict[str, int] = _jieba().tokenizer.FREQ

    def frequent(word: str) -> bool:
        return (freq.get(word) or 0) >= min_count

    return frequent


def _compiling(exprs: list[str]) -> list[str]:
    """`exprs` if each compiles and none matches the empty string (else ValueError)."""
    for expr in exprs:
        try:
            compiled = re.compile(expr)
        except re.error as exc:
            raise ValueError(f"invalid regular expression {expr!r}: {exc}") from exc
        if compiled.match(""):
            raise ValueError(f"{expr!r} matches the empty string")
    return exprs


class NamesSection(Strict):
    """`[names]` of `redaction.toml`: how people's names are found."""

    segmenter: Literal["jieba", "jieba-fast", "none"] = "jieba"
    titles: list[str] = Field(default_factory=list)
    surnames: list[str] = Field(default_factory=list)
    not_names: list[str] = Field(default_factory=list)
    not_nicknames: list[str] = Field(default_factory=list)
    name_tagger: Literal["rules", "rules+crf"] = "rules"


class ConfidentialSection(Strict):
    """`[confidential]` of `redaction.toml`: more phrases asking for identity confidentiality
    (regular expressions, added to `xinxiang.mailbox.confidential.DEFAULT_PHRASES`)."""

    phrases: list[str] = Field(default_factory=list)

    @field_validator("phrases")
    @classmethod
    def _phrases_compile(cls, value: list[str]) -> list[str]:
        return _compiling(value)


class RedactorFile(RedactionFile):
    """`redaction.toml`: patterns (see `RedactionFile`), the allowlist, kept numbers, names,
    and the phrases that ask for identity confidentiality."""

    allow: list[str] = Field(default_factory=list)
    keep: list[str] = Field(default_factory=list)
    names: NamesSection = Field(default_factory=NamesSection)
    confidential: ConfidentialSection = Field(default_factory=ConfidentialSection)

    @field_validator("keep")
    @classmethod
    def _keep_compiles(cls, value: list[str]) -> list[str]:
        return _compiling(value)


class Redactor:
    """Finds and hides personal data; configured once, then used for every public text."""

    def __init__(
        self,
        patterns: Sequence[RedactionPattern] | None = None,
        finder: NameFinder | None = None,
        *,
        allow: Iterable[str] = (),
        keep: Iterable[str] = (),
        crf: CrfNames | None = None,
    ) -> None:
        self.crf = crf
        self.patterns = tuple(default_patterns() if patterns is None else patterns)
        if finder is None:
            finder = NameFinder(
                tagger=jieba_tagger(),
                lexicon=jieba_lexicon(),
                frequent=jieba_frequent(20),
                known=jieba_lexicon(1),
                famous=jieba_frequent(30),
                everyday=jieba_frequent(500),
                in_dictionary=jieba_frequent(1),
            )
        self.finder = finder
        self._memo: OrderedDict[tuple[tuple[str, ...], tuple[str, ...]], tuple[str, ...]] = (
            OrderedDict()
        )
        self._lock = threading.Lock()
        protect = _allow_patterns(allow) + list(keep)
        self._protect = re.compile("|".join(f"(?:{p})" for p in protect)) if protect else None

    def with_allowed(self, terms: Iterable[str]) -> Redactor:
        """A redactor that also never hides `terms` (the departments' addresses, say)."""
        clone = object.__new__(Redactor)
        clone.patterns, clone.finder, clone._memo = self.patterns, self.finder, OrderedDict()
        clone._lock, clone.crf = threading.Lock(), self.crf
        extra = _allow_patterns(terms)
        parts = ([self._protect.pattern] if self._protect else []) + extra
        clone._protect = re.compile("|".join(f"(?:{p})" for p in parts)) if parts else None
        return clone

    def with_crf(self, crf: CrfNames | None) -> Redactor:
        """A redactor that also hides the learned tagger's names (`None`: the rules alone)."""
        clone = self.with_allowed(())
        clone.crf = crf
        return clone

    def names_in(self, texts: Iterable[str], known: Sequence[str] = ()) -> tuple[str, ...]:
        """People's full names found in any of `texts`, plus the `known` ones (the petitioner's)."""
        found: set[str] = {k for k in known if k.strip()}
        for text in texts:
            here = set(self.finder.find(text))
            # 王建国老师, 小王: a name found before a title is a name everywhere.
            here.update(w for s, e in self.finder.titled(text) if len(w := text[s:e]) >= 2)
            if self.crf is not None:  # name_tagger = "rules+crf"
                here.update(self.crf.names(text, known))
            # Round 14: no person, whichever finder said so (12张球台, 霍格沃茨, 花中四君子).
            frequent = self.finder.frequent
            found.update(
                n
                for n in here
                if n in known
                or not (not_a_person(n, text, frequent) or cut_across(n, text, self.finder.lexicon))
            )
        # 王小明 is 小明 to friends: a given name of two characters goes too, unless a word.
        lexicon = self.finder.lexicon
        for name in list(found):
            if given := given_of(name):
                found.add(given)  # Zhou Kaiwen is Kaiwen to classmates
            if first := first_of(name):
                found.add(first)  # Chidi Bello is Chidi to his mother
            for variant in name_variants(name)[1:]:
                if variant not in found and not (lexicon is not None and lexicon(variant)):
                    found.add(variant)
        return tuple(sorted(found, key=len, reverse=True))

    def spans(self, text: str, names: Sequence[str] = ()) -> list[Span]:
        """What to hide in `text`, merged and in order; `names` are hidden wherever they occur."""
        folded = fold_for_patterns(text)
        protected = [m.span() for m in self._protect.finditer(folded)] if self._protect else []
        raw: list[Span] = []
        for pattern in self.patterns:
            label = pattern.label()
            raw += [Span(s, e, pattern.name, label) for s, e in pattern.spans(folded)]
        for name in names:
            # One expression per name: 实习生晏子 must not hide 晏子琪 from being found.
            name_re = _name_regex((name,))
            if name_re is not None:
                found = (m for m in name_re.finditer(text) if not _inside_a_word(text, m))
                raw += [Span(m.start(), m.end(), "name", NAME_MARK) for m in found]
        titled = self.finder.titled(text)
        raw += [Span(s, e, "name", NAME_MARK) for s, e in titled]
        raw += [Span(s, e, "name", NAME_MARK) for s, e in lone_surname(text, titled)]  # 宿管 张
        protected += shop_names(text)  # “李先生牛肉面”, 老王烧烤: a shop's name (round 20)
        held = namesakes(text, [(s.start, s.end) for s in raw if s.kind == "name"])
        if held:  # 逸夫楼 and 邵逸夫先生: a building's namesake
            raw = [
                s for s in raw if s.kind != "name" or not named_after(text[s.start : s.end], held)
            ]
        kept = [s for s in raw if not any(s.start < pe and ps < s.end for ps, pe in protected)]
        return _merge(kept)

    def redact(self, text: str, names: Sequence[str] = ()) -> str:
        """`text` with every span replaced by its label."""
        out, last = [], 0
        for span in self.spans(text, names):
            out += [text[last : span.start], span.label]
            last = span.end
        return "".join(out) + text[last:]

    def redact_all(self, texts: Sequence[str], known: Sequence[str] = ()) -> list[str]:
        """Redact several texts of one letter, hiding in each the names found in any.

        Results are remembered (the last `MEMO_SIZE` letters): the board is republished after
        every approval, and segmenting thousands of unchanged letters again would take minutes.
        """
        key = (tuple(texts), tuple(known))
        with self._lock:  # worker threads may publish at once
            if (hit := self._memo.get(key)) is not None:
                self._memo.move_to_end(key)
                return list(hit)
        names = self.names_in(texts, known)
        out = [self.redact(t, names) for t in texts]
        with self._lock:
            self._memo[key] = tuple(out)
            if len(self._memo) > MEMO_SIZE:
                self._memo.popitem(last=False)
        return out


def _inside_a_word(text: str, m: re.Match[str]) -> bool:
    """Round 19: a name in Latin letters found inside a longer word (Lan in language): no
    name there."""
    start, end = m.span()
    if not (m.group()[:1].isascii() and m.group()[:1].isalpha()):
        return False
    return (start > 0 and text[start - 1].isascii() and text[start - 1].isalpha()) or (
        end < len(text) and text[end].isascii() and text[end].isalpha()
    )


def _allow_patterns(terms: Iterable[str]) -> list[str]:
    """Expressions for allowlisted terms, longest first; a phone number however it is grouped
    (88561833, 8856-1833, 8856 1833) and any text ignoring full-width forms."""
    out = []
    folded = {fold_for_patterns(t).strip() for t in terms if t.strip()}
    for term in sorted(folded, key=len, reverse=True):
        if re.fullmatch(r"[\d\s\-]+", term):
            digits = re.sub(r"\D", "", term)
            out.append(r"(?<!\d)" + r"[ \-.]?".join(digits) + r"(?!\d)")
        else:
            out.append(re.escape(term))
    return out


def _merge(spans: list[Span]) -> list[Span]:
    """Overlapping spans become one (the earliest-starting, longest one's kind and label)."""
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            if span.end > last.end:
                merged[-1] = Span(last.start, span.end, last.kind, last.label)
            continue
        merged.append(span)
    return merged


def redactor_from(settings: RedactorFile, *, tagger: Tagger | None = None) -> Redactor:
    """The redactor a validated `redaction.toml` describes (`tagger` overrides the segmenter)."""
    n = settings.names
    lexicon = None
    if n.segmenter != "none":
        tagger = tagger or (jieba_tagger() if n.segmenter == "jieba" else jieba_fast_tagger())
        lexicon = jieba_lexicon()
    finder = NameFinder(
        tagger=tagger,
        lexicon=lexicon,
        frequent=jieba_frequent(20) if lexicon is not None else None,
        known=jieba_lexicon(1) if lexicon is not None else None,
        famous=jieba_frequent(30) if lexicon is not None else None,
        everyday=jieba_frequent(500) if lexicon is not None else None,
        in_dictionary=jieba_frequent(1) if lexicon is not None else None,
        titles=(*TITLES, *n.titles),
        surnames=SURNAMES | frozenset("".join(n.surnames)),
        not_names=NOT_NAMES | frozenset(n.not_names),
        not_nicknames=NOT_NICKNAMES | frozenset(n.not_nicknames),
        not_before_title=NOT_BEFORE_TITLE,
    )
    crf = crf_names(finder.not_names) if n.name_tagger == "rules+crf" else None
    return Redactor(
        patterns_from(settings), finder, allow=settings.allow, keep=settings.keep, crf=crf
    )


def crf_names(not_names: frozenset[str], model: Path = MODEL) -> CrfNames:
    """The learned name tagger of `model` (the shipped one by default) with jieba and the
    dictionary thresholds the rules use, gated by `not_names`."""
    return CrfNames(
        jieba_tagger(),
        not_names,
        jieba_frequent(500),
        model,
        in_dictionary=jieba_frequent(1),
        famous=jieba_frequent(30),
        frequent=jieba_frequent(20),
    )


def load_settings(path: Path) -> RedactorFile:
    """Read `redaction.toml` (mistakes become `ConfigError(file, key, reason)`); if the file
    does not exist, the built-in defaults."""
    return load_model(path, RedactorFile) if path.is_file() else RedactorFile()


def load_redactor(path: Path, *, tagger: Tagger | None = None) -> Redactor:
    """The redactor `redaction.toml` at `path` describes (see `load_settings`)."""
    return redactor_from(load_settings(path), tagger=tagger)
