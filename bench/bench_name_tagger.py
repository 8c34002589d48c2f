"""A learned name finder, leave-one-writer-out, against the redactor's rules (issue #13, stop 24).

Run: `python bench/bench_name_tagger.py [--iterations N]` (`python-crfsuite`, a
dependency since the tagger became `name_crf.py`). An exploration: does a character-level sequence
tagger (a linear-chain CRF) generalise across writers better than the hand rules?

Each labelled set of `tests/data/pii/` is in turn the test set; the CRF is trained on every set by
*other* writers (tuning and heldout are one writer's set split in two, selfcheck and selfcheck2 one
branch's, so each pair leaves together). Labels are B/I/O over the name items (`name`,
`title_name`, `signature`, `roman_name`). Features of a character: itself and its neighbours
(±2, with bigrams), its script, whether it starts a surname of the redactor's lists
(`name_words.SURNAMES`, `COMPOUND_SURNAMES`), whether a title of `name_words.TITLES` follows
within three characters, whether a cue word (叫, 是, 和, 、, 同学 …) ends just before it, jieba
posseg's tag of its word and its place in that word, and whether it lies in the mail's display name.

Per test set it prints the name-item recall and the clean sentences (C units) altered, for
(a) the redactor of this tree, names only (the spans of kind "name", run as `bench_redact.py`
runs it: whole letter, display name known, the deployment's allowlist); (b) the CRF alone, each
found name (2+ characters) then hidden wherever it recurs in the unit, as the redactor does;
(c) the union of (a) and (b); (d) the union with the CRF's confident spans only; (e) (d) with
the CRF's spans gated by the rules' word lists (no not-name, no everyday word; round 8). An item
counts as found when all its characters (for a roman name its letters) are covered, as in
`pii_helpers.measure`. The redactor was tuned on every set here (heldout5 since round 8), so its
figures are *seen* figures; run this file from an older tree for an unseen one. The CRF's are all
unseen-writer figures. No misses are printed.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

import pycrfsuite  # type: ignore[import-not-found]  # noqa: E402

from pii_helpers import Item, Unit, _identifying, load_half  # noqa: E402
from xinxiang.config import load_config  # noqa: E402
from xinxiang.replies.name_crf import bio, spans_of  # noqa: E402
from xinxiang.replies.name_crf import features as crf_features  # noqa: E402
from xinxiang.replies.privacy import public_allowlist  # noqa: E402
from xinxiang.replies.redact_names import display_name_terms  # noqa: E402
from xinxiang.replies.redactor import Redactor, jieba_tagger, load_redactor  # noqa: E402

# Set -> writer; a writer's sets leave together.
WRITERS = {
    "tuning": "w1",
    "heldout": "w1",
    "candidates": "h-privacy",
    "selfcheck": "h-redact5",
    "selfcheck2": "h-redact5",
    "heldout2": "w3",
    "heldout3": "w4",
    "heldout4": "w5",
    "heldout5": "w6",
}
TITLES_OF = ("(a) rules", "(b) CRF", "(c) union", "(d) union, sure", "(e) sure, gated")
SURE = 0.9  # the marginal a CRF span needs in (d); fixed before any run, not tuned
NAME_KINDS = frozenset({"name", "title_name", "signature", "roman_name"})
_TAGGER = jieba_tagger()


def features(unit: Unit) -> list[list[str]]:
    """One feature list per character of `unit.text` (the product's, `name_crf.features`)."""
    return crf_features(unit.text, _TAGGER, display_name_terms(unit.from_name, unit.text))


def labels(unit: Unit) -> list[str]:
    """B/I/O per character: the name items are the names."""
    return bio(len(unit.text), [(i.start, i.end) for i in unit.items if i.kind in NAME_KINDS])


def confident(tagger: pycrfsuite.Tagger, x: list[list[str]], floor: float) -> list[tuple[int, int]]:
    """The CRF's spans for `x`, less those with a character tagged at a marginal below `floor`."""
    tags = tagger.tag(x)
    return [
        (s, e)
        for s, e in spans_of(tags)
        if min(tagger.marginal(tags[i], i) for i in range(s, e)) >= floor
    ]


def gated(redactor: Redactor, text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(e): the spans the rules' own word lists allow — of 2+ characters, not one of the
    finder's not-names (public figures, brands, places) and not an everyday dictionary word (the
    finder's `_rare_word` is false). Fixed before the first run of (e), not tuned."""
    finder = redactor.finder
    return [
        (s, e)
        for s, e in spans
        if e - s >= 2 and text[s:e] not in finder.not_names and finder._rare_word(text[s:e])
    ]


def spread(text: str, spans: Iterable[tuple[int, int]]) -> set[int]:
    """Characters covered by `spans`, and by every other occurrence of a found 2+ character name."""
    covered: set[int] = set()
    for s, e in spans:
        covered.update(range(s, e))
        if e - s >= 2:
            for m in re.finditer(re.escape(text[s:e]), text):
                covered.update(range(m.start(), m.end()))
    return covered


def redactor_cover(redactor: Redactor, unit: Unit) -> set[int]:
    """Characters the redactor hides as names (spans of kind "name")."""
    names = redactor.names_in([unit.text], display_name_terms(unit.from_name, unit.text))
    spans = redactor.spans(unit.text, names)
    return {i for s in spans if s.kind == "name" for i in range(s.start, s.end)}


def name_items(unit: Unit) -> list[Item]:
    """The planted name items of a unit."""
    return [it for it in unit.items if it.kind in NAME_KINDS]


def score(units: list[Unit], covers: list[set[int]], kind: str = "") -> tuple[int, int, int, int]:
    """Name items (of `kind`, or all) found, name items, clean sentences altered, clean ones."""
    hit = total = altered = clean = 0
    for unit, cover in zip(units, covers, strict=True):
        if unit.id.startswith("C"):
            clean += 1
            altered += bool(cover)
            continue
        for item in name_items(unit):
            if kind and item.kind != kind:
                continue
            total += 1
            hit += all(i in cover for i in _identifying(item))
    return hit, total, altered, clean


def main(argv: list[str]) -> int:
    iterations = int(argv[argv.index("--iterations") + 1]) if "--iterations" in argv else 150
    t0 = time.perf_counter()
    cfg = load_config(ROOT / "config")
    redactor = load_redactor(cfg.directory / "redaction.toml").with_allowed(public_allowlist(cfg))
    sets = {name: load_half(name) for name in WRITERS}
    feats = {name: [features(u) for u in units] for name, units in sets.items()}
    print(
        f"loaded and featurised in {time.perf_counter() - t0:.0f} s; "
        f"CRF lbfgs {iterations} iterations"
    )
    head = f"{'test set':<11} {'names':>5} {'C':>4} | " + " | ".join(f"{t:>15}" for t in TITLES_OF)
    print(head + "\n" + "-" * len(head))
    pooled = {k: [0, 0, 0, 0] for k in "abcde"}
    kinds = {t: {k: {kind: [0, 0] for kind in NAME_KINDS} for k in "abcde"} for t in ("", *sets)}
    with tempfile.TemporaryDirectory() as tmp:
        for test, units in sets.items():
            trainer = pycrfsuite.Trainer(verbose=False)
            for name, train_units in sets.items():
                if WRITERS[name] == WRITERS[test]:
                    continue
                for u, x in zip(train_units, feats[name], strict=True):
                    trainer.append(x, labels(u))
            trainer.set_params({"c1": 0.05, "c2": 0.01, "max_iterations": iterations})
            model = str(Path(tmp) / f"{test}.crf")
            trainer.train(model)
            tagger = pycrfsuite.Tagger()
            tagger.open(model)
            rules = [redactor_cover(redactor, u) for u in units]
            crf, sure, gate = [], [], []
            for u, x in zip(units, feats[test], strict=True):
                crf.append(spread(u.text, confident(tagger, x, 0.0)))
                sure_spans = confident(tagger, x, SURE)
                sure.append(spread(u.text, sure_spans))
                gate.append(spread(u.text, gated(redactor, u.text, sure_spans)))
            union = [r | c for r, c in zip(rules, crf, strict=True)]
            union_sure = [r | c for r, c in zip(rules, sure, strict=True)]
            union_gated = [r | c for r, c in zip(rules, gate, strict=True)]
            cells = []
            runs = (("a", rules), ("b", crf), ("c", union), ("d", union_sure), ("e", union_gated))
            for key, covers in runs:
                for kind in NAME_KINDS:
                    hit, total, _, _ = score(units, covers, kind)
                    for where in ("", test):
                        kinds[where][key][kind][0] += hit
                        kinds[where][key][kind][1] += total
                hit, total, altered, clean = score(units, covers)
                for k, v in enumerate((hit, total, altered, clean)):
                    pooled[key][k] += v
                cells.append(f"{hit / total:6.1%} / {altered / clean:5.1%}")
            print(f"{test:<11} {total:>5} {clean:>4} | " + " | ".join(f"{c:>15}" for c in cells))
    hit, total, altered, clean = pooled["a"]
    cells = [f"{h / t:6.1%} / {a / c:5.1%}" for h, t, a, c in pooled.values()]
    print(f"{'pooled':<11} {total:>5} {clean:>4} | " + " | ".join(f"{c:>15}" for c in cells))
    print("cells: name-item recall / clean sentences altered by names;")
    print(f"(d): the union with only the CRF spans whose every tag has a marginal >= {SURE}")
    print("(e): (d) with the CRF spans gated by the rules' lists (no not-name, no everyday word)")
    for where in ("", "heldout5"):
        for key, title in zip("abcde", TITLES_OF, strict=True):
            per = ", ".join(
                f"{k} {h}/{t} ({h / t:.1%})" for k, (h, t) in sorted(kinds[where][key].items())
            )
            print(f"{where or 'pooled'} by kind, {title}: {per}")
    print(f"took {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
