"""Specification of a long sweep (issue #17): it commits in batches of tickets, keeps its job
lease while it runs, and a sweep that dies between batches neither loses nor doubles a notice."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from inbound_helpers import context
from sweep_helpers import LIBRARY, SCHOLARSHIP, local, new_ticket, outbox
from xinxiang.services.context import AppContext
from xinxiang.services.sweep import sweep
from xinxiang.services.sweep_due import WATERMARK_KEY, read_watermark
from xinxiang.store.models import NoticeRow, TicketRow
from xinxiang.store.models_leases import SourceLeaseRow
from xinxiang.store.models_shunt import ShuntRow
from xinxiang.tasks import Runtime

T0 = local(2026, 12, 1, 9, 30)  # track 1 due 12-02 00:00
OVERDUE = local(2026, 12, 2, 0, 5)  # each ticket owes its overdue notice (department + office)
LETTERS = [
    ("宿舍热水问题", f"老师您好，{n}号楼的热水已经三天没有了，请尽快处理。") for n in range(5)
]


def five_tickets(ctx: AppContext) -> list[str]:
    return [
        new_ticket(ctx, T0, text, sender=f"student{i}@stu.example.edu.cn")
        for i, text in enumerate(LETTERS)
    ]


def overdue_mails(ctx: AppContext) -> Counter[int | None]:
    """Overdue mails queued, per ticket id."""
    return Counter(m.ticket_id for m in outbox(ctx, ("overdue",)))


def twice_each(ctx: AppContext, numbers: list[str]) -> dict[int | None, int]:
    """One overdue mail to the department and one to the office, for each ticket."""
    with ctx.db.unit_of_work() as s:
        ids = s.execute(select(TicketRow.id).where(TicketRow.number.in_(numbers))).scalars()
        return {i: 2 for i in ids}


def notice_keys(ctx: AppContext) -> list[str]:
    with ctx.db.unit_of_work() as s:
        return list(
            s.execute(select(NoticeRow.key).where(NoticeRow.key != WATERMARK_KEY)).scalars()
        )


def watermark(ctx: AppContext) -> datetime | None:
    with ctx.db.unit_of_work() as s:
        return read_watermark(s)


def test_a_sweep_over_more_tickets_than_a_batch_commits_as_it_goes(
    tmp_config: Any, db_url: str
) -> None:
    cfg_dir = tmp_config(database_url=db_url)
    ctx = context(cfg_dir)
    numbers = five_tickets(ctx)
    before = watermark(ctx)
    seen: list[Counter[int | None]] = []

    def between_batches() -> bool:
        # Another worker sees each batch's mails as soon as the batch is done: committed.
        other = context(cfg_dir)
        seen.append(overdue_mails(other))
        other.close()
        assert watermark(ctx) == before  # the watermark waits for the last batch
        return True

    result = sweep(ctx, OVERDUE, batch=2, keep_going=between_batches)
    assert [sum(c.values()) for c in seen] == [4, 8]  # after tickets 1–2 and 3–4
    assert sorted({s.ticket for s in result.sent}) == sorted(numbers)
    assert result.candidates == 5 and result.already_sent == 0
    assert overdue_mails(ctx) == twice_each(ctx, numbers)  # department and office, once each
    keys = notice_keys(ctx)
    assert len(keys) == len(set(keys)) == 10  # response and formal reply of each ticket
    assert watermark(ctx) == OVERDUE
    assert sweep(ctx, OVERDUE + timedelta(minutes=1), batch=2).sent == []


def test_a_sweep_that_dies_after_its_first_batch_loses_and_doubles_nothing(
    tmp_config: Any, db_url: str
) -> None:
    ctx = context(tmp_config(database_url=db_url))
    numbers = five_tickets(ctx)
    before = watermark(ctx)

    def worker_dies() -> bool:
        raise KeyboardInterrupt  # the worker is killed between two batches

    with pytest.raises(KeyboardInterrupt):
        sweep(ctx, OVERDUE, batch=2, keep_going=worker_dies)
    assert sum(overdue_mails(ctx).values()) == 4  # the first batch stays committed
    assert watermark(ctx) == before  # not moved: the next sweep looks at the same window

    # The next minute's sweep (another worker) sends what was left, and nothing twice.
    result = sweep(context(ctx.cfg.directory), OVERDUE + timedelta(minutes=1), batch=2)
    assert len({s.ticket for s in result.sent}) == 3
    assert overdue_mails(ctx) == twice_each(ctx, numbers)
    keys = notice_keys(ctx)
    assert len(keys) == len(set(keys)) == 10
    assert watermark(ctx) == OVERDUE + timedelta(minutes=1)


def test_a_sweep_told_to_stop_leaves_the_rest_to_the_next_one(tmp_config: Any, db_url: str) -> None:
    ctx = context(tmp_config(database_url=db_url))
    numbers = five_tickets(ctx)
    result = sweep(ctx, OVERDUE, batch=2, keep_going=lambda: False)  # its lease was lost
    assert len(result.sent) == 4 and sum(overdue_mails(ctx).values()) == 4
    sweep(ctx, OVERDUE + timedelta(minutes=1), batch=2)
    assert overdue_mails(ctx) == twice_each(ctx, numbers)


def test_a_ticket_that_fails_in_one_batch_is_shunted_and_the_other_batches_go_out(
    tmp_config: Any, db_url: str
) -> None:
    ctx = context(tmp_config(database_url=db_url))
    numbers = [
        new_ticket(ctx, T0, text, sender=f"s{i}@stu.example.edu.cn")
        for i, text in enumerate([LETTERS[0], LIBRARY, SCHOLARSHIP])
    ]
    with ctx.db.unit_of_work() as s:
        # A number imported from the old system: no reply token can be made for it.
        s.execute(update(TicketRow).where(TicketRow.number == numbers[0]).values(number="旧-7"))
    result = sweep(ctx, local(2026, 12, 10, 9, 0), batch=1)
    assert {s.ticket for s in result.sent} == set(numbers[1:])
    with ctx.db.unit_of_work() as s:
        assert s.execute(select(ShuntRow.label)).scalars().all() == ["旧-7"]
    assert watermark(ctx) == local(2026, 12, 10, 9, 0)
    assert sweep(ctx, local(2026, 12, 10, 9, 1), batch=1).sent == []


def test_a_long_job_renews_its_lease_between_steps_and_stops_when_taken_over(
    tmp_config: Any, db_url: str
) -> None:
    ctx = context(tmp_config(database_url=db_url))
    now = [T0]
    rt = Runtime(ctx, clock=lambda: now[0])
    ttl = timedelta(seconds=ctx.cfg.settings.queue.source_lease_seconds)
    answers: list[bool] = []

    def expires() -> datetime:
        with ctx.db.unit_of_work() as s:
            return s.execute(
                select(SourceLeaseRow.expires_at).where(SourceLeaseRow.source == "job:sweep")
            ).scalar_one()

    def long_job() -> None:
        now[0] = T0 + 5 * ttl  # a batch took far longer than the lease
        answers.append(rt.keep_job("sweep"))
        assert expires() == now[0] + ttl  # renewed: still this worker's
        with ctx.db.unit_of_work() as s:  # the lease is taken over by another host
            s.execute(update(SourceLeaseRow).values(holder="other-host:1:0000"))
        answers.append(rt.keep_job("sweep"))

    assert rt.run_job("sweep", long_job)
    assert answers == [True, False]
    assert not rt.keep_job("sweep")  # no longer running
