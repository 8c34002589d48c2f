"""The shunt (搁置区) of every stage after ingest, as Mailman's runners have one.

A stage handles its items one transaction each (`handle_each`), or a batch in one transaction
that is done again item by item when it raises (`handle_batch`). An item that raises is set
aside with its exception and traceback — in a transaction of its own, after the item's rolled
back — its stage leaves it out from then on and goes on with the others, and the office gets
one mail about it. `retry_shunt` puts it back (the next pass takes it), `discard_shunt` gives up.

A database that is down or locked is not an item's fault: such errors end the pass (the next
pass simply starts again) instead of setting every item aside.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session

from xinxiang.errors import XinxiangError
from xinxiang.outgoing.office import post_office
from xinxiang.replies.mailer import base_context
from xinxiang.replies.render import render
from xinxiang.store.models_shunt import ShuntRow
from xinxiang.store.shunts import (
    get_shunt,
    mark_resolved,
    record_shunt,
    retried_keys,
    set_aside_keys,
)

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext

log = logging.getLogger(__name__)

R = TypeVar("R")

STAGE_LABELS = {
    "routing": "分类与分办",
    "replies": "答复与办公室邮件指令处理",
    "records": "处理单归档",
    "sweep": "提醒、逾期与督办通知",
    "oa_pull": "OA 来信入库",
    "oa_push": "OA 状态回传",
}
ITEM_LABELS = {"ticket": "工单", "letter": "邮件", "petition": "OA 来信", "oa_update": "OA 更新"}
STATE_LABELS = {"open": "已搁置", "retried": "待重试", "resolved": "已完成", "discarded": "已放弃"}
NOTICE_KIND = "shunt_notice"

TRANSIENT: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)
"""The database itself failing (down, locked): the pass ends, no item is to blame."""


@dataclass(frozen=True, slots=True)
class Item:
    """One item of a stage: its key (unique within the stage) and what the office calls it."""

    key: str
    label: str


def shunt(
    ctx: AppContext, stage: str, item_kind: str, item: Item, exc: BaseException, now: datetime
) -> int:
    """Set `item` aside and tell the office, in a transaction of its own; the shunt's id."""
    for attempt in range(2):
        try:
            with ctx.db.unit_of_work() as session:
                row = record_shunt(
                    session,
                    stage=stage,
                    item_kind=item_kind,
                    item_key=item.key,
                    label=item.label,
                    exc=exc,
                    now=now,
                )
                _tell_office(ctx, session, row, now)
                shunt_id = row.id
            break
        except IntegrityError:
            if attempt:  # another worker recorded it at the same moment: reopen its row
                raise
    log.error(
        "%s: %s %s set aside as shunt %d: %s: %s",
        stage,
        item_kind,
        item.label,
        shunt_id,
        type(exc).__name__,
        exc,
        exc_info=exc,
    )
    return shunt_id


def _tell_office(ctx: AppContext, session: Session, row: ShuntRow, now: datetime) -> None:
    """One mail per shunting (a later failure after a retry is a new one: `attempts`)."""
    stage = STAGE_LABELS.get(row.stage, row.stage)
    item = ITEM_LABELS.get(row.item_kind, row.item_kind)
    text = render(
        "mail/shunt_notice.txt.j2",
        **base_context(ctx),
        shunt=row,
        stage_label=stage,
        item_label=item,
    )
    post_office(
        ctx,
        session,
        key=f"{NOTICE_KIND}:{row.id}:{row.attempts}",
        kind=NOTICE_KIND,
        subject=f"【系统搁置】{stage}：{item} {row.label}",
        text=text,
        now=now,
    )


def set_aside(session: Session, stage: str) -> list[int]:
    """The integer keys (ticket or letter ids) that `stage` leaves out."""
    return sorted(int(k) for k in set_aside_keys(session, stage))


def handle_each(
    ctx: AppContext,
    stage: str,
    item_kind: str,
    items: Iterable[Item],
    handle: Callable[[Session, str], R],
    now: datetime,
    *,
    transient: tuple[type[BaseException], ...] = (),
) -> list[R]:
    """Handle each item in a transaction of its own; shunt those that raise. The results of
    the items that went through, in order. Exceptions in `transient` (a remote system down)
    end the pass instead, as database failures do."""
    stop = TRANSIENT + transient
    with ctx.db.unit_of_work() as session:
        put_back = retried_keys(session, stage)
    results: list[R] = []
    for item in items:
        try:
            with ctx.db.unit_of_work() as session:
                result = handle(session, item.key)
                if item.key in put_back:
                    mark_resolved(session, stage, [item.key], now)
        except stop:
            raise
        except Exception as exc:
            shunt(ctx, stage, item_kind, item, exc, now)
            continue
        results.append(result)
    return results


def handle_batch(
    ctx: AppContext,
    stage: str,
    item_kind: str,
    items: Sequence[Item],
    handle: Callable[[Session, Sequence[str]], R],
    now: datetime,
    *,
    transient: tuple[type[BaseException], ...] = (),
) -> list[R]:
    """Handle all items in one transaction; if that raises, each again in one of its own (see
    `handle_each`). The results of the calls that went through: one for the whole batch, or
    one per item that went through."""
    keys = [i.key for i in items]
    stop = TRANSIENT + transient
    try:
        with ctx.db.unit_of_work() as session:
            result = handle(session, keys)
            mark_resolved(session, stage, keys, now)
        return [result]
    except stop:
        raise
    except Exception as exc:
        if not keys:
            raise
        log.warning("%s: a batch of %d failed (%s); item by item now", stage, len(keys), exc)
    return handle_each(
        ctx,
        stage,
        item_kind,
        items,
        lambda session, key: handle(session, [key]),
        now,
        transient=transient,
    )


def retried_items(ctx: AppContext, stage: str) -> set[str]:
    """Keys of the items of `stage` put back and not gone through yet."""
    with ctx.db.unit_of_work() as session:
        return retried_keys(session, stage)


def resolve(ctx: AppContext, stage: str, keys: Iterable[str], now: datetime) -> None:
    """Record that items put back have gone through `stage`."""
    with ctx.db.unit_of_work() as session:
        mark_resolved(session, stage, keys, now)


# --------------------------------------------------------------------------- the office's side


def _load(session: Session, shunt_id: int) -> ShuntRow:
    row = get_shunt(session, shunt_id)
    if row is None:
        raise XinxiangError(f"没有编号为 {shunt_id} 的搁置项")
    return row


_DECISIONS = {
    # the state decided: (the states it may follow, why not otherwise)
    "retried": (("open", "discarded"), "无需重试"),
    "discarded": (("open", "retried"), "不能放弃"),
}


def _decide(ctx: AppContext, shunt_id: int, state: str, actor: str, now: datetime) -> ShuntRow:
    allowed, refusal = _DECISIONS[state]
    with ctx.db.unit_of_work() as session:
        row = _load(session, shunt_id)
        if row.state not in allowed:
            label = STATE_LABELS.get(row.state, row.state)
            raise XinxiangError(f"搁置项 {shunt_id} 的状态是“{label}”，{refusal}")
        row.state, row.decided_at, row.decided_by = state, now, actor
    return row


def retry_shunt(ctx: AppContext, shunt_id: int, actor: str, now: datetime) -> ShuntRow:
    """Put a shunted item back (重试): the next pass of its stage takes it again."""
    return _decide(ctx, shunt_id, "retried", actor, now)


def discard_shunt(ctx: AppContext, shunt_id: int, actor: str, now: datetime) -> ShuntRow:
    """Give up on a shunted item (放弃): its stage leaves it out for good."""
    return _decide(ctx, shunt_id, "discarded", actor, now)
