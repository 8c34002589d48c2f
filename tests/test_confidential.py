"""Identity confidentiality (身份保密, issue #13): which letters ask for it, where they go, and
that the department handling one never learns who wrote it."""

from __future__ import annotations

import email
import json
from datetime import timedelta
from email import policy
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from inbound_helpers import context, letter
from office_helpers import route
from sweep_helpers import local, outbox, text_of, ticket
from xinxiang.cli import main
from xinxiang.commands.inspect_cmd import inspect_dict
from xinxiang.mailbox.confidential import identity_confidential
from xinxiang.services.ingest import MessageOrigin, ingest_raw
from xinxiang.store.models import EventRow

T0 = local(2026, 12, 1, 9, 30)

ASKS = [
    # (subject, body, the phrase that decides)
    ("导师问题", "请不要公开我的姓名，我怕被报复。", "请不要公开我的姓名"),
    ("匿名反映", "食堂卫生太差。", "匿名"),
    ("宿舍", "希望不要透露我的身份。", "希望不要透露我的身份"),
    ("宿舍", "麻烦替我保密，谢谢。", "替我保密"),
    ("导师", "我不希望导师知道是我写的信。", "不希望导师知道是我"),
    ("导师", "请对我的身份予以保密。", "对我的身份予以保密"),
    ("导师", "请 不要 公开 我的 身份", "请不要公开我的身份"),
]


@pytest.mark.parametrize(("subject", "body", "phrase"), ASKS)
def test_letters_that_ask_for_confidentiality(subject: str, body: str, phrase: str) -> None:
    got = identity_confidential(subject, body)
    assert got.value and got.phrase == phrase


NOT_ASKING = [
    ("宿舍热水问题", "请不要公开这封信。"),  # not public, but no wish about identity
    ("宿舍热水问题", "我同意公开，不需要匿名。"),
    ("宿舍热水问题", "我叫王小明，电话13812345678。"),
    ("合同", "合同里有保密条款。"),
]


@pytest.mark.parametrize(("subject", "body"), NOT_ASKING)
def test_letters_that_do_not(subject: str, body: str) -> None:
    assert not identity_confidential(subject, body).value


def test_the_phrase_table_is_extended_in_config(tmp_config: Any) -> None:
    cfg_dir = tmp_config()
    (cfg_dir / "redaction.toml").write_text(
        '[confidential]\nphrases = ["别让.{0,6}知道我写信"]\n', encoding="utf-8"
    )
    raw = letter(subject="导师问题", body="别让导师知道我写信。")
    shown = inspect_dict(raw, context(cfg_dir).cfg)
    assert shown["confidential"] == {"value": True, "phrase": "别让导师知道我写信"}


def test_inspect_json_shows_the_flag_and_the_phrase() -> None:
    raw = letter(subject="导师问题", body="请不要公开我的姓名。")
    shown = inspect_dict(raw, None)
    assert shown["confidential"] == {"value": True, "phrase": "请不要公开我的姓名"}
    assert inspect_dict(letter(), None)["confidential"] == {"value": False, "phrase": ""}


LETTER = """研究生处领导：
我是导师唯一的博士生，导师长期让我干私活，还扣我的助研津贴。请不要公开我的姓名。
我的手机13812340001，宿舍16-309，学号2021010066。
学生：李晓明
"""


def test_a_confidential_letter_waits_for_the_office_and_reaches_the_department_without_identity(
    tmp_config: Any, db_url: str
) -> None:
    ctx = context(tmp_config(database_url=db_url))
    raw = letter(
        subject="关于李晓明导师的问题", body=LETTER, sender="lxm@stu.example.edu.cn", name="李晓明"
    )
    outcome = ingest_raw(ctx, raw, MessageOrigin("shuji", "书记信箱", "test"), T0)
    number = outcome.ticket_number
    assert number is not None
    t = ticket(ctx, number)
    assert t.status == "triage"  # not dispatched automatically
    with ctx.db.unit_of_work() as s:
        kinds = {
            e.kind: e.data
            for e in s.execute(select(EventRow).where(EventRow.ticket_id == t.id)).scalars()
        }
    assert kinds["confidential"]["phrase"] == "请不要公开我的姓名"
    assert "身份保密" in kinds["triage"]["reason"]
    assert not outbox(ctx, ("dispatch",))

    route(ctx, number, "yjsc", None, "dzb@example.edu.cn", T0 + timedelta(hours=1))
    [mail] = outbox(ctx, ("dispatch",))
    text = text_of(mail)
    subject = str(email.message_from_bytes(mail.raw, policy=policy.default)["Subject"])
    assert mail.recipients == ["yjsc@example.edu.cn"]
    for identity in ("李晓明", "晓明", "lxm@stu.example.edu.cn", "13812340001", "16-309"):
        assert identity not in text, identity
        assert identity not in subject, identity
    assert "来信人要求身份保密" in text and "导师长期让我干私活" in text


def test_cli_inspect_json_names_the_phrase(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    eml = tmp_path / "letter.eml"
    eml.write_bytes(letter(subject="匿名反映", body="食堂卫生太差。"))
    assert main(["inspect", str(eml), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["confidential"] == {"value": True, "phrase": "匿名"}
