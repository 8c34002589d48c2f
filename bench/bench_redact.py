"""Redaction measured on the labelled personal-data set (`tests/data/pii/`, issue #13).

Run: `python bench/bench_redact.py [--segmenter jieba|jieba-fast|jiojio|none] [--rules-only]
[--show] [--tuning-only] [--candidates] [--heldout2] [--selfcheck] [--heldout3] [--heldout4]
[--heldout5] [--heldout6] [--heldout7] [--heldout8] [--heldout9] [--heldout10] [--heldout11]
[--heldout12] [--heldout13] [--heldout14] [--heldout15] [--heldout16] [--heldout17]
[--heldout18] [--heldout19] [--show-all] [--show-seen]`.
For the tuning and the held-out half (`--tuning-only`: the tuning half alone, for tuning without
seeing the held-out figure after every change; `--candidates`: also `tests/data/pii/candidates/`,
units not yet in the tuning half; `--heldout2`: also the held-out set written by a third writer;
`--selfcheck`: also the two sets written on branch h-redact5, see `selfcheck/README.md`;
`--heldout3`: also the one by a fourth writer; `--heldout4`: also the one by a fifth writer;
`--heldout5`: also the one by a sixth writer, measured once at stop 24; `--heldout6`: also the one
by a seventh writer, measured once at stop 25; `--heldout7`: also the one by an eighth writer,
measured once at stop 25; `--heldout8`: also the one by a ninth writer, measured once after round
10 (18:25 UTC); `--heldout9`: also the one by a tenth writer, measured once after round 11 (18:49
UTC); `--heldout10`: also the one by an eleventh writer, measured once after round 12 (19:42 UTC);
`--heldout11`: also the one by a twelfth writer, measured once after round 13 (21:43 UTC);
`--heldout12`: also the one by a thirteenth writer, measured once after round 14 (22:20 UTC);
`--heldout13`: also the one by a fourteenth writer, measured once after round 15 (22:42 UTC);
`--heldout14`: also the one by a fifteenth writer, measured once after round 16 (22:54 UTC);
`--heldout15`: also the one by a sixteenth writer, measured once after round 17 (00:20 UTC, 12-08);
`--heldout16`: also the one by a seventeenth writer, measured once after round 18 (00:47 UTC,
12-08); `--heldout17`: also the one by an eighteenth writer, measured once after round 19 (01:20);
`--heldout18`: also the one by a nineteenth writer, measured once after round 20 (01:40);
`--heldout19`: also the one by a twentieth writer, not yet measured and not in `SEEN`;
`--rules-only`: without the learned name tagger the shipped `redaction.toml` turns on since round
10) it prints the share of planted items redacted per type and overall, and the share of clean
sentences altered (false redactions). A planted item counts as redacted when every one of its
identifying characters (its letters and digits, or for names all its characters) lies inside a
redaction.
Letters are redacted as the board does: the whole letter at once, with the display name the mail
carried as a known name, and the deployment's allowlist (`config/`) as the board has it.
`--show` lists, for the tuning half and the candidates only, what was missed and what was
wrongly hidden; `--show-all` also for the first two held-out sets; `--show-seen` for every set
in `SEEN` (heldout3 and heldout4 were measured twice, at stops 22/23, and are tuning sets from
stop 24; heldout5 was measured once at stop 24, heldout6 and heldout7 at stop 25, heldout8
after round 10, heldout9 after round 11, and each may be tuned on after it). A set not in
`SEEN` — any future writer's set — never has its misses printed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

sys.path.insert(0, str(ROOT / "tests"))

from pii_helpers import Unit, load_half, measure, tagger_score  # noqa: E402
from xinxiang.config import load_config  # noqa: E402
from xinxiang.replies.privacy import public_allowlist  # noqa: E402
from xinxiang.replies.redact_names import NameFinder, Tagger  # noqa: E402
from xinxiang.replies.redactor import jieba_fast_tagger, load_redactor  # noqa: E402

# Sets whose misses may be printed. A new writer's set joins only after it has been measured.
SEEN = frozenset(
    {"tuning", "candidates", "selfcheck", "selfcheck2"}
    | {"heldout", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6", "heldout7"}
    | {"heldout8", "heldout9", "heldout10", "heldout11", "heldout12", "heldout13", "heldout14"}
    | {"heldout15", "heldout16", "heldout17", "heldout18"}
)


def letters(units: list[Unit]) -> int:
    """How many of `units` are letters (not clean sentences)."""
    return sum(u.id.startswith("L") for u in units)


def main(argv: list[str]) -> int:
    seg = argv[argv.index("--segmenter") + 1] if "--segmenter" in argv else "jieba"
    tagger: Tagger | None = None
    t0 = time.perf_counter()
    if seg == "jiojio":
        import jiojio  # type: ignore[import-not-found]

        jiojio.init(pos_rule=True, pos=True)
        tagger = lambda text: ((w, t) for w, t in jiojio.cut(text))  # noqa: E731
    elif seg == "jieba-fast":
        tagger = jieba_fast_tagger()
    cfg = load_config(ROOT / "config")
    redactor = load_redactor(cfg.directory / "redaction.toml", tagger=tagger)
    if seg == "none":
        redactor.finder = NameFinder(tagger=None)
    redactor = redactor.with_allowed(public_allowlist(cfg))
    if "--rules-only" in argv:  # name_tagger = "rules" whatever redaction.toml says
        redactor = redactor.with_crf(None)
    redactor.names_in(["预热"])
    print(f"segmenter {seg}: loaded in {time.perf_counter() - t0:.1f} s")
    halves: tuple[str, ...] = ("tuning",) if "--tuning-only" in argv else ("tuning", "heldout")
    if "--candidates" in argv:
        halves += ("candidates",)
    if "--heldout2" in argv:  # the fresh held-out set (tests/data/pii/heldout2/README.md)
        halves += ("heldout2",)
    if "--selfcheck" in argv:  # written on h-redact5 (selfcheck/README.md)
        halves += ("selfcheck", "selfcheck2")
    if "--heldout3" in argv:  # seen since stop 24: tests/data/pii/heldout3/README.md
        halves += ("heldout3",)
    if "--heldout4" in argv:  # seen since stop 24: tests/data/pii/heldout4/README.md
        halves += ("heldout4",)
    if "--heldout5" in argv:  # measured once at stop 24: tests/data/pii/heldout5/README.md
        halves += ("heldout5",)
    if "--heldout6" in argv:  # measured once at stop 25: tests/data/pii/heldout6/README.md
        halves += ("heldout6",)
    if "--heldout7" in argv:  # measured once at stop 25: tests/data/pii/heldout7/README.md
        halves += ("heldout7",)
    if "--heldout8" in argv:  # measured once after round 10: tests/data/pii/heldout8/README.md
        halves += ("heldout8",)
    if "--heldout9" in argv:  # measured once after round 11: tests/data/pii/heldout9/README.md
        halves += ("heldout9",)
    if "--heldout10" in argv:  # measured once after round 12, in SEEN since
        halves += ("heldout10",)
    if "--heldout11" in argv:  # measured once after round 13, in SEEN since
        halves += ("heldout11",)
    if "--heldout12" in argv:  # measured once after round 14, in SEEN since
        halves += ("heldout12",)
    if "--heldout13" in argv:  # measured once after round 15, in SEEN since
        halves += ("heldout13",)
    if "--heldout14" in argv:  # measured once after round 16, in SEEN since
        halves += ("heldout14",)
    if "--heldout15" in argv:  # measured once after round 17, in SEEN since
        halves += ("heldout15",)
    if "--heldout16" in argv:  # measured once after round 18, in SEEN since
        halves += ("heldout16",)
    if "--heldout17" in argv:  # measured once after round 19, in SEEN since
        halves += ("heldout17",)
    if "--heldout18" in argv:  # measured once after round 20, in SEEN since
        halves += ("heldout18",)
    if "--heldout19" in argv:  # not yet measured: not in SEEN, misses never printed
        halves += ("heldout19",)
    for half in halves:
        units = load_half(half)
        if seg != "none":
            found, total, false = tagger_score(tagger or redactor.finder.tagger, units)  # type: ignore[arg-type]
            print(
                f"{half}: {seg} alone tags {found}/{total} planted names ({found / total:.1%}); "
                f"tags a name in {false} clean sentences"
            )
        t = time.perf_counter()
        score = measure(redactor, units)
        took = time.perf_counter() - t
        shown = (
            ("--show" in argv and not half.startswith("heldout"))
            or ("--show-all" in argv and half in ("heldout", "heldout2"))
            or "--show-seen" in argv
        )
        if shown and half in SEEN:  # an unseen set's misses are never printed
            print("\n".join(f"  MISS {m}" for m in score.missed))
            print("\n".join(f"  FALSE {a}" for a in score.altered))
        print(
            f"{half}: {score.recall:.1%} of {sum(score.total.values())} planted items redacted; "
            f"{len(score.altered)}/{score.clean} clean sentences altered "
            f"({score.false_rate:.1%}); {took:.2f} s"
            f" ({took * 1000 / max(1, letters(units)):.2f} s per 1,000 letters)"
        )
        per_type = ", ".join(f"{k} {score.hit[k]}/{n}" for k, n in sorted(score.total.items()))
        print("  " + per_type)
        print(
            f"  letters: {score.collateral} of {score.letter_chars} characters hidden outside the"
            " planted items"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
