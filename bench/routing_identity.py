"""Every classification of the allowed letter sets, dumped as JSON, to compare two versions of
the classifier (issue #17: routing made cheaper must decide exactly the same).

    PYTHONPATH=<other checkout>/src python bench/routing_identity.py dump /tmp/before.json
    PYTHONPATH=src python bench/routing_identity.py dump /tmp/after.json
    python bench/routing_identity.py diff /tmp/before.json /tmp/after.json

`dump` classifies, with the shipped rules (`config/`) and the shipped second reader, the
labelled letters of `tests/data/eval/{tuning,heldout,heldout2 … heldout11}` and
`tests/data/labelled` plus `--samples` realistic letters (`xinxiang.samples`, seed 11, parsed
as ingest parses them), each two ways: alone (`engine.classify`) and in batches of 50
(`batch.classify_batch`, as routing does). Every field is kept: department and its code,
category, urgency, disposition, track, confidence, hits (rule ids, keywords, positions) and the
explanation (the model's probabilities and evidence). `diff` names every letter that differs.

The sets are named one by one: the held-out pools not listed here (heldout12 and later) are
never read.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
# Named one by one on purpose (never a glob over tests/data/eval: held-out pools exist).
SETS = ("tuning", "heldout", *(f"heldout{i}" for i in range(2, 12)))
BATCH = 50


def _letters(samples: int) -> list[tuple[str, str, str, tuple[str, ...]]]:
    from xinxiang.classify.evaluate import load_labelled

    out: list[tuple[str, str, str, tuple[str, ...]]] = []
    for name in SETS:
        for x in load_labelled([REPO / "tests" / "data" / "eval" / name]):
            out.append((f"{name}/{x.id}", x.subject, x.body, x.attachments))
    for x in load_labelled([REPO / "tests" / "data" / "labelled"]):
        out.append((f"labelled/{x.id}", x.subject, x.body, x.attachments))
    if samples:
        from xinxiang.mailbox.parse import parse_message
        from xinxiang.samples import iter_sample_letters

        for i, raw in enumerate(iter_sample_letters(samples, seed=11)):
            letter = parse_message(raw)
            names = tuple(a.filename for a in letter.attachments if a.filename)
            out.append((f"sample/{i}", letter.subject, letter.body, names))
    return out


def _json(c: Any) -> dict[str, Any]:
    if isinstance(c, Exception):
        return {"error": repr(c)}
    return {**c.to_json(), "department_code": c.department_code}


def dump(out: Path, samples: int) -> None:
    from xinxiang.classify.batch import LetterFields, classify_batch
    from xinxiang.classify.engine import classify
    from xinxiang.classify.rules import load_rules_for
    from xinxiang.config import load_config

    rules = load_rules_for(load_config(REPO / "config"))
    letters = _letters(samples)
    t0 = time.process_time()
    alone = {key: _json(classify(s, b, a, rules)) for key, s, b, a in letters}
    t1 = time.process_time()
    batched: dict[str, Any] = {}
    for i in range(0, len(letters), BATCH):
        chunk = letters[i : i + BATCH]
        got = classify_batch([LetterFields(s, b, a) for _, s, b, a in chunk], rules)
        batched.update((key, _json(c)) for (key, _, _, _), c in zip(chunk, got, strict=True))
    t2 = time.process_time()
    out.write_text(
        json.dumps({"alone": alone, "batch": batched}, ensure_ascii=False, sort_keys=True),
        encoding="utf-8",
    )
    print(
        f"{len(letters)} letters; CPU alone {t1 - t0:.2f} s (first use includes fitting or "
        f"loading the models), in batches {t2 - t1:.2f} s -> {out}"
    )


def diff(a: Path, b: Path) -> int:
    old = json.loads(a.read_text(encoding="utf-8"))
    new = json.loads(b.read_text(encoding="utf-8"))
    bad = 0
    for how in ("alone", "batch"):
        if old[how].keys() != new[how].keys():
            print(f"{how}: different letters")
            bad += 1
            continue
        for key, was in old[how].items():
            if was != new[how][key]:
                bad += 1
                if bad <= 20:
                    print(f"{how} {key}:\n  before {was}\n  after  {new[how][key]}")
    n = len(old["alone"])
    print(f"{n} letters x 2 ways: {'identical' if not bad else f'{bad} differ'}")
    return 1 if bad else 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump")
    d.add_argument("out", type=Path)
    d.add_argument("--samples", type=int, default=2000)
    c = sub.add_parser("diff")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = ap.parse_args()
    if args.cmd == "dump":
        dump(args.out, args.samples)
    else:
        sys.exit(diff(args.before, args.after))


if __name__ == "__main__":
    main()
