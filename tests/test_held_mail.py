"""Specification of the office's decision on held mail (暂存邮件, issue #12).

Mail past the hourly cap to an outside address is held, never lost; the office lists it,
releases it (it is then sent, the cap notwithstanding) or discards it (kept, never sent); each
decision is recorded on the ticket; deciding a mail that is not held changes nothing and says
why in one line.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from inbound_helpers import context
from test_outgoing_door import LETTERS
from test_routing import NOW, take
from xinxiang.cli import main
from xinxiang.replies.transport import transport_for
from xinxiang.services.context import AppContext
from xinxiang.services.outbox import send_due
from xinxiang.store.models import EventRow, OutboxRow

OUTSIDER = "stranger@qq.com"


@pytest.fixture
def ctx(tmp_config: Any, db_url: str) -> Iterator[AppContext]:
    c = context(
        tmp_config(
            database_url=db_url,
            overrides={
                "outgoing": {"outside_per_hour": 1},
                "ack": {"max_per_sender_per_hour": 10},
                "dispatch": {"flood_letters_per_hour": 50},
            },
        )
    )
    for i, (subject, body) in enumerate(LETTERS):
        take(c, subject, body, sender=OUTSIDER, at=NOW + timedelta(minutes=i))
    yield c
    c.close()


def _rows(ctx: AppContext, state: str) -> list[OutboxRow]:
    with ctx.db.unit_of_work() as s:
        return list(
            s.execute(
                select(OutboxRow).where(
                    OutboxRow.state == state, OutboxRow.recipient_key == OUTSIDER
                )
            ).scalars()
        )


def _events(ctx: AppContext, kind: str) -> list[EventRow]:
    with ctx.db.unit_of_work() as s:
        return list(s.execute(select(EventRow).where(EventRow.kind == kind)).scalars())


def cli(ctx: AppContext, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main([*args, "-c", str(ctx.cfg.directory)])
    out, err = capsys.readouterr()
    return code, out + err


def test_the_office_lists_and_releases_held_mail_which_is_then_sent(
    ctx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    held = _rows(ctx, "held")
    assert len(held) >= 2
    code, out = cli(ctx, capsys, "outbox", "held")
    assert code == 0
    assert all(str(r.id) in out for r in held) and OUTSIDER in out
    code, out = cli(ctx, capsys, "outbox", "release", "--address", OUTSIDER.upper())
    assert code == 0 and f"已放行 {len(held)} 封" in out
    assert _rows(ctx, "held") == []
    released = _events(ctx, "mail_released")
    assert len(released) == len(held)
    assert {e.actor for e in released} == {"cli:党政办公室"}
    send_due(ctx, transport_for(ctx.cfg), NOW + timedelta(minutes=30))
    sent_ids = {r.id for r in _rows(ctx, "sent")}
    assert {r.id for r in held} <= sent_ids, "released mail goes out despite the cap"
    code, out = cli(ctx, capsys, "outbox", "held")
    assert code == 0 and "没有暂存的邮件" in out


def test_discarded_mail_is_kept_and_never_sent(
    ctx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    first, *rest = _rows(ctx, "held")
    code, out = cli(ctx, capsys, "outbox", "discard", str(first.id))
    assert code == 0 and "已放弃 1 封" in out
    send_due(ctx, transport_for(ctx.cfg), NOW + timedelta(minutes=30))
    assert [r.id for r in _rows(ctx, "discarded")] == [first.id]
    assert len(_rows(ctx, "held")) == len(rest)
    assert len(_events(ctx, "mail_discarded")) == 1


@pytest.mark.parametrize(
    "args, words",
    [
        (("release", "999999"), "没有编号为 999999 的发件记录"),
        (("release",), "请给出暂存邮件编号"),
        (("discard", "--address", "nobody@qq.com"), "没有发往 nobody@qq.com 的暂存邮件"),
    ],
)
def test_a_wrong_request_changes_nothing_and_says_why_in_one_line(
    ctx: AppContext, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], words: str
) -> None:
    before = len(_rows(ctx, "held"))
    code, out = cli(ctx, capsys, "outbox", *args)
    assert code != 0 and words in out and "Traceback" not in out
    assert len(_rows(ctx, "held")) == before


def test_a_mail_no_longer_held_is_not_decided_again_and_nothing_else_changes(
    ctx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b, *_ = _rows(ctx, "held")
    assert cli(ctx, capsys, "outbox", "release", str(a.id))[0] == 0
    code, out = cli(ctx, capsys, "outbox", "discard", str(b.id), str(a.id))
    assert code != 0 and f"发件记录 {a.id} 不是暂存状态" in out
    assert b.id in {r.id for r in _rows(ctx, "held")}, "all or nothing"
