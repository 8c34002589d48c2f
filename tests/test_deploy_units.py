"""The systemd units and the logrotate snippet in deploy/: valid for systemd, hardened, and
pointing at the paths the README's installation steps create."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service")) + sorted(
    (DEPLOY / "systemd").glob("*.timer")
)
INSTALLED = "/opt/xinxiang/bin/xinxiang"


def unit(path: Path) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    return parser


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_systemd_analyze_verify_is_clean(tmp_path: Path) -> None:
    # verify insists that ExecStart exists: point it at this checkout's console script.
    here = Path(sys.executable).with_name("xinxiang")
    for path in UNITS:
        text = path.read_text(encoding="utf-8").replace(INSTALLED, str(here))
        (tmp_path / path.name).write_text(text, encoding="utf-8")
    done = subprocess.run(
        ["systemd-analyze", "verify", *sorted(str(p) for p in tmp_path.iterdir())],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    # Unknown keys are only warned about: any output at all is a failure.
    assert done.returncode == 0 and not done.stderr.strip() and not done.stdout.strip(), (
        done.stderr + done.stdout
    )


@pytest.mark.parametrize("name", ["xinxiang-worker.service", "xinxiang-web.service"])
@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("User", "xinxiang"),
        ("EnvironmentFile", "/etc/xinxiang/xinxiang.env"),
        ("ProtectSystem", "strict"),
        ("ReadWritePaths", "/var/lib/xinxiang"),
        ("NoNewPrivileges", "yes"),
        ("PrivateTmp", "yes"),
        ("ProtectHome", "yes"),
        ("StateDirectory", "xinxiang"),
        ("UMask", "0077"),
    ],
)
def test_long_running_units_are_hardened(name: str, key: str, value: str) -> None:
    service = unit(DEPLOY / "systemd" / name)["Service"]
    assert service[key] == value
    assert service["ExecStart"].startswith(f"{INSTALLED} ")
    assert " -c /etc/xinxiang" in service["ExecStart"]


def test_the_web_console_listens_on_loopback_only() -> None:
    exec_start = unit(DEPLOY / "systemd" / "xinxiang-web.service")["Service"]["ExecStart"]
    assert "--host 127.0.0.1" in exec_start


def test_the_backup_timer_starts_the_backup_service() -> None:
    backup = unit(DEPLOY / "systemd" / "xinxiang-backup.service")["Service"]
    assert backup["ExecStart"].startswith(f"{INSTALLED} backup -c /etc/xinxiang --out ")
    out = backup["ExecStart"].split("--out ")[1].split()[0]
    assert out in backup["ReadWritePaths"].split()
    assert unit(DEPLOY / "systemd" / "xinxiang-backup.timer")["Timer"]["Persistent"] == "true"


def test_logrotate_snippet_covers_the_units_log_files() -> None:
    text = (DEPLOY / "logrotate" / "xinxiang").read_text(encoding="utf-8")
    assert "/var/log/xinxiang/*.log {" in text and "copytruncate" in text
    for path in UNITS:
        for line in path.read_text(encoding="utf-8").splitlines():
            if "append:" in line:
                assert line.split("append:")[1].startswith("/var/log/xinxiang/")
