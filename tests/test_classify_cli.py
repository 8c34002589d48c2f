"""Specification of `xinxiang classify FILE.eml [--json]`."""

from __future__ import annotations

import json
from email.message import EmailMessage
from pathlib import Path

import pytest

from xinxiang.cli import main

CONFIG = Path(__file__).resolve().parents[1] / "config"


def eml(tmp_path: Path, subject: str, body: str, attachment: str | None = None) -> Path:
    msg = EmailMessage()
    msg["From"] = "张三 <zhangsan@stu.example.edu.cn>"
    msg["To"] = "shuji@example.edu.cn"
    msg["Subject"] = subject
    msg["Message-ID"] = "<cli-test@example.edu.cn>"
    msg.set_content(body)
    if attachment:
        msg.add_attachment(
            b"x", maintype="application", subtype="octet-stream", filename=attachment
        )
    path = tmp_path / "letter.eml"
    path.write_bytes(msg.as_bytes())
    return path


def test_json_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = eml(tmp_path, "宿舍没有热水", "10号楼三天没有热水了，请尽快维修。")
    assert main(["classify", str(path), "--json", "--config", str(CONFIG)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data) == [
        "department",
        "category",
        "urgency",
        "disposition",
        "track",
        "confidence",
        "hits",
        "explanation",
    ]
    assert (data["department"], data["urgency"], data["disposition"]) == (
        "后勤管理处",
        "priority",
        "dispatch",
    )
    assert {"rule": "hqc-hot-water", "keyword": "热水", "field": "subject", "position": 4} in data[
        "hits"
    ]


def test_table_output_explains_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = eml(tmp_path, "反映问题", "请看附件", attachment="图书馆占座.docx")
    assert main(["classify", str(path), "--config", str(CONFIG)]) == 0
    out = capsys.readouterr().out
    assert "承办单位：图书馆（tsg）" in out
    assert "处置方式：转办承办单位" in out
    assert "tsg-library" in out and "附件名第1字" in out


def test_emergency_and_triage_are_spelled_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["classify", str(eml(tmp_path, "救命", "5号楼着火了")), "--config", str(CONFIG)])
    assert "紧急（立即通知" in capsys.readouterr().out
    main(["classify", str(eml(tmp_path, "咨询", "请问找谁")), "--config", str(CONFIG)])
    assert "党政办公室人工分办" in capsys.readouterr().out


def test_missing_file_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["classify", str(tmp_path / "nope.eml"), "--config", str(CONFIG)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("xinxiang: error: cannot read") and err.count("\n") == 1
