"""Redaction measured on the labelled personal-data set (`tests/data/pii/`, issue #13).

Run: `python bench/bench_redact.py [--segmenter jieba|jiojio|none] [--show]` — for the tuning and
the held-out half, prints the share of planted items redacted per type and overall, and the share
of clean sentences altered (false redactions). A planted item counts as redacted when every one of
its identifying characters (its letters and digits, or for names all its characters) lies inside a
redaction. Letters are redacted as the board does: the whole letter at once, with the display name
the mail carried as a known name, and the deployment's allowlist (`config/`) as the board has it. `--show` lists what was missed and what was wrongly hidden.
"""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from xinxiang.config import load_config  # noqa: E402
from xinxiang.replies.redact import name_variants  # noqa: E402
from xinxiang.replies.redact_names import NameFinder, Tagger  # noqa: E402
from xinxiang.replies.redactor import Redactor, load_redactor  # noqa: E402
from xinxiang.services.publishing import public_allowlist  # noqa: E402

PII = ROOT / "tests" / "data" / "pii"
_UNIT = re.compile(r"^=== ([LC]\d{3})\s*$", re.M)
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
    for m, nxt in zip(heads, [*heads[1:], None]):
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
    alnum = [i for i, c in enumerate(item.text) if c.isascii() and c.isalnum() or "０" <= c <= "ｚ"]
    if alnum:
        yield from (item.start + i for i in alnum)
    else:
        yield from (item.start + i for i, c in enumerate(item.text) if not c.isspace())


def measure(redactor: Redactor, units: list[Unit], show: bool = False) -> dict[str, object]:
    """Recall per type, overall recall and the false-redaction rate over `units`."""
    hit: Counter[str] = Counter()
    total: Counter[str] = Counter()
    clean = altered = 0
    for unit in units:
        known = (*name_variants(unit.from_name), unit.from_name) if unit.from_name else ()
        names = redactor.names_in([unit.text], known)
        spans = redactor.spans(unit.text, names)
        covered = {i for s in spans for i in range(s.start, s.end)}
        if unit.id.startswith("C"):
            clean += 1
            if spans:
                altered += 1
                if show:
                    print(f"  FALSE {unit.id}: {redactor.redact(unit.text, names)}")
            continue
        for item in unit.items:
            total[item.kind] += 1
            if all(i in covered for i in _identifying(item)):
                hit[item.kind] += 1
            elif show:
                print(f"  MISS {unit.id} {item.kind}: {item.text}")
    n = sum(total.values())
    return {
        "recall": sum(hit.values()) / n if n else 1.0,
        "items": n,
        "per_type": {k: (hit[k], total[k]) for k in sorted(total)},
        "clean": clean,
        "altered": altered,
    }


def main(argv: list[str]) -> int:
    seg = argv[argv.index("--segmenter") + 1] if "--segmenter" in argv else "jieba"
    tagger: Tagger | None = None
    t0 = time.perf_counter()
    if seg == "jiojio":
        import jiojio  # type: ignore[import-not-found]

        jiojio.init(pos_rule=True, pos=True)
        tagger = lambda text: ((w, t) for w, t in jiojio.cut(text))  # noqa: E731
    cfg = load_config(ROOT / "config")
    redactor = load_redactor(cfg.directory / "redaction.toml", tagger=tagger)
    if seg == "none":
        redactor.finder = NameFinder(tagger=None)
    redactor = redactor.with_allowed(public_allowlist(cfg))
    redactor.names_in(["预热"])
    print(f"segmenter {seg}: loaded in {time.perf_counter() - t0:.1f} s")
    for half in ("tuning", "heldout"):
        units = [u for path in sorted((PII / half).glob("*.txt")) for u in load(path)]
        t = time.perf_counter()
        r = measure(redactor, units, show="--show" in argv and half == "tuning")
        took = time.perf_counter() - t
        per_type = r["per_type"]
        assert isinstance(per_type, dict)
        print(
            f"{half}: {r['recall']:.1%} of {r['items']} planted items redacted; "
            f"{r['altered']}/{r['clean']} clean sentences altered "
            f"({int(r['altered']) / int(r['clean']):.1%}); {took:.2f} s"  # type: ignore[call-overload]
        )
        print("  " + ", ".join(f"{k} {h}/{n}" for k, (h, n) in per_type.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
