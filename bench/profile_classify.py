"""CPU cost of classifying a letter for routing, by part (issue #17): the rules and the second
reader, as `classify.batch.classify_batch` spends it in batches of 50.

    PYTHONPATH=src python bench/profile_classify.py [--samples 1000] [--rounds 5] [--labelled]

Letters: `--samples` realistic letters (`xinxiang.samples`, seed 11, parsed as ingest parses
them: what `profile_routing.py` routes), or with `--labelled` the labelled letters of
`tests/data/eval/{tuning,heldout … heldout11}` and `tests/data/labelled` (named one by one; the
later held-out pools are never read). The shipped rules (`config/`) and reader, models fitted
or loaded before any timing, and one untimed pass over every letter first (the segmenters'
dictionaries, caches of the first use). Then `--rounds` rounds, each timing in this process's
CPU, batch by batch:

- **normalise**: `normalized_fields` and `reader_text` of every letter;
- **reader**: the danger and the department readings of each batch's distinct texts
  (`read_danger_many`, `read_department_many`: vectorising, predicting, evidence), plus the
  rare readings the rules ask of a few letters (whose emergency, the office's clause), timed
  where they are asked;
- **rules**: `classify_texts` of each letter given those readings (the rules' automaton and
  regular expressions, the danger terms read in context, the decision), the rare readings'
  time taken out;
- **batch**: `classify_batch` itself, end to end (what routing calls).

Prints the median over the rounds of each part in ms per letter (and every round), and the
load average: other processes share the machine, so compare runs made side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SETS = ("tuning", "heldout", *(f"heldout{i}" for i in range(2, 12)))
BATCH = 50


def _letters(samples: int, labelled: bool) -> list[tuple[str, str, tuple[str, ...]]]:
    out: list[tuple[str, str, tuple[str, ...]]] = []
    if labelled:
        from xinxiang.classify.evaluate import load_labelled

        paths = [REPO / "tests" / "data" / "eval" / s for s in SETS]
        for x in load_labelled([*paths, REPO / "tests" / "data" / "labelled"]):
            out.append((x.subject, x.body, x.attachments))
        return out
    from xinxiang.mailbox.parse import parse_message
    from xinxiang.samples import iter_sample_letters

    for raw in iter_sample_letters(samples, seed=11):
        letter = parse_message(raw)
        out.append((letter.subject, letter.body, tuple(a.filename for a in letter.attachments)))
    return out


class _Timed:
    """A second reader whose rare readings are timed (they are the reader's cost)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.spent = 0.0
        self.rare = 0

    def read_danger(self, text: str) -> Any:
        return self.inner.read_danger(text)  # from the batch's table (timed as the reader's)

    def read_department(self, text: str) -> Any:
        return self.inner.read_department(text)

    def read_office_disposition(self, text: str) -> Any:
        return self._timed(self.inner.read_office_disposition, text)

    def read_emergency_department(self, text: str) -> Any:
        return self._timed(self.inner.read_emergency_department, text)

    def _timed(self, read: Any, text: str) -> Any:
        t = time.process_time()
        try:
            return read(text)
        finally:
            self.spent += time.process_time() - t
            self.rare += 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--labelled", action="store_true")
    args = ap.parse_args()

    from xinxiang.classify.batch import LetterFields, PreRead, classify_batch
    from xinxiang.classify.engine import classify_texts, normalized_fields, reader_text
    from xinxiang.classify.reader import shipped_reader
    from xinxiang.classify.rules import load_rules_for
    from xinxiang.config import load_config

    rules = load_rules_for(load_config(REPO / "config"))
    reader = shipped_reader()
    for model in ("danger", "department", "emergency_department", "office_disposition"):
        getattr(reader, model)
    letters = _letters(args.samples, args.labelled)
    batches = [letters[i : i + BATCH] for i in range(0, len(letters), BATCH)]
    fields_of = [LetterFields(s, b, a) for s, b, a in letters]
    classify_batch(fields_of, rules)  # untimed: dictionaries, first-use caches

    parts: dict[str, list[float]] = {"normalise": [], "reader": [], "rules": [], "batch": []}
    rare = 0
    for _ in range(args.rounds):
        norm = read = rule = whole = 0.0
        for chunk in batches:
            t0 = time.process_time()
            fields = [normalized_fields(s, b, a) for s, b, a in chunk]
            texts = sorted({t for f in fields if (t := reader_text(f)) is not None})
            t1 = time.process_time()
            pre = PreRead(reader)
            if texts:
                pre.danger = dict(zip(texts, reader.read_danger_many(texts), strict=True))
                pre.department = dict(zip(texts, reader.read_department_many(texts), strict=True))
            t2 = time.process_time()
            timed = _Timed(pre)
            for f in fields:
                classify_texts(f, rules, reader=timed)  # type: ignore[arg-type]
            t3 = time.process_time()
            classify_batch([LetterFields(s, b, a) for s, b, a in chunk], rules)
            t4 = time.process_time()
            norm += t1 - t0
            read += t2 - t1 + timed.spent
            rule += t3 - t2 - timed.spent
            whole += t4 - t3
            rare += timed.rare
        n = len(letters) / 1000
        parts["normalise"].append(norm / n)
        parts["reader"].append(read / n)
        parts["rules"].append(rule / n)
        parts["batch"].append(whole / n)
    print(
        json.dumps(
            {
                "letters": len(letters),
                "rounds": args.rounds,
                "ms_per_letter_median": {
                    k: round(statistics.median(v), 3) for k, v in parts.items()
                },
                "ms_per_letter_rounds": {k: [round(x, 3) for x in v] for k, v in parts.items()},
                "rare_readings_per_round": rare // args.rounds,
                "loadavg_at_end": [round(x, 1) for x in os.getloadavg()],
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
