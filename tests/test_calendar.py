"""Specification of the working calendar: official 2026 data, overrides, 2027 fallback."""

from __future__ import annotations

import logging
import re
import shutil
from datetime import date, time, timedelta
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from xinxiang.commands import deadline_cmd
from xinxiang.config import load_config
from xinxiang.dispatch import calendar as calendar_module
from xinxiang.dispatch.calendar import (
    ChineseWorkingCalendar,
    load_calendar,
    load_calendar_for,
    load_policy,
    load_policy_for,
)
from xinxiang.domain.deadlines import DeadlinePolicy
from xinxiang.errors import ConfigError
from xinxiang.validation import check_all

REPO_CONFIG = Path(__file__).resolve().parents[1] / "config"
OFFICIAL = ChineseWorkingCalendar()


@pytest.mark.parametrize(
    ("day", "working", "why"),
    [
        ("2026-01-01", False, "元旦"),
        ("2026-01-04", True, "元旦调休 Sunday"),
        ("2026-02-14", True, "春节调休 Saturday"),
        ("2026-02-17", False, "春节"),
        ("2026-02-23", False, "春节 last day, a Monday"),
        ("2026-02-24", True, "after 春节"),
        ("2026-02-28", True, "春节调休 Saturday"),
        ("2026-04-06", False, "清明 Monday"),
        ("2026-05-05", False, "劳动节 Tuesday"),
        ("2026-05-09", True, "劳动节调休 Saturday"),
        ("2026-06-19", False, "端午 Friday"),
        ("2026-09-20", True, "国庆调休 Sunday"),
        ("2026-09-25", False, "中秋 Friday"),
        ("2026-10-07", False, "国庆 Wednesday"),
        ("2026-10-10", True, "国庆调休 Saturday"),
        ("2026-10-11", False, "ordinary Sunday"),
        ("2026-03-10", True, "ordinary Tuesday"),
    ],
)
def test_official_2026_schedule(day: str, working: bool, why: str) -> None:
    d = date.fromisoformat(day)
    assert OFFICIAL.is_workday(d) is working, why
    assert OFFICIAL.verified(d)


def test_2026_lists_holidays_and_makeup_days() -> None:
    assert [d.isoformat() for d in OFFICIAL.makeup_workdays(2026)] == [
        "2026-01-04",
        "2026-02-14",
        "2026-02-28",
        "2026-05-09",
        "2026-09-20",
        "2026-10-10",
    ]
    holidays = OFFICIAL.holidays(2026)
    assert len(holidays) == 33
    assert date(2026, 10, 1) in holidays and date(2026, 10, 11) not in holidays
    assert OFFICIAL.holiday_name(date(2026, 10, 3)) == "国庆节"


def test_uncovered_year_falls_back_to_weekends_and_warns_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # A fresh process has warned about nothing yet.
    monkeypatch.setattr(calendar_module, "_warned_years", set())
    caplog.set_level(logging.WARNING, logger=calendar_module.__name__)
    cal = ChineseWorkingCalendar()
    assert not cal.covered(2027)
    assert cal.is_workday(date(2027, 1, 1))  # a Friday; the real holiday is unknown
    assert not cal.is_workday(date(2027, 1, 2))
    assert not cal.verified(date(2027, 6, 1))
    ChineseWorkingCalendar().is_workday(date(2027, 3, 3))  # a second calendar, same process
    warnings = [r for r in caplog.records if "2027" in r.getMessage()]
    assert len(warnings) == 1


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "calendar.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_overrides_win_and_declare_a_year_verified(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
[[year]]
year = 2026
holidays = [2026-03-11]
workdays = ["2026-10-07"]

[[year]]
year = 2027
verified = true
source = "国办发明电"
holidays = [2027-01-01]
workdays = [2027-02-20]
""",
    )
    cal = load_calendar(path)
    assert not cal.is_workday(date(2026, 3, 11))
    assert cal.is_workday(date(2026, 10, 7))
    assert cal.is_workday(date(2026, 10, 10))  # the package's data still applies
    assert cal.covered(2027) and cal.verified(date(2027, 12, 31))
    assert not cal.is_workday(date(2027, 1, 1))
    assert cal.is_workday(date(2027, 2, 20))
    assert cal.is_workday(date(2027, 1, 4))  # weekdays not listed are working days
    assert date(2027, 1, 1) in cal.holidays(2027)
    assert cal.makeup_workdays(2027) == [date(2027, 2, 20)]
    assert not cal.covered(2028)


def test_unverified_override_year_stays_unverified(tmp_path: Path) -> None:
    cal = load_calendar(_write(tmp_path, "[[year]]\nyear = 2027\nholidays = [2027-01-01]\n"))
    assert not cal.is_workday(date(2027, 1, 1))
    assert not cal.verified(date(2027, 1, 1))


@pytest.mark.parametrize(
    ("text", "key", "reason"),
    [
        (
            "[[year]]\nyear = 2027\nholidays = [2027-10-01]\nworkdays = [2027-10-01]\n",
            "year[0].workdays[0]",
            "both as a holiday and as a working day",
        ),
        ('[[year]]\nyear = 2027\nholidays = ["2027-02-30"]\n', "year[0].holidays[0]", "date"),
        ("[[year]]\nyear = 2027\nholidays = [2026-10-01]\n", "year[0].holidays[0]", "not in 2027"),
        (
            "[[year]]\nyear = 2027\nholidays = [2027-10-01, 2027-10-01]\n",
            "year[0].holidays[1]",
            "listed twice",
        ),
        ("[[year]]\nyear = 2027\n[[year]]\nyear = 2027\n", "year[1].year", "listed twice"),
        ("[[year]]\nyear = 2027\nholiday = [2027-10-01]\n", "year[0].holiday", "unknown key"),
        ('[policy]\ncutoff = "25:00"\n', "policy.cutoff", "HH:MM"),
        ("[policy]\ntrack2_days = 0\n", "policy.track2_days", "greater than or equal to 1"),
        (
            "[policy]\nreminder_lead_minutes = [120, 0]\n",
            "policy.reminder_lead_minutes",
            "at least 1 minute",
        ),
        ('[policy]\ncuttoff = "22:00"\n', "policy.cuttoff", "unknown key"),
        ("[policy\n", "", "invalid TOML"),
    ],
)
def test_config_errors_name_file_key_and_reason(
    tmp_path: Path, text: str, key: str, reason: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_calendar(path)
    assert info.value.file == str(path)
    assert info.value.key == key
    assert reason in info.value.reason


def test_sample_file_spells_out_the_default_policy() -> None:
    assert load_policy(REPO_CONFIG / "calendar.toml") == DeadlinePolicy()
    assert load_policy(None) == DeadlinePolicy()
    assert DeadlinePolicy().cutoff == time(22, 0)
    assert DeadlinePolicy().reminder_leads == (timedelta(hours=2),)


def test_sample_file_commented_examples_are_valid(tmp_path: Path) -> None:
    # Uncommenting the examples (as the office would) must give a valid file.
    text = (REPO_CONFIG / "calendar.toml").read_text(encoding="utf-8")
    lines = []
    for line in text.splitlines():
        m = re.match(
            r"^# ?(\[\[year\]\]|year =|verified|source|holidays|workdays|  20\d\d|\])(.*)$", line
        )
        lines.append(line[2:] if m else line)
    cal = load_calendar(_write(tmp_path, "\n".join(lines)))
    assert cal.covered(2027)
    assert not cal.is_workday(date(2026, 11, 2))
    assert not cal.is_workday(date(2027, 10, 1))
    assert cal.is_workday(date(2027, 10, 9))


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    for name in ("xinxiang.toml", "departments.toml"):
        shutil.copy(REPO_CONFIG / name, tmp_path / name)
    return tmp_path


def test_deployment_without_calendar_file_uses_defaults(config_dir: Path) -> None:
    cfg = load_config(config_dir)
    assert load_policy_for(cfg) == DeadlinePolicy()
    assert load_calendar_for(cfg).is_workday(date(2026, 10, 10))


def test_config_check_validates_calendar_file(config_dir: Path) -> None:
    (config_dir / "calendar.toml").write_text('[policy]\ncutoff = "21:30"\n', encoding="utf-8")
    cfg = load_config(config_dir)
    assert load_policy_for(cfg).cutoff == time(21, 30)
    assert "calendar.toml" in check_all(cfg, secrets=False)
    (config_dir / "calendar.toml").write_text("[[year]]\nyear = 1999\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"year\[0\]\.year"):
        check_all(load_config(config_dir), secrets=False)


def _app() -> typer.Typer:
    app = typer.Typer()
    deadline_cmd.register(app)
    return app


def test_calendar_check_covered_year(config_dir: Path) -> None:
    result = CliRunner().invoke(_app(), ["calendar", "check", "2026", "--config", str(config_dir)])
    assert result.exit_code == 0, result.output
    assert "2026 年工作日历：已覆盖" in result.stdout
    assert "2026-10-10（周六） 国庆节调休" in result.stdout
    assert "2026-02-17（周二） 春节" in result.stdout


def test_calendar_check_uncovered_year(config_dir: Path) -> None:
    result = CliRunner().invoke(_app(), ["calendar", "check", "2027", "--config", str(config_dir)])
    assert result.exit_code == 1
    assert "2027 年工作日历：未覆盖" in result.stdout
    assert "verified = true" in result.stdout


def test_calendar_check_year_added_by_the_office(config_dir: Path) -> None:
    (config_dir / "calendar.toml").write_text(
        '[[year]]\nyear = 2027\nverified = true\nsource = "国办通知"\n'
        "holidays = [2027-01-01]\nworkdays = [2027-02-20]\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(_app(), ["calendar", "check", "2027", "--config", str(config_dir)])
    assert result.exit_code == 0, result.output
    assert "已覆盖" in result.stdout and "国办通知" in result.stdout
    assert "2027-01-01（周五）" in result.stdout
    assert "2027-02-20（周六）" in result.stdout
