"""Repeated letters (重复诉求): the same petitioner raising the same matter again.

Seeds 002 §9.4 and 004 §8(二): when a matter is still being handled, or was answered a short
while ago, and the petitioner writes again without new facts, the new letter is linked to the
earlier ticket and the petitioner is told its progress or result instead of a second dispatch.

"The same matter" is judged on text, not exact equality: both texts are normalised (see
`normalize`), cut into tokens (one per CJK character, one per Latin word or number) and compared
as sets of token bigrams with the Jaccard index. No word segmentation is needed.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from xinxiang.classify.normalize import normalize

_TOKEN_RE = re.compile(r"[a-z0-9]+|[^\W_a-z0-9]")


@dataclass(frozen=True, slots=True)
class PriorLetter:
    """An earlier letter that may be repeated: its ticket and its state."""

    ticket_number: str
    sender: str
    text: str
    created_at: datetime
    is_open: bool
    answered_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class DuplicateMatch:
    """The earlier ticket a new letter repeats; `reason` is 'open' or 'recently_answered'."""

    ticket_number: str
    similarity: float
    reason: str


def shingles(text: str) -> frozenset[str]:
    """Token bigrams of the normalised text (a single token if there is only one)."""
    tokens = _TOKEN_RE.findall(normalize(text))
    if len(tokens) < 2:
        return frozenset(tokens)
    return frozenset(a + "\x1f" + b for a, b in itertools.pairwise(tokens))


def similarity(a: str, b: str) -> float:
    """Jaccard similarity (0..1) of the two texts' shingle sets; two empty texts score 0."""
    sa, sb = shingles(a), shingles(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


def _same_sender(a: str, b: str) -> bool:
    return a.strip().lower() == b.strip().lower() and bool(a.strip())


def find_duplicate(
    sender: str,
    text: str,
    candidates: Sequence[PriorLetter],
    now: datetime,
    window: timedelta,
    threshold: float,
) -> DuplicateMatch | None:
    """Return the earlier ticket this letter repeats, or None.

    A candidate qualifies when it has the same sender (case-insensitive address), was created
    before `now`, and is either still open or was answered no longer than `window` before
    `now`. Among qualifying candidates with similarity ≥ `threshold`, the most similar wins
    (then the most recent, then the lowest ticket number, so the result is deterministic).
    """
    new = shingles(text)
    if not new:
        return None
    best: tuple[float, datetime, str, str] | None = None
    for prior in candidates:
        if not _same_sender(sender, prior.sender) or prior.created_at > now:
            continue
        if prior.is_open:
            reason = "open"
        elif prior.answered_at is not None and now - prior.answered_at <= window:
            reason = "recently_answered"
        else:
            continue
        old = shingles(prior.text)
        if not old:
            continue
        score = len(new & old) / len(new | old)
        if score < threshold:
            continue
        key = (score, prior.created_at, prior.ticket_number, reason)
        if (
            best is None
            or (key[0], key[1]) > (best[0], best[1])
            or ((key[0], key[1]) == (best[0], best[1]) and key[2] < best[2])
        ):
            best = key
    if best is None:
        return None
    return DuplicateMatch(ticket_number=best[2], similarity=round(best[0], 3), reason=best[3])
