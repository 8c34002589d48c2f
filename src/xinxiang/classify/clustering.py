"""Average-linkage clustering of letters that scales past one distance matrix (热点问题).

`classify.topics` clusters a window of letters by average linkage on cosine distances, cut at
a threshold. Done at once, that holds an n × n matrix: fine for a few thousand letters, out of
reach for 100,000. Here, a larger set is clustered in blocks:

1. the letters are split into blocks of at most `block` by k-means on their TF-IDF vectors
   (scikit-learn's `MiniBatchKMeans`; a block still too large is split again), so that
   similar letters share a block;
2. each block is clustered exactly (average linkage, cut at the threshold);
3. the clusters of all blocks become the items of the next round, again in blocks, until they
   fit in one: two clusters' average distance is exact from their vectors' sums (for unit
   vectors, the mean cosine similarity of A × B is ΣA·ΣB / (|A|·|B|)), and merging is the
   weighted (UPGMA) update of that mean, so the rounds after the first agglomerate clusters as
   average linkage would, only in an order the blocks decide.

Hand-rolled: scikit-learn's and SciPy's average linkage take no initial cluster sizes (the
clusters of a block are items of weight |A| in the next round). The per-block agglomeration is
the nearest-neighbour chain (Murtagh 1983), exact for average linkage, O(m²) numpy work.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _avg_distances(sums: Any, sizes: np.ndarray) -> np.ndarray:
    """Mean cosine distance between every two items (rows of unit-vector sums)."""
    sims = np.asarray((sums @ sums.T).todense(), dtype=np.float64)
    sims /= np.outer(sizes, sizes)
    out = 1.0 - sims
    np.fill_diagonal(out, np.inf)
    return out


def upgma(sums: Any, sizes: np.ndarray, threshold: float) -> list[list[int]]:
    """Average-linkage groups of items (weighted by `sizes`) merged below `threshold`.

    Nearest-neighbour chain: follow nearest neighbours until two are each other's; merge them
    when their distance is below the threshold, else the item at the chain's end is final
    (average linkage never brings it closer to anything later).
    """
    m = len(sizes)
    if m < 2:
        return [[i] for i in range(m)]
    d = _avg_distances(sums, sizes.astype(np.float64))
    size = sizes.astype(np.float64).copy()
    members: dict[int, list[int]] = {i: [i] for i in range(m)}
    active = np.ones(m, dtype=bool)
    final: list[list[int]] = []
    chain: list[int] = []
    while active.any():
        if not chain:
            chain.append(int(np.flatnonzero(active)[0]))
        a = chain[-1]
        row = np.where(active, d[a], np.inf)
        row[a] = np.inf
        b = int(np.argmin(row))
        if not np.isfinite(row[b]) or row[b] >= threshold:
            final.append(members.pop(a))  # nothing will come closer than `threshold`
            active[a] = False
            d[a, :] = d[:, a] = np.inf
            chain.pop()
            continue
        if len(chain) > 1 and row[chain[-2]] <= row[b]:
            b = chain[-2]
            chain.pop()
            chain.pop()
            na, nb = size[a], size[b]
            merged = (na * d[a] + nb * d[b]) / (na + nb)
            d[a, :] = merged
            d[:, a] = merged
            d[a, a] = np.inf
            d[b, :] = d[:, b] = np.inf
            active[b] = False
            size[a] = na + nb
            members[a] = members[a] + members.pop(b)
        else:
            chain.append(b)
    return final


def _blocks(vectors: Any, idx: np.ndarray, block: int, seed: int) -> list[np.ndarray]:
    """`idx` split by k-means on `vectors` into blocks of at most `block` items."""
    from sklearn.cluster import MiniBatchKMeans
    from sklearn.preprocessing import normalize

    if len(idx) <= block:
        return [idx]
    k = max(2, -(-2 * len(idx) // block))  # blocks about half full: k-means is uneven
    model = MiniBatchKMeans(n_clusters=k, random_state=seed, n_init=3, batch_size=4096)
    labels = model.fit_predict(normalize(vectors[idx]))
    parts = [idx[labels == c] for c in range(k) if (labels == c).any()]
    if len(parts) == 1:  # k-means could not split it: cut it in order
        return [idx[i : i + block] for i in range(0, len(idx), block)]
    return [p for part in parts for p in _blocks(vectors, part, block, seed + 1)]


def blocked_average_linkage(
    matrix: Any, threshold: float, *, block: int, seed: int = 0
) -> list[list[int]]:
    """Clusters (row indices, each sorted) of the unit-normalised sparse `matrix`."""
    import scipy.sparse as sp  # type: ignore[import-untyped]

    n = matrix.shape[0]
    groups: list[list[int]] = [[i] for i in range(n)]
    sums = sp.csr_matrix(matrix, dtype=np.float64)
    sizes = np.ones(n)
    while True:
        parts = _blocks(sums, np.arange(len(groups)), block, seed)
        merged = [
            [int(part[i]) for i in g]
            for part in parts
            for g in upgma(sums[part], sizes[part], threshold)
        ]
        # One block: average linkage over all items, done. No merge anywhere: no progress.
        done = len(parts) == 1 or len(merged) == len(groups)
        groups = [sorted(i for item in g for i in groups[item]) for g in merged]
        if done:
            return sorted(groups, key=lambda g: g[0])
        rows = [i for i, g in enumerate(merged) for _ in g]
        cols = [item for g in merged for item in g]
        into = sp.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(len(merged), len(sizes)))
        sums, sizes = (into @ sums).tocsr(), into @ sizes
        seed += 1
