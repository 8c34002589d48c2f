"""Specification of a command line that keeps its word (issue 18 'CLI', issue 12 'terminal safety').

Every command takes `-c/--config DIR`; a status is accepted by its Chinese name or its code;
help and errors say what they mean; tables show Chinese names, not codes; and text from outside
(subjects, senders, bodies, file names, reasons) is never read as Rich markup and never sends a
control character to the terminal.
"""

from __future__ import annotations

import base64
import json
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from inbound_helpers import context
from sweep_helpers import local, new_ticket, update_ticket
from xinxiang.cli import command, main
from xinxiang.commands._labels import parse_status
from xinxiang.commands._show import shown
from xinxiang.domain.states import STATUS_LABELS, TicketStatus
from xinxiang.errors import XinxiangError
from xinxiang.services.context import AppContext
from xinxiang.store.models import LetterRow, QuarantineRow, TicketRow
from xinxiang.store.models_replies import HoldingRow, TicketReplyRow

UNSAFE = {"Cc", "Cf", "Cs", "Zl", "Zp"}
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def _leaves(cmd: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    if isinstance(cmd, click.Group):
        for name, sub in cmd.commands.items():
            yield from _leaves(sub, (*path, name))
    else:
        yield path


COMMANDS = sorted(_leaves(command()))


def _sub(path: tuple[str, ...]) -> click.Command:
    cmd = command()
    for name in path:
        assert isinstance(cmd, click.Group)
        cmd = cmd.commands[name]
    return cmd


# -- every command keeps the same promises -------------------------------------------------


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_takes_dash_c(path: tuple[str, ...]) -> None:
    opts = {o for p in _sub(path).params for o in getattr(p, "opts", [])}
    assert {"-c", "--config"} <= opts


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_help_shows_no_escaped_brackets(path: tuple[str, ...], capsys) -> None:  # type: ignore[no-untyped-def]
    assert main([*path, "--help"]) == 0
    out = capsys.readouterr().out
    assert "\\[" not in out
    assert "-c, --config" in out


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (["nosuch"], "(try 'xinxiang --help')"),
        (["tickets", "nosuch"], "(try 'xinxiang tickets --help')"),
        (["tickets", "extend"], "(try 'xinxiang tickets extend --help')"),
    ],
)
def test_usage_errors_point_at_the_right_help(args: list[str], hint: str, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(args) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("xinxiang: error:") and err[0].endswith(hint)


def test_an_error_quoting_outside_input_stays_one_line(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["tickets", "list", "--status", "x\n\x1b[2J已转办"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "\x1b" not in err and "\\x1b" in err


@pytest.mark.parametrize(
    ("given_", "status"),
    [(name, s) for s, name in STATUS_LABELS.items()]
    + [(s.value, s) for s in TicketStatus]
    + [("DISPATCHED", TicketStatus.DISPATCHED), (" 已转办 ", TicketStatus.DISPATCHED)],
)
def test_a_status_is_known_by_its_chinese_name_and_its_code(
    given_: str, status: TicketStatus
) -> None:
    assert parse_status(given_) is status


def test_an_unknown_status_lists_the_choices() -> None:
    with pytest.raises(XinxiangError, match="已转办（dispatched）"):
        parse_status("转办中")


# -- the commands the issue found wanting, on a real deployment --------------------------------


@pytest.fixture
def deployment(tmp_config) -> tuple[Path, AppContext, str]:  # type: ignore[no-untyped-def]
    cfg_dir = tmp_config()
    ctx = context(cfg_dir)
    number = new_ticket(ctx, local(2026, 12, 1, 9, 30))
    return cfg_dir, ctx, number


def test_config_check_and_oa_status_take_dash_c(deployment, capsys) -> None:  # type: ignore[no-untyped-def]
    cfg_dir, _, _ = deployment
    assert main(["config", "check", "-c", str(cfg_dir), "--no-secrets"]) == 0
    assert "配置有效" in capsys.readouterr().out
    assert main(["oa", "status", "-c", str(cfg_dir)]) == 0
    assert "推送队列" in capsys.readouterr().out
    assert main(["calendar", "check", "2026", "-c", str(cfg_dir)]) == 0
    assert main(["deadline", "--accepted", "2026-12-01T09:00", "-c", str(cfg_dir)]) == 0


def test_tickets_list_filters_by_chinese_or_english_status(deployment, capsys) -> None:  # type: ignore[no-untyped-def]
    cfg_dir, _, number = deployment
    for status in ("已转办", "dispatched"):
        assert main(["tickets", "list", "-c", str(cfg_dir), "--status", status, "--json"]) == 0
        assert [t["number"] for t in json.loads(capsys.readouterr().out)] == [number]
    assert main(["tickets", "list", "-c", str(cfg_dir), "--status", "待分办", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_tables_show_chinese_names_not_codes(deployment) -> None:  # type: ignore[no-untyped-def]
    cfg_dir, _, number = deployment
    out = _run(["tickets", "list", "-c", str(cfg_dir)])
    assert "后勤管理处" in out and "一般" in out and "已转办" in out and "第1类" in out
    assert " hqc " not in out and "normal" not in out and "dispatched" not in out
    out = _run(["tickets", "show", number, "-c", str(cfg_dir)])
    assert "登记来信" in out and "转办" in out and "受理回执" in out
    for code in ("received", "dispatched", "classified", "mail_queued", " ack "):
        assert code not in out


# -- terminal safety: outside text through every command that prints it ----------------------

FRAGMENTS = (
    list("[]/=:\\ 热水link")
    + ["[/]", "[link=https://evil.example]", "[bold red]", ":smile:", "\x1b[2J"]
    + ["\x1b]8;;https://evil.example\x07"]
    + [chr(c) for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))]
    + ["\u202e", "\u202d", "\u2066", "\u2069", "\u200b", "\u200f", "\u2028", "\ufeff"]
)
HOSTILE = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.characters()), min_size=1, max_size=20
).map("".join)


def _run(args: list[str]) -> str:
    """Run the real CLI in-process on a wide terminal; the output."""
    result = CliRunner().invoke(command(), args, env={"COLUMNS": "2000"}, catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 0, result.output
    return result.output


def _assert_safe(out: str) -> None:
    # Line feeds and tabs are layout (a body keeps them); every other control is escaped.
    bad = [c for c in out if c not in "\n\t" and unicodedata.category(c) in UNSAFE]
    assert not bad, [hex(ord(c)) for c in bad]


def _plant(ctx: AppContext, number: str, text: str) -> None:
    """Put `text` wherever outside text lives: ticket, letter, holding pen, reply, quarantine."""
    update_ticket(ctx, number, subject=text, petitioner_name=text, petitioner_addr=text)
    with ctx.db.unit_of_work() as s:
        t = s.execute(select(TicketRow).where(TicketRow.number == number)).scalar_one()
        letter = s.get(LetterRow, t.letter_id)
        assert letter is not None
        letter.subject, letter.from_addr, letter.body = text, text, f"{text}\n第二行{text}"
        hold = s.execute(select(HoldingRow)).scalar_one_or_none()
        if hold is None:
            s.add(HoldingRow(letter_id=letter.id, rule="r", reason=text, created_at=NOW))
            s.add(
                TicketReplyRow(
                    ticket_id=t.id,
                    kind="formal",
                    department_code="hqc",
                    author="hqc@example.edu.cn",
                    text=text,
                    state="pending_approval",
                    created_at=NOW,
                )
            )
            s.add(
                QuarantineRow(
                    source="shuji",
                    channel="书记信箱",
                    location=text,
                    raw_sha256="0" * 64,
                    raw_size=1,
                    reason=text,
                    created_at=NOW,
                )
            )
        else:
            hold.reason = text
            q = s.execute(select(QuarantineRow)).scalar_one()
            q.location, q.reason = text, text


def _eml(text: str) -> bytes:
    def word(value: str) -> str:
        return f"=?utf-8?b?{base64.b64encode(value.encode('utf-8', 'surrogatepass')).decode()}?="

    body = base64.encodebytes(f"{text}\n{text}".encode("utf-8", "surrogatepass")).decode()
    return (
        f"From: {word(text)} <a@stu.example.edu.cn>\r\nTo: xinxiang@example.edu.cn\r\n"
        f"Subject: {word(text)}\r\nMessage-ID: <x@stu.example.edu.cn>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: text/plain; charset="utf-8"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        f"{body}"
    ).encode("ascii")


def test_outside_text_never_acts_on_the_terminal(deployment, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cfg_dir, ctx, number = deployment
    c = ["-c", str(cfg_dir)]
    eml = tmp_path / "letter.eml"

    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(HOSTILE)
    def check(text: str) -> None:
        _plant(ctx, number, text)
        one_line, cell = shown(text), shown(text, limit=30)
        for args, expected in (
            (["tickets", "list", *c], cell),
            (["tickets", "show", number, *c], one_line),
            (["holding", "list", *c], cell),
            (["pending", *c], cell),
            (["quarantine", "list", *c], one_line),
        ):
            out = _run(args)
            _assert_safe(out)
            assert expected in out, (args, expected)
        assert shown(f"{text}\n第二行{text}", multiline=True) in _run(
            ["tickets", "show", number, *c]
        )
        listed = _run(["tickets", "list", "--json", *c])
        shown_one = _run(["tickets", "show", number, "--json", *c])
        _assert_safe(listed + shown_one)  # JSON escapes them as \uXXXX and reads them back
        assert json.loads(listed)[0]["subject"] == text
        assert json.loads(shown_one)["letter"]["body"] == f"{text}\n第二行{text}"
        eml.write_bytes(_eml(text))
        inspected = _run(["inspect", str(eml), "--json", *c])
        _assert_safe(inspected)
        parsed = json.loads(inspected)
        for args in (["inspect", str(eml), *c], ["classify", str(eml), *c]):
            out = _run(args)
            _assert_safe(out)
            assert shown(parsed["subject"]) in out

    check()


def test_the_readme_lists_every_command() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    missing = [" ".join(p) for p in COMMANDS if f"| `xinxiang {' '.join(p)}" not in readme]
    assert not missing


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_is_explained_in_chinese(path: tuple[str, ...], capsys) -> None:  # type: ignore[no-untyped-def]
    assert main([*path, "--help"]) == 0
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.strip()]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in lines[1]), lines[1]
