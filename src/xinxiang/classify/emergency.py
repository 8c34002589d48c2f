"""Is this letter an emergency (紧急), maybe one (疑似紧急), or not: danger terms read in context.

Seeds 001 (三级响应: 突发事故、不稳定因素、可能造成生命财产损失) and 004 第六条(一) (1 hour) make
a missed emergency the worst error of the product, so recall comes first; but a thank-you letter
that mentions an ambulance must not wake a department at night. The `[emergency]` section of
`rules.toml` is data, interpreted here by a small pure function:

- a danger *group* (fire, gas, electricity, …) names *strong* terms (a present danger alone:
  level 2), *weak* terms (level 1; two distinct weak terms of a group in one sentence: level 2)
  and *objects* with *signals* (an object and a signal of the group close together in one
  sentence: level ``pair_level``);
- *masks* blank figurative or unrelated uses first (火锅, 抽烟, 告别晚会, 信息爆炸, …);
- *cues* shift the level of a danger term: negation just before it (没有/并未), resolution,
  the past, praise, suggestions and hypotheticals in its sentence lower it; "now" and calls
  for help raise it. Each cue counts once per term;
- a *steadfast* group (self-harm, threats of violence) never drops below 疑似紧急, and at one
  level it decides the letter's group over other dangers;
- how the text is read: a single line break does not end a sentence (mail wraps lines), a
  "before" cue does not reach across a comma, danger terms inside a 《title》 are masked, and
  the subject (a headline) yields to the body where the body reads the same danger group.

The letter's level is its highest term's level: 2 → ``emergency``, 1 → ``suspected_emergency``
(only the office is alerted), 0 → no emergency. Every term and cue that counted is recorded.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import ahocorasick
from pydantic import Field

from xinxiang.classify.normalize import as_latin1_bytes, char_offsets, normalize
from xinxiang.config import Strict
from xinxiang.errors import ConfigError

TermKind = Literal["strong", "weak", "object", "signal"]
CueScope = Literal["before", "sentence", "letter"]

EMERGENCY, SUSPECTED, NONE = 2, 1, 0
_NAME = r"^[a-z0-9][a-z0-9_-]{0,63}$"
# Sentence ends: Chinese and ASCII terminal punctuation, a blank line; an ASCII full stop only
# when a space or the end follows (so "3.5" and "e.g" stay inside their sentence). A single
# line break does not end a sentence: mail clients wrap long lines in the middle of one.
_SENTENCE_END = re.compile(r"[。！？!?；;]|\.(?=\s|$)|\n[ \t]*\n")
# A "before" cue (negation) speaks about its own clause: it does not reach across a comma.
_CLAUSE_BREAK = re.compile(r"[，,：:]")
# Titles of courses, films, books and theses (《实验室安全与急救》, 《烈火英雄》): a danger term
# inside one names a subject, not a present danger.
_TITLE = re.compile(r"《[^《》\n]{0,60}》")


class GroupModel(Strict):
    """One `[[emergency.group]]`: a kind of danger (火、燃气、电、…)."""

    name: str = Field(pattern=_NAME)
    description: str = ""
    department: str
    category: str | None = None
    strong: list[str] = Field(default_factory=list)
    weak: list[str] = Field(default_factory=list)
    objects: list[str] = Field(default_factory=list)
    signals: list[str] = Field(default_factory=list)
    pair_level: int = Field(default=EMERGENCY, ge=SUSPECTED, le=EMERGENCY)
    steadfast: bool = False
    weight: float = Field(default=6.0, gt=0, le=100)


class CueModel(Strict):
    """One `[[emergency.cue]]`: context that lowers (negative) or raises (positive) a level."""

    name: str = Field(pattern=_NAME)
    description: str = ""
    effect: int = Field(ge=-2, le=2)
    scope: CueScope = "sentence"
    reach: int = Field(default=4, ge=0, le=40)
    words: list[str] = Field(min_length=1)
    groups: list[str] = Field(default_factory=list)
    kinds: list[Literal["strong", "weak", "pair"]] = Field(default_factory=list)


class EmergencyModel(Strict):
    """The `[emergency]` section."""

    window: int = Field(default=12, ge=1, le=200)
    mask: list[str] = Field(default_factory=list)
    groups: list[GroupModel] = Field(default_factory=list, alias="group")
    cues: list[CueModel] = Field(default_factory=list, alias="cue")


@dataclass(frozen=True, slots=True)
class DangerGroup:
    """A validated group; `department` is a department code."""

    name: str
    description: str
    department: str
    category: str | None
    pair_level: int
    steadfast: bool
    weight: float


@dataclass(frozen=True, slots=True)
class Cue:
    """A validated context cue; empty `groups` or `kinds` mean every group or kind of term."""

    name: str
    description: str
    effect: int
    scope: CueScope
    reach: int
    groups: frozenset[str]
    kinds: frozenset[str]


@dataclass(frozen=True, slots=True)
class Mark:
    """One term or cue that counted: `term` found in `field` at `position` (normalised text)."""

    name: str
    term: str
    field: str
    position: int


@dataclass(frozen=True, slots=True)
class Assessment:
    """The emergency reading of a letter: level, the deciding group, and why."""

    level: int
    group: DangerGroup | None
    marks: tuple[Mark, ...]
    reasons: tuple[str, ...]

    @property
    def urgency(self) -> str | None:
        """``emergency``, ``suspected_emergency`` or None."""
        return {EMERGENCY: "emergency", SUSPECTED: "suspected_emergency"}.get(self.level)


NO_EMERGENCY = Assessment(NONE, None, (), ())

# Payload kinds of the automaton: (kind, index) where index points into groups, cues or masks.
_TERM, _CUE, _MASK = 0, 1, 2


@dataclass(frozen=True, eq=False)
class EmergencyLexicon:
    """The compiled `[emergency]` section: groups, cues, masks and one automaton over them."""

    groups: tuple[DangerGroup, ...] = ()
    cues: tuple[Cue, ...] = ()
    window: int = 12
    terms: tuple[str, ...] = ()
    payloads: tuple[tuple[tuple[int, int, str], ...], ...] = ()
    automaton: Any = field(default=None, repr=False)
    term_bytes: tuple[int, ...] = ()
    danger: tuple[bool, ...] = ()  # per term: is it a danger term of some group

    def byte_matches(self, text: str) -> list[tuple[int, int, int]]:
        """(UTF-8 byte start, byte end, term index) of every term occurrence in `text`."""
        if self.automaton is None or not text:
            return []
        return [
            (end - self.term_bytes[t_idx] + 1, end + 1, t_idx)
            for end, t_idx in self.automaton.iter(as_latin1_bytes(text))
        ]

    def matches(
        self, text: str, found: list[tuple[int, int, int]] | None = None
    ) -> list[tuple[int, int, int]]:
        """(character start, character end, term index) of every term occurrence in `text`.

        `found` may pass the `byte_matches` of `text` already made.
        """
        if found is None:
            found = self.byte_matches(text)
        if found and not text.isascii():
            offsets: dict[int, int] = {}
            for i, (s, e, _) in enumerate(found):
                offsets[2 * i] = s
                offsets[2 * i + 1] = e
            pos = char_offsets(text, offsets)
            found = [(pos[2 * i], pos[2 * i + 1], t) for i, (_, _, t) in enumerate(found)]
        return found


def _word_bounded(text: str, start: int, end: int) -> bool:
    # English terms match whole words only ("fire" is not in "fired" or "firefox").
    term = text[start:end]
    if term[:1].isascii() and term[:1].isalpha() and start > 0:
        before = text[start - 1]
        if before.isascii() and before.isalnum():
            return False
    if term[-1:].isascii() and term[-1:].isalpha() and end < len(text):
        after = text[end]
        if after.isascii() and after.isalnum():
            return False
    return True


def compile_emergency(
    path: str,
    model: EmergencyModel | None,
    resolve_department: Mapping[str, str],
    categories: Sequence[str],
) -> EmergencyLexicon:
    """Validate the `[emergency]` section (departments by code or name) and build its automaton."""
    if model is None:
        return EmergencyLexicon()
    index: dict[str, int] = {}
    payloads: list[list[tuple[int, int, str]]] = []

    def add(key: str, words: Sequence[str], kind: int, idx: int, role: str) -> None:
        for j, raw in enumerate(words):
            word = normalize(raw).strip()
            if not word:
                raise ConfigError(path, f"{key}[{j}]", "empty keyword")
            t_idx = index.setdefault(word, len(index))
            if t_idx == len(payloads):
                payloads.append([])
            if (kind, idx, role) not in payloads[t_idx]:
                payloads[t_idx].append((kind, idx, role))

    groups: list[DangerGroup] = []
    names: set[str] = set()
    for i, g in enumerate(model.groups):
        key = f"emergency.group[{i}]"
        if g.name in names:
            raise ConfigError(path, f"{key}.name", f"duplicate group name {g.name!r}")
        names.add(g.name)
        code = resolve_department.get(g.department)
        if code is None:
            raise ConfigError(
                path,
                f"{key}.department",
                f"unknown department {g.department!r} (not in departments.toml)",
            )
        if g.category is not None and g.category not in categories:
            raise ConfigError(path, f"{key}.category", f"unknown category {g.category!r}")
        if not (g.strong or g.weak or g.objects):
            raise ConfigError(path, f"{key}.strong", "a group needs strong, weak or objects terms")
        if bool(g.objects) != bool(g.signals):
            raise ConfigError(path, f"{key}.signals", "objects and signals go together")
        for role in ("strong", "weak", "objects", "signals"):
            add(f"{key}.{role}", getattr(g, role), _TERM, i, role)
        groups.append(
            DangerGroup(
                g.name, g.description, code, g.category, g.pair_level, g.steadfast, g.weight
            )
        )
    cues: list[Cue] = []
    for i, c in enumerate(model.cues):
        key = f"emergency.cue[{i}]"
        unknown = [g for g in c.groups if g not in names]
        if unknown:
            raise ConfigError(path, f"{key}.groups", f"unknown group {unknown[0]!r}")
        if c.effect == 0:
            raise ConfigError(path, f"{key}.effect", "a cue must lower or raise the level")
        add(f"{key}.words", c.words, _CUE, i, c.scope)
        cues.append(
            Cue(
                c.name,
                c.description,
                c.effect,
                c.scope,
                c.reach,
                frozenset(c.groups),
                frozenset(c.kinds),
            )
        )
    add("emergency.mask", model.mask, _MASK, 0, "mask")
    terms = tuple(index)
    automaton = None
    if terms:
        automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        for t_idx, term in enumerate(terms):
            automaton.add_word(as_latin1_bytes(term), t_idx)
        automaton.make_automaton()
    return EmergencyLexicon(
        groups=tuple(groups),
        cues=tuple(cues),
        window=model.window,
        terms=terms,
        payloads=tuple(tuple(p) for p in payloads),
        automaton=automaton,
        term_bytes=tuple(len(t.encode("utf-8")) for t in terms),
        danger=tuple(any(k == _TERM for k, _, _ in p) for p in payloads),
    )


@dataclass(frozen=True, slots=True)
class _Found:
    field: str
    start: int
    end: int
    sentence: int
    term: str


def _sentences(text: str) -> list[int]:
    return [m.end() for m in _SENTENCE_END.finditer(text)]


def _read_field(
    lex: EmergencyLexicon, fname: str, text: str, raw: list[tuple[int, int, int]]
) -> tuple[dict[tuple[int, str], list[_Found]], dict[int, list[_Found]]]:
    """Terms by (group, role) and cues by cue index found in one field, masks applied."""
    found = lex.matches(text, raw)
    # Masks match inside words too ("fire extinguisher" hides "fire extinguishers").
    masked = [(s, e) for s, e, t in found if any(k == _MASK for k, _, _ in lex.payloads[t])]
    masked.extend(m.span() for m in _TITLE.finditer(text))
    ends = _sentences(text)
    terms: dict[tuple[int, str], list[_Found]] = {}
    cues: dict[int, list[_Found]] = {}
    for s, e, t_idx in found:
        if not _word_bounded(text, s, e):
            continue
        hidden = any(ms <= s < me or ms < e <= me for ms, me in masked)
        f = _Found(fname, s, e, bisect.bisect_right(ends, s), lex.terms[t_idx])
        for kind, idx, role in lex.payloads[t_idx]:
            # A mask hides danger terms (火 in 火锅), never cues (抽烟 still says "smoking").
            if kind == _TERM and not hidden:
                terms.setdefault((idx, role), []).append(f)
            elif kind == _CUE and not any(
                ms <= s and e <= me and (ms, me) != (s, e) for ms, me in masked
            ):
                # A mask hides a cue inside it (现在 in 现在很多同学 is "nowadays"), never a
                # cue that is the masked word itself (抽烟 still says "smoking").
                cues.setdefault(idx, []).append(f)
    # The longest reading wins: a term inside a longer term of its group and role (踩踏 in
    # 拥挤踩踏) is not read again on its own, and a weak term inside an object of its group is
    # part of the object's name (烟雾 in 烟雾报警器 is a device, not smoke).
    for (g_idx, role), found_terms in list(terms.items()):
        if role not in ("strong", "weak"):
            continue
        longer = found_terms + (terms.get((g_idx, "objects"), []) if role == "weak" else [])
        kept = [
            w
            for w in found_terms
            if not any(
                o.field == w.field
                and o.start <= w.start
                and w.end <= o.end
                and (o.start, o.end) != (w.start, w.end)
                for o in longer
            )
        ]
        if kept:
            terms[(g_idx, role)] = kept
        else:
            del terms[(g_idx, role)]
    return terms, cues


def _cue_applies(cue: Cue, c: _Found, term: _Found, text: str) -> bool:
    if cue.scope == "letter":
        return True
    if c.field != term.field or c.sentence != term.sentence:
        return False
    if cue.scope == "sentence":
        return not (c.start < term.end and term.start < c.end)
    return (
        c.end <= term.start
        and term.start - c.end <= cue.reach
        and _CLAUSE_BREAK.search(text, c.end, term.start) is None
    )


def assess(
    lex: EmergencyLexicon, texts: Mapping[str, str], letter_effect: int = 0, letter_reason: str = ""
) -> Assessment:
    """Read the normalised fields `texts` for danger; `letter_effect` shifts every term.

    The engine passes -1 when the letter as a whole is praise or a legal-channel matter (a
    thank-you for the ambulance, a lawsuit about an old injury), naming it in `letter_reason`.
    """
    if not lex.groups:
        return NO_EMERGENCY
    all_terms: dict[tuple[int, str], list[_Found]] = {}
    all_cues: dict[int, list[_Found]] = {}
    raw = {fname: lex.byte_matches(text) for fname, text in texts.items() if text}
    if not any(lex.danger[t] for found in raw.values() for _, _, t in found):
        return NO_EMERGENCY  # most letters: no danger term, so no cue needs reading
    for fname, found in raw.items():
        text = texts[fname]
        terms, cues = _read_field(lex, fname, text, found)
        for k, v in terms.items():
            all_terms.setdefault(k, []).extend(v)
        for k2, v2 in cues.items():
            all_cues.setdefault(k2, []).extend(v2)

    present = sorted({g_idx for g_idx, _ in all_terms})
    if not present:  # every danger term was masked
        return NO_EMERGENCY
    # (level, steadfast, -field order, -position, group): at one level, self-harm and threats
    # decide over other dangers of the letter (a roommate who wants to die and is missing).
    best: tuple[int, bool, int, int, int] | None = None
    best_detail: tuple[list[Mark], list[str]] = ([], [])
    order = {"subject": 0, "body": 1, "attachments": 2}
    for g_idx in present:
        group = lex.groups[g_idx]
        candidates = _candidates(lex, g_idx, group, all_terms, texts)
        if any(c[2].field == "body" for c in candidates):
            # The subject is a headline: where the body speaks of the same danger, the body's
            # sentences (with their context) decide, not the bare headline.
            candidates = [c for c in candidates if c[2].field != "subject"]
        for base, kind, term, partner, how in candidates:
            level = base + letter_effect
            marks = [Mark(f"emergency-{group.name}", term.term, term.field, term.start)]
            if partner is not None:
                marks.append(
                    Mark(f"emergency-{group.name}", partner.term, partner.field, partner.start)
                )
            reasons = [how]
            if letter_effect:
                reasons.append(letter_reason)
            for c_idx, cue in enumerate(lex.cues):
                if (cue.groups and group.name not in cue.groups) or (
                    cue.kinds and kind not in cue.kinds
                ):
                    continue
                # A negation before the signal of a pair counts too (没有焦味 next to 插座).
                hit = next(
                    (
                        c
                        for c in all_cues.get(c_idx, ())
                        if any(
                            _cue_applies(cue, c, t, texts[t.field])
                            for t in (term, partner)
                            if t is not None
                        )
                    ),
                    None,
                )
                if hit is None:
                    continue
                level += cue.effect
                marks.append(Mark(f"cue-{cue.name}", hit.term, hit.field, hit.start))
                reasons.append(
                    f"语境「{hit.term}」（{cue.description or cue.name}）{cue.effect:+d}"
                )
            level = max(NONE, min(EMERGENCY, level))
            if group.steadfast and level < SUSPECTED:
                level = SUSPECTED
                reasons.append("人身威胁或自伤风险：不因语境排除")
            key = (level, group.steadfast, -order.get(term.field, 3), -term.start, -g_idx)
            if level > NONE and (best is None or key > best):
                best = key
                best_detail = (marks, reasons)
    if best is None:
        return NO_EMERGENCY
    group = lex.groups[-best[4]]
    return Assessment(best[0], group, tuple(best_detail[0]), tuple(best_detail[1]))


def _gap(text: str, a: _Found, b: _Found) -> float:
    """Distance between two terms in characters; English words are ~3 times longer."""
    between = text[min(a.end, b.end) : max(a.start, b.start)]
    return len(between) / 3 if between.isascii() else len(between)


def _candidates(
    lex: EmergencyLexicon,
    g_idx: int,
    group: DangerGroup,
    terms: Mapping[tuple[int, str], list[_Found]],
    text_of: Mapping[str, str],
) -> list[tuple[int, str, _Found, _Found | None, str]]:
    """(base level, kind, term, partner term, reason) for every danger term of one group."""
    out: list[tuple[int, str, _Found, _Found | None, str]] = []
    for f in terms.get((g_idx, "strong"), ()):
        out.append((EMERGENCY, "strong", f, None, f"{group.description}：「{f.term}」"))
    weak = terms.get((g_idx, "weak"), [])
    for f in weak:
        other = next(
            (
                w
                for w in weak
                if w.term != f.term
                and (w.field, w.sentence) == (f.field, f.sentence)
                and not (w.start < f.end and f.start < w.end)  # 焦糊味 is one smell, not two
            ),
            None,
        )
        if other is not None:
            how = f"{group.description}：「{f.term}」与「{other.term}」"
            out.append((EMERGENCY, "weak", f, other, how))
        else:
            out.append((SUSPECTED, "weak", f, None, f"{group.description}（弱信号）：「{f.term}」"))
    for obj in terms.get((g_idx, "objects"), ()):
        for sig in terms.get((g_idx, "signals"), ()):
            if (sig.field, sig.sentence) != (obj.field, obj.sentence):
                continue
            if sig.start < obj.end and obj.start < sig.end:
                continue
            if _gap(text_of[obj.field], obj, sig) <= lex.window:
                out.append(
                    (
                        group.pair_level,
                        "pair",
                        obj,
                        sig,
                        f"{group.description}：「{obj.term}」+「{sig.term}」",
                    )
                )
                break
    return out
