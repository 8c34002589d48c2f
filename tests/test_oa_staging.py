"""Staging pulled petitions in the main database, then making tickets of them.

What a pull keeps for each new petition must be enough to make its ticket later, whatever the
OA calls its fields; and the fast paths of a pull (deferred page decoding, orjson) must give
the same answers as the general ones. Real database (SQLite, and PostgreSQL when reachable),
no HTTP: the petitions are handed to the store the way `pull` hands them.
"""

from __future__ import annotations

import json
import threading
import tomllib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import select

import xinxiang.store.models_oa  # noqa: F401  (its tables join Base.metadata)
from xinxiang.config import load_config
from xinxiang.oa_bridge.adapters import GenericRestAdapter, Page
from xinxiang.oa_bridge.client import OaRequestError, decode_json
from xinxiang.oa_bridge.config import OaSettings, load_oa_for
from xinxiang.oa_bridge.mapping import PetitionKey, content_digest, petition_from_json
from xinxiang.services.context import AppContext
from xinxiang.services.oa_materialize import materialize
from xinxiang.services.oa_store import STAGED, DbPetitionStore
from xinxiang.store.migrate import upgrade
from xinxiang.store.models import LetterRow, TicketRow
from xinxiang.store.models_oa import OaCursorRow, OaPetitionRow

NOW = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)
SAMPLE_OA = Path(__file__).resolve().parents[1] / "config" / "oa.toml"


def contract_item(n: int, **overrides: Any) -> dict[str, Any]:
    """A petition in the contract's shape, as the OA sends it."""
    item: dict[str, Any] = {
        "petition_id": f"XF{n:08d}",
        "title": f"第{n}号 宿舍热水供应不稳定",
        "description": "晚上十点以后经常没有热水，希望后勤尽快检修。",
        "submitted_at": "2025-03-01T08:30:00+08:00",
        "submitter": {"name": "李明", "phone": "13800000000", "email": "LiMing@Stu.Example.edu.cn"},
        "anonymous": False,
        "public_consent": True,
        "service_code": "HQBZ",
        "attachments": [],
        "updated_at": f"2025-03-01T09:{n % 60:02d}:00+08:00",
        "status": "received",
    }
    item.update(overrides)
    return item


VENDOR_NAMES = {"petition_id": "requestid", "title": "requestname", "description": "content"}


def vendor_item(n: int) -> dict[str, Any]:
    """The same petition from an OA that names three fields its own way."""
    item = contract_item(n)
    for ours, theirs in VENDOR_NAMES.items():
        item[theirs] = item.pop(ours)
    return item


@pytest.fixture
def ctx(
    tmp_config: Callable[..., Path], db_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[AppContext]:
    monkeypatch.setenv("XINXIANG_OA_SECRET", "staging-test-secret")
    cfg = load_config(tmp_config(database_url=db_url))
    context = AppContext(cfg)
    upgrade(context.db)
    try:
        yield context
    finally:
        context.close()


def vendor_settings(settings: OaSettings) -> OaSettings:
    data = settings.model_dump()
    data["fields"].update(VENDOR_NAMES)
    return OaSettings.model_validate(data)


def stage(ctx: AppContext, settings: OaSettings, items: list[dict[str, Any]]) -> None:
    """Hand the items to the store as one page, as `pull` does, and save the cursor."""
    store = DbPetitionStore(ctx, settings, NOW)
    try:
        petitions = [petition_from_json(i, settings) for i in items]
        assert [store.upsert_petition(p) for p in petitions] == ["created"] * len(items)
        store.set_cursor(max(p.key for p in petitions))
    finally:
        store.close()


def staged_rows(ctx: AppContext) -> list[OaPetitionRow]:
    with ctx.db.unit_of_work() as s:
        rows = list(s.execute(select(OaPetitionRow).order_by(OaPetitionRow.petition_id)).scalars())
        s.expunge_all()
        return rows


def subjects(ctx: AppContext) -> list[str]:
    with ctx.db.unit_of_work() as s:
        return list(
            s.execute(
                select(LetterRow.subject)
                .join(TicketRow, TicketRow.letter_id == LetterRow.id)
                .order_by(LetterRow.subject)
            ).scalars()
        )


def test_a_contract_shaped_item_is_kept_as_received_and_becomes_a_ticket(ctx: AppContext) -> None:
    """The staged document is the OA's item itself (an extra vendor key included); the digest
    is computed when the ticket is made, and equals the petition's content hash."""
    settings = load_oa_for(ctx.cfg)
    items = [contract_item(1, x_vendor_note="内部备注"), contract_item(2)]
    stage(ctx, settings, items)
    rows = staged_rows(ctx)
    assert [r.state for r in rows] == [STAGED, STAGED]
    assert [r.content_hash for r in rows] == [None, None]
    assert [json.loads(r.raw_json or "") for r in rows] == items
    pulled = [petition_from_json(i, settings) for i in items]
    assert [r.updated_at for r in rows] == [p.updated_at for p in pulled]
    assert {(r.first_seen_at, r.last_seen_at, r.versions) for r in rows} == {(NOW, NOW, 1)}

    assert materialize(ctx, settings, NOW) == 2
    rows = staged_rows(ctx)
    expected = [petition_from_json(i, settings).content_hash() for i in items]
    assert [r.content_hash for r in rows] == expected
    assert all(r.ticket_id is not None and r.raw_json is None for r in rows)
    assert subjects(ctx) == ["第1号 宿舍热水供应不稳定", "第2号 宿舍热水供应不稳定"]


def test_a_vendor_shaped_item_is_kept_in_the_contract_shape(ctx: AppContext) -> None:
    """An OA with its own field names: what is staged is the contract's JSON, which
    `materialize` reads whatever the configured names are."""
    settings = vendor_settings(load_oa_for(ctx.cfg))
    stage(ctx, settings, [vendor_item(7)])
    (row,) = staged_rows(ctx)
    doc = json.loads(row.raw_json or "")
    assert doc["petition_id"] == "XF00000007" and "requestid" not in doc

    assert materialize(ctx, settings, NOW) == 1
    assert subjects(ctx) == ["第7号 宿舍热水供应不稳定"]


def test_a_staged_petition_edited_again_before_its_ticket_keeps_the_newest_version(
    ctx: AppContext,
) -> None:
    """A status-only change of a staged petition is 'unchanged'; a content change replaces the
    staged document; the ticket is made from the newest one."""
    settings = load_oa_for(ctx.cfg)
    stage(ctx, settings, [contract_item(3)])
    store = DbPetitionStore(ctx, settings, NOW)
    try:
        later = contract_item(3, updated_at="2025-03-02T09:00:00+08:00", status="accepted")
        assert store.upsert_petition(petition_from_json(later, settings)) == "unchanged"
        edited = contract_item(3, updated_at="2025-03-02T10:00:00+08:00", title="热水问题补充")
        assert store.upsert_petition(petition_from_json(edited, settings)) == "updated"
        store.set_cursor(PetitionKey(datetime(2025, 3, 2, 2, tzinfo=UTC), "XF00000003"))
    finally:
        store.close()
    (row,) = staged_rows(ctx)
    assert row.versions == 2
    assert row.content_hash == content_digest(orjson.loads(row.raw_json or ""))  # canonical now
    assert materialize(ctx, settings, NOW) == 1
    assert subjects(ctx) == ["热水问题补充"]


def test_the_cursor_row_is_written_once_and_then_moved(ctx: AppContext) -> None:
    """`set_cursor` inserts the cursor on the first page and updates it on the next ones."""
    settings = load_oa_for(ctx.cfg)
    stage(ctx, settings, [contract_item(1)])
    stage(ctx, settings, [contract_item(2)])
    with ctx.db.unit_of_work() as s:
        cursors = list(s.execute(select(OaCursorRow.petition_id)).scalars())
    assert cursors == ["XF00000002"]


def test_a_deferred_page_is_mapped_once_in_the_thread_that_reads_it() -> None:
    """The prefetch thread only receives; the first reader maps, later reads reuse it. Where
    the page ends is known before mapping (the next request needs it)."""
    calls: list[str] = []
    end = PetitionKey(NOW, "XF00000009")

    def decode() -> tuple[Any, ...]:
        calls.append(threading.current_thread().name)
        return ()

    page = Page.deferred(decode, total=0, exhausted=True, last_key=end)
    assert (page.last_key, page.total, page.exhausted, calls) == (end, 0, True, [])
    reader = threading.Thread(target=lambda: page.entries, name="reader")
    reader.start()
    reader.join()
    assert page.entries == ()
    assert calls == ["reader"]


def test_the_last_key_of_a_raw_page_is_the_key_its_entries_get() -> None:
    """Read from the raw items without mapping them: the same keys mapping gives, unreadable
    items skipped, the highest wins even out of order."""
    settings = OaSettings.model_validate(tomllib.loads(SAMPLE_OA.read_text("utf-8")))
    adapter = GenericRestAdapter(None, settings)  # type: ignore[arg-type]  # no HTTP here
    items: list[Any] = [
        contract_item(5, updated_at="2025-03-01T09:00:00+08:00"),
        contract_item(7, updated_at="2025-03-01T10:00:00+08:00"),
        contract_item(6, updated_at="2025-03-01T09:30:00+08:00"),
        {"petition_id": "XF99", "updated_at": "yesterday"},
        "not an object",
    ]
    entries = adapter._map(items)
    assert adapter._last_key(items) == Page(tuple(entries), None, True).last_key
    assert adapter._last_key(items) == PetitionKey(
        datetime(2025, 3, 1, 2, tzinfo=UTC), "XF00000007"
    )


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        ('{"items": [], "note": "中文"}'.encode(), {"content-type": "application/json"}),
        (
            '{"items": [], "note": "中文"}'.encode("utf-16"),
            {"content-type": "application/json; charset=utf-16"},
        ),
    ],
    ids=["utf-8 (orjson)", "utf-16 (httpx's decoder)"],
)
def test_json_bodies_decode_whatever_their_charset(body: bytes, headers: dict[str, str]) -> None:
    resp = httpx.Response(200, content=body, headers=headers)
    assert decode_json(resp, "GET", "/api/v1/petitions") == {"items": [], "note": "中文"}


def test_a_body_that_is_not_json_is_a_clear_request_error() -> None:
    resp = httpx.Response(200, content=b"<html>502 Bad Gateway</html>")
    with pytest.raises(OaRequestError, match="bad_json"):
        decode_json(resp, "GET", "/api/v1/petitions")
