"""Hot topics over the stored tickets (未诉先办): the report, and the office's alert.

`hot_topics` loads the letters of the window (and of the recurrence span) and the category
counts of the window, the previous window and the same weeks a year earlier (364 days back,
so weekdays line up), and hands them to `xinxiang.classify.topics`.

`alert_hot_topics` (the worker's `topics` job) mails the office once per cluster and tier: a
cluster that reaches 5 letters from 3 senders (settings `[topics]`) is alerted once; when it
grows to the next size it is alerted again. A cluster has no identity of its own between passes,
so the notice is kept per letter (`topic:t<tier>:<ticket number>`): a cluster any of whose
letters was already alerted at a tier is not alerted at that tier again, and its new letters
are marked too, so the matter keeps its mark as old letters leave the window.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from xinxiang.classify.topics import (
    Cluster,
    Recurrence,
    Rising,
    TopicLetter,
    Words,
    alert_tier,
    find_clusters,
    find_recurrences,
    rising_categories,
)
from xinxiang.outgoing.office import post_office
from xinxiang.store.models import LetterRow, NoticeRow, TicketRow

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext

log = logging.getLogger(__name__)

LAST_YEAR = timedelta(days=364)
ALERT_KIND = "hot_topic"


@cache
def label_words() -> Words:
    """Labels from jieba's words, kept only if the redactor's lexicon calls them ordinary
    words (never a person's name); jieba's dictionary loads on first use."""
    from xinxiang.replies.redactor import jieba_fast_tagger, jieba_lexicon

    tagger = jieba_fast_tagger()
    return Words(cut=lambda text: [word for word, _ in tagger(text)], ordinary=jieba_lexicon())


@dataclass(frozen=True)
class TopicReport:
    """Hot topics of the window `[start, end)`."""

    start: datetime
    end: datetime
    letters: int
    clusters: list[Cluster]
    rising: list[Rising]
    recurring: list[Recurrence]


def load_letters(
    ctx: AppContext, start: datetime, end: datetime, *, limit: int | None = None
) -> list[TopicLetter]:
    """The letters of tickets created in `[start, end)`, oldest first (the newest `limit`)."""
    limit = limit or ctx.cfg.settings.topics.max_letters
    with ctx.db.unit_of_work() as session:
        rows = session.execute(
            select(
                TicketRow.number,
                TicketRow.petitioner_addr,
                TicketRow.subject,
                LetterRow.body,
                TicketRow.created_at,
                TicketRow.category,
            )
            .join(LetterRow, LetterRow.id == TicketRow.letter_id)
            .where(TicketRow.created_at >= start, TicketRow.created_at < end)
            .order_by(TicketRow.created_at.desc(), TicketRow.id.desc())
            .limit(limit)
        ).all()
    if len(rows) == limit:
        log.warning("topics: more than %d letters from %s, the newest only", limit, start)
    return [
        TopicLetter(number, sender, f"{subject}\n{(body or '')[:1000]}", at, category)
        for number, sender, subject, body, at, category in reversed(rows)
    ]


def category_counts(ctx: AppContext, start: datetime, end: datetime) -> Counter[str]:
    """Tickets created in `[start, end)` by category (问题分类); uncategorised ones left out."""
    with ctx.db.unit_of_work() as session:
        return Counter(
            {
                str(category): int(n)
                for category, n in session.execute(
                    select(TicketRow.category, func.count(TicketRow.id))
                    .where(
                        TicketRow.created_at >= start,
                        TicketRow.created_at < end,
                        TicketRow.category.is_not(None),
                    )
                    .group_by(TicketRow.category)
                )
            }
        )


def hot_topics(ctx: AppContext, now: datetime, *, days: int | None = None) -> TopicReport:
    """Clusters of the window ending at `now`, rising categories and recurring matters."""
    settings = ctx.cfg.settings.topics
    window = timedelta(days=days or settings.window_days)
    start = now - window
    letters = load_letters(ctx, start, now)
    span = load_letters(ctx, now - timedelta(days=settings.recurrence_days), now)
    earlier = [m for m in span if m.created_at < start]
    clusters = find_clusters(
        letters,
        distance=settings.distance,
        background=earlier,
        words=label_words(),
        block=settings.block_letters,
    )
    current = category_counts(ctx, start, now)
    rising = rising_categories(
        current,
        category_counts(ctx, start - window, start),
        "previous",
        min_count=settings.rising_min_letters,
        ratio=settings.rising_ratio,
        alpha=settings.rising_alpha,
    ) + rising_categories(
        current,
        category_counts(ctx, start - LAST_YEAR, now - LAST_YEAR),
        "last_year",
        min_count=settings.rising_min_letters,
        ratio=settings.rising_ratio,
        alpha=settings.rising_alpha,
    )
    recurring = find_recurrences(
        span,
        gap=timedelta(days=settings.recurrence_gap_days),
        times=settings.recurrence_times,
        distance=settings.distance,
        words=label_words(),
        block=settings.block_letters,
    )
    return TopicReport(start, now, len(letters), clusters, rising, recurring)


def _alert_text(
    ctx: AppContext,
    cluster: Cluster,
    tier: int,
    start: datetime,
    now: datetime,
    subjects: dict[str, str],
) -> tuple[str, str]:
    tz = ctx.cfg.tz
    days = max(1, round((now - start) / timedelta(days=1)))
    topic = "、".join(cluster.label) or "相似问题"
    subject = (
        f"【热点问题】近{days}天{cluster.size}封来信反映“{topic}”（{cluster.senders}位来信人）"
    )
    lines = [
        "党政办公室：",
        "",
        f"近{days}天（{start.astimezone(tz):%m月%d日}至{now.astimezone(tz):%m月%d日}）"
        f"有{cluster.size}封内容相似的来信，来自{cluster.senders}位不同来信人"
        f"（第{tier}级提醒），建议关注，未诉先办。",
        "",
        f"主题词：{topic}",
        f"问题分类：{'、'.join(cluster.categories) or '未分类'}",
        "来信：",
    ]
    lines += [f"  {n}  {subjects.get(n, '')[:40]}" for n in cluster.numbers]
    lines += ["", "可用命令 xinxiang topics 查看全部热点问题。"]
    return subject, "\n".join(lines) + "\n"


def alert_hot_topics(ctx: AppContext, now: datetime) -> list[str]:
    """Queue an alert for each cluster that reached a new tier; the keys of the alerts."""
    settings = ctx.cfg.settings.topics
    start = now - timedelta(days=settings.window_days)
    letters = load_letters(ctx, start, now)
    background = load_letters(ctx, now - timedelta(days=settings.recurrence_days), start)
    clusters = find_clusters(
        letters,
        distance=settings.distance,
        min_senders=settings.alert_senders,
        background=background,
        words=label_words(),
        block=settings.block_letters,
    )
    subjects = {m.number: m.text.split("\n", 1)[0] for m in letters}
    queued: list[str] = []
    for cluster in clusters:
        tier = alert_tier(cluster, settings.alert_sizes, settings.alert_senders)
        if tier and _alert_once(ctx, cluster, tier, start, now, subjects):
            queued.append(f"topic:{cluster.key}:t{tier}")
    return queued


def _alert_once(
    ctx: AppContext,
    cluster: Cluster,
    tier: int,
    start: datetime,
    now: datetime,
    subjects: dict[str, str],
) -> bool:
    keys = {n: f"topic:t{tier}:{n}" for n in cluster.numbers}
    try:
        with ctx.db.unit_of_work() as session:
            ids = {
                number: ticket_id
                for number, ticket_id in session.execute(
                    select(TicketRow.number, TicketRow.id).where(
                        TicketRow.number.in_(cluster.numbers)
                    )
                )
            }
            marked = set(
                session.execute(
                    select(NoticeRow.key).where(
                        NoticeRow.key.like("topic:t%"), NoticeRow.ticket_id.in_(ids.values())
                    )
                ).scalars()
            )
            alerted = any(k in marked for k in keys.values())
            for number in cluster.numbers:
                # Lower tiers too: a cluster that shrinks back is not alerted again.
                for t in range(1, tier + 1):
                    key = f"topic:t{t}:{number}"
                    if key not in marked:
                        session.add(NoticeRow(key=key, ticket_id=ids[number], at=now))
            if alerted:
                return False
            subject, text = _alert_text(ctx, cluster, tier, start, now, subjects)
            session.flush()
            post_office(
                ctx,
                session,
                key=f"topic:{cluster.key}:t{tier}",
                kind=ALERT_KIND,
                subject=subject,
                text=text,
                now=now,
            )
    except IntegrityError:
        return False  # another worker marked these letters first
    return True
