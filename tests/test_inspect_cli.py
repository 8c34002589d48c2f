"""`xinxiang inspect FILE.eml [--json]`: a stable JSON contract and no traceback on any input."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xinxiang.cli import main
from xinxiang.commands.inspect_cmd import JSON_KEYS, inspect_dict

KEYS = {
    "kind",
    "message_id",
    "from",
    "from_name",
    "subject",
    "date",
    "body",
    "attachments",
    "defects",
    "public_consent",
    "confidential",
    "classification",
    "reply",
}

LETTER = (
    b"From: =?gb2312?B?" + base64.b64encode("张三".encode("gb18030")) + b"?= <ZhangSan@QQ.com>\r\n"
    b"To: shuji@example.edu.cn\r\n"
    b"Subject: =?gbk?B?" + base64.b64encode("【公开】宿舍热水问题".encode("gb18030")) + b"?=\r\n"
    b"Date: Fri, 20 Nov 2026 10:03:12 +0800\r\n"
    b"Message-ID: <a1@qq.com>\r\n"
    b'Content-Type: multipart/mixed; boundary="MM"\r\n\r\n'
    b"--MM\r\nContent-Type: text/plain; charset=gb2312\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    + base64.b64encode("老师您好，朱镕基楼的热水坏了。".encode("gb18030"))
    + b"\r\n--MM\r\nContent-Type: image/jpeg\r\n"
    b"Content-Disposition: attachment; filename*=utf-8''%E7%85%A7%E7%89%87.jpg\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n"
    + base64.b64encode(b"\xff\xd8\xff" + b"0" * 97)
    + b"\r\n--MM--\r\n"
)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["inspect", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def no_deployment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("XINXIANG_CONFIG", raising=False)
    return tmp_path


@pytest.fixture
def deployment(tmp_path: Path) -> Path:
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    (cfg / "xinxiang.toml").write_text(
        '[smtp]\nfrom_address = "xinxiang@example.edu.cn"\n', encoding="utf-8"
    )
    (cfg / "departments.toml").write_text(
        '[[department]]\ncode = "dzb"\nname = "党政办公室"\nemails = ["dzb@example.edu.cn"]\n'
        'leader = "head@example.edu.cn"\noffice = true\n',
        encoding="utf-8",
    )
    return cfg


def write(tmp_path: Path, raw: bytes, name: str = "m.eml") -> str:
    path = tmp_path / name
    path.write_bytes(raw)
    return str(path)


def test_json_has_exactly_the_documented_keys(
    capsys: pytest.CaptureFixture[str], no_deployment: Path
) -> None:
    code, out, _ = run(capsys, write(no_deployment, LETTER), "--json")
    assert code == 0
    result = json.loads(out)
    assert set(result) == KEYS == set(JSON_KEYS)
    assert result.pop("classification")["department"] == "后勤管理处"
    assert result.pop("reply") is None
    assert result == {
        "kind": "letter",
        "message_id": "<a1@qq.com>",
        "from": "zhangsan@qq.com",
        "from_name": "张三",
        "subject": "【公开】宿舍热水问题",
        "date": "2026-11-20T10:03:12+08:00",
        "body": "老师您好，朱镕基楼的热水坏了。",
        "attachments": [{"filename": "照片.jpg", "content_type": "image/jpeg", "size": 100}],
        "defects": [],
        "public_consent": True,
        "confidential": {"value": False, "phrase": ""},
    }


def test_human_output_is_chinese(capsys: pytest.CaptureFixture[str], no_deployment: Path) -> None:
    code, out, _ = run(capsys, write(no_deployment, LETTER))
    assert code == 0
    assert "类型: 来信 (letter)" in out
    assert "主题: 【公开】宿舍热水问题" in out
    assert "照片.jpg" in out


@pytest.mark.parametrize(
    "raw",
    [b"", b"\x00\x01\x02binary", b"no headers at all\n", b"\xff" * 100],
    ids=["empty", "binary", "no-headers", "high-bytes"],
)
def test_unparseable_input_is_malformed_with_reason_and_exit_0(
    capsys: pytest.CaptureFixture[str], no_deployment: Path, raw: bytes
) -> None:
    code, out, err = run(capsys, write(no_deployment, raw), "--json")
    assert code == 0
    result = json.loads(out)
    assert set(result) == KEYS
    assert result["kind"] == "malformed"
    assert result["defects"] and result["defects"][0].startswith("unparseable: ")
    assert "Traceback" not in err


def test_missing_file_is_one_line_error(
    capsys: pytest.CaptureFixture[str], no_deployment: Path
) -> None:
    code, out, err = run(capsys, str(no_deployment / "nope.eml"), "--json")
    assert code == 1
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "nope.eml" in err


def test_config_makes_own_mail_a_loop_and_plus_address_a_reply(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, deployment: Path
) -> None:
    own = LETTER.replace(b"<ZhangSan@QQ.com>", b"<xinxiang@example.edu.cn>")
    reply = LETTER.replace(b"To: shuji@example.edu.cn", b"To: xinxiang+tok@example.edu.cn")
    threaded = LETTER.replace(
        b"Message-ID: <a1@qq.com>",
        b"Message-ID: <a1@qq.com>\r\nIn-Reply-To: <xinxiang.0a1b@xinxiang.example.edu.cn>",
    )
    colleague = LETTER.replace(b"<ZhangSan@QQ.com>", b"<wang@example.edu.cn>").replace(
        b"<a1@qq.com>", b"<1a2b.Coremail.wang@example.edu.cn>"
    )
    kinds = []
    cases = [("own", own), ("reply", reply), ("threaded", threaded), ("colleague", colleague)]
    for name, raw in [*cases, ("letter", LETTER)]:
        code, out, _ = run(
            capsys, write(tmp_path, raw, name), "--json", "--config", str(deployment)
        )
        assert code == 0
        kinds.append(json.loads(out)["kind"])
    assert kinds == ["loop", "reply", "reply", "letter", "letter"]


def test_unloadable_config_warns_and_still_inspects(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, write(tmp_path, LETTER), "--json", "--config", str(tmp_path / "x"))
    assert code == 0
    assert json.loads(out)["kind"] == "letter"
    assert "警告" in err


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=1500) | st.just(LETTER).map(lambda b: b[: len(b) // 2]))
def test_inspect_dict_answers_any_bytes_with_the_contract(raw: bytes) -> None:
    result: dict[str, Any] = inspect_dict(raw, None)
    assert set(result) == KEYS
    json.dumps(result, ensure_ascii=False)
    assert result["kind"] in {
        "letter", "reply", "auto_reply", "bounce", "report", "receipt", "list", "loop",
        "malformed",
    }  # fmt: skip


def test_a_letter_carries_its_classification_with_exactly_the_promised_keys(
    tmp_path: Path,
) -> None:
    from xinxiang.commands.inspect_cmd import CLASSIFICATION_KEYS

    raw = (
        "From: 学生 <s@stu.example.edu.cn>\r\nSubject: 宿舍没有热水\r\n"
        "Message-ID: <c1@stu.example.edu.cn>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "12号楼已经三天没有热水了。\r\n"
    ).encode()
    result = inspect_dict(raw, None)
    assert set(result["classification"]) == set(CLASSIFICATION_KEYS)
    assert result["classification"]["department"] == "后勤管理处"
    assert result["reply"] is None


def test_a_department_answer_carries_its_reading_with_exactly_the_promised_keys() -> None:
    from xinxiang.commands.inspect_cmd import REPLY_KEYS

    raw = (
        "From: hqc@example.edu.cn\r\nTo: xinxiang+t2026000123xxxx@example.edu.cn\r\n"
        "Subject: Re: 【转办】2026-000123 宿舍没有热水\r\n"
        "In-Reply-To: <abc@xinxiang.example.edu.cn>\r\n"
        "Date: Tue, 01 Dec 2026 10:00:00 +0800\r\nMessage-ID: <r1@example.edu.cn>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "延期：至2026-12-05，原因：需采购配件\r\n\r\n"
        "------------------ 原始邮件 ------------------\r\n发件人: 书记校长信箱\r\n旧内容\r\n"
    ).encode()
    from xinxiang.config import load_config

    cfg = load_config(Path(__file__).resolve().parents[1] / "config")
    result = inspect_dict(raw, cfg)
    assert result["kind"] == "reply"
    assert result["classification"] is None
    reply = result["reply"]
    assert set(reply) == set(REPLY_KEYS)
    assert reply["ticket"] == "2026-000123"
    assert reply["intent"] == "extension"
    assert reply["extension_until"] == "2026-12-05"
    assert "旧内容" not in reply["text"]
