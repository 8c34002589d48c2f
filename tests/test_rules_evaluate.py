"""Specification of `xinxiang rules evaluate --labelled DIR [--json]` on a tiny labelled set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from xinxiang.classify.evaluate import load_labelled
from xinxiang.cli import main
from xinxiang.errors import ConfigError

CONFIG = Path(__file__).resolve().parents[1] / "config"

LABELLED = """
[[letter]]
id = "fire"
dept = "bwc"
urgency = "emergency"
subject = "着火了"
body = "5号楼三楼宿舍着火了，走廊里全是烟"

[[letter]]
id = "smell"
dept = "bwc"
urgency = "emergency"
subject = "烟味"
body = "楼道里有烟味"

[[letter]]
id = "praise"
dept = "hqc"
disposition = "praise"
subject = "表扬"
body = "特此表扬后勤维修的李师傅，修好了空调"

[[letter]]
id = "aircon"
dept = "hqc"
category = "后勤保障"
subject = "空调"
body = "宿舍空调坏了，有一股焦糊味"
note = "other keys are ignored"

[[letter]]
id = "library"
dept = "tsg"
category = "财务管理"
subject = "占座"
body = "图书馆占座严重"
"""


@pytest.fixture()
def labelled(tmp_path: Path) -> Path:
    d = tmp_path / "labelled"
    d.mkdir()
    (d / "a.toml").write_text(LABELLED, "utf-8")
    (d / "notes.txt").write_text("not read", "utf-8")
    return d


def test_json_report(labelled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["rules", "evaluate", "--labelled", str(labelled), "-c", str(CONFIG), "--json"]) == 0
    )
    r = json.loads(capsys.readouterr().out)
    assert r["letters"] == 5
    assert r["department_accuracy"] == 1.0
    assert r["disposition_accuracy"] == 1.0
    assert (r["category_checked"], r["category_accuracy"]) == (2, 0.5)
    assert r["wrong_category"] == [["library", "财务管理", "教育教学"]]
    assert r["emergencies"] == 2
    assert r["emergency_recall"] == 0.5  # classified emergency
    assert r["emergency_caught"] == 1.0  # emergency or 疑似紧急
    assert r["emergencies_only_suspected"] == ["smell"]
    assert r["missed_emergencies"] == []
    assert r["non_emergencies"] == 3
    assert r["false_suspected"] == ["aircon"] and r["false_alarms"] == []
    assert r["false_alarm_rate"] == pytest.approx(1 / 3)
    assert r["confusion"] == {"bwc": {"bwc": 2}, "hqc": {"hqc": 2}, "tsg": {"tsg": 1}}
    depts = {d["code"]: d for d in r["departments"]}
    assert (depts["bwc"]["precision"], depts["bwc"]["recall"]) == (1.0, 1.0)
    assert set(depts) == {"bwc", "hqc", "tsg"}


def test_a_misrouted_letter_shows_in_precision_recall_and_the_matrix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "one.toml"
    f.write_text('[[letter]]\nid = "x"\ndept = "jwc"\nsubject = ""\nbody = "图书馆占座严重"\n')
    assert main(["rules", "evaluate", "--labelled", str(f), "-c", str(CONFIG), "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    depts = {d["code"]: d for d in r["departments"]}
    assert (depts["jwc"]["recall"], depts["jwc"]["precision"]) == (0.0, None)
    assert (depts["tsg"]["precision"], depts["tsg"]["recall"]) == (0.0, None)
    assert r["confusion"] == {"jwc": {"tsg": 1}}
    assert r["misrouted"] == [["x", "jwc", "tsg"]]
    assert r["emergency_recall"] is None and r["false_alarm_rate"] == 0.0


def test_table_report(labelled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "evaluate", "--labelled", str(labelled), "-c", str(CONFIG)]) == 0
    out = capsys.readouterr().out
    for label in (
        "承办单位准确率",
        "处置方式准确率",
        "紧急来信判为紧急或疑似紧急",
        "混淆矩阵",
        "误报率",
    ):
        assert label in out
    assert "aircon" in out  # the false alarm is named


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('[[letter]]\nid = "a"\nbody = "x"\n', "dept"),
        ('[[letter]]\nid = "a"\ndept = "hqc"\n[[letter]]\nid = "a"\ndept = "hqc"\n', "duplicate"),
        ("[[letter", "TOML"),
        ('[[letter]]\nid = "a"\ndept = "hqc"\nattachments = "x.pdf"\n', "attachments"),
    ],
)
def test_bad_labelled_files_are_named(tmp_path: Path, content: str, reason: str) -> None:
    f = tmp_path / "bad.toml"
    f.write_text(content, "utf-8")
    with pytest.raises(ConfigError) as err:
        load_labelled([f])
    assert "bad.toml" in str(err.value) and reason in str(err.value)


def test_a_missing_directory_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["rules", "evaluate", "--labelled", str(tmp_path / "nope"), "-c", str(CONFIG)])
    assert code != 0
    assert "no such file or directory" in capsys.readouterr().err
