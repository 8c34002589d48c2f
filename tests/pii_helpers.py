"""The labelled personal-data set (`tests/data/pii/`) and how redaction is scored on it.

Shared by `tests/test_redactor.py` and `bench/bench_redact.py`. Units are letters (`=== L001`,
planted items marked `⟦type|exact text⟧`, `@from_name:` the display name) and clean sentences
(`=== C001`, nothing may be hidden). A planted item counts as redacted when every one of its
identifying characters (its letters and digits, or for names all its characters) is hidden.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from xinxiang.replies.redact import fold_width
from xinxiang.replies.redact_names import NameFinder, Tagger, display_name_terms
from xinxiang.replies.redactor import Redactor

PII = Path(__file__).resolve().parent / "data" / "pii"
_UNIT = re.compile(r"^=== ([LC]\d{3,4})\s*$", re.M)  # four digits: heldout8, C ids ran out
_ITEM = re.compile(r"⟦(\w+)\|([^⟧]+)⟧")


@dataclass(frozen=True)
class Item:
    kind: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Unit:
    id: str
    text: str
    from_name: str
    items: tuple[Item, ...]


def load(path: Path) -> list[Unit]:
    """The units of one half, markers removed and items located in the plain text."""
    raw = path.read_text(encoding="utf-8")
    heads = list(_UNIT.finditer(raw))
    units = []
    for m, nxt in zip(heads, [*heads[1:], None], strict=True):
        body = raw[m.end() : nxt.start() if nxt else len(raw)].strip("\n")
        from_name = ""
        lines = []
        for line in body.splitlines():
            if line.startswith("@from_name:"):
                from_name = line.split(":", 1)[1].strip()
            else:
                lines.append(line)
        marked = "\n".join(lines).strip()
        plain, items, last = [], [], 0
        pos = 0
        for im in _ITEM.finditer(marked):
            plain.append(marked[last : im.start()])
            pos += im.start() - last
            items.append(Item(im.group(1), im.group(2), pos, pos + len(im.group(2))))
            plain.append(im.group(2))
            pos += len(im.group(2))
            last = im.end()
        plain.append(marked[last:])
        units.append(Unit(m.group(1), "".join(plain), from_name, tuple(items)))
    return units


def _identifying(item: Item) -> Iterator[int]:
    """Offsets of the characters that identify: letters and digits, or all of a name."""
    text = fold_width(item.text)
    alnum = [i for i, c in enumerate(text) if c.isascii() and c.isalnum()]
    if alnum:
        yield from (item.start + i for i in alnum)
    else:
        yield from (item.start + i for i, c in enumerate(item.text) if not c.isspace())


@dataclass(frozen=True)
class Score:
    """How one half fared: items hidden per type, clean sentences altered, and what went wrong."""

    hit: Counter[str]
    total: Counter[str]
    clean: int
    altered: list[str]
    missed: list[str]
    collateral: int = 0  # characters of letters hidden outside any planted item
    letter_chars: int = 0

    @property
    def recall(self) -> float:
        n = sum(self.total.values())
        return sum(self.hit.values()) / n if n else 1.0

    @property
    def false_rate(self) -> float:
        return len(self.altered) / self.clean if self.clean else 0.0


def measure(redactor: Redactor, units: list[Unit]) -> Score:
    """Redact every unit as the board would (the display name, where it is a name, known)."""
    hit: Counter[str] = Counter()
    total: Counter[str] = Counter()
    clean, altered, missed = 0, [], []
    collateral = letter_chars = 0
    for unit in units:
        known = display_name_terms(unit.from_name, unit.text)
        names = redactor.names_in([unit.text], known)
        spans = redactor.spans(unit.text, names)
        covered = {i for s in spans for i in range(s.start, s.end)}
        if unit.id.startswith("C"):
            clean += 1
            if spans:
                altered.append(f"{unit.id}: {redactor.redact(unit.text, names)}")
            continue
        planted = {i for item in unit.items for i in range(item.start, item.end)}
        collateral += len(covered - planted)
        letter_chars += len(unit.text)
        for item in unit.items:
            total[item.kind] += 1
            if all(i in covered for i in _identifying(item)):
                hit[item.kind] += 1
            else:
                missed.append(f"{unit.id} {item.kind}: {item.text}")
    return Score(hit, total, clean, altered, missed, collateral, letter_chars)


def tagger_score(tagger: Tagger, units: list[Unit]) -> tuple[int, int, int]:
    """The segmenter alone: planted names (names, signatures) it tags as plausible person
    names, how many there are, and clean sentences in which it tags one."""
    finder = NameFinder(tagger=tagger)
    found = total = false = 0
    for unit in units:
        tagged = set(finder.tagged(unit.text))
        if unit.id.startswith("C"):
            false += bool(tagged)
            continue
        for item in unit.items:
            if item.kind in ("name", "signature"):
                total += 1
                found += item.text in tagged
    return found, total, false


def load_half(half: str) -> list[Unit]:
    """Every unit of `tuning` or `heldout`."""
    return [u for path in sorted((PII / half).glob("*.txt")) for u in load(path)]
