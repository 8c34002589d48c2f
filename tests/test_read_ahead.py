"""Specification of reading letters ahead where ingest prepares them (issue #17).

Ingest prepares big batches in worker processes; with the models the main process fitted
(`classify.batch.fitted_models`, handed over when the pool starts) they also make the second
reader's danger and department readings of each new letter, which the main process keeps
(`ReadAhead`) until routing takes them instead of reading the letters itself. That is only a
change of where the work is done: every ticket gets exactly the classification it gets without
(probabilities and evidence included), a reading is used only for the very text it was made of,
and a process that ingests without routing keeps a bounded number of them.
"""

from __future__ import annotations

import mailbox
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from conftest import TmpConfig
from test_classify_batch import LETTERS, SETTINGS
from xinxiang.classify.batch import (
    ReadAhead,
    classify_batch,
    fit_models,
    read_ahead,
    used_models,
)
from xinxiang.classify.engine import classify_letter
from xinxiang.classify.reader import Reading, shipped_reader
from xinxiang.config import load_config
from xinxiang.samples import iter_sample_letters
from xinxiang.services.context import AppContext
from xinxiang.services.poll import import_source
from xinxiang.services.prepare import (
    POOL_THRESHOLD,
    MessageOrigin,
    PreparePool,
    PrepareSettings,
    default_workers,
)
from xinxiang.services.routing import route_received
from xinxiang.store.migrate import upgrade
from xinxiang.store.models import AttachmentRow, LetterRow, TicketRow
from xinxiang.store.repo import letter_from_row


@pytest.mark.parametrize("name", list(SETTINGS))
def test_letters_read_ahead_are_classified_as_without(name: str) -> None:
    rules = SETTINGS[name]
    fit_models(rules)
    ahead = ReadAhead()
    ahead.add(x for x in read_ahead(LETTERS, *used_models(rules)) if x is not None)
    held = len(ahead)
    assert held == 0 or any(used_models(rules))
    assert classify_batch(LETTERS, rules, ahead=ahead) == classify_batch(LETTERS, rules)
    assert len(ahead) == 0  # taken by the batch that used them


def test_a_reading_is_used_only_for_its_own_text() -> None:
    rules = SETTINGS["shipped"]
    fit_models(rules)
    wrong = Reading("1", 0.999, ("假的",))
    ahead = ReadAhead()
    ahead.add([("另一封信的文字，与这一批的任何一封都不相同", wrong, wrong)])
    assert classify_batch(LETTERS, rules, ahead=ahead) == classify_batch(LETTERS, rules)
    assert len(ahead) == 1


def test_the_store_keeps_at_most_its_limit_the_oldest_dropped() -> None:
    r = Reading("0", 0.1, ())
    ahead = ReadAhead(limit=3)
    ahead.add((f"信{i}", r, None) for i in range(5))
    assert len(ahead) == 3
    assert ahead.take(["信0", "信1"]) == {}
    assert ahead.take(["信2", "信4"]) == {"信2": (r, None), "信4": (r, None)}
    assert len(ahead) == 1


def test_no_model_no_reading_ahead() -> None:
    rules = SETTINGS["rules alone"]
    assert used_models(rules) == (False, False)
    assert read_ahead(LETTERS, *used_models(rules)) == [None] * len(LETTERS)


@pytest.mark.skipif(default_workers() == 0, reason="no worker processes on one CPU")
def test_a_poll_reads_ahead_in_its_workers_and_routing_takes_the_readings(
    tmp_path: Path, tmp_config: TmpConfig
) -> None:
    box = mailbox.Maildir(str(tmp_path / "mail"), create=True)
    for raw in iter_sample_letters(POOL_THRESHOLD + 6, seed=3):
        box.add(raw)
    cfg_dir = tmp_config(
        maildir=tmp_path / "mail",
        database_url=f"sqlite:///{tmp_path / 'x.db'}",
        overrides={"queue": {"read_ahead": True}},
    )
    ctx = AppContext(load_config(cfg_dir))
    try:
        ctx.cfg.data_dir.mkdir(parents=True, exist_ok=True)
        upgrade(ctx.db)
        fit_models(ctx.rules)  # as the worker does at start: the pool gets the models
        now = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
        result = import_source(ctx, "maildir", lambda: now)
        assert result.created == POOL_THRESHOLD + 6
        assert len(ctx.read_ahead) >= result.created - 3  # (a very short letter is not read)
        assert route_received(ctx, now) == result.created
        assert len(ctx.read_ahead) == 0
        with ctx.db.unit_of_work() as s:
            for ticket in s.execute(select(TicketRow)).scalars():
                row = s.get_one(LetterRow, ticket.letter_id)
                files = list(
                    s.execute(
                        select(AttachmentRow).where(AttachmentRow.letter_id == row.id)
                    ).scalars()
                )
                alone = classify_letter(letter_from_row(row, files), ctx.rules)
                assert ticket.classification == alone.to_json()
    finally:
        ctx.close()


def test_reading_ahead_can_be_turned_off(tmp_config: TmpConfig) -> None:
    on = AppContext(load_config(tmp_config(overrides={"queue": {"read_ahead": True}})))
    off = AppContext(load_config(tmp_config()))  # off unless asked for
    try:
        expected = used_models(on.rules) if default_workers() > 0 else (False, False)
        assert on.prepare_settings.read_ahead == expected
        assert off.prepare_settings.read_ahead == (False, False)
    finally:
        on.close()
        off.close()


@pytest.mark.skipif(default_workers() == 0, reason="no worker processes on one CPU")
def test_a_pool_started_before_the_models_were_fitted_gets_them_once_they_are(
    tmp_path: Path,
) -> None:
    settings = PrepareSettings(
        blob_root=str(tmp_path / "blobs"),
        own_addresses=frozenset({"xinxiang@example.edu.cn"}),
        msgid_domain="xinxiang.example.edu.cn",
        reply_base="xinxiang@example.edu.cn",
        registered_addresses=frozenset(),
        max_attachment_bytes=10**7,
        read_ahead=(False, True),
    )
    items = [
        (raw, MessageOrigin("maildir", "书记校长信箱", f"maildir:{i}"))
        for i, raw in enumerate(iter_sample_letters(POOL_THRESHOLD, seed=5))
    ]
    reader = shipped_reader()
    fitted = reader.department  # fitted here; hidden for the first pool
    pool = PreparePool(2)
    try:
        del vars(reader)["department"]
        try:
            first = [p for f in pool.submit(settings, items) for p in f.result()]
        finally:
            vars(reader)["department"] = fitted
        assert all(p.ahead is None for p in first)
        again = [p for f in pool.submit(settings, items) for p in f.result()]
    finally:
        pool.close()
    made = [p.ahead for p in again if p.ahead is not None]
    assert len(made) >= len(items) - 3
    texts = [text for text, _, _ in made]
    assert [(d, p) for _, d, p in made] == [(None, r) for r in reader.read_department_many(texts)]
