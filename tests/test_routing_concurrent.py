"""Specification: two routers at once (the worker's routing process beside a poll, or two
hosts) route every ticket once — never twice, never not at all — on SQLite and PostgreSQL.

Router B reads its batch first; just before B's first write, router A routes everything and
commits. B must then find the tickets routed and leave them (issue #17)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, select

from inbound_helpers import context, letter
from xinxiang.services.ingest import MessageOrigin, ingest_batch
from xinxiang.services.routing import route_received
from xinxiang.store.models import EventRow, OutboxRow, TicketRow

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # Wednesday 10:00 in Beijing

LETTERS = [
    ("食堂饭菜太咸", "二食堂的饭菜最近太咸了，希望改进。"),
    ("宿舍热水器坏了", "12号楼305宿舍热水器坏了一周，请尽快维修。"),
    ("图书馆开放时间", "期末周希望图书馆延长开放时间到晚上十二点。"),
    ("感谢辅导员", "感谢王老师对我们班的关心和帮助。"),
    ("校园网太慢", "晚上校园网经常断线，影响学习，希望尽快解决。"),
]


def _ingest(ctx: Any) -> None:
    batch = [
        (
            letter(subject=s, body=b, sender=f"s{i}@stu.example.edu.cn"),
            MessageOrigin("m", "书记信箱", f"t{i}"),
        )
        for i, (s, b) in enumerate(LETTERS)
    ]
    ingest_batch(ctx, batch, NOW)


def test_two_routers_at_once_route_each_ticket_once(tmp_config, db_url) -> None:  # type: ignore[no-untyped-def]
    cfg_dir = tmp_config(database_url=db_url)
    a, b = context(cfg_dir), context(cfg_dir)
    try:
        _ingest(a)
        routed_by_a: list[int] = []

        # Just before B's first write of its batch (B has read and classified it), A routes,
        # a second later (its mails' keys differ from B's: the outbox would not catch it).
        def a_routes_first(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            if not routed_by_a and statement.lstrip().upper().startswith(("INSERT", "UPDATE")):
                routed_by_a.append(route_received(a, NOW + timedelta(seconds=1)))

        event.listen(b.db.engine, "before_cursor_execute", a_routes_first)
        routed_by_b = route_received(b, NOW)
        event.remove(b.db.engine, "before_cursor_execute", a_routes_first)

        assert routed_by_a, "router A never ran"
        assert routed_by_a[0] + routed_by_b == len(LETTERS)
        with a.db.unit_of_work() as s:
            statuses = list(s.execute(select(TicketRow.status)).scalars())
            classified = Counter(
                s.execute(select(EventRow.ticket_id).where(EventRow.kind == "classified"))
                .scalars()
                .all()
            )
            mails = Counter((r.ticket_id, r.kind) for r in s.execute(select(OutboxRow)).scalars())
        assert "received" not in statuses
        assert sorted(classified.values()) == [1] * len(LETTERS)
        assert all(n == 1 for n in mails.values()), mails
    finally:
        a.close()
        b.close()
