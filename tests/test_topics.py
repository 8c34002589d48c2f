"""Specification of hot topics (热点问题, 未诉先办): clusters of similar letters from different
senders, rising and seasonal categories, recurring matters, the office's alert and the CLI."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inbound_helpers import context
from sweep_helpers import new_ticket, outbox, text_of
from xinxiang.classify.topics import (
    Cluster,
    TopicLetter,
    alert_tier,
    episodes,
    find_clusters,
    find_recurrences,
    rising_categories,
)
from xinxiang.cli import main
from xinxiang.services.topics import alert_hot_topics, hot_topics, label_words

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

HOT_WATER = [
    "西区7号楼这一周洗澡热水时有时无，晚上基本只有冷水。",
    "7号楼没有热水，淋浴一直出凉水，热水要放十几分钟才来，希望尽快检修。",
    "西7宿舍的热水器坏了，洗澡水温忽冷忽热，好几个寝室都这样。",
    "西区7号楼晚上洗澡没有热水已经五天了，请后勤处理热水问题。",
    "七号楼的洗澡热水这周一直不热，报修了也没人来。",
]
LIBRARY = [
    "图书馆占座太严重了，一个人用书本占好几个座位。",
    "图书馆的座位一早就被书本占满了，人却不来，希望清理占座。",
    "建议整治图书馆占座，座位用书包占着不用的很多。",
]
UNRELATED = [
    "食堂的饭菜太咸了，希望少放盐。",
    "通往北门的小路有几盏路灯坏了，晚上很黑。",
    "四级报名系统显示我的学籍信息有误，无法完成报名。",
    "心理咨询中心预约要等两周，希望增加咨询师。",
    "社团活动经费报销流程太复杂，发票要求不清楚。",
]
OTHERS = [
    "军训服装尺码不合适，申请更换一直没有回复。",
    "生源地助学贷款的回执提交后一直没有入账，影响注册。",
]


def letters(
    texts: list[str], senders: list[str] | None = None, *, start: datetime = T0, prefix: str = "L"
) -> list[TopicLetter]:
    """One letter per text, an hour apart, each from its own sender unless given."""
    who = senders or [f"{prefix.lower()}{i}@stu.example.edu.cn" for i in range(len(texts))]
    return [
        TopicLetter(f"{prefix}{i:03d}", who[i], text, start + timedelta(hours=i))
        for i, text in enumerate(texts)
    ]


def groups_of(clusters: list[Cluster]) -> list[set[str]]:
    return [set(c.numbers) for c in clusters]


# ---------------------------------------------------------------------------- clustering


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        # Two matters and two singletons: the matters come out, largest first.
        (
            HOT_WATER + LIBRARY + OTHERS,
            [{"L000", "L001", "L002", "L003", "L004"}, {"L005", "L006", "L007"}],
        ),
        # Nothing alike: no cluster.
        (OTHERS + UNRELATED, []),
        # One letter, no letter: no cluster, no error.
        (HOT_WATER[:1], []),
        ([], []),
    ],
    ids=["two-matters", "nothing-alike", "one-letter", "empty"],
)
def test_similar_letters_from_different_senders_are_clustered(
    texts: list[str], expected: list[set[str]]
) -> None:
    assert groups_of(find_clusters(letters(texts))) == expected  # no labels asked


def test_a_cluster_needs_different_senders() -> None:
    others = [f"o{i}@x.cn" for i in range(len(UNRELATED))]
    same = letters(HOT_WATER + UNRELATED, ["one@stu.example.edu.cn"] * 5 + others)
    assert find_clusters(same) == []
    two = letters(
        HOT_WATER + UNRELATED, ["a@x.cn", "A@X.cn ", "a@x.cn", "b@x.cn", "b@x.cn", *others]
    )
    [cluster] = find_clusters(two)
    assert (cluster.size, cluster.senders, cluster.key) == (5, 2, "L000")
    assert cluster.first_at == T0 and cluster.last_at == T0 + timedelta(hours=4)


def test_labels_name_the_matter_and_never_a_person_or_a_number() -> None:
    signed = [
        f"{text}学生张伟明，学号2021{i}0345，电话1380013800{i}。"
        for i, text in enumerate(HOT_WATER + UNRELATED)
    ]
    [cluster] = find_clusters(letters(signed), words=label_words())
    assert "热水" in cluster.label
    assert all(not any(ch.isdigit() for ch in term) for term in cluster.label)
    assert not any(part in term for term in cluster.label for part in ("张伟", "伟明", "学号"))


@settings(max_examples=30, deadline=None)
@given(
    picks=st.lists(st.integers(0, len(HOT_WATER + LIBRARY + OTHERS) - 1), max_size=12),
    senders=st.lists(st.integers(0, 3), min_size=12, max_size=12),
    min_senders=st.integers(1, 3),
)
def test_every_cluster_is_well_formed(
    picks: list[int], senders: list[int], min_senders: int
) -> None:
    pool = HOT_WATER + LIBRARY + OTHERS
    batch = letters([pool[i] for i in picks], [f"p{senders[k]}@x.cn" for k in range(len(picks))])
    found = find_clusters(batch, min_senders=min_senders)
    seen = [n for c in found for n in c.numbers]
    assert len(seen) == len(set(seen)) and set(seen) <= {m.number for m in batch}
    for c in found:
        assert c.senders >= min_senders and c.key == c.numbers[0] and c.first_at <= c.last_at
    if min_senders == 1:  # every letter is somewhere
        assert sorted(seen) == sorted(m.number for m in batch)


# ------------------------------------------------------------------- rising and seasonal


@pytest.mark.parametrize(
    ("current", "baseline", "rising"),
    [
        (12, 2, True),  # a clear rise
        (12, 0, True),
        (5, 0, True),  # nothing before
        (3, 0, False),  # the minimum count, but within chance
        (2, 0, False),  # too few to tell
        (6, 5, False),  # below the ratio
        (8, 6, False),  # over the ratio but within chance
        (5, 10, False),  # falling
    ],
)
def test_a_category_rises_when_clearly_above_its_baseline(
    current: int, baseline: int, rising: bool
) -> None:
    found = rising_categories(Counter({"后勤保障": current}), Counter({"后勤保障": baseline}), "x")
    assert bool(found) is rising
    if found:
        assert (found[0].current, found[0].baseline, found[0].against) == (current, baseline, "x")


def test_rising_categories_are_listed_most_significant_first() -> None:
    now = Counter({"后勤保障": 20, "教育教学": 6, "其他": 4})
    found = rising_categories(now, Counter({"后勤保障": 2, "其他": 4}), "previous")
    assert [r.category for r in found] == ["后勤保障", "教育教学"]


# -------------------------------------------------------------------------- recurrences


@pytest.mark.parametrize(
    ("days", "starts"),
    [
        ([0, 1, 2, 10, 11, 40], [0, 10, 40]),  # three bursts
        ([0, 3, 6, 9], [0]),  # never silent for more than 3 days: one burst
        ([0, 4], [0, 4]),
        ([], []),
    ],
)
def test_episodes_split_at_silences_longer_than_the_gap(days: list[int], starts: list[int]) -> None:
    times = [T0 + timedelta(days=d) for d in days]
    assert episodes(times, timedelta(days=3)) == tuple(T0 + timedelta(days=d) for d in starts)


def test_a_matter_raised_three_times_in_ninety_days_recurs() -> None:
    # The hot water breaks down three times (days 0, 30, 60); the library once, in one week.
    water = letters(HOT_WATER[:3], start=T0, prefix="A")
    water += letters(HOT_WATER[3:4], start=T0 + timedelta(days=30), prefix="B")
    water += letters(HOT_WATER[4:5], start=T0 + timedelta(days=60), prefix="C")
    library = letters(LIBRARY, start=T0 + timedelta(days=5), prefix="D")
    [found] = find_recurrences(water + library + letters(OTHERS, prefix="E"), words=label_words())
    assert len(found.episodes) == 3 and found.cluster.size == 5
    assert found.episodes[0] == T0 and found.episodes[-1] == T0 + timedelta(days=60)
    # Two outbreaks only: not yet recurring.
    assert find_recurrences(water[:4] + library) == []


# ------------------------------------------------------------------------------ alerts


@pytest.mark.parametrize(
    ("size", "senders", "tier"),
    [(4, 4, 0), (5, 2, 0), (5, 3, 1), (9, 3, 1), (10, 5, 2), (25, 9, 3)],
)
def test_alert_tiers(size: int, senders: int, tier: int) -> None:
    cluster = Cluster("K", tuple(str(i) for i in range(size)), (), senders, (), T0, T0)
    assert alert_tier(cluster, [5, 10, 20], 3) == tier


def _alerts(ctx: object) -> list[str]:
    return [text_of(row) for row in outbox(ctx, ("hot_topic",))]  # type: ignore[arg-type]


def test_the_office_is_alerted_once_per_cluster_and_again_when_it_grows(
    tmp_config, db_url: str
) -> None:
    ctx = context(tmp_config(database_url=db_url))
    now = datetime.now(UTC)
    senders = ["a", "b", "c", "a", "b"]
    numbers = [
        new_ticket(ctx, now - timedelta(hours=30 - i), ("热水", t), f"{s}@stu.example.edu.cn")
        for i, (t, s) in enumerate(zip(HOT_WATER, senders, strict=True))
    ]
    new_ticket(ctx, now - timedelta(hours=2), ("图书馆", LIBRARY[0]), "d@stu.example.edu.cn")
    assert alert_hot_topics(ctx, now) == [f"topic:{numbers[0]}:t1"]
    [mail] = _alerts(ctx)
    assert "5封内容相似的来信" in mail and "3位不同来信人" in mail and "热水" in mail
    assert all(n in mail for n in numbers)
    # The next passes find the same cluster: no second mail, even with one more letter.
    assert alert_hot_topics(ctx, now + timedelta(minutes=10)) == []
    more = [
        new_ticket(ctx, now - timedelta(hours=1), ("热水", HOT_WATER[i % 5]), f"e{i}@x.cn")
        for i in range(5)
    ]
    assert alert_hot_topics(ctx, now) == [f"topic:{numbers[0]}:t2"]
    assert alert_hot_topics(ctx, now + timedelta(minutes=20)) == []
    assert len(_alerts(ctx)) == 2 and more[-1] in _alerts(ctx)[-1]
    # Once the first letters have left the window, what is left is the same matter.
    assert alert_hot_topics(ctx, now + timedelta(days=6, hours=20)) == []


def test_the_report_finds_rising_and_seasonal_categories(tmp_config) -> None:
    ctx = context(tmp_config())
    now = datetime.now(UTC)
    for i, text in enumerate(HOT_WATER):  # this week: five 后勤保障 letters
        new_ticket(ctx, now - timedelta(days=1, hours=i), ("热水", text), f"w{i}@x.cn")
    for i in range(4):  # the same week last year: as many
        new_ticket(ctx, now - timedelta(days=365, hours=i), ("热水", HOT_WATER[i]), f"y{i}@x.cn")
    report = hot_topics(ctx, now)
    assert report.letters == 5 and [c.size for c in report.clusters] == [5]
    rising = {(r.category, r.against) for r in report.rising}
    category = report.clusters[0].categories[0]
    assert (category, "previous") in rising and (category, "last_year") not in rising


# --------------------------------------------------------------------------------- CLI


def test_cli_lists_clusters_with_their_letters(
    tmp_config, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg_dir = tmp_config()
    ctx = context(cfg_dir)
    now = datetime.now(UTC)
    numbers = [
        new_ticket(ctx, now - timedelta(hours=5 - i), ("热水", t), f"s{i}@stu.example.edu.cn")
        for i, t in enumerate(HOT_WATER[:3])
    ]
    assert main(["topics", "-c", str(cfg_dir), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    [cluster] = data["clusters"]
    assert cluster["tickets"] == numbers and cluster["senders"] == 3 and "热水" in cluster["label"]
    assert data["letters"] == 3 and data["recurring"] == []
    assert main(["topics", "-c", str(cfg_dir), "--days", "3"]) == 0
    out = capsys.readouterr().out
    assert "热点问题" in out and "主题词" in out and numbers[0] in out


def test_cli_errors_are_one_line(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["topics", "-c", str(tmp_path / "missing")]) != 0
    err = capsys.readouterr().err.strip()
    assert err and "\n" not in err and "Traceback" not in err


DATA = Path(__file__).parent / "data" / "topics"


def _labelled(name: str) -> list[TopicLetter]:
    rows = [
        json.loads(line)
        for line in (DATA / name / "letters.jsonl").read_text("utf-8").split("\n")
        if line
    ]
    return [
        TopicLetter(
            r["id"], r["sender"], f"{r['subject']}\n{r['body']}", T0 + timedelta(hours=r["hours"])
        )
        for r in rows
    ]


@pytest.mark.parametrize("name", ["tuning", "heldout"])
@pytest.mark.parametrize("block", [30, 50])
def test_a_window_too_large_for_one_matrix_is_clustered_in_blocks_alike(
    name: str, block: int
) -> None:
    """Blocks (k-means, exact average linkage in each, then the blocks' clusters merged by their
    exact mean distances) find the same clusters as one matrix on the labelled letters."""
    window = _labelled(name)
    assert len(window) > 2 * block
    whole = find_clusters(window, min_senders=1)
    assert find_clusters(window, min_senders=1, block=block) == whole


@given(st.lists(st.sampled_from(HOT_WATER + LIBRARY + UNRELATED + OTHERS), min_size=2, max_size=25))
@settings(max_examples=25, deadline=None)
def test_the_weighted_average_linkage_is_scikit_learns(texts: list[str]) -> None:
    """The nearest-neighbour chain over items of weight 1 gives scikit-learn's clusters."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    from xinxiang.classify.clustering import upgma
    from xinxiang.classify.topics import DEFAULT_DISTANCE, cluster_indices

    matrix = TfidfVectorizer(analyzer="char", ngram_range=(1, 2)).fit_transform(texts)
    ours = upgma(matrix, np.ones(len(texts)), DEFAULT_DISTANCE)
    assert sorted(map(sorted, ours)) == sorted(cluster_indices(texts))
