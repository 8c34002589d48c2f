"""Benchmark: time to publish the public board with 10,000 letters (redaction, pages, feed, swap).

Letters are generated at run time with personal data sprinkled in, so redaction does real work.
The board is written to a temporary directory and removed afterwards. The second publication
replaces an existing board (the atomic swap path). Printed apart: loading jieba's dictionary (once
per process; the worker does it at start), and a publication of texts stored as approved (what
the worker publishes since issue #13: redacted in the approval's transaction), by a fresh
redactor that never segments — the floor the redacting publication is compared with.

    .venv/bin/python bench/bench_board.py [--n 10000]
"""

from __future__ import annotations

import argparse
import dataclasses
import platform
import random
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psutil

from xinxiang.replies.board import PublicItem, publish_board, redact_item
from xinxiang.replies.redactor import load_redactor

CATEGORIES = [
    "后勤保障",
    "教育教学",
    "校园安全",
    "学生事务",
    "人事人才",
    "财务报销",
    "信息化",
    "其他",
]
DEPARTMENTS = ["后勤管理处", "教务处", "保卫处", "学生工作处", "人事处", "财务处", "网络信息中心"]
SENTENCES = [
    "东区学生公寓的热水供应一直不稳定，晚上经常没有热水。",
    "图书馆自习室座位紧张，希望延长开放时间。",
    "校园网晚间高峰时段网速很慢，影响上网课。",
    "食堂部分窗口价格上涨较快，希望学校关注。",
    "报销流程繁琐，材料需要多次往返提交。",
    "我的电话是13812345678，请联系我。",
    "我住12号楼305，宿舍楼道的灯坏了很久。",
    "可以发邮件到 student2023@stu.example.edu.cn 告诉我结果。",
    "我的学号是2023012345，选课系统一直报错。",
]


def _items(n: int, now: datetime) -> list[PublicItem]:
    rng = random.Random(42)
    items = []
    for i in range(n):
        body = "\n".join(rng.choice(SENTENCES) for _ in range(rng.randint(4, 10)))
        answer = "来信收悉。" + "经核实，相关部门已安排处理，并将持续跟进。" * rng.randint(2, 6)
        answered = now - timedelta(minutes=37 * i)
        items.append(
            PublicItem(
                number=f"2026-{i:06d}",
                category=rng.choice(CATEGORIES),
                department=rng.choice(DEPARTMENTS),
                subject=f"关于{rng.choice(['热水', '网速', '食堂', '报销', '选课'])}问题的反映",
                letter_text="尊敬的校长：\n我是张三丰。" + body,
                answer_text=answer,
                received_at=answered - timedelta(days=3),
                answered_at=answered,
                petitioner_name="张三丰",
            )
        )
    return items


def main() -> None:
    """Run the benchmark and print markdown lines for bench/RESULTS.md."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="public letters (default 10000)")
    args = parser.parse_args()
    now = datetime(2026, 12, 31, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    items = _items(args.n, now)
    site = {"school": "示例大学", "base_url": "https://example.edu.cn/board/", "now": now}
    t = time.perf_counter()
    redactor = load_redactor(Path("/nonexistent/redaction.toml"))
    redactor.names_in(["预热"])
    load = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "board"
        t = time.perf_counter()
        result = publish_board(items, out, redactor=redactor, **site)  # type: ignore[arg-type]
        first = time.perf_counter() - t
        t = time.perf_counter()
        publish_board(items, out, redactor=redactor, **site)  # type: ignore[arg-type]
        second = time.perf_counter() - t
        stored = [dataclasses.replace(i, approved=redact_item(i, redactor)) for i in items]
        fresh = load_redactor(Path("/nonexistent/redaction.toml"))
        t = time.perf_counter()
        publish_board(stored, out, redactor=fresh, **site)  # type: ignore[arg-type]
        approved = time.perf_counter() - t
        files = [p for p in out.rglob("*") if p.is_file()]
        size = sum(p.stat().st_size for p in files)
    print(
        f"<!-- bench_board.py --n {args.n}: {platform.machine()}, {psutil.cpu_count()} CPUs, "
        f"Python {platform.python_version()} -->"
    )
    print(
        f"- Public board, {args.n:,} letters: first publish **{first:.2f} s** "
        f"({args.n / first:,.0f} letters/s), republish over the existing board {second:.2f} s; "
        f"{len(files):,} files, {size / 1024 / 1024:.1f} MiB, {result.index_pages} index pages, "
        f"{result.categories} categories"
    )
    print(
        f"- jieba's dictionary loaded in {load:.2f} s (once per process); the texts stored as "
        f"approved published in **{approved:.2f} s** ({args.n / approved:,.0f} letters/s, "
        f"no segmenting), against {first:.2f} s redacting them"
    )


if __name__ == "__main__":
    main()
