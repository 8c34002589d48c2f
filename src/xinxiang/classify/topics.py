"""Hot topics (未诉先办, seeds 001 五3/六3, 002 第十一–十三条): what many write about at once.

Three views of the letters, none of which needs the database (`xinxiang.services.topics` loads
the letters and counts):

- **clusters** — similar letters from different senders in a window (twelve students on the
  same building's hot water this week). Texts are normalised (`normalize`), turned into TF-IDF
  vectors of characters and character bigrams (no word segmentation, so 七号楼 and 7号楼
  still share 号楼),
  and grouped by scikit-learn's average-linkage `AgglomerativeClustering` on cosine distances,
  cut at a distance threshold; a window of more than `block` letters is clustered in blocks
  (`classify.clustering`: k-means blocks, exact average linkage in each, the blocks' clusters
  merged by their exact mean distances), so 100,000 letters need no 100,000² matrix.
  A cluster's label is a few words common to its letters (`Words`: jieba and the redactor's
  lexicon, given by the caller), only ordinary dictionary words shared by two senders or
  more: never a name or a number.
- **rising categories** — a category with more letters in this window than in the previous
  one, or than in the same weeks a year earlier (seasonal), by an exact one-sided binomial
  test of the two counts (`scipy.stats.binomtest`, the conditional test of two Poisson rates),
  a minimum count and a minimum ratio.
- **recurring matters** — a cluster over a longer span (90 days) whose letters fall into at
  least three separate episodes (bursts apart by more than a few days).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from xinxiang.classify.normalize import normalize

DEFAULT_BLOCK = 4000
"""Letters clustered at once (a dense matrix of 4,000² float32, 64 MB); more go in blocks."""
DEFAULT_DISTANCE = 0.85
"""Cosine distance at which the dendrogram is cut, tuned on the tuning set only: pairwise
precision 1.00 there up to 0.85 (recall 0.69 at 0.80, 0.98 at 0.85); above it topics merge
(precision 0.82 at 0.875)."""
MAX_TEXT = 600
"""Characters of a letter (subject + body) that count: the matter is stated up front."""
_DIGITS_OR_LATIN = re.compile(r"[0-9a-z０-９]", re.IGNORECASE)
_HAN = re.compile(r"^[\u4e00-\u9fff]{2,}$")
_PUNCTUATION = re.compile(r"[\W_]+")


@dataclass(frozen=True, slots=True)
class TopicLetter:
    """One letter as hot-topic detection sees it."""

    number: str
    sender: str
    text: str
    created_at: datetime
    category: str | None = None


@dataclass(frozen=True, slots=True)
class Cluster:
    """Similar letters: `key` is the earliest ticket number (stable while the cluster lives)."""

    key: str
    numbers: tuple[str, ...]
    label: tuple[str, ...]
    senders: int
    categories: tuple[str, ...]
    first_at: datetime
    last_at: datetime

    @property
    def size(self) -> int:
        """How many letters."""
        return len(self.numbers)


@dataclass(frozen=True, slots=True)
class Rising:
    """A category with more letters now than in a baseline period."""

    category: str
    current: int
    baseline: int
    against: str
    """"previous" (the window before) or "last_year" (the same weeks a year earlier)."""
    p_value: float


@dataclass(frozen=True, slots=True)
class Recurrence:
    """A matter that came back: its cluster over the span and its episodes' start times."""

    cluster: Cluster
    episodes: tuple[datetime, ...]


def _text(letter: TopicLetter) -> str:
    # Punctuation shared by every letter would only make unrelated short letters look alike.
    return _PUNCTUATION.sub(" ", normalize(letter.text[:MAX_TEXT]))


def cluster_indices(
    texts: Sequence[str],
    *,
    distance: float = DEFAULT_DISTANCE,
    background: Sequence[str] = (),
    block: int = DEFAULT_BLOCK,
) -> list[list[int]]:
    """Group `texts` (already normalised) into clusters of indices, each in input order.

    Every text is in exactly one cluster; a text like no other is a cluster of one. The
    n-grams' weights (IDF) are learnt from `texts` and `background` (earlier letters): in a
    quiet week, a handful of letters alone cannot tell a common phrase from a rare one.
    """
    import numpy as np
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_distances

    n = len(texts)
    if n < 2:
        return [[i] for i in range(n)]
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), dtype=np.float32)
    try:
        matrix = vectorizer.fit(list(texts) + list(background)).transform(texts)
    except ValueError:  # nothing but one-character texts: no n-gram at all
        return [[i] for i in range(n)]
    if n > block:
        from xinxiang.classify.clustering import blocked_average_linkage

        return blocked_average_linkage(matrix, distance, block=block)
    distances = cosine_distances(matrix)  # dense n × n float32: `block` bounds n
    model = AgglomerativeClustering(
        n_clusters=None, metric="precomputed", linkage="average", distance_threshold=distance
    )
    labels = model.fit_predict(distances)
    groups: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        groups.setdefault(int(label), []).append(i)
    return sorted(groups.values(), key=lambda g: g[0])


@dataclass(frozen=True, slots=True)
class Words:
    """How labels are made: `cut` segments a text into words (jieba), `ordinary` says whether
    a word is a common dictionary word and not a person's name (the redactor's lexicon)."""

    cut: Callable[[str], Iterable[str]]
    ordinary: Callable[[str], bool]


def label_terms(
    members: Sequence[TopicLetter], background: Sequence[str], words: Words, *, size: int = 4
) -> tuple[str, ...]:
    """Up to `size` words naming what `members` share, most distinctive first.

    A word qualifies when it is an ordinary word of jieba's dictionary (the redactor's lexicon:
    not a person's name), of Han characters only (no number, address or student number), and
    is written by at least two senders. Words are ranked by the share of members using them
    minus their share in `background` (normalised texts of other letters): what every letter
    says (老师, 希望) is no label.
    """
    users: dict[str, set[str]] = {}
    for letter in members[:60]:
        for word in set(words.cut(_text(letter))):
            if _HAN.match(word) and not _DIGITS_OR_LATIN.search(word) and words.ordinary(word):
                users.setdefault(word, set()).add(letter.sender.strip().lower())
    sample = background[:2000]
    scored: list[tuple[float, str]] = []
    shown = min(len(members), 60)
    for word, who in users.items():
        if len(who) < 2:
            continue
        share = sum(1 for t in sample if word in t) / max(1, len(sample))
        if (score := len(who) / shown - share) > 0:
            scored.append((score, word))
    scored.sort(key=lambda s: (-s[0], s[1]))
    picked: list[str] = []
    for _, word in scored:
        if any(word in p or p in word for p in picked):
            continue
        picked.append(word)
        if len(picked) == size:
            break
    return tuple(picked)


def _make_cluster(
    members: Sequence[TopicLetter], background: Sequence[str], words: Words | None
) -> Cluster:
    ordered = sorted(members, key=lambda m: (m.created_at, m.number))
    categories = Counter(m.category for m in ordered if m.category)
    return Cluster(
        key=ordered[0].number,
        numbers=tuple(m.number for m in ordered),
        label=label_terms(ordered, background, words) if words is not None else (),
        senders=len({m.sender.strip().lower() for m in ordered}),
        categories=tuple(c for c, _ in categories.most_common()),
        first_at=ordered[0].created_at,
        last_at=ordered[-1].created_at,
    )


def find_clusters(
    letters: Sequence[TopicLetter],
    *,
    distance: float = DEFAULT_DISTANCE,
    min_senders: int = 2,
    words: Words | None = None,
    background: Sequence[TopicLetter] = (),
    block: int = DEFAULT_BLOCK,
) -> list[Cluster]:
    """Clusters of similar letters written by at least `min_senders` different senders,
    largest first (then by their key); `background` letters only weigh the n-grams. Without
    `words`, clusters have no label."""
    texts = [_text(m) for m in letters]
    extra = [_text(m) for m in background]
    # Other letters to tell a cluster's own words from everyone's: a sample of at most 2,000.
    step = max(1, len(texts) // 2000)
    sample = range(0, len(texts), step)
    found = []
    for group in cluster_indices(texts, distance=distance, background=extra, block=block):
        members = [letters[i] for i in group]
        if len({m.sender.strip().lower() for m in members}) >= min_senders:
            inside = set(group)
            others = [texts[i] for i in sample if i not in inside] + extra[:500]
            found.append(_make_cluster(members, others, words))
    found.sort(key=lambda c: (-c.size, -c.senders, c.key))
    return found


def rising_categories(
    current: Counter[str],
    baseline: Counter[str],
    against: str,
    *,
    min_count: int = 3,
    ratio: float = 1.5,
    alpha: float = 0.05,
) -> list[Rising]:
    """Categories whose count in `current` is significantly above `baseline` (same length).

    Rising means: at least `min_count` letters now, at least `ratio` times the baseline, and a
    one-sided exact binomial test of `current` out of `current + baseline` against ½ below
    `alpha`. Most significant first.
    """
    from scipy.stats import binomtest  # type: ignore[import-untyped]

    found = []
    for category, now_count in current.items():
        before = baseline.get(category, 0)
        if now_count < min_count or now_count < ratio * before:
            continue
        p = float(binomtest(now_count, now_count + before, 0.5, alternative="greater").pvalue)
        if p < alpha:
            found.append(Rising(category, now_count, before, against, round(p, 4)))
    found.sort(key=lambda r: (r.p_value, -r.current, r.category))
    return found


def episodes(times: Sequence[datetime], gap: timedelta) -> tuple[datetime, ...]:
    """The start of each burst of `times`: a new one begins after a silence longer than `gap`."""
    starts: list[datetime] = []
    last: datetime | None = None
    for t in sorted(times):
        if last is None or t - last > gap:
            starts.append(t)
        last = t
    return tuple(starts)


def find_recurrences(
    letters: Sequence[TopicLetter],
    *,
    gap: timedelta = timedelta(days=3),
    times: int = 3,
    distance: float = DEFAULT_DISTANCE,
    words: Words | None = None,
    block: int = DEFAULT_BLOCK,
) -> list[Recurrence]:
    """Matters raised in at least `times` separate episodes among `letters` (any senders);
    labelled with `words` when given."""
    by_number = {m.number: m for m in letters}
    texts = [_text(m) for m in letters[:: max(1, len(letters) // 2000)]]
    found = []
    for cluster in find_clusters(letters, distance=distance, min_senders=1, block=block):
        starts = episodes([by_number[n].created_at for n in cluster.numbers], gap)
        if len(starts) >= times:
            members = [by_number[n] for n in cluster.numbers]
            found.append(Recurrence(_make_cluster(members, texts, words), starts))
    found.sort(key=lambda r: (-len(r.episodes), -r.cluster.size, r.cluster.key))
    return found


def alert_tier(cluster: Cluster, sizes: Sequence[int], min_senders: int) -> int:
    """The highest alert tier `cluster` reaches (1 for `sizes[0]` letters …), 0 for none.

    A tier needs its number of letters and at least `min_senders` different senders.
    """
    if cluster.senders < min_senders:
        return 0
    return sum(1 for s in sorted(sizes) if cluster.size >= s)
