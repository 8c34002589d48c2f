"""A routing batch's writes (`store.write_batch`, issue #17), on SQLite and PostgreSQL: the
changed tickets written as one UPDATE per set of changed columns at the batch's end, events
and outbox rows inserted in their order (COPY on PostgreSQL) with the values the ORM would
have written, and the outbox keys a batch knows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, select, text

from inbound_helpers import context, letter
from xinxiang.handlers.repository import TicketRepository
from xinxiang.services.ingest import MessageOrigin, ingest_batch
from xinxiang.store.models import EventRow, OutboxRow, TicketRow
from xinxiang.store.repo import add_event, count_mail_to, count_recent_mail, enqueue_mail
from xinxiang.store.write_batch import WriteBatch, write_batch

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


def _tickets(ctx: Any, n: int) -> None:
    ingest_batch(
        ctx,
        [
            (
                letter(
                    subject=f"来信{i}", body=f"第{i}封信的内容。", sender=f"s{i}@stu.example.edu.cn"
                ),
                MessageOrigin("m", "书记信箱", f"t{i}"),
            )
            for i in range(n)
        ],
        NOW,
    )


def test_a_batch_writes_what_the_orm_would_in_fewer_statements(tmp_config, db_url) -> None:  # type: ignore[no-untyped-def]
    ctx = context(tmp_config(database_url=db_url))
    try:
        _tickets(ctx, 5)
        updates: list[int] = []

        def seen(conn: Any, cursor: Any, statement: str, params: Any, *args: Any) -> None:
            if statement.lstrip().upper().startswith("UPDATE TICKETS"):
                updates.append(len(params) if isinstance(params, list) else 1)

        event.listen(ctx.db.engine, "before_cursor_execute", seen)
        with ctx.db.unit_of_work() as s:
            tickets = list(s.execute(select(TicketRow).order_by(TicketRow.id)).scalars())
            with write_batch(s, tickets):
                for i, t in enumerate(tickets):
                    # alternating sets of changed columns: the ORM would split them in runs
                    t.status = "triage"
                    if i % 2:
                        t.urgency = "priority"
                    t.classification = {"i": i, "名": "分类", "p": 0.25}
                    add_event(s, t.id, NOW, "system", "classified", i=i, text="中文")
                    enqueue_mail(
                        s,
                        dedupe_key=f"dispatch:{t.number}:x",
                        message_id=f"<m{i}@example>",
                        kind="dispatch",
                        sender="office@example.edu.cn",
                        recipients=[f"a{i}@example.edu.cn"],
                        raw=None,
                        parts={"text": f"正文{i}"},
                        now=NOW + timedelta(seconds=i),
                        ticket_id=t.id,
                    )
                    # a ticket read by its number mid-batch does not write the others early
                    TicketRepository(s).get(tickets[0].number)
                assert s.dirty, "the changed tickets wait for the batch's end"
            assert not s.dirty
        event.remove(ctx.db.engine, "before_cursor_execute", seen)
        assert sorted(updates) == [2, 3], updates  # one UPDATE per set of changed columns

        with ctx.db.unit_of_work() as s:
            rows = list(s.execute(select(TicketRow).order_by(TicketRow.id)).scalars())
            assert [r.status for r in rows] == ["triage"] * 5
            assert [r.urgency for r in rows][1::2] == ["priority", "priority"]
            assert [r.classification for r in rows] == [
                {"i": i, "名": "分类", "p": 0.25} for i in range(5)
            ]
            events = list(
                s.execute(
                    select(EventRow).where(EventRow.kind == "classified").order_by(EventRow.id)
                ).scalars()
            )
            assert [e.data for e in events] == [{"i": i, "text": "中文"} for i in range(5)]
            assert [e.at for e in events] == [NOW] * 5
            mails = list(
                s.execute(
                    select(OutboxRow).where(OutboxRow.kind == "dispatch").order_by(OutboxRow.id)
                ).scalars()
            )
            assert [m.recipients for m in mails] == [[f"a{i}@example.edu.cn"] for i in range(5)]
            assert [m.parts for m in mails] == [{"text": f"正文{i}"} for i in range(5)]
            assert [m.created_at for m in mails] == [NOW + timedelta(seconds=i) for i in range(5)]
            assert [(m.state, m.attempts, m.raw) for m in mails] == [("pending", 0, None)] * 5
        # the JSON text the ORM writes for the same values, outside a batch
        with ctx.db.unit_of_work() as s:
            add_event(s, rows[0].id, NOW, "system", "reference", i=0, text="中文")
        with ctx.db.unit_of_work() as s:
            as_text = "SELECT CAST(data AS TEXT) FROM events WHERE kind = :k ORDER BY id"
            batch_text = s.execute(text(as_text), {"k": "classified"}).scalars().first()
            orm_text = s.execute(text(as_text), {"k": "reference"}).scalar_one()
            assert batch_text == orm_text
    finally:
        ctx.close()


def test_a_batch_rolled_back_leaves_nothing(tmp_config, db_url) -> None:  # type: ignore[no-untyped-def]
    ctx = context(tmp_config(database_url=db_url))
    try:
        _tickets(ctx, 2)
        try:
            with ctx.db.unit_of_work() as s:
                tickets = list(s.execute(select(TicketRow).order_by(TicketRow.id)).scalars())
                with write_batch(s, tickets):
                    for t in tickets:
                        t.status = "triage"
                        add_event(s, t.id, NOW, "system", "classified")
                raise RuntimeError("after the batch, before the commit")
        except RuntimeError:
            pass
        with ctx.db.unit_of_work() as s:
            assert set(s.execute(select(TicketRow.status)).scalars()) == {"received"}
            kinds = set(s.execute(select(EventRow.kind)).scalars())
            assert "classified" not in kinds
    finally:
        ctx.close()


def test_a_key_and_its_coalesced_copies_are_known_without_a_scan() -> None:
    batch = WriteBatch(frozenset({"XX-1"}), {"dispatch:XX-1:a>x@e.cn", "k>a>b", "plain:XX-1:z"})
    assert batch.key_taken("dispatch:XX-1:a", or_coalesced=True)
    assert not batch.key_taken("dispatch:XX-1:a", or_coalesced=False)
    assert batch.key_taken("k", or_coalesced=True) and batch.key_taken("k>a", or_coalesced=True)
    assert not batch.key_taken("k>a>", or_coalesced=True)
    assert not batch.key_taken("dispatch:XX-1", or_coalesced=True)
    assert batch.key_taken("plain:XX-1:z", or_coalesced=False)
    batch.know(["new:XX-1:q>y@e.cn"])
    assert batch.key_taken("new:XX-1:q", or_coalesced=True)


def test_counts_inside_a_batch_equal_the_database_s_after_it(tmp_config, db_url) -> None:  # type: ignore[no-untyped-def]
    """An address counted for two sets of kinds in one batch: each count holds the batch's
    unwritten rows once (the second count read must not add them again to the first)."""
    ctx = context(tmp_config(database_url=db_url))
    since = NOW - timedelta(hours=1)
    addr = "dept@example.edu.cn"
    try:
        _tickets(ctx, 3)
        inside: list[tuple[int, int]] = []
        with ctx.db.unit_of_work() as s:
            tickets = list(s.execute(select(TicketRow).order_by(TicketRow.id)).scalars())
            with write_batch(s, tickets, prefetch=frozenset({addr})):
                for i, t in enumerate(tickets):
                    enqueue_mail(
                        s,
                        dedupe_key=f"dispatch:{t.number}:c",
                        message_id=f"<c{i}@example>",
                        kind="dispatch" if i % 2 == 0 else "reminder",
                        sender="office@example.edu.cn",
                        recipients=[addr],
                        raw=None,
                        parts={"text": f"正文{i}"},
                        now=NOW + timedelta(seconds=i),
                        ticket_id=t.id,
                    )
                    # the door asks both counts for the same address, in this order
                    inside.append(
                        (
                            count_mail_to(s, addr, since),
                            count_recent_mail(s, ["dispatch"], addr, since),
                        )
                    )
        with ctx.db.unit_of_work() as s:
            after = (
                count_mail_to(s, addr, since),
                count_recent_mail(s, ["dispatch"], addr, since),
            )
        assert inside[-1] == after == (3, 2), (inside, after)
        assert inside == [(1, 1), (2, 1), (3, 2)]
    finally:
        ctx.close()
