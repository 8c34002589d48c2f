"""The shunt (搁置区) of every stage, as Mailman's runners have one: a poison item planted in a
stage is set aside with its error, every other item goes through, the office is told once, the
item shows in `xinxiang shunt list`, and `xinxiang shunt retry` after the fix completes it.
Each test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import email
import email.policy
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, update

from inbound_helpers import context, letter
from replies_helpers import HQC, OFFICE, qq_reply
from xinxiang.cli import main
from xinxiang.handlers.documents import RECORD_EVENT
from xinxiang.oa_bridge.config import load_oa_for
from xinxiang.oa_bridge.mapping import PetitionAttachment, petition_from_json
from xinxiang.oa_bridge.sim_faults import Faults
from xinxiang.oa_bridge.simulator import OaSimulator
from xinxiang.replies.mailer import flatten_parts
from xinxiang.services.context import AppContext
from xinxiang.services.ingest import MessageOrigin, ingest_batch
from xinxiang.services.oa_materialize import materialize
from xinxiang.services.oa_store import DbPetitionStore
from xinxiang.services.oa_tasks import oa_push
from xinxiang.services.records import refresh_records
from xinxiang.services.replies import process_pending_replies
from xinxiang.services.routing import route_received
from xinxiang.services.sweep import sweep
from xinxiang.store.models import AttachmentRow, Base, EventRow, LetterRow, OutboxRow, TicketRow
from xinxiang.store.models_oa import OaOutboxRow, OaPetitionRow
from xinxiang.store.models_shunt import ShuntRow
from xinxiang.store.repo import add_event

NOW = datetime(2026, 11, 24, 2, 30, tzinfo=UTC)  # a Tuesday, 10:30 in Beijing
SENDERS = ("s1@stu.example.edu.cn", "s2@stu.example.edu.cn", "s3@stu.example.edu.cn")
PHOTO = b"\xff\xd8\xff\xe0 a photo of the broken water heater \xff\xd9"


@dataclass
class Env:
    ctx: AppContext
    cfg_dir: Path
    capsys: pytest.CaptureFixture[str]

    def cli(self, *args: str) -> tuple[int, str, str]:
        self.capsys.readouterr()
        code = main([*args, "-c", str(self.cfg_dir)])
        out, err = self.capsys.readouterr()
        return code, out, err

    def scalars(self, stmt: Any) -> list[Any]:
        with self.ctx.db.unit_of_work() as s:
            return list(s.execute(stmt).scalars())

    def shunts(self) -> list[ShuntRow]:
        return self.scalars(select(ShuntRow).order_by(ShuntRow.id))

    def office_notices(self) -> list[OutboxRow]:
        return self.scalars(select(OutboxRow).where(OutboxRow.kind == "shunt_notice"))

    def tickets(self) -> dict[str, TicketRow]:
        return {t.petitioner_addr: t for t in self.scalars(select(TicketRow))}


@pytest.fixture
def env(tmp_config: Any, db_url: str, capsys: pytest.CaptureFixture[str]) -> Iterator[Env]:
    ctx = context(tmp_config(database_url=db_url))
    yield Env(ctx, ctx.cfg.directory, capsys)
    ctx.close()


def with_photo(raw: bytes) -> bytes:
    m = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(m, EmailMessage)
    m.add_attachment(PHOTO, maintype="image", subtype="jpeg", filename="热水器.jpg")
    return bytes(m)


def receive(env: Env, raws: list[bytes], at: datetime = NOW) -> None:
    """Ingest only (tickets wait in `received`, or reply letters wait to be handled)."""
    ingest_batch(
        env.ctx,
        [(raw, MessageOrigin("m", "书记信箱", f"t{i}")) for i, raw in enumerate(raws)],
        at,
    )


def three_letters(env: Env) -> None:
    receive(
        env,
        [
            letter(
                subject="宿舍热水问题",
                body=f"{n}号楼宿舍热水已经三天没有了，请尽快处理。",
                sender=s,
            )
            if i != 1
            else with_photo(
                letter(subject="宿舍热水问题", body="5号楼热水器坏了，见照片。", sender=s)
            )
            for i, (n, s) in enumerate(zip((3, 5, 7), SENDERS, strict=True))
        ],
    )


def routed(env: Env) -> dict[str, TicketRow]:
    three_letters(env)
    assert route_received(env.ctx, NOW) == 3
    return env.tickets()


def assert_told_once(env: Env, shunt: ShuntRow, what: str) -> None:
    notices = env.office_notices()
    assert [tuple(n.recipients) for n in notices] == [(OFFICE,)]
    text = email.message_from_bytes(notices[0].raw, policy=email.policy.default)
    assert isinstance(text, EmailMessage)
    body = text.get_body(("plain",))
    assert body is not None
    content = body.get_content()
    assert "搁置" in str(text["Subject"]) and what in str(text["Subject"])
    assert f"xinxiang shunt retry {shunt.id}" in content


def listed(env: Env, shunt: ShuntRow) -> None:
    code, out, _ = env.cli("shunt", "list")
    assert code == 0 and shunt.label in out and "已搁置" in out
    code, out, _ = env.cli("shunt", "show", str(shunt.id))
    assert code == 0 and shunt.exc_type in out and "Traceback" in out


def retry(env: Env, shunt: ShuntRow) -> None:
    code, out, _ = env.cli("shunt", "retry", str(shunt.id))
    assert code == 0 and "重试" in out


def test_migrations_match_the_shunt_model(env: Env) -> None:
    with env.ctx.db.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in diffs if "shunts" in repr(d)] == []


def test_routing_shunts_a_ticket_whose_attachment_is_gone_and_routes_the_others(env: Env) -> None:
    three_letters(env)
    photo = env.scalars(select(AttachmentRow))[0]
    assert photo.sha256 is not None
    env.ctx.blobs.path_for(photo.sha256).unlink()  # the dispatch mail cannot attach it

    assert route_received(env.ctx, NOW) == 2
    tickets = env.tickets()
    assert [tickets[s].status for s in SENDERS] == ["dispatched", "received", "dispatched"]
    [shunt] = env.shunts()
    poison = tickets[SENDERS[1]]
    assert (shunt.stage, shunt.item_key, shunt.label) == ("routing", str(poison.id), poison.number)
    assert shunt.exc_type == "builtins.FileNotFoundError" and shunt.state == "open"
    assert_told_once(env, shunt, poison.number)

    # Later passes leave it out: no second failure, no second mail, nothing blocked.
    receive(env, [letter(subject="食堂饭菜太贵", body="二食堂饭菜价格上涨。", sender="s4@x.cn")])
    assert route_received(env.ctx, NOW + timedelta(minutes=1)) == 1
    assert [s.attempts for s in env.shunts()] == [1] and len(env.office_notices()) == 1
    listed(env, shunt)

    env.ctx.blobs.put(PHOTO)  # the fix: the file is restored from the backup
    retry(env, shunt)
    assert route_received(env.ctx, NOW + timedelta(minutes=2)) == 1
    assert env.tickets()[SENDERS[1]].status == "dispatched"
    assert [s.state for s in env.shunts()] == ["resolved"]
    code, out, _ = env.cli("shunt", "list")
    assert code == 0 and poison.number not in out


def dispatch_mail(env: Env, ticket: TicketRow) -> EmailMessage:
    """The dispatch mail as sent (it is queued as its parts, flattened when sent)."""
    [row] = env.scalars(
        select(OutboxRow).where(OutboxRow.ticket_id == ticket.id, OutboxRow.kind == "dispatch")
    )
    assert row.raw is None and row.parts is not None
    raw = flatten_parts(env.ctx, row.parts)
    m = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(m, EmailMessage)
    return m


def test_replies_shunt_a_reply_whose_stored_mail_is_gone_and_handle_the_later_ones(
    env: Env,
) -> None:
    tickets = routed(env)
    answers = []
    for s in SENDERS:
        original = dispatch_mail(env, tickets[s])
        answers.append(
            qq_reply(HQC, str(original["Reply-To"]), str(original["Subject"]), "受理", original)
        )
    receive(env, answers, NOW + timedelta(hours=1))
    replies = env.scalars(select(LetterRow).where(LetterRow.kind == "reply").order_by(LetterRow.id))
    assert len(replies) == 3
    poison = replies[0]  # the oldest: it used to block every later reply
    raw_path = env.ctx.blobs.path_for(poison.raw_sha256, ".eml")
    raw = raw_path.read_bytes()
    raw_path.unlink()

    outcomes = process_pending_replies(env.ctx, NOW + timedelta(hours=1))
    assert [o.status for o in outcomes] == ["recorded", "recorded"]
    assert [env.tickets()[s].status for s in SENDERS] == ["dispatched", "accepted", "accepted"]
    [shunt] = env.shunts()
    assert (shunt.stage, shunt.item_kind, shunt.item_key) == ("replies", "letter", str(poison.id))
    assert HQC in shunt.label
    assert_told_once(env, shunt, HQC)
    assert process_pending_replies(env.ctx, NOW + timedelta(hours=2)) == []
    assert len(env.office_notices()) == 1
    listed(env, shunt)

    env.ctx.blobs.put(raw, ".eml")
    retry(env, shunt)
    [outcome] = process_pending_replies(env.ctx, NOW + timedelta(hours=3))
    assert outcome.status == "recorded" and env.tickets()[SENDERS[0]].status == "accepted"
    assert [s.state for s in env.shunts()] == ["resolved"]


def test_record_archiving_shunts_a_ticket_whose_record_cannot_be_made(env: Env) -> None:
    tickets = routed(env)
    poison = tickets[SENDERS[2]]
    with env.ctx.db.unit_of_work() as s:
        # Evidence recorded by an older version, without a usable size: the 处理单 fails.
        bad = add_event(s, poison.id, NOW, "system", "evidence_added", filename="a.pdf", size="?")
        s.flush()
        bad_id = bad.id

    assert refresh_records(env.ctx, NOW) == 2
    archived = set(env.scalars(select(EventRow.ticket_id).where(EventRow.kind == RECORD_EVENT)))
    assert archived == {tickets[SENDERS[0]].id, tickets[SENDERS[1]].id}
    [shunt] = env.shunts()
    assert (shunt.stage, shunt.label, shunt.exc_type) == (
        "records",
        poison.number,
        "builtins.ValueError",
    )
    assert_told_once(env, shunt, poison.number)
    assert refresh_records(env.ctx, NOW + timedelta(minutes=1)) == 0
    assert len(env.office_notices()) == 1
    listed(env, shunt)

    with env.ctx.db.unit_of_work() as s:
        s.execute(
            update(EventRow)
            .where(EventRow.id == bad_id)
            .values(data={"filename": "a.pdf", "size": 0, "content_type": "application/pdf"})
        )
    retry(env, shunt)
    assert refresh_records(env.ctx, NOW + timedelta(minutes=2)) == 1
    assert poison.id in set(
        env.scalars(select(EventRow.ticket_id).where(EventRow.kind == RECORD_EVENT))
    )
    assert [s.state for s in env.shunts()] == ["resolved"]


def test_the_sweep_shunts_a_ticket_whose_notice_cannot_be_sent_and_sends_the_others(
    env: Env,
) -> None:
    tickets = routed(env)
    poison = tickets[SENDERS[0]]
    good = poison.number
    with env.ctx.db.unit_of_work() as s:
        # A number imported from the old system: no reply token can be made for it.
        s.execute(update(TicketRow).where(TicketRow.id == poison.id).values(number="旧-0042"))

    later = NOW + timedelta(days=2)
    result = sweep(env.ctx, later)
    others = {tickets[s].number for s in SENDERS[1:]}
    assert {n.ticket for n in result.sent} == others
    [shunt] = env.shunts()
    assert (shunt.stage, shunt.label, shunt.exc_type) == ("sweep", "旧-0042", "builtins.ValueError")
    assert_told_once(env, shunt, "旧-0042")
    assert sweep(env.ctx, later + timedelta(minutes=1)).sent == []
    assert len(env.office_notices()) == 1
    listed(env, shunt)

    with env.ctx.db.unit_of_work() as s:
        s.execute(update(TicketRow).where(TicketRow.id == poison.id).values(number=good))
    retry(env, shunt)
    # The window has moved on since; the ticket put back is looked at all the same.
    result = sweep(env.ctx, later + timedelta(minutes=30))
    assert {n.ticket for n in result.sent} == {good}
    assert [s.state for s in env.shunts()] == ["resolved"]


def test_shunt_commands_explain_bad_ids_and_states_in_one_line(env: Env) -> None:
    three_letters(env)
    photo = env.scalars(select(AttachmentRow))[0]
    env.ctx.blobs.path_for(photo.sha256).unlink()
    route_received(env.ctx, NOW)
    [shunt] = env.shunts()
    for args, problem in [
        (("shunt", "show", "999"), "没有编号为 999 的搁置项"),
        (("shunt", "retry", "999"), "没有编号为 999 的搁置项"),
        (("shunt", "discard", "999"), "没有编号为 999 的搁置项"),
    ]:
        code, _, err = env.cli(*args)
        assert code == 1 and problem in err and len(err.strip().splitlines()) == 1
    code, out, _ = env.cli("shunt", "discard", str(shunt.id))
    assert code == 0 and "已放弃" in out
    code, _, err = env.cli("shunt", "discard", str(shunt.id))
    assert code == 1 and "已放弃" in err
    # A discarded ticket stays out of routing; `--all` still lists it.
    assert route_received(env.ctx, NOW + timedelta(minutes=5)) == 0
    code, out, _ = env.cli("shunt", "list", "--all")
    assert code == 0 and shunt.label in out and "已放弃" in out


# --------------------------------------------------------------------------- the OA bridge

OA_SECRET = "shunt-test-secret"
FAST_OA: dict[str, Any] = {"sleep": lambda _s: None, "timeout": 2.0, "max_attempts": 3}


class FileServiceFault(Exception):
    """The OA's file service answering in a way no adapter foresaw."""


def petition(n: int, attachment: bytes) -> dict[str, Any]:
    """A petition in the contract's shape with one attachment."""
    return {
        "petition_id": f"XF{n:08d}",
        "title": f"第{n}号 宿舍热水供应不稳定",
        "description": "晚上十点以后经常没有热水，希望后勤尽快检修。",
        "submitted_at": "2026-11-23T08:30:00+08:00",
        "submitter": {"name": "李明", "email": f"s{n}@stu.example.edu.cn"},
        "anonymous": False,
        "public_consent": False,
        "service_code": "HQBZ",
        "attachments": [
            {
                "name": "照片.jpg",
                "content_type": "image/jpeg",
                "sha256": hashlib.sha256(attachment).hexdigest(),
                "url": f"/files/{n}",
            }
        ],
        "updated_at": f"2026-11-23T09:{n:02d}:00+08:00",
        "status": "received",
    }


def test_oa_materialization_shunts_a_petition_whose_recording_raises(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XINXIANG_OA_SECRET", OA_SECRET)
    settings = load_oa_for(env.ctx.cfg)
    files = {f"/files/{n}": f"照片{n}".encode() for n in (1, 2, 3)}
    broken = {"/files/2"}

    def fetch(a: PetitionAttachment) -> bytes:
        if a.url in broken:
            raise FileServiceFault(f"{a.url}: unexpected answer")
        return files[a.url]

    store = DbPetitionStore(env.ctx, settings, NOW)
    try:
        petitions = [
            petition_from_json(petition(n, files[f"/files/{n}"]), settings) for n in (1, 2, 3)
        ]
        assert [store.upsert_petition(p) for p in petitions] == ["created"] * 3
        store.set_cursor(max(p.key for p in petitions))
    finally:
        store.close()

    assert materialize(env.ctx, settings, NOW, fetch_attachment=fetch) == 2
    states = {r.petition_id: r.state for r in env.scalars(select(OaPetitionRow))}
    assert states == {"XF00000001": "recorded", "XF00000002": "staged", "XF00000003": "recorded"}
    [shunt] = env.shunts()
    assert (shunt.stage, shunt.item_kind, shunt.label) == ("oa_pull", "petition", "XF00000002")
    assert shunt.exc_type.endswith("FileServiceFault")
    assert_told_once(env, shunt, "XF00000002")
    assert materialize(env.ctx, settings, NOW, fetch_attachment=fetch) == 0
    assert len(env.office_notices()) == 1
    listed(env, shunt)

    broken.clear()  # the OA's file service is repaired
    retry(env, shunt)
    assert materialize(env.ctx, settings, NOW, fetch_attachment=fetch) == 1
    assert [s.state for s in env.shunts()] == ["resolved"]
    assert len(env.scalars(select(TicketRow).where(TicketRow.source == "oa"))) == 3


def test_oa_push_shunts_an_update_the_client_cannot_send_and_pushes_the_others(
    env: Env, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XINXIANG_OA_SECRET", OA_SECRET)
    sim = OaSimulator(tmp_path / "oa-sim.db", secret=OA_SECRET, faults=Faults(seed=7)).start()
    try:
        assert sim.store is not None
        sim.store.seed(3)
        settings = load_oa_for(env.ctx.cfg)
        settings = settings.model_copy(
            update={"oa": settings.oa.model_copy(update={"base_url": sim.url})}
        )
        body = {"status": "accepted", "occurred_at": NOW.isoformat()}
        with env.ctx.db.unit_of_work() as s:
            for n, key in [
                (1, "2026-000001:accepted"),
                (2, "旧-0042:accepted"),
                (3, "2026-000003:accepted"),
            ]:
                s.add(
                    OaOutboxRow(
                        petition_id=f"XF{n:08d}",
                        event_kind="accepted",
                        idempotency_key=key,
                        payload=body,
                        state="pending",
                        attempts=0,
                        created_at=NOW,
                    )
                )
            # A later update of the petition set aside must wait for it: the OA sees them in order.
            s.add(
                OaOutboxRow(
                    petition_id="XF00000002",
                    event_kind="closed",
                    idempotency_key="2026-000002:closed",
                    payload={"status": "closed", "occurred_at": NOW.isoformat()},
                    state="pending",
                    attempts=0,
                    created_at=NOW,
                )
            )

        def push() -> Any:
            return oa_push(env.ctx, NOW, settings=settings, client_options=FAST_OA)

        result = push()
        assert (result.sent, result.shunted) == (2, 1)
        sent = {k for _seq, k, _pid, _body in sim.store.updates()}
        assert sent == {"2026-000001:accepted", "2026-000003:accepted"}
        [shunt] = env.shunts()
        assert (shunt.stage, shunt.item_kind) == ("oa_push", "oa_update")
        assert "XF00000002" in shunt.label and shunt.exc_type == "builtins.UnicodeEncodeError"
        assert_told_once(env, shunt, "XF00000002")
        again = push()
        assert (again.sent, again.shunted, again.blocked) == (0, 0, 2)
        assert len(env.office_notices()) == 1
        listed(env, shunt)

        with env.ctx.db.unit_of_work() as s:  # the fix: the key under the ticket's new number
            s.execute(
                update(OaOutboxRow)
                .where(OaOutboxRow.idempotency_key == "旧-0042:accepted")
                .values(idempotency_key="2026-000002:accepted")
            )
        retry(env, shunt)
        assert push().sent == 2
        assert [k for _seq, k, pid, _body in sim.store.updates() if pid == "XF00000002"] == [
            "2026-000002:accepted",
            "2026-000002:closed",
        ]
        assert [s.state for s in env.shunts()] == ["resolved"]
    finally:
        sim.stop()
