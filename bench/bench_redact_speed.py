"""The redactor of one checkout timed on every personal-data set (issue #13).

Run: `python bench/bench_redact_speed.py CHECKOUT [RUNS]` — for each set (`tests/data/pii/`:
tuning, heldout, candidates, heldout2) the scoring of `bench_redact.py` (items redacted, clean
sentences altered, characters hidden outside items) and the best of RUNS (default 5) CPU times of
redacting the whole set (letters and clean sentences, jieba loaded beforehand), per 1,000 letters.
Give two checkouts in turn (`git worktree add --detach /tmp/before h-me`) to compare a change
with what it replaces in the same run; the figures in bench/RESULTS.md were taken so.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    root = Path(argv[0]).resolve()
    runs = int(argv[1]) if len(argv) > 1 else 5
    sys.path[:0] = [str(root / "src"), str(root / "tests")]
    from pii_helpers import load_half, measure
    from xinxiang.config import load_config
    from xinxiang.replies.privacy import public_allowlist
    from xinxiang.replies.redactor import load_redactor

    cfg = load_config(root / "config")
    redactor = load_redactor(cfg.directory / "redaction.toml")
    redactor = redactor.with_allowed(public_allowlist(cfg))
    redactor.names_in(["预热"])  # load jieba's dictionary before timing
    print(root)
    for half in ("tuning", "heldout", "candidates", "heldout2"):
        units = load_half(half)
        letters = sum(u.id.startswith("L") for u in units)
        best = float("inf")
        for _ in range(runs):
            t = time.process_time()
            score = measure(redactor, units)
            best = min(best, time.process_time() - t)
        print(
            f"{half}: {sum(score.hit.values())}/{sum(score.total.values())} items "
            f"({score.recall:.1%}), {len(score.altered)}/{score.clean} clean altered "
            f"({score.false_rate:.1%}), {score.collateral}/{score.letter_chars} characters hidden "
            f"outside items; best CPU {best:.3f} s = {best * 1000 / letters:.2f} s / 1,000 letters"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
