"""Split the evaluation pools into a tuning half and a held-out half (run once, before tuning).

Run: `python bench/split_eval.py [--verify]` — reads `tests/data/eval/pool_*.toml`, writes
`tests/data/eval/tuning/*.toml` and `tests/data/eval/heldout/*.toml` and prints the sha256 of
the held-out files. The split is stratified by pool, urgency and disposition, and within each
stratum letters alternate in the order of the sha256 of their id, so it is reproducible and
owes nothing to the content of the letters. Each `[[letter]]` block is copied byte for byte
(with its `# hard negative` marker comment). The pools were removed after the split (they are
in the history), so nobody tunes on a copy of the held-out letters. `--verify` prints the
held-out digest recorded in bench/RESULTS.md.
"""

from __future__ import annotations

import hashlib
import re
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

EVAL = Path(__file__).resolve().parent.parent / "tests" / "data" / "eval"
_BLOCK = re.compile(r"^\[\[letter\]\]\s*$", re.M)


def blocks(path: Path) -> tuple[str, list[str]]:
    """The file's preamble and its `[[letter]]` blocks as text."""
    text = path.read_text(encoding="utf-8")
    starts = [m.start() for m in _BLOCK.finditer(text)]
    preamble = text[: starts[0]] if starts else text
    return preamble, [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]


def heldout_digest(heldout: Path) -> str:
    """sha256 over the held-out files' names and bytes, in name order."""
    digest = hashlib.sha256()
    for path in sorted(heldout.glob("*.toml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def main() -> int:
    """Write the two halves; refuse to overwrite an existing split."""
    tuning, heldout = EVAL / "tuning", EVAL / "heldout"
    if sys.argv[1:] == ["--verify"]:
        print(heldout_digest(heldout))
        return 0
    if heldout.exists():
        print("the split exists already; it is never redone", file=sys.stderr)
        return 1
    strata: dict[tuple[str, str, str], list[tuple[str, str, str]]] = defaultdict(list)
    for path in sorted(EVAL.glob("pool_*.toml")):
        _pre, items = blocks(path)
        for item in items:
            [letter] = tomllib.loads(item)["letter"]
            key = (path.name[:6], letter["urgency"], letter["disposition"])
            order = hashlib.sha256(letter["id"].encode()).hexdigest()
            strata[key].append((order, path.name, item))
    halves: dict[str, dict[str, list[str]]] = {"tuning": defaultdict(list), "heldout": {}}
    halves["heldout"] = defaultdict(list)
    for key in sorted(strata):
        for i, (_order, name, item) in enumerate(sorted(strata[key])):
            halves["heldout" if i % 2 == 0 else "tuning"][name].append(item)
    header = "# Part of the {half} half of the evaluation letters; see ../README.md.\n\n"
    for half, target in (("tuning", tuning), ("heldout", heldout)):
        target.mkdir()
        for name, items in sorted(halves[half].items()):
            (target / name).write_text(header.format(half=half) + "".join(items), "utf-8")
    count = sum(len(v) for v in halves["heldout"].values())
    print(f"held-out: {count} letters, sha256 {heldout_digest(heldout)}")
    print(f"tuning: {sum(len(v) for v in halves['tuning'].values())} letters")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
