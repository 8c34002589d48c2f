"""Benchmark of hot-topic detection (热点问题, issue #15): quality on labelled letters, and time.

Run: `python bench/bench_topics.py [--n 100000] [--days 730] [--seed S] [--skip-db]`.

1. Quality. `tests/data/topics/tuning` and `tests/data/topics/heldout` hold letters written for
   this with known topic groups (and singletons). Each set is clustered as one window with the
   default settings; printed: pairwise precision and recall (`sklearn.metrics.cluster.
   pair_confusion_matrix`: pairs of letters put together that belong together) and B-cubed
   precision and recall (per letter: the share of its cluster that is of its group, and of its
   group that is in its cluster), and the labels of the clusters found in the held-out set.
   The distance threshold was tuned on the tuning set only.
2. Time. `--n` synthetic letters made from the labelled ones with variations (greetings,
   signatures with names and student numbers, synonyms, dropped or swapped clauses), spread
   over `--days` days, a topic's letters in bursts: the detection of one pass as the worker
   and `xinxiang topics` run it — on SQLite holding all `--n` tickets (bulk-inserted):
   `hot_topics` (7-day window, previous week, same weeks last year, 90-day recurrences) and
   `alert_hot_topics`; and, in memory, one clustering pass over windows of growing size.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from sklearn.metrics.cluster import pair_confusion_matrix  # noqa: E402

from xinxiang.classify.topics import TopicLetter, find_clusters  # noqa: E402
from xinxiang.services.topics import label_words  # noqa: E402

DATA = ROOT / "tests" / "data" / "topics"
CATEGORY_OF = {  # a plausible 问题分类 per topic group, for the category counts
    "t01": "后勤保障", "t02": "后勤保障", "t03": "教育教学", "t04": "教育教学",
    "t05": "后勤保障", "t06": "财务管理", "t07": "后勤保障", "t08": "后勤保障",
    "t09": "学籍管理", "t10": "安全管理", "t11": "后勤保障", "t12": "就业创业",
    "h01": "后勤保障", "h02": "教育教学", "h03": "后勤保障", "h04": "后勤保障",
    "h05": "学团建设", "h06": "教育教学", "h07": "后勤保障", "h08": "后勤保障",
    "h09": "奖惩管理", "h10": "安全管理", "h11": "后勤保障", "h12": "后勤保障",
}  # fmt: skip
GREETINGS = ["", "", "老师您好：", "尊敬的书记、校长：", "校领导好，", "您好！", "打扰了，"]
CLOSINGS = ["", "", "谢谢！", "盼复。", "辛苦了，期待回复。", "希望能得到重视。", "麻烦了。"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞", "平"]
SYNONYMS = [
    ("希望", "恳请"),
    ("尽快", "早日"),
    ("学校", "校方"),
    ("同学", "学生"),
    ("非常", "特别"),
]


def load(name: str) -> list[dict[str, Any]]:
    """The labelled letters of one set."""
    path = DATA / name / "letters.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def as_letters(rows: list[dict[str, Any]], t0: datetime) -> list[TopicLetter]:
    return [
        TopicLetter(
            r["id"],
            r["sender"],
            f"{r['subject']}\n{r['body']}",
            t0 + timedelta(hours=r["hours"]),
            CATEGORY_OF.get(r["group"] or "", "其他"),
        )
        for r in rows
    ]


def scores(truth: list[str], predicted: list[int]) -> dict[str, float]:
    """Pairwise and B-cubed precision and recall."""
    (_, fp), (fn, tp) = pair_confusion_matrix(truth, predicted)
    by_truth: dict[str, set[int]] = {}
    by_pred: dict[int, set[int]] = {}
    for i, (t, p) in enumerate(zip(truth, predicted, strict=True)):
        by_truth.setdefault(t, set()).add(i)
        by_pred.setdefault(p, set()).add(i)
    n = len(truth)
    b_p = sum(len(by_pred[predicted[i]] & by_truth[truth[i]]) / len(by_pred[predicted[i]])
              for i in range(n)) / n  # fmt: skip
    b_r = sum(len(by_pred[predicted[i]] & by_truth[truth[i]]) / len(by_truth[truth[i]])
              for i in range(n)) / n  # fmt: skip
    return {
        "pair_p": tp / (tp + fp) if tp + fp else 1.0,
        "pair_r": tp / (tp + fn) if tp + fn else 1.0,
        "b3_p": b_p,
        "b3_r": b_r,
    }


def quality(name: str) -> dict[str, Any]:
    rows = load(name)
    letters = as_letters(rows, datetime(2026, 12, 1, tzinfo=UTC))
    clusters = find_clusters(letters, min_senders=1)
    cluster_of = {n: k for k, c in enumerate(clusters) for n in c.numbers}
    truth = [r["group"] or r["id"] for r in rows]
    predicted = [cluster_of[r["id"]] for r in rows]
    found = find_clusters(letters, words=label_words())  # shown: two senders or more
    group_of = {r["id"]: r["group"] or "-" for r in rows}
    labels = [
        (c.size, c.senders, "、".join(c.label), Counter(group_of[n] for n in c.numbers))
        for c in found
    ]
    return {
        "letters": len(rows),
        "groups": len({r["group"] for r in rows if r["group"]}),
        "singletons": sum(1 for r in rows if not r["group"]),
        "clusters_shown": len(found),
        **scores(truth, predicted),
        "labels": labels,
    }


# ------------------------------------------------------------------------------ synthetic


def vary(rng: random.Random, row: dict[str, Any]) -> tuple[str, str]:
    """A new letter on the same matter as `row`: other words around it, same substance."""
    body = row["body"]
    clauses = [c for c in body.replace("。", "，").split("，") if c]
    if len(clauses) > 2 and rng.random() < 0.4:
        clauses.pop(rng.randrange(1, len(clauses)))
    if len(clauses) > 2 and rng.random() < 0.3:
        i = rng.randrange(1, len(clauses) - 1)
        clauses[i], clauses[i + 1] = clauses[i + 1], clauses[i]
    text = "，".join(clauses) + "。"
    for a, b in SYNONYMS:
        if rng.random() < 0.5:
            text = text.replace(a, b)
    name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(["", *GIVEN])
    sign = rng.choice(["", "", f"学生{name}", f"{name}，学号20{rng.randrange(10**8):08d}"])
    return row["subject"], rng.choice(GREETINGS) + text + rng.choice(CLOSINGS) + sign


def synthetic(n: int, days: int, seed: int, end: datetime) -> list[dict[str, Any]]:
    """`n` letters over `days` days before `end`: topics in bursts of a few days, one-offs."""
    rng = random.Random(seed)
    rows = load("tuning") + load("heldout")
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(r["group"] or f"-{r['id']}", []).append(r)
    keys = list(groups)
    start = end - timedelta(days=days)
    out: list[dict[str, Any]] = []
    while len(out) < n:
        key = rng.choice(keys)
        burst = rng.randint(1, 12) if not key.startswith("-") else 1
        at = start + timedelta(seconds=rng.uniform(0, days * 86400))
        for _ in range(min(burst, n - len(out))):
            subject, body = vary(rng, rng.choice(groups[key]))
            out.append(
                {
                    "subject": subject,
                    "body": body,
                    "sender": f"u{rng.randrange(20000)}@stu.example.edu.cn",
                    "at": min(end - timedelta(minutes=1), at + timedelta(hours=rng.uniform(0, 72))),
                    "category": CATEGORY_OF.get(key, "其他"),
                    "key": key,
                }
            )
    out.sort(key=lambda r: r["at"])
    return out


def fill_database(url: str, rows: list[dict[str, Any]]) -> None:
    """Bulk-insert letters and tickets (as ingest would have left them)."""
    from sqlalchemy import insert

    from xinxiang.store.db import Database
    from xinxiang.store.models import LetterRow, TicketRow

    db = Database(url)
    with db.unit_of_work() as session:
        for lo in range(0, len(rows), 5000):
            chunk = rows[lo : lo + 5000]
            session.execute(
                insert(LetterRow),
                [
                    {
                        "id": lo + i + 1,
                        "dedupe_key": f"bench:{lo + i}",
                        "source": "bench",
                        "channel": "书记信箱",
                        "kind": "letter",
                        "raw_sha256": "0" * 64,
                        "raw_size": 0,
                        "from_addr": r["sender"],
                        "from_name": "",
                        "subject": r["subject"],
                        "received_at": r["at"],
                        "body": r["body"],
                        "defects": [],
                    }
                    for i, r in enumerate(chunk)
                ],
            )
            session.execute(
                insert(TicketRow),
                [
                    {
                        "number": f"{r['at'].year}-{lo + i + 1:06d}",
                        "query_code": "x",
                        "letter_id": lo + i + 1,
                        "source": "bench",
                        "channel": "书记信箱",
                        "status": "answered",
                        "petitioner_addr": r["sender"],
                        "petitioner_name": "",
                        "subject": r["subject"],
                        "category": r["category"],
                        "created_at": r["at"],
                    }
                    for i, r in enumerate(chunk)
                ],
            )
    db.engine.dispose()


CPU: list[float] = []


def timed(fn: Any) -> tuple[float, Any]:
    """Wall seconds and the result; the CPU seconds of the process go to `CPU[-1]`."""
    t, c = time.perf_counter(), time.process_time()
    result = fn()
    CPU.append(time.process_time() - c)
    return time.perf_counter() - t, result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--days", type=int, default=730)
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--skip-db", action="store_true")
    ap.add_argument(
        "--sizes",
        default="1000,5000,20000,100000",
        help="window sizes of the in-memory pass (more than [topics] block_letters: in blocks)",
    )
    args = ap.parse_args()
    print(f"# bench_topics on {platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    print("\n| set | letters | groups | singletons | clusters shown | pairwise P | pairwise R "
          "| B-cubed P | B-cubed R |\n|---|---|---|---|---|---|---|---|---|")  # fmt: skip
    results = {name: quality(name) for name in ("tuning", "heldout")}
    for name, q in results.items():
        print(f"| {name} | {q['letters']} | {q['groups']} | {q['singletons']} | "
              f"{q['clusters_shown']} | {q['pair_p']:.3f} | {q['pair_r']:.3f} | "
              f"{q['b3_p']:.3f} | {q['b3_r']:.3f} |")  # fmt: skip
    print("\nheld-out clusters: size / senders / label / true groups")
    for size, senders, label, groups in results["heldout"]["labels"]:
        print(f"  {size:2d} {senders:2d}  {label}  {dict(groups)}")

    end = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    t_gen, rows = timed(lambda: synthetic(args.n, args.days, args.seed, end))
    print(f"\nsynthetic: {len(rows)} letters over {args.days} days in {t_gen:.1f} s")
    print(
        "\n| in-memory clustering, one window | letters | wall s | CPU s | clusters shown "
        "| pairwise P | pairwise R |\n|---|---|---|---|---|---|---|"
    )
    for size in (int(x) for x in args.sizes.split(",")):
        window = [
            TopicLetter(str(i), r["sender"], f"{r['subject']}\n{r['body']}", r["at"])
            for i, r in enumerate(rows[-size:])
        ]
        secs, found = timed(lambda w=window: find_clusters(w, min_senders=1, words=label_words()))
        shown = sum(1 for c in found if c.senders >= 2)
        cluster_of = {n: k for k, c in enumerate(found) for n in c.numbers}
        s = scores([r["key"] for r in rows[-size:]], [cluster_of[m.number] for m in window])
        print(
            f"| find_clusters | {size} | {secs:.2f} | {CPU[-1]:.2f} | {shown} "
            f"| {s['pair_p']:.3f} | {s['pair_r']:.3f} |"
        )
    if args.skip_db:
        return

    from xinxiang.cli import main as cli
    from xinxiang.config import load_config
    from xinxiang.services.context import AppContext
    from xinxiang.services.topics import alert_hot_topics, hot_topics
    from xinxiang.store.migrate import upgrade

    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("XINXIANG_TOKEN_KEY", "ab" * 32)
        cli(["init", str(Path(tmp) / "deploy")])
        cfg = load_config(Path(tmp) / "deploy")
        ctx = AppContext(cfg)
        cfg.data_dir.mkdir(parents=True, exist_ok=True)
        upgrade(ctx.db)
        t_fill, _ = timed(lambda: fill_database(cfg.database_url, rows))
        print(f"\nSQLite filled with {len(rows)} tickets in {t_fill:.1f} s")
        secs, report = timed(lambda: hot_topics(ctx, end))
        print("\n| on SQLite with all tickets | wall s | CPU s | letters in window | clusters | "
              "rising | recurring |\n|---|---|---|---|---|---|---|")  # fmt: skip
        print(
            f"| hot_topics (xinxiang topics) | {secs:.2f} | {CPU[-1]:.2f} | {report.letters} | "
            f"{len(report.clusters)} | {len(report.rising)} | {len(report.recurring)} |"
        )
        secs, keys = timed(lambda: alert_hot_topics(ctx, end))
        print(
            f"| alert_hot_topics, first pass | {secs:.2f} | {CPU[-1]:.2f} | | "
            f"{len(keys)} alerts | | |"
        )
        secs, keys = timed(lambda: alert_hot_topics(ctx, end + timedelta(minutes=10)))
        print(
            f"| alert_hot_topics, next pass | {secs:.2f} | {CPU[-1]:.2f} | | "
            f"{len(keys)} alerts | | |"
        )
        ctx.close()


if __name__ == "__main__":
    main()
