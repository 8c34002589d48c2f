"""Benchmark: 处理单 PDFs per second against raw WeasyPrint on the same HTML, and peak RSS.

Phase 1 renders `--n` typical 2-page records with `render_record_pdf` alone and reports the
process's peak RSS and its growth. Phase 2 measures speed: in the same process, interleaved in
batches so that CPU frequency drift and other load affect every side equally, it times
- ours: `render_record_pdf(record)` (template rendering included),
- raw: `weasyprint.HTML(string=html).write_pdf()` on HTML rendered beforehand, as a caller
  with no shared font configuration would write it,
- raw+fc: the same with one shared `FontConfiguration` (isolates our template overhead).

    .venv/bin/python bench/bench_pdf.py [--n 1000] [--ratio-n 200] [--batch 10]
"""

from __future__ import annotations

import argparse
import platform
import resource
import time
from collections.abc import Callable

import psutil
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from xinxiang.replies.pdf import render_record_html, render_record_pdf
from xinxiang.replies.record_view import sample_record

MIB = 1024 * 1024


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


def main() -> None:
    """Run the benchmark and print markdown lines for bench/RESULTS.md."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="records for the memory phase")
    parser.add_argument("--ratio-n", type=int, default=200, help="records per side for speed")
    parser.add_argument("--batch", type=int, default=10, help="records per interleaved batch")
    args = parser.parse_args()
    proc = psutil.Process()

    # Phase 1: memory over N records.
    render_record_pdf(sample_record("2026-999999"))  # warm-up: fontconfig, pango, templates
    rss_warm = proc.memory_info().rss
    t = time.perf_counter()
    for i in range(args.n):
        render_record_pdf(sample_record(f"2026-{i:06d}"))
    phase1 = time.perf_counter() - t
    rss_after = proc.memory_info().rss
    peak = _peak_rss()

    # Phase 2: speed, interleaved.
    records = [sample_record(f"2026-{i:06d}") for i in range(args.ratio_n)]
    html = [render_record_html(r) for r in records]
    shared = FontConfiguration()
    HTML(string=html[0]).write_pdf()
    HTML(string=html[0]).write_pdf(font_config=shared)
    sides: dict[str, Callable[[int], object]] = {
        "ours": lambda i: render_record_pdf(records[i]),
        "raw": lambda i: HTML(string=html[i]).write_pdf(),
        "raw+fc": lambda i: HTML(string=html[i]).write_pdf(font_config=shared),
    }
    spent = dict.fromkeys(sides, 0.0)
    for start in range(0, args.ratio_n, args.batch):
        chunk = range(start, min(start + args.batch, args.ratio_n))
        for name, fn in sides.items():
            t = time.perf_counter()
            for i in chunk:
                fn(i)
            spent[name] += time.perf_counter() - t
    rate = {name: args.ratio_n / s for name, s in spent.items()}
    rss_end = proc.memory_info().rss

    print(
        f"<!-- bench_pdf.py --n {args.n} --ratio-n {args.ratio_n}: {platform.machine()}, "
        f"{psutil.cpu_count()} CPUs, Python {platform.python_version()} -->"
    )
    print(
        f"- PDF record, typical 2-page 处理单 ({args.ratio_n} per side, interleaved): "
        f"**{rate['ours']:.2f} records/s** ({1000 / rate['ours']:.0f} ms) vs raw WeasyPrint on "
        f"the same HTML {rate['raw']:.2f}/s ({1000 / rate['raw']:.0f} ms) → ratio "
        f"**{rate['ours'] / rate['raw']:.2f}** (target ≥ 0.90); raw with a shared "
        f"FontConfiguration {rate['raw+fc']:.2f}/s → ratio {rate['ours'] / rate['raw+fc']:.2f}"
    )
    print(
        f"- PDF record memory, {args.n} records in a row ({args.n / phase1:.2f}/s): peak RSS "
        f"**{peak / MIB:.0f} MiB**; RSS {rss_warm / MIB:.0f} MiB after the first record, "
        f"{rss_after / MIB:.0f} MiB after the last (raw WeasyPrint without a shared "
        f"FontConfiguration then grew it to {rss_end / MIB:.0f} MiB in phase 2)"
    )


if __name__ == "__main__":
    main()
