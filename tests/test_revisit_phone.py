"""电话回访: a petitioner who left a phone number and no e-mail is revisited by phone.

Seed 002 第十条: the revisit goes "通过预留的联系方式". A ticket without a usable e-mail
address but with a reserved phone number (the OA petition's submitter phone, a 联系电话 line,
a mobile number in the letter) gets a round on the office's phone list (`xinxiang revisit due`)
instead of silently no revisit; no mail goes out; the office enters the rating it took by
phone with who took it and when. Seed 004 第十条's cases still get none. SQLite and
PostgreSQL.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from inbound_helpers import context
from sweep_helpers import HOT_WATER, local, new_ticket, outbox, ticket, update_ticket
from xinxiang.cli import main
from xinxiang.services.contact import phone_in_text
from xinxiang.services.context import AppContext
from xinxiang.services.revisit import phone_list, revisit_pass
from xinxiang.store.models import EventRow, LetterRow, TicketRow
from xinxiang.store.models_oa import OaPetitionRow
from xinxiang.store.models_revisit import RevisitRow

T0 = local(2026, 12, 1, 9, 30)
ANSWERED_AT = local(2026, 12, 1, 15, 0)
DUE = ANSWERED_AT + timedelta(hours=1)  # the revisit job's delay after the answer
OA_ADDR = "oa-XF00000042@oa.invalid"  # an OA petition without e-mail
SUBJECT, BODY = HOT_WATER


def oa_petition(ctx: AppContext, number: str, phone: str) -> None:
    """The OA petition behind the ticket, as our canonical JSON stores it."""
    t = ticket(ctx, number)
    doc = {"petition_id": "XF00000042", "submitter": {"name": "赵六", "phone": phone, "email": ""}}
    with ctx.db.unit_of_work() as s:
        letter = s.get(LetterRow, t.letter_id)
        assert letter is not None
        letter.source = "oa"  # a staged petition's JSON is still on its row
        s.add(
            OaPetitionRow(
                petition_id="XF00000042",
                letter_id=t.letter_id,
                ticket_id=t.id,
                state="recorded",
                raw_json=json.dumps(doc, ensure_ascii=False),
                updated_at=T0,
                status="received",
                versions=1,
                first_seen_at=T0,
                last_seen_at=T0,
            )
        )


# (case, address on the ticket, letter body, OA phone, set on the row, expected, phone listed)
CASES: list[tuple[str, str, str, str | None, dict[str, Any], str, str | None]] = [
    ("e-mail: the revisit mail", "zhangsan@stu.example.edu.cn", BODY, None, {}, "mail", None),
    ("OA petition with a phone only", OA_ADDR, BODY, "13812345678", {}, "phone", "13812345678"),
    (
        "a 联系电话 line (the web form writes one)",
        OA_ADDR,
        "来信类别：后勤服务\n联系电话：0371-6778 1234\n\n" + BODY,
        None,
        {},
        "phone",
        "0371-67781234",
    ),
    (
        "a mobile in the text",
        OA_ADDR,
        BODY + "\n我的手机１３９１２３４５６７８。",
        None,
        {},
        "phone",
        "13912345678",
    ),
    ("no e-mail, no phone", OA_ADDR, BODY, None, {}, "no_contact", None),
    (
        "a phone, but 不需要回访",
        OA_ADDR,
        BODY + "\n不需要回访。",
        "13812345678",
        {},
        "refused",
        None,
    ),
    ("a phone, but abusive", OA_ADDR, BODY, "13812345678", {"flagged": True}, "illegal", None),
    (
        "a phone, but praise",
        OA_ADDR,
        BODY,
        "13812345678",
        {"disposition": "praise"},
        "not_handled",
        None,
    ),
]


@pytest.mark.parametrize(
    ("case", "addr", "body", "oa_phone", "row", "expected", "listed"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_who_is_revisited_how(
    tmp_config: Any,
    db_url: str,
    case: str,
    addr: str,
    body: str,
    oa_phone: str | None,
    row: dict[str, Any],
    expected: str,
    listed: str | None,
) -> None:
    ctx = context(tmp_config(database_url=db_url))
    number = new_ticket(ctx, T0, (SUBJECT, body))
    update_ticket(
        ctx,
        number,
        status="answered",
        petitioner_addr=addr,
        revisit_due=ANSWERED_AT + timedelta(hours=48),
        **row,
    )
    if oa_phone:
        oa_petition(ctx, number, oa_phone)
    result = revisit_pass(ctx, DUE)
    [r] = rounds(ctx, number)
    mails = outbox(ctx, ("revisit",))
    with ctx.db.session() as s:
        calls = phone_list(ctx, s, DUE)
    if expected == "mail":
        assert result.sent == [number] and result.by_phone == []
        assert (r.state, r.channel) == ("sent", None)
        assert [m.recipients for m in mails] == [[addr]] and calls == []
    elif expected == "phone":
        assert result.sent == result.by_phone == [number]
        assert (r.state, r.channel) == ("sent", "phone")
        assert mails == []
        [call] = calls
        assert (call.number, call.phone, call.overdue) == (number, listed, False)
        assert call.due_at == DUE + timedelta(days=7)
    else:
        assert result.skipped == [(number, expected)] and mails == [] and calls == []
        assert (r.state, r.skip_reason) == ("skipped", expected)
        assert ticket(ctx, number).settled_reason == "skipped"


def rounds(ctx: AppContext, number: str) -> list[RevisitRow]:
    with ctx.db.unit_of_work() as s:
        t = s.execute(select(TicketRow).where(TicketRow.number == number)).scalar_one()
        q = select(RevisitRow).where(RevisitRow.ticket_id == t.id).order_by(RevisitRow.round)
        return list(s.execute(q).scalars())


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("联系电话：13812345678", "13812345678"),
        ("联系方式: +86 138 1234 5678", "+8613812345678"),
        ("电话 010-62751234，谢谢", "010-62751234"),
        ("学号 2023123456789，手机13912345678", "13912345678"),
        ("学号 20231234567，房间 302", None),  # 11 digits that are no mobile number
        ("没有留下任何号码", None),
    ],
)
def test_the_reserved_number_is_read_from_the_letter(text: str, phone: str | None) -> None:
    assert phone_in_text(text) == phone


def test_the_office_calls_and_enters_who_and_when(tmp_config: Any, capsys: Any) -> None:
    """The phone list by CLI; no reminder mail; the rating with --by and --at; then off the list."""
    ctx = context(tmp_config())
    cfg = str(ctx.cfg.directory)
    number = new_ticket(ctx, T0)
    update_ticket(
        ctx,
        number,
        status="answered",
        petitioner_addr=OA_ADDR,
        revisit_due=ANSWERED_AT + timedelta(hours=48),
    )
    oa_petition(ctx, number, "13812345678")
    assert main(["revisit", "run", "-c", cfg, "--now", "2026-12-01T16:00"]) in (0, None)
    assert f"{number} 来信人未留电子邮箱，已列入电话回访清单" in capsys.readouterr().out
    # The window passes without a call: the round is overdue on the list, no mail to anyone.
    late = DUE + timedelta(days=7)
    assert revisit_pass(ctx, late).reminded == [number]
    assert outbox(ctx, ("revisit",)) == []
    assert main(["revisit", "due", "--json", "-c", cfg, "--now", "2026-12-08T17:00"]) in (0, None)
    [row] = json.loads(capsys.readouterr().out)
    assert (row["number"], row["phone"], row["overdue"], row["state"]) == (
        number,
        "13812345678",
        True,
        "reminded",
    )
    assert main(["revisit", "due", "-c", cfg, "--now", "2026-12-08T17:00"]) in (0, None)
    out = capsys.readouterr().out
    assert number in out and "电话 13812345678" in out and "已逾期" in out
    # A call time in the future or before the round is refused, in one line.
    future = ["--at", "2026-12-09T10:00", "--now", "2026-12-08T17:00"]
    assert main(["revisit", "rate", number, "4", "--by", "王老师", *future, "-c", cfg]) != 0
    err = capsys.readouterr().err.strip()
    assert "通话时间" in err and len(err.splitlines()) == 1
    args = ["revisit", "rate", number, "4", "--by", "王老师", "--comment", "已经修好"]
    when = ["--at", "2026-12-08T10:30", "--now", "2026-12-08T17:00"]
    assert main([*args, *when, "-c", cfg]) in (0, None)
    assert "满意" in capsys.readouterr().out
    [r] = rounds(ctx, number)
    assert (r.state, r.rating, r.channel, r.rated_by, r.comment) == (
        "rated",
        4,
        "phone",
        "王老师",
        "已经修好",
    )
    assert r.rated_at == local(2026, 12, 8, 10, 30)
    t = ticket(ctx, number)
    assert (t.status, t.settled_reason, t.rated_at) == ("closed", "satisfied", r.rated_at)
    with ctx.db.unit_of_work() as s:
        data = s.execute(
            select(EventRow.data).where(
                EventRow.ticket_id == t.id, EventRow.kind == "revisit_rated"
            )
        ).scalar_one()
    assert data["taken_at"] == local(2026, 12, 8, 10, 30).isoformat()
    assert main(["revisit", "due", "-c", cfg]) in (0, None)
    assert "没有待电话回访的工单" in capsys.readouterr().out


def test_an_unanswered_phone_round_ends_unrated(tmp_config: Any) -> None:
    """Nobody called within the window and the grace: 未评价, settled, as for mail."""
    ctx = context(tmp_config())
    number = new_ticket(ctx, T0, (SUBJECT, BODY + "\n联系电话：13812345678"))
    update_ticket(
        ctx,
        number,
        status="answered",
        petitioner_addr=OA_ADDR,
        revisit_due=ANSWERED_AT + timedelta(hours=48),
    )
    assert revisit_pass(ctx, DUE).by_phone == [number]
    assert revisit_pass(ctx, DUE + timedelta(days=7)).reminded == [number]
    assert revisit_pass(ctx, DUE + timedelta(days=10)).unrated == [number]
    t = ticket(ctx, number)
    assert (t.status, t.revisit_state, t.rating) == ("closed", "unrated", None)
    assert outbox(ctx, ("revisit",)) == []


def test_an_oa_petition_with_a_phone_only_end_to_end(
    tmp_config: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """The OA simulator's petitions (a third have no e-mail) → tickets → the department's
    formal answer → the revisit job: the phone-only petitioner is on the office's phone list
    with the number the OA holds, and gets no mail; the office's phone rating settles it."""
    from xinxiang.config import load_config
    from xinxiang.handlers import Actor, AnswerTicket, RouteTicket, handle
    from xinxiang.oa_bridge.config import load_oa_for
    from xinxiang.oa_bridge.sim_faults import Faults
    from xinxiang.oa_bridge.simulator import OaSimulator
    from xinxiang.services.oa_hooks import install_oa_hooks, uninstall_oa_hooks
    from xinxiang.services.oa_tasks import oa_pull
    from xinxiang.store.migrate import upgrade

    sim = OaSimulator(tmp_path / "oa-sim.db", secret="sim-secret", faults=Faults(seed=3)).start()
    cfg_dir = tmp_config(overrides={"revisit": {"delay_minutes": 0}})
    oa_toml = cfg_dir / "oa.toml"
    oa_toml.write_text(
        oa_toml.read_text("utf-8").replace("http://127.0.0.1:8711", sim.url), "utf-8"
    )
    monkeypatch.setenv("XINXIANG_OA_SECRET", "sim-secret")
    cfg = load_config(cfg_dir)
    cfg.data_dir.mkdir(parents=True, exist_ok=True)
    ctx = AppContext(cfg)
    upgrade(ctx.db)
    assert install_oa_hooks(cfg, ctx.db)
    try:
        assert sim.store is not None
        sim.store.seed(12)
        options = {"sleep": lambda _s: None, "timeout": 2.0, "max_attempts": 6}
        pulled = oa_pull(ctx, T0, settings=load_oa_for(cfg), client_options=options)
        assert pulled.completed and pulled.created == 12
        with ctx.db.unit_of_work() as s:
            rows = s.execute(
                select(TicketRow, OaPetitionRow.petition_id)
                .join(OaPetitionRow, OaPetitionRow.ticket_id == TicketRow.id)
                .where(TicketRow.petitioner_addr.like("%@oa.invalid"))
                .order_by(TicketRow.id)
            ).all()
        assert rows, "the simulator leaves out the e-mail of about a third of its petitions"
        t, petition_id = rows[0]
        office = Actor("office", "dzb@example.edu.cn", "cli")
        if t.status != "dispatched":
            handle(RouteTicket(office, t.number, "hqc"), ctx, T0)
        update_ticket(ctx, t.number, public_consent=False)
        dept = ctx.cfg.department(ticket(ctx, t.number).department_code or "")
        assert dept is not None
        author = Actor("department", dept.emails[0], "mail")
        handle(AnswerTicket(author, t.number, "formal", "已处理完毕。"), ctx, T0)
        assert ticket(ctx, t.number).status == "answered"

        result = revisit_pass(ctx, T0 + timedelta(hours=1))
        assert t.number in result.by_phone
        petition = sim.store.petition(petition_id)
        assert petition is not None
        with ctx.db.session() as s:
            [call] = [
                c for c in phone_list(ctx, s, T0 + timedelta(hours=2)) if c.number == t.number
            ]
        assert call.phone == petition["submitter"]["phone"]
        mails = [m for m in outbox(ctx, ("revisit",)) if m.ticket_id == t.id]
        assert mails == []

        cli = ["-c", str(cfg_dir), "--now", (T0 + timedelta(hours=3)).isoformat()]
        assert main(["revisit", "rate", t.number, "5", "--by", "王老师", *cli]) in (0, None)
        assert "非常满意" in capsys.readouterr().out
        done = ticket(ctx, t.number)
        assert (done.status, done.settled_reason, done.rating) == ("closed", "satisfied", 5)
    finally:
        uninstall_oa_hooks(ctx.db)
        sim.stop()
        ctx.close()
