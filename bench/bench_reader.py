"""Cross-validated figures of the learned second reader on the tuning half (issue #16).

Run: `python bench/bench_reader.py [--folds 5] [--danger 0.5 0.6 …] [--department 0.5 …]`.
The held-out half is never read here. For each fold of the tuning letters (stratified by pool
and emergency, seed 0) the reader is trained on the other folds plus every other shipped
letter (`reader_data/` minus `tuning.jsonl`) and the fold is classified by rules + that reader;
a second split trains on one writer's pool and tests on the other's (a harder, cross-writer
figure). Reports the rules alone, the model alone and rules + model, at each threshold, and the
time to train the shipped reader and to classify a letter.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from xinxiang.classify import reader as rd  # noqa: E402
from xinxiang.classify.engine import Classification, classify  # noqa: E402
from xinxiang.classify.evaluate import LabelledLetter, load_labelled  # noqa: E402
from xinxiang.classify.rules import RuleSet, load_rules_for  # noqa: E402
from xinxiang.config import load_config  # noqa: E402

ALERT = ("emergency", "suspected_emergency")


def with_settings(rules: RuleSet, **kw: float) -> RuleSet:
    """`rules` with some `[settings]` replaced."""
    return dataclasses.replace(rules, settings=rules.settings.model_copy(update=kw))


def folds(letters: Sequence[LabelledLetter], k: int) -> list[list[int]]:
    """Stratified folds by pool and emergency, in id order (deterministic)."""
    out: list[list[int]] = [[] for _ in range(k)]
    strata: dict[tuple[str, bool], list[int]] = {}
    for i, x in enumerate(letters):
        strata.setdefault((x.id[0], x.is_emergency), []).append(i)
    n = 0
    for key in sorted(strata):
        for i in sorted(strata[key], key=lambda j: letters[j].id):
            out[n % k].append(i)
            n += 1
    return out


def figures(letters: Sequence[LabelledLetter], got: Sequence[Classification]) -> dict[str, str]:
    """Department, disposition, emergencies classified and caught, false alarms."""
    em = [(x, c) for x, c in zip(letters, got, strict=True) if x.is_emergency]
    ne = [(x, c) for x, c in zip(letters, got, strict=True) if not x.is_emergency]
    n = len(letters)
    dept = sum(c.department_code == x.dept for x, c in zip(letters, got, strict=True))
    disp = sum(c.disposition == x.disposition for x, c in zip(letters, got, strict=True))
    cls = sum(c.urgency == "emergency" for _, c in em)
    caught = sum(c.urgency in ALERT for _, c in em)
    fa = sum(c.urgency in ALERT for _, c in ne)
    return {
        "department": f"{dept / n:.1%} ({dept})",
        "disposition": f"{disp / n:.1%} ({disp})",
        "classified": f"{cls / len(em):.1%} ({cls}/{len(em)})",
        "caught": f"{caught / len(em):.1%} ({caught}/{len(em)})",
        "false alarms": f"{fa / len(ne):.1%} ({fa}/{len(ne)})",
    }


def _timed(letters: Sequence[LabelledLetter], rules: RuleSet) -> float:
    t0 = time.process_time()
    for x in letters:
        classify(x.subject, x.body, x.attachments, rules)
    return time.process_time() - t0


def main() -> int:
    """Print the cross-validated tables."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--danger", type=float, nargs="*", default=[0.5, 0.6, 0.7, 0.8])
    ap.add_argument("--department", type=float, nargs="*", default=[0.4, 0.5, 0.6])
    ap.add_argument("--route-below", type=float, default=0.0)
    ap.add_argument("--over-context", type=float, nargs="*", default=[0.8, 0.9])
    args = ap.parse_args()
    cfg = load_config(ROOT / "config")
    rules = load_rules_for(cfg)
    off = with_settings(rules, reader_danger=0.0, reader_department=0.0)
    letters = load_labelled([ROOT / "tests" / "data" / "eval" / "tuning"])
    root = rd.resources.files(rd.DATA_PACKAGE)
    others = [
        s
        for e in sorted(root.iterdir(), key=lambda e: e.name)
        if e.name.endswith(".jsonl") and e.name != "tuning.jsonl"
        for s in rd.parse_samples(e.read_text("utf-8").splitlines())
    ]

    def sample(x: LabelledLetter) -> rd.Sample:
        return rd.Sample(rd.model_text(x.subject, x.body), x.is_emergency, x.dept)

    base = [classify(x.subject, x.body, x.attachments, off) for x in letters]
    print("rules alone (tuned on these letters):", figures(letters, base))
    splits = {f"{args.folds}-fold": folds(letters, args.folds)}
    splits["by writer (pool a ↔ b)"] = [
        [i for i, x in enumerate(letters) if x.id[0] == p] for p in ("a", "b")
    ]
    for name, parts in splits.items():
        danger_p = [0.0] * len(letters)
        dept_p: list[tuple[str, float]] = [("", 0.0)] * len(letters)
        readers: dict[int, rd.Reader] = {}
        for f, test in enumerate(parts):
            held = set(test)
            train = others + [sample(x) for i, x in enumerate(letters) if i not in held]
            readers[f] = rd.train(train)
            for i in test:
                t = rd.model_text(letters[i].subject, letters[i].body)
                danger_p[i] = readers[f].read_danger(t).probability
                d = readers[f].read_department(t)
                dept_p[i] = (d.label, d.probability)
        print(f"\n== {name} ==")
        em = [i for i, x in enumerate(letters) if x.is_emergency]
        ne = [i for i, x in enumerate(letters) if not x.is_emergency]
        for t in args.danger:
            rec = sum(danger_p[i] >= t for i in em)
            fp = sum(danger_p[i] >= t for i in ne)
            added = sum(danger_p[i] >= t and base[i].urgency not in ALERT for i in ne)
            print(
                f"model alone danger ≥ {t}: emergencies {rec}/{len(em)}, "
                f"non-emergencies flagged {fp}/{len(ne)}; added to rules' false alarms: {added}"
            )
        dept_ok = sum(dept_p[i][0] == x.dept for i, x in enumerate(letters))
        print(f"model alone department: {dept_ok / len(letters):.1%}")
        fold_of = {i: f for f, test in enumerate(parts) for i in test}
        for dt in args.department:
            for t in args.danger[:: max(1, len(args.danger) - 1)]:
                on = with_settings(
                    rules,
                    reader_danger=t,
                    reader_department=dt,
                    reader_route_below=args.route_below,
                )
                got = [
                    classify(x.subject, x.body, x.attachments, on, reader=readers[fold_of[i]])
                    for i, x in enumerate(letters)
                ]
                print(f"rules + model (danger {t}, department {dt}):", figures(letters, got))
        for oc in args.over_context:
            on = with_settings(rules, reader_danger=0.6, reader_danger_over_context=oc)
            got = [
                classify(x.subject, x.body, x.attachments, on, reader=readers[fold_of[i]])
                for i, x in enumerate(letters)
            ]
            print(f"rules + model (danger 0.6, over context {oc}):", figures(letters, got))
    t0, w0 = time.process_time(), time.perf_counter()
    rd.shipped_reader.cache_clear()
    rd.shipped_reader().read_danger("宿舍楼道里有一股烟味")  # fits the danger model
    print(
        f"\nfirst load (fitting the shipped danger model): {time.process_time() - t0:.2f} s CPU, "
        f"{time.perf_counter() - w0:.2f} s wall"
    )
    for name, ruleset in (("rules alone", off), ("rules + shipped reader", rules)):
        best = min(_timed(letters, ruleset) for _ in range(5))
        print(f"classify, {name}: {best * 1e6 / len(letters):.0f} µs CPU per letter (best of 5)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
