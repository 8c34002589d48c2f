"""Leave-one-pool-out over the second reader's routing thresholds (issue #16, h-tune11).

Run: `python bench/bench_reader_thresholds.py [set ...]` — for each seen set of
`bench_cross_set.SETS` (default: all), trains the second reader once without that set, then
classifies the set under every triple of `reader_route_below` × `reader_department` ×
`reader_office` in `GRID` (the other settings as committed in `config/rules.toml`). Prints one
JSON line per set and triple
(department, disposition, emergencies classified and caught, false alarms), so the thresholds
can be chosen on pools the reader never read rather than on one writer's phrasing. The rules
themselves are tuned on every pool, so the figures are optimistic for the rules' part.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_cross_set import SETS, left_out  # noqa: E402

from xinxiang.classify.engine import classify  # noqa: E402
from xinxiang.classify.rules import load_rules_for  # noqa: E402
from xinxiang.config import load_config  # noqa: E402

# (reader_route_below, reader_department, reader_office): h-tune10 had (0.7, 0.6, 0.65);
# h-tune11 chose (0.7, 0.6, 0.6) (bench/RESULTS.md; the round ran parts of this grid).
GRID = tuple(itertools.product((0.7, 0.8, 0.9), (0.45, 0.5, 0.6), (0.45, 0.55, 0.6, 0.65, 0.75)))


def sweep(target: str) -> list[dict[str, object]]:
    """Figures on `target` for every triple of `GRID`, with a reader that never saw it."""
    letters, reader = left_out(target)
    base = load_rules_for(load_config(ROOT / "config"))
    out: list[dict[str, object]] = []
    for below, needed, office in GRID:
        settings = base.settings.model_copy(
            update={
                "reader_route_below": below,
                "reader_department": needed,
                "reader_office": office,
            }
        )
        rules = dataclasses.replace(base, settings=settings)
        dept = disp = classified = caught = alarms = 0
        for x in letters:
            c = classify(x.subject, x.body, x.attachments, rules, reader=reader)
            dept += c.department_code == x.dept
            disp += c.disposition == x.disposition
            alert = c.urgency in ("emergency", "suspected_emergency")
            if x.is_emergency:
                classified += c.urgency == "emergency"
                caught += alert
            else:
                alarms += alert
        out.append(
            {
                "set": target,
                "route_below": below,
                "department_needed": needed,
                "office": office,
                "letters": len(letters),
                "department": dept,
                "disposition": disp,
                "classified": classified,
                "caught": caught,
                "false_alarms": alarms,
            }
        )
    return out


def main(argv: list[str]) -> int:
    """Print one JSON line per set and triple of thresholds."""
    for target in argv or SETS:
        for row in sweep(target):
            print(json.dumps(row, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
