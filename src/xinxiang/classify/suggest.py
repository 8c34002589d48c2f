"""Keyword suggestions for the office (`xinxiang rules suggest`).

Given the texts of letters that ended in triage or were re-routed by hand, list the character
n-grams (2 to 4 Chinese characters, or Latin words) that occur in many of them but are not
covered by any rule keyword — candidates for new keywords.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from xinxiang.classify.normalize import normalize
from xinxiang.classify.rules import RuleSet

_CJK_RUN_RE = re.compile(r"[\u3400-\u9fff]+")
_WORD_RE = re.compile(r"[a-z][a-z'-]{3,}")
# Function characters and polite formulas: n-grams containing them are rarely useful keywords.
_STOP_CHARS = frozenset("的了是我你您他她它们在这那有和就都也很吗呢吧啊与及或而其之把被给对从向")
_STOP_GRAMS = frozenset(
    {
        "老师",
        "学校",
        "校长",
        "书记",
        "同学",
        "希望",
        "问题",
        "谢谢",
        "感谢",
        "反映",
        "请问",
        "尊敬",
        "领导",
        "学生",
        "现在",
        "已经",
        "可以",
        "没有",
        "什么",
        "一下",
        "能否",
        "不能",
        "如果",
        "因为",
        "所以",
        "但是",
        "自己",
    }
)
_STOP_WORDS = frozenset(
    {
        "the",
        "and",
        "that",
        "this",
        "with",
        "have",
        "from",
        "there",
        "they",
        "please",
        "thank",
        "thanks",
        "would",
        "could",
        "about",
        "what",
        "your",
    }
)


def _covered(text: str, rules: RuleSet) -> list[bool]:
    covered = [False] * len(text)
    for start, end in rules.all_matches(text):
        covered[start:end] = [True] * (end - start)
    return covered


def _grams(text: str, rules: RuleSet) -> set[str]:
    covered = _covered(text, rules)
    found: set[str] = set()
    for run in _CJK_RUN_RE.finditer(text):
        s, e = run.span()
        for n in (2, 3, 4):
            for i in range(s, e - n + 1):
                gram = text[i : i + n]
                if any(covered[i : i + n]) or any(c in _STOP_CHARS for c in gram):
                    continue
                if gram in _STOP_GRAMS:
                    continue
                found.add(gram)
    for m in _WORD_RE.finditer(text):
        word = m.group()
        if word not in _STOP_WORDS and not any(covered[m.start() : m.end()]):
            found.add(word)
    return found


def suggest_terms(texts: Sequence[str], rules: RuleSet, top: int) -> list[tuple[str, int]]:
    """The `top` most frequent uncovered terms as (term, number of letters containing it).

    Terms found in fewer than two letters are dropped, and so is any n-gram contained in a
    longer suggested term that occurs in just as many letters (the longer one says more).
    Ties are ordered by length (longer first) and then alphabetically, for a stable list.
    """
    df: Counter[str] = Counter()
    for text in texts:
        df.update(_grams(normalize(text), rules))
    frequent = {g: c for g, c in df.items() if c >= 2}
    # An n-gram's document frequency is at least that of any (n+1)-gram containing it, so
    # comparing with the one-longer extensions is enough to find the subsumed ones.
    longer: dict[str, int] = {}
    for o, c in frequent.items():
        if _CJK_RUN_RE.fullmatch(o):
            for sub in (o[1:], o[:-1]):
                longer[sub] = max(longer.get(sub, 0), c)
    kept = [g for g, c in frequent.items() if longer.get(g, 0) < c]
    kept.sort(key=lambda g: (-frequent[g], -len(g), g))
    return [(g, frequent[g]) for g in kept[: max(top, 0)]]
