"""Why production parsing is ours: mail-parser against `xinxiang.mailbox.parse` on GBK mail.

Run: `python bench/bench_parser_choice.py [--letters N] [--seed S]`.

Chinese mail clients label GBK text `charset=gb2312`, although GBK has some 14,000 characters
that GB2312 lacks (镕, 喆, 堃, 彧, 昇, 琇 …, common in names). This bench writes N letters the
way such clients do — subject as an RFC 2047 word and body in base64 or 8-bit, both labelled
gb2312 but encoded as GBK, some with a GBK-only character — parses each with mail-parser and
with our parser, and counts the letters whose subject or body differs from what was written.
Nothing is written to disk. Prints a markdown snippet for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import base64
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from xinxiang.mailbox.parse import parse_message  # noqa: E402

# Characters in GBK but not in GB2312: frequent in given names and place names.
GBK_ONLY = "镕喆堃彧昇琇珺玥瑄璟祎禕赟翀昱琦垚淼焱鑫犇骉麟"
COMMON = "宿舍热水图书馆食堂空调教务处选课成绩学生老师您好请尽快处理谢谢反映问题希望学校"


def _letter(rng: random.Random, i: int) -> tuple[bytes, str, str]:
    name = rng.choice("张王李赵刘陈") + rng.choice(GBK_ONLY) + rng.choice("华明丽强")
    subject = f"关于{rng.choice(['宿舍', '食堂', '图书馆'])}的问题（{name}）"
    body = "".join(rng.choice(COMMON) for _ in range(rng.randint(40, 200)))
    body = f"老师您好：\n{body}\n\n{name}\n"
    # As the clients write it: GBK bytes in an encoded word that says gb2312.
    encoded_subject = "=?gb2312?B?" + base64.b64encode(subject.encode("gbk")).decode() + "?="
    raw_body = body.encode("gbk")
    if i % 2:
        cte, payload = "base64", base64.encodebytes(raw_body)
    else:
        cte, payload = "8bit", raw_body
    head = (
        f"From: student{i}@stu.example.edu.cn\r\nTo: xinxiang@example.edu.cn\r\n"
        f"Subject: {encoded_subject}\r\nMessage-ID: <{i}@stu.example.edu.cn>\r\n"
        f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=gb2312\r\n"
        f"Content-Transfer-Encoding: {cte}\r\n\r\n"
    ).encode("ascii")
    return head + payload, subject, body


def main() -> None:
    """Parse the same letters with both parsers and count the damaged ones."""
    import mailparser  # type: ignore[import-untyped]

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--letters", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    letters = [_letter(rng, i) for i in range(args.letters)]
    damage = {"mail-parser": [0, 0], "xinxiang": [0, 0]}
    for raw, subject, body in letters:
        theirs = mailparser.parse_from_bytes(raw)
        ours = parse_message(raw)
        for name, got_subject, got_body in (
            ("mail-parser", theirs.subject or "", theirs.body or ""),
            ("xinxiang", ours.subject, ours.body),
        ):
            damage[name][0] += got_subject.strip() != subject
            damage[name][1] += body.strip() not in got_body.replace("\r\n", "\n")
    n = len(letters)
    print(f"| parser | damaged subjects (of {n}) | damaged bodies (of {n}) |")
    print("|---|---|---|")
    for name, (subjects, bodies) in damage.items():
        print(f"| {name} | {subjects} | {bodies} |")


if __name__ == "__main__":
    main()
