"""Split the personal-data set (个人信息标注集) into a tuning half and a held-out half, once.

Run: `python bench/split_pii.py POOL [--verify]` — reads a pool of units (`=== L001` letters with
planted items marked `⟦type|text⟧`, `=== C001` clean sentences) and writes
`tests/data/pii/tuning/units.txt` and `tests/data/pii/heldout/units.txt`. Within each kind
(letters, clean sentences) units alternate in the order of the sha256 of their id, so the split is
reproducible and owes nothing to the content. The pool itself is not kept in the repository, so
nobody tunes on a copy of the held-out half. `--verify` only prints the held-out digest (the one
recorded in bench/RESULTS.md).
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

PII = Path(__file__).resolve().parent.parent / "tests" / "data" / "pii"
_UNIT = re.compile(r"^=== ([LC]\d{3})\s*$", re.M)
HEADER = (
    "# Personal-data set for bench/bench_redact.py (see bench/split_pii.py).\n"
    "# `=== Lnnn` letters: planted items marked ⟦type|exact text⟧, `@from_name:` is the display\n"
    "# name the mail carried. `=== Cnnn` clean sentences: nothing in them may be redacted.\n\n"
)


def units(text: str) -> list[tuple[str, str]]:
    """(id, block text) for each unit of a pool or half, in file order."""
    starts = list(_UNIT.finditer(text))
    ends = [m.start() for m in starts[1:]] + [len(text)]
    return [
        (m.group(1), text[m.start() : end].strip() + "\n")
        for m, end in zip(starts, ends, strict=True)
    ]


def heldout_digest() -> str:
    """sha256 of the held-out file."""
    return hashlib.sha256((PII / "heldout" / "units.txt").read_bytes()).hexdigest()


def split(pool: str) -> tuple[list[str], list[str]]:
    """Held-out and tuning blocks: alternate within each kind in sha256-of-id order."""
    held: list[str] = []
    tune: list[str] = []
    for kind in "LC":
        ordered = sorted(
            (u for u in units(pool) if u[0][0] == kind),
            key=lambda u: hashlib.sha256(u[0].encode()).hexdigest(),
        )
        for i, (_, block) in enumerate(ordered):
            (held if i % 2 == 0 else tune).append(block)
    key = lambda b: b.split()[1]  # noqa: E731 - sort back into id order for readers
    return sorted(held, key=key), sorted(tune, key=key)


def main(argv: list[str]) -> int:
    if "--verify" in argv:
        print(heldout_digest())
        return 0
    held, tune = split(Path(argv[0]).read_text(encoding="utf-8"))
    for name, blocks in (("heldout", held), ("tuning", tune)):
        (PII / name).mkdir(parents=True, exist_ok=True)
        (PII / name / "units.txt").write_text(HEADER + "\n".join(blocks), encoding="utf-8")
    print(heldout_digest())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
