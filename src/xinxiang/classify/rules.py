"""Routing rules as data: `config/rules.toml`, validated once and compiled into one automaton.

A rule (规则) names keywords to look for (any of / all of / regular expressions), exclusion
keywords, the fields it reads (subject, body, attachment names), a weight, and what it decides:
category (诉求类别), department (承办单位), urgency, disposition and track (办理时限档次).
Mistakes in the file become `ConfigError(file, key, reason)`.

Keywords are normalised exactly like letters (see `normalize`), so a rule author may write them
in traditional or simplified characters, full- or half-width.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import ahocorasick
from pydantic import Field

from xinxiang.classify.lexicon import EmergencyLexicon, EmergencyModel, compile_emergency
from xinxiang.classify.normalize import as_latin1_bytes, char_offsets, normalize
from xinxiang.config import Config, Department, Strict, validate_model
from xinxiang.errors import ConfigError

RULES_FILE = "rules.toml"

FieldName = Literal["subject", "body", "attachments"]
Urgency = Literal["emergency", "suspected_emergency", "priority", "normal"]
Disposition = Literal["dispatch", "legal_channel", "illegal", "praise", "triage", "out_of_scope"]
Track = Literal[1, 2, 3]

FIELDS: tuple[FieldName, ...] = ("subject", "body", "attachments")
# 疑似紧急 ranks above priority: the office must see it at once, whatever else the letter asks.
URGENCY_RANK: dict[str, int] = {
    "normal": 0,
    "priority": 1,
    "suspected_emergency": 2,
    "emergency": 3,
}

# Roles of a keyword inside a rule, stored in the automaton's posting lists.
ROLE_ANY = 0
ROLE_ALL = 1
ROLE_EXCLUDE = 2


class SettingsModel(Strict):
    """`[settings]`: thresholds of the decision (see engine)."""

    min_score: float = Field(default=1.0, gt=0)
    min_confidence: float = Field(default=0.3, ge=0, le=1)
    subject_boost: float = Field(default=1.5, ge=1)
    strength_scale: float = Field(default=1.5, gt=0)
    praise_margin: float = Field(default=1.0, ge=0)
    # The learned second reader (classify/reader.py); 0 turns each use off.
    reader_danger: float = Field(default=0.0, ge=0, le=1)
    reader_danger_over_context: float = Field(default=0.0, ge=0, le=1)
    reader_department: float = Field(default=0.0, ge=0, le=1)
    reader_route_below: float = Field(default=0.0, ge=0, le=1)
    # Where the rules found no department at all, the model routes at this lower probability
    # (0: the same as reader_department).
    reader_department_unrouted: float = Field(default=0.0, ge=0, le=1)
    # The model is this sure a letter is the office's own (illegal, legal channel, another
    # organisation's matter, several matters): the office keeps it, whatever the rules routed.
    reader_office: float = Field(default=0.0, ge=0, le=1)
    # The model may lower a danger reading it finds unlikely, or confirm a 疑似紧急 it is sure of.
    reader_calm: float = Field(default=0.0, ge=0, le=1)
    reader_calm_emergency: float = Field(default=0.0, ge=0, le=1)
    reader_confirm: float = Field(default=0.0, ge=0, le=1)
    # An emergency no danger group of the rules named (the model's) goes to the department the
    # model learnt from emergencies when it is this sure; below, to the rules' best department.
    reader_emergency_department: float = Field(default=0.0, ge=0, le=1)
    # The same over the department of the rules' danger group (not a steadfast one: self-harm,
    # threats and ledges keep theirs) when the model is at least this sure.
    reader_emergency_department_over_rules: float = Field(default=0.0, ge=0, le=1)


class RuleModel(Strict):
    """One `[[rule]]` table."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    description: str = ""
    any: list[str] = Field(default_factory=list)
    all: list[str] = Field(default_factory=list)
    regex: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    fields: list[FieldName] = Field(default_factory=lambda: list(FIELDS), min_length=1)
    weight: float = Field(default=1.0, gt=0, le=100)
    category: str | None = None
    department: str | None = None
    urgency: Urgency | None = None
    disposition: Disposition = "dispatch"
    track: Track | None = None


class RulesFile(Strict):
    """The whole `rules.toml`."""

    categories: list[str] = Field(min_length=1)
    settings: SettingsModel = SettingsModel()
    rules: list[RuleModel] = Field(min_length=1, alias="rule")
    emergency: EmergencyModel | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    """A validated rule with normalised keywords and the department resolved to a code."""

    name: str
    description: str
    any: tuple[str, ...]
    all: tuple[str, ...]
    regex: tuple[re.Pattern[str], ...]
    exclude: tuple[str, ...]
    fields: frozenset[str]
    weight: float
    category: str | None
    department: str | None
    urgency: Urgency | None
    disposition: Disposition
    track: Track | None


@dataclass(frozen=True, eq=False)
class RuleSet:
    """A compiled rules version: rules, categories, departments and one Aho-Corasick automaton.

    `keywords[i]` is the i-th distinct normalised keyword; `postings[i]` lists the
    `(rule index, role)` pairs that use it. `version` is a digest of the rules file.
    """

    rules: tuple[Rule, ...]
    categories: tuple[str, ...]
    settings: SettingsModel
    departments: tuple[Department, ...]
    version: str
    keywords: tuple[str, ...]
    postings: tuple[tuple[tuple[int, int], ...], ...]
    automaton: Any = field(repr=False)
    regex_rules: tuple[int, ...] = ()
    keyword_bytes: tuple[int, ...] = ()
    emergency: EmergencyLexicon = field(default_factory=EmergencyLexicon)
    # The regular expressions as (rule index, expression index): those that may match any
    # text, and per string of `regex_literals` those that can only match a text holding it
    # (`required_literals`), with an automaton over those strings.
    regex_always: tuple[tuple[int, int], ...] = ()
    regex_literals: tuple[str, ...] = ()
    regex_by_literal: tuple[tuple[tuple[int, int], ...], ...] = ()
    regex_automaton: Any = field(default=None, repr=False)

    def regex_candidates(self, text: str) -> list[tuple[int, int]]:
        """The regular expressions (rule index, expression index) that may match `text`, in
        the rules' order: every one not ruled out by a string it needs and `text` lacks."""
        if not self.regex_rules or not text:
            return []
        if self.regex_automaton is None:
            if self.regex_always:
                return list(self.regex_always)
            # Made without the tables (not by `compile_rules`): every expression is searched.
            return [(r, p) for r in self.regex_rules for p in range(len(self.rules[r].regex))]
        found = set(self.regex_always)
        for idx in {idx for _, idx in self.regex_automaton.iter(as_latin1_bytes(text))}:
            found.update(self.regex_by_literal[idx])
        return sorted(found)

    def first_matches(self, text: str) -> dict[int, int]:
        """Keyword index → character offset of its first occurrence in normalised `text`."""
        if self.automaton is None or not text:
            return {}
        first: dict[int, int] = {}
        for end, k_idx in self.automaton.iter(as_latin1_bytes(text)):
            if k_idx not in first:
                first[k_idx] = end - self.keyword_bytes[k_idx] + 1
        return char_offsets(text, first) if first and not text.isascii() else first

    def all_matches(self, text: str) -> list[tuple[int, int]]:
        """(character start, character end) of every keyword occurrence in normalised `text`."""
        if self.automaton is None or not text:
            return []
        spans: dict[int, int] = {}
        for end, k_idx in self.automaton.iter(as_latin1_bytes(text)):
            start = end - self.keyword_bytes[k_idx] + 1
            spans[start] = max(spans.get(start, 0), end + 1)
        if text.isascii():
            return sorted(spans.items())
        pos = char_offsets(text, {**{s: s for s in spans}, **{-e: e for e in spans.values()}})
        return sorted((pos[s], pos[-e]) for s, e in spans.items())

    @property
    def office(self) -> Department:
        """The office (党政办公室) that receives triage."""
        return next((d for d in self.departments if d.office), self.departments[0])

    def department_name(self, code: str) -> str:
        """Chinese name of the department with `code`."""
        return next(d.name for d in self.departments if d.code == code)


def _resolve_department(value: str, departments: Sequence[Department]) -> str | None:
    for d in departments:
        if value in (d.code, d.name):
            return d.code
    return None


def _keywords(path: str, key: str, values: Sequence[str]) -> tuple[str, ...]:
    out: list[str] = []
    for j, raw in enumerate(values):
        kw = normalize(raw).strip()
        if not kw:
            raise ConfigError(path, f"{key}[{j}]", "empty keyword")
        if kw not in out:
            out.append(kw)
    return tuple(out)


def _build_rule(
    path: str, i: int, m: RuleModel, model: RulesFile, departments: Sequence[Department]
) -> Rule:
    key = f"rule[{i}]"
    if not (m.any or m.all or m.regex):
        raise ConfigError(
            path, f"{key}.any", "empty keyword list: give at least one of any, all or regex"
        )
    patterns: list[re.Pattern[str]] = []
    for j, pattern in enumerate(m.regex):
        if not pattern:
            raise ConfigError(path, f"{key}.regex[{j}]", "empty keyword")
        try:
            patterns.append(re.compile(pattern))
        except re.error as exc:
            raise ConfigError(
                path, f"{key}.regex[{j}]", f"bad regular expression {pattern!r}: {exc}"
            ) from None
    dept: str | None = None
    if m.department is not None:
        dept = _resolve_department(m.department, departments)
        if dept is None:
            raise ConfigError(
                path,
                f"{key}.department",
                f"unknown department {m.department!r} (not in departments.toml)",
            )
    if m.category is not None and m.category not in model.categories:
        raise ConfigError(
            path, f"{key}.category", f"unknown category {m.category!r} (not in categories)"
        )
    return Rule(
        name=m.name,
        description=m.description,
        any=_keywords(path, f"{key}.any", m.any),
        all=_keywords(path, f"{key}.all", m.all),
        regex=tuple(patterns),
        exclude=_keywords(path, f"{key}.exclude", m.exclude),
        fields=frozenset(m.fields),
        weight=m.weight,
        category=m.category,
        department=dept,
        urgency=m.urgency,
        disposition=m.disposition,
        track=m.track,
    )


def required_literals(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Strings one of which every match of `pattern` contains, or None when none are found
    (a case-insensitive pattern, or nothing it must match literally). A text holding none of
    them cannot match: the scan skips searching it (`scan.scan`).

    Read from the parsed pattern: a run of literal characters, a group (or alternation of
    branches) each branch of which needs one, a repetition at least once of something that
    needs one, or a set of literal characters; of several, the one with the longest shortest
    string."""
    try:
        import importlib

        # CPython's own parser of regular expressions (`sre_parse`, private since 3.11).
        sre: Any = importlib.import_module("re._constants")
        sre_parse: Any = importlib.import_module("re._parser")
        parsed = sre_parse.parse(pattern.pattern, pattern.flags)
    except Exception:  # another Python's parser: no shortcut, the pattern is searched
        return None
    if not isinstance(pattern.pattern, str) or parsed.state.flags & re.IGNORECASE:
        return None
    repeats = (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT))

    def needed(items: Any) -> frozenset[str] | None:
        best: frozenset[str] | None = None

        def take(found: frozenset[str] | None) -> None:
            nonlocal best
            if not found or not all(found):
                return
            rank = (min(map(len, found)), -len(found))
            if best is None or rank > (min(map(len, best)), -len(best)):
                best = found

        run: list[str] = []
        for op, av in items:
            if op is sre.LITERAL:
                run.append(chr(av))
                continue
            if run:
                take(frozenset({"".join(run)}))
                run = []
            if op is sre.SUBPATTERN:
                _, add_flags, del_flags, inner = av
                if not add_flags and not del_flags:
                    take(needed(inner))
            elif op is sre.ATOMIC_GROUP:
                take(needed(av))
            elif op is sre.BRANCH:
                each = [needed(branch) for branch in av[1]]
                if all(e is not None for e in each):
                    take(frozenset().union(*each))  # type: ignore[arg-type]
            elif any(op is r for r in repeats):
                low, _, inner = av
                if low >= 1:
                    take(needed(inner))
            elif op is sre.IN and av and all(o is sre.LITERAL for o, _ in av):
                take(frozenset(chr(c) for _, c in av))
            # Anything else (any character, classes, anchors, look-arounds, back-references)
            # needs nothing literal, and ends a run of literal characters.
        if run:
            take(frozenset({"".join(run)}))
        return best

    return needed(parsed.data)


def _regex_prefilter(
    version: str, rules: Sequence[Rule]
) -> tuple[
    tuple[tuple[int, int], ...], tuple[str, ...], tuple[tuple[tuple[int, int], ...], ...], Any
]:
    always: list[tuple[int, int]] = []
    index: dict[str, int] = {}
    by_literal: list[list[tuple[int, int]]] = []
    for r_idx, rule in enumerate(rules):
        for p_idx, pattern in enumerate(rule.regex):
            found = required_literals(pattern)
            if found is None:
                always.append((r_idx, p_idx))
                continue
            for literal in sorted(found):
                idx = index.setdefault(literal, len(index))
                if idx == len(by_literal):
                    by_literal.append([])
                by_literal[idx].append((r_idx, p_idx))
    literals = tuple(index)
    automaton = _automaton(version + "|regex", literals) if literals else None
    return tuple(always), literals, tuple(tuple(b) for b in by_literal), automaton


_AUTOMATA: dict[str, Any] = {}


def _automaton(version: str, keywords: Sequence[str]) -> Any:
    # Workers reload the configuration often; the same rules version is compiled only once.
    cached = _AUTOMATA.get(version)
    if cached is None:
        cached = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        for idx, kw in enumerate(keywords):
            cached.add_word(as_latin1_bytes(kw), idx)
        cached.make_automaton()
        if len(_AUTOMATA) >= 8:
            _AUTOMATA.pop(next(iter(_AUTOMATA)))
        _AUTOMATA[version] = cached
    return cached


def compile_rules(
    path: str, data: dict[str, Any], departments: Sequence[Department], version: str
) -> RuleSet:
    """Validate parsed TOML `data` (reported as coming from `path`) and compile it."""
    model = validate_model(Path(path), RulesFile, data)
    seen_cat: set[str] = set()
    for i, cat in enumerate(model.categories):
        if not cat.strip():
            raise ConfigError(path, f"categories[{i}]", "empty category")
        if cat in seen_cat:
            raise ConfigError(path, f"categories[{i}]", f"duplicate category {cat!r}")
        seen_cat.add(cat)
    if not departments:
        raise ConfigError(path, "rule", "no departments are configured")
    rules: list[Rule] = []
    names: set[str] = set()
    for i, m in enumerate(model.rules):
        if m.name in names:
            raise ConfigError(path, f"rule[{i}].name", f"duplicate rule name {m.name!r}")
        names.add(m.name)
        rules.append(_build_rule(path, i, m, model, departments))

    index: dict[str, int] = {}
    postings: list[list[tuple[int, int]]] = []
    for r_idx, rule in enumerate(rules):
        for role, words in (
            (ROLE_ANY, rule.any),
            (ROLE_ALL, rule.all),
            (ROLE_EXCLUDE, rule.exclude),
        ):
            for kw in words:
                k_idx = index.setdefault(kw, len(index))
                if k_idx == len(postings):
                    postings.append([])
                postings[k_idx].append((r_idx, role))
    keywords = tuple(index)
    # Department codes are part of the version: the same file resolves differently otherwise.
    full_version = hashlib.sha256(
        (version + "|" + ",".join(d.code for d in departments)).encode()
    ).hexdigest()[:16]
    always, literals, by_literal, regex_automaton = _regex_prefilter(full_version, rules)
    return RuleSet(
        rules=tuple(rules),
        categories=tuple(model.categories),
        settings=model.settings,
        departments=tuple(departments),
        version=full_version,
        keywords=keywords,
        postings=tuple(tuple(p) for p in postings),
        automaton=_automaton(full_version, keywords) if keywords else None,
        regex_rules=tuple(i for i, r in enumerate(rules) if r.regex),
        keyword_bytes=tuple(len(kw.encode("utf-8")) for kw in keywords),
        emergency=_emergency(path, model, departments, full_version),
        regex_always=always,
        regex_literals=literals,
        regex_by_literal=by_literal,
        regex_automaton=regex_automaton,
    )


_LEXICA: dict[str, EmergencyLexicon] = {}


def _emergency(
    path: str, model: RulesFile, departments: Sequence[Department], version: str
) -> EmergencyLexicon:
    # Compiled once per rules version, like the automaton of the rules (keyed by the section
    # too: tests compile different data under one version name).
    if model.emergency is None:
        return EmergencyLexicon()
    key = version + model.emergency.model_dump_json()
    cached = _LEXICA.get(key)
    if cached is None:
        names = {d.code: d.code for d in departments} | {d.name: d.code for d in departments}
        cached = compile_emergency(path, model.emergency, names, model.categories)
        if len(_LEXICA) >= 8:
            _LEXICA.pop(next(iter(_LEXICA)))
        _LEXICA[key] = cached
    return cached


def load_rules(path: Path, departments: Sequence[Department]) -> RuleSet:
    """Read, validate and compile a rules file against the configured departments."""
    import tomllib

    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise ConfigError(str(path), "", "file not found") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(str(path), "", f"not UTF-8: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), "", f"invalid TOML: {exc}") from exc
    return compile_rules(str(path), data, departments, hashlib.sha256(raw).hexdigest())


def load_rules_for(cfg: Config) -> RuleSet:
    """Load `rules.toml` from the deployment's configuration directory."""
    return load_rules(cfg.directory / RULES_FILE, cfg.departments)
