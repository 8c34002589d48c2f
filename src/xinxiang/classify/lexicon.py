"""The compiled `[emergency]` section of rules.toml (紧急情况词表): groups, cues, masks, automaton.

`compile_emergency` validates the section (departments by code or name, known categories and
groups) and builds one Aho-Corasick automaton over every danger term, cue and mask, so that
`emergency.assess` reads a letter in one pass. Pure data and validation; no reading here.
"""

from __future__ import annotations

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
    # h-tune13: someone *seen* in danger now (on a ledge, in the water) — a rescue. Where the
    # self-harm group read nothing but the `acts` a bystander sees (跳湖, 跳下去, 站在楼顶边上),
    # a sighting group decides the letter's group; a farewell or a plan keeps it self-harm.
    sighting: bool = False
    acts: list[str] = Field(default_factory=list)


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
    # A "before" cue further than `reach` still counts when every word between it and the
    # term (as jieba segments them) is one of these "bridge" words, up to `bridge_reach`
    # characters: 没有发现任何烟味, 并未闻到明显的燃气味.
    bridge: list[str] = Field(default_factory=list)
    bridge_reach: int = Field(default=0, ge=0, le=40)


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
    sighting: bool = False
    acts: frozenset[str] = frozenset()


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
    bridge: frozenset[str] = frozenset()
    bridge_reach: int = 0


# Payload kinds of the automaton: (kind, index) where index points into groups, cues or masks.
TERM, CUE, MASK = 0, 1, 2


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
            add(f"{key}.{role}", getattr(g, role), TERM, i, role)
        own = {normalize(w).strip() for w in (*g.strong, *g.weak, *g.objects, *g.signals)}
        acts = frozenset(normalize(w).strip() for w in g.acts)
        if acts - own:
            raise ConfigError(
                path, f"{key}.acts", f"not a term of the group: {sorted(acts - own)[0]!r}"
            )
        if g.sighting and g.acts:
            raise ConfigError(path, f"{key}.acts", "a sighting group has no acts")
        groups.append(
            DangerGroup(
                g.name,
                g.description,
                code,
                g.category,
                g.pair_level,
                g.steadfast,
                g.weight,
                g.sighting,
                acts,
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
        add(f"{key}.words", c.words, CUE, i, c.scope)
        cues.append(
            Cue(
                c.name,
                c.description,
                c.effect,
                c.scope,
                c.reach,
                frozenset(c.groups),
                frozenset(c.kinds),
                frozenset(normalize(w).strip() for w in c.bridge),
                c.bridge_reach,
            )
        )
    add("emergency.mask", model.mask, MASK, 0, "mask")
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
        danger=tuple(any(k == TERM for k, _, _ in p) for p in payloads),
    )
