"""Creating a deployment directory: `xinxiang init` and the demo use the embedded defaults."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from xinxiang.errors import XinxiangError

EMBEDDED_TOML = """\
# xinxiang deployment created by `xinxiang init` — embedded defaults, no servers needed:
# SQLite database, SqliteHuey queue, a Maildir inbox and outgoing mail written as .eml files.
# See the sample deployment in the project's config/ directory for IMAP/SMTP/PostgreSQL/Redis.

[school]
name = "{school}"
office_name = "党政办公室"
office_phone = "010-12345678"
timezone = "Asia/Shanghai"

[storage]
data_dir = "var"
database_url = "sqlite:///{{data_dir}}/xinxiang.db"

[queue]
url = "sqlite:///{{data_dir}}/queue.db"
poll_interval_seconds = 30

[[source]]
name = "mailbox"
channel = "书记校长信箱"
kind = "maildir"
path = "var/maildir"

[smtp]
transport = "directory"
directory = "{{data_dir}}/outgoing"
from_address = "xinxiang@example.edu.cn"
from_name = "{school}书记校长信箱"

[security]
token_key_env = "XINXIANG_TOKEN_KEY"

[authentication]
# Answers and office commands by mail are applied only when they were sent to a ticket's signed
# reply address AND the receiving mail server proved the sender in an Authentication-Results
# header under one of these authserv-ids (see the README, "For the mail administrator").
# Empty: no mail can prove its sender, and every such mail waits in the holding pen (待甄别).
trusted_authserv_ids = {trusted}
"""

SAMPLE_FILES = ("departments.toml", "rules.toml", "calendar.toml", "oa.toml", "redaction.toml")


def create_embedded_deployment(
    directory: Path,
    *,
    school: str = "示例大学",
    force: bool = False,
    trusted_authserv_ids: Sequence[str] = (),
) -> Path:
    """Write an embedded-defaults deployment into `directory` (refuses to overwrite).

    ``trusted_authserv_ids`` fills ``[authentication]``: the receiving servers whose
    Authentication-Results are believed (none by default: the administrator names them).
    """
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / "xinxiang.toml"
    if target.exists() and not force:
        raise XinxiangError(f"{target} already exists (use --force to overwrite)")
    trusted = "[" + ", ".join(json.dumps(t) for t in trusted_authserv_ids) + "]"
    target.write_text(EMBEDDED_TOML.format(school=school, trusted=trusted), encoding="utf-8")
    samples = resources.files("xinxiang") / "sample_config"
    for name in SAMPLE_FILES:
        src = samples / name
        if src.is_file():
            with resources.as_file(src) as path:
                shutil.copyfile(path, directory / name)
    (directory / "var" / "maildir").mkdir(parents=True, exist_ok=True)
    return directory
