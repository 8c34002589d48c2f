"""Scanning a letter's fields with the rules' automaton (and the few regex rules): which rules fire
and with what score. Used by `engine.classify`.
"""

from __future__ import annotations

from dataclasses import dataclass

from xinxiang.classify.rules import ROLE_ALL, ROLE_ANY, Rule, RuleSet

_MAX_KEYWORD_BONUS = 4


@dataclass(slots=True)
class RuleState:
    """Keywords of one rule found so far (first position of each) and whether it is excluded."""

    any_hits: dict[str, tuple[str, int]]
    all_hits: dict[str, tuple[str, int]]
    excluded: bool = False


def scan(rules: RuleSet, texts: dict[str, str]) -> dict[int, RuleState]:
    """Run the automaton (and the few regex rules) over every field once."""
    states: dict[int, RuleState] = {}
    all_rules = rules.rules
    postings = rules.postings
    keywords = rules.keywords
    for fname, text in texts.items():
        if not text:
            continue
        for k_idx, pos in rules.first_matches(text).items():
            kw = keywords[k_idx]
            for r_idx, role in postings[k_idx]:
                rule = all_rules[r_idx]
                if fname not in rule.fields:
                    continue
                st = states.get(r_idx)
                if st is None:
                    st = states[r_idx] = RuleState({}, {})
                if role == ROLE_ANY:
                    st.any_hits.setdefault(kw, (fname, pos))
                elif role == ROLE_ALL:
                    st.all_hits.setdefault(kw, (fname, pos))
                else:
                    st.excluded = True
        # Only the expressions that may match: most need a string the text lacks.
        for r_idx, p_idx in rules.regex_candidates(text):
            rule = all_rules[r_idx]
            if fname not in rule.fields:
                continue
            m = rule.regex[p_idx].search(text)
            if m is not None and m.group():
                st = states.get(r_idx)
                if st is None:
                    st = states[r_idx] = RuleState({}, {})
                st.any_hits.setdefault(m.group(), (fname, m.start()))
    return states


def fires(rule: Rule, st: RuleState) -> bool:
    if st.excluded:
        return False
    if (rule.any or rule.regex) and not st.any_hits:
        return False
    return len(st.all_hits) == len(rule.all)


def rule_score(rule: Rule, st: RuleState, subject_boost: float) -> float:
    distinct = min(len(st.any_hits) + len(st.all_hits), _MAX_KEYWORD_BONUS)
    in_subject = any(f == "subject" for f, _ in (*st.any_hits.values(), *st.all_hits.values()))
    return rule.weight * (1 + 0.5 * (distinct - 1)) * (subject_boost if in_subject else 1.0)
