"""Is this letter an emergency (紧急), maybe one (疑似紧急), or not: danger terms read in context.

Seeds 001 (三级响应: 突发事故、不稳定因素、可能造成生命财产损失) and 004 第六条(一) (1 hour) make
a missed emergency the worst error of the product, so recall comes first; but a thank-you letter
that mentions an ambulance must not wake a department at night. The `[emergency]` section of
`rules.toml` is data (compiled in `lexicon.py`), interpreted here by a small pure function:

- a danger *group* (fire, gas, electricity, …) names *strong* terms (a present danger alone:
  level 2), *weak* terms (level 1; two distinct weak terms of a group in one sentence: level 2)
  and *objects* with *signals* (an object and a signal of the group close together in one
  sentence: level ``pair_level``);
- *masks* blank figurative or unrelated uses first (火锅, 抽烟, 告别晚会, 信息爆炸, …);
- *cues* shift the level of a danger term: negation just before it (没有/并未), resolution,
  the past, praise, suggestions and hypotheticals in its sentence lower it; "now" and calls
  for help raise it. Each cue counts once per term;
- a *steadfast* group (self-harm, threats of violence) never drops below 疑似紧急, and at one
  level it decides the letter's group over other dangers — unless the words are quoted and
  context lowers them (学生说“活着没意思”时…), or context lowers a strong term below nothing
  (去年有过不想活的念头，现在已经好多了): then they are not the writer's intent;
- a "before" cue with *bridge* words (negation) also reaches further when every word between
  it and the term, as jieba segments them, is a bridge word (没有|发现|任何|明火); jieba's
  dictionary loads once, on the first such case;
- how the text is read: a single line break does not end a sentence (mail wraps lines), a
  "before" cue does not reach across a comma, danger terms inside a 《title》 are masked, and
  the subject (a headline) yields to the body where the body reads the same danger group.

The letter's level is its highest term's level: 2 → ``emergency``, 1 → ``suspected_emergency``
(only the office is alerted), 0 → no emergency. Every term and cue that counted is recorded.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from xinxiang.classify.lexicon import (
    CUE,
    EMERGENCY,
    MASK,
    NONE,
    SUSPECTED,
    TERM,
    Cue,
    DangerGroup,
    EmergencyLexicon,
    EmergencyModel,
    compile_emergency,
)

__all__ = [
    "EMERGENCY",
    "NONE",
    "SUSPECTED",
    "Assessment",
    "EmergencyLexicon",
    "EmergencyModel",
    "Mark",
    "assess",
    "compile_emergency",
]

# Sentence ends: Chinese and ASCII terminal punctuation, a blank line; an ASCII full stop only
# when a space or the end follows (so "3.5" and "e.g" stay inside their sentence). A single
# line break does not end a sentence: mail clients wrap long lines in the middle of one.
_SENTENCE_END = re.compile(r"[。！？!?；;]|\.(?=\s|$)|\n[ \t]*\n")
# A "before" cue (negation) speaks about its own clause: it does not reach across a comma.
_CLAUSE_BREAK = re.compile(r"[，,：:]")
# Titles of courses, films, books and theses (《实验室安全与急救》, 《烈火英雄》): a danger term
# inside one names a subject, not a present danger.
_TITLE = re.compile(r"《[^《》\n]{0,60}》")


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
    # True when danger terms were found and read (even if masks or context ruled them out):
    # the rules had something to say, and the learned reader defers to them.
    considered: bool = False

    @property
    def urgency(self) -> str | None:
        """``emergency``, ``suspected_emergency`` or None."""
        return {EMERGENCY: "emergency", SUSPECTED: "suspected_emergency"}.get(self.level)


NO_EMERGENCY = Assessment(NONE, None, (), ())
RULED_OUT = Assessment(NONE, None, (), (), considered=True)


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
    masked = [(s, e) for s, e, t in found if any(k == MASK for k, _, _ in lex.payloads[t])]
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
            if kind == TERM and not hidden:
                terms.setdefault((idx, role), []).append(f)
            elif kind == CUE and not any(
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
    if c.end > term.start or _CLAUSE_BREAK.search(text, c.end, term.start) is not None:
        return False
    gap = term.start - c.end
    if gap <= cue.reach:
        return True
    # Further away, the words between must all be bridge words (没有|发现|任何|烟味).
    return gap <= cue.bridge_reach and all(
        w in cue.bridge for w in _words(text[c.end : term.start])
    )


@cache
def _tokenizer() -> Any:
    import jieba  # type: ignore[import-untyped]

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()  # the dictionary loads once (~1 s), only when a bridge is needed
    return tokenizer


@lru_cache(maxsize=4096)
def _words(text: str) -> tuple[str, ...]:
    """`text` segmented into words by jieba's dictionary (no HMM guesses), blanks dropped."""
    return tuple(w for w in _tokenizer().lcut(text, HMM=False) if w.strip())


def assess(
    lex: EmergencyLexicon,
    texts: Mapping[str, str],
    letter_effect: int = 0,
    letter_reason: str = "",
    *,
    spare_steadfast: bool = False,
) -> Assessment:
    """Read the normalised fields `texts` for danger; `letter_effect` shifts every term.

    The engine passes -1 when the letter as a whole is praise or a legal-channel matter (a
    thank-you for the ambulance, a lawsuit about an old injury), naming it in `letter_reason`;
    with `spare_steadfast` (praise) self-harm and threats are not shifted: the thanks in a
    farewell note (谢谢老师这学期的照顾…明天以后就不会再麻烦任何人) are part of the danger.
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
        return RULED_OUT
    # (level, steadfast, -field order, -position, group): at one level, self-harm and threats
    # decide over other dangers of the letter (a roommate who wants to die and is missing).
    best: tuple[int, bool, int, int, int] | None = None
    best_detail: tuple[list[Mark], list[str]] = ([], [])
    order = {"subject": 0, "body": 1, "attachments": 2}
    # Per group: its best level and reading, and whether every reading above nothing named
    # only acts a bystander sees (the self-harm group's `acts`).
    per_group: dict[int, tuple[int, list[Mark], list[str]]] = {}
    acts_only: dict[int, bool] = {}
    scored: list[tuple[tuple[int, bool, int, int, int], _Reading]] = []
    for g_idx in present:
        group = lex.groups[g_idx]
        readings = [
            _read_candidate(
                lex,
                group,
                candidate,
                all_cues,
                texts,
                0 if spare_steadfast and group.steadfast else letter_effect,
                letter_reason,
            )
            for candidate in _candidates(lex, g_idx, group, all_terms, texts)
        ]
        if any(r.field == "body" and r.lowered for r in readings):
            # The subject is a headline: where the body's own context lowers the same danger
            # (已经及时处理了, 上个月), the bare headline does not overrule it.
            readings = [r for r in readings if r.field != "subject"]
        for r in readings:
            key = (r.level, group.steadfast, -order.get(r.field, 3), -r.start, -g_idx)
            if r.level > NONE:
                scored.append((key, r))
            if r.level > NONE and (best is None or key > best):
                best = key
                best_detail = (r.marks, r.reasons)
            if r.level > NONE:
                if r.level > per_group.get(g_idx, (NONE, [], []))[0]:
                    per_group[g_idx] = (r.level, r.marks, r.reasons)
                name = f"emergency-{group.name}"
                acts_only[g_idx] = acts_only.get(g_idx, True) and all(
                    m.term in group.acts for m in r.marks if m.name == name
                )
    if best is None:
        return RULED_OUT
    best, best_detail = _headline_named(best, best_detail, scored)
    seen = _sighting(lex, -best[4], per_group, acts_only)
    if seen is not None:
        return seen
    group = lex.groups[-best[4]]
    return Assessment(best[0], group, tuple(best_detail[0]), tuple(best_detail[1]), considered=True)


def _headline_named(
    best: tuple[int, bool, int, int, int],
    detail: tuple[list[Mark], list[str]],
    scored: list[tuple[tuple[int, bool, int, int, int], _Reading]],
) -> tuple[tuple[int, bool, int, int, int], tuple[list[Mark], list[str]]]:
    """h-tune18: a headline's bare danger word yields to the body that names its source.

    The subject 又冒烟 is the fire group's word alone; where the body reads the same word, at
    the same level, as the signal of another group's object (内机里面又冒烟了: an appliance,
    后勤's), the body says what smokes. Steadfast groups (self-harm, threats) are not moved.
    """
    if best[2] != 0 or best[1]:  # not the subject, or a steadfast group
        return best, detail
    words = {m.term for m in detail[0] if m.name.startswith("emergency-")}
    named = [
        (key, r)
        for key, r in scored
        if r.field == "body"
        and key[0] == best[0]
        and key[4] != best[4]
        and len([m for m in r.marks if m.name.startswith("emergency-")]) > 1
        and words & {m.term for m in r.marks if m.name.startswith("emergency-")}
    ]
    if not named:
        return best, detail
    key, r = max(named, key=lambda kr: kr[0])
    return key, (r.marks, r.reasons)


def _sighting(
    lex: EmergencyLexicon,
    winner: int,
    per_group: Mapping[int, tuple[int, list[Mark], list[str]]],
    acts_only: Mapping[int, bool],
) -> Assessment | None:
    """h-tune9's convention between self-harm and someone seen in danger (h-tune13).

    A person on a roof edge, outside a railing or in the water *seen by someone else* is a
    rescue (保卫处: someone must get there now); when the person themself writes or says
    goodbye, or the letter is about their plan, it is self-harm (学生处). So where the letter's
    deciding group is the self-harm group (it has `acts`) or a sighting group and both read
    something, the sighting group decides if the self-harm group read nothing but acts a
    bystander sees (跳湖, 跳下去), the self-harm group otherwise. The level is the higher of
    the two: life first. None: the ordinary reading stands.
    """
    harm = next((g for g in per_group if lex.groups[g].acts), None)
    seen = [g for g in per_group if lex.groups[g].sighting]
    if harm is None or not seen or not (winner == harm or lex.groups[winner].sighting):
        return None
    sight = max(seen, key=lambda g: (per_group[g][0], -g))
    level = max(per_group[harm][0], per_group[sight][0])
    chosen = sight if acts_only[harm] else harm
    _, marks, reasons = per_group[chosen]
    why = (
        "旁人看到有人身处险境：先救人，不是本人的告别或计划"
        if chosen == sight
        else "本人的告别或计划：按自伤风险处理"
    )
    return Assessment(level, lex.groups[chosen], tuple(marks), (*reasons, why), considered=True)


@dataclass(frozen=True, slots=True)
class _Reading:
    level: int
    field: str
    start: int
    lowered: bool  # a cue lowered it
    marks: list[Mark]
    reasons: list[str]


def _read_candidate(
    lex: EmergencyLexicon,
    group: DangerGroup,
    candidate: tuple[int, str, _Found, _Found | None, str],
    all_cues: Mapping[int, list[_Found]],
    texts: Mapping[str, str],
    letter_effect: int,
    letter_reason: str,
) -> _Reading:
    """The level of one danger term (or pair) once every cue around it has counted."""
    base, kind, term, partner, how = candidate
    level = base + letter_effect
    marks = [Mark(f"emergency-{group.name}", term.term, term.field, term.start)]
    if partner is not None:
        marks.append(Mark(f"emergency-{group.name}", partner.term, partner.field, partner.start))
    reasons = [how]
    if letter_effect:
        reasons.append(letter_reason)
    lowered = False
    for c_idx, cue in enumerate(lex.cues):
        if (cue.groups and group.name not in cue.groups) or (cue.kinds and kind not in cue.kinds):
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
        lowered = lowered or cue.effect < 0
        marks.append(Mark(f"cue-{cue.name}", hit.term, hit.field, hit.start))
        reasons.append(f"语境「{hit.term}」（{cue.description or cue.name}）{cue.effect:+d}")
    if group.steadfast and level < SUSPECTED:
        # A threat or self-harm is never ruled out by one cue. Two exceptions where the words
        # are not the writer's intent: context lowers a strong term below nothing (去年有过
        # 不想活的念头，现在已经好多了; a rumour of last night), or they are quoted and context
        # lowers them (学生说“活着没意思”时不知道如何回应). Indirect words (如果我消失了) stay.
        mention = lowered and _quoted(texts[term.field], term)
        if (level >= NONE or kind != "strong") and not mention:
            level = SUSPECTED
            reasons.append("人身威胁或自伤风险：不因语境排除")
        else:
            reasons.append("引述或已过去的事：不是来信人此刻的意图")
    level = max(NONE, min(EMERGENCY, level))
    return _Reading(level, term.field, term.start, lowered, marks, reasons)


_OPEN_QUOTES = "“「『\"'‘"
_CLOSE_QUOTES = "”」』\"'’"


def _quoted(text: str, term: _Found, reach: int = 12) -> bool:
    """Is `term` inside quotation marks (a mention of the words, not their use)?"""
    before = text[max(0, term.start - reach) : term.start]
    after = text[term.end : term.end + reach]
    opened = max(before.rfind(q) for q in _OPEN_QUOTES)
    if opened < 0 or any(q in before[opened + 1 :] for q in "”」』’"):
        return False
    return any(q in after for q in _CLOSE_QUOTES)


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
