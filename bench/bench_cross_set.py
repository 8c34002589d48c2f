"""Cross-set figures of the classifier with the second reader (issue #16, third tuning round).

Run: `python bench/bench_cross_set.py [tuning heldout heldout2 heldout3 heldout4]` — for each
seen set (pool h, `heldout7`, since h-tune9; pool i, `heldout8`, since h-tune10; pool j,
`heldout9`, since h-tune11; pool k, `heldout10`, since h-tune12; pool l, `heldout11`, since
h-tune13; pool m, `heldout12`, since h-tune14; pool n, `heldout13`, since h-tune15; pool o,
`heldout14`, since h-tune16; pool p, `heldout15`, since h-tune17; pool q, `heldout16`, since
h-tune18; pool r, `heldout17`, since h-tune19; pool s, `heldout18`, since h-tune20; never
`heldout19`), trains
the second reader on every shipped letter **except that set's** (the other seen sets,
the readings, the written letters, `tests/data/labelled/`) and classifies the set with the
committed `config/` settings; prints department, disposition, emergencies classified and
caught, and false alarms, as in bench/RESULTS.md ("Third tuning round"). Never reads a pool
that is not in the repository. Takes a few minutes per set (fitting and jieba).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from xinxiang.classify.engine import classify  # noqa: E402
from xinxiang.classify.evaluate import LabelledLetter, load_labelled  # noqa: E402
from xinxiang.classify.normalize import normalize  # noqa: E402
from xinxiang.classify.reader import Reader, Sample, parse_samples  # noqa: E402
from xinxiang.classify.rules import load_rules_for  # noqa: E402
from xinxiang.config import load_config  # noqa: E402

DATA = ROOT / "src" / "xinxiang" / "classify" / "reader_data"
EVAL = ROOT / "tests" / "data" / "eval"
# Shipped files that hold no evaluation set (tuning.jsonl and seen.jsonl are rebuilt per set).
OTHER = ("labelled.jsonl", "readings.jsonl", "extra.jsonl")
# Never heldout18 (the fresh pool s).
SETS = (
    "tuning",
    "heldout",
    "heldout2",
    "heldout3",
    "heldout4",
    "heldout5",
    "heldout6",
    "heldout7",
    "heldout8",
    "heldout9",
    "heldout10",
    "heldout11",
    "heldout12",
    "heldout13",
    "heldout14",
    "heldout15",
    "heldout16",
    "heldout17",
    "heldout18",
)


def samples(letters: list[LabelledLetter]) -> list[Sample]:
    """Training samples from labelled letters, as `build_reader_data.py` writes them."""
    return [
        Sample(normalize(f"{x.subject}\n{x.body}"), x.is_emergency, x.dept, x.disposition)
        for x in letters
    ]


def left_out(target: str) -> tuple[list[LabelledLetter], Reader]:
    """The letters of `target` and a second reader trained on every shipped letter but them."""
    sets = {name: load_labelled([EVAL / name]) for name in SETS}
    train = [s for f in OTHER for s in parse_samples((DATA / f).read_text("utf-8").splitlines())]
    for name in SETS:
        if name != target:
            train.extend(samples(sets[name]))
    return sets[target], Reader(train)


def measure(target: str) -> dict[str, object]:
    """Figures on `target` with a reader that never saw it."""
    letters, reader = left_out(target)
    rules = load_rules_for(load_config(ROOT / "config"))
    dept = disp = classified = caught = 0
    false_alarms: list[str] = []
    missed: list[str] = []
    for x in letters:
        c = classify(x.subject, x.body, x.attachments, rules, reader=reader)
        dept += c.department_code == x.dept
        disp += c.disposition == x.disposition
        alert = c.urgency in ("emergency", "suspected_emergency")
        if x.is_emergency:
            classified += c.urgency == "emergency"
            caught += alert
            if not alert:
                missed.append(x.id)
        elif alert:
            false_alarms.append(x.id)
    emergencies = sum(x.is_emergency for x in letters)
    return {
        "set": target,
        "letters": len(letters),
        "department": dept,
        "disposition": disp,
        "emergencies": emergencies,
        "classified": classified,
        "caught": caught,
        "non_emergencies": len(letters) - emergencies,
        "false_alarms": false_alarms,
        "missed": missed,
    }


def main(argv: list[str]) -> int:
    """Print one JSON line per set."""
    for target in argv or SETS:
        print(json.dumps(measure(target), ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
