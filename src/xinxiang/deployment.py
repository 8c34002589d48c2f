"""Creating a deployment directory: `xinxiang init` and the demo use the embedded defaults."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from xinxiang.config import resolve_data_dir
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
# data_dir unset: var/ beside this file, or /var/lib/xinxiang when this file is under /etc.
# data_dir = "/srv/xinxiang"
database_url = "sqlite:///{{data_dir}}/xinxiang.db"

[queue]
url = "sqlite:///{{data_dir}}/queue.db"
poll_interval_seconds = 30

[[source]]
name = "mailbox"
channel = "书记校长信箱"
kind = "maildir"
path = "{{data_dir}}/maildir"

# The reply mailbox: the mailbox of smtp.from_address. Departments answer (and the office sends
# its commands) to the plus-address xinxiang+TOKEN@..., which the mail server delivers here; a
# deployment that reads only the letter mailboxes never sees an answer. On a real server use an
# IMAP source (see config/xinxiang.toml in the project for plus-addressing in Dovecot, Coremail
# and Exchange).
[[source]]
name = "replies"
channel = "书记校长信箱"
kind = "maildir"
path = "{{data_dir}}/maildir-replies"

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

SAMPLE_FILES = ("departments.toml", "rules.toml", "calendar.toml", "redaction.toml")
# The OA bridge runs whenever oa.toml exists, so a new deployment gets the sample under another
# name: renamed once base_url, app_id and the secret's variable are filled in, it switches on.
OA_SAMPLE = "oa.toml"
OA_EXAMPLE = "oa.toml.example"


def create_embedded_deployment(
    directory: Path,
    *,
    school: str = "示例大学",
    force: bool = False,
    trusted_authserv_ids: Sequence[str] = (),
    oa: bool = False,
) -> Path:
    """Write an embedded-defaults deployment into `directory` (refuses to overwrite).

    ``trusted_authserv_ids`` fills ``[authentication]``: the receiving servers whose
    Authentication-Results are believed (none by default: the administrator names them).
    ``oa`` writes the OA bridge's sample as ``oa.toml`` (on); otherwise it is written as
    ``oa.toml.example`` and the bridge stays off until it is configured and renamed.
    """
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / "xinxiang.toml"
    if target.exists() and not force:
        raise XinxiangError(f"{target} already exists (use --force to overwrite)")
    trusted = "[" + ", ".join(json.dumps(t) for t in trusted_authserv_ids) + "]"
    target.write_text(EMBEDDED_TOML.format(school=school, trusted=trusted), encoding="utf-8")
    samples = resources.files("xinxiang") / "sample_config"
    copies = [(name, name) for name in SAMPLE_FILES]
    copies.append((OA_SAMPLE, OA_SAMPLE if oa else OA_EXAMPLE))
    for name, target_name in copies:
        src = samples / name
        if src.is_file():
            with resources.as_file(src) as path:
                shutil.copyfile(path, directory / target_name)
    data_dir = resolve_data_dir(directory.resolve(), "")
    for box in ("maildir", "maildir-replies"):
        (data_dir / box).mkdir(parents=True, exist_ok=True)
    return directory
