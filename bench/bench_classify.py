"""Benchmark of the classifier: 10,000 letters (~2 KB) against 2,000 generated keyword rules.

Run: `python bench/bench_classify.py [--letters N] [--rules N] [--baseline-sample N] [--seed S]`.

Measures, in one run on the same data:
- rule compilation (validation, keyword normalisation, Aho-Corasick automaton);
- `classify()` per letter (normalisation + matching + decision): mean, p50, p99 microseconds;
- naive baselines on a sample of the letters (they are too slow for all of them): a Python
  loop of `keyword in text` checks, and one big regular-expression alternation, both on the
  same normalised text;
and prints a markdown snippet for bench/RESULTS.md. Nothing is written to disk.
"""

from __future__ import annotations

import argparse
import platform
import random
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from xinxiang.classify.engine import classify  # noqa: E402
from xinxiang.classify.normalize import normalize  # noqa: E402
from xinxiang.classify.rules import RuleSet, compile_rules  # noqa: E402
from xinxiang.config import DepartmentsFile, load_model  # noqa: E402
from xinxiang.domain.categories import CATEGORIES as ALL_CATEGORIES  # noqa: E402

CATEGORIES = list(ALL_CATEGORIES)
# 2,500 characters from the start of the CJK block: mostly common ones, so generated keywords
# occasionally occur in the generated letters, as real keywords do.
POOL = [chr(cp) for cp in range(0x4E00, 0x4E00 + 2500)]
PUNCT = "，。！？、；：（）"


def make_rules(n: int, codes: list[str], rng: random.Random) -> tuple[dict[str, Any], list[str]]:
    """`n` rules of 3-6 keywords (2-4 characters each); returns the TOML-shaped data."""
    rules = []
    seen: set[str] = set()
    for i in range(n):
        words: list[str] = []
        while len(words) < rng.randint(3, 6):
            w = "".join(rng.choice(POOL) for _ in range(rng.randint(2, 4)))
            if w not in seen:
                seen.add(w)
                words.append(w)
        rules.append(
            {
                "name": f"r{i:04d}",
                "any": words,
                "weight": round(rng.uniform(0.5, 3.0), 2),
                "category": rng.choice(CATEGORIES),
                "department": rng.choice(codes),
            }
        )
    return {"categories": CATEGORIES, "rule": rules}, sorted(seen)


def make_letter(keywords: list[str], rng: random.Random, target_bytes: int) -> tuple[str, str]:
    """A subject and a ~`target_bytes` UTF-8 body of random text with a few real keywords."""
    parts: list[str] = []
    size = 0
    while size < target_bytes:
        if rng.random() < 0.04:
            chunk = rng.choice(keywords)
        else:
            chunk = "".join(rng.choice(POOL) for _ in range(rng.randint(4, 14)))
            chunk += rng.choice(PUNCT)
        parts.append(chunk)
        size += len(chunk.encode())
    subject = "".join(rng.choice(POOL) for _ in range(rng.randint(4, 12)))
    if rng.random() < 0.3:
        subject += rng.choice(keywords)
    return subject, "".join(parts)


def naive_loop(text: str, rules: RuleSet) -> int:
    """Baseline 1: for every rule, for every keyword, `keyword in text`."""
    fired = 0
    for rule in rules.rules:
        for kw in rule.any:
            if kw in text:
                fired += 1
                break
    return fired


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    """Generate the data, time everything, print figures and a markdown snippet."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--letters", type=int, default=10_000)
    ap.add_argument("--rules", type=int, default=2_000)
    ap.add_argument("--baseline-sample", type=int, default=200)
    ap.add_argument("--bytes", type=int, default=2048)
    ap.add_argument("--seed", type=int, default=20240901)
    args = ap.parse_args()

    rng = random.Random(args.seed)
    departments = load_model(ROOT / "config" / "departments.toml", DepartmentsFile).departments
    data, keywords = make_rules(args.rules, [d.code for d in departments], rng)
    letters = [make_letter(keywords, rng, args.bytes) for _ in range(args.letters)]
    mean_bytes = statistics.fmean(len(b.encode()) for _, b in letters)

    normalize("預熱")  # load the OpenCC dictionaries outside the timings
    t0 = time.perf_counter()
    rules = compile_rules("<generated>", data, departments, f"bench-{args.seed}-{args.rules}")
    compile_s = time.perf_counter() - t0

    times: list[float] = []
    matched = 0
    for subject, body in letters:
        t = time.perf_counter_ns()
        result = classify(subject, body, (), rules)
        times.append((time.perf_counter_ns() - t) / 1000)
        matched += bool(result.hits)
    mean_us = statistics.fmean(times)
    p50_us = percentile(times, 0.50)
    p99_us = percentile(times, 0.99)

    sample = letters[: args.baseline_sample]
    loop_times: list[float] = []
    for subject, body in sample:
        t = time.perf_counter_ns()
        naive_loop(normalize(subject), rules)
        naive_loop(normalize(body), rules)
        loop_times.append((time.perf_counter_ns() - t) / 1000)
    loop_us = statistics.fmean(loop_times)

    t0 = time.perf_counter()
    alternation = re.compile("|".join(re.escape(k) for k in rules.keywords))
    regex_compile_s = time.perf_counter() - t0
    regex_times: list[float] = []
    for subject, body in sample:
        t = time.perf_counter_ns()
        for text in (normalize(subject), normalize(body)):
            for _ in alternation.finditer(text):
                pass
        regex_times.append((time.perf_counter_ns() - t) / 1000)
    regex_us = statistics.fmean(regex_times)

    # Matching alone, for reference: normalisation is common to every approach.
    norm_times: list[float] = []
    for subject, body in sample:
        t = time.perf_counter_ns()
        normalize(subject)
        normalize(body)
        norm_times.append((time.perf_counter_ns() - t) / 1000)
    norm_us = statistics.fmean(norm_times)

    n_kw = len(rules.keywords)
    print(
        f"letters: {len(letters)} (mean {mean_bytes:.0f} bytes UTF-8), rules: {len(rules.rules)}"
        f", distinct keywords: {n_kw}, letters with hits: {matched}"
    )
    print(f"compile: {compile_s * 1000:.1f} ms")
    print(f"classify: mean {mean_us:.1f} µs, p50 {p50_us:.1f} µs, p99 {p99_us:.1f} µs per letter")
    print(f"  of which normalisation (NFKC + t2s): mean {norm_us:.1f} µs")
    print(
        f"naive `in` loop ({len(sample)} letters): mean {loop_us:.1f} µs "
        f"→ classify is {loop_us / mean_us:.1f}× faster"
    )
    print(
        f"regex alternation ({len(sample)} letters): mean {regex_us:.1f} µs, "
        f"compile {regex_compile_s * 1000:.0f} ms → classify is {regex_us / mean_us:.1f}× faster"
    )
    targets = (loop_us / mean_us >= 20, mean_us <= 200, compile_s < 1)
    print(
        f"targets (≥20× naive loop, ≤200 µs mean, compile <1 s): "
        f"{'met' if all(targets) else 'NOT met'} {targets}"
    )
    print()
    print("### Classification (`python bench/bench_classify.py`)")
    print()
    print(
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{platform.machine()}; {len(letters):,} letters of ~{mean_bytes / 1024:.1f} KB, "
        f"{len(rules.rules):,} rules ({n_kw:,} keywords), seed {args.seed}."
    )
    print()
    print("| measure | value |")
    print("| --- | --- |")
    print(f"| rule compilation | {compile_s * 1000:.0f} ms |")
    print(f"| classify, mean per letter | {mean_us:.0f} µs |")
    print(f"| classify, p50 / p99 | {p50_us:.0f} / {p99_us:.0f} µs |")
    print(f"| of which normalisation (NFKC + OpenCC t2s) | {norm_us:.0f} µs |")
    print(
        f"| naive `in` loop, mean ({len(sample)} letters) | {loop_us:.0f} µs "
        f"({loop_us / mean_us:.0f}× slower) |"
    )
    print(
        f"| one regex alternation, mean ({len(sample)} letters) | {regex_us:.0f} µs "
        f"({regex_us / mean_us:.0f}× slower; compile {regex_compile_s * 1000:.0f} ms) |"
    )


if __name__ == "__main__":
    main()
