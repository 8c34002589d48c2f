"""Build the second reader's shipped training letters (`src/xinxiang/classify/reader_data/`).

Run: `python bench/build_reader_data.py` — reads only letters that may be trained on:
`tests/data/eval/tuning/`, and since the third tuning round (h-tune3, issue #16) the *seen*
sets `tests/data/eval/heldout/` (seen after three rounds) and `tests/data/eval/heldout2/`
(pool c, seen once) and `tests/data/labelled/05_holdout.toml`, next to `tests/data/labelled/01–04`;
since h-tune5 also `tests/data/eval/heldout3/` (pool d, measured once and then seen); since
h-tune6 also `tests/data/eval/heldout4/` (pool e, measured once after the fourth round and then
seen); since h-dept7 also `tests/data/eval/heldout5/` (pool f, measured once after the fifth round
and then seen); since h-tune8 also `tests/data/eval/heldout6/` (pool g, measured once after the
h-dept7 round and then seen); since h-tune9 also `tests/data/eval/heldout7/` (pool h, measured once
after the h-tune8 round and then seen); since h-tune10 also `tests/data/eval/heldout8/` (pool i,
measured once after the h-tune9 round and then seen); since h-tune11 also
`tests/data/eval/heldout9/` (pool j, measured once after the h-tune10 round and then seen); since
h-tune12 also `tests/data/eval/heldout10/` (pool k, measured once after the h-tune11 round and then
seen); since h-tune13 also `tests/data/eval/heldout11/` (pool l, measured once after the h-tune12
round and then seen); since h-tune14 also `tests/data/eval/heldout12/` (pool m, measured once
after the h-tune13 round and then seen); since h-tune15 also `tests/data/eval/heldout13/` (pool n,
measured once after the h-tune14 round and then seen); since h-tune16 also
`tests/data/eval/heldout14/` (pool o, measured once after the h-tune15 round and then seen); since
h-tune17 also `tests/data/eval/heldout15/` (pool p, measured once after the h-tune16 round and then
seen); since h-tune18 also `tests/data/eval/heldout16/` (pool q, measured once after the h-tune17
round and then seen); since h-tune19 also `tests/data/eval/heldout17/` (pool r, measured once
after the h-tune18 round and then seen); since h-tune20 also `tests/data/eval/heldout18/` (pool
s, measured once after the h-tune19 round and then seen). The sets are listed by name
(`SEEN_POOLS`), never by a glob: a fresh held-out pool (`heldout19/`, or any later one) is never
trained on, and `main` refuses to run if a name in `NEVER_TRAIN` were ever listed. Also the
hand-written readings
`tests/data/{emergency_classes,emergency_readings,department_readings,disposition_readings}.txt`
and `tests/data/eval/extra/*.txt` (letters written for the reader:
``<dept or -> <E|N> <text>`` a line). Writes one JSON line per letter:
``{"text", "danger": true/false/null, "dept": code/null, "disposition": …}`` (the disposition
where the letter is labelled with one).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
OUT = ROOT / "src" / "xinxiang" / "classify" / "reader_data"
sys.path.insert(0, str(ROOT / "src"))

from xinxiang.classify.evaluate import load_labelled  # noqa: E402

Row = dict[str, object]
# The seen evaluation pools the reader trains on, by name (never a glob over eval/).
SEEN_POOLS = (
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
# Never trained on: pool u (heldout20), the fresh pool. Pool t (heldout19) was measured once
# after h-tune20 and is seen; the next round adds it to SEEN_POOLS and retrains the reader.
NEVER_TRAIN = ("heldout20",)
# Disposition readings whose department is the letter's own (not the office's).
OWN_DEPT = ("praise", "dispatch")


def _lines(path: Path) -> Iterator[list[str]]:
    for line in path.read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            yield line.split(" ", 2) if line.count(" ") >= 2 else line.split(" ", 1)


def labelled(paths: list[Path]) -> list[Row]:
    """Evaluation-format letters: department and emergency label."""
    return [
        {
            "text": f"{x.subject}\n{x.body}",
            "danger": x.is_emergency,
            "dept": x.dept,
            "disposition": x.disposition,
        }
        for x in load_labelled(paths)
    ]


def readings() -> list[Row]:
    """The one-line readings written by class of danger, department and disposition."""
    rows: list[Row] = []
    danger_of = {"E": True, "ES": True, "N": False}
    for _cls, expected, text in _lines(DATA / "emergency_classes.txt"):
        if expected in danger_of:
            rows.append({"text": text, "danger": danger_of[expected], "dept": None})
    for parts in _lines(DATA / "emergency_readings.txt"):
        expected, text = parts[0], " ".join(parts[1:])
        if expected in danger_of:
            rows.append({"text": text, "danger": danger_of[expected], "dept": None})
    for parts in _lines(DATA / "department_readings.txt"):
        rows.append({"text": " ".join(parts[1:]), "danger": False, "dept": parts[0]})
    for parts in _lines(DATA / "disposition_readings.txt"):
        expected, text = parts[0], " ".join(parts[1:])
        # Praise and ordinary dispatch readings name no department the model could learn.
        dept = "jiwei" if expected == "jiwei" else None if expected in OWN_DEPT else "dzb"
        disposition = "dispatch" if expected == "jiwei" else expected
        rows.append({"text": text, "danger": False, "dept": dept, "disposition": disposition})
    return rows


def extra() -> list[Row]:
    """Letters written for the reader: ``<dept or -> <E|N> <text>``."""
    rows: list[Row] = []
    for path in sorted((DATA / "eval" / "extra").glob("*.txt")):
        for parts in _lines(path):
            dept, flag, text = parts
            label = None if dept == "-" else dept
            rows.append({"text": text, "danger": flag == "E", "dept": label})
    return rows


def main() -> int:
    """Write the JSON-lines files."""
    if set(SEEN_POOLS) & set(NEVER_TRAIN):
        raise SystemExit(
            f"a held-out pool is listed for training: {set(SEEN_POOLS) & set(NEVER_TRAIN)}"
        )
    OUT.mkdir(parents=True, exist_ok=True)
    labelled_files = sorted((DATA / "labelled").glob("0[1-5]_*.toml"))
    sets = {
        "tuning.jsonl": labelled([DATA / "eval" / "tuning"]),
        "seen.jsonl": labelled([DATA / "eval" / name for name in SEEN_POOLS]),
        "labelled.jsonl": labelled(labelled_files),
        "readings.jsonl": readings(),
        "extra.jsonl": extra(),
    }
    for name, rows in sets.items():
        with (OUT / name).open("w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(name, len(rows), sum(1 for r in rows if r["danger"]), "emergencies")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
